/*
 * leakhunt's steps after the options: judging the series, dumping what grew,
 * analysing the dump and writing the report directory.  Private to the tool:
 * every step is a call into the library; this only strings them together.
 */
#ifndef LEAKHUNT_H
#define LEAKHUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/manifest.h>

struct ms_maps;
struct ms_snapshot;
struct ms_trend;
struct ms_hist;
struct ms_symbols;
struct ms_heapwalk;

struct leakhunt_ctl {
	pid_t pid;
	uint64_t interval;	/* microseconds between snapshots */
	uint64_t duration;	/* -d, microseconds; 0: none */
	uint64_t count;		/* -n; 0: none */
	uint64_t confirm;	/* snapshots that must show growth */
	uint64_t max_dump;	/* bytes */
	uint64_t threshold;	/* growth below this does not count */
	const char *dir;
	char *dir_alloc;
	const char *hook;	/* MEMSIFT_TEST_HOOK */

	struct ms_snapshot **snap;
	double *times;		/* boot time of each snapshot, seconds */
	const struct ms_maps **maps;	/* of each snapshot, for the trend */
	size_t n;
	struct ms_trend *trend;	/* over every snapshot, from the third */
	bool confirmed;		/* a mapping or the process grows with no steady state */
	bool gone;		/* the process exited during the hunt */

	/* the dump of what grew, and its analysis */
	bool dumped, capped, incomplete;
	uint64_t grown_total;	/* bytes of the mappings that grew, before the cap */
	uint64_t dump_total;
	size_t dump_nranges;
	uint64_t heap_start;	/* the [heap] mapping, when it grew; 0 otherwise */
	struct ms_manifest_info mi;
	struct ms_hist *hist;
	struct ms_symbols *syms;
	struct ms_heapwalk *hw;
};

/* Build the trend of the snapshots so far and decide ctl->confirmed.  0 or -errno. */
int lh_assess(struct ms_ctx *ctx, struct leakhunt_ctl *ctl);

/* Dump what grew since the first snapshot into DIR/grown.dump (+ .json).  0 or -1 (said). */
int lh_dump(struct ms_ctx *ctx, struct leakhunt_ctl *ctl);

/* bytehist's analysis, symbols and heap walk of the dump; DIR/analysis.json.  0 or -1. */
int lh_analyse(struct ms_ctx *ctx, struct leakhunt_ctl *ctl);

/* DIR/report.md.  0 or -errno (the context says why). */
int lh_report(struct ms_ctx *ctx, struct leakhunt_ctl *ctl);

void lh_ctl_release(struct leakhunt_ctl *ctl);

#endif
