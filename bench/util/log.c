/*
 * log.c - the one format of gilbench diagnostics. Not a logging framework:
 * no levels beyond error and warning, no files.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

static void log_line(const char *kind, const char *where, const char *fmt, va_list ap)
{
	char buf[1024], line[1500];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	snprintf(line, sizeof(line), "gilbench: %s%s%s%s", where ? where : "", where ? ": " : "",
	         kind, buf);
	/* One line, whatever the path or argument quoted in it contains. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "%s\n", line);
}

void gb_err(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("", where, fmt, ap);
	va_end(ap);
}

void gb_warn(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("warning: ", where, fmt, ap);
	va_end(ap);
}
