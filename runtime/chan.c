/*
 * chan.c - the channels tasks return results through.
 *
 * inproc: queue.Queue: a FIFO of copied messages under a mutex, a
 *   condition variable for blocked readers. Any number of threads on
 *   either side.
 * xproc: multiprocessing.SimpleQueue: a pipe created before fork, each
 *   message a frame of a 4-byte length (native byte order: both ends are
 *   the same machine) and the payload. A frame of at most PIPE_BUF bytes,
 *   so a payload of at most PIPE_BUF - 4 (4092 on Linux), goes out in one
 *   write(2), which POSIX makes atomic: several writer processes can share
 *   one channel. Longer payloads (up to GB_CHAN_MSG_MAX) are written in
 *   pieces and need a single writer. The reader buffers what it reads, so a
 *   small message costs one read(2); hence one reading process per
 *   channel. A put after every reader is gone raises SIGPIPE unless the
 *   process ignores it, and then returns -EPIPE.
 *
 * Not here: serialisation (messages are bytes) and who owns which end
 * after fork (the model calls gb_chan_xproc_*_side).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gilbench/chan.h>

#define CHAN_HDR  4u
#define CHAN_RBUF (CHAN_HDR + GB_CHAN_MSG_MAX)

enum chan_kind { CHAN_INPROC, CHAN_XPROC };

struct chan_msg {
	struct chan_msg *next;
	size_t len;
	unsigned char data[];
};

struct gb_chan {
	enum chan_kind kind;
	/* inproc */
	pthread_mutex_t mutex;
	pthread_cond_t nonempty;
	struct chan_msg *head, *tail;
	int closed;
	/* xproc */
	int rfd, wfd;
	size_t rpos, rlen; /* unparsed bytes in rbuf[rpos, rlen) */
	unsigned char *rbuf;
};

int gb_chan_create_inproc(struct gb_chan **out)
{
	struct gb_chan *ch = calloc(1, sizeof(*ch));
	int err;

	*out = NULL;
	if (!ch)
		return -ENOMEM;
	ch->kind = CHAN_INPROC;
	ch->rfd = ch->wfd = -1;
	err = -pthread_mutex_init(&ch->mutex, NULL);
	if (err)
		goto fail_mutex;
	err = -pthread_cond_init(&ch->nonempty, NULL);
	if (err)
		goto fail_cond;
	*out = ch;
	return 0;

fail_cond:
	pthread_mutex_destroy(&ch->mutex);
fail_mutex:
	free(ch);
	return err;
}

int gb_chan_create_xproc(struct gb_chan **out)
{
	struct gb_chan *ch = calloc(1, sizeof(*ch));
	int fds[2], err;

	*out = NULL;
	if (!ch)
		return -ENOMEM;
	ch->kind = CHAN_XPROC;
	ch->rbuf = malloc(CHAN_RBUF);
	if (!ch->rbuf) {
		err = -ENOMEM;
		goto fail_buf;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		err = -errno;
		goto fail_pipe;
	}
	ch->rfd = fds[0];
	ch->wfd = fds[1];
	*out = ch;
	return 0;

fail_pipe:
	free(ch->rbuf);
fail_buf:
	free(ch);
	return err;
}

void gb_chan_destroy(struct gb_chan *ch)
{
	if (!ch)
		return;
	if (ch->kind == CHAN_INPROC) {
		struct chan_msg *m = ch->head;
		while (m) {
			struct chan_msg *next = m->next;
			free(m);
			m = next;
		}
		pthread_cond_destroy(&ch->nonempty);
		pthread_mutex_destroy(&ch->mutex);
	} else {
		if (ch->rfd >= 0)
			close(ch->rfd);
		if (ch->wfd >= 0)
			close(ch->wfd);
		free(ch->rbuf);
	}
	free(ch);
}

