/*
 * echo.h - the harness-owned echo peer: one thread outside every GIL that
 * answers each task's socket with what it read, as a network server would.
 */
#ifndef GB_ECHO_H
#define GB_ECHO_H

struct gb_echo;

/*
 * Makes n connected socketpairs (client_fds[i] is task i's end) and starts
 * the peer thread, bound to PU pu_os_index (-1: unbound). 0 or -errno.
 */
int gb_echo_start(struct gb_echo **out, unsigned n, int *client_fds, int pu_os_index);
/* Stops the thread and closes every fd, the clients' too. */
void gb_echo_stop(struct gb_echo *e);

#endif
