/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which mappings changed between two sets of mappings of one process.
 *
 * Mappings are followed from OLD to NEW: first by the same start address
 * (a region grown in place keeps its start), then by overlap with the same
 * name and inode (a stack grown down, a region whose start moved).  What is
 * left and overlaps the other side was split off or merged; the rest is new
 * or gone.
 */
#ifndef MEMSIFT_DIFF_H
#define MEMSIFT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_diff;
struct ms_diff_entry;

enum ms_diff_status {
	MS_DIFF_KEPT = 1,	/* in both (it may have grown or moved its start) */
	MS_DIFF_NEW,		/* only in NEW */
	MS_DIFF_GONE,		/* only in OLD */
	MS_DIFF_SPLIT,		/* only in NEW, cut from a mapping of OLD (mprotect, munmap of a middle) */
	MS_DIFF_MERGED,		/* only in OLD, now part of a larger mapping of NEW */
};

/*
 * Compare OLD and NEW.  Both must outlive the result, which borrows their
 * mappings.  On success *OUT owns a new ms_diff, in NEW's address order
 * with gone mappings at their old place; free it with ms_diff_free().
 * Returns: 0 or -ENOMEM.
 */
int ms_diff_new(struct ms_ctx *ctx, const struct ms_maps *old,
		const struct ms_maps *new, struct ms_diff **out);

/* Release D; NULL is accepted. */
void ms_diff_free(struct ms_diff *d);

size_t ms_diff_count(const struct ms_diff *d);

/* Entry I, borrowed from D; NULL when out of range. */
const struct ms_diff_entry *ms_diff_get(const struct ms_diff *d, size_t i);

/*
 * Sort entries by the growth of field F, largest first; entries that grew
 * equally keep address order.  For maps input, which has no fields, the
 * size stands in for every field (see ms_diff_entry_value()).
 */
void ms_diff_sort(struct ms_diff *d, enum ms_field f);

enum ms_diff_status ms_diff_entry_status(const struct ms_diff_entry *e);

/* The mapping in OLD or NEW; NULL for a new or gone one. */
const struct ms_mapping *ms_diff_entry_old(const struct ms_diff_entry *e);
const struct ms_mapping *ms_diff_entry_new(const struct ms_diff_entry *e);

/*
 * The mapping to describe E by: the new one, or the old one when gone.
 */
const struct ms_mapping *ms_diff_entry_mapping(const struct ms_diff_entry *e);

/*
 * For a split entry, the mapping of OLD it was cut from; NULL for others.
 */
const struct ms_mapping *ms_diff_entry_from(const struct ms_diff_entry *e);

/*
 * True for a split entry netted against its sibling, the kept entry of the
 * mapping it was cut from (see ms_diff_entry_value()).
 */
bool ms_diff_entry_netted(const struct ms_diff_entry *e);

/*
 * Field F of the old or new side in bytes: 0 for the side where the
 * mapping does not exist; the mapping size when the input had no such field
 * and F is MS_F_RSS (maps input: sizes only); else MS_FIELD_ABSENT.
 * A split is netted against its sibling: a piece split off the old mapping
 * of a kept entry has its new value on both sides (it was there already),
 * and the kept entry's old side is what the pieces did not take, so one
 * mapping split in two is neither a new mapping that grew nor one that shrank.
 */
uint64_t ms_diff_entry_value(const struct ms_diff_entry *e, int new_side,
			     enum ms_field f);

/* New minus old of field F; 0 when either side is MS_FIELD_ABSENT. */
int64_t ms_diff_entry_delta(const struct ms_diff_entry *e, enum ms_field f);

/*
 * What of M counts as memory the process grew, in bytes: its resident set,
 * but for a mapping of a file only the pages it wrote there (Anonymous, the
 * pages copied on write, for a private one; Private_Dirty for a shared one
 * or input without Anonymous).  Code and data paged in from a
 * file (libstdc++'s text, Node's 28 MiB of it) are the file's pages: they
 * come and go with memory pressure and are no leak, while a private
 * mapping's written pages (copied on write) are the process's own.
 * MS_FIELD_ABSENT for a file mapping of input without those fields (maps,
 * pmap, pmap -x).
 */
uint64_t ms_diff_grown_value(const struct ms_mapping *m);

/*
 * New minus old of ms_diff_grown_value(): what E grew, as "what grew"
 * (mapsdiff's and leakhunt's tables, regiondump --grown) counts it; 0 when
 * either side is MS_FIELD_ABSENT.
 */
int64_t ms_diff_entry_grown(const struct ms_diff_entry *e);

#endif
