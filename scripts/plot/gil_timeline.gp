# gil_timeline.gp - from a `gilbench run --trace` file: one row per thread
# (per process and thread when the trace names processes: each process has
# its own GIL), a bar while it holds the GIL, a thin bar while it waits for
# it, a dark bar while it is in blocking I/O, a teal bar while it runs native
# code with the GIL released, marks at forced drops and drop
# requests (after Beazley's GIL visualisations).
# From gilbench plot: dat (blocks: 0 held and 2 io as t0_ms t1_ms row
# shown_t0_ms shown_t1_ms, the times a bar is drawn at: at least a few pixels
# wide; 1 waiting as t0_ms t1_ms row;
# 3 forced drops, 4 drop requests as t_ms row; 5 native as t0_ms t1_ms row
# shown_t0_ms shown_t1_ms), rows, row_labels (one word per row, top first),
# 6 held fraction as t0_ms t1_ms row fraction: a long trace aggregated into
# time bins), t_end, t_lo and t_hi (the range shown: --window, else 0 to
# t_end), agg (1: block 6 is drawn instead of bars), bin_ms, height, nprocs,
# cell, held_key, n0..n6;
# see style.gp for the rest.
chart_title = (nprocs > 1 ? "GIL timeline: which thread holds its process's GIL" : \
               "GIL timeline: which thread holds the GIL") . (strlen(cell) ? " (" . cell . ")" : "") . \
              (agg ? sprintf(", held fraction per %.3g ms bin", bin_ms) : "")
gb_w = 1250; gb_h = height
load tpl_dir . '/style.gp'

span_hi = t_hi > t_lo ? t_hi : t_lo + 1

set xlabel "time since the first traced event (ms)"
set ylabel ""
set xrange [t_lo : span_hi]
set yrange [0.4 : rows + 0.6]
set ytics () nomirror
do for [i = 1 : rows] {
    set ytics add (word(row_labels, i) rows - i + 1)
}
set grid noytics
set key outside right top vertical Left reverse samplen 1.5
set style fill solid 1.0 noborder
held = gb_color(held_key)

# Waits first, then holds, then I/O over them a little shorter: a hold
# widened to stay visible does not hide the I/O right after it.
# Aggregated: a bar per bin rising from the row's bottom with the fraction
# of the bin the thread held the GIL (full height = held throughout).
plot dat index 6 using (($1 + $2) / 2):3:1:2:($3 - 0.3):($3 - 0.3 + 0.6 * $4) with boxxyerror \
        lc rgb held title (n6 ? "share of the bin holding the GIL" : ""), \
     dat index 1 using (($1 + $2) / 2):3:1:2:($3 - 0.06):($3 + 0.06) with boxxyerror \
        lc rgb gb_wait title (n1 ? "waits for the GIL" : ""), \
     dat index 0 using (($4 + $5) / 2):3:4:5:($3 - 0.25):($3 + 0.25) with boxxyerror \
        lc rgb held title (n0 ? "holds the GIL" : ""), \
     dat index 2 using (($4 + $5) / 2):3:4:5:($3 - 0.17):($3 + 0.17) with boxxyerror \
        lc rgb gb_io title (n2 ? "blocking I/O (GIL released)" : ""), \
     dat index 5 using (($4 + $5) / 2):3:4:5:($3 - 0.17):($3 + 0.17) with boxxyerror \
        lc rgb gb_native title (n5 ? "native code (GIL released)" : ""), \
     dat index 3 using 1:($2 + 0.33) with points pt 11 ps 1.1 lc rgb gb_forced \
        title (n3 ? "forced drop" : ""), \
     dat index 4 using 1:($2 - 0.33) with points pt 9 ps 0.9 lc rgb gb_dropreq \
        title (n4 ? "drop request (a waiter timed out)" : "")
