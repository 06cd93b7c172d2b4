// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bytehist report: each section a small table through <memsift/output.h>,
 * and the JSON object written directly (one object of several lists, which a
 * single libsmartcols table cannot hold).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <memsift/cluster.h>
#include <memsift/hist-report.h>
#include <memsift/jsonwrt.h>
#include <memsift/output.h>

#include "hash.h"
#include "internal.h"

#define DEFAULT_TOP 10
#define STRIP_MAX 16		/* regions shown in the block map */

static const char *const section_names[] = {
	"summary", "bytes", "blocks", "runs", "strings", "words", "patterns", "records",
};

/* The bit of the section named by the N bytes at P, or 0. */
static unsigned section_bit(const char *p, size_t n)
{
	size_t i;

	if (n == 3 && !strncasecmp(p, "all", 3))
		return MS_HR_ALL;
	for (i = 0; i < MS_ARRAY_SIZE(section_names); i++)
		if (strlen(section_names[i]) == n && !strncasecmp(p, section_names[i], n))
			return 1U << i;
	return 0;
}

int ms_hist_report_sections(struct ms_ctx *ctx, const char *list, unsigned *mask)
{
	const char *p = list;
	unsigned m = 0, bit;
	size_t n;

	do {
		n = strcspn(p, ",");
		bit = section_bit(p, n);
		if (!bit)
			return ms_err(ctx, -EINVAL, "unknown section \"%.*s\"; use summary, bytes, blocks, runs, strings, words, patterns or all",
				      (int)n, p);
		m |= bit;
		p += n;
	} while (*p++);
	*mask = m;
	return 0;
}

static unsigned top_of(const struct ms_hist_report_opts *o)
{
	return o->top ? o->top : DEFAULT_TOP;
}

static uint64_t where(const struct ms_hist_report_opts *o, uint64_t off)
{
	uint64_t a;

	return o->manifest && ms_manifest_addr(o->manifest, off, &a) ? a : off;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

static int table_new(struct ms_ctx *ctx, const struct ms_out_column *cols, size_t n,
		     const char *name, const struct ms_hist_report_opts *o, struct ms_out **out)
{
	int rc = ms_out_new(ctx, cols, n, name, out);

	if (rc < 0)
		return rc;
	ms_out_set_flags(*out, o->out_flags & ~(unsigned)MS_OUT_JSON);
	ms_out_set_termwidth(*out, o->termwidth);
	return 0;
}

static int table_print(struct ms_out *t, FILE *fp)
{
	int rc = ms_out_print(t, fp);

	ms_out_free(t);
	return rc;
}

static unsigned sampled(const struct ms_hist *h, unsigned table)
{
	return ms_hist_sampled(h, table, NULL);
}

/* How a sampled table's counts were made: an SRE must not read them as exact. */
static void sample_line(const struct ms_hist *h, unsigned table, const char *name,
			const struct ms_hist_report_opts *o, FILE *fp)
{
	uint64_t from;
	unsigned k = ms_hist_sampled(h, table, &from);

	if (k)
		fprintf(fp, "sampled: %s, full at 0x%" PRIx64 ", then read in 1 block of %u, "
			"each found counted %u times: estimates\n", name, where(o, from), k, k);
}

static void summary(const struct ms_hist *h, const struct ms_hist_report_opts *o, FILE *fp)
{
	uint64_t size = ms_hist_size(h), pages = size / 4096;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];
	unsigned ap = ms_hist_approximate(h);
	int c;

	ms_size_str(size, a, sizeof(a));
	ms_size_str(ms_hist_get_opts(h)->block_size, b, sizeof(b));
	fprintf(fp, "%s: %s (%" PRIu64 " bytes), %" PRIu64 " blocks of %s", o->name, a, size,
		ms_hist_blocks(h), b);
	if (o->manifest && o->manifest->nranges > 1)
		fprintf(fp, ", %zu ranges from 0x%" PRIx64 " (from %s)\n", o->manifest->nranges,
			o->manifest->start, o->base_from ? o->base_from : "the manifest");
	else if (o->manifest)
		fprintf(fp, ", at 0x%" PRIx64 "-0x%" PRIx64 " (from %s)\n", o->manifest->start,
			o->manifest->start + size, o->base_from ? o->base_from : "the manifest");
	else
		fprintf(fp, ", offsets from its start\n");
	fprintf(fp, "entropy %.2f bits/byte; %" PRIu64 " of %" PRIu64 " pages zero (%.1f%%)\n",
		ms_hist_entropy(h), ms_hist_zero_pages(h), pages, pct(ms_hist_zero_pages(h), pages));
	fprintf(fp, "classes:");
	for (c = 0; c < MS_BLOCK_NCLASSES; c++)
		if (ms_hist_class_bytes(h, c))
			fprintf(fp, " %s %.1f%%", ms_block_class_str(c),
				pct(ms_hist_class_bytes(h, c), size));
	fprintf(fp, "%s\n", size ? "" : " none (empty input)");
	if (ap)
		fprintf(fp, "approximate:%s%s%s%s%s (tables full; counts shown are %s)\n",
			ap & MS_HIST_APPROX_STRINGS ? " strings" : "",
			ap & MS_HIST_APPROX_SHAPES ? " shapes" : "",
			ap & MS_HIST_APPROX_RUNS ? " runs (some by length bucket)" : "",
			ap & MS_HIST_APPROX_WORDS ? " words" : "",
			ap & MS_HIST_APPROX_REGIONS ? " regions" : "",
			sampled(h, MS_HIST_APPROX_STRINGS) || sampled(h, MS_HIST_APPROX_WORDS) ?
			"estimates, or lower bounds" : "lower bounds");
	sample_line(h, MS_HIST_APPROX_STRINGS, "strings", o, fp);
	sample_line(h, MS_HIST_APPROX_WORDS, "words", o, fp);
}

