/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of mappings that grew, as mapsdiff prints it: one row a mapping
 * of a diff between the first and last snapshot of a series, with its
 * growth rate, steadiness and verdict from the series' trend when there are
 * three snapshots or more.  mapsdiff prints it on its own; leakhunt's report
 * shows the top of it, so the two can never disagree.
 *
 *	ms_out_new(ctx, ms_growth_columns, MS_GROWTH_NCOLS, "mappings", &out);
 *	ms_out_set_columns(out, MS_GROWTH_SERIES_COLUMNS);	(three or more)
 *	ms_growth_table(ctx, out, diff, trend, first, last, &opts, &grew);
 *	ms_out_print(out, stdout);
 */
#ifndef MEMSIFT_TREND_REPORT_H
#define MEMSIFT_TREND_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/diff.h>
#include <memsift/output.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

/* The columns, in the order of ms_growth_columns[]. */
enum ms_growth_col {
	MS_GROWTH_START, MS_GROWTH_END, MS_GROWTH_PERMS, MS_GROWTH_STATUS, MS_GROWTH_SIZE,
	MS_GROWTH_RSS_OLD, MS_GROWTH_RSS_NEW, MS_GROWTH_RSS_DELTA, MS_GROWTH_RATE,
	MS_GROWTH_STEADY, MS_GROWTH_VERDICT, MS_GROWTH_ANON_DELTA, MS_GROWTH_DIRTY_DELTA,
	MS_GROWTH_SWAP_DELTA, MS_GROWTH_PSS_DELTA, MS_GROWTH_SIZE_DELTA, MS_GROWTH_OFFSET,
	MS_GROWTH_INODE, MS_GROWTH_LABEL, MS_GROWTH_NAME, MS_GROWTH_COUNT,
	MS_GROWTH_NCOLS
};

/*
 * mapsdiff's column table (it feeds its --help and man page): those flagged
 * MS_COL_DEFAULT are a two-snapshot diff's columns; a series shows
 * MS_GROWTH_SERIES_COLUMNS.
 */
extern const struct ms_out_column ms_growth_columns[MS_GROWTH_NCOLS];

#define MS_GROWTH_SERIES_COLUMNS \
	"START,END,PERMS,STATUS,SIZE,RSS-OLD,RSS-NEW,RSS-DELTA,RATE,STEADY,VERDICT,LABEL,NAME"

/* Which rows (struct ms_growth_opts.flags). */
enum {
	MS_GROWTH_ALL = 1,	/* unchanged mappings too (mapsdiff -a) */
	MS_GROWTH_GREW = 2,	/* only the mappings whose resident set grew */
	MS_GROWTH_TOTAL = 4,	/* a last row "total" (never in JSON) */
};

struct ms_growth_opts {
	int sort;		/* an enum ms_growth_col; text columns sort A to Z, others largest first */
	uint64_t top;		/* at most this many rows; 0: all */
	uint64_t threshold;	/* growth of the resident set past this counts for *GREW */
	unsigned flags;		/* MS_GROWTH_* */
};

/* The column named NAME (any case), for --sort; -1 when there is none. */
int ms_growth_column(const char *name);

/*
 * Add to OUT, an output made from ms_growth_columns, one row for each
 * mapping of D (a diff from snapshot OLD to NEW) that changed, or each with
 * MS_GROWTH_ALL, sorted and cut as O says.  New anonymous mappings alike in
 * permissions, size and label, four or more, are one row: NAME "300 × 256K
 * anonymous mappings", COUNT 300, START and END their span, the sizes and
 * deltas their sums, and over a series the trend of their sum.  T, the trend of the series from
 * OLD to NEW, gives RATE, STEADY and VERDICT; NULL leaves them empty.  OLD
 * and NEW label the mappings (ms_label_mapping()).  *GREW, when GREW is not
 * NULL, tells whether any mapping (or group) grew past O->threshold, as
 * ms_diff_entry_grown() counts growth, whatever the filter kept.
 *
 * Returns: the number of mapping rows added (the total not counted), or
 * -ENOMEM.
 */
int ms_growth_table(struct ms_ctx *ctx, struct ms_out *out, const struct ms_diff *d,
		    const struct ms_trend *t, const struct ms_snapshot *old,
		    const struct ms_snapshot *new, const struct ms_growth_opts *o, bool *grew);

#endif
