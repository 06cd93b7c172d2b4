// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Following mappings between snapshots (diff), trends over a series, and
 * labels, over smaps text the test writes and so knows exactly.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/maps.h>
#include <memsift/trend.h>

#include "tap.h"

static struct ms_ctx *ctx;

/* A mapping line plus its Rss: "START END PERMS RSS_KB [NAME]". */
static struct ms_maps *build(const char *spec)
{
	char *text = NULL, line[256], name[128];
	unsigned long long start, end, rss;
	const char *p = spec;
	struct ms_maps *m = NULL;
	char perms[8];
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int n, used;

	while (*p) {
		name[0] = '\0';
		n = sscanf(p, "%llx %llx %4s %llu%n %127[^;]%n", &start, &end, perms, &rss, &used,
			   name, &used);
		if (n < 4)
			break;
		fprintf(fp, "%llx-%llx %s 00000000 00:00 0 %s\nSize: %llu kB\nRss: %llu kB\n",
			start, end, perms, name, (end - start) / 1024, rss);
		p += used;
		while (*p == ';' || *p == ' ')
			p++;
	}
	fclose(fp);
	snprintf(line, sizeof(line), "spec");
	if (ms_maps_parse_buf(ctx, text, len, line, &m) < 0)
		printf("# build failed: %s\n", ms_ctx_errmsg(ctx));
	free(text);
	return m;
}

static const struct ms_diff_entry *entry_at(const struct ms_diff *d, uint64_t start)
{
	size_t i;

	for (i = 0; i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);

		if (ms_mapping_start(ms_diff_entry_mapping(e)) == start)
			return e;
	}
	return NULL;
}

static void test_diff(void)
{
	/*
	 * 0x10000: grows in place; 0x40000: split by mprotect into two;
	 * 0x80000 and 0x90000: merged into one; 0xc0000: gone; 0xf0000: new;
	 * a stack grown down keeps its name, not its start.
	 */
	struct ms_maps *a = build("10000 20000 rw-p 64; 40000 60000 rw-p 128; 80000 90000 rw-p 16;"
				  "90000 a0000 rw-p 16; c0000 d0000 rw-p 8;"
				  "7ff00000 7ff10000 rw-p 8 [stack]");
	struct ms_maps *b = build("10000 30000 rw-p 128; 40000 50000 rw-p 64; 50000 60000 r--p 64;"
				  "80000 a0000 rw-p 64; f0000 f1000 rw-p 4;"
				  "7fef0000 7ff10000 rw-p 72 [stack]");
	const struct ms_diff_entry *e;
	struct ms_diff *d = NULL;

	ok(a && b && ms_diff_new(ctx, a, b, &d) == 0, "diff of built maps");
	if (!d)
		goto out;
	e = entry_at(d, 0x10000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_KEPT && ms_diff_entry_delta(e, MS_F_RSS) == 64 * 1024,
	   "grown in place: kept, +64K");
	e = entry_at(d, 0x50000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_SPLIT && ms_diff_entry_delta(e, MS_F_RSS) == 0,
	   "the cut-off half is split, not new, and did not grow");
	/* Netted against its sibling: a split is neither growth nor a shrink. */
	e = entry_at(d, 0x40000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_KEPT &&
	   ms_diff_entry_delta(e, MS_F_RSS) == 0, "the half at the old start is kept, not shrunk");
	e = entry_at(d, 0x90000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_MERGED, "the absorbed neighbour is merged, not gone");
	e = entry_at(d, 0xc0000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_GONE && ms_diff_entry_delta(e, MS_F_RSS) == -8 * 1024,
	   "gone");
	e = entry_at(d, 0xf0000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_NEW && ms_diff_entry_value(e, 0, MS_F_RSS) == 0,
	   "new, 0 before");
	e = entry_at(d, 0x7fef0000);
	ok(e && ms_diff_entry_status(e) == MS_DIFF_KEPT && ms_diff_entry_old(e) &&
	   ms_mapping_start(ms_diff_entry_old(e)) == 0x7ff00000 &&
	   ms_diff_entry_delta(e, MS_F_RSS) == 64 * 1024, "a stack grown down is followed by name");
	is_int(ms_diff_count(d), 8, "every mapping of both sides accounted for once");
	ms_diff_sort(d, MS_F_RSS);
	e = ms_diff_get(d, 0);
	ok(ms_diff_entry_delta(e, MS_F_RSS) == 64 * 1024, "sorted by growth, largest first");
	ok(ms_diff_entry_delta(ms_diff_get(d, ms_diff_count(d) - 1), MS_F_RSS) == -8 * 1024,
	   "shrinks last (the gone mapping)");
out:
	ms_diff_free(d);
	ms_maps_free(a);
	ms_maps_free(b);
}

