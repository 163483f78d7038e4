# Traces as `gilbench run --trace` writes them draw as timelines: native
# work (GIL released) gets its own bars, and a processes trace, whose
# "# thread N: pid P" lines say which process each task ran in, gets one row
# per process, each with its own GIL.
. "$(dirname "$0")/lib.bash"

"$GB" run -w cpu -m threads -t 2 --native-fraction 0.5 --work 400000 -r 1 --warmup 0 -q \
  --no-baseline --trace "$T/nat.csv" -o "$T/nat.json"
check "threads with native work: the trace has native events" grep -q ',native_start$' "$T/nat.csv"
"$GB" plot "$T/nat.json" --trace "$T/nat.csv" -o "$T/nat" 2>"$T/nat.err"
check "the native trace plots" [ -s "$T/nat/gil_timeline.png" ]
check "native bars are in the timeline's data" /usr/bin/python3 -c "
blocks = open('$T/nat/gil_timeline.dat').read().split('\n\n\n')
native = [l for l in blocks[5].splitlines() if l and not l.startswith('#') and not l.startswith('?')]
assert len(native) >= 2, blocks[5][:300]
"

"$GB" run -w cpu -m processes -t 2 --work 400000 -r 1 --warmup 0 -q --no-baseline \
  --trace "$T/proc.csv" -o "$T/proc.json"
check "a processes trace names each task's process" [ "$(grep -c '^# thread [0-9]*: pid [0-9]*$' "$T/proc.csv")" -eq 2 ]
"$GB" plot "$T/proc.json" --trace "$T/proc.csv" -o "$T/proc" 2>"$T/proc.err"
check "the processes timeline has a row per process" grep -q 'in 2 processes (each with its own GIL)' "$T/proc/report.md"
# The same as JSON lines: every event names its pid, the timeline the same rows.
"$GB" run -w cpu -m processes -t 2 --work 400000 -r 1 --warmup 0 -q --no-baseline \
  --trace "$T/proc.jsonl" -o "$T/procj.json"
"$GB" plot "$T/procj.json" --trace "$T/proc.jsonl" -o "$T/procj" 2>"$T/procj.err"
check "a JSON-lines processes trace plots ($(head -c 200 "$T/procj.err"))" [ -s "$T/procj/gil_timeline.png" ]
check "the JSON-lines processes timeline has a row per process" \
  grep -q 'in 2 processes (each with its own GIL)' "$T/procj/report.md"
finish
