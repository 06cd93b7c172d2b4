// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The analysis presented: the verdict sentence built from clusters alone,
 * the clusters as a table, and the analysis's JSON members.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/analyse.h>
#include <memsift/output.h>

#include "analyse-private.h"
#include "internal.h"

/*
 * A clause needs this many objects, and this share of the first clause's
 * growth in bytes or in objects: a family of small records leaking beside
 * big buffers is still told.
 */
#define CLAUSE_MIN_OBJECTS 32
#define CLAUSE_MIN_SHARE 0.005
#define CLAUSE_MIN_COUNT_SHARE 0.1
#define CLAUSES_MAX 3

/* S as a JSON string, or null when there is none. */
static void json_str_or_null(FILE *fp, const char *s)
{
	if (s)
		ms_json_str(fp, s);
	else
		fputs("null", fp);
}

static uint64_t growth(const struct ms_analysis *a, const struct ms_cluster *c)
{
	if (!a->diffed)
		return c->count;
	return c->delta > 0 ? (uint64_t)c->delta : 0;
}

static bool named(const struct ms_cluster *c)
{
	return (c->name && c->name_offset >= 0) || c->type_name[0] || c->magic[0];
}

static bool told(const struct ms_cluster *const *done, size_t n, const struct ms_cluster *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (done[i] == c)
			return true;
	return false;
}

/* The cluster whose objects point at C's, when most do. */
static const struct ms_cluster *owner_of(const struct ms_analysis *a, const struct ms_cluster *c)
{
	const struct ms_cluster *r = ms_clusters_referrer(a->clusters, c);

	return r && c->ref_share >= 0.5 && named(r) ? r : NULL;
}

/* The cluster most of whose objects C's objects point at. */
static const struct ms_cluster *payload_of(const struct ms_analysis *a, const struct ms_cluster *c)
{
	size_t i;

	for (i = 0; i < ms_clusters_count(a->clusters); i++) {
		const struct ms_cluster *p = ms_clusters_get(a->clusters, i);

		if (p != c && p->content != MS_CONTENT_ZERO && owner_of(a, p) == c)
			return p;
	}
	return NULL;
}

size_t ms_analysis_clauses(const struct ms_analysis *a, struct ms_clause *cl, size_t max)
{
	const struct ms_cluster *done[2 * CLAUSES_MAX + 2];
	uint64_t first_bytes = 0, first_growth = 0;
	size_t i, n = 0, nd = 0;

	if (max > CLAUSES_MAX)
		max = CLAUSES_MAX;
	for (i = 0; a->clusters && i < ms_clusters_count(a->clusters) && n < max; i++) {
		const struct ms_cluster *c = ms_clusters_get(a->clusters, i), *own, *pay;
		uint64_t g = growth(a, c);

		if (c->content == MS_CONTENT_ZERO || g < CLAUSE_MIN_OBJECTS || told(done, nd, c))
			continue;
		/* Told with its owner, the record that names it. */
		own = owner_of(a, c);
		if (own && !told(done, nd, own) && own->content != MS_CONTENT_ZERO) {
			pay = c;
			c = own;
			g = growth(a, c) ? growth(a, c) : g;
		} else {
			pay = payload_of(a, c);
			own = NULL;
			if (pay && told(done, nd, pay))
				pay = NULL;
		}
		if (n && (double)(g * c->size + (pay ? g * pay->size : 0)) <
				 CLAUSE_MIN_SHARE * (double)first_bytes &&
		    (double)g < CLAUSE_MIN_COUNT_SHARE * (double)first_growth)
			continue;
		cl[n] = (struct ms_clause){ c, NULL, pay, n ? (double)first_growth / (double)g : 0 };
		if (!n) {
			first_bytes = g * c->size + (pay ? g * pay->size : 0);
			first_growth = g;
		}
		done[nd++] = c;
		if (pay)
			done[nd++] = pay;
		n++;
	}
	return n;
}

/* The cluster's content in words: "text \"GET /#\"", "filled with 'C'". */
static void content_str(const struct ms_cluster *c, FILE *fp)
{
	char b[MS_BYTE_STR_MAX];

	switch (c->content) {
	case MS_CONTENT_TEXT:
		fprintf(fp, " of text \"%s\"", c->shape);
		break;
	case MS_CONTENT_FILL:
		fprintf(fp, " filled with %s", ms_byte_str((unsigned char)c->fill, MS_BYTE_SHORT, b, sizeof(b)));
		break;
	case MS_CONTENT_POINTERS:
		fputs(" of pointers", fp);
		break;
	case MS_CONTENT_BINARY:
		fputs(" of binary data", fp);
		break;
	case MS_CONTENT_ZERO:
		fputs(" never written (zero)", fp);
		break;
	}
}

