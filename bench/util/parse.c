/*
 * parse.c - strict parsing of the numbers people type: an unsigned integer,
 * a finite real, a size with a K/M/G suffix, each within a range. It does
 * not know which option a number is for: callers say that in their message.
 */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int gb_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                  unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int gb_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int gb_parse_size(const char *s, unsigned long long *out)
{
	char buf[64];
	size_t len = s ? strlen(s) : 0;
	unsigned shift = 0;
	unsigned long long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	switch (buf[len - 1]) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift)
		buf[len - 1] = '\0';
	/* The byte count, not the suffixed number, is what must fit. */
	if (gb_parse_uint(buf, 0, (1ull << 40) >> shift, &v) != 0)
		return -EINVAL;
	*out = v << shift;
	return 0;
}
