/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tables and JSON through libsmartcols, and the one human size formatter.
 * The analysis modules return data; their report modules (*-report.c,
 * hunt-report.c's report.md) decide what to say, and every table they or a
 * tool print is laid out here, so all tables look and parse alike.  The
 * options that choose columns and formats are the tools' (tools/cli.h).
 *
 * A tool declares its columns once, as a static const table that also feeds
 * --help and the man page, and gets the options lsblk and findmnt users know:
 *
 *	enum { COL_START, COL_SIZE, COL_RSS, COL_NAME };
 *	static const struct ms_out_column cols[] = {
 *		[COL_START] = { "START", 12, MS_COL_DEFAULT, MS_COL_HEX, "start address" },
 *		[COL_SIZE]  = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "mapping size" },
 *		[COL_RSS]   = { "RSS", 5, MS_COL_RIGHT, MS_COL_SIZE, "resident set size" },
 *		[COL_NAME]  = { "NAME", 0.5, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
 *				"mapped file or [name]" },
 *	};
 *
 *	ms_out_new(ctx, cols, sizeof(cols) / sizeof(cols[0]), "mappings", &out);
 *	while ((c = getopt_long(argc, argv, "p:" MS_CLI_OUT_OPTSTRING "Vh", longopts, NULL)) != -1) {
 *		rc = ms_cli_out_getopt(out, c, optarg);	// tools/cli.h
 *		if (rc < 0)
 *			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
 *		if (rc > 0)
 *			continue;
 *		switch (c) { ... }
 *	}
 *	for (each mapping) {
 *		row = ms_out_add_row(out);
 *		ms_out_set_u64(row, COL_START, start);
 *		...
 *	}
 *	ms_out_print(out, stdout);
 *	ms_out_free(out);
 *
 * JSON keys are the column names made into identifiers: ASCII letters and
 * digits are lowercased, "%" becomes the word "pct", and every other run of
 * characters ("-", ":", "_", ...) becomes a single "_" between words.  So
 * "START" -> "start", "RSS-DELTA" -> "rss_delta", "RSS%" -> "rss_pct",
 * "MAJ:MIN" -> "maj_min".  (lsblk keeps "maj:min" and "fsuse%"; identifiers
 * let jq users write .rss_pct.)
 *
 * How each column type is shown:
 *
 *	type            table / raw                    JSON
 *	MS_COL_STR      as set (libsmartcols escapes)  string
 *	MS_COL_U64      decimal                        number
 *	MS_COL_S64      decimal                        number
 *	MS_COL_SIZE     ms_size_str(): "128M";         number of bytes, always
 *	                bytes with MS_OUT_BYTES
 *	MS_COL_SIZE_DELTA ms_size_delta_str(): "+1.5M"; number of bytes, always
 *	                "+1536" with MS_OUT_BYTES
 *	MS_COL_HEX      "0x7f3a1c000000"               string "0x7f3a1c000000"
 *	MS_COL_BOOL     "1" or "0", as lsblk's RO      true or false
 *	MS_COL_FLOAT    "%.2f": "7.93"                 number 7.93
 *
 * A cell never set is empty in a table and null in JSON; so is a FLOAT set
 * to NaN or infinity, which JSON cannot hold.
 */
#ifndef MEMSIFT_OUTPUT_H
#define MEMSIFT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/jsonwrt.h>

/* Flags of a column (struct ms_out_column.flags). */
enum {
	MS_COL_RIGHT = 1,	/* align to the right (numbers, sizes) */
	MS_COL_TRUNC = 2,	/* may be truncated when the terminal is too narrow */
	MS_COL_WRAP = 4,	/* may wrap onto several lines instead */
	MS_COL_DEFAULT = 8,	/* shown without -o */
};

/* What a column holds, which decides how it is shown (see the table above). */
enum ms_col_type {
	MS_COL_STR = 0,
	MS_COL_U64,
	MS_COL_S64,
	MS_COL_SIZE,		/* bytes */
	MS_COL_SIZE_DELTA,	/* signed bytes, a growth or a shrink */
	MS_COL_HEX,		/* an address or a mask */
	MS_COL_BOOL,
	MS_COL_FLOAT,
	MS_COL_RATE,		/* bytes per second (a double): "+1.2M/min", JSON bytes/s */
};

/*
 * One column, as util-linux declares them: NAME is the heading and what -o
 * takes (uppercase by convention; matched case-insensitively), WHINT the
 * libsmartcols width hint (below 1: a fraction of the terminal; 1 or more:
 * columns), FLAGS a mask of MS_COL_RIGHT..MS_COL_DEFAULT, HELP the one-line
 * description --help prints.
 */
struct ms_out_column {
	const char *name;
	double whint;
	unsigned flags;
	enum ms_col_type type;
	const char *help;
};