static const char *type_of(const struct ms_cluster *c)
{
	static const char prefix[] = "vtable for ";

	if (c->name && c->name->kind == MS_SYM_VTABLE &&
	    !strncmp(c->name->name, prefix, sizeof(prefix) - 1))
		return c->name->name + sizeof(prefix) - 1;
	return NULL;
}

/* "80-byte objects (magic CONFREC) → on_reload at svc.c:40 (word 1 of 100% of them)". */
static void object_str(const struct ms_cluster *c, bool plural, FILE *fp)
{
	const char *type = type_of(c);

	fprintf(fp, "%" PRIu64 "-byte%s object%s", c->size,
		c->finder == MS_FIND_SIGNATURE ? " (stride)" : "", plural ? "s" : "");
	if (type)
		fprintf(fp, " of type %s", type);
	if (c->magic[0])
		fprintf(fp, " (magic %s)", c->magic);
	if (c->content != MS_CONTENT_POINTERS && c->content != MS_CONTENT_BINARY)
		content_str(c, fp);
	if (c->name && c->name_offset >= 0 && !type) {
		fprintf(fp, " → %s", c->name->name);
		if (c->name->file && c->name->line)
			fprintf(fp, " at %s:%d", c->name->file, c->name->line);
		if (c->name->kind != MS_SYM_TEXT)
			fprintf(fp, " (%s)", ms_sym_kind_str(c->name->kind));
	}
	if (!c->name && c->type_name[0])
		fprintf(fp, " of type %s", c->type_name);
	if ((c->name || c->type_name[0]) && c->name_offset >= 0)
		fprintf(fp, " (word at offset %d in each)", c->name_offset);
	else if (!c->magic[0] && !c->type_name[0] && c->content != MS_CONTENT_TEXT &&
		 c->content != MS_CONTENT_FILL)
		fprintf(fp, ", unnamed (%s)", ms_content_str(c->content));
}

size_t ms_analysis_verdict(struct ms_ctx *ctx, const struct ms_analysis *a, FILE *fp)
{
	struct ms_clause cl[CLAUSES_MAX];
	size_t n = ms_analysis_clauses(a, cl, CLAUSES_MAX), i;
	char t[32], d[32];
	bool guessed = false, v8 = false;

	(void)ctx;
	/*
	 * JS objects are V8's and not walked: when its pages grew more than
	 * the first clause's objects, that is said first, or a Node leak
	 * would be told as the malloc chunks beside it.
	 */
	if (a->diffed && a->v8_growth > 0 &&
	    (!n || (uint64_t)a->v8_growth > growth(a, cl[0].cluster) * cl[0].cluster->size)) {
		fprintf(fp, "V8's heap, +%s in one interval (JS objects: not walked, only their one-byte strings are named)",
			ms_size_str((uint64_t)a->v8_growth, d, sizeof(d)));
		v8 = true;
	}
	for (i = 0; i < n; i++) {
		const struct ms_cluster *c = cl[i].cluster;

		fprintf(fp, "%s%s × ", i || v8 ? "; " : "", ms_count_str(c->count, t, sizeof(t)));
		object_str(c, true, fp);
		/* Where they live: CPython's arenas grow, not [heap]. */
		if (c->finder == MS_FIND_PYMALLOC)
			fputs(" in pymalloc arenas", fp);
		if (cl[i].payload) {
			fputs(", each pointing to a ", fp);
			object_str(cl[i].payload, false, fp);
		}
		if (a->diffed)
			fprintf(fp, ", +%s in one interval", ms_count_str(growth(a, c), d, sizeof(d)));
		if (i)
			fprintf(fp, " (%.1f : 1)", cl[i].ratio);
		guessed |= c->finder == MS_FIND_SIGNATURE ||
			   (cl[i].payload && cl[i].payload->finder == MS_FIND_SIGNATURE);
	}
	/* How sure: a walked heap gives exact sizes; a signature only its count. */
	if (guessed && a->alloc != MS_ALLOC_GLIBC && a->alloc != MS_ALLOC_UNKNOWN)
		fprintf(fp, " [found by signature in %s's heap: counts are exact, sizes are the slab's stride]",
			ms_allocator_str(a->alloc));
	else if (guessed)
		fputs(" [found by signature in memory of no known heap layout: counts are exact, sizes are a stride]",
		      fp);
	return n + v8;
}

