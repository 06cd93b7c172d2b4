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
};

struct ms_diff {
	struct ms_diff_entry *v;
	size_t n;
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
			d->v[d->n++] = (struct ms_diff_entry){ mo, mn, MS_DIFF_KEPT, 0 };
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
			d->v[d->n++] = (struct ms_diff_entry){ mo, ms_maps_get(new, j), MS_DIFF_KEPT, 0 };
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
		if (!used_old[i])
			d->v[d->n++] = (struct ms_diff_entry){
				mo, NULL,
				find_overlap(mo, new, NULL, false) != SIZE_MAX ? MS_DIFF_MERGED : MS_DIFF_GONE,
				0 };
	}
	for (j = 0; j < nn; j++) {
		mn = ms_maps_get(new, j);
		if (!used_new[j])
			d->v[d->n++] = (struct ms_diff_entry){
				NULL, mn,
				find_overlap(mn, old, NULL, false) != SIZE_MAX ? MS_DIFF_SPLIT : MS_DIFF_NEW,
				0 };
	}
	free(used_old);
	free(used_new);

	qsort(d->v, d->n, sizeof(*d->v), cmp_addr);
	for (i = 0; i < d->n; i++)
		d->v[i].order = i;
	*out = d;
	return 0;
}

void ms_diff_free(struct ms_diff *d)
{
	if (!d)
		return;
	free(d->v);
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

uint64_t ms_diff_entry_value(const struct ms_diff_entry *e, int new_side,
			     enum ms_field f)
{
	const struct ms_mapping *m = new_side ? e->new : e->old;

	return m ? ms_mapping_get_or_size(m, f) : 0;
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
	uint64_t o = e->old ? ms_diff_grown_value(e->old) : 0;
	uint64_t n = e->new ? ms_diff_grown_value(e->new) : 0;

	if (o == MS_FIELD_ABSENT || n == MS_FIELD_ABSENT)
		return 0;
	return (int64_t)(n - o);
}