/* A series of N snapshots of three mappings whose Rss follows F(i). */
static struct ms_trend *series(size_t n, uint64_t (*grow)(size_t), uint64_t (*level)(size_t),
			       double *times, struct ms_maps **maps)
{
	struct ms_trend *t = NULL;
	char spec[512];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(spec, sizeof(spec),
			 "10000 100000000 rw-p %llu [heap]; 200000000 300000000 rw-p %llu; "
			 "400000000 400010000 rw-p 8",
			 (unsigned long long)grow(i), (unsigned long long)level(i));
		maps[i] = build(spec);
		times[i] = 10.0 * (double)i;
	}
	if (ms_trend_new(ctx, (const struct ms_maps *const *)maps, times, n, MS_F_RSS, &t) < 0)
		printf("# trend failed: %s\n", ms_ctx_errmsg(ctx));
	return t;
}

static uint64_t linear(size_t i) { return 1024 + 512 * i; }
static uint64_t plateau(size_t i) { return i < 3 ? 1024 * (i + 1) : 3072; }
static uint64_t spiky(size_t i) { return i == 4 ? 1000000 : 1024 + 512 * i; }
static uint64_t flat(size_t i) { (void)i; return 4096; }

static void test_trend(void)
{
	struct ms_maps *maps[1000];
	double times[1000], rate;
	struct ms_trend *t;
	const struct ms_series *s;
	size_t i;

	t = series(8, linear, plateau, times, maps);
	ok(t != NULL, "trend over 8 snapshots");
	if (t) {
		s = ms_trend_get(t, 0);
		ok(fabs(ms_series_rate(s) - 512 * 1024 / 10.0) < 1e-6,
		   "linear: rate 512 KiB per 10 s exactly (%f)", ms_series_rate(s));
		is_int(ms_series_verdict(s), MS_VERDICT_GROWING, "linear: grows with no steady state");
		ok(ms_series_steadiness(s) == 1.0, "linear: grew in every interval");
		is_u64(ms_series_value(s, 7), (1024 + 512 * 7) * 1024ULL, "value of the last snapshot");
		s = ms_trend_get(t, 1);
		is_int(ms_series_verdict(s), MS_VERDICT_LEVELLED, "plateau: levelled off");
		s = ms_trend_get(t, 2);
		is_int(ms_series_verdict(s), MS_VERDICT_STEADY, "unchanged: steady");
		s = ms_trend_total(t);
		is_int(ms_series_verdict(s), MS_VERDICT_GROWING, "total: grows");
		is_u64(ms_series_value(s, 0), (1024 + 1024 + 8) * 1024ULL, "total of the first snapshot");
		/* 512 KiB per 10 s from (1024 + 512 * 7) KiB, to 10 MiB: (10240 - 4608) / 512 * 10 s */
		ok(fabs(ms_series_eta(ms_trend_get(t, 0), 10 << 20) - 110.0) < 1e-6,
		   "eta to 10 MiB: 110 s (%f)", ms_series_eta(ms_trend_get(t, 0), 10 << 20));
		ok(ms_series_eta(ms_trend_get(t, 2), 10 << 20) < 0, "no eta for a steady series");
		ok(ms_series_eta(ms_trend_get(t, 0), 1024) == 0, "eta 0 when already past the limit");
	}
	ms_trend_free(t);
	for (i = 0; i < 8; i++)
		ms_maps_free(maps[i]);

	t = series(9, spiky, flat, times, maps);
	rate = t ? ms_series_rate(ms_trend_get(t, 0)) : 0;
	ok(t && fabs(rate - 512 * 1024 / 10.0) < 1e-6,
	   "one spike does not move the Theil-Sen rate (%f)", rate);
	ms_trend_free(t);
	for (i = 0; i < 9; i++)
		ms_maps_free(maps[i]);

	/* 1000 snapshots: thinned for the slope, still exact for a line. */
	t = series(1000, linear, flat, times, maps);
	rate = t ? ms_series_rate(ms_trend_get(t, 0)) : 0;
	ok(t && fabs(rate - 512 * 1024 / 10.0) < 1e-6, "1000 snapshots: rate exact (%f)", rate);
	ms_trend_free(t);
	for (i = 0; i < 1000; i++)
		ms_maps_free(maps[i]);

	times[0] = 5;
	times[1] = 5;
	maps[0] = build("10000 20000 rw-p 4");
	ok(ms_trend_new(ctx, (const struct ms_maps *const *)maps, times, 1, MS_F_RSS, &t) == -EINVAL,
	   "one snapshot is not a trend");
	maps[1] = maps[0];
	ok(ms_trend_new(ctx, (const struct ms_maps *const *)maps, times, 2, MS_F_RSS, &t) == -EINVAL &&
	   strstr(ms_ctx_errmsg(ctx), "oldest first"), "times must increase: %s", ms_ctx_errmsg(ctx));
	ms_maps_free(maps[0]);
}

