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
#include <memsift/output.h>
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

enum { GC_N, GC_TIME, GC_LIVE, GC_GOAL, GC_START, GC_END, GC_FORCED };

static const struct ms_out_column gc_cols[] = {
	[GC_N]      = { "GC", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "GC number" },
	[GC_TIME]   = { "TIME", 8, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT,
			"seconds since the program started" },
	[GC_LIVE]   = { "LIVE", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE,
			"live heap after the GC" },
	[GC_GOAL]   = { "GOAL", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE,
			"heap goal for the next GC" },
	[GC_START]  = { "START", 6, MS_COL_RIGHT, MS_COL_SIZE, "heap when the GC began" },
	[GC_END]    = { "END", 6, MS_COL_RIGHT, MS_COL_SIZE, "heap when the GC ended" },
	[GC_FORCED] = { "FORCED", 1, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_BOOL,
			"run by runtime.GC()" },
};

static int print_table(struct ms_ctx *ctx, const struct ms_gctrace *t, unsigned flags, FILE *fp)
{
	struct ms_out *o;
	size_t i;
	int rc = ms_out_new(ctx, gc_cols, MS_ARRAY_SIZE(gc_cols), "gcs", &o);

	if (rc < 0)
		return rc;
	ms_out_set_flags(o, flags & ~(unsigned)MS_OUT_JSON);
	for (i = 0; i < t->n; i++) {
		const struct ms_gc *g = &t->v[i];
		struct ms_out_row *r = ms_out_add_row(o);

		if (!r) {
			ms_out_free(o);
			return -ENOMEM;
		}
		ms_out_set_u64(r, GC_N, g->n);
		ms_out_set_double(r, GC_TIME, g->t);
		ms_out_set_u64(r, GC_LIVE, g->live);
		ms_out_set_u64(r, GC_GOAL, g->goal);
		ms_out_set_u64(r, GC_START, g->heap_start);
		ms_out_set_u64(r, GC_END, g->heap_end);
		ms_out_set_bool(r, GC_FORCED, g->forced);
	}
	rc = ms_out_print(o, fp);
	ms_out_free(o);
	return rc;
}

static void print_json(const struct ms_gctrace *t, const char *name, const struct ms_series *s,
		       size_t judged, FILE *fp)
{
	size_t i;

	fputs("{\"file\":", fp);
	ms_json_str(fp, name);
	fputs(",\"gcs\":[", fp);
	for (i = 0; i < t->n; i++) {
		const struct ms_gc *g = &t->v[i];

		fprintf(fp, "%s{\"gc\":%" PRIu64 ",\"time\":%.3f,\"live\":%" PRIu64
			",\"goal\":%" PRIu64 ",\"start\":%" PRIu64 ",\"end\":%" PRIu64
			",\"forced\":%s,\"run\":%u}", i ? "," : "", g->n, g->t, g->live, g->goal,
			g->heap_start, g->heap_end, g->forced ? "true" : "false", g->run);
	}
	fprintf(fp, "],\"skipped\":%lu,\"runs\":%u,\"verdict\":", t->st.skipped, t->st.runs);
	if (s) {
		ms_json_str(fp, ms_verdict_str(ms_series_verdict(s)));
		fprintf(fp, ",\"rate\":%.1f", ms_series_rate(s));
	} else {
		fputs("null,\"rate\":null", fp);
	}
	fprintf(fp, ",\"stopped\":%s,\"judged\":%zu}\n", t->st.stopped ? "true" : "false",
		judged);
}

static void print_verdict(const struct ms_gctrace *t, const char *name, const struct ms_series *s,
			  size_t judged, FILE *fp)
{
	char rate[32], span[32];
	const char *sep = " (";

	fprintf(fp, "%s: live heap after GC ", name);
	if (s) {
		double secs = t->v[t->n - 1].t - t->v[t->n - judged].t;

		if (secs < 60)
			snprintf(span, sizeof(span), "%.1fs", secs);
		else
			ms_duration_str(secs, span, sizeof(span));
		fprintf(fp, "%s, %s over %zu GCs in %s", ms_verdict_str(ms_series_verdict(s)),
			ms_rate_str(ms_series_rate(s), rate, sizeof(rate)), judged, span);
	} else {
		fprintf(fp, "not judged: too few GCs (%zu)", judged);
	}
	if (t->st.runs > 1) {
		fprintf(fp, "%sthe last of %u runs", sep, t->st.runs);
		sep = "; ";
	}
	if (t->st.skipped) {
		fprintf(fp, "%s%lu line%s skipped", sep, t->st.skipped,
			t->st.skipped == 1 ? "" : "s");
		sep = "; ";
	}
	if (t->st.stopped) {
		fprintf(fp, "%sstopped by a signal before the end of the input", sep);
		sep = "; ";
	}
	fputs(*sep == ';' ? ")\n" : "\n", fp);
}

int ms_gctrace_report(struct ms_ctx *ctx, FILE *in, const char *name, unsigned flags,
		      FILE *out)
{
	struct ms_gctrace *t = NULL;
	struct ms_series *s = NULL;
	size_t judged = 0, i;
	int rc = ms_gctrace_parse(ctx, in, name, &t);

	if (rc < 0)
		return rc;
	for (i = t->n; i > 0 && t->v[i - 1].run == t->st.runs - 1; i--)
		judged++;
	rc = ms_gctrace_series(ctx, t, &s);
	if (rc == -ENOMEM)
		goto out;
	if (flags & MS_OUT_JSON) {
		print_json(t, name, s, judged, out);
	} else {
		rc = print_table(ctx, t, flags, out);
		if (rc < 0)
			goto out;
		print_verdict(t, name, s, judged, out);
	}
	rc = s ? (int)ms_series_verdict(s) : 0;
	if (fflush(out) != 0 || ferror(out))
		rc = ms_err(ctx, -EIO, "%s: write error", name);
out:
	ms_series_free(s);
	ms_gctrace_free(t);
	return rc;
}