enum { BC_BYTE, BC_COUNT, BC_SHARE };
static const struct ms_out_column byte_cols[] = {
	[BC_BYTE] = { "BYTE", 8, MS_COL_DEFAULT, MS_COL_STR, "byte value" },
	[BC_COUNT] = { "COUNT", 8, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences" },
	[BC_SHARE] = { "SHARE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT, "share of all bytes" },
};

static int section_bytes(struct ms_ctx *ctx, const struct ms_hist *h,
			 const struct ms_hist_report_opts *o, FILE *fp)
{
	unsigned top = top_of(o), i, n = 0, distinct = 0;
	int order[256], k, j, tmp;
	struct ms_out *t;
	char buf[16];
	int rc;

	for (k = 0; k < 256; k++) {
		order[k] = k;
		distinct += ms_hist_byte_count(h, (uint8_t)k) != 0;
	}
	/* Insertion sort by count, largest first, ties by value: 256 items. */
	for (k = 1; k < 256; k++)
		for (j = k; j > 0 && ms_hist_byte_count(h, (uint8_t)order[j]) >
					    ms_hist_byte_count(h, (uint8_t)order[j - 1]); j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	fprintf(fp, "\nbyte values (%u of 256 occur):\n", distinct);
	if ((rc = table_new(ctx, byte_cols, MS_ARRAY_SIZE(byte_cols), "bytes", o, &t)) < 0)
		return rc;
	for (i = 0; i < 256 && n < top; i++) {
		uint64_t c = ms_hist_byte_count(h, (uint8_t)order[i]);
		struct ms_out_row *r;

		if (!c)
			break;
		r = ms_out_add_row(t);
		ms_out_set_str(r, BC_BYTE, ms_byte_str((unsigned char)order[i], 0, buf, sizeof(buf)));
		ms_out_set_u64(r, BC_COUNT, c);
		ms_out_set_double(r, BC_SHARE, pct(c, ms_hist_size(h)));
		n++;
	}
	return table_print(t, fp);
}

enum { KC_CLASS, KC_BLOCKS, KC_SIZE, KC_SHARE };
static const struct ms_out_column class_cols[] = {
	[KC_CLASS] = { "CLASS", 8, MS_COL_DEFAULT, MS_COL_STR, "block class" },
	[KC_BLOCKS] = { "BLOCKS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "blocks" },
	[KC_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "bytes" },
	[KC_SHARE] = { "SHARE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT, "share of all bytes" },
};

enum { RC_START, RC_END, RC_SIZE, RC_CLASS, RC_TYPE };
static const struct ms_out_column region_cols[] = {
	[RC_START] = { "START", 12, MS_COL_DEFAULT, MS_COL_HEX, "first byte" },
	[RC_END] = { "END", 12, MS_COL_DEFAULT, MS_COL_HEX, "end (exclusive)" },
	[RC_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "bytes" },
	[RC_CLASS] = { "CLASS", 8, MS_COL_DEFAULT, MS_COL_STR, "block class" },
	[RC_TYPE] = { "TYPE", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "libmagic's type" },
};

static void region_row(struct ms_out *t, const struct ms_hist_region *g,
		       const struct ms_hist_report_opts *o)
{
	struct ms_out_row *r = ms_out_add_row(t);
	char cls[32], b[16];

	if (g->cls == MS_BLOCK_FILL)
		snprintf(cls, sizeof(cls), "fill %s", ms_byte_str(g->fill, 0, b, sizeof(b)));
	else
		snprintf(cls, sizeof(cls), "%s", ms_block_class_str(g->cls));
	/* The end is just past the last byte: the next byte may be in another range. */
	ms_out_set_u64(r, RC_START, where(o, g->start));
	ms_out_set_u64(r, RC_END, where(o, g->start + g->length - 1) + 1);
	ms_out_set_u64(r, RC_SIZE, g->length);
	ms_out_set_str(r, RC_CLASS, cls);
	ms_out_set_str(r, RC_TYPE, g->type);
}

static int cmp_region_start(const void *a, const void *b)
{
	const struct ms_hist_region *x = *(const struct ms_hist_region *const *)a;
	const struct ms_hist_region *y = *(const struct ms_hist_region *const *)b;

	return (x->start > y->start) - (x->start < y->start);
}

static int section_blocks(struct ms_ctx *ctx, const struct ms_hist *h,
			  const struct ms_hist_report_opts *o, FILE *fp)
{
	const struct ms_hist_region *pick[STRIP_MAX];
	size_t n = ms_hist_region_count(h), i, shown = 0;
	struct ms_out *t;
	char b[MS_SIZE_STR_MAX];
	int c, rc;

	ms_size_str(ms_hist_get_opts(h)->block_size, b, sizeof(b));
	fprintf(fp, "\nblocks of %s by class:\n", b);
	if ((rc = table_new(ctx, class_cols, MS_ARRAY_SIZE(class_cols), "blocks", o, &t)) < 0)
		return rc;
	for (c = 0; c < MS_BLOCK_NCLASSES; c++) {
		struct ms_out_row *r;

		if (!ms_hist_class_blocks(h, c))
			continue;
		r = ms_out_add_row(t);
		ms_out_set_str(r, KC_CLASS, ms_block_class_str(c));
		ms_out_set_u64(r, KC_BLOCKS, ms_hist_class_blocks(h, c));
		ms_out_set_u64(r, KC_SIZE, ms_hist_class_bytes(h, c));
		ms_out_set_double(r, KC_SHARE, pct(ms_hist_class_bytes(h, c), ms_hist_size(h)));
	}
	if ((rc = table_print(t, fp)) < 0)
		return rc;

	/* The strip: the STRIP_MAX largest regions (the first ones on ties), in address order. */
	for (i = 0; i < n; i++) {
		const struct ms_hist_region *g = ms_hist_region(h, i);
		size_t k;

		if (shown == STRIP_MAX && g->length <= pick[STRIP_MAX - 1]->length)
			continue;
		k = shown < STRIP_MAX ? shown++ : STRIP_MAX - 1;
		for (; k > 0 && pick[k - 1]->length < g->length; k--)
			pick[k] = pick[k - 1];
		pick[k] = g;
	}
	qsort(pick, shown, sizeof(pick[0]), cmp_region_start);
	fprintf(fp, "\nregions (%zu%s):\n", n,
		ms_hist_approximate(h) & MS_HIST_APPROX_REGIONS ? ", list full" : "");
	if ((rc = table_new(ctx, region_cols, MS_ARRAY_SIZE(region_cols), "regions", o, &t)) < 0)
		return rc;
	for (i = 0; i < shown; i++)
		region_row(t, pick[i], o);
	if ((rc = table_print(t, fp)) < 0)
		return rc;
	if (shown < n)
		fprintf(fp, "(%zu more regions not shown)\n", n - shown);
	return 0;
}

enum { UC_BYTE, UC_LENGTH, UC_COUNT, UC_BYTES, UC_FIRST };
static const struct ms_out_column run_cols[] = {
	[UC_BYTE] = { "BYTE", 8, MS_COL_DEFAULT, MS_COL_STR, "byte value" },
	[UC_LENGTH] = { "LENGTH", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_STR, "run length in bytes" },
	[UC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "runs of that length" },
	[UC_BYTES] = { "BYTES", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "total bytes in them" },
	[UC_FIRST] = { "FIRST", 12, MS_COL_DEFAULT, MS_COL_HEX, "where the first one starts" },
};

static int section_runs(struct ms_ctx *ctx, const struct ms_hist *h,
			const struct ms_hist_report_opts *o, FILE *fp)
{
	size_t n = ms_hist_run_count(h), i;
	struct ms_out *t;
	char b[16], len[48];
	int rc;

	fprintf(fp, "\nruns of %u bytes or more, by total bytes (%zu kinds):\n",
		ms_hist_get_opts(h)->min_run, n);
	if ((rc = table_new(ctx, run_cols, MS_ARRAY_SIZE(run_cols), "runs", o, &t)) < 0)
		return rc;
	for (i = 0; i < n && i < top_of(o); i++) {
		const struct ms_hist_run *u = ms_hist_run(h, i);
		struct ms_out_row *r = ms_out_add_row(t);

		if (u->bucket)
			snprintf(len, sizeof(len), "%" PRIu64 "-%" PRIu64, u->length, 2 * u->length - 1);
		else
			snprintf(len, sizeof(len), "%" PRIu64, u->length);
		ms_out_set_str(r, UC_BYTE, ms_byte_str(u->byte, 0, b, sizeof(b)));
		ms_out_set_str(r, UC_LENGTH, len);
		ms_out_set_u64(r, UC_COUNT, u->count);
		ms_out_set_u64(r, UC_BYTES, u->bytes);
		ms_out_set_u64(r, UC_FIRST, where(o, u->first));
	}
	return table_print(t, fp);
}

enum { SC_COUNT, SC_BYTES, SC_LEN, SC_FIRST, SC_TEXT, SC_ORIGIN };
static const struct ms_out_column str_cols[] = {
	[SC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences" },
	[SC_BYTES] = { "BYTES", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "total bytes" },
	[SC_LEN] = { "LEN", 4, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "length in characters (first occurrence)" },
	[SC_FIRST] = { "FIRST", 12, MS_COL_DEFAULT, MS_COL_HEX, "where the first one starts" },
	[SC_TEXT] = { "TEXT", 0.5, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "the string; [utf16] when found as UTF-16LE" },
	/* Last: shown only when the caller can tell (string_origin). */
	[SC_ORIGIN] = { "ORIGIN", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
			"the module, section and symbol also holding it" },
};

static int section_strings(struct ms_ctx *ctx, const struct ms_hist *h,
			   const struct ms_hist_report_opts *o, FILE *fp)
{
	size_t n = ms_hist_string_count(h), i;
	struct ms_out *t;
	char text[MS_HIST_STRING_MAX + 32], origin[512];
	const char *org;
	int rc;

	fprintf(fp, "\nstrings of %u characters or more, by total bytes (%zu distinct%s):\n",
		ms_hist_get_opts(h)->min_string, n,
		sampled(h, MS_HIST_APPROX_STRINGS) ? ", table full, then sampled: estimates" :
		ms_hist_approximate(h) & MS_HIST_APPROX_STRINGS ? ", table full" : "");
	if ((rc = table_new(ctx, str_cols, MS_ARRAY_SIZE(str_cols) - !o->string_origin, "strings",
			    o, &t)) < 0)
		return rc;
	for (i = 0; i < n && i < top_of(o); i++) {
		const struct ms_hist_string *s = ms_hist_string(h, i);
		struct ms_out_row *r = ms_out_add_row(t);

		snprintf(text, sizeof(text), "%s%s%s", s->utf16 ? "[utf16] " : "", s->text,
			 s->truncated ? "..." : "");
		ms_out_set_u64(r, SC_COUNT, s->count);
		ms_out_set_u64(r, SC_BYTES, s->bytes);
		ms_out_set_u64(r, SC_LEN, strlen(s->text));
		ms_out_set_u64(r, SC_FIRST, where(o, s->first));
		ms_out_set_str(r, SC_TEXT, text);
		if (o->string_origin &&
		    (org = o->string_origin(s, origin, sizeof(origin), o->string_origin_data)))
			ms_out_set_str(r, SC_ORIGIN, org);
	}
	return table_print(t, fp);
}

enum { HC_COUNT, HC_DISTINCT, HC_BYTES, HC_SHAPE };
static const struct ms_out_column shape_cols[] = {
	[HC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences" },
	[HC_DISTINCT] = { "DISTINCT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "different strings of this shape" },
	[HC_BYTES] = { "BYTES", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "total bytes" },
	[HC_SHAPE] = { "SHAPE", 0.5, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "digit and hex runs folded to #" },
};

/*
 * Strings of one shape, grouped: 63,000 log lines that each differ are
 * one line of a format, not 63,000 strings of one occurrence.  Only shapes
 * that group two strings or more are shown; nothing when none does.
 */
static int section_shapes(struct ms_ctx *ctx, const struct ms_hist *h,
			  const struct ms_hist_report_opts *o, FILE *fp)
{
	size_t n = ms_hist_shape_count(h), i, shown = 0;
	unsigned ap = ms_hist_approximate(h);
	struct ms_out *out;
	int rc;

	for (i = 0; i < n; i++)
		shown += ms_hist_shape(h, i)->strings > 1;
	if (!shown)
		return 0;
	/* Counted whole, the strings a full table gave way to included; not their variety. */
	fprintf(fp, "\nstrings by shape, digit and hex runs folded (%zu shapes%s%s):\n", n,
		ap & MS_HIST_APPROX_STRINGS ? ", counted whole; DISTINCT as strings entered the full table" : "",
		ap & MS_HIST_APPROX_SHAPES ? "; some light shapes lost" : "");
	if ((rc = table_new(ctx, shape_cols, MS_ARRAY_SIZE(shape_cols), "shapes", o, &out)) < 0)
		return rc;
	for (i = 0, shown = 0; i < n && shown < top_of(o); i++) {
		const struct ms_hist_shape *sh = ms_hist_shape(h, i);
		struct ms_out_row *r;

		if (sh->strings < 2)
			continue;
		r = ms_out_add_row(out);
		ms_out_set_u64(r, HC_COUNT, sh->count);
		ms_out_set_u64(r, HC_DISTINCT, sh->strings);
		ms_out_set_u64(r, HC_BYTES, sh->bytes);
		ms_out_set_str(r, HC_SHAPE, sh->text);
		shown++;
	}
	return table_print(out, fp);
}

enum { WC_VALUE, WC_COUNT, WC_SHARE, WC_FIRST, WC_NOTE };
static const struct ms_out_column word_cols[] = {
	[WC_VALUE] = { "VALUE", 18, MS_COL_DEFAULT, MS_COL_HEX, "8-byte word, native order" },
	[WC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences" },
	[WC_SHARE] = { "SHARE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT, "share of all words" },
	[WC_FIRST] = { "FIRST", 12, MS_COL_DEFAULT, MS_COL_HEX, "where the first one is" },
	[WC_NOTE] = { "NOTE", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "what it may be" },
};

static int section_words(struct ms_ctx *ctx, const struct ms_hist *h,
			 const struct ms_hist_report_opts *o, FILE *fp)
{
	size_t n = ms_hist_word_count(h), i;
	uint64_t nwords = ms_hist_size(h) / 8;
	struct ms_out *t;
	char note[160];
	uint64_t woff;
	const struct ms_mapping *m;
	int rc;

	fprintf(fp, "\nwords (8-byte aligned), most frequent first%s:\n",
		sampled(h, MS_HIST_APPROX_WORDS) ? " (table full, then sampled: counts are estimates)" :
		ms_hist_approximate(h) & MS_HIST_APPROX_WORDS ? " (table full: counts are lower bounds)" : "");
	if ((rc = table_new(ctx, word_cols, MS_ARRAY_SIZE(word_cols), "words", o, &t)) < 0)
		return rc;
	for (i = 0; i < n && i < top_of(o); i++) {
		const struct ms_hist_word *w = ms_hist_word(h, i);
		struct ms_out_row *r = ms_out_add_row(t);

		note[0] = '\0';
		if (o->manifest && ms_manifest_offset(o->manifest, w->value, &woff) &&
		    woff < ms_hist_size(h))
			snprintf(note, sizeof(note), "points into this dump (+0x%" PRIx64 ")", woff);
		else if (o->maps && (m = ms_maps_find(o->maps, w->value)))
			snprintf(note, sizeof(note), "points into %s (%s)",
				 *ms_mapping_name(m) ? ms_mapping_name(m) : "anonymous memory",
				 ms_mapping_perms(m));
		else if (ms_hist_pointer_like(w->value))
			snprintf(note, sizeof(note), "pointer-like");
		ms_out_set_u64(r, WC_VALUE, w->value);
		ms_out_set_u64(r, WC_COUNT, w->count);
		ms_out_set_double(r, WC_SHARE, pct(w->count, nwords));
		ms_out_set_u64(r, WC_FIRST, where(o, w->first));
		ms_out_set_str(r, WC_NOTE, note[0] ? note : NULL);
	}
	return table_print(t, fp);
}

enum { PC_PATTERN, PC_COUNT, PC_FIRST };
static const struct ms_out_column pat_cols[] = {
	[PC_PATTERN] = { "PATTERN", 0.4, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "as given to -e or -E" },
	[PC_COUNT] = { "COUNT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "matches" },
	[PC_FIRST] = { "FIRST", 12, MS_COL_DEFAULT, MS_COL_HEX, "where the first one starts" },
};

static int section_patterns(struct ms_ctx *ctx, const struct ms_hist *h,
			    const struct ms_hist_report_opts *o, FILE *fp)
{
	size_t n = ms_hist_pattern_count(h), i;
	struct ms_out *t;
	char text[300];
	int rc;

	if (!n)
		return 0;
	fprintf(fp, "\npatterns:\n");
	if ((rc = table_new(ctx, pat_cols, MS_ARRAY_SIZE(pat_cols), "patterns", o, &t)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct ms_pattern *p = ms_hist_pattern(h, i);
		struct ms_out_row *r = ms_out_add_row(t);

		snprintf(text, sizeof(text), "%s %s", p->regex ? "-E" : "-e", p->text);
		ms_out_set_str(r, PC_PATTERN, text);
		ms_out_set_u64(r, PC_COUNT, p->count);
		if (p->count)
			ms_out_set_u64(r, PC_FIRST, where(o, p->first));
	}
	return table_print(t, fp);
}

/* hexdump -C's lines: offset, 16 bytes in hex, the same as text. */
static void hex_lines(FILE *fp, uint64_t addr, const unsigned char *b, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		fprintf(fp, "  %012" PRIx64 "  ", addr + i);
		for (j = i; j < i + 16; j++) {
			if (j < n)
				fprintf(fp, "%02x", b[j]);
			else
				fputs("  ", fp);
			fputs(j == i + 7 ? "  " : " ", fp);
		}
		fputs(" |", fp);
		for (j = i; j < i + 16 && j < n; j++)
			fputc(b[j] >= 0x20 && b[j] < 0x7f ? b[j] : '.', fp);
		fputs("|\n", fp);
	}
}

static int section_records(const struct ms_hist *h, const struct ms_hist_report_opts *o,
			   FILE *fp)
{
	struct ms_hist_record r;
	char sz[MS_SIZE_STR_MAX];

	if (ms_hist_record_get(h, &r) < 0)
		return 0;
	ms_size_str(r.count * r.size, sz, sizeof(sz));
	fprintf(fp, "\nrecords: %" PRIu64 "-byte records, %" PRIu64 " times (%s): the word "
		"0x%016" PRIx64 " recurs every %" PRIu64 " bytes from 0x%" PRIx64 "\n",
		r.size, r.count, sz, r.word, r.size, where(o, r.first));
	if (o->record_example_len) {
		fprintf(fp, "one of them:\n");
		hex_lines(fp, where(o, r.last), o->record_example, o->record_example_len);
		if (o->record_example_len < r.size)
			fprintf(fp, "  ... %" PRIu64 " more bytes of this record\n",
				r.size - o->record_example_len);
	}
	return 0;
}

int ms_hist_report_print(struct ms_ctx *ctx, const struct ms_hist *h,
			 const struct ms_hist_report_opts *o, FILE *fp)
{
	unsigned s = o->sections ? o->sections : MS_HR_ALL;
	int rc = 0;

	if (s & MS_HR_SUMMARY)
		summary(h, o, fp);
	if (!rc && (s & MS_HR_BYTES) && ms_hist_size(h))
		rc = section_bytes(ctx, h, o, fp);
	if (!rc && (s & MS_HR_BLOCKS) && ms_hist_size(h))
		rc = section_blocks(ctx, h, o, fp);
	if (!rc && (s & MS_HR_RUNS) && ms_hist_run_count(h))
		rc = section_runs(ctx, h, o, fp);
	if (!rc && (s & MS_HR_STRINGS) && ms_hist_string_count(h))
		rc = section_strings(ctx, h, o, fp);
	if (!rc && (s & MS_HR_STRINGS) && ms_hist_string_count(h))
		rc = section_shapes(ctx, h, o, fp);
	if (!rc && (s & MS_HR_WORDS) && ms_hist_word_count(h))
		rc = section_words(ctx, h, o, fp);
	if (!rc && (s & MS_HR_RECORDS))
		rc = section_records(h, o, fp);
	if (!rc && (s & MS_HR_PATTERNS))
		rc = section_patterns(ctx, h, o, fp);
	if (!rc && ferror(fp))
		rc = ms_err(ctx, -EIO, "write error");
	return rc;
}

/* ---- JSON ---- */


static size_t json_limit(const struct ms_hist_report_opts *o, size_t n)
{
	return o->top && o->top < n ? o->top : n;
}

/* A list's items one a line, each after a space, as the document has always had them. */
static void item(struct ms_jw *w)
{
	ms_jw_break(w, "\n ");
	ms_jw_object_open(w, NULL);
}

/*
 * Each list of the document: its own array, on a line of its own.  top
 * limits the ranked lists (runs, strings, words), not the regions or the
 * patterns, which are all shown as the text report shows them.
 */
static void json_regions(const struct ms_hist *h, const struct ms_hist_report_opts *o,
			 struct ms_jw *w)
{
	size_t i;

	ms_jw_break(w, "\n");
	ms_jw_array_open(w, "regions");
	for (i = 0; i < ms_hist_region_count(h); i++) {
		const struct ms_hist_region *g = ms_hist_region(h, i);

		item(w);
		ms_jw_hex(w, "start", where(o, g->start));
		ms_jw_u64(w, "length", g->length);
		ms_jw_str(w, "class", ms_block_class_str(g->cls));
		if (g->cls == MS_BLOCK_FILL)
			ms_jw_u64(w, "fill", g->fill);
		if (g->type)
			ms_jw_str(w, "type", g->type);
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

static void json_runs(const struct ms_hist *h, const struct ms_hist_report_opts *o,
		      struct ms_jw *w)
{
	size_t i, n;

	ms_jw_break(w, "\n");
	ms_jw_array_open(w, "runs");
	n = json_limit(o, ms_hist_run_count(h));
	for (i = 0; i < n; i++) {
		const struct ms_hist_run *u = ms_hist_run(h, i);

		item(w);
		ms_jw_u64(w, "byte", u->byte);
		ms_jw_u64(w, "length", u->length);
		ms_jw_bool(w, "bucket", u->bucket);
		ms_jw_u64(w, "count", u->count);
		ms_jw_u64(w, "bytes", u->bytes);
		ms_jw_hex(w, "first", where(o, u->first));
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

static void json_strings(const struct ms_hist *h, const struct ms_hist_report_opts *o,
			 struct ms_jw *w)
{
	size_t i, n;

	ms_jw_break(w, "\n");
	ms_jw_array_open(w, "strings");
	n = json_limit(o, ms_hist_string_count(h));
	for (i = 0; i < n; i++) {
		const struct ms_hist_string *t = ms_hist_string(h, i);

		item(w);
		ms_jw_str(w, "text", t->text);
		ms_jw_str(w, "encoding", t->utf16 ? "utf16le" : "ascii");
		ms_jw_bool(w, "truncated", t->truncated);
		ms_jw_u64(w, "count", t->count);
		ms_jw_u64(w, "bytes", t->bytes);
		ms_jw_hex(w, "first", where(o, t->first));
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

static void json_words(const struct ms_hist *h, const struct ms_hist_report_opts *o,
		       struct ms_jw *w)
{
	size_t i, n;

	ms_jw_break(w, "\n");
	ms_jw_array_open(w, "words");
	n = json_limit(o, ms_hist_word_count(h));
	for (i = 0; i < n; i++) {
		const struct ms_hist_word *x = ms_hist_word(h, i);

		item(w);
		ms_jw_hex(w, "value", x->value);
		ms_jw_u64(w, "count", x->count);
		ms_jw_hex(w, "first", where(o, x->first));
		ms_jw_bool(w, "pointer_like", ms_hist_pointer_like(x->value));
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

static void json_patterns(const struct ms_hist *h, const struct ms_hist_report_opts *o,
			  struct ms_jw *w)
{
	size_t i;

	ms_jw_break(w, "\n");
	ms_jw_array_open(w, "patterns");
	for (i = 0; i < ms_hist_pattern_count(h); i++) {
		const struct ms_pattern *p = ms_hist_pattern(h, i);

		item(w);
		ms_jw_str(w, "pattern", p->text);
		ms_jw_bool(w, "regex", p->regex);
		ms_jw_u64(w, "count", p->count);
		if (p->count)
			ms_jw_hex(w, "first", where(o, p->first));
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

static void json_lists(const struct ms_hist *h, const struct ms_hist_report_opts *o, struct ms_jw *w)
{
	json_regions(h, o, w);
	json_runs(h, o, w);
	json_strings(h, o, w);
	json_words(h, o, w);
	json_patterns(h, o, w);
}

/* The tables JSON names by their MS_HIST_APPROX_* bits. */
static const struct { unsigned bit; const char *name; } approx[] = {
	{ MS_HIST_APPROX_STRINGS, "strings" }, { MS_HIST_APPROX_RUNS, "runs" },
	{ MS_HIST_APPROX_WORDS, "words" }, { MS_HIST_APPROX_REGIONS, "regions" },
	{ MS_HIST_APPROX_SHAPES, "shapes" },
};

/* The tables that sampled once full: {"words": {"one_in": 8, "from": "0x..."}}, {} when none. */
static void json_sampled(struct ms_jw *w, const struct ms_hist *h,
			 const struct ms_hist_report_opts *o)
{
	uint64_t from;
	unsigned k;
	size_t i;

	ms_jw_object_open(w, "sampled");
	/* Only the string and word tables sample: the others give 0. */
	for (i = 0; i < MS_ARRAY_SIZE(approx); i++) {
		if (!(k = ms_hist_sampled(h, approx[i].bit, &from)))
			continue;
		ms_jw_object_open(w, approx[i].name);
		ms_jw_u64(w, "one_in", k);
		ms_jw_hex(w, "from", where(o, from));
		ms_jw_object_close(w);
	}
	ms_jw_object_close(w);
}

int ms_hist_report_json(struct ms_ctx *ctx, const struct ms_hist *h,
			const struct ms_hist_report_opts *o, FILE *fp)
{
	unsigned ap = ms_hist_approximate(h);
	struct ms_hist_record r;
	struct ms_jw w;
	size_t i;
	int rc;

	ms_jw_init(&w, fp);
	ms_jw_object_open(&w, NULL);
	if (o->document)
		ms_jw_memsift_json(&w);
	ms_jw_str(&w, "file", o->name ? o->name : "-");
	if (o->manifest)
		ms_jw_hex(&w, "base", o->manifest->start);
	else
		ms_jw_null(&w, "base");
	ms_jw_u64(&w, "size", ms_hist_size(h));
	ms_jw_u64(&w, "block_size", ms_hist_get_opts(h)->block_size);
	ms_jw_double(&w, "entropy", ms_hist_entropy(h), 4);
	ms_jw_u64(&w, "zero_pages", ms_hist_zero_pages(h));
	ms_jw_break(&w, "\n");
	ms_jw_object_open(&w, "approximate");
	for (i = 0; i < MS_ARRAY_SIZE(approx); i++)
		ms_jw_bool(&w, approx[i].name, ap & approx[i].bit);
	ms_jw_object_close(&w);
	json_sampled(&w, h, o);
	ms_jw_break(&w, "\n");
	ms_jw_array_open(&w, "bytes");
	for (i = 0; i < 256; i++)
		ms_jw_u64(&w, NULL, ms_hist_byte_count(h, (uint8_t)i));
	ms_jw_array_close(&w);
	ms_jw_break(&w, "\n");
	ms_jw_object_open(&w, "blocks");
	for (i = 0; i < MS_BLOCK_NCLASSES; i++) {
		ms_jw_object_open(&w, ms_block_class_str(i));
		ms_jw_u64(&w, "blocks", ms_hist_class_blocks(h, i));
		ms_jw_u64(&w, "bytes", ms_hist_class_bytes(h, i));
		ms_jw_object_close(&w);
	}
	ms_jw_object_close(&w);
	json_lists(h, o, &w);
	ms_jw_break(&w, "\n");
	ms_jw_array_open(&w, "records");
	if (ms_hist_record_get(h, &r) == 0) {
		ms_jw_object_open(&w, NULL);
		ms_jw_u64(&w, "size", r.size);
		ms_jw_u64(&w, "count", r.count);
		ms_jw_hex(&w, "first", where(o, r.first));
		ms_jw_hex(&w, "word", r.word);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	/* The members other modules add (symbols, analysis) write themselves. */
	if (o->json_extra && (rc = o->json_extra(ctx, fp, o->json_extra_data)) < 0)
		return rc;
	ms_jw_object_close(&w);
	fputc('\n', fp);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}

/* ---- --base: what grew between two dumps ---- */

enum { DC_WHAT, DC_OLD, DC_NEW, DC_COUNT_DELTA, DC_DELTA, DC_FIRST };
static const struct ms_out_column delta_cols[] = {
	[DC_WHAT] = { "WHAT", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "the string, run or word" },
	[DC_OLD] = { "COUNT-OLD", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences in the base" },
	[DC_NEW] = { "COUNT-NEW", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "occurrences now" },
	/* "+2,000", as the verdict counts: a string, for the sign and the commas. */
	[DC_COUNT_DELTA] = { "COUNT-DELTA", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_STR, "growth in occurrences" },
	[DC_DELTA] = { "BYTES-DELTA", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth in bytes" },
	[DC_FIRST] = { "FIRST", 12, MS_COL_DEFAULT, MS_COL_HEX, "where the first one is now" },
};

static const char *delta_what(enum ms_hist_delta_kind k, const struct ms_hist_delta *d,
			      char *buf, size_t len)
{
	char b[16];

	if (k == MS_DELTA_STRING)
		snprintf(buf, len, "%s%s", d->utf16 ? "[utf16] " : "", d->text);
	else if (k == MS_DELTA_RUN)
		snprintf(buf, len, "%" PRIu64 " x %s", d->length, ms_byte_str(d->byte, 0, b, sizeof(b)));
	else
		snprintf(buf, len, "0x%016" PRIx64, d->value);
	return buf;
}

int ms_hist_report_diff_print(struct ms_ctx *ctx, const struct ms_hist *old,
			      const struct ms_hist *new, const struct ms_hist_diff *d,
			      const struct ms_hist_report_opts *o, FILE *fp)
{
	static const char *const title[] = { "strings", "runs", "words" };
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], c[MS_SIZE_STR_MAX], what[MS_HIST_STRING_MAX + 32];
	char cd[MS_COUNT_STR_MAX + 1];
	struct ms_out *t;
	size_t i, n;
	int k, cls, rc = 0;

	ms_size_str(ms_hist_size(old), a, sizeof(a));
	ms_size_str(ms_hist_size(new), b, sizeof(b));
	ms_size_delta_str((int64_t)(ms_hist_size(new) - ms_hist_size(old)), c, sizeof(c));
	fprintf(fp, "%s against %s: %s -> %s (%s)\n", o->name ? o->name : "-",
		o->base_name ? o->base_name : "the base", a, b, c);
	fprintf(fp, "\nblocks by class, base -> now:\n");
	for (cls = 0; cls < MS_BLOCK_NCLASSES; cls++) {
		uint64_t x = ms_hist_class_blocks(old, cls), y = ms_hist_class_blocks(new, cls);

		if (x || y)
			fprintf(fp, "  %-9s %8" PRIu64 " -> %-8" PRIu64 " (%+" PRId64 ")\n",
				ms_block_class_str(cls), x, y, (int64_t)(y - x));
	}
	for (k = 0; k < MS_DELTA_NKINDS && rc == 0; k++) {
		n = ms_hist_diff_count(d, k);
		fprintf(fp, "\n%s that changed, most growth first (%zu):\n", title[k], n);
		if (!n)
			continue;
		if ((rc = table_new(ctx, delta_cols, MS_ARRAY_SIZE(delta_cols), title[k], o, &t)) < 0)
			break;
		for (i = 0; i < n && i < top_of(o); i++) {
			const struct ms_hist_delta *e = ms_hist_diff_get(d, k, i);
			struct ms_out_row *r = ms_out_add_row(t);

			ms_out_set_str(r, DC_WHAT, delta_what(k, e, what, sizeof(what)));
			ms_out_set_u64(r, DC_OLD, e->count_old);
			ms_out_set_u64(r, DC_NEW, e->count_new);
			cd[0] = e->count_new >= e->count_old ? '+' : '-';
			ms_count_str(e->count_new >= e->count_old ? e->count_new - e->count_old :
								    e->count_old - e->count_new,
				     cd + 1, sizeof(cd) - 1);
			ms_out_set_str(r, DC_COUNT_DELTA, cd);
			ms_out_set_s64(r, DC_DELTA, (int64_t)(e->bytes_new - e->bytes_old));
			ms_out_set_u64(r, DC_FIRST, where(o, e->first));
		}
		rc = table_print(t, fp);
	}
	if (!rc && ferror(fp))
		rc = ms_err(ctx, -EIO, "write error");
	return rc;
}

int ms_hist_report_diff_json(struct ms_ctx *ctx, const struct ms_hist *old,
			     const struct ms_hist *new, const struct ms_hist_diff *d,
			     const struct ms_hist_report_opts *o, FILE *fp)
{
	static const char *const key[] = { "strings", "runs", "words" };
	struct ms_jw w;
	size_t i, n;
	int k, cls;

	ms_jw_init(&w, fp);
	ms_jw_object_open(&w, NULL);
	ms_jw_str(&w, "file", o->name ? o->name : "-");
	ms_jw_str(&w, "base_file", o->base_name ? o->base_name : "-");
	ms_jw_u64(&w, "size_old", ms_hist_size(old));
	ms_jw_u64(&w, "size", ms_hist_size(new));
	ms_jw_break(&w, "\n");
	ms_jw_object_open(&w, "blocks");
	for (cls = 0; cls < MS_BLOCK_NCLASSES; cls++) {
		ms_jw_object_open(&w, ms_block_class_str(cls));
		ms_jw_u64(&w, "blocks_old", ms_hist_class_blocks(old, cls));
		ms_jw_u64(&w, "blocks", ms_hist_class_blocks(new, cls));
		ms_jw_object_close(&w);
	}
	ms_jw_object_close(&w);
	for (k = 0; k < MS_DELTA_NKINDS; k++) {
		n = json_limit(o, ms_hist_diff_count(d, k));
		ms_jw_break(&w, "\n");
		ms_jw_array_open(&w, key[k]);
		for (i = 0; i < n; i++) {
			const struct ms_hist_delta *e = ms_hist_diff_get(d, k, i);

			ms_jw_object_open(&w, NULL);
			if (k == MS_DELTA_STRING) {
				ms_jw_str(&w, "text", e->text);
				ms_jw_bool(&w, "utf16", e->utf16);
			} else if (k == MS_DELTA_RUN) {
				ms_jw_u64(&w, "byte", e->byte);
				ms_jw_u64(&w, "length", e->length);
			} else {
				ms_jw_hex(&w, "value", e->value);
			}
			ms_jw_u64(&w, "count_old", e->count_old);
			ms_jw_u64(&w, "count", e->count_new);
			ms_jw_u64(&w, "bytes_old", e->bytes_old);
			ms_jw_u64(&w, "bytes", e->bytes_new);
			ms_jw_hex(&w, "first", where(o, e->first));
			ms_jw_object_close(&w);
		}
		ms_jw_array_close(&w);
	}
	if (o->json_extra && (k = o->json_extra(ctx, fp, o->json_extra_data)) < 0)
		return k;
	ms_jw_object_close(&w);
	fputc('\n', fp);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}
