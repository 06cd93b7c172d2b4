/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole hunt, leakhunt's steps: keep a series of snapshots of one
 * process in a report directory, judge whether it grows with no steady
 * state (lib/trend.c), dump what grew (lib/dump.c), analyse the dump as
 * bytehist --symbols does (lib/hist.c, lib/symbol.c, lib/heapwalk.c) and
 * write DIR/report.md.  The caller owns the clock and the signals: it takes
 * the snapshots, decides when to stop, and strings the steps together:
 *
 *	ms_hunt_new(ctx, &opts, dir, &h);
 *	while (!ms_hunt_confirmed(h) && ...)
 *		ms_hunt_add(ctx, h, snapshot);
 *	if (ms_hunt_confirmed(h) && ms_hunt_dump(ctx, h) == 0)
 *		ms_hunt_analyse(ctx, h);
 *	ms_hunt_report(ctx, h);
 *	ms_hunt_free(h);
 *
 * Every file is written through lib/outfile.c: 0600, under a temporary name
 * until complete, so a hunt killed half-way leaves no report that looks whole.
 * The target process is never stopped.
 */
#ifndef MEMSIFT_HUNT_H
#define MEMSIFT_HUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/refs.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

struct ms_hunt;

struct ms_patscan;

struct ms_hunt_opts {
	pid_t pid;
	uint64_t confirm;	/* snapshots that must show growth; at least 3 */
	uint64_t max_dump;	/* dump at most this many bytes of what grew */
	uint64_t threshold;	/* growth below this many bytes does not count */
	const char *cmdline;	/* the command that runs the hunt, for report.md; NULL: none */
	struct ms_patscan *redact;	/* secrets replaced in every file written; NULL: none */
};

/*
 * Warnings of a step that goes on: a capped dump, symbols that could not be
 * read, the process gone mid-dump.  MSG is one line without the program
 * name, valid during the call.
 */
typedef void (*ms_hunt_warn_cb)(const char *msg, void *data);

/*
 * Start a hunt: create the report directory DIR, 0700, and DIR/snapshots.
 * DIR NULL names it leakhunt-PID-YYYYMMDDTHHMMSS in the current directory.
 * An existing DIR is never reused.  On success *OUT owns the hunt; release
 * it with ms_hunt_free(), which leaves the directory and its files.
 *
 * Returns: 0, -EINVAL (no pid, or confirm below 3), -EEXIST (the message
 * says to give another with -o DIR), the mkdir(2) error, or -ENOMEM.
 */
int ms_hunt_new(struct ms_ctx *ctx, const struct ms_hunt_opts *opts, const char *dir,
		struct ms_hunt **out);

/* Release H and everything it holds; NULL is accepted. */
void ms_hunt_free(struct ms_hunt *h);

/* Where warnings go; none are given without a callback. */
/*
 * Join the stacks of a finished growtrace of the same process (GT,
 * borrowed: it must outlive H; NULL for none) to the verdict: the pages
 * the first cluster's objects lie in, and the code that first touched them.
 */
struct ms_growtrace;
void ms_hunt_set_growtrace(struct ms_hunt *h, const struct ms_growtrace *gt);

void ms_hunt_set_warn_cb(struct ms_hunt *h, ms_hunt_warn_cb cb, void *data);

/* The report directory, borrowed. */
const char *ms_hunt_dir(const struct ms_hunt *h);

/*
 * Add snapshot S, taking it over whatever the outcome: write it as
 * DIR/snapshots/NNNN.snap, then judge the series again.  Growth is confirmed
 * once opts.confirm snapshots or more show the process, or a mapping, growing
 * with no steady state by opts.threshold or more since the first.
 *
 * Returns: 0, -ESTALE (S is of another process under the same pid: reused,
 * or an exec; S is dropped and the hunt counts the process as gone), an
 * error of ms_outfile_open()/ms_outfile_commit() or of ms_trend_new(), or
 * -ENOMEM.
 */
int ms_hunt_add(struct ms_ctx *ctx, struct ms_hunt *h, struct ms_snapshot *s);

/* Snapshots so far, and snapshot I of them (borrowed; NULL out of range). */
size_t ms_hunt_count(const struct ms_hunt *h);
const struct ms_snapshot *ms_hunt_snapshot(const struct ms_hunt *h, size_t i);

