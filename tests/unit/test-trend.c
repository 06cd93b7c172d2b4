// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The growth test on series whose truth the test writes: a slow steady leak
 * is "grows" whether the process is 22 MB or 610 MB, a warming cache levels
 * off, and a service that jitters up and down stays steady.  The noise a
 * growth must stand above is the series' own, not a share of its size.
 * Then, over smaps text the test writes: a mapping split in two is netted
 * against its sibling, and a file's pages paged in are not what grew.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <memsift/ctx.h>
#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/maps.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

#include "tap.h"

#define MiB (1024.0 * 1024)
#define KiB 1024.0

static struct ms_ctx *ctx;

static enum ms_verdict judge(const uint64_t *v, const double *t, size_t n)
{
	struct ms_series *s = NULL;
	enum ms_verdict verdict = 0;

	if (ms_series_new(ctx, v, t, n, &s) == 0)
		verdict = ms_series_verdict(s);
	else
		printf("# ms_series_new: %s\n", ms_ctx_errmsg(ctx));
	ms_series_free(s);
	return verdict;
}

/* A small deterministic jitter in [-amp, amp], as page faults and frees give. */
static double jitter(size_t i, double amp)
{
	static const double w[] = { 0.3, -0.8, 0.5, -0.1, 0.9, -0.6, 0.2, -0.4, 0.7, -1.0 };

	return amp * w[i % 10];
}

static void test_slow_leak(void)
{
	uint64_t v[30];
	double t[30];
	size_t i, n;
	static const double base[] = { 22 * MiB, 610 * MiB, 8192 * MiB };

	for (size_t b = 0; b < 3; b++) {
		for (n = 3; n <= 30; n = n == 3 ? 4 : n == 4 ? 10 : 31) {
			for (double dt = 1; dt <= 10; dt *= 10) {
				/* +320 KiB/s, a snapshot every DT s, a few pages of jitter. */
				for (i = 0; i < n; i++) {
					t[i] = dt * (double)i;
					v[i] = (uint64_t)(base[b] + 320 * KiB * t[i] +
							  jitter(i, 16 * KiB));
				}
				is_int(judge(v, t, n), MS_VERDICT_GROWING,
				       "+320 KiB/s in a %.0f MB process, %zu snapshots %.0f s apart, grows",
				       base[b] / MiB, n, dt);
			}
		}
	}
	/* Slower and barely over the floor: 32 KiB a snapshot for 10 of them in 610 MB. */
	for (i = 0; i < 10; i++) {
		t[i] = (double)i;
		v[i] = (uint64_t)(610 * MiB + 32 * KiB * (double)i);
	}
	is_int(judge(v, t, 10), MS_VERDICT_GROWING, "+32 KiB a snapshot in 610 MB grows");
	/* A leak that lands every other snapshot is still a leak. */
	for (i = 0; i < 10; i++)
		v[i] = (uint64_t)(610 * MiB + 2 * MiB * (double)(i / 2));
	is_int(judge(v, t, 10), MS_VERDICT_GROWING, "a leak every other snapshot grows");
	for (i = 0; i < 4; i++)
		v[i] = (uint64_t)(610 * MiB + 2 * MiB * (double)((i + 1) / 2));
	is_int(judge(v, t, 4), MS_VERDICT_GROWING, "a leak every other snapshot, 4 snapshots, grows");
	/*
	 * The same leak at every snapshot, one snapshot taken late (a loaded
	 * machine): the steps differ in time, not in bytes; still a leak.
	 */
	{
		static const double late[][4] = { { 0, 10, 60, 0 }, { 0, 10, 20, 45 } };

		for (i = 0; i < 4; i++)
			v[i] = (uint64_t)(610 * MiB + 4 * MiB * (double)i);
		is_int(judge(v, late[0], 3), MS_VERDICT_GROWING,
		       "a steady leak, 3 snapshots 10 and 50 apart, grows");
		is_int(judge(v, late[1], 4), MS_VERDICT_GROWING,
		       "a steady leak, 4 snapshots, the last 15 late, grows");
	}
}

