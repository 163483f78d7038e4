# The end of `gilbench run`: a table of the run's cells and a line per cell
# skipped or failed (stdout when the results go to a file, stderr when
# they go to stdout; --quiet keeps only those lines); --export-markdown and
# --export-csv; and `gilbench show` of a saved file in every --format.
. "$(dirname "$0")/lib.bash"

# the only cell is skipped: it says so, and why, on stdout
"$GB" run -m threads -w seed -t 3 -o "$T/s.json" >"$T/out" 2>"$T/err"
check "a skipped-only run still exits 0" [ $? -eq 0 ]
check "the table names the cell and its status" grep -qE '^threads/seed +skipped ' "$T/out"
check "a line says why it was skipped" \
  grep -qx 'skipped: threads/seed: the seed workload has exactly 2 tasks (bob and alice), not 3' "$T/out"
"$GB" run -m threads -w seed -t 3 >"$T/json" 2>"$T/err"
check "JSON on stdout: stdout is the document alone" /usr/bin/python3 -c "import json; json.load(open('$T/json'))"
check "JSON on stdout: the table and the line go to stderr" \
  bash -c "grep -qE '^threads/seed +skipped ' '$T/err' && grep -q '^skipped: threads/seed: ' '$T/err'"
"$GB" run -m threads -w seed -t 3 -q -o "$T/s.json" >"$T/out" 2>&1
check "--quiet: only the skipped line" \
  bash -c "[ \$(wc -l <'$T/out') -eq 1 ] && grep -q '^skipped: threads/seed: ' '$T/out'"

# a run of ok cells, with exports
o=(-m serial,threads -w cpu,io -t 1,2 --work 20000 --io-time 0.001 -r 2 --warmup 0)
"$GB" run "${o[@]}" -o "$T/r.json" --export-markdown "$T/r.md" --export-csv "$T/r.csv" >"$T/out" 2>/dev/null
check "the table: a heading and one row per cell" \
  bash -c "head -1 '$T/out' | grep -q '^cell  *status  *reps  *wall median (s)  *interval (level)' && [ \$(grep -cE '^(serial|threads)/' '$T/out') -eq 8 ]"
check "the label has the params that vary (tasks), the interval its level" \
  grep -qE '^threads/io tasks=2 +ok +2 +[0-9.e+-]+ +[0-9.e+-]+ to [0-9.e+-]+ \(50%\)' "$T/out"
check "io rows show ops/s, cpu rows a speedup" \
  bash -c "grep -q 'ops/s' '$T/out' && grep -qE '^threads/cpu tasks=2 .* [0-9.]+x' '$T/out'"
check "no trailing blanks" bash -c "! grep -q ' \$' '$T/out'"
check "--export-markdown: a markdown table of the same cells" \
  bash -c "head -2 '$T/r.md' | tail -1 | grep -q '^| :-- |' && [ \$(grep -cE '^\| (serial|threads)/' '$T/r.md') -eq 8 ]"
check "--export-csv: RFC 4180, a header and one row per cell, numbers unformatted" /usr/bin/python3 - "$T/r.csv" "$T/r.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
assert len(rows) == len(doc["results"]) == 8, len(rows)
for row, cell in zip(rows, doc["results"]):
    assert row["model"] == cell["model"] and row["workload"] == cell["workload"], row
    assert float(row["wall_s"]) == cell["metrics"]["wall_s"]["median"], row
    assert float(row["wall_s_ci_lo"]) == cell["metrics"]["wall_s"]["ci"][0], row
    assert float(row["wall_s_ci_level"]) == cell["metrics"]["wall_s"]["ci_level"], row
    assert row["reps"] == "2", row
PY
"$GB" run -m threads -w seed -t 3 -q -o "$T/s.json" --export-csv "$T/s.csv" >/dev/null
check "--export-csv: an error with a comma is quoted" /usr/bin/python3 -c "
import csv; r = list(csv.DictReader(open('$T/s.csv', newline='')))
assert r[0]['error'] == 'the seed workload has exactly 2 tasks (bob and alice), not 3', r
assert '\"the seed workload has exactly 2 tasks (bob and alice), not 3\"' in open('$T/s.csv').read()"
"$GB" run -m serial -w seed -q -o "$T/x.json" --export-csv "$T/nodir/x.csv" 2>"$T/err"
check "--export-csv into a missing directory: refused before running" \
  bash -c "[ $? -eq 1 ] && grep -q '^gilbench: --export-csv: cannot write' '$T/err' && [ ! -e '$T/x.json' ]"

# show: the saved run, merged, in each format
"$GB" show "$T/r.json" >"$T/show" 2>&1
check "show: exit 0" [ $? -eq 0 ]
check "show: the same rows run printed" \
  bash -c "diff <(grep -E '^(serial|threads)/' '$T/out') <(grep -E '^(serial|threads)/' '$T/show')"
"$GB" show --format markdown "$T/r.json" >"$T/show.md"
check "show --format markdown: the --export-markdown table" diff "$T/r.md" "$T/show.md"
"$GB" show -f csv "$T/r.json" >"$T/show.csv"
check "show --format csv: the --export-csv table" diff "$T/r.csv" "$T/show.csv"
"$GB" show --format json "$T/r.json" >"$T/show.json"
check "show --format json: one row object per cell" /usr/bin/python3 -c "
import json; rows = json.load(open('$T/show.json'))
assert len(rows) == 8 and rows[0]['wall_s']['ci_level'] == 0.5 and rows[0]['status'] == 'ok', rows[0]"
"$GB" run "${o[@]}" -m threads -w io -t 1 -q -o "$T/r.json" --append >/dev/null
"$GB" show "$T/r.json" >"$T/show2"
check "show: a repeated cell is merged (4 samples), and said so" \
  bash -c "grep -qE '^threads/io tasks=1 +ok +4 ' '$T/show2' && grep -q '^(1 repeated cell merged)' '$T/show2'"
echo '{' >"$T/bad.json"
"$GB" show "$T/bad.json" "$T/missing.json" >/dev/null 2>"$T/err"
check "show: one line per bad file, exit 1" \
  bash -c "[ $? -eq 1 ] && [ \$(wc -l <'$T/err') -eq 2 ] && grep -q 'bad.json' '$T/err' && grep -q 'missing.json' '$T/err'"
"$GB" show --format yaml "$T/r.json" 2>"$T/err"
check "show --format yaml: refused" grep -q "^gilbench: show: --format: 'yaml' is not text, markdown, csv or json" "$T/err"
check "show is listed by gilbench --help" bash -c "'$GB' --help | grep -q '^  show '"
finish