/* The process's total over the series; NULL before the third snapshot. */
const struct ms_series *ms_hunt_total(const struct ms_hunt *h);

/* Growth is confirmed (ms_hunt_add(), ms_hunt_interrupt()). */
bool ms_hunt_confirmed(const struct ms_hunt *h);

/*
 * Growth was seen but is not confirmed: the last snapshots grow with no
 * steady state by opts.threshold or more, over fewer than opts.confirm of
 * them (or two snapshots grew by that much).  A hunt that ends so (-d, -n,
 * an interrupt) says "grew, not yet confirmed", never that nothing leaks.
 */
bool ms_hunt_unconfirmed(const struct ms_hunt *h);

/* The process exited during the hunt: the report says what was gathered. */
void ms_hunt_set_gone(struct ms_hunt *h);
bool ms_hunt_gone(const struct ms_hunt *h);

/*
 * The watch was cut short by signal SIG (SIGINT, SIGTERM): judge the
 * snapshots taken so far without waiting for opts.confirm of them, three
 * being the fewest a trend can be judged on.  The report says it was
 * interrupted and after how many snapshots.
 * Returns: 0, or an error of ms_trend_new().
 */
int ms_hunt_interrupt(struct ms_ctx *ctx, struct ms_hunt *h, int sig);

/* The signal given to ms_hunt_interrupt(); 0 when the watch ran its course. */
int ms_hunt_interrupted(const struct ms_hunt *h);

/*
 * Dump what grew since the first snapshot from the live process: the first
 * call into DIR/base.dump, the second (one interval later) into
 * DIR/grown.dump, each with regiondump's manifest (NAME.json); growth is
 * the clusters of the second less those of the first.  More than
 * opts.max_dump: where each grew (the top of a heap), the mappings that grew
 * most first, then more next to it (a warning says so).
 * The process exiting mid-dump keeps what was read (a warning; the hunt is
 * then gone).
 *
 * Returns: 0, -ENOENT when nothing readable grew, or an error of lib/dump.c
 * or lib/outfile.c.
 */
int ms_hunt_dump(struct ms_ctx *ctx, struct ms_hunt *h);

/* Dumps taken so far: 1 after the first (DIR/base.dump), 2 after the second (DIR/grown.dump). */
size_t ms_hunt_dumps(const struct ms_hunt *h);

/*
 * Analyse the latest dump: bytehist's histogram, the symbols its words
 * point at, its objects and clusters (<memsift/analyse.h>) with their growth
 * since DIR/base.dump when there are two dumps and, when the [heap] grew,
 * glibc's chunks; writes DIR/analysis.json as bytehist -J --symbols
 * --objects does, with the heap walk and the verdict.  Symbols or a heap walk
 * that fail are warned about and left out.
 *
 * Returns: 0, -EINVAL when nothing was dumped, or an error of the manifest,
 * histogram or output file.
 */
int ms_hunt_analyse(struct ms_ctx *ctx, struct ms_hunt *h);

/*
 * leakhunt --refs: freeze the process for the measured pause (CB hears it,
 * as <memsift/refs.h> tells), and ask of the verdict's first cluster
 * whether its objects are unreferenced or what holds them; the verdict
 * then says so.  Call after ms_hunt_analyse().  This is the one step that
 * stops the process.
 *
 * Returns: 0 (nothing to ask when there is no verdict), or an error of
 * <memsift/refs.h>.
 */
int ms_hunt_refs(struct ms_ctx *ctx, struct ms_hunt *h, ms_refs_event_cb cb, void *data);

/*
 * Write DIR/report.md: the verdict in plain words first ("Likely leaking:
 * 3,000 chunks of 4112 bytes filled with 'T', referenced from f at f.c:12"),
 * then the growth (mapsdiff's table), what the bytes are, what the pointers
 * point at, the heap's chunks and the files beside it.
 *
 * Returns: 0, or an error of lib/outfile.c or of the tables.
 */
int ms_hunt_report(struct ms_ctx *ctx, struct ms_hunt *h);

/*
 * When growth was confirmed, write the verdict as one line to FP ("likely
 * leaking: 4,000 × 4112-byte objects filled with 'T', +1,000 in one
 * interval; ..."), the same words as report.md's first line; when growth
 * was seen but not confirmed, "grew, not yet confirmed: " and its figures;
 * otherwise nothing.  Returns: 0 or -EIO.
 */
int ms_hunt_verdict(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp);

#endif
