/*
 * run_warn.h - the noise warnings of one `gilbench run`, condensed for
 * stderr.
 */
#ifndef GB_RUN_WARN_H
#define GB_RUN_WARN_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Writes to f one line per metric and kind of warning (noisy; too few
 * repetitions) over the ok cells results[first..] of doc, each naming the
 * cells it applies to (at most a few, then how many more). Returns the
 * number of lines written.
 */
size_t gb_run_warn_print(FILE *f, json_t *doc, size_t first);

/* "lo" or "lo to hi", each printed with fmt. */
void gb_warn_put_range(FILE *f, double lo, double hi, const char *fmt);

/* Repetitions needed, lo to hi, SIZE_MAX meaning no number can do:
 * "20", "20 to 988", "20 or more", "more than 10^9". */
void gb_warn_put_need(FILE *f, size_t lo, size_t hi);

#endif
