/*
 * log.h - diagnostics on stderr, one line each: "gilbench: <where>: <what>".
 */
#ifndef GB_LOG_H
#define GB_LOG_H

void gb_err(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gb_warn(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
