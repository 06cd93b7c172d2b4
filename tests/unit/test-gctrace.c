// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/gctrace.c over real GODEBUG=gctrace=1 output: a leaking and a steady
 * Go 1.19 program captured here (tests/fixtures/gctrace/), and older and
 * newer Go versions' lines quoted in golang/go issues (public/).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/gctrace.h>
#include <memsift/output.h>

#include "tap.h"

static struct ms_ctx *ctx;

#define MiB (1ULL << 20)

static struct ms_gctrace *parse(const char *rel, int *rc)
{
	char path[4096];
	struct ms_gctrace *t = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/gctrace/%s", getenv("MS_FIXTURES"), rel);
	fp = fopen(path, "r");
	if (!fp) {
		*rc = -errno;
		return NULL;
	}
	*rc = ms_gctrace_parse(ctx, fp, rel, &t);
	fclose(fp);
	return t;
}

static struct ms_gctrace *parse_str(const char *text, size_t len, int *rc)
{
	struct ms_gctrace *t = NULL;
	FILE *fp = fmemopen((void *)text, len, "r");

	*rc = ms_gctrace_parse(ctx, fp, "text", &t);
	fclose(fp);
	return t;
}

static int verdict_of(struct ms_gctrace *t, double *rate)
{
	struct ms_series *s = NULL;
	int v;

	if (ms_gctrace_series(ctx, t, &s) < 0)
		return -1;
	v = (int)ms_series_verdict(s);
	*rate = ms_series_rate(s);
	ms_series_free(s);
	return v;
}

static void test_captures(void)
{
	const struct ms_gc *g;
	struct ms_gctrace *t;
	double rate;
	int rc;

	t = parse("leak.gctrace", &rc);
	is_int(rc, 0, "leak: parses (%s)", ms_ctx_errmsg(ctx));
	if (rc)
		return;
	is_int(ms_gctrace_count(t), 38, "leak: 38 GCs");
	is_int(ms_gctrace_stats(t)->skipped, 0, "leak: nothing skipped");
	is_int(ms_gctrace_stats(t)->runs, 1, "leak: one run");
	g = ms_gctrace_get(t, 0);
	is_int(g->n, 1, "leak: gc 1");
	ok(fabs(g->t - 0.003) < 1e-9, "leak: @0.003s");
	is_int(g->cpu_pct, 0, "leak: 0%%");
	is_u64(g->heap_start, 3 * MiB, "leak: A");
	is_u64(g->heap_end, 4 * MiB, "leak: B");
	is_u64(g->live, 1 * MiB, "leak: C, the live heap");
	is_u64(g->goal, 4 * MiB, "leak: goal");
	ok(g->has_stacks && g->stacks == 0 && g->globals == 0, "leak: Go 1.19 stacks and globals");
	is_int(g->procs, 2, "leak: 2 P");
	ok(!g->forced, "leak: gc 1 not forced");
	is_int(g->line, 1, "leak: line 1");
	g = ms_gctrace_get(t, 37);
	is_int(g->n, 38, "leak: gc 38");
	ok(g->forced, "leak: gc 38 forced");
	is_u64(g->live, 100 * MiB, "leak: 100 MiB live at the end");
	ok(ms_gctrace_get(t, 38) == NULL, "leak: nothing past the end");
	is_int(verdict_of(t, &rate), MS_VERDICT_GROWING, "leak: the live heap grows");
	ok(rate > 100.0 * MiB && rate < 250.0 * MiB, "leak: at 100-250 MiB/s (%.0f)", rate);
	ms_gctrace_free(t);

	t = parse("steady.gctrace", &rc);
	is_int(rc, 0, "steady: parses");
	if (rc)
		return;
	is_int(ms_gctrace_count(t), 93, "steady: 93 GCs");
	g = ms_gctrace_get(t, 92);
	ok(g->forced && g->live == 32 * MiB, "steady: the final forced GC finds the 32 MiB kept");
	rc = verdict_of(t, &rate);
	ok(rc == MS_VERDICT_LEVELLED || rc == MS_VERDICT_STEADY,
	   "steady: levelled or steady, not growing (%d)", rc);
	ok(fabs(rate) < 1.0 * MiB, "steady: no rate to speak of (%.0f)", rate);
	ms_gctrace_free(t);
}

