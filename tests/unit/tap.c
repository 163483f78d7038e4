/* tap.c - the TAP producer behind tests/unit/tap.h; nothing else. */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;
static int tap_skipped;

int gb_tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

int gb_tap_is_int(long long got, long long want, const char *file, int line, const char *name)
{
	return gb_tap_ok(got == want, file, line, "%s (got %lld, want %lld)", name, got, want);
}

int gb_tap_is_dbl(double got, double want, double eps, const char *file, int line, const char *name)
{
	return gb_tap_ok(got - want <= eps && want - got <= eps, file, line,
	                 "%s (got %.9g, want %.9g)", name, got, want);
}

void gb_tap_skip(const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	tap_skipped++;
	printf("ok %d # SKIP ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int gb_tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d checks failed\n", tap_failed, tap_count);
	if (tap_skipped)
		printf("# %d of %d checks skipped\n", tap_skipped, tap_count);
	if (tap_failed)
		return 1;
	/* Every check skipped: ctest's SKIP_RETURN_CODE says so. */
	return tap_count > 0 && tap_skipped == tap_count ? 77 : 0;
}
