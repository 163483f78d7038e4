/*
 * test_threads.c - the `threads` model, checked by what it does, not how
 * fast: the lecture's output order, every bytecode run, forced switches
 * under a contended GIL and none for a lone thread, blocking ops that
 * release the GIL, and one clear reason for a failed cell.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "run.h"
#include "runner.h"
#include "tap.h"

static struct gb_cell tp_cell(enum gb_workload w, unsigned tasks, const char *gil)
{
	struct gb_cell c = {0};

	c.model = gb_model_find("threads");
	gb_params_defaults(&c.p, 1);
	c.p.workload = w;
	c.p.tasks = tasks;
	c.p.gil = gil;
	c.placement = GB_PLACE_NONE;
	return c;
}

static double num(json_t *sample, const char *key)
{
	json_t *v = json_object_get(sample, key);
	return v ? json_number_value(v) : -1.0;
}

/* One repetition in this process; NULL (and a diagnostic) if it failed. */
static json_t *tp_run(const struct gb_cell *c, const char *what)
{
	json_t *sample = NULL;
	char why[512];
	int err = gb_runner_once(c, 0, &sample, why, sizeof(why));

	if (!ok(err == 0, "%s runs", what))
		printf("#   %s\n", why);
	return err ? NULL : sample;
}

/* Runs the demo with stdout captured; returns what it printed (malloc'd). */
static char *tp_demo(void)
{
	struct gb_cell c = tp_cell(GB_WL_SEED, 2, "new");
	char path[] = "/tmp/gb_test_threads_XXXXXX", *out = NULL;
	json_t *sample = NULL;
	char why[512];
	int fd = mkstemp(path), saved, err;
	long len;
	FILE *f;

	if (fd < 0)
		return NULL;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	err = gb_runner_once(&c, 1, &sample, why, sizeof(why));
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	json_decref(sample);
	if (err) {
		printf("#   demo: %s\n", why);
		unlink(path);
		return NULL;
	}
	f = fopen(path, "r");
	unlink(path);
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	if (out && fread(out, 1, (size_t)len, f) != (size_t)len) {
		free(out);
		out = NULL;
	}
	fclose(f);
	return out;
}

static void test_demo(void)
{
	char *demo = tp_demo();

	ok(demo && strcmp(demo, "hello alice\nhello bob\nalice done!\nbob done!\n") == 0,
	   "demo prints hello alice, hello bob, alice done!, bob done!");
	if (demo && strcmp(demo, "hello alice\nhello bob\nalice done!\nbob done!\n") != 0)
		printf("#   got: %s\n", demo);
	free(demo);
}

/* The GIL's counters under each policy, for CPU-bound threads. */
static void test_cpu_policies(void)
{
	struct gb_cell c;
	json_t *s;

	/*
	 * Two CPU-bound threads under the new GIL must be made to switch. A
	 * 100 us interval keeps this true however slow or loaded the machine:
	 * each thread's share of the work lasts far longer than that.
	 */
	c = tp_cell(GB_WL_CPU, 2, "new");
	c.p.work = 20000000;
	c.p.switch_interval_s = 1e-4;
	if ((s = tp_run(&c, "cpu t=2 new"))) {
		is_int(num(s, "bytecodes"), c.p.work, "t=2 new: every bytecode ran");
		ok(num(s, "gil_drop_requests") >= 1, "t=2 new: waiters asked for the GIL (%g)",
		   num(s, "gil_drop_requests"));
		ok(num(s, "gil_forced_switches") >= 1, "t=2 new: forced switches (%g)",
		   num(s, "gil_forced_switches"));
		ok(num(s, "gil_switches") >= 1, "t=2 new: the GIL changed hands (%g)",
		   num(s, "gil_switches"));
		json_decref(s);
	}

	c.p.tasks = 1;
	if ((s = tp_run(&c, "cpu t=1 new"))) {
		is_int(num(s, "bytecodes"), c.p.work, "t=1 new: every bytecode ran");
		is_int(num(s, "gil_drop_requests"), 0, "t=1 new: a lone thread is never asked");
		is_int(num(s, "gil_forced_switches"), 0, "t=1 new: a lone thread never switches");
		is_int(num(s, "gil_acquisitions"), 1, "t=1 new: one acquisition");
		json_decref(s);
	}

	c = tp_cell(GB_WL_CPU, 2, "none");
	c.p.work = 2000000;
	if ((s = tp_run(&c, "cpu t=2 none"))) {
		is_int(num(s, "bytecodes"), c.p.work, "t=2 none: every bytecode ran");
		is_int(num(s, "gil_forced_switches"), 0, "t=2 none: no GIL, no switch");
		json_decref(s);
	}

	c = tp_cell(GB_WL_CPU, 2, "legacy");
	c.p.work = 2000000;
	if ((s = tp_run(&c, "cpu t=2 legacy"))) {
		is_int(num(s, "bytecodes"), c.p.work, "t=2 legacy: every bytecode ran");
		ok(num(s, "gil_forced_switches") >= 1, "t=2 legacy: releases every check interval");
		json_decref(s);
	}
}

