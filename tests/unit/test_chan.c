/*
 * test_chan.c - channels: FIFO order, blocking get, close, sizes and
 * truncation, in-process between threads and across forked writers.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gilbench/chan.h>

#include "tap.h"

static int rc; /* tap.h macros evaluate their arguments twice */

static void test_inproc_basic(void)
{
	struct gb_chan *ch;
	char buf[GB_CHAN_MSG_MAX + 1], big[GB_CHAN_MSG_MAX + 1];
	size_t len = 0;
	int order = 1;

	rc = gb_chan_create_inproc(&ch);
	is_int(rc, 0, "inproc: create");
	if (rc)
		return;
	for (int i = 0; i < 100; i++) {
		char msg[16];
		int n = snprintf(msg, sizeof(msg), "m%d", i);
		gb_chan_put(ch, msg, (size_t)n);
	}
	for (int i = 0; i < 100; i++) {
		char want[16];
		snprintf(want, sizeof(want), "m%d", i);
		rc = gb_chan_get(ch, buf, sizeof(buf), &len);
		order &= rc == 0 && len == strlen(want) && memcmp(buf, want, len) == 0;
	}
	ok(order, "inproc: 100 messages come out in order");

	memset(big, 'x', sizeof(big));
	rc = gb_chan_put(ch, big, GB_CHAN_MSG_MAX + 1);
	is_int(rc, -EMSGSIZE, "inproc: a message over GB_CHAN_MSG_MAX");
	rc = gb_chan_put(ch, big, GB_CHAN_MSG_MAX);
	is_int(rc, 0, "inproc: a message of exactly GB_CHAN_MSG_MAX");
	rc = gb_chan_get(ch, buf, 10, &len);
	ok(rc == 0 && len == GB_CHAN_MSG_MAX && buf[9] == 'x',
	   "inproc: cut to cap, full length told");
	rc = gb_chan_put(ch, NULL, 0);
	is_int(rc, 0, "inproc: an empty message");
	rc = gb_chan_get(ch, buf, sizeof(buf), &len);
	ok(rc == 0 && len == 0, "inproc: ... arrives empty");

	gb_chan_put(ch, "last", 4);
	gb_chan_close_writer(ch);
	rc = gb_chan_put(ch, "late", 4);
	is_int(rc, -EPIPE, "inproc: put after close");
	rc = gb_chan_get(ch, buf, sizeof(buf), &len);
	ok(rc == 0 && len == 4 && memcmp(buf, "last", 4) == 0,
	   "inproc: close keeps queued messages");
	rc = gb_chan_get(ch, buf, sizeof(buf), &len);
	is_int(rc, -EPIPE, "inproc: closed and drained");
	gb_chan_destroy(ch);
	gb_chan_destroy(NULL);
}

struct producer {
	struct gb_chan *ch;
	int id, count;
};

static void *producer_main(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->count; i++) {
		int msg[2] = {p->id, i};
		gb_chan_put(p->ch, msg, sizeof(msg));
	}
	return NULL;
}

static void test_inproc_threads(void)
{
	enum { P = 3, N = 5000 };
	struct gb_chan *ch;
	struct producer prod[P];
	pthread_t tid[P];
	int next[P] = {0}, bad = 0, got = 0;

	gb_chan_create_inproc(&ch);
	for (int i = 0; i < P; i++) {
		prod[i] = (struct producer){ch, i, N};
		pthread_create(&tid[i], NULL, producer_main, &prod[i]);
	}
	/* The consumer blocks in get while producers run. */
	while (got < P * N) {
		int msg[2];
		size_t len;
		if (gb_chan_get(ch, msg, sizeof(msg), &len) != 0 || len != sizeof(msg) ||
		    msg[0] < 0 || msg[0] >= P || msg[1] != next[msg[0]]++)
			bad++;
		got++;
	}
	for (int i = 0; i < P; i++)
		pthread_join(tid[i], NULL);
	is_int(bad, 0, "inproc: 3 producer threads, 15000 messages, each producer's in order");
	gb_chan_destroy(ch);
}

static void test_xproc(void)
{
	enum { W = 3, N = 300 };
	struct gb_chan *ch;
	pid_t pid[W];
	int next[W] = {0}, bad = 0, got = 0, clean = 1;
	size_t len;
	char buf[64];

	rc = gb_chan_create_xproc(&ch);
	is_int(rc, 0, "xproc: create");
	if (rc)
		return;
	fflush(stdout);
	for (int w = 0; w < W; w++) {
		pid[w] = fork();
		if (pid[w] == 0) {
			gb_chan_xproc_writer_side(ch);
			for (int i = 0; i < N; i++) {
				char msg[64];
				int n = snprintf(msg, sizeof(msg), "%d:%d:%s", w, i,
				                 i % 2 ? "odd-length-padding" : "x");
				if (gb_chan_put(ch, msg, (size_t)n) != 0)
					_exit(3);
			}
			_exit(0);
		}
	}
	gb_chan_xproc_reader_side(ch);
	for (;;) {
		int w, i;
		rc = gb_chan_get(ch, buf, sizeof(buf) - 1, &len);
		if (rc)
			break;
		buf[len] = '\0';
		if (sscanf(buf, "%d:%d:", &w, &i) != 2 || w < 0 || w >= W || i != next[w]++)
			bad++;
		got++;
	}
	is_int(rc, -EPIPE, "xproc: get returns -EPIPE once every writer is gone");
	is_int(got, W * N, "xproc: every message from 3 forked writers arrived");
	is_int(bad, 0, "xproc: whole frames, each writer's in order");
	for (int w = 0; w < W; w++) {
		int status;
		waitpid(pid[w], &status, 0);
		clean &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	ok(clean, "xproc: writers exited cleanly");
	gb_chan_destroy(ch);
}

static void test_xproc_sizes(void)
{
	struct gb_chan *ch;
	static char big[GB_CHAN_MSG_MAX], back[GB_CHAN_MSG_MAX];
	size_t len = 0;

	gb_chan_create_xproc(&ch);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	/* One process, both ends: a pipe holds 64 KiB, enough for these. */
	rc = gb_chan_put(ch, big, GB_CHAN_MSG_MAX);
	is_int(rc, 0, "xproc: a GB_CHAN_MSG_MAX message");
	gb_chan_put(ch, "ab", 2);
	gb_chan_put(ch, NULL, 0);
	rc = gb_chan_put(ch, big, GB_CHAN_MSG_MAX + 1);
	is_int(rc, -EMSGSIZE, "xproc: over GB_CHAN_MSG_MAX");
	rc = gb_chan_get(ch, back, sizeof(back), &len);
	ok(rc == 0 && len == GB_CHAN_MSG_MAX && memcmp(big, back, len) == 0,
	   "xproc: the big message intact");
	rc = gb_chan_get(ch, back, 1, &len);
	ok(rc == 0 && len == 2 && back[0] == 'a', "xproc: cut to cap, full length told");
	rc = gb_chan_get(ch, back, sizeof(back), &len);
	ok(rc == 0 && len == 0, "xproc: an empty message");
	gb_chan_close_writer(ch);
	rc = gb_chan_get(ch, back, sizeof(back), &len);
	is_int(rc, -EPIPE, "xproc: closed and drained");
	rc = gb_chan_put(ch, "x", 1);
	is_int(rc, -EPIPE, "xproc: put on a closed writer");
	gb_chan_destroy(ch);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_inproc_basic();
	test_inproc_threads();
	test_xproc();
	test_xproc_sizes();
	return gb_tap_done();
}
