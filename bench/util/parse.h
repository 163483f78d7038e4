/*
 * parse.h - strict number parsing: the whole string, in range, or -EINVAL.
 */
#ifndef GB_PARSE_H
#define GB_PARSE_H

/* Strict number parsing for every subcommand: 0 or -EINVAL. */
int gb_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                  unsigned long long *out);
int gb_parse_double(const char *s, double min, double max, double *out);
/* Bytes with an optional k/K, m/M, g/G suffix (powers of 1024). */
int gb_parse_size(const char *s, unsigned long long *out);

#endif
