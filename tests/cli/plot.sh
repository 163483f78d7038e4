# plot.sh - `gilbench plot`: renders every template from the fixture in
# tests/golden/plot/ (results.json, base.json, cpython.json, trace.csv,
# trace_procs.csv; written by make_fixture.py there) and checks each PNG and
# SVG exists, is non-empty and has the size its template sets; checks the
# .dat files against the fixture, the report, and every way the command can
# be given bad input. The overlays, the compare chart's verdicts and the
# report's wording have their own tests: plot_overlay.sh, plot_compare.sh,
# plot_report.sh.
# gnuplot is a test dependency (scripts/install-deps installs gnuplot-nox).
source "$(dirname "$0")/lib.bash"
FIX=$SRC/tests/golden/plot

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "not ok - gnuplot is missing: install gnuplot-nox (scripts/install-deps)"
  exit 1
fi

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, "" if not a PNG.
png_size() {
  local b
  b=($(od -An -tu1 -N24 "$1" 2>/dev/null))
  [ "${#b[@]}" -eq 24 ] || return 0
  # signature \x89 P N G, then length, "IHDR", width, height (big-endian)
  [ "${b[0]} ${b[1]} ${b[2]} ${b[3]}" = "137 80 78 71" ] || return 0
  [ "${b[12]} ${b[13]} ${b[14]} ${b[15]}" = "73 72 68 82" ] || return 0
  echo "$(( (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19] ))x$(( (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23] ))"
}

# one_line FILE: exactly one line, in the gilbench format
one_line() {
  [ "$(wc -l < "$1")" -eq 1 ] && grep -q '^gilbench: ' "$1"
}

# The compare chart grows with its rows: 24 px a row plus 170, at least 500.
rows=$(python3 - "$FIX/base.json" "$FIX/results.json" "$FIX/cpython.json" <<'EOF'
import json, sys
def ids(*paths):
    out = set()
    for path in paths:
        for c in json.load(open(path))["results"]:
            if c["status"] != "ok" or not c.get("samples", {}).get("wall_s"):
                continue
            p = {k: v for k, v in c["params"].items()
                 if k not in ("bound_cpus", "peer_cpus", "reps", "warmup")}
            out.add((c["model"], c["workload"], json.dumps(p, sort_keys=True)))
    return out
print(len(ids(sys.argv[1]) & ids(*sys.argv[2:])))
EOF
)
compare_h=$(( rows * 24 + 170 > 500 ? rows * 24 + 170 : 500 ))

OUT=$T/charts
"$GB" plot --base "$FIX/base.json" "$FIX/results.json" "$FIX/cpython.json" \
  --trace "$FIX/trace.csv" --trace "$FIX/trace_procs.csv" -o "$OUT" >"$T/out" 2>"$T/err"
rc=$?
check "plot of the fixture exits 0 (got $rc: $(head -c 300 "$T/err"))" [ "$rc" -eq 0 ]
check "plot of the fixture prints nothing on stdout" [ ! -s "$T/out" ]

