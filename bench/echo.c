/*
 * echo.c - the echo peer thread: epoll over the server ends of per-task
 * socketpairs, echoing every byte back. It does not time anything; the
 * latency is measured by the task that waits for the reply.
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
#include <sys/socket.h>
#include <unistd.h>

struct gb_echo {
	pthread_t thread;
	int epfd;
	int stopfd;
	unsigned n;
	int *server_fds;
	int *client_fds;
	int pu;
	int started;
};

static void echo_serve(int fd)
{
	char buf[16384];

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return; /* EAGAIN: drained; EOF: the client went away */
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(fd, buf + off, (size_t)(r - off));
			if (w < 0) {
				if (errno == EAGAIN || errno == EINTR) {
					sched_yield();
					continue;
				}
				return;
			}
			off += w;
		}
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
	for (;;) {
		int n = epoll_wait(e->epfd, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == e->stopfd)
				return NULL;
			echo_serve(evs[i].data.fd);
		}
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

int gb_echo_start(struct gb_echo **out, unsigned n, int *client_fds, int pu_os_index)
{
	struct gb_echo *e = calloc(1, sizeof(*e));
	struct epoll_event ev = {.events = EPOLLIN};
	int err;

	if (!e)
		return -ENOMEM;
	e->pu = pu_os_index;
	e->client_fds = client_fds;
	e->stopfd = -1;
	e->server_fds = calloc(n ? n : 1, sizeof(int));
	if (!e->server_fds) {
		free(e);
		return -ENOMEM;
	}
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->epfd < 0 || e->stopfd < 0) {
		err = -errno;
		goto fail;
	}
	ev.data.fd = e->stopfd;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->stopfd, &ev) != 0) {
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
	free(e->server_fds);
	free(e);
}
