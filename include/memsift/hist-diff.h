/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What grew between two dumps of the same region: the strings, runs and
 * words of two ms_hist analyses matched by their value and compared, as
 * pprof's -diff_base compares two heap profiles.
 */
#ifndef MEMSIFT_HIST_DIFF_H
#define MEMSIFT_HIST_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/hist.h>

enum ms_hist_delta_kind {
	MS_DELTA_STRING = 0,
	MS_DELTA_RUN,
	MS_DELTA_WORD,
	MS_DELTA_NKINDS
};

/* One string, run or word, in the old and the new dump. */
struct ms_hist_delta {
	const char *text;	/* strings: borrowed from the analysis it came from */
	bool utf16;
	uint8_t byte;		/* runs */
	uint64_t length;	/* runs */
	uint64_t value;		/* words */
	uint64_t count_old, count_new;
	uint64_t bytes_old, bytes_new;
	uint64_t first;		/* offset of the first one in the new dump (old if gone) */
};

struct ms_hist_diff;

/*
 * Compare OLD and NEW, both finished.  Both must outlive the result.  Each
 * list holds what changed, largest growth in bytes first, what shrank last.
 * A string, run or word a bounded table of either analysis dropped counts
 * as absent there (see ms_hist_approximate()).
 * Returns: 0 or -ENOMEM.
 */
int ms_hist_diff_new(struct ms_ctx *ctx, const struct ms_hist *old, const struct ms_hist *new,
		     struct ms_hist_diff **out);

void ms_hist_diff_free(struct ms_hist_diff *d);

size_t ms_hist_diff_count(const struct ms_hist_diff *d, enum ms_hist_delta_kind k);
const struct ms_hist_delta *ms_hist_diff_get(const struct ms_hist_diff *d,
					     enum ms_hist_delta_kind k, size_t i);

#endif
