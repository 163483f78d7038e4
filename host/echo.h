/*
 * echo.h - the harness-owned echo peer: one thread outside every GIL that
 * answers each task's socket with what it read, as a network server would,
 * after a fixed turnaround delay (the network and the server's own work).
 */
#ifndef GB_ECHO_H
#define GB_ECHO_H

#include <stdint.h>

struct gb_echo;

/*
 * Makes n connected socketpairs (client_fds[i] is task i's end) and starts
 * the peer thread, bound to PU pu_os_index (-1: unbound), answering each
 * request delay_ns after it arrived (0: at once). 0 or -errno.
 */
int gb_echo_start(struct gb_echo **out, unsigned n, int *client_fds, int pu_os_index,
                  uint64_t delay_ns);
/* Stops the thread and closes every fd, the clients' too. */
void gb_echo_stop(struct gb_echo *e);

#endif
