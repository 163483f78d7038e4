#!/usr/bin/env bash
# `make bench-ci`: the quick matrix into results/ci/ (not results/latest/,
# which is `make bench`'s), compared with the committed baseline
# results/baselines/quick.json: the table on stdout, compare.{txt,md,json}
# and the compare chart (compare.png/.svg, with every other chart) in
# results/ci/.
# Exit status: compare's, 3 on a significant regression beyond the
# threshold, 0 otherwise; 2 when a cell of the matrix failed or a chart
# could not be drawn; 1 on bad input (no baseline, a broken file).
# GB_BENCH_CI_REPORT=1 (what .ci/run sets) prints the same but does not
# fail on a regression: timing on a shared 2-core machine is not a gate.
# Errors still fail. GB_COMPARE_ARGS adds options to compare
# (e.g. "--threshold 10").
# usage: scripts/bench-ci.sh GILBENCH SOURCE_DIR
set -u
gb=$1
src=$2
out="$src/results/ci"
base="$src/results/baselines/quick.json"

if [ ! -f "$base" ]; then
  echo "bench-ci: no baseline at $base (make one: make bench-quick; cp results/latest/results.json $base)" >&2
  exit 1
fi
"$src/scripts/bench.sh" "$gb" "$out" quick
rc=$?
[ $rc -ne 0 ] && { echo "bench-ci: the quick matrix had failures (exit $rc)" >&2; exit 2; }
new="$out/results.json"

# shellcheck disable=SC2086
"$gb" compare "$base" "$new" --format markdown -o "$out/compare.md" ${GB_COMPARE_ARGS:-} 2>/dev/null
# shellcheck disable=SC2086
"$gb" compare "$base" "$new" --format json -o "$out/compare.json" ${GB_COMPARE_ARGS:-} 2>/dev/null
# shellcheck disable=SC2086
"$gb" compare "$base" "$new" ${GB_COMPARE_ARGS:-} | tee "$out/compare.txt"
rc=${PIPESTATUS[0]}
[ $rc -ne 0 ] && [ $rc -ne 3 ] && { echo "bench-ci: compare failed (exit $rc)" >&2; exit $rc; }

# The compare chart: every cell's wall time relative to the baseline.
tr=()
[ -f "$out/trace.csv" ] && tr=(--trace "$out/trace.csv")
if ! "$gb" plot "$new" --base "$base" -o "$out" "${tr[@]}" >/dev/null; then
  echo "bench-ci: the charts (compare chart included) could not be drawn" >&2
  exit 2
fi
echo "bench-ci: results, compare.{txt,md,json} and charts in $out/" >&2

if [ $rc -eq 3 ] && [ -n "${GB_BENCH_CI_REPORT:-}" ]; then
  echo "bench-ci: regressions above (report mode: not failing)" >&2
  exit 0
fi
exit $rc
