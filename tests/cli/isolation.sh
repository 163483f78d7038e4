# A cell that crashes or hangs becomes a failed or timeout cell with a
# reason; the other cells still run and every finished cell is kept, also
# when the run is interrupted.
. "$(dirname "$0")/lib.bash"
plugin="$BUILD/tests/plugin_ok.so"
v="$SRC/scripts/validate-results"
# Under a sanitizer the segfault would become its report and exit status:
# let the signal through, so the crash below is still seen as one.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0"

GB_TEST_PLUGIN_MODE=crash "$GB" run --plugin "$plugin" -m reverse,serial -w seed -r 1 \
  --warmup 0 -q -o "$T/crash.json" 2>"$T/err"
rc=$?
check "a crashed cell makes exit status 2" [ "$rc" -eq 2 ]
check "crash file validates" "$v" "$T/crash.json"
check "crash recorded with its signal, serial still ran" /usr/bin/python3 -c "
import json
r=json.load(open('$T/crash.json'))['results']
a=[c for c in r if c['model']=='reverse'][0]; b=[c for c in r if c['model']=='serial'][0]
assert a['status']=='failed' and 'signal 11' in a['error'], a
assert b['status']=='ok', b
"

GB_TEST_PLUGIN_MODE=hang "$GB" run --plugin "$plugin" -m reverse,serial -w seed -r 1 \
  --warmup 0 --timeout 10 -q -o "$T/hang.json" 2>"$T/err"
rc=$?
check "a hung cell makes exit status 2" [ "$rc" -eq 2 ]
check "hang recorded as timeout, serial still ran" /usr/bin/python3 -c "
import json
r=json.load(open('$T/hang.json'))['results']
a=[c for c in r if c['model']=='reverse'][0]; b=[c for c in r if c['model']=='serial'][0]
assert a['status']=='timeout' and 'timed out' in a['error'], a
assert b['status']=='ok', b
"
left=$(pgrep -f "plugin_ok.so -m reverse,serial -w seed -r 1 --warmup 0 --timeout 10")
check "no process of the hung cell is left" test -z "$left"

# Interrupt a run after its first cell is written: that cell must stay.
"$GB" run -m serial -w seed,seed,seed -r 1 --warmup 0 --no-baseline -q -o "$T/int.json" &
pid=$!
for _ in $(seq 1 100); do [ -s "$T/int.json" ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
check "an interrupted run exits 2 (a cell failed: interrupted)" [ "$rc" -eq 2 ]
check "the interrupted run kept its finished cells" /usr/bin/python3 -c "
import json
r=json.load(open('$T/int.json'))['results']
assert len(r)>=1 and r[0]['status']=='ok', r
"
finish
