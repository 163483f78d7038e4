/*
 * plot_timeline.c - the GIL timeline chart from a `gilbench run --trace`
 * CSV: which thread holds the GIL over time, its waits, its blocking I/O,
 * forced drops and drop requests; one row per thread, or per (process,
 * thread) when the trace has a pid column (each process has its own GIL).
 *
 * It reads the trace and writes the intervals; how they look is
 * scripts/plot/gil_timeline.gp's job.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plot.h"
#include "report_md.h"

/* Past this many rows a timeline is no longer readable. */
#define PLOT_TL_ROWS 32
#define PLOT_TL_COLS 16

enum plot_ev {
	PLOT_EV_REQUEST,
	PLOT_EV_ACQUIRE,
	PLOT_EV_FORCED,
	PLOT_EV_VOLUNTARY,
	PLOT_EV_DROPREQ,
	PLOT_EV_IOS,
	PLOT_EV_IOE,
	PLOT_EV_NATS,
	PLOT_EV_NATE
};

static const char *const plot_ev_names[] = {"request",        "acquire",      "drop_forced",
                                            "drop_voluntary", "drop_request", "io_start",
                                            "io_end",         "native_start", "native_end"};
#define PLOT_NEV (sizeof(plot_ev_names) / sizeof(plot_ev_names[0]))

struct plot_event {
	double t_ns;
	size_t thread; /* index into plot_trace.th */
	size_t seq;    /* file order, to keep the sort stable */
	enum plot_ev ev;
};

/* A row: a thread, of a process when the trace names processes. */
struct plot_thread {
	char pid[32]; /* "" when the trace has no pid column */
	char name[32];
	double pkey, tkey; /* sort keys: the number, or the order first seen */
};

/* A "# thread N: pid P" comment: the process of a thread, when no column says it. */
struct plot_thread_pid {
	char name[32], pid[32];
};