/* Output flags (ms_out_set_flags()), one per shared option. */
enum {
	MS_OUT_JSON = 1,	/* -J: JSON; wins over MS_OUT_RAW */
	MS_OUT_RAW = 2,		/* -r: libsmartcols raw output */
	MS_OUT_NOHEADINGS = 4,	/* -n */
	MS_OUT_BYTES = 8,	/* -b: sizes in bytes in the table too */
};


/* Enough for any string ms_size_str() or ms_size_delta_str() writes. */
#define MS_SIZE_STR_MAX 16

struct ms_out;
struct ms_out_row;

/*
 * Create an output for the column table COLS of NCOLS entries.  JSON_NAME
 * names the JSON array ({"mappings": [...]}).  COLS and JSON_NAME are
 * borrowed, not copied: they must outlive the output (static data in
 * practice).  CTX, also borrowed, receives the messages of later failures.
 * The columns flagged MS_COL_DEFAULT are selected, or all of them if none
 * is.  On success *OUT owns the new output; release it with ms_out_free().
 *
 * Returns: 0, -EINVAL when the table is empty, a name is NULL or two names
 * give the same JSON key, or -ENOMEM.
 */
int ms_out_new(struct ms_ctx *ctx, const struct ms_out_column *cols, size_t ncols,
	       const char *json_name, struct ms_out **out);

/* Release O and its rows; NULL is accepted. */
void ms_out_free(struct ms_out *o);

/*
 * Select the columns to print from LIST, what the user gave to -o: names
 * separated by commas, in the order to print them, matched without regard
 * to case.  "+A,B" appends A and B to the current selection (the defaults
 * unless changed).  A column named twice is printed once, where it first
 * appears.  Must be called before the first ms_out_add_row().  On failure
 * the selection is unchanged.
 *
 * Returns: 0; -EINVAL on an unknown or empty name, with the message
 * `unknown column "X"; see --help for the list`; -EBUSY once rows were
 * added; or -ENOMEM.
 */
int ms_out_set_columns(struct ms_out *o, const char *list);

/* Replace the output flags with FLAGS, a mask of MS_OUT_*.  The default is 0:
 * a table with headings and human sizes.  Takes effect at ms_out_print(). */
void ms_out_set_flags(struct ms_out *o, unsigned flags);

/* The output flags, e.g. to tell whether -J was given. */
unsigned ms_out_get_flags(const struct ms_out *o);

/*
 * Lay tables out for a terminal WIDTH columns wide, whether or not the stream
 * is a terminal, truncating and wrapping columns that allow it.  0, the
 * default, leaves it to libsmartcols: the terminal's width, or no limit when
 * stdout is not a terminal.  Tests set it to be independent of the terminal.
 */
void ms_out_set_termwidth(struct ms_out *o, size_t width);

/*
 * Append an empty row.  The row belongs to O and lives until ms_out_free().
 * Returns NULL only when out of memory (the context says so).
 */
struct ms_out_row *ms_out_add_row(struct ms_out *o);

/*
 * Set the cell of column COL (an index in the column table) in row R.
 * Setting a column that is not selected does nothing and returns 0, so a
 * tool sets every column it knows and -o decides what is shown.  Setting a
 * cell twice keeps the last value.
 *
 * ms_out_set_str() takes MS_COL_STR columns; S is copied, and NULL leaves
 * the cell unset.  ms_out_set_u64() and ms_out_set_s64() take any integer
 * column (U64, S64, SIZE, SIZE_DELTA, HEX, BOOL, where non-zero is true),
 * if the value fits its signedness.  ms_out_set_bool() takes BOOL columns,
 * ms_out_set_double() FLOAT columns.
 *
 * Returns: 0; -EINVAL when R is NULL, COL is out of range or the column's
 * type does not take the value (a bug in the tool; the message names the
 * column); -ERANGE when a negative value meets an unsigned column or a value
 * above INT64_MAX a signed one; or -ENOMEM.  The -EINVAL and -ERANGE checks
 * apply whether or not the column is selected, so such a bug shows up
 * whatever -o the user gives.
 */
int ms_out_set_str(struct ms_out_row *r, int col, const char *s);
int ms_out_set_u64(struct ms_out_row *r, int col, uint64_t v);
int ms_out_set_s64(struct ms_out_row *r, int col, int64_t v);
int ms_out_set_bool(struct ms_out_row *r, int col, bool v);
int ms_out_set_double(struct ms_out_row *r, int col, double v);

/*
 * Print the rows to FP (stdout when NULL): a table, raw output, or JSON
 * {"JSON_NAME": [{...}, ...]} as the flags say.  With no rows a table or raw
 * output prints nothing, headings included (as util-linux tools do), and
 * JSON an empty array.  May be called more than once; the rows are kept.
 *
 * Returns: 0, -EIO when writing to FP failed, or -ENOMEM.
 */
int ms_out_print(struct ms_out *o, FILE *fp);

/*
 * Write a tool's own members of its JSON document through W
 * (<memsift/jsonwrt.h>), each with its key; DATA is the tool's.
 */
