/*
 * file.h - writing an output file so that a reader never sees half of it.
 */
#ifndef GB_FILE_H
#define GB_FILE_H

#include <stddef.h>

/*
 * Replaces PATH's content with TEXT: a temporary created safely (mkstemp,
 * so O_EXCL and never through a planted link) in PATH's directory, synced,
 * then renamed over PATH. "-" is standard output; a device or FIFO is
 * written in place (-ENXIO for a FIFO nobody reads); a symbolic link is
 * written through (its target is replaced, the link stays). 0 or -errno;
 * *existed (may be NULL) says whether PATH was a regular file before, so a
 * caller can say it is kept. Prints nothing: the caller names the file in
 * its own diagnostic.
 */
int gb_file_write_atomic(const char *path, const char *text, size_t len, int *existed);

/* Writes all of BUF to FD, retrying short writes and EINTR. 0 or -errno. */
int gb_file_write_all(int fd, const char *buf, size_t len);

#endif
