# gil_load's fractions stay fractions: per GIL, averaged over the GILs, in
# [0,1] for hundreds of threads and for 4 processes; the old sums live on
# as holders_mean and waiters_mean. Relations between counters only. (300
# threads, not 1000: under TSan 1000 threads take over a minute.)
. "$(dirname "$0")/lib.bash"
v="$SRC/scripts/validate-results"

"$GB" run -m processes -w cpu -t 4 --work 2000000 -r 1 --warmup 0 --no-baseline -q \
  --timeout 300 -o "$T/p.json"
check "processes cpu -t 4 runs" [ $? -eq 0 ]
"$GB" run -m threads -w io -t 300 --io-time 0.05 -r 1 --warmup 0 --no-baseline -q \
  --timeout 300 -o "$T/t.json"
check "threads io -t 300 runs" [ $? -eq 0 ]
"$GB" run -m threads -w cpu -t 4 --work 2000000 --switch-interval 0.001 -r 1 --warmup 0 \
  --no-baseline -q --timeout 300 -o "$T/c.json"
check "threads cpu -t 4 runs" [ $? -eq 0 ]
check "the files validate (held_frac, wait_frac at most 1)" "$v" "$T/p.json" "$T/t.json" "$T/c.json"
check "fractions, counts and sums agree" /usr/bin/python3 -c "
import json
g=lambda p: json.load(open(p))['results'][0]['metrics']['gil']
p,t,c=g('$T/p.json'),g('$T/t.json'),g('$T/c.json')
for name,m in (('processes',p),('threads io',t),('threads cpu',c)):
    assert 0<=m['held_frac']<=1 and 0<=m['wait_frac']<=1, (name,m)
    # Every contended moment has a waiter: the summed waits cover it.
    assert m['waiters_mean']>=m['wait_frac']*(1-1e-9), (name,m)
assert p['count']==4 and t['count']==1 and c['count']==1, (p['count'],t['count'],c['count'])
# One GIL per process: the sum of holds is the four GILs' held time.
assert abs(p['holders_mean']-4*p['held_frac'])<=1e-9*p['holders_mean'], p
assert p['wait_frac']==0 and p['waiters_mean']==0, p
assert abs(c['holders_mean']-c['held_frac'])<=1e-9, c
assert c['wait_frac']>0 and c['requested_acquisitions']>0, c
print('# processes -t 4: held %.3f holders %.2f; threads io -t 300: held %.4f wait %.3f waiters %.2f; threads cpu -t 4: held %.3f wait %.3f waiters %.2f'
      % (p['held_frac'],p['holders_mean'],t['held_frac'],t['wait_frac'],t['waiters_mean'],c['held_frac'],c['wait_frac'],c['waiters_mean']))
"
finish
