/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go's own evidence: the lines a Go program prints on stderr under
 * GODEBUG=gctrace=1, one per garbage collection (runtime/extern.go):
 *
 *   gc 12 @0.208s 1%: 0.013+1.2+0.004 ms clock, 0.026+0.11/0.52/0+0.008 ms cpu,
 *      16->17->9 MB, 18 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 *
 * (one line in the log).  A->B->C is the heap when the GC began, when it
 * ended, and the live heap it marked; D the heap size the next GC aims at.
 * "E MB stacks, F MB globals," came with the pacer of Go 1.18; older Go
 * prints neither, and both forms are read.  "(forced)" marks runtime.GC().
 * Go's "MB" is 2^20 bytes.
 *
 * The live heap after each GC is the number that tells a leak: a live heap
 * that keeps rising across GCs is one, a heap that returns to a floor is not,
 * whatever A and B do.  Lines in any other form (the program's own output,
 * "scvg" lines, another Go version's layout) are skipped and counted, never
 * guessed at; a gctrace line after a log prefix ("Feb 26 13:56:33.456 gc 46
 * @...") is read when the rest of it has the form exactly.
 *
 * A live pipe from a service that keeps running has no EOF: a reader ends it
 * from a signal handler by setting O_NONBLOCK on the descriptor (fcntl(2) is
 * async-signal-safe).  A read interrupted by a signal (EINTR) goes on; a read
 * that would block (EAGAIN) ends the input as EOF does, after what was
 * already in the pipe, and the stats say so (stopped).
 */
#ifndef MEMSIFT_GCTRACE_H
#define MEMSIFT_GCTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/trend.h>

/* Longest line read; a longer one is skipped and counted. */
#define MS_GCTRACE_LINE_MAX 4096

/* One garbage collection.  Sizes in bytes. */
struct ms_gc {
	uint64_t n;		/* Go's GC number, from 1 */
	double t;		/* seconds since the program started (@Ts) */
	unsigned cpu_pct;	/* share of CPU spent in GC since the start */
	uint64_t heap_start;	/* A */
	uint64_t heap_end;	/* B */
	uint64_t live;		/* C: the live heap after this GC */
	uint64_t goal;		/* D */
	bool has_stacks;	/* Go 1.18 and later: the next two are given */
	uint64_t stacks, globals;
	unsigned procs;		/* GOMAXPROCS */
	bool forced;
	unsigned run;		/* 0, and one more at each restart of the program */
	unsigned long line;	/* in the input, from 1 */
};

struct ms_gctrace_stats {
	unsigned long lines;		/* all lines */
	unsigned long skipped;		/* lines not in the gctrace form (long ones too) */
	unsigned long long_lines;	/* over MS_GCTRACE_LINE_MAX */
	unsigned runs;			/* programs: a GC number not above the last starts one */
	bool stopped;			/* the input ended by a read that would block, not EOF */
};

struct ms_gctrace;

/*
 * Read gctrace output from FP.  NAME is used only in messages.  On success
 * *OUT owns a new ms_gctrace; release it with ms_gctrace_free().
 *
 * Returns: 0; -EBADMSG when no line is a gctrace line ("NAME: no gctrace line
 * in N lines; run the program with GODEBUG=gctrace=1 and keep its stderr"),
 * or when a line holds a NUL byte (binary data, through the context's parser
 * callback, which may skip it); -EIO on a read error; or -ENOMEM.
 */
int ms_gctrace_parse(struct ms_ctx *ctx, FILE *fp, const char *name, struct ms_gctrace **out);

/* Release T; NULL is accepted. */
void ms_gctrace_free(struct ms_gctrace *t);

/* The GCs in the order of the input, and the I-th (borrowed; NULL past the end). */
size_t ms_gctrace_count(const struct ms_gctrace *t);
const struct ms_gc *ms_gctrace_get(const struct ms_gctrace *t, size_t i);

/* What the parse saw (borrowed). */
const struct ms_gctrace_stats *ms_gctrace_stats(const struct ms_gctrace *t);

/*
 * The live heap after each GC of the last run (the program as it runs now),
 * over the seconds since it started, judged as a mapping's RSS is
 * (<memsift/trend.h>).  GCs printed with the same time (Go prints
 * milliseconds) count once, with the last one's live heap.  The series
 * borrows T's times: free it with ms_series_free() before T.
 *
 * Returns: 0; -EINVAL when the last run has fewer than two GCs at distinct
 * times ("not enough GCs to judge"); or -ENOMEM.
 */
int ms_gctrace_series(struct ms_ctx *ctx, struct ms_gctrace *t, struct ms_series **out);

/*
 * The whole report, for mapswatch --gctrace: parse IN (named NAME in
 * messages and output), print a table of every GC (GC, TIME, LIVE, GOAL,
 * FORCED) and the verdict on the live heap with its rate to OUT.  FLAGS are
 * <memsift/output.h>'s MS_OUT_JSON, MS_OUT_RAW, MS_OUT_NOHEADINGS and
 * MS_OUT_BYTES.  In a table the verdict is one line after the table:
 *
 *   leak.gctrace: live heap after GC grows with no steady state, +48.3M/s
 *   over 37 GCs in 0.8s (1 line skipped)
 *
 * and with MS_OUT_JSON one object: {"memsift_json": 1, "file": NAME, "gcs": [{"gc":..,"time":..,
 * "live":..,"goal":..,"forced":..}, ...], "skipped": N, "runs": N, "verdict":
 * "...", "rate": BYTES_PER_SEC, "stopped": BOOL, "judged": N}, where "verdict"
 * and "rate" are null when there are too few GCs to judge (the table then says
 * so), and "stopped" is true when a signal ended a live pipe (see above).
 *
 * Returns: the verdict (an enum ms_verdict, > 0), 0 when there were too
 * few GCs to judge, or a negative errno as ms_gctrace_parse() (nothing is
 * printed then), or -EIO when writing OUT failed.
 */
int ms_gctrace_report(struct ms_ctx *ctx, FILE *in, const char *name, unsigned flags,
		      FILE *out);

#endif
