// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The growth test on series whose truth the test writes: a slow steady leak
 * is "grows" whether the process is 22 MB or 610 MB, a warming cache levels
 * off, and a service that jitters up and down stays steady.  The noise a
 * growth must stand above is the series' own, not a share of its size.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <memsift/ctx.h>
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
	/* Growth smaller than its own jitter is not told from it. */
	for (i = 0; i < 10; i++)
		v[i] = (uint64_t)(610 * MiB + 8 * KiB * (double)i + jitter(i * 3, 4 * MiB));
	ok(judge(v, t, 10) != MS_VERDICT_GROWING, "8 KiB a snapshot under 4 MiB of jitter is not told");
	/* Freed: a series that falls. */
	for (i = 0; i < 10; i++)
		v[i] = (uint64_t)(610 * MiB - 8 * MiB * (double)i);
	is_int(judge(v, t, 10), MS_VERDICT_SHRINKING, "a falling series shrinks");
}

int main(void)
{
	ctx = ms_ctx_new();
	if (!ctx)
		return 99;
	test_slow_leak();
	test_not_leaking();
	ms_ctx_free(ctx);
	return tap_done();
}
