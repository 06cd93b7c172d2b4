/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching processes over time: the sampling behind mapswatch.
 *
 * A watch follows either one process, mapping by mapping (each sample a full
 * snapshot, as mapsnap takes it), or every process the user can read, each
 * by its smaps_rollup (one cheap read per process).  What it keeps between
 * samples is small and bounded: the newest snapshot and, per mapping or
 * process, its newest RSS, Anonymous and Swap and at most MS_WATCH_POINTS + 1
 * values of RSS over the last MS_WATCH_KEEP samples (every sample at first,
 * then every second, fourth...: the stride doubles as the watch grows), so a
 * watch can run for days: about 1.2 KiB per mapping however long it runs.
 * The total keeps every one of its last MS_WATCH_KEEP values.  Mappings are followed from sample to sample as ms_diff follows
 * them; a mapping that appears starts a series of its own, one that goes
 * away is dropped.  Processes are followed by pid and name; one that exits
 * is dropped, one that starts is picked up.
 *
 * After each sample every item gets a growth rate and a verdict from
 * <memsift/trend.h> (ms_series_new()) over the values kept, and the items
 * are ranked by that rate, fastest growing first.  The mappings of one
 * runtime heap (V8's pages, pymalloc's arenas) are one item, their sum.
 */
#ifndef MEMSIFT_WATCH_H
#define MEMSIFT_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>
#include <memsift/prom.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

/* Values kept per item: the rates and verdicts cover at most this many samples. */
#define MS_WATCH_KEEP 600
/* Values of RSS a mapping or process keeps over them, at most (plus the newest). */
#define MS_WATCH_POINTS 128

struct ms_watch;
struct ms_watch_item;

/* What an item's values are. */
enum ms_watch_value {
	MS_WATCH_RSS = 0,
	MS_WATCH_ANON,		/* smaps Anonymous */
	MS_WATCH_SWAP,		/* smaps Swap */
	MS_WATCH__NVALUES	/* count; not a value */
};

/*
 * Start watching process PID, or every process when PID is 0.  Nothing is
 * read until the first ms_watch_sample().  On success *OUT owns a new watch;
 * release it with ms_watch_free().  Returns: 0 or -ENOMEM.
 */
int ms_watch_new(struct ms_ctx *ctx, pid_t pid, struct ms_watch **out);

/* Release W; NULL is accepted. */
void ms_watch_free(struct ms_watch *w);

/*
 * Take one sample now, then rank the items again.  For one process this
 * takes a snapshot (ms_snapshot_take_flags(), without its text unless
 * ms_watch_keep_text() asked for it); for every process it reads each
 * one's smaps_rollup, skipping processes that exit meanwhile, kernel threads
 * and those the user may not read (counted, see ms_watch_skipped()).
 * Returns: 0; for one process -ESRCH (it exited; the watch keeps what it
 * had), -ESTALE (its pid is another process now: reused, or an exec; the
 * message says which; the sample is not added), -EPERM or -EBADMSG as ms_snapshot_take(); -ENOMEM, after which W is
 * fit only for ms_watch_free().
 */
int ms_watch_sample(struct ms_ctx *ctx, struct ms_watch *w);

/*
 * Add snapshot S of the watched process as the next sample, as
 * ms_watch_sample() does with the one it takes; W takes S over, even on
 * failure.  S must record its boot time, later than the previous sample's.
 * Returns: 0, -EINVAL (no boot time, or not later), or -ENOMEM.
 */
int ms_watch_add_snapshot(struct ms_ctx *ctx, struct ms_watch *w, struct ms_snapshot *s);

/*
 * Whether the samples ms_watch_sample() takes keep their smaps text, so
 * that ms_watch_last() can be given to ms_snapshot_write(); by default
 * they keep only the parsed mappings (see MS_SNAP_NO_TEXT).
 */
void ms_watch_keep_text(struct ms_watch *w, bool keep);

/* The pid watched; 0 for every process. */
pid_t ms_watch_pid(const struct ms_watch *w);

/* Samples taken since the start (not only those kept). */
size_t ms_watch_samples(const struct ms_watch *w);

/* The newest snapshot of the one process watched, borrowed; NULL before the first or under "all". */
const struct ms_snapshot *ms_watch_last(const struct ms_watch *w);

/* Seconds between the first sample and the newest. */
double ms_watch_elapsed(const struct ms_watch *w);

/* Processes skipped at the newest sample (all processes only). */
size_t ms_watch_skipped(const struct ms_watch *w);

/*
 * The limit the newest snapshot recorded (its cgroup's memory.max), in
 * bytes; 0 when there is none or under "all".
 */
uint64_t ms_watch_limit(const struct ms_watch *w);

