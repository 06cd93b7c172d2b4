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
	[MS_GROWTH_NAME] = { "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it" },
};

/* The snapshots that label a row: NEW for a mapping still there, OLD for one gone. */
struct snaps {
	const struct ms_snapshot *old, *new;
};

/* One table row before sorting. */
struct row {
	const struct ms_diff_entry *e;
	const struct ms_series *series;
	double key;
	const char *skey;
};

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

static void add_row(struct ms_out *out, const struct snaps *snaps, const struct row *rw)
{
	static const char *const status[] = { "", "kept", "new", "gone", "split", "merged" };
	const struct ms_diff_entry *e = rw->e;
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	struct ms_out_row *r = ms_out_add_row(out);
	uint64_t so = ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0;
	uint64_t sn = ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0;
	char label[128];

	if (!r)
		return;
	ms_out_set_u64(r, MS_GROWTH_START, ms_mapping_start(m));
	ms_out_set_u64(r, MS_GROWTH_END, ms_mapping_end(m));
	ms_out_set_str(r, MS_GROWTH_PERMS, ms_mapping_perms(m));
	ms_out_set_str(r, MS_GROWTH_STATUS, status[ms_diff_entry_status(e)]);
	ms_out_set_u64(r, MS_GROWTH_SIZE, ms_mapping_size(m));
	ms_out_set_u64(r, MS_GROWTH_RSS_OLD, ms_diff_entry_value(e, 0, MS_F_RSS));
	ms_out_set_u64(r, MS_GROWTH_RSS_NEW, ms_diff_entry_value(e, 1, MS_F_RSS));
	ms_out_set_s64(r, MS_GROWTH_RSS_DELTA, ms_diff_entry_delta(e, MS_F_RSS));
	if (rw->series) {
		ms_out_set_double(r, MS_GROWTH_RATE, ms_series_rate(rw->series));
		ms_out_set_double(r, MS_GROWTH_STEADY, ms_series_steadiness(rw->series) * 100);
		ms_out_set_str(r, MS_GROWTH_VERDICT, ms_verdict_str(ms_series_verdict(rw->series)));
	}
	ms_out_set_s64(r, MS_GROWTH_ANON_DELTA, ms_diff_entry_delta(e, MS_F_ANONYMOUS));
	ms_out_set_s64(r, MS_GROWTH_DIRTY_DELTA, ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY));
	ms_out_set_s64(r, MS_GROWTH_SWAP_DELTA, ms_diff_entry_delta(e, MS_F_SWAP));
	ms_out_set_s64(r, MS_GROWTH_PSS_DELTA, ms_diff_entry_delta(e, MS_F_PSS));
	ms_out_set_s64(r, MS_GROWTH_SIZE_DELTA, (int64_t)(sn - so));
	ms_out_set_u64(r, MS_GROWTH_OFFSET, ms_mapping_offset(m));
	ms_out_set_u64(r, MS_GROWTH_INODE, ms_mapping_inode(m));
	ms_out_set_str(r, MS_GROWTH_LABEL, ms_label_mapping(ms_diff_entry_new(e) ? snaps->new : snaps->old,
						     m, label, sizeof(label)));
	ms_out_set_str(r, MS_GROWTH_NAME, ms_mapping_name(m));
}

/* The value a row is sorted by; text columns sort by SKEY instead. */
static void sort_key(int sort, struct row *rw)
{
	const struct ms_diff_entry *e = rw->e;
	const struct ms_mapping *m = ms_diff_entry_mapping(e);

	rw->skey = NULL;
	switch (sort) {
	case MS_GROWTH_START: rw->key = -(double)ms_mapping_start(m); break;
	case MS_GROWTH_END: rw->key = -(double)ms_mapping_end(m); break;
	case MS_GROWTH_SIZE: rw->key = (double)ms_mapping_size(m); break;
	case MS_GROWTH_RSS_OLD: rw->key = (double)ms_diff_entry_value(e, 0, MS_F_RSS); break;
	case MS_GROWTH_RSS_NEW: rw->key = (double)ms_diff_entry_value(e, 1, MS_F_RSS); break;
	case MS_GROWTH_RATE: rw->key = rw->series ? ms_series_rate(rw->series) : -INFINITY; break;
	case MS_GROWTH_STEADY: rw->key = rw->series ? ms_series_steadiness(rw->series) : -1; break;
	case MS_GROWTH_ANON_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_ANONYMOUS); break;
	case MS_GROWTH_DIRTY_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY); break;
	case MS_GROWTH_SWAP_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_SWAP); break;
	case MS_GROWTH_PSS_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_PSS); break;
	case MS_GROWTH_OFFSET: rw->key = -(double)ms_mapping_offset(m); break;
	case MS_GROWTH_INODE: rw->key = (double)ms_mapping_inode(m); break;
	case MS_GROWTH_SIZE_DELTA:
		rw->key = (double)(ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0) -
			  (double)(ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0);
		break;
	case MS_GROWTH_PERMS: rw->skey = ms_mapping_perms(m); break;
	case MS_GROWTH_NAME: rw->skey = ms_mapping_name(m); break;
	case MS_GROWTH_VERDICT:
		rw->skey = rw->series ? ms_verdict_str(ms_series_verdict(rw->series)) : "";
		break;
	case MS_GROWTH_STATUS:
	case MS_GROWTH_LABEL:
		/* Rarely wanted; by growth within. */
	default:
		/* By what grew: a file's pages paged in are not growth (ms_diff_grown_value()). */
		rw->key = (double)ms_diff_entry_grown(e);
	}
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
	const struct snaps sn = { old, new };
	int64_t total_old = 0, total_new = 0;
	size_t i, nrows = 0, shown = 0;
	struct row *rows;
	bool g = false;

	rows = calloc(ms_diff_count(d) + 1, sizeof(*rows));
	if (!rows)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);
		int64_t delta = ms_diff_entry_grown(e);

		total_old += (int64_t)ms_diff_entry_value(e, 0, MS_F_RSS);
		total_new += (int64_t)ms_diff_entry_value(e, 1, MS_F_RSS);
		if (delta > 0 && (uint64_t)delta > o->threshold)
			g = true;
		if ((o->flags & MS_GROWTH_GREW) ? delta <= 0 || !ms_diff_entry_new(e)
						: !(o->flags & MS_GROWTH_ALL) && !changed(e))
			continue;
		rows[nrows].e = e;
		if (t && ms_diff_entry_new(e))
			rows[nrows].series = ms_trend_get(t, ms_mapping_index(ms_diff_entry_new(e)));
		sort_key(o->sort, &rows[nrows]);
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_rows);
	for (i = 0; i < nrows && (!o->top || shown < o->top); i++, shown++)
		add_row(out, &sn, &rows[i]);
	free(rows);
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
	return (int)shown;
}