static int chan_write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gb_chan_put(struct gb_chan *ch, const void *msg, size_t len)
{
	if (!ch || (len && !msg))
		return -EINVAL;
	if (len > GB_CHAN_MSG_MAX)
		return -EMSGSIZE;
	if (ch->kind == CHAN_INPROC) {
		struct chan_msg *m = malloc(sizeof(*m) + len);
		if (!m)
			return -ENOMEM;
		m->next = NULL;
		m->len = len;
		if (len)
			memcpy(m->data, msg, len);
		pthread_mutex_lock(&ch->mutex);
		if (ch->closed) {
			pthread_mutex_unlock(&ch->mutex);
			free(m);
			return -EPIPE;
		}
		if (ch->tail)
			ch->tail->next = m;
		else
			ch->head = m;
		ch->tail = m;
		pthread_cond_signal(&ch->nonempty);
		pthread_mutex_unlock(&ch->mutex);
		return 0;
	}
	if (ch->wfd < 0)
		return -EPIPE;
	{
		unsigned char frame[CHAN_HDR + GB_CHAN_MSG_MAX];
		uint32_t n32 = (uint32_t)len;

		memcpy(frame, &n32, CHAN_HDR);
		if (len)
			memcpy(frame + CHAN_HDR, msg, len);
		return chan_write_all(ch->wfd, frame, CHAN_HDR + len);
	}
}

static int chan_get_inproc(struct gb_chan *ch, void *buf, size_t cap, size_t *len)
{
	struct chan_msg *m;

	pthread_mutex_lock(&ch->mutex);
	while (!ch->head && !ch->closed)
		pthread_cond_wait(&ch->nonempty, &ch->mutex);
	m = ch->head;
	if (m) {
		ch->head = m->next;
		if (!ch->head)
			ch->tail = NULL;
	}
	pthread_mutex_unlock(&ch->mutex);
	if (!m)
		return -EPIPE;
	memcpy(buf, m->data, m->len < cap ? m->len : cap);
	*len = m->len;
	free(m);
	return 0;
}

/* Reads until rbuf holds `need` unparsed bytes. 0, -EPIPE at a clean end,
 * -EPROTO for a frame cut short, or -errno. */
static int chan_fill(struct gb_chan *ch, size_t need)
{
	if (ch->rlen - ch->rpos >= need)
		return 0;
	if (ch->rpos) {
		memmove(ch->rbuf, ch->rbuf + ch->rpos, ch->rlen - ch->rpos);
		ch->rlen -= ch->rpos;
		ch->rpos = 0;
	}
	while (ch->rlen < need) {
		ssize_t n = read(ch->rfd, ch->rbuf + ch->rlen, CHAN_RBUF - ch->rlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return ch->rlen ? -EPROTO : -EPIPE;
		ch->rlen += (size_t)n;
	}
	return 0;
}

int gb_chan_get(struct gb_chan *ch, void *buf, size_t cap, size_t *len)
{
	uint32_t n32;
	int err;

	if (!ch || !len || (cap && !buf))
		return -EINVAL;
	if (ch->kind == CHAN_INPROC)
		return chan_get_inproc(ch, buf, cap, len);
	if (ch->rfd < 0)
		return -EPIPE;
	err = chan_fill(ch, CHAN_HDR);
	if (err)
		return err;
	memcpy(&n32, ch->rbuf + ch->rpos, CHAN_HDR);
	if (n32 > GB_CHAN_MSG_MAX)
		return -EPROTO; /* not a frame we wrote: the stream is lost */
	err = chan_fill(ch, CHAN_HDR + n32);
	if (err)
		return err;
	memcpy(buf, ch->rbuf + ch->rpos + CHAN_HDR, n32 < cap ? n32 : cap);
	*len = n32;
	ch->rpos += CHAN_HDR + n32;
	return 0;
}

void gb_chan_close_writer(struct gb_chan *ch)
{
	if (!ch)
		return;
	if (ch->kind == CHAN_INPROC) {
		pthread_mutex_lock(&ch->mutex);
		ch->closed = 1;
		pthread_cond_broadcast(&ch->nonempty);
		pthread_mutex_unlock(&ch->mutex);
	} else if (ch->wfd >= 0) {
		close(ch->wfd);
		ch->wfd = -1;
	}
}

void gb_chan_xproc_reader_side(struct gb_chan *ch)
{
	if (ch && ch->kind == CHAN_XPROC && ch->wfd >= 0) {
		close(ch->wfd);
		ch->wfd = -1;
	}
}

void gb_chan_xproc_writer_side(struct gb_chan *ch)
{
	if (ch && ch->kind == CHAN_XPROC && ch->rfd >= 0) {
		close(ch->rfd);
		ch->rfd = -1;
	}
}
