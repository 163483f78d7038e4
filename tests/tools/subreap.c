/*
 * subreap.c - a test tool: runs a command as a child subreaper, so every
 * process the command leaves behind (an orphan, or a zombie nobody reaped)
 * is re-parented here and can be counted. It is how the CLI tests check
 * that gilbench leaves no process behind; it is not part of gilbench.
 *
 *   subreap REPORT CMD [ARG...]
 *
 * REPORT gets "pid=N" as soon as CMD runs (tests signal that pid), then,
 * once CMD has ended: "status=exit N" or "status=signal N"; "orphans=K",
 * the descendants that outlived CMD and ended within the bound below (a
 * cell process killed with its harness, for one); "left=M", those still
 * alive after it, which are then killed. The exit status is CMD's, or
 * 128 + its signal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long orphans may take to die once CMD is gone: far above any exit. */
#define SUBREAP_BOUND_S 20.0

static double subreap_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Live (not zombie) children of this process, from /proc; kills them if asked. */
static int subreap_live_children(int kill_them)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid();
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], buf[512], *p, state = '?';
		int ppid = -1;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == self && state != 'Z') {
			n++;
			if (kill_them)
				kill(atoi(e->d_name), SIGKILL);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	int status = 0, orphans = 0, left = 0;
	double end;
	FILE *report;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: subreap REPORT CMD [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("subreap: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	report = fopen(argv[1], "w");
	if (!report) {
		perror(argv[1]);
		return 2;
	}
	pid = fork();
	if (pid < 0) {
		perror("subreap: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	fprintf(report, "pid=%d\n", (int)pid);
	fflush(report);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("subreap: waitpid");
			return 2;
		}
	end = subreap_now() + SUBREAP_BOUND_S;
	for (;;) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r > 0) {
			orphans++;
			continue;
		}
		if (r < 0 && errno == ECHILD)
			break;
		if (subreap_now() > end) {
			left = subreap_live_children(1);
			while (waitpid(-1, NULL, 0) > 0)
				;
			break;
		}
		usleep(10000);
	}
	if (WIFEXITED(status))
		fprintf(report, "status=exit %d\n", WEXITSTATUS(status));
	else
		fprintf(report, "status=signal %d\n", WTERMSIG(status));
	fprintf(report, "orphans=%d\nleft=%d\n", orphans, left);
	fclose(report);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
