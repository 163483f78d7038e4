# style.gp - the one look of every gilbench chart, loaded by each template
# after it sets gb_w, gb_h (pixels) and chart_title. `gilbench plot` passes:
#   term     'png' (pngcairo) or 'svg'        out      output file
#   machine  CPU, cores, host, date, version  tpl_dir  this directory
#
# One colour and one point type per model, and per GIL policy for threads,
# the same in every chart: a reader who learnt "blue circles are threads
# under the new GIL" on one chart can read the next without its legend.
# Colours: the Okabe-Ito palette (safe for colour-blind readers) plus a few
# blues for the thread policies, which are variants of one model.

gb_keys = "serial threads_new threads_legacy threads_none threads_priority threads_fifo " . \
          "threads processes greenlets asyncio callbacks"
#                  serial    t_new     t_legacy  t_none    t_prio    t_fifo
array gb_rgb_arr[12] = [0x000000, 0x0072B2, 0x56B4E9, 0x332288, 0x7F3C8D, 0x4477AA, \
                        0x4477AA, 0x009E73, 0xE69F00, 0xD55E00, 0xCC79A7, 0x777777]
#                       threads   procs     greenlets asyncio   callbacks other
array gb_pt_arr[12] = [1, 7, 9, 13, 14, 4, 8, 5, 11, 15, 3, 6]
# serial +, threads/new filled circle, legacy filled triangle, none filled
# diamond, priority open pentagon, fifo open square, other thread policies
# open triangle, processes filled square, greenlets filled triangle down,
# asyncio filled pentagon, callbacks star, anything else (a plugin) open circle.

gb_idx_from(k, i) = i > words(gb_keys) ? 0 : (word(gb_keys, i) eq k ? i : gb_idx_from(k, i + 1))
gb_idx(k) = (gb_i_ = gb_idx_from(k, 1), gb_i_ > 0 ? gb_i_ : (strstrt(k, "threads_") == 1 ? 7 : 12))
gb_rgb(k) = gb_rgb_arr[gb_idx(k)]
gb_color(k) = sprintf("#%06x", gb_rgb(k))
gb_pt(k) = gb_pt_arr[gb_idx(k)]

# Reference lines (ideal, Amdahl, core count) and the GIL timeline elements.
gb_ref = "#8c8c8c"
gb_base = "#7f7f7f"
gb_wait = "#F5B971"
gb_io = "#BDBDBD"
gb_forced = "#C0392B"
gb_dropreq = "#8E5A00"

set encoding utf8
gb_font = "DejaVu Sans,11"
if (term eq 'svg') {
    set terminal svg size gb_w, gb_h dynamic font gb_font background rgb "white"
} else {
    set terminal pngcairo size gb_w, gb_h font gb_font background rgb "white"
}
set output out
# Model names and CPU strings hold _ and @: no enhanced-text markup anywhere.
set termoption noenhanced
set datafile missing '?'

set border 3 lc rgb "#444444"
set tics nomirror out
set grid back lc rgb "#e4e4e4" lw 1
set key noopaque samplen 2.5 spacing 1.15

# Title and the machine as a subtitle, placed in character units from the top
# so they sit the same at any height; tmargin keeps plots clear of them.
set label 901 chart_title at screen 0.5, screen 1 offset 0, -1.2 center font ",14"
set label 902 machine at screen 0.5, screen 1 offset 0, -2.6 center font ",10" \
    tc rgb "#555555"
set tmargin 5.5

gb_lw = 2
gb_ps = 1.3

# Latency axes (log, in µs) labelled in the unit a reader would say.
gb_us_tics = 'set ytics ("1 µs" 1, "10 µs" 10, "100 µs" 100, "1 ms" 1e3, "10 ms" 1e4, ' . \
             '"100 ms" 1e5, "1 s" 1e6, "10 s" 1e7, "100 s" 1e8, "1000 s" 1e9)'
