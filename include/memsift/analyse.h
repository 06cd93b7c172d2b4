/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analysis pipeline: one dump of a process (regiondump's raw dump and
 * its manifest) from bytes to verdict, the same for bytehist and leakhunt.
 *
 *	sources -> objects -> features -> clusters -> verdict
 *
 * The manifest's maps give the symbolizer (<memsift/symbol.h>) and the
 * allocator (<memsift/objects.h>); each range of the dump goes to the
 * finder that fits it; the objects' features put them into clusters
 * (<memsift/cluster.h>).  Two analyses of one process, an older and a
 * newer, give growth: the verdict is built from the clusters that grew,
 * never from size alone, and never from a table other than the cluster's
 * own words.
 *
 *	ms_analysis_run(ctx, &opts, "grown.dump", &mi, &a);
 *	ms_analysis_diff(a, older);			(optional)
 *	ms_analysis_verdict(ctx, a, fp);		(the sentence)
 *	ms_analysis_json(ctx, a, "leaking", fp);	(analysis.json's members)
 *	ms_analysis_free(a);
 */
#ifndef MEMSIFT_ANALYSE_H
#define MEMSIFT_ANALYSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/cluster.h>
#include <memsift/ctx.h>
#include <memsift/heapwalk.h>
#include <memsift/manifest.h>
#include <memsift/objects.h>
#include <memsift/symbol.h>

struct ms_analysis;

struct ms_analysis_opts {
	/* Count every word of the dump against the symbols (bytehist --symbols). */
	bool count_words;
	/* No objects and clusters: the symbolizer and the heap walk alone. */
	bool no_objects;
	/*
	 * Walk one heap chunk by chunk, for its table of chunk sizes
	 * (<memsift/heapwalk.h>): the range at [heap]'s start, else the
	 * thread arena with the most objects, else the dump when it is one
	 * range (bytehist --heap on a regiondump --mapping dump).
	 */
	bool heap_walk;
	/*
	 * The process is alive as PID (0: it is not, or not known): its maps
	 * stand in for a manifest without them.
	 */
	pid_t pid;
	/*
	 * Called for each object after it is clustered, with the key of its
	 * cluster (0: uncounted, the table was full), for a caller that keeps
	 * the objects themselves (memrefs' reference index); NULL for none.
	 * O and its bytes are valid only during the call.  A negative return
	 * stops the analysis and is returned.
	 */
	int (*obj_cb)(struct ms_ctx *ctx, const struct ms_obj *o, uint64_t key, void *data);
	void *obj_data;
};

/*
 * Analyse the dump at PATH, whose manifest MI (borrowed for the call) says
 * what each byte is.  Without maps in MI (and no PID) there is no
 * symbolizer: objects are still found, but none is named.  Problems that
 * leave the rest standing (no maps, a module unreadable, a walk that
 * stopped) are notes, not errors: see ms_analysis_note().  On success *OUT
 * owns the analysis; release it with ms_analysis_free().
 *
 * Returns: 0, -errno when PATH cannot be read or mapped, or -ENOMEM.
 */
int ms_analysis_run(struct ms_ctx *ctx, const struct ms_analysis_opts *opts, const char *path,
		    const struct ms_manifest_info *mi, struct ms_analysis **out);

/* Release A; NULL is accepted. */
void ms_analysis_free(struct ms_analysis *a);

/* Growth: A's clusters against those of OLDER, an earlier dump of the same process. */
void ms_analysis_diff(struct ms_analysis *a, const struct ms_analysis *older);

/* The parts, borrowed from A. */
struct ms_symbols *ms_analysis_symbols(const struct ms_analysis *a);
const struct ms_clusters *ms_analysis_clusters(const struct ms_analysis *a);
enum ms_allocator ms_analysis_allocator(const struct ms_analysis *a, const char **evidence);
size_t ms_analysis_range_count(const struct ms_analysis *a);
const struct ms_objrange *ms_analysis_range(const struct ms_analysis *a, size_t i);
/* The heap walked chunk by chunk (opts.heap_walk), or NULL: none fitted, or not asked. */
const struct ms_heapwalk *ms_analysis_heapwalk(const struct ms_analysis *a);

/* Notes on what could not be done (one line each), I from 0; NULL past the last. */
const char *ms_analysis_note(const struct ms_analysis *a, size_t i);

/* One clause of the verdict: a cluster that grew, or the largest when nothing was diffed. */
struct ms_clause {
	const struct ms_cluster *cluster;	/* borrowed from the analysis */
	/* The cluster whose objects each point at this one's (its owner), or NULL. */
	const struct ms_cluster *owner;
	/* The cluster this one's objects each point at (its payload), or NULL. */
	const struct ms_cluster *payload;
	double ratio;		/* the first clause's growth over this one's; 0 for the first */
};

/*
 * The verdict's clauses, at most MAX into CL, the most growth first.  A
 * cluster of untouched (zero) memory, or that did not grow when growth is
 * known, is never one; a payload told with its owner is not told again.
 * Returns: how many.
 */
size_t ms_analysis_clauses(const struct ms_analysis *a, struct ms_clause *cl, size_t max);

/*
 * Write the verdict sentence, with no final period, to FP: one clause per
 * cluster, each with its count, object size, content, and the name its
 * own objects carry with its share, or "unnamed" and the evidence.  When
 * V8's pages grew since the older dump by more than the first clause's
 * objects, a clause for V8's heap and its growth comes first.
 * Returns: how many clauses were written (0: nothing to say; write nothing).
 */
size_t ms_analysis_verdict(struct ms_ctx *ctx, const struct ms_analysis *a, FILE *fp);

/*
 * Print the objects and the TOP (0: 10) first clusters as a table to FP.
 * Returns: 0, -EIO or -ENOMEM.
 */
int ms_analysis_print(struct ms_ctx *ctx, const struct ms_analysis *a, unsigned top, FILE *fp);

/*
 * Write ,"objects":{...},"clusters":[...],"verdict":{...} to FP, for the
 * end of an enclosing JSON object (analysis.json, bytehist -J).  STATUS is
 * the verdict's status ("leaking", "unconfirmed", "nothing", "incomplete");
 * NULL leaves "verdict" out.  TOP 0: every cluster with 2 or more objects.
 * Returns: 0 or -EIO.
 */
int ms_analysis_json(struct ms_ctx *ctx, const struct ms_analysis *a, const char *status,
		     unsigned top, FILE *fp);

#endif
