#!/usr/bin/env bash
# The `make bench` / `make bench-quick` matrix: every model x workload, plus
# the sweeps each chart needs, appended into one results.json; then the
# charts and report.md. Budget: default <= 5 min, quick <= 60 s on 2 cores.
# usage: scripts/bench.sh GILBENCH OUTDIR default|quick
set -u
gb=$1
out=$2
kind=${3:-default}
mkdir -p "$out"
res="$out/results.json"
rm -f "$res" "$out"/trace*.csv
start=$(date +%s)
failed=0

models=$("$gb" list --json | /usr/bin/python3 -c 'import json,sys; print(",".join(m["name"] for m in json.load(sys.stdin)["models"]))')
has() { case ",$models," in *",$1,"*) return 0 ;; esac; return 1; }
pick() { # the given models that this build has, comma-separated
  local m list=""
  for m in "$@"; do has "$m" && list="$list,$m"; done
  echo "${list#,}"
}
run() { # run DESCRIPTION ARGS...: one invocation, appended to results.json
  local what=$1; shift
  echo "bench: $what ($(( $(date +%s) - start )) s)" >&2
  "$gb" run --append -o "$res" "$@" || {
    local rc=$?
    [ $rc -eq 2 ] && failed=1 || { echo "bench: '$what' exited $rc" >&2; failed=1; }
  }
}

coop=$(pick greenlets asyncio callbacks)
if [ "$kind" = quick ]; then
  # --quick: 5 repetitions of smaller work, no warm-up. Five, because with
  # fewer the U test cannot reach p < 0.05 and bench-ci could never see a
  # regression. No sweep repeats a cell another sweep already ran.
  q=(--quick -q)
  run "seed, every model" -w seed -m "$models" "${q[@]}"
  run "cpu scaling" -w cpu -m "$models" -t 1,2 "${q[@]}"
  [ -n "$(pick threads)" ] && run "cpu, threads by GIL policy" -w cpu -m threads -t 2 --gil legacy,none "${q[@]}"
  run "io scaling" -w io -m "$models" -t 1,50 --io-time 0.01 "${q[@]}"
  run "convoy" -w background -m "$models" -t 1,2 "${q[@]}"
  [ -n "$(pick threads)" ] && run "switch interval (0.005 is in convoy)" -w background -m threads \
    -t 2 --switch-interval 0.001 "${q[@]}"
  [ -n "$(pick threads)" ] && run "native fraction" -w cpu -m threads -t 2 \
    --native-fraction 0.5,0.9 "${q[@]}"
  [ -n "$(pick threads)" ] && { echo "bench: trace" >&2
    "$gb" run -w background -m threads -t 2 --quick -r 1 -q --trace "$out/trace.csv" \
      -o "$out/trace-run.json" >/dev/null || failed=1; }
else
  # Each cell is run once: a sweep whose list would repeat a cell another
  # sweep already ran leaves that value out (the chart finds the cell).
  # Adaptive repetitions: 4, the fewest with which the U test can see a 5%
  # change of a quiet cell (what run's warnings ask for; -r 3 warned of
  # every cell), then up to 6 while the median's interval is wider than
  # +-1% of it. No warm-up: each repetition is a fresh forked process, and
  # 4 kept ones cost what 1 warm-up + 3 did, so the matrix keeps its
  # budget; only noisy cells pay up to 2 more.
  d=(--min-reps 4 --max-reps 6 --target-ci 1 --warmup 0 -q)
  nonserial=$(pick threads processes greenlets asyncio callbacks)
  run "seed, every model" -w seed -m "$models" "${d[@]}"
  run "cpu scaling" -w cpu -m "$models" -t 1,2,4 "${d[@]}"
  [ -n "$(pick threads)" ] && run "cpu, threads by GIL policy" -w cpu -m threads -t 1,2,4 \
    --gil legacy,none "${d[@]}"
  [ -n "$(pick threads)" ] && run "cpu, legacy GIL pinned to one core" -w cpu -m threads \
    -t 2 --gil legacy --cpus 0 "${d[@]}"
  # serial sleeps one task after another: 1000 tasks would take 100 s.
  [ -n "$(pick serial)" ] && run "io scaling (sleep), serial" -w io -m serial -t 1,10 "${d[@]}"
  [ -n "$nonserial" ] && run "io scaling (sleep)" -w io -m "$nonserial" -t 1,10,100,1000 "${d[@]}"
  [ -n "$coop" ] && run "io scaling, event loops" -w io -m "$coop" -t 10000,100000 "${d[@]}"
  run "io echo" -w io --io echo --io-ops 200 -m "$models" -t 1,10 "${d[@]}"
  run "convoy" -w background -m "$models" -t 1,2,3 --burst 15000000 "${d[@]}"
  [ -n "$(pick threads)" ] && run "switch interval" -w background -m threads -t 2 \
    --switch-interval 0.0005,0.001,0.002,0.01,0.02 --burst 15000000 "${d[@]}"
  [ -n "$(pick greenlets asyncio)" ] && run "yield every N bytecodes" -w background \
    -m "$(pick greenlets asyncio)" -t 2 --yield-every 1000000,100000,10000 --burst 15000000 "${d[@]}"
  [ -n "$(pick threads)" ] && run "native fraction" -w cpu -m threads -t 2 \
    --native-fraction 0.25,0.5,0.75,0.9 "${d[@]}"
  [ -n "$(pick threads)" ] && { echo "bench: trace" >&2
    "$gb" run -w background -m threads -t 3 --burst 4000000 -r 1 --warmup 0 -q \
      --trace "$out/trace.csv" -o "$out/trace-run.json" >/dev/null || failed=1; }
fi

echo "bench: runs done in $(( $(date +%s) - start )) s: $res" >&2
if "$gb" plot --help >/dev/null 2>&1; then
  tr=()
  [ -f "$out/trace.csv" ] && tr=(--trace "$out/trace.csv")
  "$gb" plot "$res" -o "$out" "${tr[@]}" || failed=1
fi
echo "bench: done in $(( $(date +%s) - start )) s; see $out/" >&2
exit $failed
