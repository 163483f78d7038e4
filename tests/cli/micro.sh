# gilbench micro --json: the DESIGN shape of "ops", a GIL handoff for every
# policy that has a lock to hand over, and each target's verdict beside it.
. "$(dirname "$0")/lib.bash"

"$GB" micro --json --reps 5 --filter gil_handoff >"$T/m.json" 2>"$T/err"
check "micro --json --filter gil_handoff exits 0" [ $? -eq 0 ]
check "ops, targets and verdicts" /usr/bin/python3 -c "
import json
d=json.load(open('$T/m.json'))
ops=d['ops']; tg=d['targets']
want=['gil_handoff_new','gil_handoff_new312','gil_handoff_priority','gil_handoff_legacy']
for name in want + ['base_condvar_pingpong']:
    o=ops[name]
    assert set(o)=={'median_ns','min_ns','max_ns','reps'}, o
    assert o['reps']==5 and o['min_ns']<=o['median_ns']<=o['max_ns'], o
assert 'gil_handoff_none' not in ops, 'none has no lock to hand over'
assert set(tg)==set(want), sorted(tg)
for name in want:
    t=tg[name]
    assert t['baseline']=='base_condvar_pingpong' and t['target_ratio']==1.5, t
    r=ops[name]['median_ns']/ops['base_condvar_pingpong']['median_ns']
    assert abs(t['ratio']-r) <= 1e-9*r, (t, r)
    assert t['met']==(t['ratio']<=t['target_ratio']), t
"
"$GB" micro --json --reps 5 --filter coro_switch >"$T/c.json" 2>"$T/err"
check "a filtered run has the targets of what it ran" /usr/bin/python3 -c "
import json
d=json.load(open('$T/c.json'))
assert set(d['targets'])=={'coro_switch'}, d['targets']
assert d['targets']['coro_switch']['baseline']=='base_swapcontext'
"
finish
