# compare.gp - base against new, one row per cell in both result files:
# the wall time's median and the confidence interval of the median, relative
# to the base median; on the right, the change and `gilbench compare`'s
# verdict for the row; rows compare calls slower or faster on a tinted band.
# From gilbench plot: dat (row base base_lo base_hi new new_lo new_hi key
# "label" "verdict" worse), rows, height, base_name, ci_label ("94% " when
# every interval has that level, else ""), x_lo, x_hi, x_step; see style.gp.
chart_title = "Base vs new: wall time per cell, relative to the base median"
gb_w = 1400; gb_h = height
load tpl_dir . '/style.gp'

set xlabel "wall time / base median (×; left of 1 is faster)"
set ylabel ""
set xrange [x_lo : x_hi]
set xtics x_step
set yrange [0.4 : rows + 0.6]
set y2range [0.4 : rows + 0.6]
set ytics 1 nomirror font ",9"
set y2tics 1 nomirror font ",9"
set grid xtics noytics
# One column under the x label: side by side, the long titles ran past the
# right edge of the canvas.
set key at screen 0.5, screen 0.01 center bottom vertical maxcols 1 Left reverse
set bmargin 10
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb gb_ref
# Right-aligned to the canvas edge: the y2 labels below size the margin.
set label 3 "change: verdict of gilbench compare" at screen 0.99, graph 1 offset 0, 1.2 \
    right font ",9" tc rgb "#555555"
set style fill solid 1.0 noborder
slower_bg = 0xFADBD8
faster_bg = 0xD6E9F8

ci = "whiskers: " . ci_label . "CI of the median"
plot dat using (($11 != 0) ? (x_lo + x_hi) / 2 : NaN):1:(x_lo):(x_hi):($1 - 0.5):($1 + 0.5):($11 > 0 ? slower_bg : faster_bg) \
        with boxxyerror lc rgb variable notitle, \
     dat using 2:($1 + 0.15):3:4 with xerrorbars pt 6 ps 1.1 lw 1.5 \
        lc rgb gb_base title "base (" . base_name . "), " . ci, \
     dat using 5:($1 - 0.15):6:7:(gb_rgb(strcol(8))) with xerrorbars pt -1 lw 1.5 \
        lc rgb variable notitle, \
     dat using 5:($1 - 0.15):(gb_pt(strcol(8))):(gb_rgb(strcol(8))) with points \
        pt variable ps 1.3 lc rgb variable notitle, \
     keyentry with xerrorbars pt 7 ps 1.1 lw 1.5 lc rgb "#444444" \
        title "new (the model's colour and point), " . ci, \
     keyentry with boxes fc rgb slower_bg title "compare: slower", \
     keyentry with boxes fc rgb faster_bg title "compare: faster", \
     dat using 2:1:ytic(9) with points ps 0 notitle, \
     dat using 5:1:y2tic(10) axes x1y2 with points ps 0 notitle
