// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapswatch --gctrace: the table of a parsed gctrace, its JSON and the
 * verdict on the live heap (see <memsift/gctrace.h>), apart from the parser
 * in gctrace.c and through its accessors only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <memsift/gctrace.h>
#include <memsift/jsonwrt.h>
#include <memsift/output.h>
#include <memsift/trend.h>

#include "internal.h"

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
	for (i = 0; i < ms_gctrace_count(t); i++) {
		const struct ms_gc *g = ms_gctrace_get(t, i);
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
	const struct ms_gctrace_stats *st = ms_gctrace_stats(t);
	struct ms_jw w;
	size_t i;

	ms_jw_init(&w, fp);
	ms_jw_object_open(&w, NULL);
	ms_jw_memsift_json(&w);
	ms_jw_str(&w, "file", name);
	ms_jw_array_open(&w, "gcs");
	for (i = 0; i < ms_gctrace_count(t); i++) {
		const struct ms_gc *g = ms_gctrace_get(t, i);

		ms_jw_object_open(&w, NULL);
		ms_jw_u64(&w, "gc", g->n);
		ms_jw_double(&w, "time", g->t, 3);
		ms_jw_u64(&w, "live", g->live);
		ms_jw_u64(&w, "goal", g->goal);
		ms_jw_u64(&w, "start", g->heap_start);
		ms_jw_u64(&w, "end", g->heap_end);
		ms_jw_bool(&w, "forced", g->forced);
		ms_jw_u64(&w, "run", g->run);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	ms_jw_u64(&w, "skipped", st->skipped);
	ms_jw_u64(&w, "runs", st->runs);
	if (s) {
		ms_jw_str(&w, "verdict", ms_verdict_str(ms_series_verdict(s)));
		ms_jw_double(&w, "rate", ms_series_rate(s), 1);
	} else {
		ms_jw_null(&w, "verdict");
		ms_jw_null(&w, "rate");
	}
	ms_jw_bool(&w, "stopped", st->stopped);
	ms_jw_u64(&w, "judged", judged);
	ms_jw_object_close(&w);
	fputc('\n', fp);
}

static void print_verdict(const struct ms_gctrace *t, const char *name, const struct ms_series *s,
			  size_t judged, FILE *fp)
{
	const struct ms_gctrace_stats *st = ms_gctrace_stats(t);
	size_t n = ms_gctrace_count(t);
	char rate[32], span[32];
	const char *sep = " (";

	fprintf(fp, "%s: live heap after GC ", name);
	if (s) {
		double secs = ms_gctrace_get(t, n - 1)->t - ms_gctrace_get(t, n - judged)->t;

		if (secs < 60)
			snprintf(span, sizeof(span), "%.1fs", secs);
		else
			ms_duration_str(secs, span, sizeof(span));
		fprintf(fp, "%s, %s over %zu GCs in %s", ms_verdict_str(ms_series_verdict(s)),
			ms_rate_str(ms_series_rate(s), rate, sizeof(rate)), judged, span);
	} else {
		fprintf(fp, "not judged: too few GCs (%zu)", judged);
	}
	if (st->runs > 1) {
		fprintf(fp, "%sthe last of %u runs", sep, st->runs);
		sep = "; ";
	}
	if (st->skipped) {
		fprintf(fp, "%s%lu line%s skipped", sep, st->skipped,
			st->skipped == 1 ? "" : "s");
		sep = "; ";
	}
	if (st->stopped) {
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
	for (i = ms_gctrace_count(t); i > 0 &&
	     ms_gctrace_get(t, i - 1)->run == ms_gctrace_stats(t)->runs - 1; i--)
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