struct plot_trace {
	char label[512];
	struct plot_thread_pid *tp;
	size_t ntp;
	unsigned long long lost; /* "# lost_events=N": events the rings dropped */
	struct plot_thread *th;
	size_t nthreads, nprocs;
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

static int plot_trace_thread(struct plot_trace *tr, const char *pid, const char *name, size_t *out)
{
	void *p;

	for (size_t i = 0; i < tr->nthreads; i++)
		if (strcmp(tr->th[i].name, name) == 0 && strcmp(tr->th[i].pid, pid) == 0) {
			*out = i;
			return 0;
		}
	p = realloc(tr->th, (tr->nthreads + 1) * sizeof(*tr->th));
	if (!p)
		return -ENOMEM;
	tr->th = p;
	memset(&tr->th[tr->nthreads], 0, sizeof(*tr->th));
	snprintf(tr->th[tr->nthreads].pid, sizeof(tr->th[0].pid), "%s", pid);
	snprintf(tr->th[tr->nthreads].name, sizeof(tr->th[0].name), "%s", name);
	*out = tr->nthreads++;
	return 0;
}

/* Splits a CSV line in place at commas (no quoting in traces); the field count. */
static size_t plot_split(char *line, char **f, size_t cap)
{
	size_t n = 0;

	for (;;) {
		char *c = strchr(line, ',');
		if (n < cap)
			f[n] = line;
		n++;
		if (!c)
			return n;
		*c = '\0';
		line = c + 1;
	}
}

/* The columns of the header line: -EINVAL (one line) if t_ns, thread or event is missing. */
static int plot_header(char *line, const char *where, size_t *ncols, int *ct, int *cth, int *cev,
                       int *cpid)
{
	char *f[PLOT_TL_COLS];
	size_t n = plot_split(line, f, PLOT_TL_COLS);

	*ct = *cth = *cev = *cpid = -1;
	for (size_t i = 0; i < n && i < PLOT_TL_COLS; i++) {
		if (strcmp(f[i], "t_ns") == 0)
			*ct = (int)i;
		else if (strcmp(f[i], "thread") == 0)
			*cth = (int)i;
		else if (strcmp(f[i], "event") == 0)
			*cev = (int)i;
		else if (strcmp(f[i], "pid") == 0 || strcmp(f[i], "process") == 0)
			*cpid = (int)i;
	}
	if (n > PLOT_TL_COLS || *ct < 0 || *cth < 0 || *cev < 0) {
		gb_err(where, "not a gilbench trace: expected the header 't_ns,thread,event' "
		              "(a pid column may be added)");
		return -EINVAL;
	}
	*ncols = n;
	return 0;
}

/* Reads a trace CSV; one line naming file:line on the first thing wrong. */
static int plot_trace_load(const char *path, struct plot_trace *tr)
{
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0, ncols = 0;
	int header = 0, err = 0, ct = -1, cth = -1, cev = -1, cpid = -1;
	ssize_t len;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		gb_err(path, "cannot read: %s", strerror(-err));
		return err;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *fld[PLOT_TL_COLS], *t, *th, *ev, *end;
		const char *pid;
		size_t k, idx, n;
		double tns;
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (len == 0)
			continue;
		if (line[0] == '#') {
			char tname[32], tpid[32];
			unsigned long long lost;
			if (sscanf(line, "# thread %31[^:]: pid %31s", tname, tpid) == 2) {
				void *p = realloc(tr->tp, (tr->ntp + 1) * sizeof(*tr->tp));
				if (!p) {
					err = -ENOMEM;
					goto out;
				}
				tr->tp = p;
				snprintf(tr->tp[tr->ntp].name, sizeof(tname), "%s", tname);
				snprintf(tr->tp[tr->ntp].pid, sizeof(tpid), "%s", tpid);
				tr->ntp++;
			} else if (sscanf(line, "# lost_events=%llu", &lost) == 1) {
				tr->lost += lost;
			} else if (!tr->label[0] && !header) {
				snprintf(tr->label, sizeof(tr->label), "%s",
				         line + 1 + strspn(line + 1, " "));
			}
			continue;
		}
		if (!header) {
			err = plot_header(line, where, &ncols, &ct, &cth, &cev, &cpid);
			if (err)
				goto out;
			header = 1;
			continue;
		}
		n = plot_split(line, fld, PLOT_TL_COLS);
		if (n != ncols) {
			gb_err(where, "expected %zu fields, as the header names, not %zu", ncols,
			       n);
			err = -EINVAL;
			goto out;
		}
		t = fld[ct];
		th = fld[cth];
		ev = fld[cev];
		pid = cpid >= 0 ? fld[cpid] : "";
		for (size_t i = 0; cpid < 0 && i < tr->ntp; i++)
			if (strcmp(tr->tp[i].name, fld[cth]) == 0)
				pid = tr->tp[i].pid;
		errno = 0;
		tns = strtod(t, &end);
		if (end == t || *end || errno || !(tns >= 0) || isinf(tns)) {
			gb_err(where, "t_ns '%s' is not a time in ns", t);
			err = -EINVAL;
			goto out;
		}
		if (!*th || strlen(th) >= sizeof(tr->th[0].name)) {
			gb_err(where, "thread '%s' is empty or longer than 31 characters", th);
			err = -EINVAL;
			goto out;
		}
		if (cpid >= 0 && (!*pid || strlen(pid) >= sizeof(tr->th[0].pid))) {
			gb_err(where, "pid '%s' is empty or longer than 31 characters", pid);
			err = -EINVAL;
			goto out;
		}
		for (k = 0; k < PLOT_NEV; k++)
			if (strcmp(ev, plot_ev_names[k]) == 0)
				break;
		if (k == PLOT_NEV) {
			gb_err(where,
			       "unknown event '%s' (want request, acquire, drop_forced, "
			       "drop_voluntary, drop_request, io_start, io_end, native_start "
			       "or native_end)",
			       ev);
			err = -EINVAL;
			goto out;
		}
		/* Names become gnuplot words: no blanks. */
		for (char *p = th; *p; p++)
			if (*p == ' ' || *p == '\t')
				*p = '_';
		err = plot_trace_thread(tr, pid, th, &idx);
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
	free(tr->tp);
	free(tr->th);
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}

static int plot_is_number(const char *s)
{
	char *end;

	strtod(s, &end);
	return end != s && !*end;
}

static int plot_thread_cmp(const void *a, const void *b)
{
	const struct plot_thread *x = *(const struct plot_thread *const *)a;
	const struct plot_thread *y = *(const struct plot_thread *const *)b;

	if (x->pkey != y->pkey)
		return x->pkey < y->pkey ? -1 : 1;
	return (x->tkey > y->tkey) - (x->tkey < y->tkey);
}

/*
 * Row order, from the top: by process, then by thread; by number when all
 * are numbers, else in the order first seen. Counts the processes.
 */
static int plot_trace_order(struct plot_trace *tr, struct plot_thread ***order)
{
	int pnum = 1, tnum = 1;
	struct plot_thread **o = calloc(tr->nthreads, sizeof(*o));

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < tr->nthreads; i++) {
		pnum &= plot_is_number(tr->th[i].pid);
		tnum &= plot_is_number(tr->th[i].name);
	}
	tr->nprocs = 0;
	for (size_t i = 0; i < tr->nthreads; i++) {
		struct plot_thread *t = &tr->th[i];
		size_t first = i;
		for (size_t j = 0; j < i; j++)
			if (strcmp(tr->th[j].pid, t->pid) == 0) {
				first = j;
				break;
			}
		tr->nprocs += first == i;
		t->pkey = pnum ? strtod(t->pid, NULL) : (double)first;
		t->tkey = tnum ? strtod(t->name, NULL) : (double)i;
		o[i] = t;
	}
	qsort(o, tr->nthreads, sizeof(*o), plot_thread_cmp);
	*order = o;
	return 0;
}

