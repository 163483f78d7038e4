#!/usr/bin/env bash
# `gilbench help COMMAND` and "did you mean" for a mistyped command.
. "$(dirname "$0")/lib.bash"

"$GB" comprae a b >"$T/out" 2>"$T/err"; rc=$?
check "a mistyped command: exit 1 (got $rc)" [ "$rc" -eq 1 ]
check "a mistyped command: one line naming the nearest" \
  grep -qx "gilbench: comprae: unknown command (did you mean 'compare'?)" "$T/err"
"$GB" frobnicate >"$T/out" 2>"$T/err"; rc=$?
check "an unrelated word: no suggestion, the usual hint" \
  grep -qx "gilbench: frobnicate: unknown command (try 'gilbench --help')" "$T/err"

for c in run compare plot export fidelity list micro demo; do
  "$GB" help "$c" >"$T/help" 2>"$T/err"; rc=$?
  "$GB" "$c" --help >"$T/own" 2>/dev/null
  check "help $c: exit 0 (got $rc), the same text as $c --help" \
    eval '[ "$rc" -eq 0 ] && [ -s "$T/help" ] && cmp -s "$T/help" "$T/own"'
done
"$GB" help >"$T/help"; rc=$?
check "help alone: the command list, exit 0" eval '[ "$rc" -eq 0 ] && grep -q "^  help " "$T/help"'
"$GB" help plto >"$T/out" 2>"$T/err"; rc=$?
check "help of a mistyped command: exit 1 with a suggestion" \
  eval '[ "$rc" -eq 1 ] && grep -qx "gilbench: plto: unknown command (did you mean '"'"'plot'"'"'?)" "$T/err"'
finish
