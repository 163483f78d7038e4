/*
 * plot_timeline.c - the GIL timeline chart from a `gilbench run --trace`
 * file (CSV, or JSON lines: a header object then one object per event): which thread holds the GIL
 * over time, its waits, its blocking I/O, forced drops and drop requests; one row per thread, or
 * per (process, thread) when the trace has a pid column (each process has its own GIL).
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

/* Where the header puts each column; n = how many it names. */
struct plot_cols {
	size_t n;
	int t, th, ev, pid; /* pid -1: no pid column */
};

/* The columns of the header line: -EINVAL (one line) if t_ns, thread or event is missing. */
static int plot_header(char *line, const char *where, struct plot_cols *c)
{
	char *f[PLOT_TL_COLS];
	size_t n = plot_split(line, f, PLOT_TL_COLS);

	c->t = c->th = c->ev = c->pid = -1;
	for (size_t i = 0; i < n && i < PLOT_TL_COLS; i++) {
		if (strcmp(f[i], "t_ns") == 0)
			c->t = (int)i;
		else if (strcmp(f[i], "thread") == 0)
			c->th = (int)i;
		else if (strcmp(f[i], "event") == 0)
			c->ev = (int)i;
		else if (strcmp(f[i], "pid") == 0 || strcmp(f[i], "process") == 0)
			c->pid = (int)i;
	}
	if (n > PLOT_TL_COLS || c->t < 0 || c->th < 0 || c->ev < 0) {
		gb_err(where, "not a gilbench trace: expected the header 't_ns,thread,event' "
		              "(a pid column may be added)");
		return -EINVAL;
	}
	c->n = n;
	return 0;
}

/*
 * A comment line: "# thread N: pid P" (a thread's process when no column
 * says it), "# lost_events=N", else the first one before the header is the
 * cell's label. 0 or -ENOMEM.
 */
static int plot_trace_comment(struct plot_trace *tr, const char *line, int header)
{
	char tname[32], tpid[32];
	unsigned long long lost;

	if (sscanf(line, "# thread %31[^:]: pid %31s", tname, tpid) == 2) {
		void *p = realloc(tr->tp, (tr->ntp + 1) * sizeof(*tr->tp));
		if (!p)
			return -ENOMEM;
		tr->tp = p;
		snprintf(tr->tp[tr->ntp].name, sizeof(tname), "%s", tname);
		snprintf(tr->tp[tr->ntp].pid, sizeof(tpid), "%s", tpid);
		tr->ntp++;
	} else if (sscanf(line, "# lost_events=%llu", &lost) == 1) {
		tr->lost += lost;
	} else if (!tr->label[0] && !header) {
		snprintf(tr->label, sizeof(tr->label), "%s", line + 1 + strspn(line + 1, " "));
	}
	return 0;
}

