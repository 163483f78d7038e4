# native_fraction.gp - threads, workload cpu: speedup against the fraction
# of work done with the GIL released (--native-fraction), with Amdahl's law.
# From gilbench plot: dat (one block per GIL policy: native_fraction
# speedup), keys, tasks, lanes (= min(tasks, cores)); see style.gp for the rest.
chart_title = "Native fraction: releasing the GIL around native work (threads, workload cpu)"
gb_w = 1000; gb_h = 620
load tpl_dir . '/style.gp'

amdahl(f) = 1 / ((1 - f) + f / lanes)
set xlabel "fraction of the work run with the GIL released (F)"
set ylabel "speedup over serial (×, higher is better)"
set xrange [0 : 1]
set yrange [0 : lanes + 0.3]
set xtics 0.25
set samples 200
set key top left Left reverse
plot amdahl(x) with lines dt 2 lw 1.5 lc rgb gb_ref \
        title sprintf("Amdahl: 1 / ((1 - F) + F / %d), %d tasks", lanes, tasks), \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) lc rgb gb_color(word(keys, i)) \
        title columnheader(1)
