// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of mappings that grew, for mapsdiff and leakhunt's report: rows
 * from a diff and a trend (lib/diff.c, lib/trend.c), through lib/output.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/output.h>
#include <memsift/snapshot.h>
#include <memsift/trend-report.h>
#include <memsift/trend.h>

#include "internal.h"

/* MS_COL_DEFAULT marks the columns of a two-snapshot diff; TREND those added over three. */
#define TREND 0x100

const struct ms_out_column ms_growth_columns[MS_GROWTH_NCOLS] = {
	[MS_GROWTH_START] = { "START", 12, MS_COL_DEFAULT, MS_COL_HEX, "start address" },
	[MS_GROWTH_END] = { "END", 12, MS_COL_DEFAULT, MS_COL_HEX, "end address (exclusive)" },
	[MS_GROWTH_PERMS] = { "PERMS", 4, MS_COL_DEFAULT, MS_COL_STR, "permissions, as maps prints them" },
	[MS_GROWTH_STATUS] = { "STATUS", 4, MS_COL_DEFAULT, MS_COL_STR, "kept, new, gone, split or merged" },
	[MS_GROWTH_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "size of the mapping now" },
	[MS_GROWTH_RSS_OLD] = { "RSS-OLD", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in the first snapshot" },
	[MS_GROWTH_RSS_NEW] = { "RSS-NEW", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in the last snapshot" },
	[MS_GROWTH_RSS_DELTA] = { "RSS-DELTA", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the resident set" },
	[MS_GROWTH_RATE] = { "RATE", 6, TREND | MS_COL_RIGHT, MS_COL_RATE, "growth rate of the resident set (three snapshots or more)" },
	[MS_GROWTH_STEADY] = { "STEADY", 3, TREND | MS_COL_RIGHT, MS_COL_FLOAT, "share of intervals in which it grew (three snapshots or more)" },
	[MS_GROWTH_VERDICT] = { "VERDICT", 10, TREND, MS_COL_STR, "grows with no steady state, levelled off... (three snapshots or more)" },
	[MS_GROWTH_ANON_DELTA] = { "ANON-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Anonymous (smaps input)" },
	[MS_GROWTH_DIRTY_DELTA] = { "DIRTY-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Private_Dirty (smaps input)" },
	[MS_GROWTH_SWAP_DELTA] = { "SWAP-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Swap (smaps input)" },
	[MS_GROWTH_PSS_DELTA] = { "PSS-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Pss (smaps input)" },
	[MS_GROWTH_SIZE_DELTA] = { "SIZE-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the mapping's size" },
	[MS_GROWTH_OFFSET] = { "OFFSET", 8, 0, MS_COL_HEX, "offset into the mapped file" },
	[MS_GROWTH_INODE] = { "INODE", 8, MS_COL_RIGHT, MS_COL_U64, "inode of the mapped file" },
	[MS_GROWTH_LABEL] = { "LABEL", 0.2, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "what the mapping likely is: heap, thread stack, glibc arena, Go heap..." },
	[MS_GROWTH_NAME] = { "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it; \"300 × 256K anonymous mappings\" for a group" },
	[MS_GROWTH_COUNT] = { "COUNT", 5, MS_COL_RIGHT, MS_COL_U64, "mappings the row stands for: more than 1 for a group of like new mappings" },
};

/* The snapshots that label a row: NEW for a mapping still there, OLD for one gone. */
struct snaps {
	const struct ms_snapshot *old, *new;
};

/* The figures of a row: one mapping's, or a group's sums. */
struct vals {
	uint64_t start, end, size, rss_old, rss_new;
	int64_t rss, anon, dirty, swap, pss, size_delta, grown;
};

/* One table row before sorting. */
struct row {
	const struct ms_diff_entry *e;	/* NULL: merged into a group */
	const struct ms_series *series;
	struct ms_series *own;	/* a group's summed series */
	size_t count;		/* mappings: more than 1 for a group */
	struct vals v;
	char label[128], name[64];
	double key;
	const char *skey;
};

/* New mappings alike in all but address, this many or more, are one row. */
#define GROUP_MIN 4

int ms_growth_column(const char *name)
{
	size_t i;

	for (i = 0; i < MS_GROWTH_NCOLS; i++)
		if (!strcasecmp(ms_growth_columns[i].name, name))
			return (int)i;
	return -1;
}

static bool changed(const struct ms_diff_entry *e)
{
	/*
	 * Not Pss: it moves whenever another process maps the same pages.  Nor
	 * the Rss of a file's mapping: its clean pages are the file's, paged in
	 * and out; what it wrote is ms_diff_grown_value()'s.
	 */
	static const enum ms_field f[] = { MS_F_RSS, MS_F_ANONYMOUS, MS_F_PRIVATE_DIRTY,
					   MS_F_SWAP };
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	bool file = ms_diff_grown_value(m) != ms_mapping_get_or_size(m, MS_F_RSS);
	size_t i;

	if (ms_diff_entry_status(e) != MS_DIFF_KEPT)
		return true;
	if (ms_mapping_size(ms_diff_entry_old(e)) != ms_mapping_size(ms_diff_entry_new(e)))
		return true;
	if (ms_diff_entry_grown(e))
		return true;
	for (i = 0; i < MS_ARRAY_SIZE(f); i++)
		if ((!file || f[i] == MS_F_SWAP) && ms_diff_entry_delta(e, f[i]))
			return true;
	return false;
}

static void vals_of(const struct ms_diff_entry *e, struct vals *v)
{
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	uint64_t so = ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0;
	uint64_t sn = ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0;

	v->start = ms_mapping_start(m);
	v->end = ms_mapping_end(m);
	v->size = ms_mapping_size(m);
	v->rss_old = ms_diff_entry_value(e, 0, MS_F_RSS);
	v->rss_new = ms_diff_entry_value(e, 1, MS_F_RSS);
	v->rss = ms_diff_entry_delta(e, MS_F_RSS);
	v->anon = ms_diff_entry_delta(e, MS_F_ANONYMOUS);
	v->dirty = ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY);
	v->swap = ms_diff_entry_delta(e, MS_F_SWAP);
	v->pss = ms_diff_entry_delta(e, MS_F_PSS);
	v->size_delta = (int64_t)(sn - so);
	v->grown = ms_diff_entry_grown(e);
}

static void vals_add(struct vals *to, const struct vals *v)
{
	to->start = v->start < to->start ? v->start : to->start;
	to->end = v->end > to->end ? v->end : to->end;
	to->size += v->size;
	to->rss_old += v->rss_old;
	to->rss_new += v->rss_new;
	to->rss += v->rss;
	to->anon += v->anon;
	to->dirty += v->dirty;
	to->swap += v->swap;
	to->pss += v->pss;
	to->size_delta += v->size_delta;
	to->grown += v->grown;
}

static void add_row(struct ms_out *out, const struct row *rw)
{
	static const char *const status[] = { "", "kept", "new", "gone", "split", "merged" };
	const struct ms_diff_entry *e = rw->e;
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	struct ms_out_row *r = ms_out_add_row(out);
	const struct vals *v = &rw->v;

	if (!r)
		return;
	ms_out_set_u64(r, MS_GROWTH_START, v->start);
	ms_out_set_u64(r, MS_GROWTH_END, v->end);
	ms_out_set_str(r, MS_GROWTH_PERMS, ms_mapping_perms(m));
	ms_out_set_str(r, MS_GROWTH_STATUS, status[ms_diff_entry_status(e)]);
	ms_out_set_u64(r, MS_GROWTH_SIZE, v->size);
	ms_out_set_u64(r, MS_GROWTH_RSS_OLD, v->rss_old);
	ms_out_set_u64(r, MS_GROWTH_RSS_NEW, v->rss_new);
	ms_out_set_s64(r, MS_GROWTH_RSS_DELTA, v->rss);
	if (rw->series) {
		ms_out_set_double(r, MS_GROWTH_RATE, ms_series_rate(rw->series));
		ms_out_set_double(r, MS_GROWTH_STEADY, ms_series_steadiness(rw->series) * 100);
		ms_out_set_str(r, MS_GROWTH_VERDICT, ms_verdict_str(ms_series_verdict(rw->series)));
	}
	ms_out_set_s64(r, MS_GROWTH_ANON_DELTA, v->anon);
	ms_out_set_s64(r, MS_GROWTH_DIRTY_DELTA, v->dirty);
	ms_out_set_s64(r, MS_GROWTH_SWAP_DELTA, v->swap);
	ms_out_set_s64(r, MS_GROWTH_PSS_DELTA, v->pss);
	ms_out_set_s64(r, MS_GROWTH_SIZE_DELTA, v->size_delta);
	ms_out_set_u64(r, MS_GROWTH_OFFSET, ms_mapping_offset(m));
	ms_out_set_u64(r, MS_GROWTH_INODE, ms_mapping_inode(m));
	ms_out_set_str(r, MS_GROWTH_LABEL, rw->label);
	ms_out_set_str(r, MS_GROWTH_NAME, rw->count > 1 ? rw->name : ms_mapping_name(m));
	ms_out_set_u64(r, MS_GROWTH_COUNT, rw->count);
}

/* The value a row is sorted by; text columns sort by SKEY instead. */
static void sort_key(int sort, struct row *rw)
{
	const struct ms_mapping *m = ms_diff_entry_mapping(rw->e);
	const struct vals *v = &rw->v;

	rw->skey = NULL;
	switch (sort) {
	case MS_GROWTH_START: rw->key = -(double)v->start; break;
	case MS_GROWTH_END: rw->key = -(double)v->end; break;
	case MS_GROWTH_SIZE: rw->key = (double)v->size; break;
	case MS_GROWTH_RSS_OLD: rw->key = (double)v->rss_old; break;
	case MS_GROWTH_RSS_NEW: rw->key = (double)v->rss_new; break;
	case MS_GROWTH_RATE: rw->key = rw->series ? ms_series_rate(rw->series) : -INFINITY; break;
	case MS_GROWTH_STEADY: rw->key = rw->series ? ms_series_steadiness(rw->series) : -1; break;
	case MS_GROWTH_ANON_DELTA: rw->key = (double)v->anon; break;
	case MS_GROWTH_DIRTY_DELTA: rw->key = (double)v->dirty; break;
	case MS_GROWTH_SWAP_DELTA: rw->key = (double)v->swap; break;
	case MS_GROWTH_PSS_DELTA: rw->key = (double)v->pss; break;
	case MS_GROWTH_OFFSET: rw->key = -(double)ms_mapping_offset(m); break;
	case MS_GROWTH_INODE: rw->key = (double)ms_mapping_inode(m); break;
	case MS_GROWTH_SIZE_DELTA: rw->key = (double)v->size_delta; break;
	case MS_GROWTH_COUNT: rw->key = (double)rw->count; break;
	case MS_GROWTH_PERMS: rw->skey = ms_mapping_perms(m); break;
	case MS_GROWTH_NAME: rw->skey = rw->count > 1 ? rw->name : ms_mapping_name(m); break;
	case MS_GROWTH_VERDICT:
		rw->skey = rw->series ? ms_verdict_str(ms_series_verdict(rw->series)) : "";
		break;
	case MS_GROWTH_STATUS:
	case MS_GROWTH_LABEL:
		/* Rarely wanted; by growth within. */
	default:
		/* By what grew: a file's pages paged in are not growth (ms_diff_grown_value()). */
		rw->key = (double)v->grown;
	}
}

/* A row that may join a group: a new anonymous mapping, unnamed. */
static bool groupable(const struct row *rw)
{
	const struct ms_mapping *m = ms_diff_entry_new(rw->e);

	return m && ms_diff_entry_status(rw->e) == MS_DIFF_NEW &&
	       ms_mapping_kind(m) == MS_MAPPING_ANON;
}

/*
 * Rows alike but for their address (0): permissions, size and label; or
 * mappings of one runtime heap (V8's pages), whatever they are, new or gone.
 */
static int alike_rows(const struct row *x, const struct row *y)
{
	bool hx = ms_label_one_heap(x->label), hy = ms_label_one_heap(y->label);
	const struct ms_mapping *mx, *my;
	int c;

	if (hx || hy)
		return hx != hy ? (hx ? -1 : 1) : strcmp(x->label, y->label);
	mx = ms_diff_entry_new(x->e);
	my = ms_diff_entry_new(y->e);
	c = strcmp(ms_mapping_perms(mx), ms_mapping_perms(my));
	if (c)
		return c;
	if (ms_mapping_size(mx) != ms_mapping_size(my))
		return ms_mapping_size(mx) < ms_mapping_size(my) ? -1 : 1;
	return strcmp(x->label, y->label);
}

static int cmp_alike(const void *a, const void *b)
{
	const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
	int c = alike_rows(x, y);

	return c ? c : x->v.start < y->v.start ? -1 : x->v.start > y->v.start;
}

/*
 * Many new mappings alike (300 buffers of 256 KiB, each with its guard
 * page) are one row, "300 × 256K anonymous mappings", with their sums and,
 * over a series, the trend of their sum: one finding, not 300 rows that
 * push everything else off the table.  So are the mappings of one runtime
 * heap (ms_label_one_heap(): V8's pages), two or more, new, kept or gone,
 * "30 mappings of one heap" under the heap's label.  The group takes the place of its
 * lowest member; the others' E becomes NULL.  Returns: 0 or -ENOMEM.
 */
static int group_rows(struct ms_ctx *ctx, struct row *rows, size_t nrows, bool series)
{
	struct row **alike = calloc(nrows + 1, sizeof(*alike));
	const struct ms_series **sv = calloc(nrows + 1, sizeof(*sv));
	size_t i, j, k, n = 0, ns;
	char sz[MS_SIZE_STR_MAX];
	bool heap;
	int rc = 0;

	if (!alike || !sv) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nrows; i++)
		if (groupable(&rows[i]) || ms_label_one_heap(rows[i].label))
			alike[n++] = &rows[i];
	qsort(alike, n, sizeof(*alike), cmp_alike);
	for (i = 0; i < n; i = j) {
		struct row *g = alike[i];

		for (j = i + 1; j < n && !alike_rows(g, alike[j]); j++)
			;
		heap = ms_label_one_heap(g->label);
		if (j - i < (heap ? 2 : GROUP_MIN))
			continue;
		for (k = i + 1; k < j; k++) {
			vals_add(&g->v, &alike[k]->v);
			alike[k]->e = NULL;
		}
		g->count = j - i;
		if (heap)
			snprintf(g->name, sizeof(g->name), "%zu mappings of one heap", g->count);
		else
			snprintf(g->name, sizeof(g->name), "%zu %s %s anonymous mappings", g->count,
				 ms_locale_is_utf8() ? "×" : "x",
				 ms_size_str(ms_mapping_size(ms_diff_entry_new(g->e)), sz, sizeof(sz)));
		/* A heap's pages come and go: its trend is the sum of those that have one. */
		for (k = i, ns = 0; series && k < j; k++)
			if (alike[k]->series)
				sv[ns++] = alike[k]->series;
		if (ns) {
			rc = ms_series_sum(ctx, sv, ns, &g->own);
			if (rc < 0)
				goto out;
			g->series = g->own;
		}
	}
out:
	free(alike);
	free(sv);
	return rc;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->skey || y->skey)
		return strcmp(x->skey ? x->skey : "", y->skey ? y->skey : "");
	return x->key > y->key ? -1 : x->key < y->key;
}