static int plot_trace_push(struct plot_trace *tr, double tns, size_t thread, enum plot_ev k)
{
	if (tr->nev == tr->cap) {
		size_t ncap = tr->cap ? 2 * tr->cap : 1024;
		struct plot_event *p = realloc(tr->ev, ncap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		tr->ev = p;
		tr->cap = ncap;
	}
	tr->ev[tr->nev] =
	        (struct plot_event){.t_ns = tns, .thread = thread, .seq = tr->nev, .ev = k};
	tr->nev++;
	return 0;
}

/* The event named ev, or PLOT_NEV after one line naming `where`. */
static size_t plot_event_kind(const char *ev, const char *where)
{
	for (size_t k = 0; k < PLOT_NEV; k++)
		if (strcmp(ev, plot_ev_names[k]) == 0)
			return k;
	gb_err(where,
	       "unknown event '%s' (want request, acquire, drop_forced, drop_voluntary, "
	       "drop_request, io_start, io_end, native_start or native_end)",
	       ev);
	return PLOT_NEV;
}

/* One data line (split in place): its event appended. 0, -EINVAL after one line, -ENOMEM. */
static int plot_trace_row(struct plot_trace *tr, char *line, const struct plot_cols *c,
                          const char *where)
{
	char *fld[PLOT_TL_COLS], *t, *th, *end;
	const char *pid;
	size_t k, idx, n = plot_split(line, fld, PLOT_TL_COLS);
	double tns;
	int err;

	if (n != c->n) {
		gb_err(where, "expected %zu fields, as the header names, not %zu", c->n, n);
		return -EINVAL;
	}
	t = fld[c->t];
	th = fld[c->th];
	pid = c->pid >= 0 ? fld[c->pid] : "";
	for (size_t i = 0; c->pid < 0 && i < tr->ntp; i++)
		if (strcmp(tr->tp[i].name, th) == 0)
			pid = tr->tp[i].pid;
	errno = 0;
	tns = strtod(t, &end);
	if (end == t || *end || errno || !(tns >= 0) || isinf(tns)) {
		gb_err(where, "t_ns '%s' is not a time in ns", t);
		return -EINVAL;
	}
	if (!*th || strlen(th) >= sizeof(tr->th[0].name)) {
		gb_err(where, "thread '%s' is empty or longer than 31 characters", th);
		return -EINVAL;
	}
	if (c->pid >= 0 && (!*pid || strlen(pid) >= sizeof(tr->th[0].pid))) {
		gb_err(where, "pid '%s' is empty or longer than 31 characters", pid);
		return -EINVAL;
	}
	k = plot_event_kind(fld[c->ev], where);
	if (k == PLOT_NEV)
		return -EINVAL;
	/* Names become gnuplot words: no blanks. */
	for (char *p = th; *p; p++)
		if (*p == ' ' || *p == '\t')
			*p = '_';
	err = plot_trace_thread(tr, pid, th, &idx);
	return err ? err : plot_trace_push(tr, tns, idx, (enum plot_ev)k);
}

/* What a trace read to its end must have: a header and an event. */
static int plot_trace_check(FILE *f, const char *path, const struct plot_trace *tr, int header)
{
	if (ferror(f)) {
		gb_err(path, "read error");
		return -EIO;
	}
	if (!header) {
		gb_err(path, "not a gilbench trace: no 't_ns,thread,event' header");
		return -EINVAL;
	}
	if (!tr->nev) {
		gb_err(path, "the trace has no events");
		return -EINVAL;
	}
	return 0;
}

/* The header object of a JSON-lines trace: the cell's label and lost events. */
static int plot_jsonl_header(struct plot_trace *tr, json_t *h, const char *where)
{
	json_t *v = json_object_get(h, "gilbench_trace");
	double lost = 0;

	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		gb_err(where, "not a gilbench trace: the first line of a JSON-lines trace is its "
		              "header object, {\"gilbench_trace\":1, ...}");
		return -EINVAL;
	}
	/* The CSV's "# model=... gil=..." comment, so both read the same. */
	snprintf(tr->label, sizeof(tr->label),
	         "model=%s workload=%s gil=%s tasks=%.0f switch_interval_s=%g",
	         gb__res_str(h, "model") ? gb__res_str(h, "model") : "?",
	         gb__res_str(h, "workload") ? gb__res_str(h, "workload") : "?",
	         gb__res_str(h, "gil") ? gb__res_str(h, "gil") : "?",
	         json_number_value(json_object_get(h, "tasks")),
	         json_number_value(json_object_get(h, "switch_interval_s")));
	if (gb__res_num(h, "lost_events", &lost) == 0 && lost > 0)
		tr->lost += (unsigned long long)lost;
	return 0;
}

/* A field of an event object as text: a string, or an integer. */
static int plot_jsonl_field(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		return -ENOENT;
	return 0;
}

