/*
 * fuzz_util.c - the scratch directory, the stderr capture and the failure
 * report shared by the fuzz targets (see fuzz.h). Sanitizer reports are
 * sent to the real stderr, so a crash inside a captured call still shows.
 */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Present under a sanitizer only; weak so the plain replay build links. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

static char fuzz_dir_path[256];
static int fuzz_real_stderr = -1, fuzz_capture = -1;

static void fuzz_cleanup(void)
{
	DIR *d;
	struct dirent *e;

	if (!fuzz_dir_path[0] || !(d = opendir(fuzz_dir_path)))
		return;
	while ((e = readdir(d))) {
		char p[600];
		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		snprintf(p, sizeof(p), "%s/%s", fuzz_dir_path, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(fuzz_dir_path);
}

/*
 * Under $TMPDIR when set (.ci/run points it into a directory it removes:
 * libFuzzer may end the process without running atexit), else /dev/shm.
 */
const char *gb_fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *base = tmp && *tmp ? tmp : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/gb_fuzz_XXXXXX", base);
	if (!mkdtemp(fuzz_dir_path))
		gb_fuzz_fail("mkdtemp %s failed", fuzz_dir_path);
	atexit(fuzz_cleanup);
	return fuzz_dir_path;
}

const char *gb_fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char paths[4][600];
	static const char *names[4];
	char *path = NULL;
	int fd;

	for (int i = 0; i < 4 && !path; i++) {
		if (!names[i] || strcmp(names[i], name) == 0) {
			names[i] = name;
			path = paths[i];
		}
	}
	if (!path)
		gb_fuzz_fail("more than 4 scratch file names");
	snprintf(path, sizeof(paths[0]), "%s/%s", gb_fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		gb_fuzz_fail("cannot write %s", path);
	close(fd);
	return path;
}

void gb_fuzz_stderr_begin(void)
{
	if (fuzz_real_stderr < 0) {
		char path[600];

		fuzz_real_stderr = dup(STDERR_FILENO);
		snprintf(path, sizeof(path), "%s/stderr", gb_fuzz_dir());
		fuzz_capture = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fuzz_real_stderr < 0 || fuzz_capture < 0)
			gb_fuzz_fail("cannot capture stderr");
		if (__sanitizer_set_report_fd)
			__sanitizer_set_report_fd((void *)(intptr_t)fuzz_real_stderr);
	}
	fflush(stderr);
	if (ftruncate(fuzz_capture, 0) != 0 || lseek(fuzz_capture, 0, SEEK_SET) != 0)
		gb_fuzz_fail("cannot reset the stderr capture");
	dup2(fuzz_capture, STDERR_FILENO);
}

int gb_fuzz_stderr_end(void)
{
	char buf[4096];
	const char *verbose = getenv("GB_FUZZ_VERBOSE");
	off_t off = 0;
	ssize_t n;
	int lines = 0;

	fflush(stderr);
	dup2(fuzz_real_stderr, STDERR_FILENO);
	while ((n = pread(fuzz_capture, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (verbose && *verbose == '1' && write(STDERR_FILENO, buf, (size_t)n) < 0)
			break;
		off += n;
	}
	return lines;
}

_Noreturn void gb_fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	if (fuzz_real_stderr >= 0)
		dup2(fuzz_real_stderr, STDERR_FILENO);
	fprintf(stderr, "gb_fuzz: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Output of the readers under test (reports, exports) is not the point. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *verbose = getenv("GB_FUZZ_VERBOSE");
	int fd;

	(void)argc;
	(void)argv;
	if (verbose && *verbose == '1')
		return 0;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return 0;
}