for spec in cpu_scaling:1000x620 io_scaling:1250x600 convoy:1250x620 \
            switch_interval:1000x800 native_fraction:1000x620 yield_every:1000x620 \
            gil_timeline:1250x500 gil_timeline_2:1250x500 "compare:1400x$compare_h"; do
  chart=${spec%%:*}
  want=${spec#*:}
  png=$OUT/$chart.png
  svg=$OUT/$chart.svg
  check "$chart.png exists and is not empty" [ -s "$png" ]
  got=$(png_size "$png")
  check "$chart.png is a PNG of $want (got '$got')" [ "$got" = "$want" ]
  check "$chart.svg exists and is not empty" [ -s "$svg" ]
  check "$chart.svg is an SVG of $want" grep -q "viewBox=\"0 0 ${want%x*} ${want#*x}\"" "$svg"
  check "$chart.dat exists" [ -s "$OUT/$chart.dat" ]
  check "report.md embeds $chart.png" grep -qF "]($chart.png)" "$OUT/report.md"
done
check "one line per chart drawn: no notes for the full fixture" [ ! -s "$T/err" ]
# Small print on every chart: the machine and the commit (context.git_sha).
for chart in cpu_scaling io_scaling convoy switch_interval native_fraction yield_every \
             gil_timeline gil_timeline_2 compare; do
  check "$chart.svg names the machine and the commit" \
    bash -c "grep -qF 'Fixture CPU @ 2.40GHz' '$OUT/$chart.svg' && grep -qF '(0123456)' '$OUT/$chart.svg'"
done
for chart in cpu_scaling io_scaling convoy native_fraction yield_every; do
  check "$chart.svg says what its bars are" grep -q "bars: .*confidence interval of each median" "$OUT/$chart.svg"
done
check "cpu_scaling sentence: series that coincide are named" \
  grep -qF "Within their intervals these coincide in speedup: serial and callbacks" "$OUT/report.md"

# The .dat files hold what the fixture says, cell by cell.
check ".dat files match the fixture" python3 - "$FIX/results.json" "$FIX/cpython.json" "$OUT" <<'EOF'
import json, math, sys
def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
def cells(*paths):
    """Cells; the runs of a repeated cell (same model, workload, params) merged:
    samples pooled, the latency and wall figures their medians."""
    out = {}
    for path in paths:
        for c in json.load(open(path))["results"]:
            p = {k: v for k, v in c["params"].items() if k not in ("bound_cpus", "peer_cpus", "reps", "warmup")}
            out.setdefault((c["model"], c["workload"], json.dumps(p, sort_keys=True)), []).append(c)
    res = []
    for runs in out.values():
        c = runs[0]
        if len(runs) > 1:
            c = json.loads(json.dumps(runs[0]))
            pool = {k: sum((r["samples"][k] for r in runs), []) for k in c["samples"]}
            c["metrics"]["wall_s"]["median"] = median(pool["wall_s"])
            for q in ("p50", "p90", "p99"):
                if f"latency_{q}_us" in pool:
                    c["metrics"]["latency_us"][q] = median(pool[f"latency_{q}_us"])
        res.append(c)
    return res
res = cells(sys.argv[1], sys.argv[2])
serial_cpy = {c["params"]["tasks"]: c for c in res if c["model"] == "cpython-serial"}
out = sys.argv[3]

def blocks(name):
    """{title: [[numbers or None], ...]} from a gilbench .dat file."""
    text = open(f"{out}/{name}").read()
    got = {}
    for blk in text.split("\n\n\n"):
        lines = [l for l in blk.splitlines() if l and not l.startswith("#")]
        if not lines:
            continue
        title = lines[0].strip('"')
        got[title] = [[None if f == "?" else float(f) for f in l.split()] for l in lines[1:]]
    return got

def title(c):
    g = c["params"].get("gil")
    if c["model"].startswith("cpython-"):
        m = c["model"][8:]
        return f"{m} (CPython 3.11)"
    # A run pinned with --cpus (the fixture's other cells have 0-1) is its own series.
    if c["params"].get("cpus", "0-1") != "0-1":
        return f"threads (gil {g}, --cpus {c['params']['cpus']})"
    return f"threads (gil {g})" if c["model"] == "threads" else c["model"]

def speedup(c):
    """The cell's own, or (the one CPython cell without) serial wall / its wall."""
    if "speedup" in c["metrics"]:
        return c["metrics"]["speedup"]
    return serial_cpy[1]["metrics"]["wall_s"]["median"] / c["metrics"]["wall_s"]["median"]

def close(a, b):
    return a is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))

bad = []
ok = [c for c in res if c["status"] == "ok"]
# cpu_scaling: every cell at native_fraction 0, x = tasks, y = metrics.speedup;
# the native-fraction sweep must not leak in.
cpu = blocks("cpu_scaling.dat")
# CPython's cells overlay the simulation's, but cpython-serial (1x by definition) does not.
want = [c for c in ok if c["workload"] == "cpu" and c["params"]["native_fraction"] == 0
        and c["model"] != "cpython-serial"]
n = sum(len(v) for v in cpu.values())
if n != len(want):
    bad.append(f"cpu_scaling: {n} points, want {len(want)}")