static void json_sym(const struct ms_cluster *c, FILE *fp)
{
	if (!c->name && c->type_name[0]) {
		fputs(",\"name\":", fp);
		ms_json_str(fp, c->type_name);
		fprintf(fp, ",\"name_kind\":\"runtime-type\",\"name_offset\":%d,\"name_share\":1,\"file\":null,\"line\":0,\"module\":null",
			c->name_offset);
		return;
	}
	if (!c->name || c->name_offset < 0) {
		fputs(",\"name\":null,\"name_kind\":null,\"name_offset\":null,\"name_share\":null,\"file\":null,\"line\":0",
		      fp);
		return;
	}
	fputs(",\"name\":", fp);
	ms_json_str(fp, type_of(c) ? type_of(c) : c->name->name);
	/* Every object of the cluster carries its name: that is what made it one cluster. */
	fprintf(fp, ",\"name_kind\":\"%s\",\"name_offset\":%d,\"name_share\":1,\"file\":",
		ms_sym_kind_str(c->name->kind), c->name_offset);
	json_str_or_null(fp, c->name->file);
	fprintf(fp, ",\"line\":%d,\"module\":", c->name->line);
	json_str_or_null(fp, c->name->module);
}

static void json_cluster(const struct ms_analysis *a, const struct ms_cluster *c, FILE *fp)
{
	const struct ms_cluster *r = ms_clusters_referrer(a->clusters, c);

	fprintf(fp, "{\"size\":%" PRIu64 ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"delta\":",
		c->size, c->count, c->bytes);
	if (c->has_delta)
		fprintf(fp, "%" PRId64, c->delta);
	else
		fputs("null", fp);
	fprintf(fp, ",\"size_share\":%.4f,\"finder\":\"%s\",\"content\":\"%s\",\"fill\":",
		c->share, ms_finder_str(c->finder), ms_content_str(c->content));
	if (c->fill >= 0)
		fprintf(fp, "\"0x%02x\"", c->fill);
	else
		fputs("null", fp);
	fputs(",\"shape\":", fp);
	json_str_or_null(fp, c->shape[0] ? c->shape : NULL);
	fputs(",\"magic\":", fp);
	json_str_or_null(fp, c->magic[0] ? c->magic : NULL);
	json_sym(c, fp);
	fputs(",\"referrer\":", fp);
	if (r)
		fprintf(fp, "{\"cluster\":%zu,\"offset\":%d,\"share\":%.4f}",
			ms_clusters_rank(a->clusters, r), c->ref_offset, c->ref_share);
	else
		fputs("null", fp);
	fputc('}', fp);
}

static const char *confidence(const struct ms_cluster *c)
{
	if (!named(c))
		return "unnamed";
	/* Found by signature, an object's size is its slab's stride: a guess. */
	return c->finder != MS_FIND_SIGNATURE ? "high" : "medium";
}

int ms_analysis_json(struct ms_ctx *ctx, const struct ms_analysis *a, const char *status,
		     unsigned top, FILE *fp)
{
	struct ms_clause cl[CLAUSES_MAX];
	size_t i, n, shown = 0;
	uint64_t objs = 0, bytes = 0;

	for (i = 0; i < a->nranges; i++) {
		objs += a->ranges[i].objects;
		bytes += a->ranges[i].bytes;
	}
	fprintf(fp, ",\"objects\":{\"allocator\":\"%s\",\"evidence\":", ms_allocator_str(a->alloc));
	ms_json_str(fp, a->alloc_why);
	fprintf(fp, ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"ranges\":[", objs, bytes);
	for (i = 0; i < a->nranges; i++) {
		const struct ms_objrange *r = &a->ranges[i];

		fprintf(fp, "%s{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"finder\":\"%s\",\"objects\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"note\":",
			i ? "," : "", r->start, r->end, ms_finder_str(r->finder), r->objects, r->bytes);
		json_str_or_null(fp, r->note[0] ? r->note : NULL);
		fputc('}', fp);
	}
	fputs("],\"notes\":[", fp);
	for (i = 0; i < a->nnotes; i++) {
		fputs(i ? "," : "", fp);
		ms_json_str(fp, a->notes[i]);
	}
	fputs("]},\"clusters\":[", fp);
	for (i = 0; a->clusters && i < ms_clusters_count(a->clusters); i++) {
		const struct ms_cluster *c = ms_clusters_get(a->clusters, i);

		if ((top && shown >= top) || (!top && c->count < 2 && !(c->has_delta && c->delta)))
			continue;
		fputs(shown++ ? "," : "", fp);
		json_cluster(a, c, fp);
	}
	fputc(']', fp);
	if (status) {
		char *text = NULL;
		size_t tlen = 0;
		FILE *mf = open_memstream(&text, &tlen);

		if (!mf)
			return ms_err(ctx, -ENOMEM, "out of memory");
		ms_analysis_verdict(ctx, a, mf);
		fclose(mf);
		fputs(",\"verdict\":{\"status\":", fp);
		ms_json_str(fp, status);
		fputs(",\"text\":", fp);
		ms_json_str(fp, text ? text : "");
		free(text);
		fputs(",\"clauses\":[", fp);
		n = ms_analysis_clauses(a, cl, CLAUSES_MAX);
		for (i = 0; i < n; i++) {
			const struct ms_cluster *c = cl[i].cluster;

			fprintf(fp, "%s{\"cluster\":%zu,\"count\":%" PRIu64 ",\"delta\":", i ? "," : "",
				ms_clusters_rank(a->clusters, c), c->count);
			if (c->has_delta)
				fprintf(fp, "%" PRId64, c->delta);
			else
				fputs("null", fp);
			fprintf(fp, ",\"size\":%" PRIu64 ",\"content\":\"%s\",\"name\":", c->size,
				ms_content_str(c->content));
			if (c->name && c->name_offset >= 0)
				ms_json_str(fp, type_of(c) ? type_of(c) : c->name->name);
			else if (c->type_name[0])
				ms_json_str(fp, c->type_name);
			else
				fputs("null", fp);
			fprintf(fp, ",\"magic\":");
			json_str_or_null(fp, c->magic[0] ? c->magic : NULL);
			fprintf(fp, ",\"share\":%d,\"size_share\":%.4f,\"confidence\":\"%s\",\"payload\":",
				named(c) ? 1 : 0, c->share, confidence(c));
			if (cl[i].payload)
				fprintf(fp, "%zu", ms_clusters_rank(a->clusters, cl[i].payload));
			else
				fputs("null", fp);
			fputs(",\"ratio\":", fp);
			if (i)
				fprintf(fp, "%.3f", cl[i].ratio);
			else
				fputs("null", fp);
			fputc('}', fp);
		}
		/* V8's pages: bytes in the dump, and their growth once diffed. */
		fputs("],\"v8_bytes\":", fp);
		if (a->v8)
			fprintf(fp, "%" PRIu64 ",\"v8_growth\":", a->v8_bytes);
		else
			fputs("null,\"v8_growth\":", fp);
		if (a->v8 && a->diffed)
			fprintf(fp, "%" PRId64 "}", a->v8_growth);
		else
			fputs("null}", fp);
	}
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}