/* One event object of a JSON-lines trace, as a CSV row with a pid column. */
static int plot_jsonl_event(struct plot_trace *tr, json_t *o, const char *where)
{
	static const struct plot_cols cols = {.n = 4, .t = 0, .pid = 1, .th = 2, .ev = 3};
	char t[64], pid[64], th[64], ev[64], line[300];
	json_t *tv = json_object_get(o, "t_ns");

	if (!json_is_object(o) || !json_is_number(tv) ||
	    plot_jsonl_field(o, "thread", th, sizeof(th)) ||
	    plot_jsonl_field(o, "event", ev, sizeof(ev))) {
		gb_err(where, "expected an event object {\"t_ns\":N, \"thread\":N, "
		              "\"event\":\"...\"}");
		return -EINVAL;
	}
	if (plot_jsonl_field(o, "pid", pid, sizeof(pid)))
		snprintf(pid, sizeof(pid), "0");
	snprintf(t, sizeof(t), "%.17g", json_number_value(tv));
	if (strchr(th, ',') || strchr(ev, ',') || strchr(pid, ',')) {
		gb_err(where, "a thread, pid or event with a comma");
		return -EINVAL;
	}
	snprintf(line, sizeof(line), "%s,%s,%s,%s", t, pid, th, ev);
	return plot_trace_row(tr, line, &cols, where);
}

/*
 * A JSON-lines trace (`gilbench run --trace X.jsonl`, host/run.c): its
 * header object, then one object per event. One line naming file:line on
 * the first thing wrong.
 */
static int plot_trace_jsonl(FILE *f, const char *path, struct plot_trace *tr)
{
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0;
	int header = 0, err = 0;
	ssize_t len;

	while (!err && (len = getline(&line, &cap, f)) >= 0) {
		json_error_t je;
		json_t *o;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (len == 0)
			continue;
		o = json_loadb(line, (size_t)len, 0, &je);
		if (!o) {
			gb_err(where, "not JSON: %s", je.text);
			err = -EINVAL;
			break;
		}
		if (!header)
			err = plot_jsonl_header(tr, o, where);
		else
			err = plot_jsonl_event(tr, o, where);
		header = 1;
		json_decref(o);
	}
	free(line);
	if (!err && ferror(f)) {
		gb_err(path, "read error");
		err = -EIO;
	}
	if (!err && !tr->nev) {
		gb_err(path, "the trace has no events");
		err = -EINVAL;
	}
	return err;
}

/* Whether the file's first non-blank character opens a JSON object. */
static int plot_trace_is_jsonl(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
		;
	rewind(f);
	return c == '{';
}

