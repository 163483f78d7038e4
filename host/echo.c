/*
 * echo.c - the echo peer thread: epoll over the server ends of per-task
 * socketpairs, echoing every byte back after the turnaround delay. Replies
 * wait in a FIFO (the delay is the same for all, so arrival order is
 * deadline order). It does not time anything for the results; the latency
 * is measured by the task that waits for the reply.
 *
 * Keeping the delay: a sleeping thread wakes tens of microseconds after
 * its timer on this kind of machine (timer slack aside, which is set to
 * the minimum here: the hrtimer interrupt and the wake-up of an idle vCPU
 * remain), so a 50 us delay came out as about 130 us. The peer therefore
 * sleeps (timerfd) only until "due minus its measured lateness" and polls
 * (epoll with no timeout, still serving new requests) for the rest; the
 * lateness is learnt from its own timer wake-ups.
 */
#include "echo.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* A reply waiting for its time. */
struct echo_pending {
	int fd;
	uint32_t len;
	uint64_t due_ns;
	char *data;
};

/* How long before a reply is due the peer stops sleeping and polls. */
#define ECHO_SPIN_MIN_NS  10000ull
#define ECHO_SPIN_MAX_NS  2000000ull
#define ECHO_LATE_INIT_NS 50000ull

struct gb_echo {
	pthread_t thread;
	int epfd;
	int stopfd;
	int timerfd;
	uint64_t delay_ns;
	uint64_t armed_ns;      /* absolute expiry the timerfd is set to, 0 = disarmed */
	uint64_t late_ns;       /* moving average of how late the timer wakes us */
	struct echo_pending *q; /* ring */
	size_t qhead, qlen, qcap;
	unsigned n;
	int *server_fds;
	int *client_fds;
	int pu;
	int started;
};

static void echo_write_all(int fd, const char *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				sched_yield();
				continue;
			}
			return; /* the client went away */
		}
		off += (size_t)w;
	}
}

static uint64_t echo_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sets the timerfd to expire at `at` (absolute, CLOCK_MONOTONIC); 0 disarms. */
static void echo_arm(struct gb_echo *e, uint64_t at)
{
	struct itimerspec its = {0};

	if (at == e->armed_ns)
		return;
	its.it_value.tv_sec = (time_t)(at / 1000000000ull);
	its.it_value.tv_nsec = (long)(at % 1000000000ull);
	timerfd_settime(e->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
	e->armed_ns = at;
}

static uint64_t echo_spin_ns(const struct gb_echo *e)
{
	uint64_t s = e->late_ns + ECHO_SPIN_MIN_NS;

	return s > ECHO_SPIN_MAX_NS ? ECHO_SPIN_MAX_NS : s;
}

static int echo_enqueue(struct gb_echo *e, int fd, const char *buf, size_t len)
{
	struct echo_pending *p;

	if (e->qlen == e->qcap) {
		size_t cap = e->qcap ? e->qcap * 2 : 64;
		struct echo_pending *q = malloc(cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < e->qlen; i++)
			q[i] = e->q[(e->qhead + i) % e->qcap];
		free(e->q);
		e->q = q;
		e->qcap = cap;
		e->qhead = 0;
	}
	p = &e->q[(e->qhead + e->qlen) % e->qcap];
	p->data = malloc(len);
	if (!p->data)
		return -ENOMEM;
	memcpy(p->data, buf, len);
	p->fd = fd;
	p->len = (uint32_t)len;
	p->due_ns = echo_now() + e->delay_ns;
	e->qlen++;
	return 0;
}

/* The timer fired: learn how late it woke us. */
static void echo_timer_fired(struct gb_echo *e)
{
	uint64_t now = echo_now(), expirations;

	if (read(e->timerfd, &expirations, sizeof(expirations)) < 0)
		return; /* EAGAIN: disarmed or re-armed meanwhile */
	if (e->armed_ns && now > e->armed_ns)
		e->late_ns = (7 * e->late_ns + (now - e->armed_ns)) / 8;
	e->armed_ns = 0;
}

/* Sends every reply whose time has come. */
static void echo_flush_due(struct gb_echo *e)
{
	uint64_t now = echo_now();

	while (e->qlen && e->q[e->qhead].due_ns <= now) {
		struct echo_pending *p = &e->q[e->qhead];
		echo_write_all(p->fd, p->data, p->len);
		free(p->data);
		e->qhead = (e->qhead + 1) % e->qcap;
		e->qlen--;
	}
}

/* The epoll timeout for the next wait: sleep (timer armed), or poll. */
static int echo_next_timeout(struct gb_echo *e)
{
	uint64_t now, due, spin;

	if (!e->qlen) {
		echo_arm(e, 0);
		return -1;
	}
	now = echo_now();
	due = e->q[e->qhead].due_ns;
	spin = echo_spin_ns(e);
	if (due <= now + spin) {
		echo_arm(e, 0);
		return 0; /* close enough: poll, serving new requests meanwhile */
	}
	echo_arm(e, due - spin);
	return -1;
}

static void echo_serve(struct gb_echo *e, int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return; /* EAGAIN: drained; EOF: the client went away */
		/* Without a delay, or if queueing fails, answer at once. */
		if (!e->delay_ns || echo_enqueue(e, fd, buf, (size_t)r) != 0)
			echo_write_all(fd, buf, (size_t)r);
	}
}

