#!/usr/bin/env bash
# A plugin whose constructor crashes, aborts or exits: one line naming it
# and exit 1, from both commands that load plugins; the harness survives.
. "$(dirname "$0")/lib.bash"
P="$BUILD/tests/plugin_ctor_fault.so"
# Under a sanitizer a segfault or abort becomes the sanitizer's report:
# let the signal through, so the probe sees what a user's build sees.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_abort=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0:handle_abort=0"

for f in segv abort exit0 exit3; do
  for cmd in run list; do
    args=(--plugin "$P")
    [ "$cmd" = run ] && args+=(-m serial -w seed -r 1 --warmup 0 -q -o "$T/out.json")
    rm -f "$T/out.json"
    GB_CTOR_FAULT=$f "$GB" "$cmd" "${args[@]}" >"$T/out" 2>"$T/err"; rc=$?
    check "$cmd, constructor $f: exit 1 (got $rc)" [ "$rc" -eq 1 ]
    check "$cmd, constructor $f: one line naming the plugin" \
      eval '[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^gilbench: --plugin: $P: " "$T/err"'
    check "$cmd, constructor $f: nothing written" [ ! -e "$T/out.json" ]
  done
done
GB_CTOR_FAULT=segv "$GB" list --plugin "$P" 2>"$T/err"
check "a crash names the signal" grep -q "crashed while loading (signal 11" "$T/err"
GB_CTOR_FAULT=exit3 "$GB" list --plugin "$P" 2>"$T/err"
check "an exit names the status" grep -q "exited with status 3 while loading" "$T/err"
# A healthy constructor: the probe lets it through to the usual checks.
"$GB" list --plugin "$P" >"$T/out" 2>"$T/err"; rc=$?
check "a plugin of no kind is still refused by the usual check (exit $rc)" \
  eval '[ "$rc" -eq 1 ] && grep -q "not a gilbench plugin" "$T/err"'
"$GB" run --plugin "$BUILD/tests/plugin_ok.so" -m reverse -w seed -r 1 --warmup 0 -q -o "$T/ok.json" 2>"$T/err"
rc=$?
check "a good plugin still loads and runs (exit $rc)" [ "$rc" -eq 0 ]
finish