/* Reads a trace, CSV or JSON lines; one line naming file:line on the first thing wrong. */
static int plot_trace_load(const char *path, struct plot_trace *tr)
{
	char *line = NULL, where[4200];
	size_t cap = 0, lineno = 0;
	struct plot_cols cols = {0};
	int header = 0, err = 0;
	ssize_t len;
	FILE *f = fopen(path, "r");

	if (!f) {
		err = -errno;
		gb_err(path, "cannot read: %s", strerror(-err));
		return err;
	}
	if (plot_trace_is_jsonl(f)) {
		err = plot_trace_jsonl(f, path, tr);
		fclose(f);
		if (!err)
			qsort(tr->ev, tr->nev, sizeof(*tr->ev), plot_event_cmp);
		return err;
	}
	while (!err && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		if (len == 0)
			continue;
		if (line[0] == '#')
			err = plot_trace_comment(tr, line, header);
		else if (!header && (err = plot_header(line, where, &cols)) == 0)
			header = 1;
		else if (header)
			err = plot_trace_row(tr, line, &cols, where);
	}
	if (!err)
		err = plot_trace_check(f, path, tr, header);
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

/* The .dat's blocks: held, waiting, io, forced drops, drop requests, native,
 * and the held fraction per time bin (a long trace, aggregated). */
#define PLOT_TL_BLOCKS 7

/*
 * Past this many events of one thread in the range shown, bars no longer
 * read (850 px for thousands of holds): each thread's held fraction per
 * time bin is drawn instead, PLOT_TL_BINS bins across the range.
 */
#define PLOT_TL_AGG_EVENTS 3000
#define PLOT_TL_BINS       400

/* A hold or I/O interval: its true times, then the times it is drawn at. */
static void plot_tl_bar(FILE *f, double t0, double t1, double row, double minw)
{
	fprintf(f, "%.6f %.6f %g %.6f %.6f\n", t0, t1, row, t0, fmax(t1, t0 + minw));
}

static const char *const plot_tl_bname[PLOT_TL_BLOCKS] = {
        "held: t0_ms t1_ms row shown_t0_ms shown_t1_ms",
        "waiting: t0_ms t1_ms row",
        "io: t0_ms t1_ms row shown_t0_ms shown_t1_ms",
        "forced drop: t_ms row",
        "drop request: t_ms row",
        "native: t0_ms t1_ms row shown_t0_ms shown_t1_ms",
        "held fraction: t0_ms t1_ms row fraction"};

/* One timeline while it is built: the trace, each thread's state, the blocks. */
struct plot_tl {
	struct plot_trace tr;
	struct plot_tl_state *st;
	struct plot_thread **order; /* rows, top first */
	size_t *row;                /* per thread: its row from the bottom, 0 = not drawn */
	size_t nrows;
	FILE *blk[PLOT_TL_BLOCKS];
	char *btext[PLOT_TL_BLOCKS];
	size_t blen[PLOT_TL_BLOCKS], counts[PLOT_TL_BLOCKS];
	double t_end;  /* ms from the first event to the last */
	double lo, hi; /* the range shown (ms): --window, else 0 .. t_end */
	int windowed;
	int agg;       /* held fractions per bin instead of bars */
	size_t max_ev; /* the most events of one drawn thread in the range */
	double *bins;  /* agg: per row (from the bottom, 1-based) x PLOT_TL_BINS */
	unsigned acq, forced;
	int one_each; /* every thread in a process of its own */
};

/* Rows, per-thread state and the blocks' memstreams. 0 or -ENOMEM. */
static int plot_tl_rows(struct plot_tl *tl, const char *trace_path)
{
	struct plot_trace *tr = &tl->tr;

	tl->st = calloc(tr->nthreads, sizeof(*tl->st));
	tl->row = calloc(tr->nthreads, sizeof(*tl->row));
	if (!tl->st || !tl->row)
		return -ENOMEM;
	/* Row 0 = not drawn: past PLOT_TL_ROWS only the first rows are, with a note. */
	tl->nrows = tr->nthreads < PLOT_TL_ROWS ? tr->nthreads : PLOT_TL_ROWS;
	for (size_t r = 0; r < tr->nthreads; r++)
		tl->row[tl->order[r] - tr->th] = r < tl->nrows ? tl->nrows - r : 0;
	tl->one_each = 1;
	for (size_t i = 0; i < tr->nthreads; i++)
		for (size_t j = 0; j < i; j++)
			tl->one_each &= strcmp(tr->th[i].pid, tr->th[j].pid) != 0;
	if (tl->nrows < tr->nthreads)
		fprintf(stderr,
		        "gilbench: %s: note: %zu threads; the timeline shows the first %zu\n",
		        trace_path, tr->nthreads, tl->nrows);
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		tl->blk[b] = open_memstream(&tl->btext[b], &tl->blen[b]);
		if (!tl->blk[b])
			return -ENOMEM;
		fprintf(tl->blk[b], "# %s\n", plot_tl_bname[b]);
	}
	return 0;
}

/* t0..t1 clipped to the range shown: 0 when nothing of it is left. */
static int plot_tl_clip(const struct plot_tl *tl, double *t0, double *t1)
{
	*t0 = fmax(*t0, tl->lo);
	*t1 = fmin(*t1, tl->hi);
	return *t1 >= *t0;
}

/* A hold's share of each time bin it overlaps, for the aggregated view. */
static void plot_tl_bin(struct plot_tl *tl, double t0, double t1, double r)
{
	double w = (tl->hi - tl->lo) / PLOT_TL_BINS;
	double *row = tl->bins + ((size_t)r - 1) * PLOT_TL_BINS;

	if (!(w > 0))
		return;
	for (size_t k = (size_t)((t0 - tl->lo) / w); k < PLOT_TL_BINS; k++) {
		double b0 = tl->lo + (double)k * w, b1 = b0 + w;
		if (b0 > t1)
			break;
		row[k] += fmax(0, fmin(t1, b1) - fmax(t0, b0)) / w;
	}
}

