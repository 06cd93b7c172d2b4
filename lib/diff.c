// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/diff.h>

#include "internal.h"

struct ms_diff_entry {
	const struct ms_mapping *old, *new;
	enum ms_diff_status status;
	size_t order;		/* position in the unsorted list, for stable sorts */
	const struct ms_mapping *from;	/* split: the old mapping it was cut from */
	const struct ms_mapping *into;	/* merged: the new mapping it is part of */
	bool netted;		/* split or merged, netted against a kept sibling */
	const struct ms_mapping *const *pieces;	/* kept: the pieces split off its old side */
	size_t npieces;
	const struct ms_mapping *const *absorbed;	/* kept: old mappings merged into it */
	size_t nabsorbed;
};

struct ms_diff {
	struct ms_diff_entry *v;
	size_t n;
	const struct ms_mapping **pieces;	/* the entries' pieces, grouped */
	const struct ms_mapping **absorbed;	/* the entries' merged mappings, grouped */
};

static bool same_object(const struct ms_mapping *a, const struct ms_mapping *b)
{
	return ms_mapping_inode(a) == ms_mapping_inode(b) &&
	       !strcmp(ms_mapping_name(a), ms_mapping_name(b));
}

static bool overlap(const struct ms_mapping *a, const struct ms_mapping *b)
{
	return ms_mapping_start(a) < ms_mapping_end(b) &&
	       ms_mapping_start(b) < ms_mapping_end(a);
}

static uint64_t entry_start(const struct ms_diff_entry *e)
{
	return ms_mapping_start(e->new ? e->new : e->old);
}

static int cmp_addr(const void *a, const void *b)
{
	uint64_t x = entry_start(a), y = entry_start(b);

	return x < y ? -1 : x > y;
}

