/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting an ms_hist: the human report, one screen of sections, and the
 * JSON object.  The analysis (<memsift/hist.h>) never prints; this does.
 */
#ifndef MEMSIFT_HIST_REPORT_H
#define MEMSIFT_HIST_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/hist-diff.h>
#include <memsift/hist.h>
#include <memsift/manifest.h>
#include <memsift/maps.h>

/* Report sections (struct ms_hist_report_opts.sections). */
enum {
	MS_HR_SUMMARY = 1,
	MS_HR_BYTES = 2,
	MS_HR_BLOCKS = 4,
	MS_HR_RUNS = 8,
	MS_HR_STRINGS = 16,
	MS_HR_WORDS = 32,
	MS_HR_PATTERNS = 64,
	MS_HR_RECORDS = 128,
	MS_HR_ALL = 255,
};

struct ms_hist_report_opts {
	const char *name;	/* the input's name, for the summary and JSON */
	/* Where the dump's bytes came from (regiondump's manifest), or NULL: offsets. */
	const struct ms_manifest_info *manifest;
	const char *base_from;	/* the manifest's name, e.g. "leak.p1.json" */
	const char *base_name;	/* --base: the older dump's name */
	/* The process's mappings when dumped (the manifest's maps), or NULL. */
	const struct ms_maps *maps;
	/* The bytes of one record (ms_hist_record_get()), when the caller could read them. */
	const unsigned char *record_example;
	size_t record_example_len;
	unsigned sections;	/* a mask of MS_HR_*; 0: all */
	unsigned top;		/* rows per table; 0: 10 */
	unsigned out_flags;	/* MS_OUT_RAW, MS_OUT_NOHEADINGS, MS_OUT_BYTES (<memsift/output.h>) */
	size_t termwidth;	/* 0: libsmartcols decides */
	bool document;		/* JSON: a document of its own, memsift_json first */
	/*
	 * Called just before the JSON object closes, to add the members of
	 * another analysis (",\"key\":value", e.g. bytehist --symbols), or
	 * NULL.  Its negative return fails ms_hist_report_json().
	 */
	int (*json_extra)(struct ms_ctx *ctx, FILE *fp, void *data);
	void *json_extra_data;
	/*
	 * Where string S also is (bytehist --symbols: "leaker .rodata
	 * leaker_config_line"), written into BUF of LEN bytes and returned, or
	 * NULL when it is nowhere known; NULL as a function: no ORIGIN column.
	 */
	const char *(*string_origin)(const struct ms_hist_string *s, char *buf, size_t len,
				     void *data);
	void *string_origin_data;
};

/*
 * Parse a --sections LIST: names separated by commas ("summary,bytes,blocks,
 * runs,strings,words,patterns", or "all"), into a mask of MS_HR_*.
 *
 * Returns: 0 with *MASK set, or -EINVAL naming the unknown section.
 */
int ms_hist_report_sections(struct ms_ctx *ctx, const char *list, unsigned *mask);

/*
 * Print the human report of H (finished) to FP: the selected sections, each
 * a titled table of at most TOP rows, tables laid out by libsmartcols.
 * Offsets are shown as addresses when O->manifest is set.
 *
 * Returns: 0, -EIO when writing failed, or -ENOMEM.
 */
int ms_hist_report_print(struct ms_ctx *ctx, const struct ms_hist *h,
			 const struct ms_hist_report_opts *o, FILE *fp);

/*
 * Print H as one JSON object to FP: "file", "base", "size", "entropy",
 * "zero_pages", "approximate", "bytes" (256 counts), "blocks" (class
 * totals), "regions", "runs", "strings", "words", "patterns".  Offsets
 * ("first", "start") are addresses when O->manifest is set.  Lists hold at most
 * TOP items, unless TOP is 0, which means all of them.  Sections are not
 * filtered: JSON is for machines, which ignore what they do not need.
 *
 * Returns: 0 or -EIO.
 */
int ms_hist_report_json(struct ms_ctx *ctx, const struct ms_hist *h,
			const struct ms_hist_report_opts *o, FILE *fp);

/*
 * --base: print what changed from OLD to NEW (D, from ms_hist_diff_new()):
 * the sizes, blocks by class, and the strings, runs and words that grew most
 * (and, last, those that shrank), each with the first place it is now.
 */
int ms_hist_report_diff_print(struct ms_ctx *ctx, const struct ms_hist *old,
			      const struct ms_hist *new, const struct ms_hist_diff *d,
			      const struct ms_hist_report_opts *o, FILE *fp);

/*
 * The same as one JSON object: "file", "base_file", "size_old", "size",
 * "blocks" (per class "blocks_old" and "blocks"), and "strings", "runs",
 * "words" lists whose items carry their key ("text", "byte" and "length",
 * "value") with "count_old", "count", "bytes_old", "bytes" and "first".
 */
int ms_hist_report_diff_json(struct ms_ctx *ctx, const struct ms_hist *old,
			     const struct ms_hist *new, const struct ms_hist_diff *d,
			     const struct ms_hist_report_opts *o, FILE *fp);

#endif
