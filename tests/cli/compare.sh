# gilbench compare and export on synthetic result files whose answer is
# known (tests/golden/compare/, see README.md there): verdicts, exit codes,
# one-side cells, formats, and one clear line for each bad input.
. "$(dirname "$0")/lib.bash"
G="$SRC/tests/golden/compare"

run_cmp() { # run_cmp ARGS...: sets rc, out ($T/out) and err ($T/err)
  "$GB" compare "$@" >"$T/out" 2>"$T/err"
  rc=$?
}

row() { # row CELL METRIC: the text table row of that cell and metric
  grep -E "^$1 +$2 " "$T/out"
}

# identical samples (only volatile params differ): no change everywhere
run_cmp "$G/base.json" "$G/same.json"
check "identical: exit 0" [ "$rc" -eq 0 ]
check "identical: nothing on stderr" [ ! -s "$T/err" ]
check "identical: 12 metrics, all no change" \
  grep -q "no regression: 12 metrics compared in 4 matched cells: 0 slower, 0 faster, 12 no change, 0 too noisy" "$T/out"
check "identical: bound_cpus does not split cells" bash -c "! grep -q 'only in' '$T/out'"

# +20% wall with 10 tight samples: a regression
run_cmp "$G/base.json" "$G/slower.json"
check "+20% tight: exit 3" [ "$rc" -eq 3 ]
check "+20% tight: wall_s slower by 20%" bash -c "grep -qE '^threads/cpu tasks=2 +wall_s .*\+20\.0% .* slower  <- regression' '$T/out'"
check "+20% tight: ops/s down is slower too" bash -c "grep -qE '^threads/cpu tasks=2 +ops_per_s .*-16\.7% .* slower' '$T/out'"
check "+20% tight: no-change rows are not listed by default" bash -c "! grep -qE '^threads/cpu tasks=4 ' '$T/out'"
check "+20% tight: the summary says how many are not shown" grep -q '^3 rows with no change not shown (--all shows every row)' "$T/out"
run_cmp "$G/base.json" "$G/slower.json" --all
check "--all: the unchanged cell is listed as no change" bash -c "grep -qE '^threads/cpu tasks=4 +wall_s .* no change\$' '$T/out'"
check "only in base listed" bash -c "grep -A1 '^only in base (1):' '$T/out' | grep -q 'serial/cpu tasks=1'"
check "only in new listed" bash -c "grep -A1 '^only in new (1):' '$T/out' | grep -qx '  asyncio/io'"
check "failed cell listed as not compared" bash -c "grep -q 'processes/cpu tasks=2: base ok, new failed' '$T/out'"

# the same change under a 25% threshold is not a regression
run_cmp "$G/base.json" "$G/slower.json" --threshold 25 --all
check "+20% under --threshold 25: exit 0" [ "$rc" -eq 0 ]
check "+20% under --threshold 25: significant but within: no change" \
  bash -c "grep -qE '^threads/cpu tasks=2 +wall_s .* no change\$' '$T/out'"
# an alpha below the observed p (exact, 2 / C(20, 10) = 1.1e-5) makes the same
# change not significant
run_cmp "$G/base.json" "$G/slower.json" --alpha 0.000001
check "--alpha 1e-6: p 1.1e-5 is not significant: exit 0" [ "$rc" -eq 0 ]

# the reverse direction is an improvement, not a regression
run_cmp "$G/slower.json" "$G/base.json"
check "-20%: exit 0" [ "$rc" -eq 0 ]
check "-20%: faster" bash -c "grep -qE '^threads/cpu tasks=2 +wall_s .*-16\.7% .* faster\$' '$T/out'"

# +20% with huge noise: not significant, too noisy, exit 0
run_cmp "$G/noisy_base.json" "$G/noisy_new.json"
check "+20% noisy: exit 0" [ "$rc" -eq 0 ]
check "+20% noisy: wall_s too noisy" bash -c "grep -qE '^threads/cpu +wall_s .*\+20\.0% +0\.39[0-9]+ +too noisy\$' '$T/out'"

# markdown: a GitHub table and a summary line
run_cmp "$G/base.json" "$G/slower.json" --format markdown
check "markdown: exit 3" [ "$rc" -eq 3 ]
check "markdown: summary line" grep -q '^\*\*3 regressions\*\*: 6 metrics compared' "$T/out"
check "markdown: table header" grep -qF '| cell | metric | base | new | change | p | verdict |' "$T/out"
check "markdown: regression row" grep -qF '| threads/cpu tasks=2 | wall_s | 1 | 1.2 | +20.0% | <0.0001 | **slower** |' "$T/out"
check "markdown: only in new" grep -qx -- '- asyncio/io' "$T/out"