/* Block b gets the bar t0..t1 of row r, drawn at least minw wide; *sum the time. */
static void plot_tl_span(struct plot_tl *tl, int b, double t0, double t1, double r, double minw,
                         double *sum)
{
	if (!plot_tl_clip(tl, &t0, &t1))
		return;
	*sum += t1 - t0;
	if (tl->agg) {
		if (b == 0)
			plot_tl_bin(tl, t0, t1, r);
		return;
	}
	plot_tl_bar(tl->blk[b], t0, t1, r, minw);
	tl->counts[b]++;
}

static void plot_tl_wait(struct plot_tl *tl, struct plot_tl_state *s, double t, double r)
{
	double t0 = s->wait0;

	if (!plot_tl_clip(tl, &t0, &t))
		return;
	s->waited += t - t0;
	if (tl->agg)
		return;
	fprintf(tl->blk[1], "%.6f %.6f %g\n", t0, t, r);
	tl->counts[1]++;
}

/* A mark (forced drop, drop request) at t in block b. */
static void plot_tl_mark(struct plot_tl *tl, int b, double t, double r)
{
	if (tl->agg || t < tl->lo || t > tl->hi)
		return;
	fprintf(tl->blk[b], "%.6f %g\n", t, r);
	tl->counts[b]++;
}

/* One event of a drawn thread at t ms, on row r. */
static void plot_tl_event(struct plot_tl *tl, struct plot_tl_state *s, enum plot_ev ev, double t,
                          double r)
{
	double hold_w = (tl->hi - tl->lo) * PLOT_TL_MIN_HOLD;
	double io_w = (tl->hi - tl->lo) * PLOT_TL_MIN_IO;

	switch (ev) {
	case PLOT_EV_REQUEST:
		if (!s->holding && !s->waiting)
			s->waiting = 1, s->wait0 = t;
		break;
	case PLOT_EV_ACQUIRE:
		if (s->waiting)
			plot_tl_wait(tl, s, t, r);
		s->waiting = 0;
		s->holding = 1;
		s->hold0 = t;
		tl->acq += t >= tl->lo && t <= tl->hi;
		break;
	case PLOT_EV_FORCED:
	case PLOT_EV_VOLUNTARY:
		/* A ring that wrapped may open with a drop: nothing to draw for it. */
		if (s->holding)
			plot_tl_span(tl, 0, s->hold0, t, r, hold_w, &s->held);
		s->holding = 0;
		if (ev == PLOT_EV_FORCED) {
			plot_tl_mark(tl, 3, t, r);
			tl->forced += t >= tl->lo && t <= tl->hi;
		}
		break;
	case PLOT_EV_DROPREQ:
		plot_tl_mark(tl, 4, t, r);
		break;
	case PLOT_EV_IOS:
		s->in_io = 1;
		s->io0 = t;
		break;
	case PLOT_EV_IOE:
		if (s->in_io)
			plot_tl_span(tl, 2, s->io0, t, r, io_w, &s->io);
		s->in_io = 0;
		break;
	case PLOT_EV_NATS:
		s->in_nat = 1;
		s->nat0 = t;
		break;
	case PLOT_EV_NATE:
		if (s->in_nat)
			plot_tl_span(tl, 5, s->nat0, t, r, io_w, &s->nat);
		s->in_nat = 0;
		break;
	}
}

/*
 * The range shown (--window, else the whole trace) and whether it is drawn
 * aggregated: some drawn thread has more than PLOT_TL_AGG_EVENTS events in
 * it. 0 or -ENOMEM.
 */
