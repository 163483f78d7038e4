# cpu_scaling.gp - speedup over serial against tasks, workload cpu: one line
# per model (per GIL policy for threads), the ideal y = tasks, the cores.
# From gilbench plot: dat (one block per series: tasks speedup efficiency
# speedup_lo speedup_hi: the bars are the interval of the speedup), dts, ci_note,
# keys (style keys, one per block), cores, max_tasks, y_top; see style.gp for the rest.
chart_title = "CPU scaling: speedup over serial (workload cpu, total work split over the tasks)"
gb_w = 1000; gb_h = 620
load tpl_dir . '/style.gp'

top = max_tasks > cores ? max_tasks : cores
set xlabel "tasks (threads, processes, greenlets, ...)"
set ylabel "speedup over serial (×, higher is better)"
set xrange [0.5 : top + 0.5]
set yrange [0 : y_top]
set xtics 1
set ytics 0.5
set mxtics 1
set key outside right top Left reverse width 1

if (cores > 0) {
    set arrow 1 from cores, graph 0 to cores, graph 1 nohead dt 3 lw 1.5 lc rgb gb_ref
    set label 1 sprintf("%d cores", cores) at cores, graph 0.04 offset 0.6, 0 left \
        tc rgb gb_ref
}

plot x with lines dt 2 lw 1.5 lc rgb gb_ref title "ideal (speedup = tasks)", \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2:4:5 with yerrorbars \
        lw gb_bar_lw ps 0 lc rgb gb_color(word(keys, i)) notitle, \
     for [i = 1 : words(keys)] dat index (i - 1) using 1:2 with linespoints \
        lw gb_lw ps gb_ps pt gb_pt(word(keys, i)) dt gb_dti(i) \
        lc rgb gb_color(word(keys, i)) title columnheader(1)