/*
 * A free-standing series, as Go's live heap after each GC: a sawtooth whose
 * floor rises is a leak; one that comes back to the same floor is not.
 */
static void test_series(void)
{
	uint64_t rising[24], floor[24], level[24];
	double times[24];
	struct ms_series *s = NULL;
	size_t i;

	for (i = 0; i < 24; i++) {
		times[i] = 5.0 * (double)i;
		rising[i] = (uint64_t)(100 + 8 * i + (i % 4) * 30) << 20;
		floor[i] = (uint64_t)(100 + (i % 4) * 30) << 20;
		level[i] = (uint64_t)(i < 12 ? 100 + 10 * i : 220) << 20;
	}
	ok(ms_series_new(ctx, rising, times, 24, &s) == 0 &&
	   ms_series_verdict(s) == MS_VERDICT_GROWING, "a rising sawtooth grows with no steady state");
	ok(s && fabs(ms_series_rate(s) - (8.0 * (1 << 20)) / 5.0) < (1 << 20),
	   "its rate is the floor's, 8 MiB per 5 s (%f)", s ? ms_series_rate(s) : 0);
	is_u64(s ? ms_series_count(s) : 0, 24, "24 values");
	ok(s && ms_series_mapping(s) == NULL, "no mapping behind it");
	ms_series_free(s);
	s = NULL;
	ok(ms_series_new(ctx, floor, times, 24, &s) == 0 &&
	   ms_series_verdict(s) != MS_VERDICT_GROWING, "a sawtooth back to its floor does not grow (%s)",
	   s ? ms_verdict_str(ms_series_verdict(s)) : "-");
	ms_series_free(s);
	s = NULL;
	ok(ms_series_new(ctx, level, times, 24, &s) == 0 &&
	   ms_series_verdict(s) == MS_VERDICT_LEVELLED, "growth that stops has levelled off");
	ms_series_free(s);
	s = NULL;
	ok(ms_series_new(ctx, level, NULL, 24, &s) == 0 && s &&
	   fabs(ms_series_value(s, 23) - (double)(220 << 20)) < 1, "per sample without times");
	ms_series_free(s);
	s = NULL;
	ok(ms_series_new(ctx, level, times, 1, &s) == -EINVAL && !s, "one value is not a series");
	times[3] = times[2];
	ok(ms_series_new(ctx, level, times, 24, &s) == -EINVAL &&
	   strstr(ms_ctx_errmsg(ctx), "sample 4 is not later than sample 3"),
	   "times out of order are refused: %s", ms_ctx_errmsg(ctx));
	ms_series_free(s);
}

static void test_labels(void)
{
	/* A glibc thread heap: 64 MiB-aligned, 2 MiB used, the rest reserved. */
	struct ms_maps *m = build("7f0000000000 7f0000200000 rw-p 132; 7f0000200000 7f0004000000 ---p 0;"
				  "7f0010000000 7f0010001000 ---p 0; 7f0010001000 7f0010801000 rw-p 8;"
				  "c000000000 c004000000 rw-p 4096; 7f0020000000 7f0020100000 rw-p 1024");
	char buf[128];

	if (!m) {
		ok(0, "label maps");
		return;
	}
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 0), buf, sizeof(buf)),
	       "glibc malloc arena (likely)", "arena");
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 1), buf, sizeof(buf)),
	       "glibc arena reserve (likely)", "arena reserve");
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 2), buf, sizeof(buf)), "guard page", "guard");
	/*
	 * A stack's shape and Go's address alone are no evidence: no snapshot
	 * tells the threads, no Go runtime is mapped (tests/tools/mapsdiff/
	 * labels.sh gives both the evidence on live processes).
	 */
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 3), buf, sizeof(buf)), "",
	       "below a guard page, without threads known: no stack guessed");
	ms_label_mapping(NULL, ms_maps_find(m, 0xc000000000ULL), buf, sizeof(buf));
	ok(!strstr(buf, "Go"), "at Go's arena hint, without Go's runtime: no Go arena guessed (%s)",
	   buf);
	is_str(ms_label_mapping(NULL, ms_maps_find(m, 0x7f0020000000ULL), buf, sizeof(buf)), "",
	       "a plain anonymous region says nothing");
	ms_maps_free(m);
}

int main(void)
{
	ctx = ms_ctx_new();
	test_diff();
	test_trend();
	test_series();
	test_labels();
	ms_ctx_free(ctx);
	return tap_done();
}
