/*
 * plot_timeline.c - the GIL timeline chart from a `gilbench run --trace`
 * CSV: which thread holds the GIL over time, waits, I/O, forced drops.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plot.h"
#include "report_md.h"

#define PLOT_TL_ROWS 32

/* ---- GIL timeline ---------------------------------------------------------- */

enum plot_ev {
	PLOT_EV_REQUEST,
	PLOT_EV_ACQUIRE,
	PLOT_EV_FORCED,
	PLOT_EV_VOLUNTARY,
	PLOT_EV_DROPREQ,
	PLOT_EV_IOS,
	PLOT_EV_IOE
};

static const char *const plot_ev_names[] = {"request",        "acquire",      "drop_forced",
                                            "drop_voluntary", "drop_request", "io_start",
                                            "io_end"};

struct plot_event {
	double t_ns;
	size_t thread; /* index into plot_trace.names */
	size_t seq;    /* file order, to keep the sort stable */
	enum plot_ev ev;
};

struct plot_trace {
	char label[512];
	char (*names)[32];
	size_t nthreads;
	struct plot_event *ev;
	size_t nev, cap;
};

static int plot_event_cmp(const void *a, const void *b)
{
	const struct plot_event *x = a, *y = b;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int plot_trace_thread(struct plot_trace *tr, const char *name, size_t *out)
{
	for (size_t i = 0; i < tr->nthreads; i++)
		if (strcmp(tr->names[i], name) == 0) {
			*out = i;
			return 0;
		}
	void *p = realloc(tr->names, (tr->nthreads + 1) * sizeof(*tr->names));
	if (!p)
		return -ENOMEM;
	tr->names = p;
	snprintf(tr->names[tr->nthreads], sizeof(tr->names[0]), "%s", name);
	*out = tr->nthreads++;
	return 0;
}

/* Reads a trace CSV; one line naming file:line on the first thing wrong. */
static int plot_trace_load(const char *path, struct plot_trace *tr)
{
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0;
	int header = 0, err = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		gb_err(path, "cannot read: %s", strerror(-err));
		return err;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *t, *th, *ev, *end;
		size_t k, idx;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (len == 0)
			continue;
		if (line[0] == '#') {
			if (!tr->label[0] && !header)
				snprintf(tr->label, sizeof(tr->label), "%s",
				         line + 1 + strspn(line + 1, " "));
			continue;
		}
		if (!header) {
			if (strcmp(line, "t_ns,thread,event") != 0) {
				gb_err(where, "not a gilbench trace: expected the header "
				              "'t_ns,thread,event'");
				err = -EINVAL;
				goto out;
			}
			header = 1;
			continue;
		}
		t = line;
		th = strchr(t, ',');
		ev = th ? strchr(th + 1, ',') : NULL;
		if (!th || !ev || strchr(ev + 1, ',')) {
			gb_err(where, "expected 3 fields t_ns,thread,event");
			err = -EINVAL;
			goto out;
		}
		*th++ = '\0';
		*ev++ = '\0';
		errno = 0;
		double tns = strtod(t, &end);
		if (end == t || *end || errno || !(tns >= 0) || isinf(tns)) {
			gb_err(where, "t_ns '%s' is not a time in ns", t);
			err = -EINVAL;
			goto out;
		}
		if (!*th || strlen(th) >= sizeof(tr->names[0])) {
			gb_err(where, "thread '%s' is empty or longer than 31 characters", th);
			err = -EINVAL;
			goto out;
		}
		for (k = 0; k < sizeof(plot_ev_names) / sizeof(plot_ev_names[0]); k++)
			if (strcmp(ev, plot_ev_names[k]) == 0)
				break;
		if (k == sizeof(plot_ev_names) / sizeof(plot_ev_names[0])) {
			gb_err(where,
			       "unknown event '%s' (want request, acquire, drop_forced, "
			       "drop_voluntary, drop_request, io_start or io_end)",
			       ev);
			err = -EINVAL;
			goto out;
		}
		for (char *p = th; *p; p++)
			if (*p == ' ' || *p == '\t')
				*p = '_';
		err = plot_trace_thread(tr, th, &idx);
		if (err)
			goto out;
		if (tr->nev == tr->cap) {
			size_t ncap = tr->cap ? 2 * tr->cap : 1024;
			struct plot_event *p = realloc(tr->ev, ncap * sizeof(*p));
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			tr->ev = p;
			tr->cap = ncap;
		}
		tr->ev[tr->nev] =
		        (struct plot_event){.t_ns = tns, .thread = idx, .seq = tr->nev, .ev = k};
		tr->nev++;
	}
	if (ferror(f)) {
		err = -EIO;
		gb_err(path, "read error");
	} else if (!header) {
		gb_err(path, "not a gilbench trace: no 't_ns,thread,event' header");
		err = -EINVAL;
	} else if (!tr->nev) {
		gb_err(path, "the trace has no events");
		err = -EINVAL;
	}
out:
	free(line);
	fclose(f);
	if (!err)
		qsort(tr->ev, tr->nev, sizeof(*tr->ev), plot_event_cmp);
	return err;
}