/* Items present in the newest sample: mappings, or processes. */
size_t ms_watch_count(const struct ms_watch *w);

/*
 * Item I by rank (0: fastest growing), borrowed from W and valid until the
 * next sample; NULL when out of range.  Items whose single value gives no
 * rate rank after all others, by RSS.
 */
const struct ms_watch_item *ms_watch_get(const struct ms_watch *w, size_t i);

/* The process (or, under "all", every process) as a whole. NULL before the first sample. */
const struct ms_watch_item *ms_watch_total(const struct ms_watch *w);

/* The process's pid; for a mapping, the watched process's. 0 for the total under "all". */
pid_t ms_watch_item_pid(const struct ms_watch_item *it);

/* The process's name (comm); NULL when unknown. */
const char *ms_watch_item_comm(const struct ms_watch_item *it);

/* The mapping in the newest snapshot; NULL for a process or a total. */
const struct ms_mapping *ms_watch_item_mapping(const struct ms_watch_item *it);

/*
 * The RSS values kept, oldest first; the newest is of the newest sample.
 * Borrowed, valid until the next sample.  For the total, one per sample
 * kept; for a mapping or process, at most MS_WATCH_POINTS + 1 (see above).
 */
size_t ms_watch_item_count(const struct ms_watch_item *it);
const uint64_t *ms_watch_item_values(const struct ms_watch_item *it);

/* Boot-time seconds (CLOCK_BOOTTIME) of each kept value, oldest first. */
const double *ms_watch_item_times(const struct ms_watch_item *it);

/* The newest value. */
uint64_t ms_watch_item_now(const struct ms_watch_item *it, enum ms_watch_value v);

/*
 * For the row of a runtime heap spread over many mappings (V8's pages,
 * pymalloc's arenas: ms_label_one_heap()), how many mappings it sums now;
 * 0 for any other item.  Such a row's values are its mappings' sums, its
 * mapping the lowest of them; the mappings themselves are not ranked.
 */
size_t ms_watch_item_heap(const struct ms_watch_item *it);

/*
 * The growth rate of the item's RSS (bytes per second, Theil-Sen over the
 * values kept) and its verdict (<memsift/trend.h>), into *RATE and
 * *VERDICT (either may be NULL).  Returns: 0, or -ENODATA while the item
 * has one value.
 */
int ms_watch_item_trend(const struct ms_watch_item *it, double *rate, enum ms_verdict *verdict);

/*
 * The total's RSS series (ms_watch_total()), for its time to a limit
 * (ms_series_eta()), borrowed and valid until the next sample; NULL while it
 * has one value, and for every other item (their series are not kept).
 */
const struct ms_series *ms_watch_item_series(const struct ms_watch_item *it);

/* What a watch of every process is exported by: never by pid (see below). */
enum ms_watch_group {
	MS_WATCH_BY_COMM,	/* the command name */
	MS_WATCH_BY_CGROUP,	/* the cgroup: a systemd unit, a container */
	MS_WATCH_BY_REGEX,	/* what a regex matches in the command name */
};

struct ms_watch_prom_opts {
	size_t top;		/* one process: mappings exported; all: groups exported */
	enum ms_watch_group by;
	const char *regex;	/* MS_WATCH_BY_REGEX: its first group, else its match, names
				   the group; a process it does not match is not exported */
	uint64_t min_rss;	/* all: groups with less RSS are not exported */
};

/*
 * Check REGEX for MS_WATCH_BY_REGEX before the first sample, so a bad one is
 * refused at once.  Returns: 0, or -EINVAL with the compiler's message.
 */
int ms_watch_group_regex_check(struct ms_ctx *ctx, const char *regex);

/*
 * Add W's newest sample to P as Prometheus metrics.  One process watched:
 * its RSS, Anonymous, Swap, growth rate of RSS and verdict (a gauge per
 * verdict, 1 for the current one), and the same per mapping of the O->top
 * fastest growing (0: none), labelled by start address, permissions, name
 * and label.  Every process: one series per group of processes (by command
 * name, cgroup or regex), never per pid, whose pids come and go and would
 * make a new series each (a fleet's Prometheus fills up): the group's
 * RSS, Anonymous and Swap summed, its processes, the sum of their growth
 * rates, how many of them grow with no steady state; only the O->top groups
 * of most RSS with at least O->min_rss, and how many were left out.  Both
 * give the time of the sample.  See mapswatch(1) for the names.
 * Returns: 0 or -ENOMEM.
 */
int ms_watch_prom(struct ms_ctx *ctx, const struct ms_watch *w,
		  const struct ms_watch_prom_opts *o, struct ms_prom *p);

#endif
