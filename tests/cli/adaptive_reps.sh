# Adaptive repetitions (run --min-reps/--max-reps/--target-ci) by their
# counters, never their timing: a cell stops at the target or the cap, and
# says which in params.reps_stop with params.reps as run; -r stays fixed.
# And the progress line counts warm-up and kept repetitions apart.
. "$(dirname "$0")/lib.bash"

q=(-m serial -w cpu -t 1 --work 1000 --no-baseline --warmup 0 -q)
# reps_ok FILE MIN MAX: every cell ran MIN..MAX, kept as many samples, and
# stopped at the target (at or past MIN) or at the cap (exactly MAX)
reps_ok() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
f, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for c in json.load(open(f))["results"]:
    p = c["params"]
    r, stop = p["reps"], p["reps_stop"]
    assert lo <= r <= hi, (r, lo, hi)
    assert len(c["samples"]["wall_s"]) == r, (len(c["samples"]["wall_s"]), r)
    assert stop in ("target", "max"), stop
    assert stop != "max" or r == hi, (stop, r)
    assert p["min_reps"] == lo and p["max_reps"] == hi, p
PY
}

"$GB" run "${q[@]}" --min-reps 2 --max-reps 4 --target-ci 0.01 -o "$T/a.json"
check "adaptive: between min and max, stopped at the target or exactly at the cap" reps_ok "$T/a.json" 2 4
"$GB" run "${q[@]}" --max-reps 3 -o "$T/cap.json"
check "--max-reps 3 alone: at most 3 (and at least 3)" reps_ok "$T/cap.json" 3 3
"$GB" run "${q[@]}" --min-reps 1 --max-reps 1 --target-ci 100 -o "$T/one.json"
check "--max-reps 1: one repetition" reps_ok "$T/one.json" 1 1
"$GB" run "${q[@]}" -r 3 -o "$T/fixed.json"
check "-r 3: fixed, 3 repetitions, no reps_stop (absent: fixed)" /usr/bin/python3 -c "
import json; c = json.load(open('$T/fixed.json'))['results'][0]['params']
assert c['reps'] == 3 and 'reps_stop' not in c and 'min_reps' not in c, c"
"$GB" run "${q[@]}" -r 3 --target-ci 2 -o "$T/x.json" 2>"$T/err"
check "-r with --target-ci: refused, exit 1" bash -c "[ $? -eq 1 ] && grep -q '^gilbench: -r: ' '$T/err' && [ ! -e '$T/x.json' ]"
"$GB" run "${q[@]}" --min-reps 5 --max-reps 3 -o "$T/x.json" 2>"$T/err"
check "--min-reps above --max-reps: refused" grep -q '^gilbench: --min-reps: 5 is more than --max-reps 3' "$T/err"
check "reps_stop is a volatile param: not part of the cell's identity" \
  bash -c "'$GB' compare '$T/fixed.json' '$T/a.json' >'$T/cmp' 2>&1; ! grep -q 'only in' '$T/cmp'"

if command -v script >/dev/null; then
  pty() { script -qec "stty cols 200 rows 24; $(printf '%q ' "$GB" "$@")" /dev/null >"$T/pty" </dev/null; }
  # each repetition sleeps 1.1 s, so the line is redrawn within each one
  pty run -m serial -w io -t 1 --io-time 1.1 -r 2 --warmup 1 -o "$T/p.json"
  tr '\r' '\n' <"$T/pty" | sed 's/\x1b\[K//g' | grep '^\[' >"$T/lines"
  check "progress: the warm-up is counted apart" grep -q '  warm-up 1/1  elapsed' "$T/lines"
  check "progress: -r 2 counts 2 kept repetitions, not 3" \
    bash -c "grep -q '  rep 1/2  elapsed' '$T/lines' && ! grep -q 'rep [0-9]/3' '$T/lines'"
  pty run -m serial -w io -t 1 --io-time 1.1 --min-reps 2 --max-reps 2 --warmup 0 -o "$T/p.json"
  tr '\r' '\n' <"$T/pty" | sed 's/\x1b\[K//g' | grep '^\[' >"$T/lines"
  check "progress: adaptive repetitions show their cap" grep -q '  rep 1/<=2  elapsed' "$T/lines"
else
  skip "progress line on a terminal" "no script(1)"
fi
finish