static void plot_trace_free(struct plot_trace *tr)
{
	free(tr->names);
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}

/* Row order: threads by numeric id when they all are numbers, else by first event. */
static int plot_trace_numeric(const struct plot_trace *tr)
{
	for (size_t i = 0; i < tr->nthreads; i++) {
		char *end;
		strtol(tr->names[i], &end, 10);
		if (end == tr->names[i] || *end)
			return 0;
	}
	return 1;
}

struct plot_tl_state {
	double hold0, wait0, io0, held, first, last;
	int holding, waiting, in_io;
	unsigned acq, forced;
};

int gb__plot_timeline(struct gb__plot_ctx *pc, const char *trace_path, const char *stem)
{
	struct gb_report_chart *ch = gb__plot_chart(pc, "GIL timeline");
	struct plot_trace tr = {0};
	struct plot_tl_state *st = NULL;
	size_t *row = NULL, counts[5] = {0}, nrows;
	int numeric;
	FILE *blk[5] = {0};
	char *btext[5] = {0};
	size_t blen[5] = {0};
	static const char *const bname[5] = {"held: t0_ms t1_ms row", "waiting: t0_ms t1_ms row",
	                                     "io: t0_ms t1_ms row", "forced drop: t_ms row",
	                                     "drop request: t_ms row"};
	char path[4096], name[300], *vars = NULL;
	size_t vlen = 0;
	double t_end, t0;
	unsigned acq = 0, forced = 0;
	FILE *f, *vf;
	int err;

	if (!ch)
		return -ENOMEM;
	err = plot_trace_load(trace_path, &tr);
	if (err)
		goto out;
	err = -ENOMEM;
	st = calloc(tr.nthreads, sizeof(*st));
	row = calloc(tr.nthreads, sizeof(*row));
	if (!st || !row)
		goto out;
	/*
	 * Rows from the top: thread 0 (or the first seen) first. Past
	 * PLOT_TL_ROWS threads a timeline is no longer readable: draw the
	 * first ones (row 0 = not drawn) and say so.
	 */
	numeric = plot_trace_numeric(&tr);
	nrows = tr.nthreads < PLOT_TL_ROWS ? tr.nthreads : PLOT_TL_ROWS;
	for (size_t i = 0; i < tr.nthreads; i++) {
		size_t rank = 0;
		for (size_t j = 0; j < tr.nthreads; j++)
			rank += numeric ? strtol(tr.names[j], NULL, 10) <
			                          strtol(tr.names[i], NULL, 10)
			                : j < i;
		row[i] = rank < nrows ? nrows - rank : 0;
	}
	if (nrows < tr.nthreads)
		fprintf(stderr,
		        "gilbench: %s: note: %zu threads; the timeline shows the first %zu\n",
		        trace_path, tr.nthreads, nrows);
	for (int b = 0; b < 5; b++) {
		blk[b] = open_memstream(&btext[b], &blen[b]);
		if (!blk[b])
			goto out;
		fprintf(blk[b], "# %s\n", bname[b]);
	}

	t0 = tr.ev[0].t_ns;
	t_end = tr.ev[tr.nev - 1].t_ns;
	for (size_t i = 0; i < tr.nthreads; i++)
		st[i].first = -1;
	for (size_t e = 0; e < tr.nev; e++) {
		const struct plot_event *ev = &tr.ev[e];
		struct plot_tl_state *s = &st[ev->thread];
		double t = (ev->t_ns - t0) / 1e6, r = (double)row[ev->thread];
		if (!row[ev->thread])
			continue;
		if (s->first < 0)
			s->first = t;
		s->last = t;
		switch (ev->ev) {
		case PLOT_EV_REQUEST:
			if (!s->holding && !s->waiting)
				s->waiting = 1, s->wait0 = t;
			break;
		case PLOT_EV_ACQUIRE:
			if (s->waiting)
				fprintf(blk[1], "%.6f %.6f %g\n", s->wait0, t, r), counts[1]++;
			s->waiting = 0;
			s->holding = 1;
			s->hold0 = t;
			s->acq++;
			acq++;
			break;
		case PLOT_EV_FORCED:
		case PLOT_EV_VOLUNTARY:
			/* A ring that wrapped may open with a drop: nothing to draw for it. */
			if (s->holding) {
				fprintf(blk[0], "%.6f %.6f %g\n", s->hold0, t, r), counts[0]++;
				s->held += t - s->hold0;
			}
			s->holding = 0;
			if (ev->ev == PLOT_EV_FORCED) {
				fprintf(blk[3], "%.6f %g\n", t, r), counts[3]++;
				s->forced++;
				forced++;
			}
			break;
		case PLOT_EV_DROPREQ:
			fprintf(blk[4], "%.6f %g\n", t, r), counts[4]++;
			break;
		case PLOT_EV_IOS:
			s->in_io = 1;
			s->io0 = t;
			break;
		case PLOT_EV_IOE:
			if (s->in_io)
				fprintf(blk[2], "%.6f %.6f %g\n", s->io0, t, r), counts[2]++;
			s->in_io = 0;
			break;
		}
	}
	t_end = (t_end - t0) / 1e6;
	for (size_t i = 0; i < tr.nthreads; i++) {
		double r = (double)row[i];
		if (!r)
			continue;
		if (st[i].holding) {
			fprintf(blk[0], "%.6f %.6f %g\n", st[i].hold0, t_end, r), counts[0]++;
			st[i].held += t_end - st[i].hold0;
		}
		if (st[i].waiting)
			fprintf(blk[1], "%.6f %.6f %g\n", st[i].wait0, t_end, r), counts[1]++;
		if (st[i].in_io)
			fprintf(blk[2], "%.6f %.6f %g\n", st[i].io0, t_end, r), counts[2]++;
	}

	snprintf(name, sizeof(name), "%s.dat", stem);
	f = gb__plot_open(pc, name, path, sizeof(path));
	if (!f) {
		err = -EIO;
		goto out;
	}
	fprintf(f,
	        "# gilbench plot: GIL timeline of %s (%s); times in ms from the first "
	        "event\n",
	        trace_path, tr.label[0] ? tr.label : "no cell label");
	for (int b = 0; b < 5; b++) {
		if (fclose(blk[b]) != 0) {
			blk[b] = NULL;
			fclose(f);
			goto out;
		}
		blk[b] = NULL;
		/* An empty block would merge with the next: "?" keeps its index. */
		fprintf(f, "%s%s%s", b ? "\n\n" : "", btext[b],
		        counts[b] ? "" : (b < 3 ? "? ? ?\n" : "? ?\n"));
	}
	err = gb__plot_close(f, path);
	if (err)
		goto out;

	{
		size_t top = 0;
		for (size_t i = 1; i < tr.nthreads; i++)
			if (st[i].held > st[top].held)
				top = i;
		snprintf(ch->sentence, sizeof(ch->sentence),
		         "Over %.3g ms, %zu threads took the GIL %u times and %u of the drops "
		         "were forced; thread %s held it longest (%.0f%% of the time)%s%s.",
		         t_end, tr.nthreads, acq, forced, tr.names[top],
		         t_end > 0 ? 100 * st[top].held / t_end : 0, tr.label[0] ? ". Cell: " : "",
		         tr.label);
	}

	err = -ENOMEM;
	vf = open_memstream(&vars, &vlen);
	if (!vf)
		goto out;
	snprintf(name, sizeof(name), "%s.dat", stem);
	gb__plot_var_dat(pc, vf, name);
	gb__plot_var_num(vf, "rows", (double)nrows);
	gb__plot_var_num(vf, "t_end", t_end);
	gb__plot_var_num(vf, "height", (double)(nrows > 6 ? 140 + 60 * nrows : 500));
	gb__plot_var_str(vf, "cell", tr.label);
	{
		/* The held bars take the colour of the traced model (threads, gil X). */
		char key[64] = "threads_new";
		const char *g = strstr(tr.label, "gil=");
		const char *m = strstr(tr.label, "model=");
		if (m && strncmp(m + 6, "threads", 7) != 0)
			snprintf(key, sizeof(key), "%.*s", (int)strcspn(m + 6, " ,"), m + 6);
		else if (g)
			snprintf(key, sizeof(key), "threads_%.*s", (int)strcspn(g + 4, " ,"),
			         g + 4);
		gb__plot_var_str(vf, "held_key", key);
	}
	{
		/* Words for gnuplot's word(): the loader made names blank-free. */
		char labels[4096];
		size_t off = 0;
		labels[0] = '\0';
		for (size_t r = nrows; r >= 1; r--)
			for (size_t i = 0; i < tr.nthreads; i++)
				if (row[i] == r && off < sizeof(labels))
					off += (size_t)snprintf(labels + off, sizeof(labels) - off,
					                        "%s%s", r == nrows ? "" : " ",
					                        tr.names[i]);
		gb__plot_var_str(vf, "row_labels", labels);
	}
	gb__plot_var_str(vf, "row_prefix", numeric ? "thread " : "");
	for (int b = 0; b < 5; b++) {
		char v[16];
		snprintf(v, sizeof(v), "n%d", b);
		gb__plot_var_num(vf, v, (double)counts[b]);
	}
	err = gb__plot_finish(pc, vf, &vars, "gil_timeline", stem, ch);
	if (!err)
		snprintf(ch->sentence + strlen(ch->sentence),
		         sizeof(ch->sentence) - strlen(ch->sentence), " Trace: `%s`.", trace_path);
out:
	for (int b = 0; b < 5; b++) {
		if (blk[b])
			fclose(blk[b]);
		free(btext[b]);
	}
	free(st);
	free(row);
	plot_trace_free(&tr);
	return err;
}
