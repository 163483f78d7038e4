# cpu, K = 2, on the one-thread models (issue 5: "all three about as fast
# as serial, never faster"): serial, greenlets, asyncio and callbacks run
# the same interpreter path, shown by the counters rather than the clock:
# the same bytecodes, one GIL tenure (one acquisition, one switch, one
# voluntary drop), no drop request and no yield. A speedup over serial in a
# report is then the machine's noise, not a cheaper path.
. "$(dirname "$0")/lib.bash"

"$GB" run -m serial,greenlets,asyncio,callbacks -w cpu -t 2 --work 400000 --no-baseline \
  -r 1 --warmup 0 -q -o "$T/cpu.json" 2>"$T/err"
rc=$?
check "cpu -t 2 on the one-thread models exits 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$T/err"
check "the same work and the same GIL path in all four" /usr/bin/python3 -c "
import json
cells = json.load(open('$T/cpu.json'))['results']
assert sorted(c['model'] for c in cells) == ['asyncio', 'callbacks', 'greenlets', 'serial']
want = {'bytecodes': 400000, 'gil_acquisitions': 1, 'gil_switches': 1,
        'gil_voluntary_drops': 1, 'gil_drop_requests': 0, 'gil_forced_switches': 0,
        'yields': 0}
for c in cells:
    assert c['status'] == 'ok', (c['model'], c.get('error'))
    got = {k: c['samples'][k][0] for k in want}
    assert got == want, (c['model'], got)
"
finish
