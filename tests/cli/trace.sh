# gilbench run --trace: CSV and JSON-lines traces, the forked task processes'
# events included (distinct thread ids, each with its pid), ring overflow
# counted in the file and said once on stderr, NATIVE spans in the trace.
. "$(dirname "$0")/lib.bash"

# Processes: every child's ring reaches the file.
"$GB" run -m processes -w cpu -t 3 --work 600000 -r 1 --warmup 0 --no-baseline -q \
  -o "$T/p.json" --trace "$T/p.csv"
check "processes with --trace exits 0" [ $? -eq 0 ]
check "CSV: the children's events, thread = task, a pid per thread" /usr/bin/python3 -c "
import re
lines=open('$T/p.csv').read().splitlines()
assert lines[0].startswith('# model=processes workload=cpu'), lines[0]
assert '# lost_events=0' in lines, lines[:6]
pids={int(m.group(1)):int(m.group(2)) for m in (re.match(r'# thread (\d+): pid (\d+)$',l) for l in lines) if m}
assert sorted(pids)==[0,1,2] and len(set(pids.values()))==3, pids
h=lines.index('t_ns,thread,event')
ev=[l.split(',') for l in lines[h+1:]]
seen={int(t) for _,t,_ in ev}
assert seen=={0,1,2}, seen
for t in range(3):
    mine=[e for _,th,e in ev if int(th)==t]
    assert mine==['acquire','drop_voluntary'], (t, mine)
ts=[int(x) for x,_,_ in ev]
assert ts==sorted(ts) and ts[0]==0, ts
"

# JSON lines, chosen by the extension; the same events.
"$GB" run -m processes -w cpu -t 3 --work 600000 -r 1 --warmup 0 --no-baseline -q \
  -o "$T/p.json" --trace "$T/p.jsonl"
check "JSONL: a header line, then one event per line with its pid" /usr/bin/python3 -c "
import json
lines=[json.loads(l) for l in open('$T/p.jsonl')]
h=lines[0]; ev=lines[1:]
assert h['gilbench_trace']==1 and h['model']=='processes' and h['lost_events']==0, h
assert h['events']==len(ev)==6, h
for e in ev: assert set(e)=={'t_ns','pid','thread','event'}, e
assert len({e['pid'] for e in ev})==3 and {e['thread'] for e in ev}=={0,1,2}
for t in range(3):
    assert len({e['pid'] for e in ev if e['thread']==t})==1
assert [e['t_ns'] for e in ev]==sorted(e['t_ns'] for e in ev)
"
"$GB" run -m threads -w cpu -t 2 --work 400000 -r 1 --warmup 0 --no-baseline -q \
  -o "$T/t.json" --trace "$T/t.csv" --trace-format jsonl
check "--trace-format jsonl wins over the extension" /usr/bin/python3 -c "
import json
assert json.loads(open('$T/t.csv').readline())['gilbench_trace']==1
"
"$GB" run -m threads -w cpu --trace "$T/x.csv" --trace-format xml -q -o "$T/x.json" 2>"$T/err"
check "--trace-format xml is refused" [ $? -eq 1 ]
check "... with one line naming it" grep -q "^gilbench: --trace-format: 'xml' is not csv or jsonl" "$T/err"
"$GB" run -m threads -w cpu --trace-format csv -q -o "$T/x.json" 2>"$T/err"
check "--trace-format without --trace is refused" [ $? -eq 1 ]

# Overflow: legacy releases and re-takes every 100 ticks, 2 events each
# time: 1 + 2 x 40000 + 1 events for one thread, into a ring of 65536.
"$GB" run -m threads -w cpu -t 1 --gil legacy --work 4000000 -r 1 --warmup 0 --no-baseline -q \
  -o "$T/l.json" --trace "$T/l.csv" 2>"$T/lerr"
check "an overflowing trace still runs" [ $? -eq 0 ]
check "the file counts the lost events" grep -qx "# lost_events=14466" "$T/l.csv"
check "it keeps the newest 65536" [ "$(grep -c ',0,' "$T/l.csv")" -eq 65536 ]
check "one warning line on stderr" /usr/bin/python3 -c "
lines=open('$T/lerr').read().splitlines()
assert len(lines)==1 and lines[0].startswith('gilbench: ') and '14466 trace events lost' in lines[0], lines
"

# NATIVE work with the GIL released, two threads: their native spans overlap.
if [ "$(nproc)" -ge 2 ]; then
  "$GB" run -m threads -w cpu -t 2 --native-fraction 0.9 --work 4000000 -r 1 --warmup 0 \
    --no-baseline -q -o "$T/n.json" --trace "$T/n.csv"
  check "native 0.9: both threads' native spans overlap in time" /usr/bin/python3 -c "
lines=open('$T/n.csv').read().splitlines()
ev=[l.split(',') for l in lines[lines.index('t_ns,thread,event')+1:]]
spans={0:[],1:[]}; start={}
for t,th,e in ev:
    if e=='native_start': start[th]=int(t)
    elif e=='native_end': spans[int(th)].append((start.pop(th),int(t)))
assert len(spans[0])==100 and len(spans[1])==100, {k:len(v) for k,v in spans.items()}
i=j=n=0
a,b=spans[0],spans[1]
while i<len(a) and j<len(b):
    if a[i][0]<b[j][1] and b[j][0]<a[i][1]: n+=1
    if a[i][1]<b[j][1]: i+=1
    else: j+=1
assert n>0, 'no overlap'
print('# overlapping native span pairs:', n)
"
else
  skip "native overlap" "one CPU"
fi
finish