for c in want:
    pts = {p[0]: p for p in cpu.get(title(c), [])}
    p = pts.get(c["params"]["tasks"])
    if not p or not close(p[1], speedup(c)):
        bad.append(f"cpu_scaling: {title(c)} tasks={c['params']['tasks']}: {p}")
# The bars: the speedup scaled by the interval of the cell's wall median.
for c in want:
    p = {p[0]: p for p in cpu.get(title(c), [])}.get(c["params"]["tasks"])
    w = c["metrics"]["wall_s"]
    if p and "ci95" in w:
        s = speedup(c)
        lo, hi = s * w["median"] / w["ci95"][1], s * w["median"] / w["ci95"][0]
        if not close(p[3], lo) or not close(p[4], hi) or not p[3] <= p[1] <= p[4]:
            bad.append(f"cpu_scaling bars: {title(c)} tasks={c['params']['tasks']}: {p} want {lo} {hi}")
if "processes (CPython 3.11)" not in cpu or "threads (CPython 3.11)" not in cpu:
    bad.append(f"cpu_scaling: no CPython overlay in {list(cpu)}")
# io_scaling: overhead % = (wall median / (io_ops * io_time_s) - 1) * 100
io = blocks("io_scaling.dat")
for c in ok:
    if c["workload"] != "io":
        continue
    p = {p[0]: p for p in io.get(title(c), [])}.get(c["params"]["tasks"])
    ideal = c["params"]["io_ops"] * c["params"]["io_time_s"]
    over = (c["metrics"]["wall_s"]["median"] / ideal - 1) * 100
    if not p or not close(p[1], over) or not close(p[2], c["metrics"]["mem_per_task_kib"]):
        bad.append(f"io_scaling: {title(c)} tasks={c['params']['tasks']}: {p} want {over}")
    # columns 6 and 7: the overhead at the bounds of the wall median's interval
    ci = c["metrics"]["wall_s"]["ci95"]
    if p and (not close(p[5], (ci[0] / ideal - 1) * 100) or not close(p[6], (ci[1] / ideal - 1) * 100)):
        bad.append(f"io_scaling bars: {title(c)} tasks={c['params']['tasks']}: {p[5:7]}")
# convoy: x = background tasks = tasks - 1, p50 and p99, default interval, no
# yields (greenlets tasks=2 yield_every=0 is in the file twice: its runs merged)
cv = blocks("convoy.dat")
for c in ok:
    if c["workload"] != "background" or c["params"]["switch_interval_s"] != 0.005 \
            or c["params"]["yield_every"] != 0:
        continue
    p = {p[0]: p for p in cv.get(title(c), [])}.get(c["params"]["tasks"] - 1)
    lat = c["metrics"]["latency_us"]
    if not p or not close(p[1], lat["p50"]) or not close(p[2], lat["p99"]):
        bad.append(f"convoy: {title(c)} tasks={c['params']['tasks']}: {p}")
    # columns 4-7: the intervals of p50 and p99, each around its median
    elif None in p[3:7] or not (p[3] <= p[1] <= p[4] and p[5] <= p[2] <= p[6]):
        bad.append(f"convoy bars: {title(c)} tasks={c['params']['tasks']}: {p}")
# switch_interval: the threads/new sweep at its task count, x in ms
si = blocks("switch_interval.dat").get("threads (gil new)", [])
want = [c for c in ok if c["workload"] == "background" and c["model"] == "threads"
        and c["params"]["gil"] == "new" and c["params"]["tasks"] == 2]
if sorted(p[0] for p in si) != sorted(c["params"]["switch_interval_s"] * 1e3 for c in want):
    bad.append(f"switch_interval: x values {[p[0] for p in si]}")
# columns 5-8: the intervals of p50 and p99 around them
if any(None in p[4:8] or not (p[4] <= p[1] <= p[5] and p[6] <= p[2] <= p[7]) for p in si):
    bad.append(f"switch_interval bars: {si}")
