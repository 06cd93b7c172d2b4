/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files that may hold process memory or its layout: created 0600,
 * written under a temporary name in the same directory and renamed into
 * place only when complete, never through a symlink and never over an
 * existing file unless forced.  A run killed half-way leaves only a hidden
 * ".NAME.XXXXXX" file, never a file with the final name that looks whole.
 */
#ifndef MEMSIFT_OUTFILE_H
#define MEMSIFT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include <memsift/ctx.h>

struct ms_outfile;

/* Flags for ms_outfile_open(). */
enum {
	MS_OUTFILE_FORCE = 1,	/* replace an existing file (-f) */
	/*
	 * Mode 0644 instead of 0600, for a file that holds no memory contents
	 * and that another user must read: Prometheus metrics for
	 * node_exporter's textfile collector.
	 */
	MS_OUTFILE_PUBLIC = 2,
};

/*
 * Start writing PATH ("-" means stdout: no temporary, no rename; an existing
 * character device or FIFO, such as /dev/null, is written in place).  Fails at
 * once when PATH exists and MS_OUTFILE_FORCE is not given, so no work is
 * wasted.  On success *OUT owns the open file; finish with
 * ms_outfile_commit() or throw it away with ms_outfile_abort().  The
 * temporary is ".NAME.XXXXXX" (NAME cut to fit NAME_MAX), locked with
 * flock(2) while it is written; leftovers of killed runs are removed first
 * (see ms_outfile_cleanup_on_signals()).
 *
 * Returns: 0, -EINVAL (PATH is empty), -EEXIST (the tool says which option
 * forces it), -EISDIR, or the open(2) error (-EACCES, -ENOENT for a missing directory...).
 */
int ms_outfile_open(struct ms_ctx *ctx, const char *path, unsigned int flags,
		    struct ms_outfile **out);

/* Flags for ms_outdir_make(). */
enum {
	/* Write into a directory that exists (mapswatch -f; mapsnap always). */
	MS_OUTDIR_EXISTING = 1,
};

/*
 * Make PATH the directory of a series of outputs: create it with mode 0700,
 * or with MS_OUTDIR_EXISTING use one that exists.  Never through a symlink
 * (it is opened with O_DIRECTORY|O_NOFOLLOW, as is what mkdir made, in case
 * it was swapped meanwhile), and never one owned by another user, whatever
 * the flags: files put in it could be read or replaced by its owner.
 * *CREATED tells whether this call made it, so that a series that fails
 * can take it back with ms_outdir_remove().
 *
 * Returns: 0, -EEXIST (it exists and MS_OUTDIR_EXISTING was not given),
 * -ELOOP (a symlink), -ENOTDIR, -EPERM (another user's), or the mkdir(2)
 * or open(2) error; the message names PATH and says what to do.
 */
int ms_outdir_make(struct ms_ctx *ctx, const char *path, unsigned int flags, bool *created);

/* Remove directory PATH if it is empty: a failed series leaves no trace. */
void ms_outdir_remove(const char *path);

/* The stream to write to, borrowed from OF. */
FILE *ms_outfile_fp(struct ms_outfile *of);

/*
 * Flush, sync and rename the file to its final name, then free OF.  On
 * failure (a write error, disk full, the path taken meanwhile without
 * MS_OUTFILE_FORCE) the temporary file is removed and OF freed as well.
 * Returns: 0 or a negative errno with the message naming the path.
 */
int ms_outfile_commit(struct ms_ctx *ctx, struct ms_outfile *of);

/*
 * Commit a pair that only makes sense together (a dump and its manifest):
 * both flushed and synced before either is renamed, FIRST then SECOND.  A
 * failure leaves the old pair (with MS_OUTFILE_FORCE, the file FIRST
 * replaced is kept aside until SECOND is in place, and put back if it cannot
 * be) or, where there was none, nothing: never one new file beside an old
 * one, never neither pair.  Frees both, whatever the outcome.
 * Returns: 0 or a negative errno with the message naming the path.
 */
int ms_outfile_commit_pair(struct ms_ctx *ctx, struct ms_outfile *first,
			   struct ms_outfile *second);

/* Remove the temporary file and free OF; NULL is accepted. */
void ms_outfile_abort(struct ms_outfile *of);

/*
 * On SIGINT, SIGTERM, SIGHUP and SIGPIPE, remove every temporary file still
 * being written, then die of the signal as before.  Signals the program
 * already ignores or handles are left alone.  ms_cli_init() calls this.
 * (SIGKILL cannot be caught: its leftover is a hidden ".NAME.XXXXXX", which
 * the next ms_outfile_open() of NAME removes once it is a minute old and no
 * writer holds its flock(2).)
 */
void ms_outfile_cleanup_on_signals(void);

#endif
