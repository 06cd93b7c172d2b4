/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hunt's state, shared by its two files: lib/hunt.c (the steps) and
 * lib/hunt-report.c (report.md).
 */
#ifndef MEMSIFT_HUNT_PRIVATE_H
#define MEMSIFT_HUNT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/analyse.h>
#include <memsift/heapwalk.h>
#include <memsift/hist.h>
#include <memsift/hunt.h>
#include <memsift/manifest.h>
#include <memsift/symbol.h>
#include <memsift/trend.h>

struct ms_hunt {
	struct ms_hunt_opts o;
	char *dir;
	ms_hunt_warn_cb warn;
	void *warn_data;

	struct ms_snapshot **snap;
	double *times;		/* boot time of each snapshot, seconds */
	const struct ms_maps **maps;	/* of each snapshot, for the trend */
	size_t n;
	struct ms_trend *trend;	/* over every snapshot, from the third */
	bool confirmed;		/* a mapping or the process grows with no steady state */
	bool seen;		/* such growth, over fewer snapshots than confirming takes */
	bool gone;		/* the process exited during the hunt, or became another */
	char gone_why[96];	/* "exited", or how the pid became another process */
	int interrupted;	/* the signal that cut the watch short */

	/*
	 * A Go process: its runtime's heap at each snapshot (lib/goheap.c),
	 * what its anonymous memory is judged on instead of pages.  GO_STATE
	 * 0 not asked yet, 1 Go, -1 not Go (or unreadable at the first).
	 */
	int go_state;
	bool go_off;		/* GOGC=off in its environment: nothing is ever freed */
	/*
	 * What the warnings that say how the Go heap is judged said last:
	 * nothing yet, the GCs' marks from six GCs on (before any record of
	 * floating garbage is read), the marks alone (judged so), or the
	 * final word (less floating garbage, or GOGC=off): lib/hunt.c's
	 * go_say().
	 */
	enum { GO_SAID_NOTHING, GO_SAID_PLAN, GO_SAID_MARKS, GO_SAID_FINAL } go_said;
	uint64_t *go_value;	/* per snapshot: marked bytes (GOGC=off: in use); UINT64_MAX unread */
	uint32_t *go_cycles;	/* per snapshot: GCs finished */
	/*
	 * Per snapshot: what the last GC allocated while it marked (its
	 * floating garbage at the most), UINT64_MAX not known.
	 */
	uint64_t *go_float;
	/* The last judgement, for report.md: lib/hunt.c's go_judge(). */
	size_t go_k;		/* GCs judged */
	bool go_bounded;	/* floating garbage known for some of them */
	int64_t go_gain;	/* the later half's least live heap less the earlier half's most */
	double go_p;		/* chance that noise alone orders the GCs' marks so (Mann-Kendall) */

	/* the dump of what grew, and its analysis */
	bool dumped, capped, incomplete;
	size_t ndumps;		/* base.dump, then grown.dump: growth between them */
	const char *dump_name;	/* the latest dump, the one analysed in full */
	uint64_t grown_total;	/* bytes of the mappings that grew, before the cap */
	uint64_t dump_total;
	size_t dump_nranges;
	struct ms_manifest_info mi;
	struct ms_hist *hist;
	struct ms_analysis *an;	/* objects, clusters, symbols; growth when two dumps */
	const struct ms_growtrace *gt;	/* the page faults' stacks, or NULL */
	char refs[512];		/* --refs: "unreferenced" or "held by ..." of the verdict, or "" */
};

/* The verdict's status word for analysis.json: "leaking", "unconfirmed"... */
const char *ms_hunt_status(const struct ms_hunt *h);

/*
 * After a verdict of NCLAUSES clauses, which code first touched the pages
 * of the first clause's objects, from the growtrace (nothing without one,
 * or when none of its samples lies there).
 */
void ms_hunt_trace_clause(const struct ms_hunt *h, size_t nclauses, FILE *fp);

/* Give a warning through the callback, if there is one. */
void ms_hunt_warn(const struct ms_hunt *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