# native_fraction: threads/new and cpython-threads at 2 tasks, every F
for model, t in (("threads", "threads (gil new)"), ("cpython-threads", "threads (CPython 3.11)")):
    nf = blocks("native_fraction.dat").get(t, [])
    want = {c["params"]["native_fraction"]: speedup(c) for c in ok
            if c["workload"] == "cpu" and c["model"] == model
            and c["params"]["gil"] == "new" and c["params"]["tasks"] == 2}
    if len(nf) != len(want) or any(not close(p[1], want.get(p[0], -1)) for p in nf):
        bad.append(f"native_fraction: {t}: {nf} want {want}")
    if any(None in p[2:4] or not p[2] <= p[1] <= p[3] for p in nf):
        bad.append(f"native_fraction bars: {t}: {nf}")
# yield_every: the greenlets and asyncio sweeps, x = N (0 = never yields), p50
ye = blocks("yield_every.dat")
if sorted(ye) != ["asyncio", "greenlets"]:
    bad.append(f"yield_every: series {list(ye)}")
for c in ok:
    if c["workload"] != "background" or c["model"] not in ("greenlets", "asyncio") \
            or c["params"]["tasks"] != 2:
        continue
    p = {p[0]: p for p in ye.get(c["model"], [])}.get(c["params"]["yield_every"])
    if not p or not close(p[1], c["metrics"]["latency_us"]["p50"]):
        bad.append(f"yield_every: {c['model']} N={c['params']['yield_every']}: {p}")
    elif None in p[3:5] or not p[3] <= p[1] <= p[4]:
        bad.append(f"yield_every bars: {c['model']} N={c['params']['yield_every']}: {p}")
for b in bad[:8]:
    print(b)
sys.exit(1 if bad else 0)
EOF

# The timeline: hold intervals rebuilt from the trace by a second reading.
check "gil_timeline.dat holds every acquire..drop interval of the trace" \
  python3 - "$FIX/trace.csv" "$OUT/gil_timeline.dat" <<'EOF'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
ev = [l.split(",") for l in lines[1:]]
t0 = float(ev[0][0])
hold, holds, forced = {}, [], 0
for t, th, e in ev:
    t = (float(t) - t0) / 1e6
    if e == "acquire":
        hold[th] = t
    elif e in ("drop_forced", "drop_voluntary"):
        forced += e == "drop_forced"
        if th in hold:
            holds.append((hold.pop(th), t))
end = (float(ev[-1][0]) - t0) / 1e6
holds += [(s, end) for s in hold.values()]
blk = open(sys.argv[2]).read().split("\n\n\n")
got = [tuple(map(float, l.split()[:2])) for l in blk[0].splitlines()
       if l and not l.startswith("#")]
fgot = [l for l in blk[3].splitlines() if l and not l.startswith("#") and l[0] != "?"]
ok = sorted(got) == sorted((round(a, 6), round(b, 6)) for a, b in holds) and len(fgot) == forced
if not ok:
    print(len(got), len(holds), len(fgot), forced)
sys.exit(0 if ok else 1)
EOF

# A processes trace (a pid column): one row per process, each its own GIL;
# every bar drawn from its true start, at least its minimum width.
check "gil_timeline_2.dat: a row per process, every hold, bars wide enough" \
  python3 - "$FIX/trace_procs.csv" "$OUT/gil_timeline_2.dat" <<'EOF'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
head = lines[0].split(",")
ev = [dict(zip(head, l.split(","))) for l in lines[1:]]
t0 = float(ev[0]["t_ns"])
end = (float(ev[-1]["t_ns"]) - t0) / 1e6
hold, holds = {}, []
for e in ev:
    t, who = (float(e["t_ns"]) - t0) / 1e6, (e["pid"], e["thread"])
    if e["event"] == "acquire":
        hold[who] = t
    elif e["event"].startswith("drop_") and e["event"] != "drop_request" and who in hold:
        holds.append((round(hold.pop(who), 6), round(t, 6)))
blk = [[list(map(float, l.split())) for l in b.splitlines() if l and l[0] not in "#?"]
       for b in open(sys.argv[2]).read().split("\n\n\n")]
bad = []
if sorted((r[0], r[1]) for r in blk[0]) != sorted(holds):
    bad.append(f"holds: {len(blk[0])} drawn, {len(holds)} in the trace")
if {r[2] for r in blk[0]} != {1.0, 2.0}:
    bad.append(f"rows {sorted({r[2] for r in blk[0]})}, want 1 and 2")
