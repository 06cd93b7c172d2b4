// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --symbols report: a table through <memsift/output.h>, and JSON
 * members written directly into the caller's object.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <memsift/jsonwrt.h>
#include <memsift/output.h>
#include <memsift/symbol-report.h>

#include "internal.h"

#define DEFAULT_TOP 10
#define NOTES_MAX 8

enum { SC_COUNT, SC_SHARE, SC_KIND, SC_SYMBOL, SC_WHERE };
static const struct ms_out_column cols[] = {
	[SC_COUNT] = { "COUNT", 8, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "words pointing here" },
	[SC_SHARE] = { "SHARE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT,
		       "share of the words that point into a mapping" },
	[SC_KIND] = { "KIND", 8, MS_COL_DEFAULT, MS_COL_STR, "text, vtable, string, heap..." },
	[SC_SYMBOL] = { "SYMBOL", 0.4, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
			"symbol, string text or mapping" },
	[SC_WHERE] = { "WHERE", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
		       "source file:line, or module" },
};

static const char *base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

int ms_symbols_report_print(struct ms_ctx *ctx, const struct ms_symbols *s,
			    const struct ms_symbols_report_opts *o, FILE *fp)
{
	const char *notes[NOTES_MAX], *note_mod[NOTES_MAX];
	size_t n = ms_symbols_target_count(s), i, k, nnotes = 0;
	unsigned top = o->top ? o->top : DEFAULT_TOP;
	struct ms_out *t;
	char where[512];
	int rc;

	if (o->region)
		fprintf(fp, "\nthe dump is of %s\n", o->region);
	fprintf(fp, "\npointers (--symbols): %" PRIu64 " of %" PRIu64
		" words point into mappings, %" PRIu64 " into modules:\n",
		ms_symbols_hits(s), ms_symbols_words(s), ms_symbols_module_hits(s));
	if ((rc = ms_out_new(ctx, cols, MS_ARRAY_SIZE(cols), "symbols", &t)) < 0)
		return rc;
	ms_out_set_flags(t, o->out_flags & ~(unsigned)MS_OUT_JSON);
	ms_out_set_termwidth(t, o->termwidth);
	for (i = 0; i < n && i < top; i++) {
		const struct ms_sym_count *c = ms_symbols_target(s, i);
		struct ms_out_row *r = ms_out_add_row(t);

		if (!r) {
			ms_out_free(t);
			return -ENOMEM;
		}
		if (c->sym.file)
			snprintf(where, sizeof(where), "%s:%d", c->sym.file, c->sym.line);
		else
			snprintf(where, sizeof(where), "%s", c->sym.module ? base_name(c->sym.module) : "");
		ms_out_set_u64(r, SC_COUNT, c->count);
		ms_out_set_double(r, SC_SHARE, pct(c->count, ms_symbols_hits(s)));
		ms_out_set_str(r, SC_KIND, ms_sym_kind_str(c->sym.kind));
		ms_out_set_str(r, SC_SYMBOL, c->sym.name);
		ms_out_set_str(r, SC_WHERE, where);
		if (!c->sym.note)
			continue;
		for (k = 0; k < nnotes && strcmp(note_mod[k], c->sym.module ? c->sym.module : ""); k++)
			;
		if (k == nnotes && nnotes < NOTES_MAX) {
			notes[nnotes] = c->sym.note;
			note_mod[nnotes++] = c->sym.module ? c->sym.module : "";
		}
	}
	rc = ms_out_print(t, fp);
	ms_out_free(t);
	for (k = 0; !rc && k < nnotes; k++)
		fprintf(fp, "note: %s: %s\n", note_mod[k], notes[k]);
	if (!rc && ferror(fp))
		rc = ms_err(ctx, -EIO, "write error");
	return rc;
}

const char *ms_sym_origin_str(const struct ms_sym_origin *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s 0x%" PRIx64 "%s%s%s", base_name(o->module), o->section, o->addr,
		 o->symbol ? " " : "", o->symbol ? o->symbol : "",
		 o->whole ? "" : " (in a longer string)");
	return buf;
}

int ms_symbols_report_json(struct ms_ctx *ctx, const struct ms_symbols *s,
			   const struct ms_symbols_report_opts *o, FILE *fp)
{
	size_t n = ms_symbols_target_count(s), i;
	struct ms_jw w;

	if (o->top && o->top < n)
		n = o->top;
	/* "pointers", "symbols" and "string_origins": members of bytehist's document. */
	ms_jw_init_in_object(&w, fp, true);
	ms_jw_break(&w, "\n");
	ms_jw_object_open(&w, "pointers");
	ms_jw_u64(&w, "words", ms_symbols_words(s));
	ms_jw_u64(&w, "hits", ms_symbols_hits(s));
	ms_jw_u64(&w, "module_hits", ms_symbols_module_hits(s));
	ms_jw_str(&w, "region", o->region);
	ms_jw_object_close(&w);
	ms_jw_break(&w, "\n");
	ms_jw_array_open(&w, "symbols");
	for (i = 0; i < n; i++) {
		const struct ms_sym_count *c = ms_symbols_target(s, i);

		ms_jw_break(&w, "\n");
		ms_jw_object_open(&w, NULL);
		ms_jw_str(&w, "symbol", c->sym.name);
		ms_jw_str(&w, "module", c->sym.module);
		ms_jw_str(&w, "file", c->sym.file);
		if (c->sym.line)
			ms_jw_s64(&w, "line", c->sym.line);
		else
			ms_jw_null(&w, "line");
		ms_jw_str(&w, "kind", ms_sym_kind_str(c->sym.kind));
		ms_jw_u64(&w, "count", c->count);
		ms_jw_hex(&w, "addr", c->sym.addr);
		ms_jw_str(&w, "note", c->sym.note);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	ms_jw_break(&w, "\n");
	ms_jw_array_open(&w, "string_origins");
	for (i = 0; i < ms_symbols_origin_count(s); i++) {
		const struct ms_sym_origin *g = ms_symbols_origin(s, i);

		ms_jw_break(&w, "\n");
		ms_jw_object_open(&w, NULL);
		ms_jw_str(&w, "text", g->text);
		ms_jw_str(&w, "module", g->module);
		ms_jw_str(&w, "section", g->section);
		ms_jw_hex(&w, "addr", g->addr);
		ms_jw_str(&w, "symbol", g->symbol);
		ms_jw_bool(&w, "whole", g->whole);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}