static void test_not_leaking(void)
{
	uint64_t v[30];
	double t[30];
	size_t i;

	for (i = 0; i < 30; i++)
		t[i] = 10.0 * (double)i;
	/* A steady service: up and down by megabytes about a constant level. */
	for (i = 0; i < 30; i++)
		v[i] = (uint64_t)(610 * MiB + jitter(i * 7 + 3, 3 * MiB));
	is_int(judge(v, t, 30), MS_VERDICT_STEADY, "a service jittering by 3 MiB is steady");
	is_int(judge(v, t, 4), MS_VERDICT_STEADY, "the same over 4 snapshots is steady");
	is_int(judge(v, t, 3), MS_VERDICT_STEADY, "the same over 3 snapshots is steady");
	for (i = 0; i < 30; i++)
		v[i] = (uint64_t)(610 * MiB + (i % 2 ? 4 * MiB : 0));
	is_int(judge(v, t, 30), MS_VERDICT_STEADY, "allocate and free 4 MiB in turn: steady");
	is_int(judge(v, t, 5), MS_VERDICT_STEADY, "the same over 5 snapshots: steady");
	/* A small process jittering a few pages. */
	for (i = 0; i < 30; i++)
		v[i] = (uint64_t)(2 * MiB + jitter(i, 24 * KiB));
	is_int(judge(v, t, 30), MS_VERDICT_STEADY, "a few pages of jitter is steady");

	/* A warming cache: 600 MiB filled in four steps, then it holds. */
	for (i = 0; i < 30; i++)
		v[i] = (uint64_t)(10 * MiB + (i < 4 ? 150 * MiB * (double)i : 450 * MiB) +
				  jitter(i, 64 * KiB));
	is_int(judge(v, t, 30), MS_VERDICT_LEVELLED, "a warming cache levels off");
	is_int(judge(v, t, 10), MS_VERDICT_LEVELLED, "a warming cache levels off over 10 snapshots");
	/* Filled at once between the first two snapshots. */
	for (i = 0; i < 6; i++)
		v[i] = (uint64_t)(610 * MiB + (i ? 16 * MiB : 0));
	is_int(judge(v, t, 6), MS_VERDICT_LEVELLED, "a cache filled once has levelled off");
	/*
	 * Filled in two steps, then held, with snapshots unevenly apart (as a
	 * loaded machine takes them; mapsdiff/trend.sh saw "steady" once).
	 */
	{
		static const double gaps[][5] = {
			{ 0.027, 0.027, 0.012, 0.056, 0.041 },
			{ 0.010, 0.010, 0.200, 0.010, 0.010 },
			{ 0.300, 0.010, 0.010, 0.010, 0.300 },
		};
		double u[6];
		size_t g;

		for (g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
			u[0] = 0;
			for (i = 0; i < 6; i++) {
				v[i] = (uint64_t)(i < 2 ? 4 * MiB * (double)i : 8 * MiB);
				if (i)
					u[i] = u[i - 1] + gaps[g][i - 1];
			}
			is_int(judge(v, u, 6), MS_VERDICT_LEVELLED,
			       "0, 4, 8, 8, 8, 8 MiB at uneven times (set %zu): levelled off", g + 1);
		}
	}
	/* Growth smaller than its own jitter is not told from it. */
	for (i = 0; i < 10; i++)
		v[i] = (uint64_t)(610 * MiB + 8 * KiB * (double)i + jitter(i * 3, 4 * MiB));
	ok(judge(v, t, 10) != MS_VERDICT_GROWING, "8 KiB a snapshot under 4 MiB of jitter is not told");
	/* Freed: a series that falls. */
	for (i = 0; i < 10; i++)
		v[i] = (uint64_t)(610 * MiB - 8 * MiB * (double)i);
	is_int(judge(v, t, 10), MS_VERDICT_SHRINKING, "a falling series shrinks");
}

/*
 * Mappings from "START END PERMS RSS_KB ANON_KB [NAME]; ...": a NAME
 * starting with '/' is a file, given an inode.
 */
static struct ms_maps *build(const char *spec)
{
	unsigned long long start, end, rss, anon;
	char *text = NULL, name[128], perms[8];
	struct ms_maps *m = NULL;
	const char *p = spec;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int n, used;

	while (*p) {
		name[0] = '\0';
		n = sscanf(p, "%llx %llx %4s %llu %llu%n %127[^;]%n", &start, &end, perms, &rss,
			   &anon, &used, name, &used);
		if (n < 5)
			break;
		fprintf(fp, "%llx-%llx %s 00000000 fe:01 %d %s\nSize: %llu kB\nRss: %llu kB\n"
			"Private_Dirty: %llu kB\nAnonymous: %llu kB\n",
			start, end, perms, name[0] == '/' ? 4242 : 0, name, (end - start) / 1024, rss,
			anon, anon);
		p += used;
		while (*p == ';' || *p == ' ')
			p++;
	}
	fclose(fp);
	if (ms_maps_parse_buf(ctx, text, len, "spec", &m) < 0)
		printf("# build failed: %s\n", ms_ctx_errmsg(ctx));
	free(text);
	return m;
}

static const struct ms_diff_entry *entry_at(const struct ms_diff *d, uint64_t start)
{
	for (size_t i = 0; i < ms_diff_count(d); i++)
		if (ms_mapping_start(ms_diff_entry_mapping(ms_diff_get(d, i))) == start)
			return ms_diff_get(d, i);
	return NULL;
}

