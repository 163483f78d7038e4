#!/usr/bin/env bash
# The `make reference` job: the workloads on Debian's CPython (reference.py,
# bench.sh's default sweeps), then `gilbench fidelity` of the simulated
# results against them when SIM exists. Budget: <= 5 min on 2 cores.
# A ratio that departs is a finding, not a failure: it is printed and
# written to OUTDIR/fidelity.md; the exit status is the CPython run's.
# REFERENCE_MATRIX=quick runs bench.sh's quick sweeps (to pair with
# `make bench-quick`).
# usage: scripts/cpython/reference.sh GILBENCH OUTDIR [SIM.json]
set -u
gb=$1
out=$2
sim=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
real="$out/results.json"
status=0

/usr/bin/python3 "$here/reference.py" --gilbench "$gb" --matrix "${REFERENCE_MATRIX:-default}" -o "$real" || status=$?
if [ ! -s "$real" ]; then
  [ "$status" -eq 0 ] && status=1
  exit "$status"
fi

if [ -n "$sim" ] && [ -f "$sim" ]; then
  echo "reference: gilbench fidelity $sim $real" >&2
  "$gb" fidelity "$sim" "$real"
  rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 3 ] && "$gb" fidelity "$sim" "$real" -f markdown -o "$out/fidelity.md"
  case $rc in
    0) ;;
    3) echo "reference: some ratios depart beyond the tolerance: $out/fidelity.md" >&2 ;;
    *) echo "reference: fidelity could not compare (a 'make bench-quick' result pairs with" \
      "REFERENCE_MATRIX=quick); the CPython results are in $real" >&2 ;;
  esac
else
  echo "reference: no $sim: run 'make bench' for the simulated side, then" \
    "'build/gilbench fidelity results/latest/results.json $real'" >&2
fi
exit $status
