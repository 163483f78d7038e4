/*
 * gilbench/chan.h - the channels models return results through.
 *
 * In-process: a mutex and condition variable around a FIFO of strings, as
 * queue.Queue. Cross-process: a pipe carrying length-prefixed frames, as
 * multiprocessing.SimpleQueue; created before fork, used from both sides.
 */
#ifndef GILBENCH_CHAN_H
#define GILBENCH_CHAN_H

#include <stddef.h>

#define GB_CHAN_MSG_MAX 4096

struct gb_chan;

int gb_chan_create_inproc(struct gb_chan **out);
int gb_chan_create_xproc(struct gb_chan **out);
void gb_chan_destroy(struct gb_chan *ch);

/*
 * Copies len bytes (<= GB_CHAN_MSG_MAX, else -EMSGSIZE). 0 or -errno:
 * -EPIPE after close_writer (inproc) or once no reader is left (xproc).
 * xproc: a message of at most GB_CHAN_XPROC_ATOMIC_MAX bytes is one
 * atomic write, so several processes may put on one channel.
 */
#define GB_CHAN_XPROC_ATOMIC_MAX 4092 /* PIPE_BUF (4096 on Linux) - 4-byte header */
int gb_chan_put(struct gb_chan *ch, const void *msg, size_t len);

/*
 * Blocks for the next message, copies at most cap bytes into buf and
 * stores its full length in *len (*len > cap: the message was cut to cap).
 * 0, -EPIPE when the channel is closed and empty, -EPROTO for a torn
 * xproc frame, or -errno. xproc: one reading process per channel (the
 * reader buffers ahead).
 */
int gb_chan_get(struct gb_chan *ch, void *buf, size_t cap, size_t *len);

/* No more puts from this side: a blocked get returns -EPIPE once drained. */
void gb_chan_close_writer(struct gb_chan *ch);

/* After fork, in the side that only reads (or only writes), drop the other end. */
void gb_chan_xproc_reader_side(struct gb_chan *ch);
void gb_chan_xproc_writer_side(struct gb_chan *ch);

#endif
