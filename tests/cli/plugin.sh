# An external model loads with --plugin, shows in `list`, and runs through
# the harness like an in-tree one; its cells are recorded under its name.
. "$(dirname "$0")/lib.bash"
plugin="$BUILD/tests/plugin_ok.so"

check "list --plugin shows the model" \
  bash -c "'$GB' list --plugin '$plugin' | grep -q '^  reverse '"
"$GB" run --plugin "$plugin" -m reverse,serial -w seed,cpu -t 2 --work 200000 -r 2 \
  --warmup 0 -q -o "$T/p.json" 2>"$T/err"
rc=$?
check "run with the plugin exits 0" [ "$rc" -eq 0 ]
check "result file is valid" "$SRC/scripts/validate-results" "$T/p.json"
check "the plugin's cells are ok" /usr/bin/python3 -c "
import json,sys
d=json.load(open('$T/p.json'))
cells=[c for c in d['results'] if c['model']=='reverse']
assert len(cells)==2, cells
assert all(c['status']=='ok' for c in cells), cells
assert all(len(c['samples']['wall_s'])==2 for c in cells)
cpu=[c for c in cells if c['workload']=='cpu'][0]
assert cpu['metrics']['speedup']>0
"
check "a plugin model cannot run what it does not declare" /usr/bin/python3 -c "
import json,subprocess
subprocess.run(['$GB','run','--plugin','$plugin','-m','reverse','-w','background','-r','1','--warmup','0','-q','-o','$T/b.json'],check=True)
d=json.load(open('$T/b.json'))
assert d['results'][0]['status']=='skipped', d['results'][0]
"

# A GIL policy from a plugin: listed, selectable with --gil, and it works.
gilp="$BUILD/tests/plugin_gil_fifo.so"
check "list --plugin shows the GIL policy" \
  bash -c "'$GB' list --plugin '$gilp' | grep -q '^  fifo '"
"$GB" run --plugin "$gilp" -m threads -w cpu,background -t 3 --gil fifo --work 3000000 \
  --burst 3000000 --switch-interval 0.001 -r 1 --warmup 0 --no-baseline -q -o "$T/g.json"
rc=$?
check "threads under the fifo plugin GIL run" [ "$rc" -eq 0 ]
check "the fifo GIL did the work and switched" /usr/bin/python3 -c "
import json
for c in json.load(open('$T/g.json'))['results']:
    assert c['status']=='ok' and c['params']['gil']=='fifo', c
    s=c['samples']
    assert s['bytecodes'][0] >= 3000000, s['bytecodes']
    assert s['gil_switches'][0] >= 2, s['gil_switches']
cpu=[c for c in json.load(open('$T/g.json'))['results'] if c['workload']=='cpu'][0]
assert cpu['samples']['gil_drop_requests'][0] >= 1, cpu['samples']
"
finish
