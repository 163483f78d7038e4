# plot_compare.sh - the compare chart of `gilbench plot` agrees with
# `gilbench compare`: its medians and whiskers come from the raw samples
# (tests/golden/compare/slower.json says 1.0 in metrics.wall_s.median for a
# cell whose samples are 20% slower), its verdicts and counts are compare's
# (Mann-Whitney U), its whiskers are labelled with the level they have, and
# the new side takes the model's point type.
source "$(dirname "$0")/lib.bash"
CMP=$SRC/tests/golden/compare
FIX=$SRC/tests/golden/plot

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "not ok - gnuplot is missing: install gnuplot-nox (scripts/install-deps)"
  exit 1
fi

# counts BASE NEW: "slower faster too_noisy" over compare's wall_s rows.
counts() {
  "$GB" compare "$1" "$2" --format json -o "$T/cmp.json" 2>/dev/null
  python3 - "$T/cmp.json" <<'EOF'
import json, sys
rows = [r for r in json.load(open(sys.argv[1]))["comparisons"] if r["metric"] == "wall_s"]
print(*(sum(r["verdict"] == v for r in rows) for v in ("slower", "faster", "too noisy")))
EOF
}

# sentence_counts REPORT: the same three numbers from the chart's sentence.
sentence_counts() {
  sed -n 's/.*finds the wall time slower in \([0-9]*\) and faster in \([0-9]*\); \([0-9]*\) too noisy.*/\1 \2 \3/p' "$1"
}

for pair in "base slower" "base same" "noisy_base noisy_new"; do
  set -- $pair
  out=$T/$1-$2
  "$GB" plot --base "$CMP/$1.json" "$CMP/$2.json" --format svg -o "$out" >/dev/null 2>"$T/err"
  rc=$?
  check "plot $1 vs $2 exits 0 (got $rc: $(head -c 200 "$T/err"))" [ "$rc" -eq 0 ]
  want=$(counts "$CMP/$1.json" "$CMP/$2.json")
  got=$(sentence_counts "$out/report.md")
  check "$1 vs $2: slower/faster/too noisy as gilbench compare says ($want; chart: '$got')" \
    [ -n "$want" ] && [ "$got" = "$want" ]
done
check "base vs slower: one row slower, as the golden README says" \
  [ "$(sentence_counts "$T/base-slower/report.md")" = "1 0 0" ]