int ms_analysis_print(struct ms_ctx *ctx, const struct ms_analysis *a, unsigned top, FILE *fp)
{
	char t[32], s[MS_SIZE_STR_MAX];
	uint64_t objs = 0, v8_strings = 0;
	size_t i, v8_ranges = 0;

	if (!top)
		top = 10;
	for (i = 0; i < a->nranges; i++)
		objs += a->ranges[i].objects;
	fprintf(fp, "\nObjects: %s found; allocator %s (%s)\n", ms_count_str(objs, t, sizeof(t)),
		ms_allocator_str(a->alloc), a->alloc_why);
	for (i = 0; i < a->nranges; i++) {
		const struct ms_objrange *r = &a->ranges[i];

		/* V8's pages are hundreds of ranges alike: one line for them all, below. */
		if (r->finder == MS_FIND_V8) {
			v8_ranges++;
			v8_strings += r->objects;
			continue;
		}
		fprintf(fp, "  0x%" PRIx64 "-0x%" PRIx64 " %-11s %10s objects%s%s\n", r->start, r->end,
			ms_finder_str(r->finder), ms_count_str(r->objects, t, sizeof(t)),
			r->note[0] ? "  " : "", r->note);
	}
	if (v8_ranges)
		fprintf(fp, "  V8's heap: %zu ranges of pages with MemoryChunk headers, %s, %s one-byte strings found; no other JS object walked\n",
			v8_ranges, ms_size_str(a->v8_bytes, s, sizeof(s)),
			ms_count_str(v8_strings, t, sizeof(t)));
	for (i = 0; i < a->nnotes; i++)
		fprintf(fp, "  note: %s\n", a->notes[i]);
	fprintf(fp, "\nClusters (size and signature), %s:\n%6s %10s %8s %9s  %s\n",
		a->diffed ? "most growth first" : "most bytes first", "SIZE", "COUNT",
		a->diffed ? "GROWTH" : "", "BYTES", "WHAT");
	for (i = 0; a->clusters && i < ms_clusters_count(a->clusters) && i < top; i++) {
		const struct ms_cluster *c = ms_clusters_get(a->clusters, i);
		const struct ms_cluster *r = ms_clusters_referrer(a->clusters, c);
		char g[32] = "";

		if (c->has_delta)
			snprintf(g, sizeof(g), "%+" PRId64, c->delta);
		fprintf(fp, "%6" PRIu64 " %10s %8s %9s  ", c->size, ms_count_str(c->count, t, sizeof(t)), g,
			ms_size_str(c->bytes, s, sizeof(s)));
		object_str(c, true, fp);
		if (r)
			fprintf(fp, "; pointed to by #%zu at offset %d (%.0f%%)",
				ms_clusters_rank(a->clusters, r) + 1, c->ref_offset, c->ref_share * 100);
		fputc('\n', fp);
	}
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}
