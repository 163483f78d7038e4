/*
 * tap.h - a tiny TAP producer for the unit tests: ok/is macros, skip for a
 * check this machine cannot make (reported as skipped, never as passed), a
 * plan at the end, exit status 1 if any check failed.
 */
#ifndef GB_TEST_TAP_H
#define GB_TEST_TAP_H

#include <stdint.h>

int gb_tap_ok(int cond, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* A check not made, and why: "ok N - # SKIP why", counted apart. */
void gb_tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gb_tap_done(void);

#define ok(cond, ...) gb_tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define skip(...)     gb_tap_skip(__VA_ARGS__)
/* Each argument is evaluated once: `is_int(parse(...), 0, ...)` parses once. */
int gb_tap_is_int(long long got, long long want, const char *file, int line, const char *name);
int gb_tap_is_dbl(double got, double want, double eps, const char *file, int line,
                  const char *name);
#define is_int(got, want, name)                                                                    \
	gb_tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, name)
#define is_dbl(got, want, eps, name)                                                               \
	gb_tap_is_dbl((double)(got), (double)(want), (double)(eps), __FILE__, __LINE__, name)

#endif
