/*
 * cmd_run.c - `gilbench run`: parse the matrix, add the serial baselines
 * speedups need, run, and write the document atomically after every cell.
 * Measuring is runner.c's job; formats other than JSON are export.c's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "parse.h"
#include "cmd.h"
#include "export.h"
#include "log.h"
#include "registry.h"
#include "report_json.h"
#include "results_io.h"
#include "warnings.h"
#include "runner.h"

struct run_save {
	const struct gb_matrix *m;
	unsigned cpus;
	int incremental; /* -o is a regular file (or new): rewrite it after every cell */
};

static int run_save_doc(json_t *doc, void *arg)
{
	struct run_save *s = arg;

	gb_report_speedups(doc, s->cpus);
	if (!s->incremental)
		return 0; /* written once at the end */
	return gb_json_write_atomic(s->m->out, doc) ? -EIO : 0;
}

/*
 * context.commands lists every invocation that added cells to the file;
 * a file from before the list existed starts it from context.command.
 */
static int run_note_command(json_t *doc, const char *command)
{
	json_t *ctx = json_object_get(doc, "context"), *cmds = json_object_get(ctx, "commands");

	if (!command)
		return 0;
	if (!json_is_array(cmds)) {
		const char *first = json_string_value(json_object_get(ctx, "command"));

		cmds = first ? json_pack("[s]", first) : json_array();
		if (!cmds || json_object_set_new(ctx, "commands", cmds))
			return -ENOMEM;
	}
	return json_array_append_new(cmds, json_string(command)) ? -ENOMEM : 0;
}

/* Adds a serial cell for every cpu cell whose work has no serial baseline. */
static void run_add_baselines(struct gb_matrix *m, json_t *doc)
{
	const struct gb_model_ops *serial = gb_model_find("serial");
	unsigned n = m->ncells;

	if (!serial || !m->baseline)
		return;
	for (unsigned i = 0; i < n; i++) {
		struct gb_cell *c = &m->cells[i];
		int found = 0;

		if (c->p.workload != GB_WL_CPU || c->model == serial)
			continue;
		for (unsigned j = 0; j < m->ncells && !found; j++) {
			const struct gb_params *a = &m->cells[j].p, *b = &c->p;
			found = m->cells[j].model == serial && a->workload == b->workload &&
			        a->tasks == b->tasks && a->work == b->work &&
			        a->native_fraction == b->native_fraction &&
			        a->check_every == b->check_every;
		}
		if (!found && doc) {
			json_t *p = gb_report_params(c, m->reps, m->warmup);
			found = gb_report_has_serial(doc, p, "cpu");
			json_decref(p);
		}
		if (found)
			continue;
		m->cells[m->ncells] = *c;
		m->cells[m->ncells].model = serial;
		m->cells[m->ncells].p.gil = "new";
		m->cells[m->ncells].index = m->ncells;
		m->ncells++;
	}
}

int gb_cmd_run(int argc, char **argv)
{
	struct gb_matrix m;
	struct run_save save;
	struct stat st;
	json_t *doc = NULL;
	size_t first;
	int rc;

	/* Past `ulimit -f` a write must fail with EFBIG, not kill the run. */
	signal(SIGXFSZ, SIG_IGN);

	rc = gb_cli_parse_run(argc, argv, &m);
	if (rc) {
		gb_cli_free(&m);
		return rc < 0 ? 0 : rc;
	}
	if (m.append && access(m.out, F_OK) == 0) {
		if (gb_results_load(m.out, &doc) != 0) {
			rc = 1;
			goto out;
		}
		if (run_note_command(doc, m.argv_joined) != 0) {
			gb_err("run", "out of memory");
			rc = 1;
			goto out;
		}
	} else {
		doc = gb_report_doc_new(m.argv_joined);
		if (!doc) {
			gb_err("run", "out of memory");
			rc = 1;
			goto out;
		}
	}
	run_add_baselines(&m, doc);
	save.m = &m;
	/* A device or FIFO (/dev/stdout, a pipe) gets one document, at the end. */
	save.incremental = m.out && strcmp(m.out, "-") != 0 && strcmp(m.format, "json") == 0 &&
	                   (stat(m.out, &st) != 0 || S_ISREG(st.st_mode));
	save.cpus = (unsigned)json_integer_value(json_object_get(
	        json_object_get(json_object_get(doc, "context"), "topology"), "pus"));
	if (m.cpus) {
		struct gb_topo *t = gb_topo_machine();
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		char why[128];
		if (t && set && gb_cpus_parse(t, m.cpus, set, why, sizeof(why)) == 0)
			save.cpus = (unsigned)hwloc_bitmap_weight(set);
		hwloc_bitmap_free(set);
	}
	if (!save.cpus)
		save.cpus = 1;
	first = json_array_size(json_object_get(doc, "results"));
	rc = gb_runner_run(&m, doc, run_save_doc, &save);
	if (!m.quiet)
		gb_run_warn_print(stderr, doc, first);
	if (rc == 1)
		goto out;
	if (strcmp(m.format, "json") != 0) {
		if (gb_export_write(doc, m.format, m.out ? m.out : "-") != 0)
			rc = 1;
	} else if (!save.incremental) {
		if (gb_json_write_atomic(m.out ? m.out : "-", doc) != 0)
			rc = 1;
	}
out:
	json_decref(doc);
	gb_cli_free(&m);
	return rc;
}
