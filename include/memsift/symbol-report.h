/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting what a dump points at (<memsift/symbol.h>): the human table,
 * ranked, and the JSON members bytehist adds to its object.
 */
#ifndef MEMSIFT_SYMBOL_REPORT_H
#define MEMSIFT_SYMBOL_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/symbol.h>

struct ms_symbols_report_opts {
	unsigned top;		/* rows; 0: 10 (the table) or all (JSON) */
	unsigned out_flags;	/* MS_OUT_RAW, MS_OUT_NOHEADINGS (<memsift/output.h>) */
	size_t termwidth;	/* 0: libsmartcols decides */
	/* What the dump itself is of ("[heap]", "anon 0xc000000000 (Go heap arena)"), or NULL. */
	const char *region;
};

/*
 * Print the ranked targets of S (ranked with ms_symbols_rank()) to FP: a
 * title line with the word counts (and O->region), a table COUNT, SHARE%, KIND, SYMBOL,
 * WHERE (source file:line, or the module), then the notes of modules
 * without symbols, once each.
 *
 * Returns: 0, -EIO when writing failed, or -ENOMEM.
 */
int ms_symbols_report_print(struct ms_ctx *ctx, const struct ms_symbols *s,
			    const struct ms_symbols_report_opts *o, FILE *fp);

/*
 * Print the JSON members ,"pointers":{"words":N,"hits":N,"module_hits":N,
 * "region":O->region or null},
 * "symbols":[{"symbol", "module", "file", "line", "kind", "count", "addr",
 * "note"}, ...], "string_origins":[{"text", "module", "section", "addr",
 * "symbol", "whole"}, ...] (ms_symbols_find_string()'s finds) to FP, for
 * the end of an enclosing object (bytehist's).  Absent values are null.
 *
 * Returns: 0 or -EIO.
 */
/*
 * Where a string also is, for a table cell: "leaker .rodata 0x55d0c1a2b010
 * leaker_config_line", into BUF of LEN bytes.  Returns: BUF.
 */
const char *ms_sym_origin_str(const struct ms_sym_origin *o, char *buf, size_t len);

int ms_symbols_report_json(struct ms_ctx *ctx, const struct ms_symbols *s,
			   const struct ms_symbols_report_opts *o, FILE *fp);

#endif
