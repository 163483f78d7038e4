# switch_interval.gp - threads under the new GIL, workload background:
# foreground latency p50/p99 (top) and background throughput (bottom)
# against the switch interval, log x.
# From gilbench plot: dat (one block: switch_interval_ms p50_us p99_us
# bytecodes_per_s), keys, tasks, xs (the intervals run, in ms); see style.gp.
chart_title = "Switch interval: latency against throughput (threads, gil new, workload background)"
gb_w = 1000; gb_h = 800
load tpl_dir . '/style.gp'

k = word(keys, 1)
x_lo = word(xs, 1) + 0
x_hi = word(xs, words(xs)) + 0
set multiplot layout 2, 1 margins 0.11, 0.95, 0.09, 0.88 spacing 0, 0.07
set logscale x 10
set xrange [x_lo / 1.3 : x_hi * 1.3]
set xtics ()
do for [i = 1 : words(xs)] {
    set xtics add (word(xs, i) word(xs, i) + 0)
}
set logscale y 10
@gb_us_tics
set mytics 10
set ylabel "foreground request latency (log)"
set key top left Left reverse box lc rgb "#cccccc" opaque
plot dat index 0 using 1:2:5:6 with yerrorbars lw gb_bar_lw ps 0 lc rgb gb_color(k) notitle, \
     dat index 0 using 1:3:7:8 with yerrorbars lw gb_bar_lw ps 0 lc rgb gb_color(k) notitle, \
     dat index 0 using 1:2 with linespoints lw gb_lw ps gb_ps pt gb_pt(k) lc rgb gb_color(k) \
        title "latency p50", \
     dat index 0 using 1:3 with linespoints lw gb_lw ps gb_ps pt 6 lc rgb gb_color(k) \
        dt 2 title "latency p99"

unset label 901
unset label 902
unset label 903
unset logscale y
set ytics auto
set format y "%g"
set xlabel "switch interval (ms, log; gilbench run --switch-interval)"
set ylabel "background throughput (M bytecodes/s)"
set yrange [0 : *]
set key bottom right
plot dat index 0 using 1:($4 / 1e6) with linespoints lw gb_lw ps gb_ps pt gb_pt(k) \
        lc rgb gb_color(k) title sprintf("bytecodes/s of the CPU-bound tasks (%d tasks in all)", tasks)
unset multiplot
