# A coroutine stack overflow inside a run cell: the cell fails with the
# reason the runtime's guard handler found (handed to the harness from the
# signal handler), not a bare exit status.
. "$(dirname "$0")/lib.bash"
plugin="$BUILD/tests/plugin_ok.so"
v="$SRC/scripts/validate-results"

GB_TEST_PLUGIN_MODE=overflow "$GB" run --plugin "$plugin" -m reverse,serial -w seed -r 1 \
  --warmup 0 --stack-size 32K -q -o "$T/o.json" 2>"$T/err"
rc=$?
check "an overflowed cell makes exit status 2 (got $rc)" [ "$rc" -eq 2 ]
check "the file validates" "$v" "$T/o.json"
check "the cell's error is the overflow, with the stack size and the fix" /usr/bin/python3 -c "
import json
r=json.load(open('$T/o.json'))['results']
a=[c for c in r if c['model']=='reverse'][0]; b=[c for c in r if c['model']=='serial'][0]
want='coroutine stack overflow: stack of 32768 bytes; raise --stack-size'
assert a['status']=='failed' and a['error']==want, a
assert b['status']=='ok', b
"
check "stderr names the cell's reason once" \
  bash -c "grep -c 'reverse: seed failed: coroutine stack overflow: stack of 32768 bytes' '$T/err' | grep -qx 1"
finish
