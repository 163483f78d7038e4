# native_fraction.gp - threads, workload cpu: speedup against the fraction
# F of each task's work done with the GIL released (--native-fraction), with
# N = lanes = min(tasks, cores) and two curves, each labelled by what it is:
#   the bound min(N, 1 / (1 - F)): the GIL-held part (1 - F) runs one thread
#     at a time, so nothing can be faster (an upper bound);
#   Amdahl's law 1 / ((1 - F) + F / N): what no overlap at all of GIL-held
#     and native work would give (an estimate, not a bound).
# How close a measurement gets to the bound says how much of the overlap
# the GIL lets through; the bars are the interval of each speedup.
# From gilbench plot: dat (one block per series: native_fraction speedup),
# keys, tasks, lanes; see style.gp for the rest.
chart_title = "Native fraction: releasing the GIL around native work (threads, workload cpu)"
gb_w = 1000; gb_h = 620
load tpl_dir . '/style.gp'

amdahl(f) = 1 / ((1 - f) + f / lanes)
ceiling(f) = f >= 1 ? lanes : (1 / (1 - f) < lanes ? 1 / (1 - f) : lanes)
set xlabel "fraction of the work run with the GIL released (F, --native-fraction)"
set ylabel "speedup over serial (×, higher is better)"
set xrange [0 : 1]
set yrange [0 : lanes * 1.2 + 0.2]
set xtics 0.25
set samples 400
set key top left Left reverse opaque box lc rgb "#dddddd"
plot '+' using 1:(amdahl($1)):(ceiling($1)) with filledcurves fc rgb "#eeeeee" \
        title "between: partial overlap of GIL-held and native work", \
     ceiling(x) with lines dt 1 lw 2 lc rgb gb_ref \
        title sprintf("upper bound, GIL-held part serial: min(%d, 1 / (1 - F))", lanes), \
     amdahl(x) with lines dt 2 lw 1.5 lc rgb gb_ref \
        title sprintf("Amdahl's law, no overlap (not a bound): 1 / ((1 - F) + F / %d)", lanes), \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2:3:4 with yerrorbars \
        lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) title columnheader(1) . sprintf(", %d tasks", tasks)