static int plot_tl_range(struct plot_tl *tl, const struct gb__plot_ctx *pc)
{
	const struct plot_trace *tr = &tl->tr;
	double t0 = tr->ev[0].t_ns;
	size_t *n = calloc(tr->nthreads, sizeof(*n));

	if (!n)
		return -ENOMEM;
	tl->t_end = (tr->ev[tr->nev - 1].t_ns - t0) / 1e6;
	tl->windowed = pc->has_window;
	tl->lo = tl->windowed ? pc->win_lo : 0;
	tl->hi = tl->windowed ? fmin(pc->win_hi, tl->t_end) : tl->t_end;
	for (size_t e = 0; e < tr->nev; e++) {
		double t = (tr->ev[e].t_ns - t0) / 1e6;
		size_t th = tr->ev[e].thread;
		if (tl->row[th] && t >= tl->lo && t <= tl->hi && ++n[th] > tl->max_ev)
			tl->max_ev = n[th];
	}
	free(n);
	tl->agg = tl->max_ev > PLOT_TL_AGG_EVENTS;
	if (tl->agg && !(tl->bins = calloc(tl->nrows * PLOT_TL_BINS, sizeof(double))))
		return -ENOMEM;
	return 0;
}

/* The held fraction of every bin of every drawn row into block 6. */
static void plot_tl_bins_out(struct plot_tl *tl)
{
	double w = (tl->hi - tl->lo) / PLOT_TL_BINS;

	for (size_t r = 1; tl->agg && r <= tl->nrows; r++)
		for (size_t k = 0; k < PLOT_TL_BINS; k++) {
			double b0 = tl->lo + (double)k * w;
			fprintf(tl->blk[6], "%.6f %.6f %zu %.4f\n", b0, b0 + w, r,
			        fmin(1, tl->bins[(r - 1) * PLOT_TL_BINS + k]));
			tl->counts[6]++;
		}
}

/* Every event into the blocks; intervals still open close at the last event. */
static void plot_tl_events(struct plot_tl *tl)
{
	const struct plot_trace *tr = &tl->tr;
	double t0 = tr->ev[0].t_ns, t_end = tl->t_end, hold_w, io_w;

	hold_w = (tl->hi - tl->lo) * PLOT_TL_MIN_HOLD;
	io_w = (tl->hi - tl->lo) * PLOT_TL_MIN_IO;
	for (size_t e = 0; e < tr->nev; e++) {
		const struct plot_event *ev = &tr->ev[e];

		if (tl->row[ev->thread])
			plot_tl_event(tl, &tl->st[ev->thread], ev->ev, (ev->t_ns - t0) / 1e6,
			              (double)tl->row[ev->thread]);
	}
	for (size_t i = 0; i < tr->nthreads; i++) {
		struct plot_tl_state *s = &tl->st[i];
		double r = (double)tl->row[i];

		if (!r)
			continue;
		if (s->holding)
			plot_tl_span(tl, 0, s->hold0, t_end, r, hold_w, &s->held);
		if (s->waiting)
			plot_tl_wait(tl, s, t_end, r);
		if (s->in_io)
			plot_tl_span(tl, 2, s->io0, t_end, r, io_w, &s->io);
		if (s->in_nat)
			plot_tl_span(tl, 5, s->nat0, t_end, r, io_w, &s->nat);
	}
	plot_tl_bins_out(tl);
}

/* DIR/stem.dat: a comment line, then the blocks. 0, -EIO or -ENOMEM. */
static int plot_tl_write(struct gb__plot_ctx *pc, struct plot_tl *tl, const char *trace_path,
                         const char *stem)
{
	char path[4096], name[300];
	FILE *f;

	snprintf(name, sizeof(name), "%s.dat", stem);
	f = gb__plot_open(pc, name, path, sizeof(path));
	if (!f)
		return -EIO;
	fprintf(f, "# gilbench plot: GIL timeline of %s (%s); times in ms from the first event\n",
	        trace_path, tl->tr.label[0] ? tl->tr.label : "no cell label");
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		int bad = fclose(tl->blk[b]) != 0;

		tl->blk[b] = NULL;
		if (bad) {
			fclose(f);
			return -ENOMEM;
		}
		/* An empty block would merge with the next: "?" keeps its index. */
		fprintf(f, "%s%s%s", b ? "\n\n" : "", tl->btext[b],
		        tl->counts[b]     ? ""
		        : b == 1          ? "? ? ?\n"
		        : b == 6          ? "? ? ? ?\n"
		        : b < 3 || b == 5 ? "? ? ? ? ?\n"
		                          : "? ?\n");
	}
	return gb__plot_close(f, path);
}