/* Native work and blocking ops release the GIL. */
static void test_releases(void)
{
	struct gb_cell c;
	json_t *s;

	/* Native work releases the GIL: voluntary drops, and all of it done. */
	c = tp_cell(GB_WL_CPU, 2, "new");
	c.p.work = 2000000;
	c.p.native_fraction = 0.9;
	if ((s = tp_run(&c, "cpu t=2 native 0.9"))) {
		ok(num(s, "gil_voluntary_drops") >= 2 * 100,
		   "native chunks release the GIL (%g voluntary drops)",
		   num(s, "gil_voluntary_drops"));
		json_decref(s);
	}

	/* Blocking ops: every task sleeps, each sleep releases the GIL. */
	c = tp_cell(GB_WL_IO, 50, "new");
	c.p.io_time_ns = 10000000;
	c.p.io_ops = 2;
	if ((s = tp_run(&c, "io sleep t=50"))) {
		double ops = num(s, "ops_per_s") * num(s, "wall_s");
		ok(ops > 99.5 && ops < 100.5, "io sleep: 50 x 2 blocking ops (%g)", ops);
		ok(num(s, "gil_voluntary_drops") >= 100, "io sleep: each sleep releases the GIL");
		json_decref(s);
	}

	c = tp_cell(GB_WL_IO, 4, "new");
	c.p.io = GB_IO_ECHO;
	c.p.io_ops = 25;
	if ((s = tp_run(&c, "io echo t=4"))) {
		is_int(num(s, "latency_count"), 100, "io echo: every echo measured");
		json_decref(s);
	}
}

/* Background, placement, many threads, a bad policy. */
static void test_harness(void)
{
	struct gb_cell c;
	json_t *s, *sample = NULL;
	char why[512];

	/* Background: the foreground echoes until the burst is done. */
	c = tp_cell(GB_WL_BACKGROUND, 2, "new");
	c.p.burst = 2000000;
	c.p.think_ns = 100000;
	if ((s = tp_run(&c, "background t=2"))) {
		is_int(num(s, "bytecodes"), c.p.burst, "background: the burst ran");
		ok(num(s, "latency_count") >= 1, "background: the foreground made requests (%g)",
		   num(s, "latency_count"));
		json_decref(s);
	}

	/* Pinned through the harness: every worker bound somewhere. */
	c = tp_cell(GB_WL_CPU, 2, "new");
	c.p.work = 200000;
	c.placement = GB_PLACE_COMPACT;
	if ((s = tp_run(&c, "cpu t=2 compact"))) {
		const char *b = json_string_value(json_object_get(s, "bound_cpus"));
		ok(b && b[0], "compact placement bound the workers (%s)", b ? b : "null");
		json_decref(s);
	}

	/* Many threads: all created, all run. */
	c = tp_cell(GB_WL_IO, 300, "new");
	c.p.io_time_ns = 1000000;
	if ((s = tp_run(&c, "io sleep t=300"))) {
		double ops = num(s, "ops_per_s") * num(s, "wall_s");
		ok(ops > 299.5 && ops < 300.5, "300 threads each did their op (%g)", ops);
		json_decref(s);
	}

	c = tp_cell(GB_WL_CPU, 2, "no-such-policy");
	ok(gb_runner_once(&c, 0, &sample, why, sizeof(why)) != 0 && strstr(why, "no-such-policy"),
	   "an unknown GIL policy fails the cell with its name (%s)", why);
	json_decref(sample);
}

int main(void)
{
	ok(gb_model_find("threads") != NULL, "threads is registered");
	test_demo();
	test_cpu_policies();
	test_releases();
	test_harness();
	return gb_tap_done();
}