static void *echo_main(void *arg)
{
	struct gb_echo *e = arg;
	struct epoll_event evs[64];

	if (e->pu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET((unsigned)e->pu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	/* The default 50 us timer slack would be larger than the delay itself. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (;;) {
		int n = epoll_wait(e->epfd, evs, 64, echo_next_timeout(e));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == e->stopfd)
				return NULL;
			if (evs[i].data.fd == e->timerfd)
				echo_timer_fired(e);
			else
				echo_serve(e, evs[i].data.fd);
		}
		echo_flush_due(e);
	}
	return NULL;
}

static int echo_add_pair(struct gb_echo *e, unsigned i)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	/* The server end is non-blocking so that one client cannot stall the rest. */
	ev.data.fd = sv[1];
	if (fcntl(sv[1], F_SETFL, O_NONBLOCK) != 0 ||
	    epoll_ctl(e->epfd, EPOLL_CTL_ADD, sv[1], &ev) != 0) {
		int err = -errno;
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	e->client_fds[i] = sv[0];
	e->server_fds[i] = sv[1];
	e->n = i + 1;
	return 0;
}

int gb_echo_start(struct gb_echo **out, unsigned n, int *client_fds, int pu_os_index,
                  uint64_t delay_ns)
{
	struct gb_echo *e = calloc(1, sizeof(*e));
	struct epoll_event ev = {.events = EPOLLIN};
	int err;

	if (!e)
		return -ENOMEM;
	e->pu = pu_os_index;
	e->delay_ns = delay_ns;
	e->late_ns = ECHO_LATE_INIT_NS;
	e->client_fds = client_fds;
	e->stopfd = -1;
	e->timerfd = -1;
	e->server_fds = calloc(n ? n : 1, sizeof(int));
	if (!e->server_fds) {
		free(e);
		return -ENOMEM;
	}
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	e->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (e->epfd < 0 || e->stopfd < 0 || e->timerfd < 0) {
		err = -errno;
		goto fail;
	}
	ev.data.fd = e->stopfd;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->stopfd, &ev) != 0) {
		err = -errno;
		goto fail;
	}
	ev.data.fd = e->timerfd;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->timerfd, &ev) != 0) {
		err = -errno;
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		err = echo_add_pair(e, i);
		if (err)
			goto fail;
	}
	err = -pthread_create(&e->thread, NULL, echo_main, e);
	if (err)
		goto fail;
	e->started = 1;
	*out = e;
	return 0;

fail:
	gb_echo_stop(e);
	return err;
}

void gb_echo_stop(struct gb_echo *e)
{
	if (!e)
		return;
	if (e->started) {
		uint64_t one = 1;
		if (write(e->stopfd, &one, sizeof(one)) < 0)
			pthread_cancel(e->thread);
		pthread_join(e->thread, NULL);
	}
	for (unsigned i = 0; i < e->n; i++) {
		close(e->server_fds[i]);
		close(e->client_fds[i]);
		e->client_fds[i] = -1;
	}
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->stopfd >= 0)
		close(e->stopfd);
	if (e->timerfd >= 0)
		close(e->timerfd);
	for (size_t i = 0; i < e->qlen; i++)
		free(e->q[(e->qhead + i) % e->qcap].data);
	free(e->q);
	free(e->server_fds);
	free(e);
}