static void test_split(void)
{
	/* 16 MiB resident; then its upper half mprotect'ed read-only: two VMAs. */
	static const char *const spec[] = {
		"10000000 11000000 rw-p 16384 16384",
		"10000000 11000000 rw-p 16384 16384",
		"10000000 10800000 rw-p 8192 8192; 10800000 11000000 r--p 8192 8192",
		"10000000 10800000 rw-p 8192 8192; 10800000 11000000 r--p 8192 8192",
		"10000000 10800000 rw-p 8192 8192; 10800000 11000000 r--p 8192 8192",
	};
	struct ms_maps *maps[5];
	const struct ms_diff_entry *e;
	struct ms_trend *t = NULL;
	struct ms_diff *d = NULL;
	double times[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		maps[i] = build(spec[i]);
		times[i] = (double)i;
	}
	if (ms_diff_new(ctx, maps[1], maps[2], &d) == 0) {
		e = entry_at(d, 0x10800000);
		ok(e && ms_diff_entry_status(e) == MS_DIFF_SPLIT && ms_diff_entry_netted(e),
		   "the upper half is split off and netted against its sibling");
		is_int(e ? ms_diff_entry_delta(e, MS_F_RSS) : -1, 0, "the split piece did not grow");
		is_int(e ? ms_diff_entry_grown(e) : -1, 0, "nor is it what grew");
		e = entry_at(d, 0x10000000);
		is_int(e ? ms_diff_entry_delta(e, MS_F_RSS) : -1, 0, "its sibling did not shrink");
		is_u64(e ? ms_diff_entry_value(e, 0, MS_F_RSS) : 0, 8 << 20,
		       "its sibling was what the piece did not take");
	} else {
		ok(0, "diff: %s", ms_ctx_errmsg(ctx));
	}
	ms_diff_free(d);
	if (ms_trend_new_grown(ctx, (const struct ms_maps *const *)maps, times, 5, &t) == 0) {
		for (i = 0; i < ms_trend_count(t); i++) {
			const struct ms_series *s = ms_trend_get(t, i);

			is_int(ms_series_verdict(s), MS_VERDICT_STEADY, "split piece %zu is steady", i);
			is_u64(ms_series_value(s, 0), 8 << 20, "piece %zu held 8 MiB before the split", i);
		}
		is_int(ms_series_verdict(ms_trend_total(t)), MS_VERDICT_STEADY, "the total is steady");
	} else {
		ok(0, "trend: %s", ms_ctx_errmsg(ctx));
	}
	ms_trend_free(t);
	for (i = 0; i < 5; i++)
		ms_maps_free(maps[i]);

	/* Split, and the piece goes on growing: it grows, from what it held. */
	maps[0] = build("10000000 11000000 rw-p 8192 8192");
	maps[1] = build("10000000 10800000 rw-p 4096 4096; 10800000 11000000 rw-p 4096 4096");
	maps[2] = build("10000000 10800000 rw-p 4096 4096; 10800000 11000000 rw-p 6144 6144");
	maps[3] = build("10000000 10800000 rw-p 4096 4096; 10800000 11000000 rw-p 8192 8192");
	t = NULL;
	/* The pieces have the same permissions here: not merged, as after a munmap and remap. */
	if (ms_trend_new_grown(ctx, (const struct ms_maps *const *)maps, times, 4, &t) == 0 &&
	    ms_trend_count(t) == 2) {
		is_int(ms_series_verdict(ms_trend_get(t, 1)), MS_VERDICT_GROWING,
		       "a piece growing after the split grows");
		is_u64(ms_series_value(ms_trend_get(t, 1), 0), 4 << 20, "from what it held at the split");
		is_int(ms_series_verdict(ms_trend_get(t, 0)), MS_VERDICT_STEADY, "its sibling is steady");
	} else {
		ok(0, "trend of a split that grows");
	}
	ms_trend_free(t);
	for (i = 0; i < 4; i++)
		ms_maps_free(maps[i]);
}

