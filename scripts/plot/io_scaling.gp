# io_scaling.gp - workload io: overhead above the ideal wall time and memory
# per task, against tasks (log x), in two panels sharing one legend.
# From gilbench plot: dat (one block per series: tasks overhead_pct
# mem_per_task_kib wall_s ideal_s), keys; see style.gp for the rest.
chart_title = "I/O scaling: cost of concurrency (workload io, every task does the same blocking ops)"
gb_w = 1250; gb_h = 600
load tpl_dir . '/style.gp'

set multiplot layout 1, 2 margins 0.07, 0.785, 0.12, 0.86 spacing 0.09, 0
set logscale x 10
set logscale y 10
set format y "%g"
set format x "%g"
set xlabel "concurrent tasks (log)"
set mxtics 10

set ylabel "wall time above ideal (%, log; lower is better)"
unset key
plot for [i = 1 : words(keys)] dat index (i - 1) \
        using 1:($2 > 0 ? $2 : NaN):($6 > 0 ? $6 : $2):($7 > 0 ? $7 : $2) \
        with yerrorbars lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:($2 > 0 ? $2 : NaN) \
        with linespoints lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) notitle

unset label 901
unset label 902
unset label 903
set ylabel "memory per task (KiB, log)"
set key at screen 0.80, screen 0.86 top left Left reverse
plot for [i = 1 : words(keys)] dat index (i - 1) using 1:($3 > 0 ? $3 : NaN) \
        with linespoints lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) title columnheader(1)
unset multiplot