for b, minw in ((0, end / 400), (2, end / 200)):
    for r in blk[b]:
        if abs(r[3] - r[0]) > 1e-6 or abs(r[4] - max(r[1], r[0] + minw)) > 1e-5:
            bad.append(f"block {b}: {r} not drawn over [t0, max(t1, t0 + {minw:.4f})]")
if not blk[2]:
    bad.append("no I/O drawn")
print("\n".join(bad[:5]))
sys.exit(1 if bad else 0)
EOF
check "report.md: the processes timeline names its processes" \
  grep -qF "2 threads in 2 processes (each with its own GIL)" "$OUT/report.md"
check "gil_timeline_2 labels its rows by process" grep -q "<text>process.*4101</text>" "$OUT/gil_timeline_2.svg"

# The report: machine, a table per workload, failed cells with their reason.
check "report.md names the CPU" grep -qF "Fixture CPU @ 2.40GHz" "$OUT/report.md"
for wl in cpu io background seed; do
  check "report.md has a table for $wl" grep -qF "### Workload \`$wl\`" "$OUT/report.md"
done
check "report.md shows a failed cell's reason" \
  grep -qF "failed: fork: Resource temporarily unavailable" "$OUT/report.md"
check "report.md sentence for cpu_scaling comes from the data" \
  grep -qF "At 2 tasks the speedup over serial is 1.95x for processes" "$OUT/report.md"
# The legacy GIL's point is the ordinary cell's (0.75x), the pinned --cpus 0
# run (0.99x) only drawn and said apart.
check "cpu_scaling sentence: legacy from the unpinned cell" \
  grep -qF "and only 0.75x for threads (gil legacy);" "$OUT/report.md"
check "cpu_scaling sentence: the pinned run said apart" \
  grep -qE "(0\.99|1\.00)x for threads \(gil legacy, --cpus 0\) at 2 tasks" "$OUT/report.md"
check "report.md compare sentence counts the cells" \
  grep -qF "Of $rows cells in both runs" "$OUT/report.md"

# --base is the same as two files; --format svg draws no PNG.
"$GB" plot "$FIX/results.json" --base "$FIX/base.json" --format svg -o "$T/svg" 2>"$T/err"
check "--base with --format svg exits 0" [ $? -eq 0 ]
check "--format svg writes compare.svg" [ -s "$T/svg/compare.svg" ]
check "--format svg writes no PNG" [ -z "$(ls "$T/svg"/*.png 2>/dev/null)" ]
check "--format svg: report embeds the SVG" grep -qF "](cpu_scaling.svg)" "$T/svg/report.md"

# A trace alone draws the timeline; results with no chart data give notes.
"$GB" plot --trace "$FIX/trace.csv" --format png -o "$T/tr" 2>"$T/err"
check "--trace alone exits 0" [ $? -eq 0 ]
check "--trace alone draws gil_timeline.png" [ "$(png_size "$T/tr/gil_timeline.png")" = 1250x500 ]
# The same trace as JSON lines (as `run --trace X.jsonl` writes it) draws the
# same timeline.
"$GB" plot --trace "$FIX/trace.jsonl" --format png -o "$T/trj" 2>"$T/err"
check "--trace FILE.jsonl exits 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]
check "--trace FILE.jsonl draws gil_timeline.png" [ "$(png_size "$T/trj/gil_timeline.png")" = 1250x500 ]
check "a JSON-lines trace gives the CSV's timeline data" \
  cmp -s <(grep -v '^# gilbench plot' "$T/tr/gil_timeline.dat") \
         <(grep -v '^# gilbench plot' "$T/trj/gil_timeline.dat")
# --window: only that range, each hold clipped to it.
"$GB" plot --trace "$FIX/trace.csv" --window 10:20 --format svg -o "$T/win" 2>"$T/err"
check "--window exits 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]
check "--window: the holds of the trace clipped to 10..20 ms" \
  python3 - "$T/tr/gil_timeline.dat" "$T/win/gil_timeline.dat" <<'EOF'
import sys
def held(path):
    blk = open(path).read().split("\n\n\n")[0]
    return [tuple(map(float, l.split()[:3])) for l in blk.splitlines() if l and l[0] not in "#?"]
