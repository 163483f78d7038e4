# scripts/cpython reads the parameters from `gilbench list --json`, not a
# copy: its defaults (full and --quick), the keys it writes into a cell's
# params and its "same work" keys are those a `gilbench run` cell has.
# Needs no gevent or NumPy: nothing runs on CPython here.
. "$(dirname "$0")/lib.bash"

"$GB" list --json >"$T/list.json"
check "list --json: a params array" /usr/bin/python3 -c "
import json, sys
p = json.load(open('$T/list.json'))['params']
need = {'key', 'option', 'type', 'unit', 'default', 'quick_default', 'min', 'max', 'identity', 'work'}
sys.exit(not (p and all(need <= set(r) for r in p)))"

for q in full quick; do
  flag=(); [ $q = quick ] && flag=(--quick)
  "$GB" run -q -m serial -w cpu "${flag[@]}" -r 1 --warmup 0 -o "$T/$q.json"
  check "$q: gilbench run exits 0" [ $? -eq 0 ]
  check "$q: reference.py's defaults and params keys are gilbench's" /usr/bin/python3 -c "
import json, sys
sys.path.insert(0, '$SRC/scripts/cpython')
import gbresult, reference
gbresult.load_params('$GB')
cell = json.load(open('$T/$q.json'))['results'][0]['params']
d = gbresult.defaults('$q' == 'quick')
mine = gbresult.params_json(dict(d, reps=1, warmup=0), reference.cpython_knobs())
bad = [k for k in d if d[k] != cell[k]]
keys = set(cell) - {'bound_cpus', 'peer_cpus'}
ok = not bad and set(mine) == keys and set(gbresult.WORK_KEYS) <= set(d)
if not ok:
    print('# differ:', bad, 'keys:', sorted(set(mine) ^ keys))
sys.exit(not ok)"
done
# The metrics too: gbresult.cell_metrics over a gilbench cell's own samples
# gives that cell's metrics (keys, groups, reductions) and warnings.
"$GB" run -q -m threads -w background -t 2 --burst 200000 -r 3 --warmup 0 -o "$T/bg.json"
check "cell_metrics over gilbench's samples gives gilbench's metrics" /usr/bin/python3 -c "
import json, math, sys
sys.path.insert(0, '$SRC/scripts/cpython')
import gbresult
gbresult.load_params('$GB')
c = json.load(open('$T/bg.json'))['results'][0]
want = c['metrics']
mine = {'samples': c['samples']}
gbresult.cell_metrics(mine)
def same(a, b, where):
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(same(a[k], b[k], where + '.' + k) for k in a) or print('#', where, sorted(set(a) ^ set(b)))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        # the file holds 10 significant digits: statistics of rounded samples
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12) or print('#', where, a, b)
    return a == b or print('#', where, a, b)
got = {k: v for k, v in mine['metrics'].items()}
ok = same(got, {k: v for k, v in want.items() if k not in ('speedup', 'efficiency')}, 'metrics')
ok = ok and mine.get('warnings', []) == c.get('warnings', []) or print('# warnings', mine.get('warnings'), c.get('warnings'))
sys.exit(not ok)"
check "reference.py without a gilbench: one line, exit 1" bash -c \
  "GILBENCH= /usr/bin/python3 '$SRC/scripts/cpython/reference.py' -o '$T/never.json' 2>'$T/err'; \
   [ \$? -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q -- '--gilbench' '$T/err' && [ ! -e '$T/never.json' ]"
finish
