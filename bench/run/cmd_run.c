/*
 * cmd_run.c - `gilbench run`: parse the matrix, add the serial baselines
 * speedups need, run, and write the document atomically after every cell.
 * Measuring is runner.c's job; formats other than JSON are export.c's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "parse.h"
#include "cmd.h"
#include "export.h"
#include "identity.h"
#include "log.h"
#include "registry.h"
#include "report_json.h"
#include "results_io.h"
#include "table.h"
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

/* Whether the matrix's serial cells (their params in `serials`) or the
 * document already have a baseline doing the work of params p. */
static int run_has_baseline(json_t *serials, json_t *doc, json_t *p)
{
	json_t *q;
	size_t i;

	json_array_foreach(serials, i, q)
	{
		if (gb_params_same_work(q, p))
			return 1;
	}
	return doc && gb_report_has_serial(doc, p, "cpu");
}

/* Adds a serial cell for every cpu cell whose work has no serial baseline. */
static void run_add_baselines(struct gb_matrix *m, json_t *doc)
{
	const struct gb_model_ops *serial = gb_model_find("serial");
	unsigned n = m->ncells;
	json_t *serials;

	if (!serial || !m->baseline)
		return;
	serials = json_array(); /* the params of the matrix's serial cpu cells */
	for (unsigned i = 0; serials && i < n; i++)
		if (m->cells[i].model == serial && m->cells[i].p.workload == GB_WL_CPU)
			json_array_append_new(serials,
			                      gb_report_params(&m->cells[i], m->reps, m->warmup));
	for (unsigned i = 0; serials && i < n; i++) {
		struct gb_cell *c = &m->cells[i];
		json_t *p;

		if (c->p.workload != GB_WL_CPU || c->model == serial)
			continue;
		p = gb_report_params(c, m->reps, m->warmup);
		if (!p || run_has_baseline(serials, doc, p)) {
			json_decref(p);
			continue;
		}
		json_array_append_new(serials, p);
		m->cells[m->ncells] = *c;
		m->cells[m->ncells].model = serial;
		m->cells[m->ncells].p.gil = "new";
		m->cells[m->ncells].index = m->ncells;
		m->ncells++;
	}
	json_decref(serials);
}

/* Where the summary goes: stdout, unless the results go there (-o -,
 * no -o, or -o naming the file stdout is). */
static FILE *run_summary_stream(const struct gb_matrix *m)
{
	struct stat a, b;

	if (!m->out || strcmp(m->out, "-") == 0)
		return stderr;
	if (stat(m->out, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return stderr;
	return stdout;
}

/* The table of this run's cells into FILE (atomically). 0 or 1. */
static int run_export(json_t *doc, size_t first, const char *path, enum gb_table_format fmt)
{
	size_t len = 0;
	char *text = gb_table_text(doc, first, fmt, &len);
	int rc;

	if (!text) {
		gb_err(path, "out of memory");
		return 1;
	}
	rc = gb_text_write_atomic(path, text, len) ? 1 : 0;
	free(text);
	return rc;
}

/*
 * The end of a run: the table of its cells (not with --quiet) and a line
 * per cell skipped or failed, then the --export-* files. 0 or 1.
 */
static int run_summary(const struct gb_matrix *m, json_t *doc, size_t first)
{
	FILE *f = run_summary_stream(m);
	int rc = 0;

	fflush(stderr);
	if (!m->quiet && json_array_size(json_object_get(doc, "results")) > first)
		gb_table_write(f, doc, first, GB_TABLE_TEXT);
	gb_table_problems(f, doc, first);
	fflush(f);
	if (m->export_md)
		rc |= run_export(doc, first, m->export_md, GB_TABLE_MARKDOWN);
	if (m->export_csv)
		rc |= run_export(doc, first, m->export_csv, GB_TABLE_CSV);
	return rc;
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
	if (m.cpuset)
		save.cpus = (unsigned)hwloc_bitmap_weight(m.cpuset);
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
	if (run_summary(&m, doc, first) && rc == 0)
		rc = 1;
out:
	json_decref(doc);
	gb_cli_free(&m);
	return rc;
}
