/*
 * file.c - atomic replacement of an output file, shared by the trace writer
 * (host/run.c) and every output of the harness (results, exports, charts'
 * data, report.md). It is not responsible for what is written, nor for
 * telling the user: it returns -errno and the caller says which file.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int gb_file_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * A device or a FIFO (/dev/null, /dev/full, /dev/stdout, a pipe) is
 * written in place: renaming a temp file over it would replace the node
 * itself, and there is no earlier content to keep. A FIFO with no reader
 * is -ENXIO, not a wait for one that may never come.
 */
static int file_write_in_place(const char *path, const char *text, size_t len, int fifo)
{
	/* A FIFO nobody reads would block the open forever: ENXIO instead. */
	int fd = open(path, O_WRONLY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0)), err;

	if (fd < 0)
		return -errno;
	if (fifo && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	err = gb_file_write_all(fd, text, len);
	if (close(fd) != 0 && !err && errno != EINTR)
		err = -errno;
	return err;
}

/* The temporary's template, ".NAME.XXXXXX" in PATH's directory. */
static char *file_tmp_template(const char *path)
{
	char *d = strdup(path), *b = strdup(path), *tmpl = NULL;

	if (d && b && asprintf(&tmpl, "%s/.%s.XXXXXX", dirname(d), basename(b)) < 0)
		tmpl = NULL;
	free(d);
	free(b);
	return tmpl;
}

static int file_replace(const char *path, const char *text, size_t len)
{
	char *tmp = file_tmp_template(path);
	int fd, err = 0;

	if (!tmp)
		return -ENOMEM;
	fd = mkstemp(tmp); /* O_CREAT | O_EXCL: a planted file or link fails it */
	if (fd < 0) {
		err = -errno;
		goto fail_open;
	}
	if (fchmod(fd, 0644) != 0 || (err = gb_file_write_all(fd, text, len)) != 0) {
		err = err ? err : -errno;
		goto fail_write;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		err = -errno;
		goto fail_write;
	}
	err = close(fd) != 0 ? -errno : 0;
	fd = -1;
	if (err || rename(tmp, path) != 0) {
		err = err ? err : -errno;
		goto fail_write;
	}
	free(tmp);
	return 0;

fail_write:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail_open:
	free(tmp);
	return err;
}

int gb_file_write_atomic(const char *path, const char *text, size_t len, int *existed)
{
	struct stat st;
	char real[PATH_MAX];
	int there;

	if (strcmp(path, "-") == 0) {
		if (existed)
			*existed = 0;
		return gb_file_write_all(STDOUT_FILENO, text, len);
	}
	there = stat(path, &st) == 0;
	if (existed)
		*existed = there && S_ISREG(st.st_mode);
	if (there && !S_ISREG(st.st_mode))
		return file_write_in_place(path, text, len, S_ISFIFO(st.st_mode));
	/* Through a symbolic link: replace its target, keep the link. */
	if (there && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!realpath(path, real))
			return -errno;
		path = real;
	}
	return file_replace(path, text, len);
}
