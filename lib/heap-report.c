// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Presenting a heap walk (<memsift/heapwalk.h>): the size-class table, each
 * class's first word named through the symbolizer when one is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <memsift/heapwalk.h>
#include <memsift/jsonwrt.h>
#include <memsift/output.h>

#include "internal.h"

#define DEFAULT_TOP 10

enum { HC_SIZE, HC_COUNT, HC_BYTES, HC_INUSE, HC_WORD, HC_WORDPCT, HC_FILL, HC_NAME };
static const struct ms_out_column cols[] = {
	[HC_SIZE] = { "CHUNK", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "chunk size, header included" },
	[HC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "chunks" },
	[HC_BYTES] = { "BYTES", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "their bytes" },
	[HC_INUSE] = { "INUSE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT, "share in use" },
	[HC_WORD] = { "FIRST-WORD", 18, MS_COL_DEFAULT, MS_COL_HEX, "most common first word in use" },
	[HC_WORDPCT] = { "WORD%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT,
			 "share of the chunks in use starting with it" },
	[HC_FILL] = { "FILL", 14, MS_COL_DEFAULT, MS_COL_STR, "fill byte of whole chunks, and share" },
	[HC_NAME] = { "NAMED", 0.4, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
		      "what the first word points at" },
};

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* What the first word of class C points at, or NULL. */
static int name_of(struct ms_ctx *ctx, struct ms_symbols *syms, const struct ms_heap_class *c,
		   const struct ms_sym **y)
{
	*y = NULL;
	if (!syms || !c->word_count)
		return 0;
	return ms_symbols_lookup(ctx, syms, c->word, y);
}

int ms_heapwalk_print(struct ms_ctx *ctx, const struct ms_heapwalk *w, struct ms_symbols *syms,
		      unsigned top, unsigned out_flags, FILE *fp)
{
	size_t n = ms_heapwalk_class_count(w), i;
	uint64_t tsize, taddr = ms_heapwalk_top(w, &tsize), at;
	const struct ms_sym *y;
	char fill[32], name[320];
	const char *why;
	struct ms_out *t;
	int rc;

	fprintf(fp, "\nglibc heap (%s): %" PRIu64 " chunks, %" PRIu64 " bytes", ms_heap_form_str(ms_heapwalk_form(w)),
		ms_heapwalk_chunks(w), ms_heapwalk_bytes(w));
	if (taddr)
		fprintf(fp, ", top chunk at 0x%" PRIx64 " (%" PRIu64 " bytes free)\n", taddr, tsize);
	else
		fputs("\n", fp);
	if (ms_heapwalk_broken(w, &at, &why))
		fprintf(fp, "chain broken at 0x%" PRIx64 ": %s; chunks after it not counted\n", at, why);
	if ((rc = ms_out_new(ctx, cols, MS_ARRAY_SIZE(cols), "heap", &t)) < 0)
		return rc;
	ms_out_set_flags(t, out_flags & ~(unsigned)MS_OUT_JSON);
	for (i = 0; i < n && i < (top ? top : DEFAULT_TOP); i++) {
		const struct ms_heap_class *c = ms_heapwalk_class(w, i);
		struct ms_out_row *r = ms_out_add_row(t);

		if (!r || (rc = name_of(ctx, syms, c, &y)) < 0) {
			ms_out_free(t);
			return r ? rc : -ENOMEM;
		}
		ms_out_set_u64(r, HC_SIZE, c->size);
		ms_out_set_u64(r, HC_COUNT, c->count);
		ms_out_set_u64(r, HC_BYTES, c->bytes);
		ms_out_set_double(r, HC_INUSE, pct(c->inuse, c->count));
		if (c->word_count) {
			ms_out_set_u64(r, HC_WORD, c->word);
			ms_out_set_double(r, HC_WORDPCT, pct(c->word_count, c->inuse));
		}
		if (c->fill >= 0) {
			if (c->fill >= 0x20 && c->fill < 0x7f && c->fill != '\'')
				snprintf(fill, sizeof(fill), "'%c' %.0f%%", c->fill, pct(c->fill_count, c->inuse));
			else
				snprintf(fill, sizeof(fill), "0x%02x %.0f%%", c->fill, pct(c->fill_count, c->inuse));
			ms_out_set_str(r, HC_FILL, fill);
		}
		if (y) {
			/* "anon 0x7f..." and "[heap]" say what they are already. */
			if (y->kind >= MS_SYM_HEAP)
				snprintf(name, sizeof(name), "%s", y->name);
			else
				snprintf(name, sizeof(name), "%s %s", ms_sym_kind_str(y->kind), y->name);
			ms_out_set_str(r, HC_NAME, name);
		}
	}
	rc = ms_out_print(t, fp);
	ms_out_free(t);
	if (!rc && ferror(fp))
		rc = ms_err(ctx, -EIO, "write error");
	return rc;
}


int ms_heapwalk_json(struct ms_ctx *ctx, const struct ms_heapwalk *w, struct ms_symbols *syms,
		     unsigned top, FILE *fp)
{
	size_t n = ms_heapwalk_class_count(w), i;
	uint64_t tsize, taddr = ms_heapwalk_top(w, &tsize), at;
	const struct ms_sym *y;
	const char *why;
	bool broken = ms_heapwalk_broken(w, &at, &why);
	struct ms_jw j;
	int rc;

	if (top && top < n)
		n = top;
	/* "heap", a member of the document bytehist opened. */
	ms_jw_init_in_object(&j, fp, true);
	ms_jw_break(&j, "\n");
	ms_jw_object_open(&j, "heap");
	ms_jw_str(&j, "form", ms_heap_form_str(ms_heapwalk_form(w)));
	ms_jw_u64(&j, "chunks", ms_heapwalk_chunks(w));
	ms_jw_u64(&j, "bytes", ms_heapwalk_bytes(w));
	ms_jw_hex(&j, "top", taddr);
	ms_jw_u64(&j, "top_size", tsize);
	ms_jw_bool(&j, "broken", broken);
	if (broken)
		ms_jw_hex(&j, "broken_at", at);
	else
		ms_jw_null(&j, "broken_at");
	ms_jw_str(&j, "broken_why", broken ? why : NULL);
	ms_jw_array_open(&j, "classes");
	for (i = 0; i < n; i++) {
		const struct ms_heap_class *c = ms_heapwalk_class(w, i);

		if ((rc = name_of(ctx, syms, c, &y)) < 0)
			return rc;
		ms_jw_break(&j, "\n");
		ms_jw_object_open(&j, NULL);
		ms_jw_u64(&j, "size", c->size);
		ms_jw_u64(&j, "count", c->count);
		ms_jw_u64(&j, "bytes", c->bytes);
		ms_jw_u64(&j, "inuse", c->inuse);
		ms_jw_hex(&j, "word", c->word);
		ms_jw_u64(&j, "word_count", c->word_count);
		ms_jw_str(&j, "word_symbol", y ? y->name : NULL);
		ms_jw_str(&j, "word_kind", y ? ms_sym_kind_str(y->kind) : NULL);
		if (c->fill >= 0)
			ms_jw_s64(&j, "fill", c->fill);
		else
			ms_jw_null(&j, "fill");
		ms_jw_u64(&j, "fill_count", c->fill_count);
		ms_jw_object_close(&j);
	}
	ms_jw_array_close(&j);
	ms_jw_object_close(&j);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}