static void test_public(void)
{
	const struct ms_gc *g;
	struct ms_gctrace *t;
	struct ms_series *s;
	double rate;
	int rc;

	t = parse("public/go-14812-go1.9.gctrace", &rc);
	is_int(rc, 0, "go1.9: parses");
	is_int(ms_gctrace_count(t), 6, "go1.9: 6 GCs");
	g = ms_gctrace_get(t, 0);
	is_int(g->n, 290, "go1.9: gc 290");
	ok(!g->has_stacks, "go1.9: no stacks or globals");
	is_u64(g->live, 210 * MiB, "go1.9: live");
	is_u64(g->goal, 420 * MiB, "go1.9: goal");
	is_int(g->procs, 8, "go1.9: 8 P");
	is_int(g->cpu_pct, 3, "go1.9: 3%%");
	is_int(verdict_of(t, &rate), MS_VERDICT_STEADY, "go1.9: steady at 210 MB");
	ms_gctrace_free(t);

	t = parse("public/go-18896-restart.gctrace", &rc);
	is_int(rc, 0, "restart: parses");
	is_int(ms_gctrace_count(t), 13, "restart: 13 GCs");
	is_int(ms_gctrace_stats(t)->runs, 2, "restart: two runs");
	is_int(ms_gctrace_get(t, 11)->run, 0, "restart: gc 12 in the first");
	is_int(ms_gctrace_get(t, 12)->run, 1, "restart: the second gc 1 in the second");
	is_u64(ms_gctrace_get(t, 11)->live, 3197 * MiB, "restart: 3197 MB live");
	rc = ms_gctrace_series(ctx, t, &s);
	is_int(rc, -EINVAL, "restart: one GC in the last run is not enough to judge");
	ms_gctrace_free(t);

	t = parse("public/go-44554-go1.16-prefixed.gctrace", &rc);
	is_int(rc, 0, "prefixed: parses");
	is_int(ms_gctrace_count(t), 10, "prefixed: the 10 lines after their log stamps");
	is_int(ms_gctrace_stats(t)->skipped, 0, "prefixed: none skipped");
	g = ms_gctrace_get(t, 0);
	ok(g->n == 46 && fabs(g->t - 1573.417) < 1e-9, "prefixed: gc 46 @1573.417s");
	is_u64(g->live, 125 * MiB, "prefixed: live");
	ms_gctrace_free(t);

	t = parse("public/go-68643-go1.22.gctrace", &rc);
	is_int(rc, 0, "go1.22: parses");
	is_int(ms_gctrace_count(t), 1, "go1.22: one GC");
	is_int(ms_gctrace_stats(t)->skipped, 9, "go1.22: the program's own 9 lines skipped");
	is_int(ms_gctrace_get(t, 0)->procs, 24, "go1.22: 24 P");
	is_int(ms_gctrace_get(t, 0)->line, 5, "go1.22: on line 5");
	ms_gctrace_free(t);
}

