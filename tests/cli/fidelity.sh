# gilbench fidelity on synthetic result files whose answer is known
# (tests/golden/fidelity/, see README.md there): pairing, ratios, verdicts,
# exit codes, formats, one clear line for each bad input; and, when Debian's
# python3 is there, a tiny real CPython reference run that pairs with a
# gilbench run of the same cells.
. "$(dirname "$0")/lib.bash"
# reference.py reads the parameters from `gilbench list --json`.
export GILBENCH="$GB"
G="$SRC/tests/golden/fidelity"

run_fid() { # run_fid ARGS...: sets rc, out ($T/out) and err ($T/err)
  "$GB" fidelity "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
row() { # row CELL RATIO: the text row of that cell and ratio
  grep -E "^$1 +$2 " "$T/out"
}

run_fid "$G/sim.json" "$G/real.json"
check "agree: exit 0" [ "$rc" -eq 0 ]
check "agree: nothing on stderr" [ ! -s "$T/err" ]
check "agree: summary" grep -q "^9 of 9 ratios agree within 25% (11 cell pairs); 0 depart" "$T/out"
check "agree: threads speedup 1 vs 0.9524, quotient 1.050" \
  bash -c "grep -qE '^threads/cpu tasks=2 native_fraction=0 +speedup +1 +0\.9524 +1\.050 +agrees\$' '$T/out'"
check "agree: native speedup" \
  bash -c "grep -qE '^threads/cpu tasks=2 native_fraction=0\.5 +native_speedup +1\.667 +1\.667 +1\.000 +agrees' '$T/out'"
check "agree: convoy p50 over the switch interval" \
  bash -c "grep -qE '^threads/background tasks=2 +convoy_p50 +2 +2\.1 +0\.952 +agrees' '$T/out'"
check "agree: convoy p99" bash -c "grep -qE '^threads/background tasks=2 +convoy_p99 +2\.2 +2\.2 +1\.000' '$T/out'"
check "agree: io overhead" bash -c "grep -qE '^threads/io tasks=10 io=sleep io_ops=1 +io_overhead +1\.1 +1\.2 +0\.917' '$T/out'"
check "agree: io echo speedup" bash -c "grep -qE '^threads/io tasks=10 io=echo io_ops=200 +io_speedup +4 +4 +1\.000' '$T/out'"
check "agree: seed overhead" bash -c "grep -qE '^serial/seed tasks=2 +seed_overhead +1\.333 +1\.337 +0\.998' '$T/out'"
check "agree: legacy GIL cell never paired" bash -c "! grep -q legacy '$T/out'"
check "agree: repeated real cell paired once" bash -c "[ \$(grep -c '^threads/cpu tasks=2 native_fraction=0 ' '$T/out') -eq 1 ]"
check "agree: real-only cell listed" \
  bash -c "grep -A1 '^CPython cells with no simulated counterpart (1):' '$T/out' | grep -q 'asyncio/io tasks=10000'"
check "agree: failed real cell not compared" \
  bash -c "grep -q 'greenlets/cpu tasks=4 native_fraction=0: the CPython cell did not end ok' '$T/out'"
check "agree: unpaired simulated cells counted" grep -q "^2 simulated cells have no CPython counterpart" "$T/out"

run_fid "$G/sim.json" "$G/real_off.json"
check "off by 40%: exit 3" [ "$rc" -eq 3 ]
check "off by 40%: the processes speedup departs" \
  bash -c "grep -qE '^processes/cpu tasks=2 native_fraction=0 +speedup +2 +1\.429 +1\.400 +departs\$' '$T/out'"
check "off by 40%: summary" grep -q "^8 of 9 ratios agree within 25% (11 cell pairs); 1 departs" "$T/out"
run_fid "$G/sim.json" "$G/real_off.json" --tolerance 50
check "off by 40%, --tolerance 50: exit 0" [ "$rc" -eq 0 ]
run_fid "$G/sim.json" "$G/real.json" --tolerance 4%
check "--tolerance 4%: the 5% and 8.3% ones depart: exit 3" [ "$rc" -eq 3 ]
check "--tolerance 4%: 3 depart" grep -q "^6 of 9 ratios agree within 4% (11 cell pairs); 3 depart" "$T/out"

run_fid "$G/sim.json" "$G/real_off.json" --format markdown
check "markdown: exit 3" [ "$rc" -eq 3 ]
check "markdown: table header" grep -qF '| cell | ratio | simulated | CPython | sim/real | verdict |' "$T/out"
check "markdown: departing row" grep -qF '| processes/cpu tasks=2 native_fraction=0 | speedup | 2 | 1.429 | 1.400 | **departs** |' "$T/out"

run_fid "$G/sim.json" "$G/real_off.json" -f json -o "$T/fid.json"
check "json: exit 3" [ "$rc" -eq 3 ]
check "json: nothing on stdout with -o" [ ! -s "$T/out" ]
check "json: parses, counts and the departing ratio" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/fid.json'))
r = [x for x in d['ratios'] if x['model'] == 'cpython-processes'][0]
sys.exit(not (d['agree'] is False and d['summary'] == {'pairs': 11, 'ratios': 9, 'agree': 8, 'depart': 1}
              and r['verdict'] == 'departs' and abs(r['quotient'] - 1.4) < 1e-9
              and d['only_in_real'] == ['asyncio/io tasks=10000 io=sleep io_ops=1']
              and d['sim_unpaired'] == 2 and d['tolerance_pct'] == 25))"

# bad input: exit 1, exactly one line on stderr, nothing on stdout
expect_bad() { # expect_bad NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  "$GB" "$@" >"$T/out" 2>"$T/err"
  local rc=$? lines
  lines=$(wc -l <"$T/err")
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, want 1"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$name: $lines lines on stderr, want 1"; cat "$T/err"; return; fi
  if ! grep -q -- "$pattern" "$T/err"; then fail "$name: stderr lacks '$pattern': $(cat "$T/err")"; return; fi
  if [ -s "$T/out" ]; then fail "$name: printed a report anyway"; return; fi
  pass "$name"
}
echo 'not json' >"$T/garbage.json"
head -c 300 "$G/real.json" >"$T/truncated.json"
sed 's/"wall_s": \[/"wall_s": ["slow", /' "$G/real.json" >"$T/badsample.json"
expect_bad "malformed: not JSON" "garbage.json: not valid JSON" fidelity "$G/sim.json" "$T/garbage.json"
expect_bad "malformed: truncated" "truncated.json: not valid JSON" fidelity "$T/truncated.json" "$G/real.json"
expect_bad "malformed: a string among samples" "samples.wall_s is not an array of numbers" \
  fidelity "$G/sim.json" "$T/badsample.json"
expect_bad "missing file" "cannot read" fidelity "$G/sim.json" "$T/none.json"
expect_bad "nothing comparable (sim vs sim)" "no comparable cells" fidelity "$G/sim.json" "$G/sim.json"
expect_bad "one file only" "expected two result files" fidelity "$G/sim.json"
expect_bad "--tolerance junk" "'x' is not a number" fidelity --tolerance x "$G/sim.json" "$G/real.json"
expect_bad "--tolerance -5" "must be 0 or more" fidelity --tolerance -5 "$G/sim.json" "$G/real.json"
expect_bad "--format junk" "'xml' is not text, markdown or json" fidelity -f xml "$G/sim.json" "$G/real.json"
expect_bad "unknown option" "unknown option '--frob'" fidelity --frob "$G/sim.json" "$G/real.json"
expect_bad "missing value" "needs a value" fidelity "$G/sim.json" "$G/real.json" --tolerance
ref_bad() { # ref_bad NAME PATTERN ARGS...: reference.py refuses before running anything
  local name=$1 pattern=$2; shift 2
  /usr/bin/python3 "$SRC/scripts/cpython/reference.py" -o "$T/never.json" "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -ne 1 ] || [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q -- "$pattern" "$T/err" ||
    [ -e "$T/never.json" ]; then
    fail "$name: exit $rc, stderr: $(cat "$T/err")"
    return
  fi
  pass "$name"
}
ref_bad "reference.py: unknown model" "^gilbench: reference.py: .*'frob' is not one of" -m frob
ref_bad "reference.py: --native-fraction 2" "within 0..1" --native-fraction 2
echo '[]' >"$T/notresults.json"
ref_bad "reference.py: --append to a non-result file" "cannot append" --append -o "$T/notresults.json"
check "fidelity --help: exit 0, usage on stdout" bash -c "'$GB' fidelity --help | grep -q '^usage: gilbench fidelity'"

# A real CPython run of a few tiny cells pairs with gilbench's run of the same
# cells. Only the pairing, the schema and the plumbing are checked: the
# verdicts are timings and belong to `make reference`.
if /usr/bin/python3 -c 'import gevent, numpy' 2>/dev/null; then
  knobs=(-t 2 --work 400000 --burst 400000 --io-time 0.01 -r 1 --warmup 0)
  all=serial,threads,processes,greenlets,asyncio,callbacks
  /usr/bin/python3 "$SRC/scripts/cpython/reference.py" -q -m $all -w seed,cpu,io,background \
    "${knobs[@]}" --timeout 120 -o "$T/ref.json" &&
    /usr/bin/python3 "$SRC/scripts/cpython/reference.py" -q -m threads -w cpu --native-fraction 0.5 \
      "${knobs[@]}" --timeout 120 --append -o "$T/ref.json"
  check "reference: exit 0" [ $? -eq 0 ]
  check "reference: validates against the schema" "$SRC/scripts/validate-results" "$T/ref.json"
  check "reference: every model, named cpython-*" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/ref.json'))
models = {c['model'] for c in d['results']}
want = {'cpython-' + m for m in ('serial', 'threads', 'processes', 'greenlets', 'asyncio', 'callbacks')}
ok = [c for c in d['results'] if c['status'] == 'ok']
skipped = [c for c in d['results'] if c['status'] == 'skipped']
ctx = d['context']
sys.exit(not (models == want and len(skipped) == 1 and len(ok) == len(d['results']) - 1
              and all(c['model'] == 'cpython-serial' and c['workload'] == 'background' for c in skipped)
              and ctx['modules']['gevent'] and ctx['modules']['numpy'] and ctx['python']['version']
              and ctx['calibration']['iters_per_bytecode'] > 0
              and all(c['samples']['latency_count'][0] >= 1 for c in ok if c['workload'] == 'background')
              or print('#', sorted(models), [(c['model'], c['workload'], c['status'], c.get('error'),
                                             c['samples'].get('latency_count')) for c in d['results']])))"
  check "reference: seed returns through every model" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/ref.json'))
seed = [c for c in d['results'] if c['workload'] == 'seed']
sys.exit(not (len(seed) == 6 and all(c['status'] == 'ok' and c['samples']['wall_s'][0] >= 0.3 for c in seed)))"
  "$GB" run -q -m $all -w seed,cpu,io,background "${knobs[@]}" -o "$T/sim.json" 2>"$T/err" &&
    "$GB" run -q -m threads -w cpu --native-fraction 0.5 "${knobs[@]}" --append -o "$T/sim.json" 2>"$T/err"
  check "gilbench run of the same cells: exit 0" [ $? -eq 0 ]
  run_fid "$T/sim.json" "$T/ref.json" -f json -o "$T/pair.json"
  check "reference vs gilbench run: exit 0 or 3" bash -c "[ $rc -eq 0 ] || [ $rc -eq 3 ]"
  check "reference vs gilbench run: every ratio kind pairs" /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T/pair.json'))
kinds = {r['ratio'] for r in d['ratios']}
want = {'speedup', 'native_speedup', 'convoy_p50', 'convoy_p99', 'io_overhead', 'seed_overhead'}
good = kinds == want and not d['only_in_real'] and not d['not_compared']
if not good:
    print('# kinds', sorted(kinds), 'only_in_real', d['only_in_real'], 'not_compared', d['not_compared'])
sys.exit(not good)"
else
  skip "reference: a real CPython run pairs with gilbench's" \
    "Debian's python3-gevent and python3-numpy are not installed (scripts/install-deps --reference)"
fi

finish
