/*
 * ctor_fault.c - a test-only plugin whose constructor misbehaves, so that
 * tests/cli/plugin_probe.sh can check that loading it costs gilbench one
 * line and exit 1, never the harness itself. GB_CTOR_FAULT picks the fault:
 * segv, abort, exit0, exit3, hang; unset, it loads as a plugin of no kind.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void ctor_fault(void)
{
	const char *f = getenv("GB_CTOR_FAULT");

	if (!f)
		return;
	if (strcmp(f, "segv") == 0)
		raise(SIGSEGV);
	else if (strcmp(f, "abort") == 0)
		abort();
	else if (strcmp(f, "exit0") == 0)
		exit(0);
	else if (strcmp(f, "exit3") == 0)
		exit(3);
	else if (strcmp(f, "hang") == 0)
		for (;;)
			pause();
}
