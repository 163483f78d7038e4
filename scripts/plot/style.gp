# style.gp - the one look of every gilbench chart, loaded by each template
# after it sets gb_w, gb_h (pixels) and chart_title. `gilbench plot` passes:
#   term     'png' (pngcairo) or 'svg'        out      output file
#   machine  CPU, cores, host, date, version  tpl_dir  this directory
#
# One colour and one point type per model, and per GIL policy for threads,
# the same in every chart: a reader who learnt "blue circles are threads
# under the new GIL" on one chart can read the next without its legend.
# No two keys share a colour or a point type. Colours: the Okabe-Ito palette
# for the models (safe for colour-blind readers), blues for the main thread
# policies (variants of one model, told apart by lightness, which survives
# every kind of colour blindness), and Paul Tol's colours for the rarer ones.
# tests/cli/plot_palette.py checks that every pair stays apart (CIEDE2000)
# under simulated protanopia, deuteranopia and tritanopia.
#
# A key "cpy_<key>" is a series measured on real CPython (a model named
# cpython-...): the colour of <key>, its point type hollow, a dashed line.

gb_keys = "serial threads_new threads_new312 threads_legacy threads_none threads_priority " . \
          "threads_fifo threads processes greenlets asyncio callbacks"
#                        serial    t_new     t_new312  t_legacy  t_none    t_priority
array gb_rgb_arr[13] = [0x000000, 0x0072B2, 0x1A85FF, 0x56B4E9, 0x332288, 0x994455, \
                        0x5D3A9B, 0x882255, 0x009E73, 0xE69F00, 0xD55E00, 0xCC79A7, 0x8C8C8C]
#                       t_fifo    t_other   processes greenlets asyncio   callbacks other
array gb_pt_arr[13] = [1, 7, 4, 9, 13, 14, 10, 8, 5, 11, 15, 3, 6]
# serial +, threads/new filled circle, new312 open square, legacy filled
# triangle, none filled diamond, priority open pentagon, fifo open triangle
# down, other thread policies open triangle, processes filled square,
# greenlets filled triangle down, asyncio filled pentagon, callbacks star,
# anything else (a plugin model) open circle.

gb_cpy(k) = strstrt(k, "cpy_") == 1
# A variant of a series: "<key>__pin" (a run pinned with --cpus, drawn beside
# the ordinary one) or "<key>__sN" (the Nth of several files that hold the
# same cells): the model's colour, its own dash, a hollow point from __s2 on.
gb_nosuf(k) = strstrt(k, "__") > 0 ? k[1 : strstrt(k, "__") - 1] : k
gb_sim(k) = gb_nosuf(gb_cpy(k) ? k[5:] : k)
gb_pin(k) = strstrt(k, "__pin") > 0
gb_src(k) = strstrt(k, "__s") > 0 ? int(k[strstrt(k, "__s") + 3 :]) : 0
gb_idx_from(k, i) = i > words(gb_keys) ? 0 : (word(gb_keys, i) eq k ? i : gb_idx_from(k, i + 1))
gb_idx(k) = (gb_i_ = gb_idx_from(gb_sim(k), 1), gb_i_ > 0 ? gb_i_ : \
             (strstrt(gb_sim(k), "threads_") == 1 ? 8 : 13))
gb_rgb(k) = gb_rgb_arr[gb_idx(k)]
gb_color(k) = sprintf("#%06x", gb_rgb(k))
# Filled types are odd from 5 to 15, their hollow twin one below; +, * -> x.
gb_hollow(p) = (p == 1 || p == 3) ? 2 : ((p >= 5 && p % 2 == 1) ? p - 1 : p)
gb_pt(k) = (gb_cpy(k) || gb_pin(k) || gb_src(k) > 1) ? gb_hollow(gb_pt_arr[gb_idx(k)]) : \
           gb_pt_arr[gb_idx(k)]
# Line dash: solid for gilbench's simulation, dashed for real CPython,
# dash-dot for a pinned run, and one dash per further file.
gb_dt(k) = gb_cpy(k) ? 2 : (gb_pin(k) ? 4 : (gb_src(k) > 1 ? 2 + gb_src(k) : 1))
# The dash of the i-th series: its own (dts, from gilbench plot: 3 or 5 for
# a series that coincides with an earlier one within their intervals, so
# the eye can follow each), else gb_dt of its key.
gb_dti(i) = (exists("dts") && words(dts) >= i && word(dts, i) ne "0") ? \
            int(word(dts, i)) : gb_dt(word(keys, i))
# Error bars: the confidence interval of each median, thin, in the series' colour.
gb_bar_lw = 1.2

# Reference lines (ideal, Amdahl, core count) and the GIL timeline elements.
gb_ref = "#8c8c8c"
gb_base = "#7f7f7f"
gb_wait = "#F5B971"
gb_io = "#3B3B3B"
# Native code (NATIVE ops: the GIL released for a NumPy-style call).
gb_native = "#44AA99"
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
set tmargin 6
# What the error bars are, in small print under the machine line.
if (exists("ci_note") && strlen(ci_note) > 0) {
    set label 903 ci_note at screen 0.5, screen 1 offset 0, -3.7 center font ",9" \
        tc rgb "#555555"
}

gb_lw = 2
gb_ps = 1.3

# Latency axes (log, in µs) labelled in the unit a reader would say.
gb_us_tics = 'set ytics ("1 µs" 1, "10 µs" 10, "100 µs" 100, "1 ms" 1e3, "10 ms" 1e4, ' . \
             '"100 ms" 1e5, "1 s" 1e6, "10 s" 1e7, "100 s" 1e8, "1000 s" 1e9)'