/*
 * A row's label as one gnuplot word: its blanks are no-break spaces
 * (U+00A0), which word() does not split on and the fonts draw as spaces.
 */
static void plot_row_name(const struct plot_trace *tr, const struct plot_thread *t, int one_each,
                          char *buf, size_t len)
{
	static const char nbsp[] = "\xc2\xa0";
	int num = plot_is_number(t->name);

	if (tr->nprocs > 1 && one_each)
		snprintf(buf, len, "process%s%s", nbsp, t->pid);
	else if (tr->nprocs > 1)
		snprintf(buf, len, "pid%s%s%s·%s%s%s%s", nbsp, t->pid, nbsp, nbsp,
		         num ? "thread" : "", num ? nbsp : "", t->name);
	else
		snprintf(buf, len, "%s%s%s", num ? "thread" : "", num ? nbsp : "", t->name);
}

struct plot_tl_state {
	double hold0, wait0, io0, nat0, held, waited, io, nat;
	int holding, waiting, in_io, in_nat;
};

/*
 * The narrowest bars drawn, as a fraction of the time axis (about 850 px
 * wide): a 40 µs hold in a 200 ms trace is a fifth of a pixel, and a 400 µs
 * I/O a pixel and a half. Holds get 2 px, I/O 4 px; the template draws I/O
 * over holds, a little shorter, so a widened hold does not hide it. A bar
 * is never moved: a burst of short holds and I/O reads as one dark blob
 * with a blue rim, and the waits between bursts stay where they are.
 */
#define PLOT_TL_MIN_HOLD (1.0 / 400)
#define PLOT_TL_MIN_IO   (1.0 / 200)

/* The .dat's blocks: held, waiting, io, forced drops, drop requests, native. */
#define PLOT_TL_BLOCKS 6

/* A hold or I/O interval: its true times, then the times it is drawn at. */
static void plot_tl_bar(FILE *f, double t0, double t1, double row, double minw)
{
	fprintf(f, "%.6f %.6f %g %.6f %.6f\n", t0, t1, row, t0, fmax(t1, t0 + minw));
}

