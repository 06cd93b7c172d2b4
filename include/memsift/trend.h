/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trends over a series of snapshots: is a mapping still growing, or did it
 * level off?  Each mapping of the newest snapshot is followed back through
 * the older ones (as ms_diff follows it between two), giving one value per
 * snapshot.  Its growth rate is the Theil-Sen slope (the median of the
 * slopes between every two points), which one outlier, a burst or a
 * snapshot taken mid-GC, does not move much; first-to-last would.
 */
#ifndef MEMSIFT_TREND_H
#define MEMSIFT_TREND_H

#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_trend;
struct ms_series;

enum ms_verdict {
	MS_VERDICT_STEADY = 1,	/* no growth worth the name */
	MS_VERDICT_GROWING,	/* grows, and still grew as fast in the later half */
	MS_VERDICT_LEVELLED,	/* grew, but not in the later half: a cache filling up */
	MS_VERDICT_SHRINKING,
};

/*
 * Follow field F (MS_F_RSS, say) of every mapping through MAPS[0..N-1],
 * oldest first.  TIMES gives each snapshot's time in seconds (any origin);
 * NULL counts snapshots instead, so rates are per snapshot.  N must be at
 * least 2; MAPS and TIMES must outlive the result.  A mapping absent from an
 * older snapshot counts 0 there.
 * Returns: 0, -EINVAL (N < 2, or times not increasing), or -ENOMEM.
 */
int ms_trend_new(struct ms_ctx *ctx, const struct ms_maps *const *maps, const double *times,
		 size_t n, enum ms_field f, struct ms_trend **out);

/*
 * As ms_trend_new() over MS_F_RSS, but following what grew as "what grew"
 * counts it (ms_diff_grown_value() in <memsift/diff.h>): a mapping of a
 * regular file by its written pages only, the total by the sum of those.
 * mapsdiff and leakhunt judge growth on it, so code paging in from a file
 * never "grows with no steady state".  Returns as ms_trend_new().
 */
int ms_trend_new_grown(struct ms_ctx *ctx, const struct ms_maps *const *maps,
		       const double *times, size_t n, struct ms_trend **out);

/* Release T; NULL is accepted. */
void ms_trend_free(struct ms_trend *t);

/*
 * A trend built one snapshot at a time, oldest first, for a series too long
 * to hold whole (mapsdiff DIR over a day of snapshots).  Each snapshot is
 * reduced as it is added to what the trend needs: each mapping's value and
 * what it was in the snapshot before, 24 bytes a mapping.  A snapshot's maps
 * must live until the next is added, and the last one's as long as the trend
 * (its series point at its mappings).  The trend is that of
 * ms_trend_new_grown() over the same snapshots.
 *
 *	ms_trend_builder_new_grown(ctx, &b);
 *	for each snapshot, oldest first: ms_trend_builder_add(ctx, b, maps);
 *	ms_trend_builder_finish(ctx, b, times, &t);
 *	ms_trend_builder_free(b);
 *
 * new: 0 or -ENOMEM.  add: 0, -ENOMEM, or -E2BIG (more than 2^32 mappings).
 * finish: as ms_trend_new(); TIMES (or NULL) has one time per snapshot added.
 */
struct ms_trend_builder;
int ms_trend_builder_new_grown(struct ms_ctx *ctx, struct ms_trend_builder **out);
int ms_trend_builder_add(struct ms_ctx *ctx, struct ms_trend_builder *b,
			 const struct ms_maps *maps);
/* Snapshots added so far. */
size_t ms_trend_builder_count(const struct ms_trend_builder *b);
int ms_trend_builder_finish(struct ms_ctx *ctx, struct ms_trend_builder *b, const double *times,
			    struct ms_trend **out);
/* Release B (not the trends it made); NULL is accepted. */
void ms_trend_builder_free(struct ms_trend_builder *b);

/* One series per mapping of the newest snapshot, in its address order. */
size_t ms_trend_count(const struct ms_trend *t);
const struct ms_series *ms_trend_get(const struct ms_trend *t, size_t i);

/* The whole process: the sum over every mapping of each snapshot. */
const struct ms_series *ms_trend_total(const struct ms_trend *t);

/*
 * A series of any values, not of mappings: a process's total RSS sampled by
 * mapswatch --all, Go's live heap after each GC.  VALUES is copied; TIMES
 * (seconds, increasing; NULL counts samples) must outlive the series.
 * The same rate and verdict as a mapping's.  0, -EINVAL or -ENOMEM.
 */
int ms_series_new(struct ms_ctx *ctx, const uint64_t *values, const double *times, size_t n,
		  struct ms_series **out);

/*
 * The sum of the N series V[] of one trend (the same snapshots), judged as
 * one: a group of like mappings.  Release it with ms_series_free().
 * Returns: 0, -EINVAL (N is 0), or -ENOMEM.
 */
int ms_series_sum(struct ms_ctx *ctx, const struct ms_series *const *v, size_t n,
		  struct ms_series **out);

/* Release a series from ms_series_new() or ms_series_sum(); never one of a trend's. */
void ms_series_free(struct ms_series *s);

/* Number of values. */
size_t ms_series_count(const struct ms_series *s);

/* The mapping in the newest snapshot; NULL for the total and ms_series_new(). */
const struct ms_mapping *ms_series_mapping(const struct ms_series *s);

/* Value at snapshot I, in bytes. */
uint64_t ms_series_value(const struct ms_series *s, size_t i);

/* Theil-Sen slope, bytes per second (or per snapshot without times). */
double ms_series_rate(const struct ms_series *s);

/* Share of the intervals in which the value grew, 0 to 1. */
double ms_series_steadiness(const struct ms_series *s);

enum ms_verdict ms_series_verdict(const struct ms_series *s);

/* "grows with no steady state", "levelled off", "shrinking", "steady". */
const char *ms_verdict_str(enum ms_verdict v);

/*
 * Seconds (or snapshots) from the newest snapshot until the series reaches
 * LIMIT bytes at its current rate; negative when it never will (not
 * growing), 0 when it is already there.
 */
double ms_series_eta(const struct ms_series *s, uint64_t limit);

#endif
