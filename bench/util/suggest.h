/*
 * suggest.h - "did you mean": the nearest of a list of names to a word
 * someone mistyped.
 */
#ifndef GB_SUGGEST_H
#define GB_SUGGEST_H

#include <stddef.h>

/*
 * The candidate nearest to WORD by edit distance (insert, delete,
 * substitute, swap two neighbours), if it is near enough to be a typo: at
 * most 1 edit for words up to 4 letters, 2 up to 8, else 3; ties go to the
 * first. NULL when none is. cands may hold NULLs (skipped).
 */
const char *gb_suggest(const char *word, const char *const *cands, size_t n);

/* " (did you mean 'X'?)" into buf, or "" when gb_suggest finds nothing. */
const char *gb_suggest_hint(char *buf, size_t len, const char *word, const char *const *cands,
                            size_t n);

/*
 * For an unknown long option ARG as given ("--thresold" or "--thresold=1"),
 * " (did you mean '--threshold'?)" from the names of a getopt_long table
 * (ended by a NULL name); `otherwise` (may be NULL: "") when none is near
 * or ARG is no long option, e.g. " (see 'gilbench run --help')".
 */
struct option;
const char *gb_suggest_option_hint(char *buf, size_t len, const char *arg,
                                   const struct option *opts, const char *otherwise);

#endif