/* What the timeline shows, in one sentence for the report. */
static void plot_tl_sentence(const struct plot_tl *tl, char *buf, size_t len)
{
	const struct plot_trace *tr = &tl->tr;
	const struct plot_tl_state *st = tl->st;
	double t_end = tl->hi - tl->lo;
	size_t top = 0, io = 0;
	char rname[2][96];

	buf[0] = '\0';
	for (size_t i = 1; i < tr->nthreads; i++) {
		if (st[i].held > st[top].held)
			top = i;
		if (st[i].io > st[io].io)
			io = i;
	}
	plot_row_name(tr, &tr->th[top], tl->one_each, rname[0], sizeof(rname[0]));
	if (tl->windowed)
		gb__plot_cat(buf, len,
		             "Between %.4g and %.4g ms (--window; the trace runs %.4g ms), "
		             "%zu threads",
		             tl->lo, tl->hi, tl->t_end, tr->nthreads);
	else
		gb__plot_cat(buf, len, "Over %.3g ms, %zu threads", t_end, tr->nthreads);
	if (tr->nprocs > 1)
		gb__plot_cat(buf, len, " in %zu processes (each with its own GIL)", tr->nprocs);
	gb__plot_cat(buf, len,
	             " took a GIL %u times and %u of the drops were forced; %s held it longest "
	             "(%.0f%% of the time)",
	             tl->acq, tl->forced, rname[0], t_end > 0 ? 100 * st[top].held / t_end : 0);
	/* The convoy in one clause: how long the I/O thread waited to run again. */
	if (st[io].io > 0 && t_end > 0) {
		plot_row_name(tr, &tr->th[io], tl->one_each, rname[1], sizeof(rname[1]));
		gb__plot_cat(buf, len,
		             "; %s, the one doing I/O, spent %.0f%% of the time in I/O and %.0f%% "
		             "waiting for the GIL",
		             rname[1], 100 * st[io].io / t_end, 100 * st[io].waited / t_end);
	}
	if (tl->agg)
		gb__plot_cat(
		        buf, len,
		        " (drawn as each thread's held fraction in %d bins of %.3g ms: %zu events "
		        "of one thread are too many for bars; --window START_MS:END_MS zooms in)",
		        PLOT_TL_BINS, t_end / PLOT_TL_BINS, tl->max_ev);
	if (tr->lost)
		gb__plot_cat(
		        buf, len,
		        " (the trace lost %llu events: its rings were full, so the earliest are "
		        "missing)",
		        tr->lost);
	gb__plot_cat(buf, len, "%s%s.", tr->label[0] ? ". Cell: " : "", tr->label);
	/* The report is markdown: it wants plain spaces. */
	for (char *p; (p = strstr(buf, "\xc2\xa0"));)
		memmove(p, p + 1, strlen(p + 1) + 1), *p = ' ';
}

/* The style key of the held bars: the colour of the traced model (threads, gil X). */
static void plot_tl_held_key(const char *label, char *key, size_t len)
{
	const char *g = strstr(label, "gil=");
	const char *m = strstr(label, "model=");

	snprintf(key, len, "threads_new");
	if (m && strncmp(m + 6, "threads", 7) != 0)
		snprintf(key, len, "%.*s", (int)strcspn(m + 6, " ,"), m + 6);
	else if (g)
		snprintf(key, len, "threads_%.*s", (int)strcspn(g + 4, " ,"), g + 4);
}

/* row_labels: words for gnuplot's word(), top row first. 0 or -ENOMEM. */
static int plot_tl_labels(const struct plot_tl *tl, FILE *vf)
{
	char *labels = NULL;
	size_t llen = 0;
	FILE *lf = open_memstream(&labels, &llen);

	if (!lf)
		return -ENOMEM;
	for (size_t r = 0; r < tl->nrows; r++) {
		char one[96];
		plot_row_name(&tl->tr, tl->order[r], tl->one_each, one, sizeof(one));
		fprintf(lf, "%s%s", r ? " " : "", one);
	}
	if (fclose(lf) != 0) {
		free(labels);
		return -ENOMEM;
	}
	gb__plot_var_str(vf, "row_labels", labels);
	free(labels);
	return 0;
}