# json: machine-readable, to a file with -o
run_cmp "$G/base.json" "$G/slower.json" --format json -o "$T/cmp.json"
check "json: exit 3" [ "$rc" -eq 3 ]
check "json: nothing on stdout with -o" [ ! -s "$T/out" ]
check "json: regression true" grep -q '"regression": true' "$T/cmp.json"
check "json: summary counts" bash -c "tr -d ' \n' <'$T/cmp.json' | grep -q '\"summary\":{\"cells\":3,\"faster\":0,\"metrics\":6,\"no_change\":3,\"regressions\":3,\"slower\":3,\"too_noisy\":0}'"
check "json: only_in_base and only_in_new" bash -c "grep -q '\"only_in_base\"' '$T/cmp.json' && grep -q '\"only_in_new\"' '$T/cmp.json'"
if command -v python3 >/dev/null; then
  check "json: parses, wall_s row is a slower regression" python3 -c "
import json, sys
d = json.load(open('$T/cmp.json'))
r = [c for c in d['comparisons'] if c['cell'] == 'threads/cpu tasks=2' and c['metric'] == 'wall_s'][0]
sys.exit(not (r['verdict'] == 'slower' and r['regression'] and abs(r['change_pct'] - 20) < 1e-9
              and r['base']['n'] == 10 and r['p_value'] < 0.05 and len(d['only_in_new']) == 1))"
fi

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
echo '{"schema_version": 1, "results": []}' >"$T/nocontext.json"
echo 'not json at all' >"$T/garbage.json"
head -c 400 "$G/base.json" >"$T/truncated.json"
sed 's/"wall_s": \[/"wall_s": ["fast", /' "$G/base.json" >"$T/badsample.json"
expect_bad "malformed: no context" "no context object" compare "$G/base.json" "$T/nocontext.json"
expect_bad "malformed: not JSON" "not valid JSON" compare "$T/garbage.json" "$G/base.json"
expect_bad "truncated file" "truncated.json: not valid JSON" compare "$G/base.json" "$T/truncated.json"
expect_bad "a string among samples" "samples.wall_s is not an array of numbers" compare "$G/base.json" "$T/badsample.json"
expect_bad "missing file" "cannot read" compare "$G/base.json" "$T/none.json"
expect_bad "one file only" "expected two result files" compare "$G/base.json"
expect_bad "--threshold junk" "'x' is not a number" compare --threshold x "$G/base.json" "$G/same.json"
expect_bad "--threshold -1" "must be 0 or more" compare --threshold -1 "$G/base.json" "$G/same.json"
expect_bad "--alpha 1" "between 0 and 1" compare --alpha 1 "$G/base.json" "$G/same.json"
expect_bad "--format junk" "'xml' is not text, markdown or json" compare -f xml "$G/base.json" "$G/same.json"
expect_bad "unknown option" "unknown option '--frob'" compare --frob "$G/base.json" "$G/same.json"
expect_bad "missing value" "needs a value" compare "$G/base.json" "$G/same.json" --threshold
expect_bad "-o in a missing dir" "cannot write" compare -o "$T/no/dir/x" "$G/base.json" "$G/same.json"

check "compare --help: exit 0, usage on stdout" bash -c "'$GB' compare --help | grep -q '^usage: gilbench compare'"

# export of the same files: each format is written; gab makes two files
for f in gbench bmf pyperf; do
  "$GB" export "$G/slower.json" --format "$f" -o "$T/x.$f.json" 2>"$T/err"
  check "export --format $f: exit 0, a JSON file" bash -c "[ -s '$T/x.$f.json' ] && [ ! -s '$T/err' ]"
done
"$GB" export "$G/slower.json" --format gab -o "$T/gab.json"
check "export --format gab: -smaller and -bigger" bash -c "[ -s '$T/gab-smaller.json' ] && [ -s '$T/gab-bigger.json' ] && [ ! -e '$T/gab.json' ]"
"$GB" export "$G/slower.json" -f gbench >"$T/stdout.json"
check "export to stdout by default" grep -q '"real_time"' "$T/stdout.json"
expect_bad "export: gab to stdout" "give -o PATH" export "$G/slower.json" --format gab
expect_bad "export: no --format" "--format is required" export "$G/slower.json"
expect_bad "export: unknown format" "unknown format 'csv'" export "$G/slower.json" --format csv
expect_bad "export: truncated file" "not valid JSON" export "$T/truncated.json" --format bmf
expect_bad "export: no file" "no result file given" export --format bmf

finish
