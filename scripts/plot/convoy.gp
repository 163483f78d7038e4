# convoy.gp - workload background: foreground latency p50 (left) and p99
# (right) against the number of CPU-bound background tasks, log y.
# From gilbench plot: dat (one block per series: background_tasks p50_us
# p99_us), keys, max_bg, ymin, ymax; see style.gp for the rest.
chart_title = "Convoy effect: latency of an I/O task while CPU-bound tasks run (workload background)"
gb_w = 1250; gb_h = 620
load tpl_dir . '/style.gp'

set multiplot layout 1, 2 margins 0.08, 0.785, 0.12, 0.86 spacing 0.07, 0
set logscale y 10
@gb_us_tics
set mytics 10
set yrange [ymin / 2 : ymax * 2]
set xrange [-0.3 : max_bg + 0.3]
set xtics 1
set xlabel "CPU-bound background tasks"
unset key

set ylabel "foreground request latency (log; lower is better)"
set label 1 "median (p50)" at graph 0.03, graph 0.95 left font ",12"
plot for [i = 1 : words(keys)] dat index (i - 1) using 1:2:4:5 with yerrorbars \
        lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) notitle

unset label 901
unset label 902
unset label 903
set label 1 "tail (p99)"
set ylabel ""
set key at screen 0.80, screen 0.86 top left Left reverse
plot for [i = 1 : words(keys)] dat index (i - 1) using 1:3:6:7 with yerrorbars \
        lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:3 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) title columnheader(1)
unset multiplot
