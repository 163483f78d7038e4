#!/usr/bin/env bash
# `make bench-ci`: the quick matrix, compared with the committed baseline
# results/baselines/quick.json. Exit status is compare's: 3 on a significant
# regression beyond the threshold, 0 otherwise, 1 or 2 on errors.
# GB_BENCH_CI_REPORT=1 (what .ci/run sets) prints the comparison but fails
# only on errors: timing on a shared 2-core machine is not a gate.
# usage: scripts/bench-ci.sh GILBENCH SOURCE_DIR
set -u
gb=$1
src=$2
out="$src/results/latest"
base="$src/results/baselines/quick.json"

"$src/scripts/bench.sh" "$gb" "$out" quick
rc=$?
[ $rc -ne 0 ] && { echo "bench-ci: the quick matrix had failures (exit $rc)" >&2; exit 2; }
if [ ! -f "$base" ]; then
  echo "bench-ci: no baseline at $base (make one: cp $out/results.json $base)" >&2
  exit 1
fi
"$gb" compare "$base" "$out/results.json" --format markdown ${GB_COMPARE_ARGS:-} \
  | tee "$out/compare.md"
rc=${PIPESTATUS[0]}
if [ $rc -eq 3 ] && [ -n "${GB_BENCH_CI_REPORT:-}" ]; then
  echo "bench-ci: regressions above (report mode: not failing)" >&2
  exit 0
fi
exit $rc