want = sorted((round(max(a, 10), 6), round(min(b, 20), 6), r) for a, b, r in held(sys.argv[1])
              if b >= 10 and a <= 20)
got = sorted((round(a, 6), round(b, 6), r) for a, b, r in held(sys.argv[2]))
ok = len(got) == len(want) and all(abs(x[0] - y[0]) < 1e-5 and abs(x[1] - y[1]) < 1e-5
                                   for x, y in zip(got, want))
if not ok:
    print(len(got), len(want), got[:3], want[:3])
sys.exit(0 if ok else 1)
EOF
check "--window: the sentence says the range" grep -qF "Between 10 and 20 ms (--window" "$T/win/report.md"
expect_fail_early() { # the same as expect_fail below, for the window's bad values
  "$@" >"$T/out" 2>"$T/err"
  [ $? -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ]
}
check "--window 20:10 is refused" expect_fail_early "$GB" plot --trace "$FIX/trace.csv" --window 20:10 -o "$T/x"
check "--window past the trace's end is refused" \
  expect_fail_early "$GB" plot --trace "$FIX/trace.csv" --window 5000:6000 -o "$T/x"
# A long trace (10000 holds a thread) is drawn as held fractions per bin,
# and says so; the fractions add up to each thread's held time.
python3 - "$T/long.csv" <<'EOF'
import sys
lines = ["# model=threads workload=cpu gil=new tasks=2 (long)", "t_ns,thread,event"]
t = 0
for i in range(10000):
    for th in (0, 1):
        lines += ["%d,%d,acquire" % (t, th), "%d,%d,drop_forced" % (t + 60000, th)]
        t += 100000
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
EOF
"$GB" plot --trace "$T/long.csv" --format svg -o "$T/long" 2>"$T/err"
check "a long trace plots ($(head -c 200 "$T/err"))" [ -s "$T/long/gil_timeline.svg" ]
check "a long trace: the title says it is aggregated" grep -qF "held fraction per" "$T/long/gil_timeline.svg"
check "a long trace: the sentence says so" grep -qF "held fraction in 400 bins" "$T/long/report.md"
check "a long trace: no bars, the held fraction per bin adds up to the time held" \
  python3 - "$T/long/gil_timeline.dat" <<'EOF'
import sys
blk = open(sys.argv[1]).read().split("\n\n\n")
rows = lambda b: [list(map(float, l.split())) for l in blk[b].splitlines() if l and l[0] not in "#?"]
bins = rows(6)
held = {}
for a, b, r, f in bins:
    held[r] = held.get(r, 0) + (b - a) * f
# each thread holds 0.06 ms of every 0.2 ms; the trace runs 1999.96 ms
ok = not rows(0) and len(bins) == 800 and all(abs(v - 10000 * 0.06) < 1 for v in held.values())
if not ok:
    print(len(rows(0)), len(bins), held)
sys.exit(0 if ok else 1)
EOF
# A bad input is found before anything is written.
printf '{"gilbench_trace":1}\n{"t_ns":0,"thread":0,"event":"explode"}\n' >"$T/bad.jsonl"
"$GB" plot "$FIX/results.json" --trace "$FIX/trace.csv" --trace "$T/bad.jsonl" -o "$T/partial" \
  >/dev/null 2>"$T/err"
check "a bad trace after good inputs: exit 1, one line" [ $? -eq 1 ] && one_line "$T/err"
check "a bad trace after good inputs: the line names it" grep -qF "bad.jsonl:2: unknown event" "$T/err"
check "a bad trace after good inputs: no chart written" \
  [ -z "$(ls "$T/partial" 2>/dev/null)" ]
python3 - "$FIX/results.json" "$T/seed.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["results"] = [c for c in d["results"] if c["workload"] == "seed"]
json.dump(d, open(sys.argv[2], "w"))
EOF
"$GB" plot "$T/seed.json" -o "$T/seed" 2>"$T/err"
check "no chart data: exit 0" [ $? -eq 0 ]
check "no chart data: a note per chart on stderr" [ "$(grep -c '^gilbench: plot: note: ' "$T/err")" -eq 6 ]
check "no chart data: no PNG" [ -z "$(ls "$T/seed"/*.png 2>/dev/null)" ]
check "no chart data: report.md still has the seed table" \
  grep -qF "### Workload \`seed\`" "$T/seed/report.md"

