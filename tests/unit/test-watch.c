// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/watch.c's bounded series: 1,000 samples of a process
 * whose one growing mapping holds 4 KiB more at each second, and a steady one.
 * A mapping keeps at most MS_WATCH_POINTS + 1 values, each the one of its
 * time (values and times stay paired as the stride doubles and the window
 * of MS_WATCH_KEEP samples slides), the newest always last; the total keeps
 * every one of its last MS_WATCH_KEEP; rates and verdicts come out right.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/ctx.h>
#include <memsift/snapshot.h>
#include <memsift/watch.h>

#include "tap.h"

#define SAMPLES 1000

/* Sample K: at boot time 100 + K seconds, the growing mapping 4 KiB more. */
static struct ms_snapshot *sample(struct ms_ctx *ctx, unsigned k)
{
	struct ms_snapshot *s = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	fprintf(fp, "# memsift snapshot 1\n# pid: 4242\n# comm: grow\n# boottime: %u.5\n"
		"7f0000000000-7f0010000000 rw-p 00000000 00:00 0 \nRss: %u kB\n"
		"Anonymous: %u kB\nSwap: 0 kB\n"
		"7f0020000000-7f0020100000 rw-p 00000000 00:00 0 \nRss: 64 kB\n"
		"Anonymous: 64 kB\nSwap: 0 kB\n", 100 + k, 4 * (k + 1), 4 * (k + 1));
	fclose(fp);
	fp = fmemopen(text, len, "r");
	if (ms_snapshot_load(ctx, fp, "sample", &s) < 0) {
		printf("Bail out! sample %u: %s\n", k, ms_ctx_errmsg(ctx));
		exit(1);
	}
	fclose(fp);
	free(text);
	return s;
}

/* Values of IT paired with their times: value = 4 KiB x (time - 100 + 1). */
static int paired(const struct ms_watch_item *it)
{
	const uint64_t *v = ms_watch_item_values(it);
	const double *t = ms_watch_item_times(it);
	size_t i, n = ms_watch_item_count(it);

	for (i = 0; i < n; i++) {
		if (i && !(t[i] > t[i - 1]))
			return 0;
		if (v[i] != (uint64_t)(t[i] - 100.5 + 1) * 4096)
			return 0;
	}
	return 1;
}

int main(void)
{
	struct ms_ctx *ctx = ms_ctx_new();
	const struct ms_watch_item *grow = NULL, *it;
	struct ms_watch *w;
	size_t most = 0, i;
	int all_paired = 1, newest_last = 1;
	unsigned k;
	double rate;
	enum ms_verdict verdict;

	if (!ctx || ms_watch_new(ctx, 4242, &w) < 0) {
		printf("Bail out! no watch\n");
		return 1;
	}
	for (k = 0; k < SAMPLES; k++) {
		if (ms_watch_add_snapshot(ctx, w, sample(ctx, k)) < 0) {
			printf("Bail out! sample %u: %s\n", k, ms_ctx_errmsg(ctx));
			return 1;
		}
		for (i = 0; (it = ms_watch_get(w, i)); i++)
			if (ms_mapping_start(ms_watch_item_mapping(it)) == 0x7f0000000000ULL)
				grow = it;
		if (!grow)
			continue;
		if (ms_watch_item_count(grow) > most)
			most = ms_watch_item_count(grow);
		all_paired &= paired(grow);
		newest_last &= ms_watch_item_times(grow)[ms_watch_item_count(grow) - 1] == 100.5 + k;
	}
	ok(grow != NULL, "the growing mapping is followed");
	ok(most <= MS_WATCH_POINTS + 1, "at most %d values kept (most: %zu)", MS_WATCH_POINTS + 1,
	   most);
	ok(most > MS_WATCH_POINTS / 2, "more than half of them used (most: %zu)", most);
	ok(all_paired, "each value kept is the one of its time, at every sample");
	ok(newest_last, "the newest sample is always the last value");
	ok(ms_watch_item_times(grow)[0] >= 100.5 + SAMPLES - MS_WATCH_KEEP,
	   "the oldest value is in the last %d samples (%.1f)", MS_WATCH_KEEP,
	   ms_watch_item_times(grow)[0]);
	ok(ms_watch_item_times(grow)[0] < 100.5 + SAMPLES - MS_WATCH_KEEP + 16,
	   "and near their start (%.1f)", ms_watch_item_times(grow)[0]);
	ok(ms_watch_item_trend(grow, &rate, &verdict) == 0 && rate > 4095 && rate < 4097 &&
	   verdict == MS_VERDICT_GROWING, "4 KiB/s, growing (%.1f)", rate);
	it = ms_watch_get(w, 1);
	ok(it && ms_watch_item_trend(it, &rate, &verdict) == 0 && rate == 0 &&
	   verdict == MS_VERDICT_STEADY, "the other mapping is steady");
	ok(ms_watch_item_count(ms_watch_total(w)) == MS_WATCH_KEEP, "the total keeps %d values",
	   MS_WATCH_KEEP);
	ok(ms_watch_item_series(ms_watch_total(w)) != NULL,
	   "the total has its series (for the time to a limit)");
	ok(ms_watch_item_series(grow) == NULL, "a mapping keeps no series");
	ms_watch_free(w);
	ms_ctx_free(ctx);
	return tap_done();
}
