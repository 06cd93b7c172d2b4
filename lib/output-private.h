/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output module's two files share the table: output.c builds it (its
 * columns, rows and cells, its JSON), output-format.c lays it out as text.
 */
#ifndef MEMSIFT_OUTPUT_PRIVATE_H
#define MEMSIFT_OUTPUT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libsmartcols.h>

#include <memsift/output.h>

struct ms_out_val {
	bool set;
	union {
		char *s;	/* MS_COL_STR */
		uint64_t u;	/* U64, SIZE, HEX, BOOL */
		int64_t i;	/* S64, SIZE_DELTA */
		double d;	/* FLOAT */
	};
};

struct ms_out_row {
	struct ms_out *out;
	struct ms_out_val vals[];	/* indexed like the column table */
};

struct ms_out {
	struct ms_ctx *ctx;
	const struct ms_out_column *cols;
	size_t ncols;
	const char *json_name;
	char **keys;		/* JSON key of each column */
	size_t *sel;		/* selected columns in print order, no repeats */
	size_t nsel;
	bool *selected;		/* by column index */
	unsigned flags;
	size_t termwidth;
	struct ms_out_row **rows;
	size_t nrows, rows_alloc;
};

/* The libsmartcols JSON type (SCOLS_JSON_*) of a column of type T (output.c). */
int ms_out_json_type(enum ms_col_type t);

/*
 * The libsmartcols table of O, printing to FP (NULL: not set), as the flags
 * say (aligned, raw or JSON); with NO_ROWS only its columns.  NULL when
 * out of memory.  Release it with scols_unref_table().
 */
struct libscols_table *ms_out_build_table(const struct ms_out *o, FILE *fp, bool no_rows);

/*
 * Print O without libsmartcols when it is big and goes to no terminal, raw
 * nor JSON (libsmartcols' layout, at a fraction of its cost).  Returns 0
 * when printed, 1 when libsmartcols must print it (nothing printed then),
 * or -ENOMEM / -EIO.
 */
int ms_out_print_plain(struct ms_out *o, FILE *fp);

#endif
