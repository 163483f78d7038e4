# compare.gp - base against new, one row per cell in both result files:
# wall time median and 95% confidence interval, relative to the base median.
# From gilbench plot: dat (row base base_lo base_hi new new_lo new_hi key
# "label"), rows, height, base_name; see style.gp for the rest.
chart_title = "Base vs new: wall time per cell, relative to the base median"
gb_w = 1100; gb_h = height
load tpl_dir . '/style.gp'

set xlabel "wall time / base median (×, left is faster; whiskers: 95% CI of the median)"
set ylabel ""
set yrange [0.4 : rows + 0.6]
set ytics 1 nomirror font ",9"
set grid xtics noytics
set key below horizontal
set bmargin 6
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb gb_ref
set offsets graph 0.05, graph 0.05, 0, 0

plot dat using 2:($1 + 0.15):3:4:ytic(9) with xerrorbars pt 6 ps 1.1 lw 1.5 \
        lc rgb gb_base title "base (" . base_name . ")", \
     dat using 5:($1 - 0.15):6:7:(gb_rgb(strcol(8))) with xerrorbars pt 7 ps 1.1 lw 1.5 \
        lc rgb variable title "new (colour of the model)"
