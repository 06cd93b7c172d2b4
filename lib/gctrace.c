// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go's GODEBUG=gctrace=1 lines (see <memsift/gctrace.h>).  The form is
 * printed by gcMarkTermination() in runtime/mgc.go; each field is read in
 * turn and any departure makes the line "another format", skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/gctrace.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "util.h"

struct ms_gctrace {
	struct ms_gc *v;
	size_t n, cap;
	double *times;		/* for ms_gctrace_series(), kept while T lives */
	struct ms_gctrace_stats st;
};

static bool lit(const char **p, const char *s)
{
	size_t len = strlen(s);

	if (strncmp(*p, s, len) != 0)
		return false;
	*p += len;
	return true;
}

static bool num(const char **p, uint64_t *v)
{
	return ms_scan_u64(p, NULL, v);
}

/* A decimal as Go's %.3f or its trimmed float formatting writes it: "0.013", "1.2", "0". */
static bool decimal(const char **p, double *v)
{
	const char *s = *p;
	uint64_t ip, fp;

	if (!num(&s, &ip))
		return false;
	if (*s == '.') {
		const char *f = ++s;

		if (!num(&s, &fp) || s - f > 18)
			return false;
		*v = (double)ip + (double)fp / pow(10, (double)(s - f));
	} else {
		*v = (double)ip;
	}
	*p = s;
	return true;
}

/* "X+Y+Z": the clock and cpu fields' shape; their values are not kept. */
static bool phases(const char **p, const char *sep)
{
	double d;
	size_t i;

	for (i = 0; sep[i]; i++)
		if (!decimal(p, &d) || **p != sep[i] || !(*p)++)
			return false;
	return decimal(p, &d);
}

static bool mb(const char **p, uint64_t *v)
{
	uint64_t x;

	if (!num(p, &x) || x > UINT64_MAX >> 20)
		return false;
	*v = x << 20;
	return true;
}

/* The gctrace form from "gc " on; false if anything departs from it. */
static bool parse_gc(const char *p, struct ms_gc *g)
{
	uint64_t pct, procs;

	memset(g, 0, sizeof(*g));
	if (!lit(&p, "gc ") || !num(&p, &g->n) || !lit(&p, " @") || !decimal(&p, &g->t) ||
	    !lit(&p, "s ") || !num(&p, &pct) || pct > 100 || !lit(&p, "%: ") ||
	    !phases(&p, "++") || !lit(&p, " ms clock, ") ||
	    !phases(&p, "+//+") || !lit(&p, " ms cpu, ") ||
	    !mb(&p, &g->heap_start) || !lit(&p, "->") || !mb(&p, &g->heap_end) ||
	    !lit(&p, "->") || !mb(&p, &g->live) || !lit(&p, " MB, ") ||
	    !mb(&p, &g->goal) || !lit(&p, " MB goal, "))
		return false;
	g->cpu_pct = (unsigned)pct;
	/* Go 1.18 and later: "E MB stacks, F MB globals, " before the Ps. */
	{
		const char *q = p;
		uint64_t st, gl;

		if (mb(&q, &st) && lit(&q, " MB stacks, ") && mb(&q, &gl) &&
		    lit(&q, " MB globals, ")) {
			g->has_stacks = true;
			g->stacks = st;
			g->globals = gl;
			p = q;
		}
	}
	if (!num(&p, &procs) || procs > 1u << 20 || !lit(&p, " P"))
		return false;
	g->procs = (unsigned)procs;
	if (lit(&p, " (forced)"))
		g->forced = true;
	while (*p == ' ' || *p == '\r')
		p++;
	return *p == '\0';
}

/* "gc N @" at the start of LINE, or after a space (a log prefix). */
static const char *find_gc(const char *line)
{
	const char *p = line;

	while (*p == ' ' || *p == '\t')
		p++;
	for (;;) {
		const char *q = *p == ' ' ? p + 1 : p;

		if (!strncmp(q, "gc ", 3) && isdigit((unsigned char)q[3]))
			return q;
		/* Never search on from the end: past it lies an older, longer line. */
		if (!*p || !(p = strstr(p + 1, " gc ")))
			return NULL;
	}
}

