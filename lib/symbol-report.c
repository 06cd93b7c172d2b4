// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --symbols report: a table through <memsift/output.h>, and JSON
 * members written directly into the caller's object.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

	if (o->top && o->top < n)
		n = o->top;
	fprintf(fp, ",\n\"pointers\":{\"words\":%" PRIu64 ",\"hits\":%" PRIu64
		",\"module_hits\":%" PRIu64 ",\"region\":", ms_symbols_words(s),
		ms_symbols_hits(s), ms_symbols_module_hits(s));
	ms_json_str(fp, o->region);
	fputs("},\n\"symbols\":[", fp);
	for (i = 0; i < n; i++) {
		const struct ms_sym_count *c = ms_symbols_target(s, i);

		fputs(i ? ",\n{\"symbol\":" : "\n{\"symbol\":", fp);
		ms_json_str(fp, c->sym.name);
		fputs(",\"module\":", fp);
		ms_json_str(fp, c->sym.module);
		fputs(",\"file\":", fp);
		ms_json_str(fp, c->sym.file);
		if (c->sym.line)
			fprintf(fp, ",\"line\":%d", c->sym.line);
		else
			fputs(",\"line\":null", fp);
		fprintf(fp, ",\"kind\":\"%s\",\"count\":%" PRIu64 ",\"addr\":\"0x%" PRIx64
			"\",\"note\":", ms_sym_kind_str(c->sym.kind), c->count, c->sym.addr);
		ms_json_str(fp, c->sym.note);
		fputc('}', fp);
	}
	fputs("],\n\"string_origins\":[", fp);
	for (i = 0; i < ms_symbols_origin_count(s); i++) {
		const struct ms_sym_origin *g = ms_symbols_origin(s, i);

		fputs(i ? ",\n{\"text\":" : "\n{\"text\":", fp);
		ms_json_str(fp, g->text);
		fputs(",\"module\":", fp);
		ms_json_str(fp, g->module);
		fputs(",\"section\":", fp);
		ms_json_str(fp, g->section);
		fprintf(fp, ",\"addr\":\"0x%" PRIx64 "\",\"symbol\":", g->addr);
		ms_json_str(fp, g->symbol);
		fprintf(fp, ",\"whole\":%s}", g->whole ? "true" : "false");
	}
	fputs("]", fp);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}
