# readme_figures.sh - scripts/readme-figures writes the README's figures
# from the report `gilbench plot` drew them with, on the plot fixture and a
# scratch README: every chart drawn gets its image line, a bold lead-in and
# the report's sentence; one line names the machine, date and commit; the
# text outside the markers stays; --check finds any difference.
source "$(dirname "$0")/lib.bash"
FIX=$SRC/tests/golden/plot
RF=$SRC/scripts/readme-figures

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "not ok - gnuplot is missing: install gnuplot-nox (scripts/install-deps)"
  exit 1
fi

R=$T/results
mkdir -p "$R"
cp "$FIX/results.json" "$R/results.json"
"$GB" plot "$R/results.json" --trace "$FIX/trace.csv" --format png -o "$R" >/dev/null 2>"$T/err"
check "plot of the fixture exits 0 ($(head -c 200 "$T/err"))" [ $? -eq 0 ]

readme() {
  printf '# gilbench\n\nIntro text.\n\n<!-- figures:begin -->\nstale text, 0.64 KiB\n<!-- figures:end -->\n\n## Use\n\nTail text.\n' >"$1"
}
readme "$T/README.md"
cp "$T/README.md" "$T/before.md"

"$RF" --check "$R" "$T/README.md" >"$T/diff"
check "--check on a stale README exits 1" [ $? -eq 1 ]
check "--check prints a diff" grep -q '^-stale text, 0.64 KiB' "$T/diff"
check "--check writes nothing" cmp -s "$T/README.md" "$T/before.md"

"$RF" "$R" "$T/README.md"
check "rewriting exits 0" [ $? -eq 0 ]
check "--check after rewriting exits 0" "$RF" --check "$R" "$T/README.md"
check "the stale text is gone" bash -c "! grep -q 'stale text' '$T/README.md'"
check "the text outside the markers stays" \
  bash -c "grep -qxF 'Intro text.' '$T/README.md' && grep -qxF 'Tail text.' '$T/README.md' && grep -qxF '## Use' '$T/README.md'"
check "one line names the machine, date and commit" \
  grep -qF "Measured on Fixture CPU @ 2.40GHz (fixture), 2 cores, 2026-11-25, commit 0123456." "$T/README.md"

# Every chart the report drew, with the report's own sentence (paths off).
check "each drawn chart: image line, bold lead-in, the report's sentence" \
  python3 - "$R/report.md" "$T/README.md" <<'PY'
import re, sys
report, readme = open(sys.argv[1]).read(), open(sys.argv[2]).read()
body = report.split("## Charts\n", 1)[1].split("\nNot drawn:\n")[0]
bad, n = [], 0
for sec in ("\n" + body).split("\n### ")[1:]:
    title, rest = sec.split("\n", 1)
    m = re.search(r"!\[[^\]]*\]\(([^)]+)\)", rest)
    if not m:
        continue
    n += 1
    sentence = rest[m.end():].strip().split("\n\n")[0]
    sentence = re.sub(r"\s*(Trace|Base): `[^`]*`\.", "", sentence).strip()
    stem = m.group(1).rsplit(".", 1)[0]
    want = f"![{title}](docs/img/{stem}.png)\n\n**{title}.** {sentence}\n"
    if want not in readme:
        bad.append(title)
print(bad)
sys.exit(1 if bad or n < 6 else 0)
PY
check "chart sentences carry no path of the machine" bash -c "! grep -q 'Trace: \`' '$T/README.md'"
check "a chart not drawn is left out" bash -c "! grep -q 'compare.png' '$T/README.md'"

# A report whose numbers change: --check sees it.
sed -i 's/1\.95x for processes/1.96x for processes/' "$R/report.md"
"$RF" --check "$R" "$T/README.md" >"$T/diff"
check "a changed report: --check exits 1" [ $? -eq 1 ]
check "a changed report: the diff shows the new figure" grep -q '^+.*1\.96x for processes' "$T/diff"

# Bad input: exit 2 and a line on stderr.
printf '# no markers\n' >"$T/plain.md"
"$RF" "$R" "$T/plain.md" 2>"$T/err"
check "a README without markers: exit 2" [ $? -eq 2 ] && grep -q "figures:begin" "$T/err"
"$RF" "$T/nowhere" "$T/README.md" 2>"$T/err"
check "no report: exit 2" [ $? -eq 2 ] && grep -q "report.md" "$T/err"
finish