typedef void ms_out_json_fn(struct ms_jw *w, const void *data);

/*
 * As ms_out_print(), and with MS_OUT_JSON the document's first member is
 * "memsift_json" (ms_jw_memsift_json()), then the members MEMBERS writes (none
 * when it is NULL), then the table's array: what a tool's text says besides
 * its table (a total, a verdict) is in its JSON too.  The members go one a
 * line, spaced as libsmartcols writes the table ("key": value, ", ").  A
 * byte of a cell that is no UTF-8 is written as the character of its value,
 * as ms_json_str() does, so the document is UTF-8 whatever the names hold.
 *
 * Returns: 0, -EIO when writing to FP failed, or -ENOMEM.
 */
int ms_out_print_json_with(struct ms_out *o, FILE *fp, ms_out_json_fn *members,
			   const void *data);

/*
 * Print the "Available output columns:" block of a --help text, util-linux
 * style: a blank line, the title, then each column's name right-aligned in
 * the width of the longest name and its help:
 *
 *	\n
 *	Available output columns:
 *	 START  start address
 *	  NAME  mapped file or [name]
 */
/* --list-columns: the columns, a name and what it is a line, for scripts. */
void ms_out_list_columns(const struct ms_out_column *cols, size_t ncols, FILE *fp);

void ms_out_help_columns(const struct ms_out_column *cols, size_t ncols, FILE *fp);

/*
 * Format BYTES for humans as util-linux's size_to_human_string() does:
 * binary units with a one-letter suffix, one decimal when it is not zero,
 * rounded to nearest, "B" below 1 KiB.  0 -> "0B", 1023 -> "1023B",
 * 1024 -> "1K", 1536 -> "1.5K", 134217728 -> "128M", UINT64_MAX -> "16E".
 * Unlike util-linux, a value that rounds up to 1024 of a unit is shown in
 * the next unit (1048575 -> "1M", not "1024K"), and the decimal point is
 * always "." whatever the locale.  Writes at most LEN bytes to BUF, NUL
 * included (MS_SIZE_STR_MAX always suffices), and returns BUF.
 */
char *ms_size_str(uint64_t bytes, char *buf, size_t len);

/*
 * Format a change in size: the sign, then ms_size_str() of the magnitude,
 * with "0" for no change: 1536 -> "+1.5K", -4096 -> "-4K", 0 -> "0",
 * INT64_MIN -> "-8E".  Same BUF and LEN rules as ms_size_str(); returns BUF.
 */
char *ms_size_delta_str(int64_t delta, char *buf, size_t len);

/*
 * A count as a person reads it, with thousands separated by commas
 * ("12,000", whatever the locale: reports are read across machines), into
 * BUF of LEN bytes (MS_COUNT_STR_MAX is enough).  Returns BUF.
 */
#define MS_COUNT_STR_MAX 32
char *ms_count_str(uint64_t v, char *buf, size_t len);

/* Forms of ms_byte_str(). */
enum {
	MS_BYTE_SHORT = 1,	/* prose: "'T'", or "0x00" when not printable */
};

/*
 * A byte value as a person reads it: "0x54 'T'" in tables, the character
 * shown only when printable ASCII (a space included) and not "'"; "0x00"
 * otherwise.  MS_BYTE_SHORT gives the character alone, "'T'", for a sentence.
 * Writes at most LEN bytes to BUF (MS_BYTE_STR_MAX always suffices) and
 * returns BUF.
 */
#define MS_BYTE_STR_MAX 12
char *ms_byte_str(unsigned char b, unsigned flags, char *buf, size_t len);

/*
 * A growth rate in bytes per second as a person reads it, in the smallest
 * of s, min, h, d in which it reaches 1K: "+4K/s", "+1.5M/min", "-12K/h";
 * "0" below a byte a day.
 */
char *ms_rate_str(double bytes_per_sec, char *buf, size_t len);

/* A duration as a person reads it, two units at most: "45s", "3h 20m", "5d 4h". */
char *ms_duration_str(double secs, char *buf, size_t len);

/*
 * Draw the N values at V as a sparkline of at most WIDTH cells, one per
 * value (the last WIDTH values when there are more), scaled from the
 * smallest to the largest shown: Unicode blocks "\u2581".."\u2588" when
 * UTF8, else the ASCII ramp "_.-~=+*#".  A flat series is all lowest cells.
 * Writes at most LEN bytes to BUF, NUL included (4 * WIDTH + 1 always
 * suffices), and returns BUF.
 */
char *ms_sparkline_str(const uint64_t *v, size_t n, size_t width, bool utf8, char *buf,
		       size_t len);

/*
 * True when the locale's character set is UTF-8, so ms_sparkline_str() may
 * draw blocks.  Only reads the locale: the caller sets it with setlocale(3).
 */
bool ms_locale_is_utf8(void);

#endif