/* The template's vars and the render. 0, or -errno. */
static int plot_tl_render(struct gb__plot_ctx *pc, const struct plot_tl *tl, const char *stem,
                          struct gb_report_chart *ch)
{
	char *vars = NULL, key[64];
	size_t vlen = 0, nrows = tl->nrows;
	FILE *vf = gb__plot_vars_open(pc, &vars, &vlen, stem, NULL);

	if (!vf)
		return -ENOMEM;
	gb__plot_var_num(vf, "rows", (double)nrows);
	gb__plot_var_num(vf, "t_end", tl->t_end);
	gb__plot_var_num(vf, "t_lo", tl->lo);
	gb__plot_var_num(vf, "t_hi", tl->hi);
	gb__plot_var_num(vf, "agg", tl->agg);
	gb__plot_var_num(vf, "bin_ms", (tl->hi - tl->lo) / PLOT_TL_BINS);
	gb__plot_var_num(vf, "height", (double)(nrows > 6 ? 140 + 60 * nrows : 500));
	gb__plot_var_num(vf, "nprocs", (double)tl->tr.nprocs);
	gb__plot_var_str(vf, "cell", tl->tr.label);
	plot_tl_held_key(tl->tr.label, key, sizeof(key));
	gb__plot_var_str(vf, "held_key", key);
	if (plot_tl_labels(tl, vf) != 0) {
		fclose(vf);
		free(vars);
		return -ENOMEM;
	}
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		char v[16];
		snprintf(v, sizeof(v), "n%d", b);
		gb__plot_var_num(vf, v, (double)tl->counts[b]);
	}
	return gb__plot_finish(pc, vf, &vars, "gil_timeline", stem, ch);
}

int gb__plot_trace_check(const struct gb__plot_ctx *pc, const char *trace_path)
{
	struct plot_trace tr = {0};
	int err = plot_trace_load(trace_path, &tr);
	double t_end;

	if (!err && pc->has_window) {
		t_end = (tr.ev[tr.nev - 1].t_ns - tr.ev[0].t_ns) / 1e6;
		if (pc->win_lo >= t_end) {
			gb_err(trace_path,
			       "--window starts at %g ms, after the trace ends (%.4g ms)",
			       pc->win_lo, t_end);
			err = -EINVAL;
		}
	}
	plot_trace_free(&tr);
	return err;
}

int gb__plot_timeline(struct gb__plot_ctx *pc, const char *trace_path, const char *stem)
{
	struct gb_report_chart *ch = gb__plot_chart(pc, "GIL timeline");
	struct plot_tl tl = {0};
	int err;

	if (!ch)
		return -ENOMEM;
	err = plot_trace_load(trace_path, &tl.tr);
	if (!err)
		err = plot_trace_order(&tl.tr, &tl.order);
	if (!err)
		err = plot_tl_rows(&tl, trace_path);
	if (!err)
		err = plot_tl_range(&tl, pc);
	if (!err) {
		plot_tl_events(&tl);
		err = plot_tl_write(pc, &tl, trace_path, stem);
	}
	if (!err) {
		plot_tl_sentence(&tl, ch->sentence, sizeof(ch->sentence));
		err = plot_tl_render(pc, &tl, stem, ch);
	}
	if (!err)
		gb__plot_cat(ch->sentence, sizeof(ch->sentence), " Trace: `%s`.", trace_path);
	for (int b = 0; b < PLOT_TL_BLOCKS; b++) {
		if (tl.blk[b])
			fclose(tl.blk[b]);
		free(tl.btext[b]);
	}
	free(tl.st);
	free(tl.bins);
	free(tl.row);
	free(tl.order);
	plot_trace_free(&tl.tr);
	return err;
}