# The +20% cell sits at 1.2 (raw samples), not at metrics.wall_s.median's 1.0.
check "compare.dat: the +20% cell at 1.2, verdict slower" python3 - "$T/base-slower/compare.dat" <<'EOF'
import shlex, sys
rows = [shlex.split(l) for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")]
by = {r[8]: r for r in rows}
r2, r4 = by["cpu  threads (gil new)  tasks=2"], by["cpu  threads (gil new)  tasks=4"]
ok = abs(float(r2[4]) - 1.2) < 1e-9 and r2[9] == "+20.0%  slower" and r2[10] == "1" \
    and abs(float(r4[4]) - 1.0) < 1e-9 and r4[9] == "+0.0%  no change" and r4[10] == "0"
sys.exit(0 if ok else 1)
EOF

# Whiskers: 10 samples a side give a 97.85% interval, not "95%".
check "whiskers labelled with their true level (98% for 10 samples)" \
  grep -qF "whiskers: 98% CI of the median" "$T/base-slower/compare.svg"
check "no '95% CI' where there is none" bash -c "! grep -qF '95% CI' '$T/base-slower/compare.svg'"
# ci_level in the file (another developer adds it next to ci95) is what the label says.
python3 - "$CMP" "$T" <<'EOF'
import json, sys
for name in ("base", "slower"):
    d = json.load(open(f"{sys.argv[1]}/{name}.json"))
    for c in d["results"]:
        ws = c.get("metrics", {}).get("wall_s")
        if ws:
            ws["ci_level"] = 0.9
    json.dump(d, open(f"{sys.argv[2]}/lvl_{name}.json", "w"))
# Five samples on the new side: two levels in one chart.
d = json.load(open(f"{sys.argv[1]}/slower.json"))
for c in d["results"]:
    if c.get("samples", {}).get("wall_s"):
        c["samples"]["wall_s"] = c["samples"]["wall_s"][:5]
json.dump(d, open(f"{sys.argv[2]}/five.json", "w"))
EOF
"$GB" plot --base "$T/lvl_base.json" "$T/lvl_slower.json" --format svg -o "$T/lvl" >/dev/null 2>&1
check "ci_level from the file labels the whiskers" \
  grep -qF "whiskers: 90% CI of the median" "$T/lvl/compare.svg"
"$GB" plot --base "$CMP/base.json" "$T/five.json" --format svg -o "$T/five" >/dev/null 2>&1
check "levels that differ between rows: 'CI', no percentage" \
  grep -qF "whiskers: CI of the median" "$T/five/compare.svg"

# Files without raw samples: medians and intervals from metrics.wall_s, and
# compare has nothing to test.
python3 - "$CMP" "$T" <<'EOF'
import json, sys
for name in ("base", "slower"):
    d = json.load(open(f"{sys.argv[1]}/{name}.json"))
    for c in d["results"]:
        c["samples"] = {}
    json.dump(d, open(f"{sys.argv[2]}/nos_{name}.json", "w"))
EOF
"$GB" plot --base "$T/nos_base.json" "$T/nos_slower.json" --format svg -o "$T/nos" >/dev/null 2>"$T/err"
check "no samples: plot exits 0" [ $? -eq 0 ]
check "no samples: the sentence says the cells were not tested" \
  grep -qF "0 too noisy to tell, 2 not tested (no samples)" "$T/nos/report.md"
check "no samples: verdict column says not tested" grep -qF '"+0.0%  not tested"' "$T/nos/compare.dat"

# The new side in the model's point type: processes' filled square (gpPt4).
check "new points take the model's point type" grep -qF "#gpPt4" "$T/base-same/compare.svg"

# The fixture, repeated cells and all: the chart's counts are compare's on
# the same files (both merge a repeated cell's runs).
"$GB" plot --base "$FIX/base.json" "$FIX/results.json" --format svg -o "$T/fx" >/dev/null 2>"$T/err"
check "fixture: plot exits 0 with nothing on stderr" [ $? -eq 0 ] && [ ! -s "$T/err" ]
want=$(counts "$FIX/base.json" "$FIX/results.json")
got=$(sentence_counts "$T/fx/report.md")
check "fixture: slower/faster/too noisy as gilbench compare says ($want; chart: '$got')" \
  [ -n "$want" ] && [ "$got" = "$want" ]

# The legend fits the canvas: one column (side by side, the PNG's wider
# font pushed the second column past the right edge), every entry starting
# far enough from the edge for its text (about 6 px a character at 11 pt).
check "compare legend: one column, every entry inside the canvas" python3 - "$T/base-slower/compare.svg" <<'EOF'
import re, sys
svg = open(sys.argv[1]).read()
w = float(re.search(r'viewBox="0 0 ([0-9.]+)', svg).group(1))
ents = re.findall(r'translate\(([0-9.]+),[0-9.]+\)"[^>]*>\s*<text>([^<]*(?:whiskers: |compare: (?:slower|faster))[^<]*)</text>', svg)
xs = {x for x, _ in ents}
bad = len(ents) != 4 or len(xs) != 1 or any(float(x) + 6 * len(t) > w for x, t in ents)
if bad:
    print(ents)
sys.exit(1 if bad else 0)
EOF

# Two result files without --base are drawn together, never compared: the
# cells both hold stay apart, each file's series named after its file.
"$GB" plot "$CMP/base.json" "$CMP/slower.json" --format svg -o "$T/both" >/dev/null 2>"$T/err"
check "two files, no --base: exit 0" [ $? -eq 0 ]
check "two files, no --base: no compare chart" [ ! -e "$T/both/compare.svg" ]
check "two files, no --base: the report has no compare sentence" \
  bash -c "! grep -q 'finds the wall time' '$T/both/report.md'"
check "two files, no --base: each file's series named after its file" \
  bash -c "grep -qF '[base]' '$T/both/report.md' && grep -qF '[slower]' '$T/both/report.md'"
python3 - "$CMP/slower.json" "$T/other_host.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["context"]["host"] = "host-b"
json.dump(d, open(sys.argv[2], "w"))
EOF
"$GB" plot "$CMP/base.json" "$T/other_host.json" --format svg -o "$T/hosts" >/dev/null 2>"$T/err"
check "two files from two hosts: the series name the host" \
  grep -qF "[host-b]" "$T/hosts/report.md"

finish
