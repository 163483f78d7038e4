# plot_overlay.sh - `gilbench plot` with results measured on real CPython
# (models cpython-*, tests/golden/plot/cpython.json) beside the simulation:
# the CPU scaling, convoy and native-fraction charts draw them in the
# simulated model's colour with hollow points and a dashed line, and the
# report names them "threads (CPython 3.11)". Also checks the palette of
# scripts/plot/style.gp (tests/cli/plot_palette.py).
source "$(dirname "$0")/lib.bash"
FIX=$SRC/tests/golden/plot

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "not ok - gnuplot is missing: install gnuplot-nox (scripts/install-deps)"
  exit 1
fi

check "palette: distinct colours and points, apart for colour-blind readers" \
  python3 "$SRC/tests/cli/plot_palette.py" "$SRC/scripts/plot/style.gp"

"$GB" plot "$FIX/results.json" "$FIX/cpython.json" --format svg -o "$T/o" 2>"$T/err" >/dev/null
rc=$?
check "plot of results and CPython results exits 0 (got $rc: $(head -c 300 "$T/err"))" \
  [ "$rc" -eq 0 ]

# series SVG TITLE: "colour dashed point" of the plot element whose key says TITLE.
series() {
  python3 - "$1" "$2" <<'EOF'
import re, sys
svg, title = open(sys.argv[1]).read(), sys.argv[2]
for blk in svg.split('<g id="gnuplot_plot_')[1:]:
    if f"<text>{title}</text>" not in blk:
        continue
    path = re.search(r"<path stroke='([^']*)'( stroke-dasharray='[^']*')?", blk)
    pt = re.search(r"xlink:href='#(gpPt\d+)'", blk)
    print(path.group(1).replace(" ", ""), "dashed" if path.group(2) else "solid",
          pt.group(1) if pt else "-")
    break
EOF
}

for chart in cpu_scaling convoy native_fraction; do
  sim=$(series "$T/o/$chart.svg" "threads (gil new)")
  cpy=$(series "$T/o/$chart.svg" "threads (CPython 3.11)")
  [ "$chart" = native_fraction ] && sim=$(series "$T/o/$chart.svg" "threads (gil new), 2 tasks") \
    && cpy=$(series "$T/o/$chart.svg" "threads (CPython 3.11), 2 tasks")
  check "$chart: threads (gil new) is a solid line of filled circles (got '$sim')" \
    [ "$sim" = "rgb(0,114,178) solid gpPt6" ]
  check "$chart: threads (CPython 3.11) is the same blue, dashed, hollow circles (got '$cpy')" \
    [ "$cpy" = "rgb(0,114,178) dashed gpPt5" ]
done
got=$(series "$T/o/cpu_scaling.svg" "processes (CPython 3.11)")
check "cpu_scaling: processes (CPython 3.11) is green, dashed, hollow squares (got '$got')" \
  [ "$got" = "rgb(0,158,115) dashed gpPt3" ]
got=$(series "$T/o/convoy.svg" "greenlets (CPython 3.11)")
check "convoy: greenlets (CPython 3.11) is orange, dashed, hollow triangles (got '$got')" \
  [ "$got" = "rgb(230,159,0) dashed gpPt9" ]
check "cpu_scaling: no cpython-serial line (1x by definition)" \
  bash -c "! grep -qF 'serial (CPython' '$T/o/cpu_scaling.svg'"

check "report: CPU scaling sentence quotes CPython" grep -qF \
  "Measured on real CPython: 0.91x for threads (CPython 3.11), 1.81x for processes (CPython 3.11)." \
  "$T/o/report.md"
check "report: convoy sentence quotes CPython" grep -qF \
  "On real CPython, p99 goes from 120 µs to 15.8 ms (0 to 2 background tasks) for threads (CPython 3.11)" \
  "$T/o/report.md"
check "report: native-fraction sentence quotes CPython" grep -qF \
  "measured on real CPython, threads reach 0.91x at F = 0 (9% below the bound), 1.08x at F = 0.25" "$T/o/report.md"
check "report: tables name CPython cells by model and version" \
  grep -qF "| threads (CPython 3.11) | tasks=4" "$T/o/report.md"
check "report: the machine is the simulation's file's, the commands both files'" \
  grep -qF "python3 scripts/cpython/run.py (fixture)" "$T/o/report.md"

# The CPython file alone: its cells chart on their own, no simulation needed.
"$GB" plot "$FIX/cpython.json" --format svg -o "$T/c" 2>"$T/err" >/dev/null
check "CPython results alone: plot exits 0" [ $? -eq 0 ]
check "CPython results alone: cpu_scaling.svg drawn" [ -s "$T/c/cpu_scaling.svg" ]

# Without the CPython file no chart mentions CPython.
"$GB" plot "$FIX/results.json" --format svg -o "$T/s" 2>"$T/err" >/dev/null
check "simulation alone: no CPython series" bash -c "! grep -l CPython '$T/s'/*.svg"

finish
