# gilbench compare: the rules that decide a verdict, on result files made
# here by a small generator (tests/cli/mkresults.py) so every answer is
# known: exact p with ties at small n, verdicts for identical and noisy
# samples, the quick matrix's repetitions, the GIL measures' directions,
# cells repeated within a file, and a markdown report that fits a GitHub
# comment.
. "$(dirname "$0")/lib.bash"
mk() { /usr/bin/python3 "$SRC/tests/cli/mkresults.py" "$@"; }

run_cmp() { # run_cmp ARGS...: sets rc, out ($T/out) and err ($T/err)
  "$GB" compare "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
jq_py() { # jq_py FILE EXPR: prints EXPR evaluated on the JSON in FILE as d
  /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# 3 vs 3, every value tied within its side: the exact p is 2 / C(6, 3) = 0.1
# (the normal approximation said 0.047: a false "slower", exit 3)
mk "$T/t3a.json" wall_s=1,1,1
mk "$T/t3b.json" wall_s=1.2,1.2,1.2
run_cmp "$T/t3a.json" "$T/t3b.json" --format json -o "$T/t3.json"
check "3 vs 3 ties: exit 0, not a regression" [ "$rc" -eq 0 ]
check "3 vs 3 ties: p = 0.1 exactly" [ "$(jq_py "$T/t3.json" "d['comparisons'][0]['p_value']")" = "0.1" ]
check "3 vs 3 ties: +20% it cannot confirm is too noisy" \
  [ "$(jq_py "$T/t3.json" "d['comparisons'][0]['verdict']")" = "too noisy" ]

# identical samples: no change at any n, tight or not
for spec in "wall_s=1,1.01,0.99" "wall_s=2,2" "wall_s=1,1.5,0.6"; do
  mk "$T/id.json" "$spec"
  run_cmp "$T/id.json" "$T/id.json"
  check "identical $spec: exit 0, no change" \
    bash -c "[ $rc -eq 0 ] && grep -q '0 slower, 0 faster, 1 no change, 0 too noisy' '$T/out'"
done
# a small move within the threshold on noisy samples is no change, not a regression
mk "$T/nb.json" wall_s=1,1.3,0.7,1.1,0.9
mk "$T/nn.json" wall_s=1.03,1.33,0.73,1.13,0.93
run_cmp "$T/nb.json" "$T/nn.json" --all
check "+3% on noisy samples: no change" grep -qE '^serial/cpu +wall_s .* no change$' "$T/out"

# the quick matrix: --quick keeps 5 repetitions, and with 5 a +20% change on
# tight samples is a regression (3 could never reach p < 0.05)
"$GB" run --quick -m serial -w seed -q -o "$T/quick.json"
n=$(jq_py "$T/quick.json" "len(d['results'][0]['samples']['wall_s'])")
check "--quick: 5 repetitions per cell" [ "$n" = 5 ]
check "--quick: params.reps 5, no warm-up" \
  [ "$(jq_py "$T/quick.json" "(d['results'][0]['params']['reps'], d['results'][0]['params']['warmup'])")" = "(5, 0)" ]
/usr/bin/python3 - "$T/quick.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["results"][0]
n = len(c["samples"]["wall_s"])
tight = [0.4 * (1 + 0.002 * ((i * 7) % 5 - 2)) for i in range(n)]
c["samples"]["wall_s"] = tight
json.dump(d, open(sys.argv[2] + "/q_base.json", "w"))
c["samples"]["wall_s"] = [x * 1.2 for x in tight]
json.dump(d, open(sys.argv[2] + "/q_slow.json", "w"))
c["samples"]["wall_s"] = tight[:3]
json.dump(d, open(sys.argv[2] + "/q3_base.json", "w"))
c["samples"]["wall_s"] = [x * 1.2 for x in tight[:3]]
json.dump(d, open(sys.argv[2] + "/q3_slow.json", "w"))
PY
run_cmp "$T/q_base.json" "$T/q_slow.json"
check "quick-sized file, wall +20%: exit 3" [ "$rc" -eq 3 ]
check "quick-sized file, wall +20%: p 0.0079 = 2 / C(10, 5)" grep -qE '^serial/seed +wall_s .*\+20\.0% +0\.0079 +slower' "$T/out"
run_cmp "$T/q3_base.json" "$T/q3_slow.json"
check "the same with 3 repetitions cannot be a regression: exit 0" [ "$rc" -eq 0 ]

# every compared metric has the documented direction; the GIL measures count
mk "$T/g_base.json" --n 10 --all-metrics 1.0
mk "$T/g_up.json" --n 10 --all-metrics 1.2
run_cmp "$T/g_base.json" "$T/g_up.json" --format json -o "$T/g.json"
check "all metrics +20%: exit 3" [ "$rc" -eq 3 ]
check "worse directions as documented" /usr/bin/python3 - "$T/g.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
down = {"ops_per_s", "bytecodes_per_s", "speedup"}
up = {"wall_s", "cpu_s", "latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_max_us",
      "mem_per_task_kib", "gil_held_frac", "gil_wait_frac", "gil_wait_max_us", "gil_acquisitions",
      "gil_drop_requests", "gil_forced_switches", "gil_futile_wakeups", "gil_switches"}
rows = {r["metric"]: r for r in d["comparisons"]}
assert set(rows) == up | down, sorted(set(rows) ^ (up | down))
for m, r in rows.items():
    want = "down" if m in down else "up"
    assert r["worse_when"] == want, (m, r["worse_when"])
    assert r["verdict"] == ("faster" if m in down else "slower"), (m, r["verdict"])
    assert r["regression"] == (m not in down), m
    assert r["base"]["ci_level"] > 0.95, r["base"]
PY

# a cell repeated in a file (two sweeps ran it) is one cell with all its samples
mk "$T/d_base.json" wall_s=1,1.01,0.99,1.02,0.98 --dup wall_s=1.005,0.995,1.0,1.01,0.99
mk "$T/d_new.json" wall_s=1.2,1.21,1.19,1.22,1.18,1.2,1.21,1.19,1.22,1.18
run_cmp "$T/d_base.json" "$T/d_new.json" --format json -o "$T/d.json"
check "repeated cell: exit 3, compared once" \
  bash -c "[ $rc -eq 3 ] && [ \"\$(/usr/bin/python3 -c \"import json; d=json.load(open('$T/d.json')); print(len(d['comparisons']), d['comparisons'][0]['base']['n'])\")\" = '1 10' ]"
check "repeated cell: one warning line naming the file" \
  bash -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'd_base.json: warning: 1 cell repeated a cell of the same file; their samples are merged' '$T/err'"

# a big report: the markdown stays under GitHub's 65536-character limit
mk "$T/big_base.json" --cells 1500 wall_s=1,1.01,0.99,1.02,0.98
mk "$T/big_new.json" --cells 1500 wall_s=1.2,1.21,1.19,1.22,1.18
run_cmp "$T/big_base.json" "$T/big_new.json" --format markdown
check "1500 regressions: exit 3" [ "$rc" -eq 3 ]
check "markdown under 65536 characters" [ "$(wc -m <"$T/out")" -lt 65536 ]
check "markdown says rows were left out" grep -q 'more rows not shown: GitHub comments are limited' "$T/out"
check "the summary line counts them all" grep -q '^\*\*1500 regressions\*\*' "$T/out"
# without changes, only the summary: no table at all
run_cmp "$T/big_base.json" "$T/big_base.json" --format markdown
check "no changes: markdown is the summary only" \
  bash -c "[ $rc -eq 0 ] && ! grep -q '^| cell' '$T/out' && grep -q '1500 rows with no change not shown' '$T/out'"
run_cmp "$T/big_base.json" "$T/big_base.json" --all
check "--all in text: every row" [ "$(grep -c ' no change$' "$T/out")" -eq 1500 ]

# a move within a metric's grain is no change whatever its percent: the GIL
# fractions of a cell that barely takes the lock, a cell's few pages of memory
mk "$T/gr_base.json" gil_held_frac=1e-5,1.1e-5,1.2e-5,1.3e-5,1.4e-5 mem_per_task_kib=100,101,102,103,104
mk "$T/gr_new.json" gil_held_frac=5e-3,5.1e-3,5.2e-3,5.3e-3,5.4e-3 mem_per_task_kib=400,401,402,403,404
run_cmp "$T/gr_base.json" "$T/gr_new.json"
check "+50000% of a fraction under its grain, +300% of 300 KiB: no change, exit 0" \
  bash -c "[ $rc -eq 0 ] && grep -q '0 slower, 0 faster, 2 no change' '$T/out'"
mk "$T/gr_big.json" gil_held_frac=0.2,0.201,0.202,0.203,0.204 mem_per_task_kib=1000,1001,1002,1003,1004
run_cmp "$T/gr_base.json" "$T/gr_big.json"
check "moves beyond the grains are regressions, exit 3" \
  bash -c "[ $rc -eq 3 ] && grep -q '2 slower, 0 faster, 0 no change' '$T/out'"

# the serial cpu cells run the interpreter alone: when they move, compare
# says so, since every other cell moves with them
mk "$T/sd_base.json" wall_s=1,1.001,1.002,1.003,1.004
mk "$T/sd_new.json" wall_s=1.08,1.081,1.082,1.083,1.084
run_cmp "$T/sd_base.json" "$T/sd_new.json" --format json -o "$T/sd.json"
check "serial cpu +8%: counted in serial_cpu (1 of 1 moved, +8%)" \
  [ "$(jq_py "$T/sd.json" "(d['serial_cpu']['cells'], d['serial_cpu']['moved'], round(d['serial_cpu']['change_pct_max']))")" = "(1, 1, 8)" ]
run_cmp "$T/sd_base.json" "$T/sd_new.json"
check "serial cpu +8%: the text says the machine or runtime/ moved" \
  grep -q '^note: 1 of 1 serial cpu cells (the interpreter alone) moved +8.0% in wall time' "$T/out"
run_cmp "$T/sd_base.json" "$T/sd_base.json"
check "serial cpu unchanged: no note" bash -c "! grep -q '^note:' '$T/out'"

finish
