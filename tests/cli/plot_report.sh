# plot_report.sh - the wording of the report.md `gilbench plot` writes: no
# number in scientific notation, one line per class of warning (metric, kind) naming the
# cells it concerns, a cell repeated in the results shown once (its runs
# merged), every command that made the results, and the native-fraction
# sentence framed by Amdahl's estimate and the GIL ceiling.
source "$(dirname "$0")/lib.bash"
FIX=$SRC/tests/golden/plot

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "not ok - gnuplot is missing: install gnuplot-nox (scripts/install-deps)"
  exit 1
fi

"$GB" plot "$FIX/results.json" --format svg -o "$T/o" >/dev/null 2>"$T/err"
rc=$?
check "plot of the fixture exits 0 (got $rc: $(head -c 300 "$T/err"))" [ "$rc" -eq 0 ]
R=$T/o/report.md

check "no number in scientific notation" bash -c "! grep -nE '[0-9]e[+-][0-9]' '$R'"
check "a ratio in the thousands reads as a plain number (46300x)" \
  grep -qF "(64 µs to 2.96 s, 46300x)" "$R"

# Every command that wrote the file (context.commands), not just the first.
check "provenance: the first invocation" \
  grep -qxF "gilbench run -w cpu,io,background,seed (fixture, first invocation)" "$R"
check "provenance: the second invocation" grep -qF "(fixture, second invocation)" "$R"
check "provenance: both inside one block, one command a line" \
  grep -qF "Produced by these 2 commands:" "$R"
# context.command alone when there is no list.
python3 - "$FIX/results.json" "$T/one.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
del d["context"]["commands"]
d["results"] = [c for c in d["results"] if c["workload"] == "seed"]
# A param %g would print as 5e-05.
d["results"][0]["params"]["peer_delay_s"] = 5e-05
json.dump(d, open(sys.argv[2], "w"))
EOF
"$GB" plot "$T/one.json" --format svg -o "$T/one" >/dev/null 2>&1
check "provenance: context.command when there is no commands list" \
  grep -qF "Produced by \`gilbench run (fixture written by tests/golden/plot/make_fixture.py)\`." \
  "$T/one/report.md"
check "a tiny param reads as a plain number (0.00005, not 5e-05)" \
  grep -qF "peer_delay_s=0.00005" "$T/one/report.md"

# Tables and warnings, checked against the fixture by a second reading.
check "tables: each cell once, a repeated cell's runs merged; warnings condensed by class" \
  python3 - "$FIX/results.json" "$R" <<'EOF'
import json, re, sys
cells = json.load(open(sys.argv[1]))["results"]
text = open(sys.argv[2]).read()
bad = []
def ident(c):
    p = {k: v for k, v in c["params"].items() if k not in ("bound_cpus", "peer_cpus", "reps", "warmup")}
    return (c["model"], c["workload"], json.dumps(p, sort_keys=True))
for wl in ("cpu", "io", "background", "seed"):
    sec = text.split(f"### Workload `{wl}`")[1].split("\n### ")[0]
    rows = [l for l in sec.splitlines() if l.startswith("| ") and not l.startswith("| model")]
    mine = [c for c in cells if c["workload"] == wl]
    if len(rows) != len({ident(c) for c in mine}):
        bad.append(f"{wl}: {len(rows)} table rows for {len({ident(c) for c in mine})} cells")
    # The repeated cell (greenlets tasks=2 yield_every=0) shows the p50 of its
    # two runs' samples pooled: 5 x 690000 and 5 x 700000, median 695000.
    if wl == "background":
        g = [r for r in rows if r.startswith("| greenlets | tasks=2") and "yield_every=0 " in r]
        if len(g) != 1 or "| 695k |" not in g[0]:
            bad.append(f"background: greenlets tasks=2 yield_every=0 rows: {g}")
    # One line per class of warning: metric and kind (noisy, or too few
    # repetitions), the numbers as a range over the cells.
    def cls(w):
        m = re.match(r"([a-z0-9_]+): (cv ([0-9.]+)% above 5%)?", w)
        return (m.group(1), "noisy" if m.group(2) else "few") if m else (w, None)
    def line_cls(l):
        name = l[3:l.index("`", 3)]
        rest = l[l.index("`", 3) + 1:]
        if not rest.startswith(": "):
            return (name, None)
        return (name, "noisy" if rest.startswith(": cv above 5%") else "few")
    warn = [l for l in sec.splitlines() if l.startswith("- `")]
    texts = [line_cls(l) for l in warn]
    distinct = {cls(w) for c in mine for w in c.get("warnings", [])}
    if sorted(texts, key=str) != sorted(distinct, key=str) or len(texts) != len(set(texts)):
        bad.append(f"{wl}: warning lines {texts}, classes {sorted(distinct, key=str)}")
    for l, w in zip(warn, texts):
        n = sum(any(cls(x) == w for x in c.get("warnings", [])) for c in mine)
        cvs = sorted(float(re.match(r"[a-z0-9_]+: cv ([0-9.]+)%", x).group(1))
                     for c in mine for x in c.get("warnings", []) if cls(x) == w and w[1] == "noisy")
        if cvs:
            want = f"({cvs[0]:.1f}%" + (f" to {cvs[-1]:.1f}%)" if cvs[-1] != cvs[0] else ")")
            if want not in l:
                bad.append(f"{wl}: '{l[:80]}' does not give the cv range {want}")
        nok = sum(c["status"] == "ok" for c in mine)
        m = re.search(r"\((\d+) of (\d+) ok cells\)", l)
        if not (m and int(m.group(1)) == n and int(m.group(2)) == nok) \
                and f"every ok cell ({n})" not in l:
            bad.append(f"{wl}: '{l[:80]}' does not say {n} of {nok}")
if bad:
    print("\n".join(bad[:6]))
sys.exit(1 if bad else 0)
EOF

# Native fraction: the sentence places the measurement against both curves.
check "native fraction: every point against the bound and Amdahl's law, by how much" \
  grep -qF "F = 0.5 1.27x, 36% below the bound (2.00x), 5% below Amdahl (1.33x)" "$R"
check "native fraction: says whether a point is above the bound" \
  grep -qF "Every point is under the bound" "$R"
check "native fraction chart: the bound labelled as the bound" \
  grep -qF "upper bound, GIL-held part serial: min(2, 1 / (1 - F))" "$T/o/native_fraction.svg"
check "native fraction chart: Amdahl's law labelled as no overlap, not a bound" \
  grep -qF "Amdahl's law, no overlap (not a bound): 1 / ((1 - F) + F / 2)" "$T/o/native_fraction.svg"

# The yield sweep's sentence.
check "yield sweep: the sentence compares never-yields with yielding often" \
  grep -qF "greenlets from 695 ms (never yields) to 6.6 ms (yields every 10000 bytecodes)" "$R"

finish
