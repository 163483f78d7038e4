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
#define is_int(got, want, name)                                                                    \
	ok((long long)(got) == (long long)(want), "%s (got %lld, want %lld)", name,                \
	   (long long)(got), (long long)(want))
#define is_dbl(got, want, eps, name)                                                               \
	ok(((got) - (want)) <= (eps) && ((want) - (got)) <= (eps), "%s (got %.9g, want %.9g)",     \
	   name, (double)(got), (double)(want))

#endif