int ms_growth_table(struct ms_ctx *ctx, struct ms_out *out, const struct ms_diff *d,
		    const struct ms_trend *t, const struct ms_snapshot *old,
		    const struct ms_snapshot *new, const struct ms_growth_opts *o, bool *grew)
{
	int64_t total_old = 0, total_new = 0;
	size_t i, k, nrows = 0, shown = 0;
	struct row *rows;
	bool g = false;
	int rc;

	rows = calloc(ms_diff_count(d) + 1, sizeof(*rows));
	if (!rows)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);
		int64_t delta = ms_diff_entry_grown(e);
		struct row *rw = &rows[nrows];

		total_old += (int64_t)ms_diff_entry_value(e, 0, MS_F_RSS);
		total_new += (int64_t)ms_diff_entry_value(e, 1, MS_F_RSS);
		if ((o->flags & MS_GROWTH_GREW) ? delta <= 0 || !ms_diff_entry_new(e)
						: !(o->flags & MS_GROWTH_ALL) && !changed(e))
			continue;
		rw->e = e;
		rw->count = 1;
		vals_of(e, &rw->v);
		ms_label_mapping(ms_diff_entry_new(e) ? new : old, ms_diff_entry_mapping(e),
				 rw->label, sizeof(rw->label));
		if (t && ms_diff_entry_new(e))
			rw->series = ms_trend_get(t, ms_mapping_index(ms_diff_entry_new(e)));
		nrows++;
	}
	rc = group_rows(ctx, rows, nrows, t != NULL);
	if (rc < 0)
		goto out;
	for (i = 0, k = 0; i < nrows; i++) {
		if (!rows[i].e)
			continue;
		rows[k] = rows[i];
		sort_key(o->sort, &rows[k]);
		k++;
	}
	nrows = k;
	/* A group counts as one mapping that grew: 300 buffers of 256K grew 75M. */
	for (i = 0; i < nrows; i++)
		if (rows[i].v.grown > 0 && (uint64_t)rows[i].v.grown > o->threshold)
			g = true;
	for (i = 0; i < ms_diff_count(d) && !g; i++) {
		int64_t delta = ms_diff_entry_grown(ms_diff_get(d, i));

		g = delta > 0 && (uint64_t)delta > o->threshold;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_rows);
	for (i = 0; i < nrows && (!o->top || shown < o->top); i++, shown++)
		add_row(out, &rows[i]);
	if ((o->flags & MS_GROWTH_TOTAL) && !(ms_out_get_flags(out) & MS_OUT_JSON)) {
		struct ms_out_row *r = ms_out_add_row(out);

		if (r) {
			ms_out_set_str(r, MS_GROWTH_NAME, "total");
			ms_out_set_u64(r, MS_GROWTH_RSS_OLD, (uint64_t)total_old);
			ms_out_set_u64(r, MS_GROWTH_RSS_NEW, (uint64_t)total_new);
			ms_out_set_s64(r, MS_GROWTH_RSS_DELTA, total_new - total_old);
		}
	}
	if (grew)
		*grew = g;
	rc = (int)shown;
out:
	for (i = 0; i < ms_diff_count(d) && i < nrows; i++)
		ms_series_free(rows[i].own);
	free(rows);
	return rc;
}