/* The first mapping of MAPS that ends after ADDR (MAPS in address order). */
static size_t first_ending_after(const struct ms_maps *maps, uint64_t addr)
{
	size_t lo = 0, hi = ms_maps_count(maps), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ms_mapping_end(ms_maps_get(maps, mid)) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Index in OTHER of a mapping overlapping M and, if SAME, of the same
 * object, not marked in USED (may be NULL); SIZE_MAX if none.  Both lists are in address order
 * as /proc gives them, so this is a binary search and a short walk.
 */
static size_t find_overlap(const struct ms_mapping *m, const struct ms_maps *other,
			   const bool *used, bool same)
{
	size_t j = first_ending_after(other, ms_mapping_start(m));
	const struct ms_mapping *o;

	for (; (o = ms_maps_get(other, j)) && ms_mapping_start(o) < ms_mapping_end(m); j++)
		if ((!used || !used[j]) && overlap(m, o) && (!same || same_object(m, o)))
			return j;
	return SIZE_MAX;
}

/*
 * The sibling an entry is netted against: for a split, the old mapping it
 * was cut from; for a merge, the new mapping it went into.
 */
static const struct ms_mapping *sibling(const struct ms_diff_entry *e, bool merge)
{
	if (merge)
		return e->status == MS_DIFF_MERGED ? e->into : NULL;
	return e->status == MS_DIFF_SPLIT ? e->from : NULL;
}

/*
 * Net the splits (MERGE false) or the merges (true) against the kept
 * entries in KEPT[] (NK, by the index of the sibling mapping): each such
 * entry is netted, and its mapping listed in its kept entry's pieces (a
 * split's new mapping) or absorbed (a merge's old one), one run of *LIST
 * per kept entry.  Returns: 0 or -ENOMEM.
 */
static int group(struct ms_diff *d, struct ms_diff_entry **kept, size_t nk, bool merge,
		 const struct ms_mapping ***list)
{
	size_t *count = calloc(nk + 1, sizeof(*count)), i, k, total = 0;
	const struct ms_mapping *sib;
	struct ms_diff_entry *e;

	if (!count)
		return -ENOMEM;
	for (i = 0; i < d->n; i++) {
		sib = sibling(&d->v[i], merge);
		if (sib && kept[ms_mapping_index(sib)]) {
			d->v[i].netted = true;
			count[ms_mapping_index(sib)]++;
			total++;
		}
	}
	if (total && !(*list = calloc(total, sizeof(**list)))) {
		free(count);
		return -ENOMEM;
	}
	for (k = 0, i = 0; total && i < nk; k += count[i], i++) {
		if (!count[i])
			continue;
		if (merge)
			kept[i]->absorbed = *list + k;
		else
			kept[i]->pieces = *list + k;
	}
	for (i = 0; total && i < d->n; i++) {
		sib = sibling(&d->v[i], merge);
		if (!sib || !(e = kept[ms_mapping_index(sib)]))
			continue;
		if (merge)
			(*list)[e->absorbed - *list + e->nabsorbed++] = d->v[i].old;
		else
			(*list)[e->pieces - *list + e->npieces++] = d->v[i].new;
	}
	free(count);
	return 0;
}

/*
 * A mapping split in two (mprotect of part of it, an arena trimmed in the
 * middle) is one memory, not a new mapping that grew beside one that
 * shrank: each piece split off the old side of a kept entry is netted
 * against it, its sibling.  The piece's old side is its new one (it was
 * there already), and the kept entry's old side is what the pieces did not
 * take (entry_side()).  A merge is the mirror: the old mapping merged into
 * a kept entry's new one adds to its old side.  NO and NN count the old
 * and new mappings.  Returns: 0 or -ENOMEM.
 */
static int net_splits(struct ms_diff *d, size_t no, size_t nn)
{
	size_t nk = no > nn ? no : nn, i;
	struct ms_diff_entry **kept = calloc(nk + 1, sizeof(*kept));
	int rc;

	if (!kept)
		return -ENOMEM;
	for (i = 0; i < d->n; i++)
		if (d->v[i].status == MS_DIFF_KEPT)
			kept[ms_mapping_index(d->v[i].old)] = &d->v[i];
	rc = group(d, kept, no, false, &d->pieces);
	memset(kept, 0, (nk + 1) * sizeof(*kept));
	for (i = 0; i < d->n; i++)
		if (d->v[i].status == MS_DIFF_KEPT)
			kept[ms_mapping_index(d->v[i].new)] = &d->v[i];
	if (rc == 0)
		rc = group(d, kept, nn, true, &d->absorbed);
	free(kept);
	return rc;
}

int ms_diff_new(struct ms_ctx *ctx, const struct ms_maps *old,
		const struct ms_maps *new, struct ms_diff **out)
{
	size_t no = ms_maps_count(old), nn = ms_maps_count(new), i, j;
	struct ms_diff *d = calloc(1, sizeof(*d));
	bool *used_old = calloc(no + 1, 1);
	bool *used_new = calloc(nn + 1, 1);
	const struct ms_mapping *mo, *mn;

	if (d)
		d->v = calloc(no + nn + 1, sizeof(*d->v));
	if (!d || !d->v || !used_old || !used_new) {
		free(used_old);
		free(used_new);
		ms_diff_free(d);
		return ms_err(ctx, -ENOMEM, "out of memory comparing mappings");
	}

	/* Same start: a region grown or shrunk in place keeps its start. */
	for (i = 0, j = 0; i < no && j < nn;) {
		mo = ms_maps_get(old, i);
		mn = ms_maps_get(new, j);
		if (ms_mapping_start(mo) == ms_mapping_start(mn)) {
			d->v[d->n++] = (struct ms_diff_entry){ .old = mo, .new = mn, .status = MS_DIFF_KEPT };
			used_old[i++] = used_new[j++] = true;
		} else if (ms_mapping_start(mo) < ms_mapping_start(mn)) {
			i++;
		} else {
			j++;
		}
	}
	/* Then the same object at an overlapping place: a stack grown down. */
	for (i = 0; i < no; i++) {
		if (used_old[i])
			continue;
		mo = ms_maps_get(old, i);
		j = find_overlap(mo, new, used_new, true);
		if (j != SIZE_MAX) {
			d->v[d->n++] = (struct ms_diff_entry){ .old = mo, .new = ms_maps_get(new, j),
								.status = MS_DIFF_KEPT };
			used_old[i] = used_new[j] = true;
		}
	}
	/*
	 * What is left and overlaps the other side is a piece of a split VMA
	 * (mprotect of part of a region) or a VMA merged into a neighbour: not
	 * new memory, nor gone.
	 */
	for (i = 0; i < no; i++) {
		mo = ms_maps_get(old, i);
		if (used_old[i])
			continue;
		j = find_overlap(mo, new, NULL, false);
		d->v[d->n++] = (struct ms_diff_entry){
			.old = mo, .status = j != SIZE_MAX ? MS_DIFF_MERGED : MS_DIFF_GONE,
			.into = j != SIZE_MAX ? ms_maps_get(new, j) : NULL };
	}
	for (j = 0; j < nn; j++) {
		mn = ms_maps_get(new, j);
		if (used_new[j])
			continue;
		i = find_overlap(mn, old, NULL, false);
		d->v[d->n++] = (struct ms_diff_entry){
			.new = mn, .status = i != SIZE_MAX ? MS_DIFF_SPLIT : MS_DIFF_NEW,
			.from = i != SIZE_MAX ? ms_maps_get(old, i) : NULL };
	}
	free(used_old);
	free(used_new);

	qsort(d->v, d->n, sizeof(*d->v), cmp_addr);
	for (i = 0; i < d->n; i++)
		d->v[i].order = i;
	if (net_splits(d, no, nn) < 0) {
		ms_diff_free(d);
		return ms_err(ctx, -ENOMEM, "out of memory comparing mappings");
	}
	*out = d;
	return 0;
}

void ms_diff_free(struct ms_diff *d)
{
	if (!d)
		return;
	free(d->v);
	free(d->pieces);
	free(d->absorbed);
	free(d);
}

size_t ms_diff_count(const struct ms_diff *d)
{
	return d->n;
}

const struct ms_diff_entry *ms_diff_get(const struct ms_diff *d, size_t i)
{
	return i < d->n ? &d->v[i] : NULL;
}

static int cmp_growth(const void *a, const void *b, void *field)
{
	const struct ms_diff_entry *x = a, *y = b;
	enum ms_field f = *(const enum ms_field *)field;
	int64_t dx = ms_diff_entry_delta(x, f);
	int64_t dy = ms_diff_entry_delta(y, f);

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void ms_diff_sort(struct ms_diff *d, enum ms_field f)
{
	qsort_r(d->v, d->n, sizeof(*d->v), cmp_growth, &f);
}

enum ms_diff_status ms_diff_entry_status(const struct ms_diff_entry *e)
{
	return e->status;
}

const struct ms_mapping *ms_diff_entry_old(const struct ms_diff_entry *e)
{
	return e->old;
}

const struct ms_mapping *ms_diff_entry_new(const struct ms_diff_entry *e)
{
	return e->new;
}

const struct ms_mapping *ms_diff_entry_mapping(const struct ms_diff_entry *e)
{
	return e->new ? e->new : e->old;
}

const struct ms_mapping *ms_diff_entry_from(const struct ms_diff_entry *e)
{
	return e->from;
}

bool ms_diff_entry_netted(const struct ms_diff_entry *e)
{
	return e->netted;
}

static uint64_t field_of(const struct ms_mapping *m, enum ms_field f)
{
	return ms_mapping_get_or_size(m, f);
}

static uint64_t grown_of(const struct ms_mapping *m, enum ms_field f)
{
	(void)f;
	return ms_diff_grown_value(m);
}

/* One side of E by GET, netted against a split (net_splits()). */
static uint64_t entry_side(const struct ms_diff_entry *e, int new_side, enum ms_field f,
			   uint64_t (*get)(const struct ms_mapping *, enum ms_field))
{
	uint64_t v, p;
	size_t i;

	if (e->netted)
		return get(e->new ? e->new : e->old, f);
	if (new_side)
		return e->new ? get(e->new, f) : 0;
	if (!e->old)
		return 0;
	v = get(e->old, f);
	for (i = 0; i < e->nabsorbed && v != MS_FIELD_ABSENT; i++) {
		p = get(e->absorbed[i], f);
		v = p == MS_FIELD_ABSENT ? p : v + p;
	}
	for (i = 0; i < e->npieces && v != MS_FIELD_ABSENT; i++) {
		p = get(e->pieces[i], f);
		if (p == MS_FIELD_ABSENT)
			return MS_FIELD_ABSENT;
		/* A piece that grew since the split can hold more than was there. */
		v = v > p ? v - p : 0;
	}
	return v;
}

uint64_t ms_diff_entry_value(const struct ms_diff_entry *e, int new_side,
			     enum ms_field f)
{
	return entry_side(e, new_side, f, field_of);
}

int64_t ms_diff_entry_delta(const struct ms_diff_entry *e, enum ms_field f)
{
	uint64_t o = ms_diff_entry_value(e, 0, f), n = ms_diff_entry_value(e, 1, f);

	if (o == MS_FIELD_ABSENT || n == MS_FIELD_ABSENT)
		return 0;
	return (int64_t)(n - o);
}

/*
 * A mapping of a file: a path, or pmap's bare file name ("libc.so.6"),
 * which is neither a path nor bracketed as its "[ anon ]" and "[ stack ]" are.
 */
static bool file_backed(const struct ms_mapping *m)
{
	enum ms_mapping_kind k = ms_mapping_kind(m);

	return k == MS_MAPPING_FILE ||
	       (k == MS_MAPPING_SPECIAL && (ms_mapping_inode(m) || ms_mapping_name(m)[0] != '['));
}

uint64_t ms_diff_grown_value(const struct ms_mapping *m)
{
	uint64_t v;

	if (!file_backed(m))
		return ms_mapping_get_or_size(m, MS_F_RSS);
	/*
	 * What a private mapping wrote was copied on write: Anonymous.  Not its
	 * Private_Dirty, which also counts page cache not yet written back (a
	 * file just written, then mapped) that it only read.
	 */
	v = ms_mapping_perms(m)[3] == 'p' ? ms_mapping_get(m, MS_F_ANONYMOUS) : MS_FIELD_ABSENT;
	return v != MS_FIELD_ABSENT ? v : ms_mapping_get(m, MS_F_PRIVATE_DIRTY);
}

int64_t ms_diff_entry_grown(const struct ms_diff_entry *e)
{
	uint64_t o = entry_side(e, 0, MS_F_RSS, grown_of);
	uint64_t n = entry_side(e, 1, MS_F_RSS, grown_of);

	if (o == MS_FIELD_ABSENT || n == MS_FIELD_ABSENT)
		return 0;
	return (int64_t)(n - o);
}
