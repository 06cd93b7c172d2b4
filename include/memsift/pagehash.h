/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A content hash per page of a live process's anonymous memory, so that a
 * later dump can take only the pages that are new or changed: the bytes most
 * likely to be the leak.  The kernel's soft-dirty bits would say the same
 * without reading anything, but need CONFIG_MEM_SOFT_DIRTY, which many
 * kernels (this project's CI among them) lack; hashing works everywhere.
 *
 * Hashes are stored in a mapsnap snapshot's header, one line per mapping:
 *   # pages: 7f3a1c000000-7f3a1c021000 9ae16a3b2f90404f 1b2c...
 * (XXH3-64 of each page, in address order), so `mapsnap --pages` followed
 * by `regiondump --changed-since` needs no other file.
 */
#ifndef MEMSIFT_PAGEHASH_H
#define MEMSIFT_PAGEHASH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_pagehash;

/*
 * Hash every page of every readable private anonymous mapping of MAPS
 * (anonymous, [anon:NAME], [heap], [stack]) in live process PID.  Pages that
 * cannot be read hash as zeros.  On success *OUT owns a new ms_pagehash.
 * Returns: 0, -ESRCH, -EPERM, or -ENOMEM.
 */
int ms_pagehash_take(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps,
		     struct ms_pagehash **out);

/* Write the "# pages:" header lines of PH to FP. */
int ms_pagehash_write(struct ms_ctx *ctx, const struct ms_pagehash *ph, FILE *fp);

/*
 * The hashes of a snapshot's "pages" header lines (ms_snapshot_pagehash()
 * hands them over): LINES[0..NLINES) are their values, PAGESIZE its
 * "pagesize" value (NULL: this machine's).  NAME names the snapshot in
 * messages.
 * Returns: 0, -ENODATA (no lines: it was not taken with page hashes),
 * -EBADMSG (a malformed line), or -ENOMEM.
 */
int ms_pagehash_parse(struct ms_ctx *ctx, const char *pagesize, const char *const *lines,
		      size_t nlines, const char *name, struct ms_pagehash **out);

/* Release PH; NULL is accepted. */
void ms_pagehash_free(struct ms_pagehash *ph);

/* Called for each run of pages [START, END) that changed. */
typedef int (*ms_pagehash_cb)(uint64_t start, uint64_t end, void *data);

/*
 * Hash the readable private anonymous mappings of NOW in live process PID
 * again and call CB for each run of pages that BASE did not hash (new
 * memory) or hashed differently (written since).  A negative return from CB
 * stops the walk and is returned.
 * Returns: 0, -ESRCH, -EPERM, -ENOMEM, or CB's error.
 */
int ms_pagehash_changed(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *now,
			const struct ms_pagehash *base, ms_pagehash_cb cb, void *data);

/* Whether M is a mapping pages are hashed in (readable private anonymous memory). */
bool ms_pagehash_covers(const struct ms_mapping *m);

/*
 * Whether the page at ADDR whose PAGESIZE bytes are at PAGE is new or
 * changed since BASE hashed it, as ms_pagehash_changed() judges it: for a
 * caller that reads the pages itself (regiondump --changed-since reads
 * each once, hashing and writing).
 */
bool ms_pagehash_page_changed(const struct ms_pagehash *base, uint64_t addr, const void *page,
			      uint64_t pagesize);

#endif
