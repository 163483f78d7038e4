/*
 * context.c - what every result records about where it was measured: the
 * host, CPU, kernel, compiler, source revision and topology. Read once per
 * output; nothing here is timed.
 */
#include "context.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <hwloc.h>

#include "pin.h"

#ifndef GB_COMPILER
#define GB_COMPILER "unknown"
#endif
#ifndef GB_SOURCE_DIR
#define GB_SOURCE_DIR "."
#endif

static void ctx_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (colon && strncmp(line, "model name", 10) == 0) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

static void ctx_git_sha(char *buf, size_t len)
{
	FILE *p = popen("git -C '" GB_SOURCE_DIR "' rev-parse --short=12 HEAD 2>/dev/null", "r");

	snprintf(buf, len, "unknown");
	if (!p)
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	if (pclose(p) != 0 || !buf[0])
		snprintf(buf, len, "unknown");
}

json_t *gb_context_json(void)
{
	struct gb_topo *topo = gb_topo_machine();
	char cpu[256], sha[64], date[64], hwv[32];
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	ctx_cpu_model(cpu, sizeof(cpu));
	ctx_git_sha(sha, sizeof(sha));
#ifdef GB_HWLOC_VERSION
	snprintf(hwv, sizeof(hwv), "%s", GB_HWLOC_VERSION);
#else
	unsigned v = hwloc_get_api_version();
	snprintf(hwv, sizeof(hwv), "api %u.%u", v >> 16, (v >> 8) & 0xff);
#endif
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o}", "date", date, "host",
	                 u.nodename, "cpu_model", cpu, "kernel", u.release, "compiler", GB_COMPILER,
	                 "git_sha", sha, "gilbench_version", GB_VERSION, "hwloc_version", hwv,
	                 "cpus_online", (int)sysconf(_SC_NPROCESSORS_ONLN), "topology",
	                 topo ? gb_topo_json(topo) : json_object());
}