int gb__plot_timeline(struct gb__plot_ctx *pc, const char *trace_path, const char *stem)
{
	struct gb_report_chart *ch = gb__plot_chart(pc, "GIL timeline");
	struct plot_trace tr = {0};
	struct plot_tl_state *st = NULL;
	struct plot_thread **order = NULL;
	size_t *row = NULL, counts[PLOT_TL_BLOCKS] = {0}, nrows;
	FILE *blk[PLOT_TL_BLOCKS] = {0};
	char *btext[PLOT_TL_BLOCKS] = {0};
	size_t blen[PLOT_TL_BLOCKS] = {0};
	static const char *const bname[PLOT_TL_BLOCKS] = {
	        "held: t0_ms t1_ms row shown_t0_ms shown_t1_ms",
	        "waiting: t0_ms t1_ms row",
	        "io: t0_ms t1_ms row shown_t0_ms shown_t1_ms",
	        "forced drop: t_ms row",
	        "drop request: t_ms row",
	        "native: t0_ms t1_ms row shown_t0_ms shown_t1_ms"};
	char path[4096], name[300], *vars = NULL, rname[3][96];
	size_t vlen = 0;
	double t_end, t0;
	unsigned acq = 0, forced = 0;
	int one_each = 1;
	FILE *f, *vf;
	int err;

	if (!ch)
		return -ENOMEM;
	err = plot_trace_load(trace_path, &tr);
	if (err)
		goto out;
	err = plot_trace_order(&tr, &order);
	if (err)
		goto out;
	err = -ENOMEM;
	st = calloc(tr.nthreads, sizeof(*st));
	row = calloc(tr.nthreads, sizeof(*row));
	if (!st || !row)
		goto out;
	/* Row 0 = not drawn: past PLOT_TL_ROWS only the first rows are, with a note. */
	nrows = tr.nthreads < PLOT_TL_ROWS ? tr.nthreads : PLOT_TL_ROWS;
	for (size_t r = 0; r < tr.nthreads; r++)
		row[order[r] - tr.th] = r < nrows ? nrows - r : 0;
	for (size_t i = 0; i < tr.nthreads; i++)
		for (size_t j = 0; j < i; j++)
			one_each &= strcmp(tr.th[i].pid, tr.th[j].pid) != 0;
	if (nrows < tr.nthreads)
		fprintf(stderr,
		        "gilbench: %s: note: %zu threads; the timeline shows the first %zu\n",
		        trace_path, tr.nthreads, nrows);
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		blk[b] = open_memstream(&btext[b], &blen[b]);
		if (!blk[b])
			goto out;
		fprintf(blk[b], "# %s\n", bname[b]);
	}

	t0 = tr.ev[0].t_ns;
	t_end = (tr.ev[tr.nev - 1].t_ns - t0) / 1e6;
	for (size_t e = 0; e < tr.nev; e++) {
		const struct plot_event *ev = &tr.ev[e];
		struct plot_tl_state *s = &st[ev->thread];
		double t = (ev->t_ns - t0) / 1e6, r = (double)row[ev->thread];
		if (!row[ev->thread])
			continue;
		switch (ev->ev) {
		case PLOT_EV_REQUEST:
			if (!s->holding && !s->waiting)
				s->waiting = 1, s->wait0 = t;
			break;
		case PLOT_EV_ACQUIRE:
			if (s->waiting) {
				fprintf(blk[1], "%.6f %.6f %g\n", s->wait0, t, r), counts[1]++;
				s->waited += t - s->wait0;
			}
			s->waiting = 0;
			s->holding = 1;
			s->hold0 = t;
			acq++;
			break;
		case PLOT_EV_FORCED:
		case PLOT_EV_VOLUNTARY:
			/* A ring that wrapped may open with a drop: nothing to draw for it. */
			if (s->holding) {
				plot_tl_bar(blk[0], s->hold0, t, r, t_end * PLOT_TL_MIN_HOLD);
				counts[0]++;
				s->held += t - s->hold0;
			}
			s->holding = 0;
			if (ev->ev == PLOT_EV_FORCED) {
				fprintf(blk[3], "%.6f %g\n", t, r), counts[3]++;
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
			if (s->in_io) {
				plot_tl_bar(blk[2], s->io0, t, r, t_end * PLOT_TL_MIN_IO);
				counts[2]++;
				s->io += t - s->io0;
			}
			s->in_io = 0;
			break;
		case PLOT_EV_NATS:
			s->in_nat = 1;
			s->nat0 = t;
			break;
		case PLOT_EV_NATE:
			if (s->in_nat) {
				plot_tl_bar(blk[5], s->nat0, t, r, t_end * PLOT_TL_MIN_IO);
				counts[5]++;
				s->nat += t - s->nat0;
			}
			s->in_nat = 0;
			break;
		}
	}
	/* Intervals still open at the end close at the last event. */
	for (size_t i = 0; i < tr.nthreads; i++) {
		double r = (double)row[i];
		if (!r)
			continue;
		if (st[i].holding) {
			plot_tl_bar(blk[0], st[i].hold0, t_end, r, t_end * PLOT_TL_MIN_HOLD);
			counts[0]++;
			st[i].held += t_end - st[i].hold0;
		}
		if (st[i].waiting) {
			fprintf(blk[1], "%.6f %.6f %g\n", st[i].wait0, t_end, r), counts[1]++;
			st[i].waited += t_end - st[i].wait0;
		}
		if (st[i].in_io) {
			plot_tl_bar(blk[2], st[i].io0, t_end, r, t_end * PLOT_TL_MIN_IO);
			counts[2]++;
			st[i].io += t_end - st[i].io0;
		}
		if (st[i].in_nat) {
			plot_tl_bar(blk[5], st[i].nat0, t_end, r, t_end * PLOT_TL_MIN_IO);
			counts[5]++;
			st[i].nat += t_end - st[i].nat0;
		}
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
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		if (fclose(blk[b]) != 0) {
			blk[b] = NULL;
			fclose(f);
			goto out;
		}
		blk[b] = NULL;
		/* An empty block would merge with the next: "?" keeps its index. */
		fprintf(f, "%s%s%s", b ? "\n\n" : "", btext[b],
		        counts[b]         ? ""
		        : b == 1          ? "? ? ?\n"
		        : b < 3 || b == 5 ? "? ? ? ? ?\n"
		                          : "? ?\n");
	}
	err = gb__plot_close(f, path);
	if (err)
		goto out;

	{
		size_t top = 0, io = 0;
		ch->sentence[0] = '\0';
		for (size_t i = 1; i < tr.nthreads; i++) {
			if (st[i].held > st[top].held)
				top = i;
			if (st[i].io > st[io].io)
				io = i;
		}
		plot_row_name(&tr, &tr.th[top], one_each, rname[0], sizeof(rname[0]));
		snprintf(ch->sentence, sizeof(ch->sentence), "Over %.3g ms, %zu threads", t_end,
		         tr.nthreads);
		if (tr.nprocs > 1)
			snprintf(ch->sentence + strlen(ch->sentence),
			         sizeof(ch->sentence) - strlen(ch->sentence),
			         " in %zu processes (each with its own GIL)", tr.nprocs);
		snprintf(ch->sentence + strlen(ch->sentence),
		         sizeof(ch->sentence) - strlen(ch->sentence),
		         " took a GIL %u times and %u of the drops were forced; %s held it "
		         "longest (%.0f%% of the time)",
		         acq, forced, rname[0], t_end > 0 ? 100 * st[top].held / t_end : 0);
		/* The convoy in one clause: how long the I/O thread waited to run again. */
		if (st[io].io > 0 && t_end > 0) {
			plot_row_name(&tr, &tr.th[io], one_each, rname[1], sizeof(rname[1]));
			snprintf(ch->sentence + strlen(ch->sentence),
			         sizeof(ch->sentence) - strlen(ch->sentence),
			         "; %s, the one doing I/O, spent %.0f%% of the time in I/O and "
			         "%.0f%% waiting for the GIL",
			         rname[1], 100 * st[io].io / t_end, 100 * st[io].waited / t_end);
		}
		if (tr.lost)
			snprintf(ch->sentence + strlen(ch->sentence),
			         sizeof(ch->sentence) - strlen(ch->sentence),
			         " (the trace lost %llu events: its rings were full, so the "
			         "earliest are missing)",
			         tr.lost);
		snprintf(ch->sentence + strlen(ch->sentence),
		         sizeof(ch->sentence) - strlen(ch->sentence), "%s%s.",
		         tr.label[0] ? ". Cell: " : "", tr.label);
		/* The report is markdown: it wants plain spaces. */
		for (char *p; (p = strstr(ch->sentence, "\xc2\xa0"));)
			memmove(p, p + 1, strlen(p + 1) + 1), *p = ' ';
	}

	err = -ENOMEM;
	vf = gb__plot_vars_open(pc, &vars, &vlen, stem, NULL);
	if (!vf)
		goto out;
	gb__plot_var_num(vf, "rows", (double)nrows);
	gb__plot_var_num(vf, "t_end", t_end);
	gb__plot_var_num(vf, "height", (double)(nrows > 6 ? 140 + 60 * nrows : 500));
	gb__plot_var_num(vf, "nprocs", (double)tr.nprocs);
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
		/* Words for gnuplot's word(), top row first. */
		char *labels = NULL;
		size_t llen = 0;
		FILE *lf = open_memstream(&labels, &llen);
		if (!lf) {
			fclose(vf);
			free(vars);
			vars = NULL;
			goto out;
		}
		for (size_t r = 0; r < nrows; r++) {
			char one[96];
			plot_row_name(&tr, order[r], one_each, one, sizeof(one));
			fprintf(lf, "%s%s", r ? " " : "", one);
		}
		if (fclose(lf) != 0) {
			fclose(vf);
			free(vars);
			vars = NULL;
			goto out;
		}
		gb__plot_var_str(vf, "row_labels", labels);
		free(labels);
	}
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		char v[16];
		snprintf(v, sizeof(v), "n%d", b);
		gb__plot_var_num(vf, v, (double)counts[b]);
	}
	err = gb__plot_finish(pc, vf, &vars, "gil_timeline", stem, ch);
	if (!err)
		snprintf(ch->sentence + strlen(ch->sentence),
		         sizeof(ch->sentence) - strlen(ch->sentence), " Trace: `%s`.", trace_path);
out:
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		if (blk[b])
			fclose(blk[b]);
		free(btext[b]);
	}
	free(st);
	free(row);
	free(order);
	plot_trace_free(&tr);
	return err;
}
