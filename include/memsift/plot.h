/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Growth plots: memory over time as an SVG chart a browser or an image
 * viewer shows: the process total and the mappings each on a scale of its
 * own, fitted to the data (a 1.5% growth is no flat line), against clock
 * time (UTC) when it is known, with the cgroup's limit, the total's trend as
 * lib/trend.c judges it, a legend, and marks where the process restarted,
 * so a leak that an OOM kill or a restart resets shows as a sawtooth.
 *
 * A plot is a set of series (name, times, values) and marks; the one
 * helper most callers want, ms_plot_snapshots(), fills one from a series of
 * snapshots: the process total and the mappings that grew fastest.
 */
#ifndef MEMSIFT_PLOT_H
#define MEMSIFT_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/snapshot.h>
#include <memsift/watch.h>

struct ms_plot;

/*
 * A new, empty plot titled TITLE (copied).  Release it with ms_plot_free().
 * Returns: 0 or -ENOMEM.
 */
int ms_plot_new(struct ms_ctx *ctx, const char *title, struct ms_plot **out);

/* Release P; NULL is accepted. */
void ms_plot_free(struct ms_plot *p);

/*
 * Add a line: N values in bytes at TIMES (seconds, any origin shared by
 * every series of the plot, increasing), named NAME in the legend.  The
 * first series added is drawn as the total: thicker, in black.  Everything
 * is copied.  Returns: 0, -EINVAL (N is 0, or times not increasing) or -ENOMEM.
 */
int ms_plot_add(struct ms_ctx *ctx, struct ms_plot *p, const char *name, const double *times,
		const uint64_t *values, size_t n);

/* Mark time T with a dashed vertical line labelled TEXT ("restart: pid 4243").  0 or -ENOMEM. */
int ms_plot_mark(struct ms_ctx *ctx, struct ms_plot *p, double t, const char *text);

/*
 * Draw LIMIT bytes (the cgroup's memory.max, or mapswatch --limit) as a line
 * on the total's panel, or say it is above the chart when it is far above.
 * ms_plot_snapshots() and ms_plot_watch() set the cgroup's; 0 removes it.
 */
void ms_plot_set_limit(struct ms_plot *p, uint64_t limit);

/* Number of series added. */
size_t ms_plot_count(const struct ms_plot *p);

/*
 * Write P as a standalone SVG document to FP.  Names are escaped for XML;
 * bytes that are no UTF-8 become "?".
 * Returns: 0, -EINVAL (no series), or -EIO.
 */
int ms_plot_write(struct ms_ctx *ctx, const struct ms_plot *p, FILE *fp);

/*
 * Write P to PATH through <memsift/outfile.h> (0600, atomic, no symlinks;
 * FLAGS as for ms_outfile_open()).  Returns: 0 or a negative errno.
 */
int ms_plot_write_file(struct ms_ctx *ctx, const struct ms_plot *p, const char *path,
		       unsigned int flags);

/*
 * The growth plot of the N snapshots at SNAPS, oldest first: the process
 * total RSS, then the RSS of the TOP mappings of the newest snapshot that
 * grew fastest (followed back as mapsdiff follows them), against their boot
 * times (else wall-clock times, else snapshot numbers).  A change of pid
 * between two snapshots, or a drop of the total by half or more, is marked
 * as a restart.  The snapshots are borrowed only for the call.
 * Returns: 0, -EINVAL (N is 0), or -ENOMEM.
 */
int ms_plot_snapshots(struct ms_ctx *ctx, const struct ms_snapshot *const *snaps, size_t n,
		      size_t top, struct ms_plot **out);

/*
 * As ms_plot_snapshots() on the N snapshot files at PATHS, loaded with
 * ms_snapshot_load_path(), in the order given.
 * Returns: as ms_plot_snapshots(), or the load error (naming the file).
 */
int ms_plot_snapshot_paths(struct ms_ctx *ctx, const char *const *paths, size_t n, size_t top,
			   struct ms_plot **out);

/*
 * The growth plot of watch W's kept samples (<memsift/watch.h>): the total,
 * then the TOP items as W ranks them (mappings, or processes under "all").
 * A drop of the total by half or more is marked.
 * Returns: 0, -EINVAL (no sample yet), or -ENOMEM.
 */
int ms_plot_watch(struct ms_ctx *ctx, const struct ms_watch *w, size_t top,
		  struct ms_plot **out);

#endif