static void test_bad(void)
{
	static const char near_misses[] =
		/* one of each field wrong, and one good line to be found */
		"gc 1 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->4 MB, 4 MB goal, 2 P extra\n"
		"gc 1 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->4 MB, 4 MB goal, 0 MB stacks, 2 P\n"
		"gc 1 @0.1s 500%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->4 MB, 4 MB goal, 2 P\n"
		"gc 1 @0.1s 5%: 0.1+0.2 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->4 MB, 4 MB goal, 2 P\n"
		"gc 1 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4 MB, 4 MB goal, 2 P\n"
		"gc 1 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->99999999999999999 MB, 4 MB goal, 2 P\n"
		"scvg0: inuse: 0, idle: 0, sys: 1, released: 0, consumed: 1 (MB)\n"
		"xgc 1 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->4->4 MB, 4 MB goal, 2 P\n"
		"gc 7 @0.1s 5%: 0.1+0.2+0.3 ms clock, 0.1+0.2/0.3/0.4+0.5 ms cpu, 4->5->3 MB, 6 MB goal, 2 P\r\n";
	struct ms_gctrace *t;
	int rc;

	t = parse_str(near_misses, sizeof(near_misses) - 1, &rc);
	is_int(rc, 0, "near misses: parses");
	if (!rc) {
		is_int(ms_gctrace_count(t), 1, "near misses: only the good line is read");
		is_int(ms_gctrace_stats(t)->skipped, 8, "near misses: the other 8 skipped");
		is_int(ms_gctrace_get(t, 0)->n, 7, "near misses: the good line");
		is_u64(ms_gctrace_get(t, 0)->live, 3 * MiB, "near misses: CRLF line read");
		ms_gctrace_free(t);
	}

	/* Found by fuzz-gctrace: an empty line was searched past its end, into
	 * what the line before left in the buffer, and read a GC twice. */
	{
		static const char ghost[] =
			"Feb 26 13:56:33.456 gc 46 @1573.417s 0%: 0.18+24+0.029 ms clock, 1.4+0.27/49/121+0.23 ms cpu, 259->262->125 MB, 265 MB goal, 8 P\n"
			"\n";

		t = parse_str(ghost, sizeof(ghost) - 1, &rc);
		is_int(rc, 0, "empty line after a prefixed GC: parses");
		if (!rc) {
			is_int(ms_gctrace_count(t), 1, "empty line: no second GC read from the line before");
			is_int(ms_gctrace_stats(t)->skipped, 1, "empty line: skipped");
			ms_gctrace_free(t);
		}
	}

	t = parse_str("", 0, &rc);
	is_int(rc, -EBADMSG, "empty: -EBADMSG");
	is_str(ms_ctx_errmsg(ctx),
	       "text: no gctrace line in 0 lines; run the program with GODEBUG=gctrace=1 and keep its stderr",
	       "empty: says what to do");

	t = parse_str("hello\n", 6, &rc);
	is_int(rc, -EBADMSG, "no gctrace: -EBADMSG");

	t = parse_str("gc 1\0 @", 7, &rc);
	is_int(rc, -EBADMSG, "NUL: -EBADMSG");
	is_str(ms_ctx_errmsg(ctx), "text:1: binary data (a NUL byte); is this a program's stderr?",
	       "NUL: names the line");
	(void)t;
}

static void test_report(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out, *in;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%s/gctrace/leak.gctrace", getenv("MS_FIXTURES"));
	in = fopen(path, "r");
	out = open_memstream(&text, &len);
	rc = ms_gctrace_report(ctx, in, "leak.gctrace", MS_OUT_JSON, out);
	fclose(in);
	fclose(out);
	is_int(rc, MS_VERDICT_GROWING, "report: returns the verdict");
	ok(text && !strncmp(text, "{\"memsift_json\":1,\"file\":\"leak.gctrace\",\"gcs\":[{\"gc\":1,"
			    "\"time\":0.003,\"live\":1048576,\"goal\":4194304,", 98),
	   "report: JSON begins with gc 1");
	ok(text && strstr(text, "\"verdict\":\"grows with no steady state\",\"rate\":"),
	   "report: JSON verdict");
	ok(text && strstr(text, ",\"judged\":38}\n"), "report: JSON judged 38 GCs");
	free(text);

	snprintf(path, sizeof(path), "%s/gctrace/public/go-14812-go1.9.gctrace",
		 getenv("MS_FIXTURES"));
	in = fopen(path, "r");
	text = NULL;
	out = open_memstream(&text, &len);
	rc = ms_gctrace_report(ctx, in, "go1.9", MS_OUT_BYTES, out);
	fclose(in);
	fclose(out);
	is_int(rc, MS_VERDICT_STEADY, "report: go1.9 steady");
	is_str(text,
	       "   GC     TIME      LIVE      GOAL FORCED\n"
	       "  290   256.19 220200960 440401920      0\n"
	       "  291   257.73 220200960 440401920      0\n"
	       "  292   259.29 220200960 441450496      0\n"
	       "  293   260.81 220200960 441450496      0\n"
	       "  294   262.35 221249536 440401920      0\n"
	       "  295   263.93 220200960 442499072      0\n"
	       "go1.9: live heap after GC steady, 0 over 6 GCs in 7.7s\n",
	       "report: go1.9 table and verdict");
	free(text);
}

int main(void)
{
	ctx = ms_ctx_new();
	if (!getenv("MS_FIXTURES")) {
		printf("1..0 # SKIP MS_FIXTURES not set; run through make check\n");
		return 0;
	}
	test_captures();
	test_public();
	test_bad();
	test_report();
	ms_ctx_free(ctx);
	return tap_done();
}
