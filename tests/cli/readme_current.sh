#!/usr/bin/env bash
# README, report.md and docs/img/ agree: docs/img/results.json (the run the
# README's charts come from) drawn again by this gilbench gives the .dat
# files and report.md committed beside it, and the README's figures section
# is what scripts/readme-figures writes from that report.md. Nothing here
# is timed: the figures are those of the committed results.
. "$(dirname "$0")/lib.bash"
cd "$SRC" || exit 1

check "docs/img/results.json is committed beside the charts" [ -s docs/img/results.json ]
tr=()
[ -f docs/img/trace.csv ] && tr=(--trace docs/img/trace.csv)
"$GB" plot docs/img/results.json "${tr[@]}" -o "$T/plot" >"$T/out" 2>"$T/err"
check "plot of docs/img/results.json exits 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]
for f in "$T"/plot/*.dat; do
  n=$(basename "$f")
  check "docs/img/$n is what the results draw" cmp -s "$f" "docs/img/$n"
done
for f in docs/img/*.dat; do
  check "$(basename "$f") is a chart this gilbench draws" [ -f "$T/plot/$(basename "$f")" ]
done
check "docs/img/report.md is what the results report" cmp -s "$T/plot/report.md" docs/img/report.md
check "every chart of the report has its image in docs/img" /usr/bin/python3 -c "
import os, re, sys
names = re.findall(r'\]\(([a-z_0-9]+\.png)\)', open('$T/plot/report.md').read())
sys.exit(not names or not all(os.path.exists('docs/img/' + n) for n in names))"
scripts/readme-figures --check docs/img README.md >"$T/diff" 2>&1
check "README's figures are report.md's (scripts/readme-figures --check)" [ $? -eq 0 ]
[ -s "$T/diff" ] && sed 's/^/# /' "$T/diff" | head -20
check "every image the README shows is in docs/img" /usr/bin/python3 -c "
import os, re, sys
names = re.findall(r'\]\((docs/img/[^)]+)\)', open('README.md').read())
sys.exit(not names or not all(os.path.exists(n) for n in names))"
finish
