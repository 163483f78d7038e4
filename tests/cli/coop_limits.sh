# Bad input and limits of the cooperative models (issue 5 "Bad input"):
# a --stack-size no greenlet can run on is refused at parse time (exit 1,
# one line naming the bound); the smallest accepted size runs every
# workload; a huge stack size no longer multiplies with the task count
# (greenlets share one stack); a task count beyond what memory allows is
# a failed cell with the ENOMEM reason, exit 2, one line on stderr; and a
# model that cannot run a cell by design (serial background, -t 2) stays
# skipped, exit 0.
. "$(dirname "$0")/lib.bash"

sanitize=$(sed -n 's/^GB_SANITIZE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)
o=(-r 1 --warmup 0 -q)

# expect_exit NAME RC LINES PATTERN ARGS...: exit status, stderr line count
# and a pattern on stderr.
expect_exit() {
  local name=$1 want=$2 wlines=$3 pattern=$4; shift 4
  "$GB" "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$? lines
  lines=$(wc -l <"$T/stderr")
  if [ "$rc" -ne "$want" ]; then fail "$name: exit $rc, want $want: $(cat "$T/stderr")"; return; fi
  if [ "$lines" -ne "$wlines" ]; then fail "$name: $lines lines on stderr, want $wlines"; cat "$T/stderr"; return; fi
  if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$T/stderr"; then
    fail "$name: stderr lacks '$pattern': $(cat "$T/stderr")"; return
  fi
  pass "$name"
}

expect_exit "--stack-size 8192 is below the minimum" 1 1 "outside 16384" \
  run -m greenlets -w io --stack-size 8192 "${o[@]}" -o "$T/x.json"
expect_exit "--stack-size 4K names the bounds" 1 1 "to 1073741824 bytes" \
  run -m greenlets -w io --stack-size 4K "${o[@]}" -o "$T/x.json"
expect_exit "--stack-size 2G is above the maximum" 1 1 "outside 16384 .* to 1073741824" \
  run -m greenlets -w io --stack-size 2G "${o[@]}" -o "$T/x.json"
check "a refused --stack-size leaves no output file" [ ! -e "$T/x.json" ]

# The minimum is enough for everything a greenlet does, prints and echoes
# included: nothing overflows (an overflow is exit 2 with a line).
expect_exit "--stack-size 16K runs every workload" 0 0 "" \
  run -m greenlets -w seed,cpu,io,background -t 2 --stack-size 16K --work 200000 \
  --burst 200000 --yield-every 1000 --io-time 0.01 --think 0.0005 "${o[@]}" -o "$T/min.json"
expect_exit "--stack-size 16K runs echo" 0 0 "" \
  run -m greenlets -w io --io echo -t 20 --io-ops 5 --stack-size 16K "${o[@]}" -o "$T/echo.json"

# 150 000 greenlets x 1 GiB of stack used to map 150 000 GiB and time out:
# with one shared stack the cell runs. TSan counts every coroutine as a
# thread (tens of ms to create each) and dies past 8128 of them; ASan is
# slower: fewer tasks there.
tasks=150000
case $sanitize in
*thread*) tasks=1000 ;;
?*) tasks=20000 ;;
esac
expect_exit "-t $tasks --stack-size 1G runs" 0 0 "" \
  run -m greenlets -w io -t "$tasks" --stack-size 1G --io-time 0.01 "${o[@]}" --timeout 120 \
  -o "$T/big.json"
check "-t $tasks --stack-size 1G: every sleep done" /usr/bin/python3 -c "
import json
c = json.load(open('$T/big.json'))['results'][0]
assert c['status'] == 'ok', c.get('error')
s = c['samples']
assert round(s['ops_per_s'][0] * s['wall_s'][0]) == $tasks, s['ops_per_s']
"

# Beyond what memory allows: an address space capped at 1 GiB (the
# sanitizers' shadow memory does not fit under a cap).
if [ -z "$sanitize" ]; then
  for m in greenlets asyncio callbacks; do
    (ulimit -v 1048576 && exec "$GB" run -m $m -w io -t 10000000 "${o[@]}" -o "$T/oom-$m.json") \
      >"$T/stdout" 2>"$T/stderr"
    rc=$?
    check "$m -t 10000000 in 1 GiB: exit 2" [ "$rc" -eq 2 ]
    check "$m -t 10000000 in 1 GiB: one line on stderr" [ "$(wc -l <"$T/stderr")" -eq 1 ]
    check "$m -t 10000000 in 1 GiB: a failed cell, for want of memory" /usr/bin/python3 -c "
import json
c = json.load(open('$T/oom-$m.json'))['results'][0]
assert c['status'] == 'failed', c['status']
assert 'no memory' in c['error'] or 'Cannot allocate memory' in c['error'], c['error']
print('#', c['error'])
"
  done
else
  skip "memory caps" "under $sanitize"
fi

# A cell no model could run by design stays skipped.
expect_exit "serial background -t 2 is skipped" 0 0 "" \
  run -m serial -w background -t 2 "${o[@]}" -o "$T/skip.json"
check "... with its reason in the result" /usr/bin/python3 -c "
import json
c = json.load(open('$T/skip.json'))['results'][0]
assert c['status'] == 'skipped' and 'one task after another' in c['error'], c
"
finish
