# A smoke run of every model x workload with small work: every cell ends
# ok (or skipped with a reason), the file validates against the schema,
# and the counters show the work was done.
. "$(dirname "$0")/lib.bash"

models=$("$GB" list --json | /usr/bin/python3 -c "import json,sys; print(','.join(m['name'] for m in json.load(sys.stdin)['models']))")
"$GB" run -m "$models" -w seed,cpu,io,background -t 2 --work 400000 --burst 400000 \
  --io-time 0.01 --think 0.0005 -r 1 --warmup 0 -q --timeout 60 -o "$T/smoke.json"
rc=$?
check "smoke run exits 0" [ "$rc" -eq 0 ]
check "smoke result validates" "$SRC/scripts/validate-results" "$T/smoke.json"
check "every cell ran or says why not" /usr/bin/python3 -c "
import json
d=json.load(open('$T/smoke.json'))
models=set('$models'.split(','))
seen={(c['model'],c['workload']) for c in d['results']}
for m in models:
    for w in ('seed','cpu','io','background'):
        assert (m,w) in seen, (m,w)
for c in d['results']:
    assert c['status'] in ('ok','skipped'), (c['model'],c['workload'],c.get('error'))
    if c['status']=='skipped':
        assert c['error'], c
        continue
    s=c['samples']
    if c['workload']=='cpu':
        assert s['bytecodes'][0]==400000, (c['model'], s['bytecodes'])
    if c['workload']=='background':
        assert s['latency_count'][0]>=1, c['model']
        assert s['bytecodes'][0]==400000, (c['model'], s['bytecodes'])
print('cells:', len(d['results']))
"
"$GB" run -m serial -w seed -t 3 -r 1 --warmup 0 -q -o "$T/seed3.json"
check "seed with 3 tasks is skipped with a reason" /usr/bin/python3 -c "
import json
c=json.load(open('$T/seed3.json'))['results'][0]
assert c['status']=='skipped' and 'exactly 2 tasks' in c['error'], c
"
finish
