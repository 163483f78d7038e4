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
finish
