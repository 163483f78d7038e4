# yield_every.gp - workload background, cooperative models (greenlets,
# asyncio): the foreground task's p50 latency against N, the bytecodes a
# CPU-bound background task runs between yields (--yield-every), log x and
# log y. N = 0 (never yields) has no place on a log axis: it is drawn as a
# dotted level in the model's colour, the latency that yielding brings down.
# From gilbench plot: dat (one block per series: yield_every p50_us p99_us,
# x = 0 for never), keys, nevers (per series 1 if it has an x = 0 row),
# tasks, x_lo, x_hi, ymin, ymax, xs (the Ns run);
# see style.gp for the rest.
chart_title = "Cooperative starvation: a CPU-bound task that rarely yields stalls the loop (workload background)"
gb_w = 1000; gb_h = 620
load tpl_dir . '/style.gp'

set logscale x 10
set logscale y 10
set xrange [x_lo / 2 : x_hi * 2]
set yrange [ymin / 2 : ymax * 2]
set xtics ()
do for [i = 1 : words(xs)] {
    set xtics add (word(xs, i) word(xs, i) + 0)
}
@gb_us_tics
set mytics 10
set xlabel "bytecodes the background task runs between yields (N, --yield-every; log, fewer = yields more often)"
set ylabel "foreground request latency, p50 (log; lower is better)"
set key bottom right Left reverse opaque box lc rgb "#dddddd"
# x = 0 rows: a level from edge to edge; x > 0 rows: the sweep.
plot for [i = 1 : words(keys)] dat index (i - 1) using (x_lo / 2):($1 == 0 ? $2 : NaN):(x_hi * 2 - x_lo / 2):(0) \
        with vectors nohead dt 3 lw 2 lc rgb gb_color(word(keys, i)) \
        title (word(nevers, i) eq "1" ? columnheader(1) . ", never yields (N = 0)" : ""), \
     for [i = 1 : words(keys)] dat index (i - 1) using ($1 > 0 ? $1 : NaN):2:4:5 \
        with yerrorbars lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using ($1 > 0 ? $1 : NaN):2 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) title columnheader(1) . sprintf(", %d tasks", tasks)
