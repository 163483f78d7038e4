#!/usr/bin/env bash
# A FIFO as output: written in place when somebody reads it; one line and
# exit 1, never a hang, when nobody does.
. "$(dirname "$0")/lib.bash"

mkfifo "$T/f"
timeout 60 "$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T/f" 2>"$T/err"; rc=$?
check "run -o FIFO with no reader: exit 1, no hang (got $rc)" [ "$rc" -eq 1 ]
check "run -o FIFO with no reader: one line naming it" \
  eval '[ "$(wc -l <"$T/err")" -eq 1 ] && grep -qx "gilbench: $T/f: cannot write: a FIFO with no reader" "$T/err"'
timeout 60 "$GB" export "$SRC/tests/golden/compare/base.json" --format bmf -o "$T/f" 2>"$T/err"; rc=$?
check "export -o FIFO with no reader: exit 1, no hang (got $rc)" [ "$rc" -eq 1 ]
cat "$T/f" >"$T/got" &
reader=$!
timeout 60 "$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T/f" 2>"$T/err"; rc=$?
wait "$reader"
check "run -o FIFO with a reader: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "run -o FIFO with a reader: the reader got the results" \
  /usr/bin/python3 -c "import json,sys; sys.exit(not json.load(open('$T/got'))['results'])"
check "the FIFO is still a FIFO" test -p "$T/f"
finish