static int push(struct ms_ctx *ctx, struct ms_gctrace *t, const struct ms_gc *g)
{
	if (MS_GROW(t->v, t->cap, t->n + 1, 64) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	t->v[t->n++] = *g;
	return 0;
}

static int take_line(struct ms_ctx *ctx, struct ms_gctrace *t, const char *name,
		     char *line, size_t len)
{
	const char *at;
	struct ms_gc g;

	if (memchr(line, '\0', len)) {
		t->st.skipped++;
		return ms_parser_error(ctx, name, t->st.lines,
				       "binary data (a NUL byte); is this a program's stderr?");
	}
	line[len] = '\0';
	at = find_gc(line);
	if (!at || !parse_gc(at, &g)) {
		t->st.skipped++;
		return 0;
	}
	g.line = t->st.lines;
	if (!t->n) {
		t->st.runs = 1;
	} else if (g.n <= t->v[t->n - 1].n) {
		/* GC numbers only rise within a process: this is the program again. */
		t->st.runs++;
	}
	g.run = t->st.runs - 1;
	return push(ctx, t, &g);
}

struct reader {
	struct ms_ctx *ctx;
	struct ms_gctrace *t;
	const char *name;
	unsigned long base;	/* lines read by the calls before this one */
};

static int read_line(void *data, char *line, size_t len, unsigned long lineno)
{
	struct reader *r = data;

	r->t->st.lines = r->base + lineno;
	return take_line(r->ctx, r->t, r->name, line, len);
}

int ms_gctrace_parse(struct ms_ctx *ctx, FILE *fp, const char *name, struct ms_gctrace **out)
{
	struct ms_gctrace *t = calloc(1, sizeof(*t));
	struct reader r = { .ctx = ctx, .t = t, .name = name };
	unsigned long nlong = 0;
	int rc = 0;

	if (!t) {
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	/*
	 * A live pipe ends by a signal as well as by EOF: a read interrupted
	 * (EINTR) goes on, and one that would block (EAGAIN: the caller's
	 * handler set O_NONBLOCK to stop) ends the input once what is already
	 * in the pipe has been read, so no GC the program printed is lost.
	 */
	for (;;) {
		unsigned long n = 0;
		int e;

		rc = ms_read_lines(ctx, fp, name, MS_GCTRACE_LINE_MAX, read_line, &r, &n, &nlong);
		e = errno;
		r.base += n;
		t->st.lines = r.base;
		t->st.long_lines += nlong;
		t->st.skipped += nlong;
		if (rc != -EIO || (e != EINTR && e != EAGAIN && e != EWOULDBLOCK))
			break;
		clearerr(fp);
		if (e != EINTR) {
			t->st.stopped = true;
			rc = 0;
			break;
		}
	}
	if (rc < 0)
		goto out;
	if (!t->n) {
		rc = ms_err(ctx, -EBADMSG,
			    "%s: no gctrace line in %lu lines; run the program with GODEBUG=gctrace=1 and keep its stderr",
			    name, t->st.lines);
		goto out;
	}
	*out = t;
	t = NULL;
out:
	ms_gctrace_free(t);
	return rc;
}

void ms_gctrace_free(struct ms_gctrace *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->times);
	free(t);
}

size_t ms_gctrace_count(const struct ms_gctrace *t)
{
	return t->n;
}

const struct ms_gc *ms_gctrace_get(const struct ms_gctrace *t, size_t i)
{
	return i < t->n ? &t->v[i] : NULL;
}

const struct ms_gctrace_stats *ms_gctrace_stats(const struct ms_gctrace *t)
{
	return &t->st;
}

int ms_gctrace_series(struct ms_ctx *ctx, struct ms_gctrace *t, struct ms_series **out)
{
	size_t first = t->n, i, k = 0;
	uint64_t *vals;
	int rc;

	while (first > 0 && t->v[first - 1].run == t->st.runs - 1)
		first--;
	free(t->times);
	t->times = malloc((t->n - first + 1) * sizeof(*t->times));
	vals = malloc((t->n - first + 1) * sizeof(*vals));
	if (!t->times || !vals) {
		free(vals);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = first; i < t->n; i++) {
		/* Same millisecond: keep the later GC's heap, a series needs rising times. */
		if (k && !(t->v[i].t > t->times[k - 1]))
			k--;
		t->times[k] = t->v[i].t;
		vals[k++] = t->v[i].live;
	}
	if (k < 2) {
		free(vals);
		return ms_err(ctx, -EINVAL, "not enough GCs to judge: %zu at distinct times", k);
	}
	rc = ms_series_new(ctx, vals, t->times, k, out);
	free(vals);
	return rc;
}
