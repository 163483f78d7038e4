/*
 * results_io.h - reading and writing result files (schema_version 1).
 */
#ifndef GB_RESULTS_IO_H
#define GB_RESULTS_IO_H

#include <stdio.h>

#include <jansson.h>

/*
 * Loads and checks a result file: valid JSON, an object with
 * schema_version 1, a context object and a results array whose entries have
 * model, workload, params and status. On error prints one line naming the
 * file and the problem, and returns -EINVAL (or -errno for I/O).
 */
int gb_results_load(const char *path, json_t **out);

/*
 * Writes `doc` to `path` atomically: a temp file in the same directory,
 * fsync, rename. "-" means stdout; a device or FIFO is written in place.
 * 0 or -errno (after printing one line naming the path and the reason).
 */
int gb_json_write_atomic(const char *path, json_t *doc);

/* The same, for text already formatted. */
int gb_text_write_atomic(const char *path, const char *text, size_t len);

/*
 * The same, for text that put(f, arg) prints (0, or -errno): the text is
 * formatted in memory first, so a failure leaves `path` as it was. 0 or
 * -errno, after one line (`where`: out of memory; the path: a write error).
 */
int gb_text_write_with(const char *path, const char *where, int (*put)(FILE *f, void *arg),
                       void *arg);

#endif
