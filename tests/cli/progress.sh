# The progress line of gilbench run, under a pseudo-terminal (script(1)):
# one line redrawn with \r, about once a second while a cell runs, the
# params that vary across the matrix, ETA unknown on the first cell, never
# wider than the terminal; nothing when stderr is not a terminal or with
# --quiet. And the noise warnings: condensed, a few lines for many cells.
. "$(dirname "$0")/lib.bash"

if ! command -v script >/dev/null; then
  skip "progress line on a terminal" "no script(1)"
  finish
  exit
fi
# in_pty COLS ARGS...: runs gilbench with stdin/stdout/stderr on a pty of
# COLS columns; the terminal's output (stdout and stderr) in $T/pty
in_pty() {
  local cols=$1; shift
  script -qec "stty cols $cols rows 24; $(printf '%q ' "$GB" "$@")" /dev/null >"$T/pty" </dev/null
}
# The cell takes at least 2 x 2.5 s of sleep: redraws happen while it runs.
in_pty 200 run -m serial -w io -t 1,2 --io-time 2.5 --switch-interval 0.001,0.005 -r 1 \
  --warmup 0 -o "$T/r.json"
tr '\r' '\n' <"$T/pty" | sed 's/\x1b\[K//g' | grep '^\[' >"$T/lines"
check "progress lines are drawn" [ -s "$T/lines" ]
check "redrawn with \\r and cleared with ESC[K" bash -c "grep -q \$'\\r\\x1b\\[K\\[1/4\\]' '$T/pty'"
check "the first cell's ETA is unknown" grep -q '^\[1/4\] .* ETA unknown$' "$T/lines"
check "a later cell has an ETA" grep -qE '^\[3/4\] .* ETA [0-9]+(s|m)' "$T/lines"
check "the params that vary are shown" \
  bash -c "grep -q '^\[1/4\] serial/io tasks=1 switch=0.001s  rep 1/1' '$T/lines' && grep -q '^\[4/4\] serial/io tasks=2 switch=0.005s' '$T/lines'"
check "params that do not vary are not" bash -c "! grep -q 'gil=' '$T/lines'"
# cell 3 sleeps 2 x 2.5 s: it is redrawn while it runs, not only at its start
# (a redraw needs one 1 s poll timeout to come back within those 5 s)
check "redrawn while a cell runs (elapsed moves within cell 3)" \
  bash -c "[ \$(grep '^\[3/4\]' '$T/lines' | sort -u | wc -l) -ge 2 ]"
check "the line is wiped before anything else is printed" /usr/bin/python3 - "$T/pty" <<'PY'
import sys
t = open(sys.argv[1], "rb").read()
last = t.rindex(b"[4/4]")
wipe, nl = t.find(b"\r\x1b[K", last), t.find(b"\n", last)
assert wipe >= 0 and (nl < 0 or wipe < nl), (wipe, nl)
PY

# a narrow terminal: every line cut to its width (39 visible columns at 40)
in_pty 40 run -m serial -w io -t 1,2 --io-time 0.05 --switch-interval 0.001,0.005 -r 1 \
  --warmup 0 -o "$T/r.json"
tr '\r' '\n' <"$T/pty" | sed 's/\x1b\[K//g' | grep '^\[' >"$T/lines"
check "narrow terminal: lines drawn" [ -s "$T/lines" ]
check "narrow terminal: no line wider than 39 columns" \
  bash -c "[ \$(awk '{ if (length(\$0) > m) m = length(\$0) } END { print m + 0 }' '$T/lines') -le 39 ]"

# --quiet, and stderr not a terminal: no progress at all
in_pty 200 run -m serial -w io -t 1,2 --io-time 0.05 -r 1 --warmup 0 -q -o "$T/r.json"
check "--quiet on a terminal: nothing printed" bash -c "! grep -q '\[1/2\]' '$T/pty'"
"$GB" run -m serial -w io -t 1,2 --io-time 0.05 -r 1 --warmup 0 -o "$T/r.json" 2>"$T/err"
check "stderr not a terminal: no progress line" bash -c "! grep -q \$'\\r' '$T/err' && ! grep -q '\[1/2\]' '$T/err'"

# warnings: 2 repetitions are too few for any cell, so every cell warns;
# printed as a few condensed lines, each naming its cells
"$GB" run -m serial,threads -w io -t 1,2,3 --io-time 0.01 -r 2 --warmup 0 -o "$T/w.json" 2>"$T/err"
check "warnings: at most one line per metric and kind, not one per cell" \
  bash -c "[ \$(wc -l <'$T/err') -ge 1 ] && [ \$(wc -l <'$T/err') -le 6 ]"
check "warnings: every line in the diagnostic format" \
  bash -c "! grep -v '^gilbench: run: warning: ' '$T/err'"
check "warnings: the wall_s lines cover the 6 cells" /usr/bin/python3 - "$T/err" <<'PY'
import re, sys
n = sum(int(m.group(1)) for m in
        (re.search(r"in (\d+) of 6 cells", l) for l in open(sys.argv[1]) if ": wall_s: " in l) if m)
assert n == 6, n
PY
check "warnings: every cell's own lines are in the file" /usr/bin/python3 - "$T/w.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert all(any(w.startswith("wall_s: ") for w in c["warnings"]) for c in d["results"])
PY
"$GB" run -m serial,threads -w io -t 1,2,3 --io-time 0.01 -r 2 --warmup 0 -q -o "$T/w.json" 2>"$T/err"
check "warnings: --quiet prints none" [ ! -s "$T/err" ]

finish