static void test_merge(void)
{
	/* Two neighbours of 8 MiB become one (mprotect back to the same permissions). */
	struct ms_maps *maps[4] = {
		build("10000000 10800000 rw-p 8192 8192; 10800000 11000000 r--p 8192 8192"),
		build("10000000 10800000 rw-p 8192 8192; 10800000 11000000 r--p 8192 8192"),
		build("10000000 11000000 rw-p 16384 16384"),
		build("10000000 11000000 rw-p 16384 16384"),
	};
	double times[4] = { 0, 1, 2, 3 };
	const struct ms_diff_entry *e;
	struct ms_trend *t = NULL;
	struct ms_diff *d = NULL;
	size_t i;

	if (ms_diff_new(ctx, maps[1], maps[2], &d) == 0) {
		e = entry_at(d, 0x10800000);
		ok(e && ms_diff_entry_status(e) == MS_DIFF_MERGED && ms_diff_entry_netted(e) &&
		   ms_diff_entry_delta(e, MS_F_RSS) == 0, "the merged neighbour is netted, not gone");
		e = entry_at(d, 0x10000000);
		is_int(e ? ms_diff_entry_grown(e) : -1, 0, "the mapping it merged into did not grow");
	}
	ms_diff_free(d);
	if (ms_trend_new_grown(ctx, (const struct ms_maps *const *)maps, times, 4, &t) == 0) {
		is_int(ms_series_verdict(ms_trend_get(t, 0)), MS_VERDICT_STEADY, "merged: steady");
		is_u64(ms_series_value(ms_trend_get(t, 0), 0), 16 << 20,
		       "it held both halves before the merge");
	} else {
		ok(0, "trend of a merge");
	}
	ms_trend_free(t);
	for (i = 0; i < 4; i++)
		ms_maps_free(maps[i]);
}

static void test_file_pages(void)
{
	struct ms_maps *a = build("400000 800000 r-xp 100 0 /usr/lib/libx.so; "
				  "800000 900000 rw-p 8 8 /usr/lib/libx.so; 900000 a00000 rw-p 4 4");
	struct ms_maps *b = build("400000 800000 r-xp 4000 0 /usr/lib/libx.so; "
				  "800000 900000 rw-p 520 520 /usr/lib/libx.so; 900000 a00000 rw-p 68 68");
	const struct ms_diff_entry *e;
	struct ms_diff *d = NULL;

	if (!a || !b || ms_diff_new(ctx, a, b, &d) < 0) {
		ok(0, "diff of file mappings");
		goto out;
	}
	e = entry_at(d, 0x400000);
	ok(e && ms_diff_entry_delta(e, MS_F_RSS) == (4000 - 100) * 1024 && !ms_diff_entry_grown(e),
	   "code paged in: its Rss grew, but not what grew");
	e = entry_at(d, 0x800000);
	is_int(e ? ms_diff_entry_grown(e) : 0, 512 * 1024, "data written (copied on write) grew");
	e = entry_at(d, 0x900000);
	is_int(e ? ms_diff_entry_grown(e) : 0, 64 * 1024, "anonymous memory grew by its Rss");
out:
	ms_diff_free(d);
	ms_maps_free(a);
	ms_maps_free(b);
}

/*
 * A snapshot of THREADS threads whose stack pointers are unknown (running
 * threads give "-"), with two regions of a thread stack's shape, each a
 * read-write region right above a guard page.
 */
static struct ms_snapshot *stack_snapshot(int threads)
{
	/* A real file: the loader reads its descriptor. */
	FILE *fp = tmpfile();
	struct ms_snapshot *snap = NULL;
	int i;

	if (!fp)
		return NULL;

	fputs("# memsift snapshot 1\n# pid: 100\n# comm: svc\n", fp);
	for (i = 0; i < threads; i++)
		fprintf(fp, "# thread: %d - svc\n", 100 + i);
	fputs("7f0000000000-7f0000001000 ---p 00000000 00:00 0 \nSize: 4 kB\nRss: 0 kB\n"
	      "7f0000001000-7f0000801000 rw-p 00000000 00:00 0 \nSize: 8192 kB\nRss: 16 kB\n"
	      "7f0000900000-7f0000901000 ---p 00000000 00:00 0 \nSize: 4 kB\nRss: 0 kB\n"
	      "7f0000901000-7f0001101000 rw-p 00000000 00:00 0 \nSize: 8192 kB\nRss: 16 kB\n", fp);
	rewind(fp);
	if (ms_snapshot_load(ctx, fp, "stacks", &snap) < 0)
		printf("# snapshot: %s\n", ms_ctx_errmsg(ctx));
	fclose(fp);
	return snap;
}

static void test_labels(void)
{
	static const struct { int threads; const char *want, *what; } c[] = {
		{ 1, "", "one thread: a region below a guard page is no stack" },
		{ 2, "", "two threads, one besides main, for two such regions: no" },
		{ 3, "thread stack (likely)", "three threads for two such regions: likely stacks" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct ms_snapshot *snap = stack_snapshot(c[i].threads);
		const struct ms_maps *maps = snap ? ms_snapshot_maps(snap) : NULL;

		is_str(maps ? ms_label_mapping(snap, ms_maps_get(maps, 1), buf, sizeof(buf)) : NULL,
		       c[i].want, "%s", c[i].what);
		ms_snapshot_free(snap);
	}
}

int main(void)
{
	ctx = ms_ctx_new();
	if (!ctx)
		return 99;
	test_slow_leak();
	test_not_leaking();
	test_split();
	test_merge();
	test_file_pages();
	test_labels();
	ms_ctx_free(ctx);
	return tap_done();
}