# Bad input: one line on stderr, exit 1, never a crash.
expect_fail() { # expect_fail NAME PATTERN ARGS...
  local name=$1 pat=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  if [ "$rc" -eq 1 ] && one_line "$T/err" && grep -q -- "$pat" "$T/err"; then
    pass "$name"
  else
    fail "$name (rc $rc: $(head -c 300 "$T/err"))"
  fi
}
mkdir -p "$T/empty"
expect_fail "no gnuplot in PATH names gnuplot-nox" "gnuplot-nox" \
  env PATH="$T/empty" "$GB" plot "$FIX/results.json" -o "$T/x"
expect_fail "missing result file" "nope.json" "$GB" plot "$T/nope.json" -o "$T/x"
expect_fail "no arguments" "no result file" "$GB" plot
expect_fail "unknown option" "unknown option '--bogus'" "$GB" plot --bogus "$FIX/results.json"
expect_fail "option without its value" "needs a value" "$GB" plot "$FIX/results.json" -o
expect_fail "bad --format" "unknown format 'jpg'" "$GB" plot --format png,jpg "$FIX/results.json"
expect_fail "missing templates" "no gnuplot templates" \
  "$GB" plot --templates "$T/empty" "$FIX/results.json" -o "$T/x"
expect_fail "GILBENCH_PLOT_DIR is honoured" "$T/empty" \
  env GILBENCH_PLOT_DIR="$T/empty" "$GB" plot "$FIX/results.json" -o "$T/x"
printf 'time,who,what\n1,0,acquire\n' >"$T/bad1.csv"
expect_fail "trace without its header" "bad1.csv:1: not a gilbench trace" \
  "$GB" plot --trace "$T/bad1.csv" -o "$T/x"
printf 't_ns,thread,event\n0,0,acquire\n5,0,explode\n' >"$T/bad2.csv"
expect_fail "trace with an unknown event" "bad2.csv:3: unknown event 'explode'" \
  "$GB" plot --trace "$T/bad2.csv" -o "$T/x"
printf 't_ns,thread,event\nsoon,0,acquire\n' >"$T/bad3.csv"
expect_fail "trace with a bad time" "bad3.csv:2: t_ns 'soon'" \
  "$GB" plot --trace "$T/bad3.csv" -o "$T/x"
printf 't_ns,thread,event\n' >"$T/bad4.csv"
expect_fail "trace with no events" "no events" "$GB" plot --trace "$T/bad4.csv" -o "$T/x"
printf 't_ns,thread,event\n0,0,acquire,extra\n' >"$T/bad5.csv"
expect_fail "trace line with a field too many" "bad5.csv:2: expected 3 fields" \
  "$GB" plot --trace "$T/bad5.csv" -o "$T/x"
printf 't_ns,pid,thread,event\n0,,0,acquire\n' >"$T/bad6.csv"
expect_fail "trace with an empty pid" "bad6.csv:2: pid '' is empty" \
  "$GB" plot --trace "$T/bad6.csv" -o "$T/x"
echo '{"schema_version": 2}' >"$T/v2.json"
expect_fail "result file of another schema" "schema_version" "$GB" plot "$T/v2.json" -o "$T/x"
echo data >"$T/file"
expect_fail "output path is a file" "cannot create the output directory" \
  "$GB" plot "$FIX/results.json" -o "$T/file"

# A broken template: one line naming it, exit 1, the other charts still drawn.
cp -r "$SRC/scripts/plot" "$T/tpl"
echo 'plot no_such_variable_here' >>"$T/tpl/convoy.gp"
expect_fail "a failing template is named" "convoy.gp: gnuplot failed" \
  "$GB" plot --templates "$T/tpl" --format png "$FIX/results.json" -o "$T/broken"
check "the other charts are drawn past a failing template" [ -s "$T/broken/io_scaling.png" ]

"$GB" plot --help >"$T/out" 2>"$T/err"
rc=$?
check "--help exits 0" [ "$rc" -eq 0 ]
check "--help prints usage on stdout" grep -q "usage: gilbench plot" "$T/out"

finish
