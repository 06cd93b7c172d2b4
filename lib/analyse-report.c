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
#include <memsift/jsonwrt.h>
#include <memsift/output.h>

#include <memsift/goheap.h>

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

/*
 * A Go object the runtime's spans gave and its pointers typed:
 * "`[]uint8` of 10240 bytes filled with 'a', held by a `[][]uint8` backing
 * array"; its size is its size class.
 */
static void go_object_str(const struct ms_cluster *c, FILE *fp)
{
	fprintf(fp, "`%s` of %" PRIu64 " bytes", c->type_name, c->size);
	if (c->content != MS_CONTENT_POINTERS && c->content != MS_CONTENT_BINARY)
		content_str(c, fp);
	if (!strncmp(c->holder, "var ", 4))
		fprintf(fp, ", held by the global %s", c->holder + 4);
	else if (!strncmp(c->holder, "[]", 2))
		fprintf(fp, ", held by a `%s` backing array", c->holder);
	else if (c->holder[0])
		fprintf(fp, ", held by a `%s`", c->holder);
}

/* "80-byte objects (magic CONFREC) → on_reload at svc.c:40 (word 1 of 100% of them)". */
static void object_str(const struct ms_cluster *c, bool plural, FILE *fp)
{
	const char *type = type_of(c);

	if (c->finder == MS_FIND_GO_SPAN && c->type_name[0]) {
		go_object_str(c, fp);
		return;
	}
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
	/* Go's objects: where they live, the heap however many mappings it was split into. */
	for (i = 0; i < n && a->go; i++)
		if (cl[i].cluster->finder == MS_FIND_GO_SPAN) {
			fprintf(fp, " [in the Go heap: %zu mapping%s, %s mapped]", a->go_maps,
				a->go_maps == 1 ? "" : "s", ms_size_str(a->go_mapped, d, sizeof(d)));
			break;
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

static void json_sym(const struct ms_cluster *c, struct ms_jw *w)
{
	if (!c->name && c->type_name[0]) {
		ms_jw_str(w, "name", c->type_name);
		ms_jw_str(w, "name_kind", "runtime-type");
		ms_jw_s64(w, "name_offset", c->name_offset);
		ms_jw_u64(w, "name_share", 1);
		ms_jw_null(w, "file");
		ms_jw_u64(w, "line", 0);
		ms_jw_null(w, "module");
		return;
	}
	if (!c->name || c->name_offset < 0) {
		ms_jw_null(w, "name");
		ms_jw_null(w, "name_kind");
		ms_jw_null(w, "name_offset");
		ms_jw_null(w, "name_share");
		ms_jw_null(w, "file");
		ms_jw_u64(w, "line", 0);
		return;
	}
	ms_jw_str(w, "name", type_of(c) ? type_of(c) : c->name->name);
	ms_jw_str(w, "name_kind", ms_sym_kind_str(c->name->kind));
	ms_jw_s64(w, "name_offset", c->name_offset);
	/* Every object of the cluster carries its name: that is what made it one cluster. */
	ms_jw_u64(w, "name_share", 1);
	ms_jw_str(w, "file", c->name->file);
	ms_jw_s64(w, "line", c->name->line);
	ms_jw_str(w, "module", c->name->module);
}

/* A string, or null when S is empty. */
static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static void json_cluster(const struct ms_analysis *a, const struct ms_cluster *c, struct ms_jw *w)
{
	const struct ms_cluster *r = ms_clusters_referrer(a->clusters, c);
	char fill[8];

	ms_jw_object_open(w, NULL);
	ms_jw_u64(w, "size", c->size);
	ms_jw_u64(w, "count", c->count);
	ms_jw_u64(w, "bytes", c->bytes);
	if (c->has_delta)
		ms_jw_s64(w, "delta", c->delta);
	else
		ms_jw_null(w, "delta");
	ms_jw_double(w, "size_share", c->share, 4);
	ms_jw_str(w, "finder", ms_finder_str(c->finder));
	ms_jw_str(w, "content", ms_content_str(c->content));
	snprintf(fill, sizeof(fill), "0x%02x", c->fill & 0xff);
	ms_jw_str(w, "fill", c->fill >= 0 ? fill : NULL);
	ms_jw_str(w, "shape", or_null(c->shape));
	ms_jw_str(w, "magic", or_null(c->magic));
	json_sym(c, w);
	ms_jw_str(w, "type", or_null(c->type_name));
	ms_jw_str(w, "holder", or_null(c->holder));
	if (r) {
		ms_jw_object_open(w, "referrer");
		ms_jw_u64(w, "cluster", ms_clusters_rank(a->clusters, r));
		ms_jw_s64(w, "offset", c->ref_offset);
		ms_jw_double(w, "share", c->ref_share, 4);
		ms_jw_object_close(w);
	} else {
		ms_jw_null(w, "referrer");
	}
	ms_jw_object_close(w);
}

/* "go": what the Go runtime's books said, or null for no Go program. */
static void go_json(const struct ms_analysis *a, struct ms_jw *w)
{
	static const char *const unknown[] = { "layout", "spans", "live_bytes", "span_bytes", "typed",
					       "arenas", "mappings", "mapped" };
	size_t i;

	if (!a->go && !a->go_version[0]) {
		ms_jw_null(w, "go");
		return;
	}
	ms_jw_object_open(w, "go");
	ms_jw_str(w, "version", or_null(a->go_version));
	if (!a->go) {
		for (i = 0; i < MS_ARRAY_SIZE(unknown); i++)
			ms_jw_null(w, unknown[i]);
	} else {
		ms_jw_str(w, "layout", ms_goheap_layout(a->go));
		ms_jw_u64(w, "spans", ms_goheap_span_count(a->go));
		ms_jw_u64(w, "live_bytes", ms_goheap_live_bytes(a->go));
		ms_jw_u64(w, "span_bytes", ms_goheap_span_bytes(a->go));
		ms_jw_u64(w, "typed", ms_goheap_typed(a->go));
		ms_jw_u64(w, "arenas", ms_goheap_arena_count(a->go));
		ms_jw_u64(w, "mappings", a->go_maps);
		ms_jw_u64(w, "mapped", a->go_mapped);
	}
	ms_jw_object_close(w);
}

static const char *confidence(const struct ms_cluster *c)
{
	if (!named(c))
		return "unnamed";
	/* Found by signature, an object's size is its slab's stride: a guess. */
	return c->finder != MS_FIND_SIGNATURE ? "high" : "medium";
}

/* "objects": the allocator, its evidence, the ranges and the notes. */
static void json_objects(const struct ms_analysis *a, struct ms_jw *w)
{
	uint64_t objs = 0, bytes = 0;
	size_t i;

	for (i = 0; i < a->nranges; i++) {
		objs += a->ranges[i].objects;
		bytes += a->ranges[i].bytes;
	}
	ms_jw_object_open(w, "objects");
	ms_jw_str(w, "allocator", ms_allocator_str(a->alloc));
	ms_jw_str(w, "evidence", a->alloc_why);
	ms_jw_u64(w, "count", objs);
	ms_jw_u64(w, "bytes", bytes);
	go_json(a, w);
	ms_jw_array_open(w, "ranges");
	for (i = 0; i < a->nranges; i++) {
		const struct ms_objrange *r = &a->ranges[i];

		ms_jw_object_open(w, NULL);
		ms_jw_hex(w, "start", r->start);
		ms_jw_hex(w, "end", r->end);
		ms_jw_str(w, "finder", ms_finder_str(r->finder));
		ms_jw_u64(w, "objects", r->objects);
		ms_jw_u64(w, "bytes", r->bytes);
		ms_jw_str(w, "note", or_null(r->note));
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
	ms_jw_array_open(w, "notes");
	for (i = 0; i < a->nnotes; i++)
		ms_jw_str(w, NULL, a->notes[i]);
	ms_jw_array_close(w);
	ms_jw_object_close(w);
}

/* One clause of the verdict: its cluster, named as the sentence names it. */
static void json_clause(const struct ms_analysis *a, const struct ms_clause *cl, bool first,
			struct ms_jw *w)
{
	const struct ms_cluster *c = cl->cluster;
	const char *name = NULL;

	if (c->name && c->name_offset >= 0)
		name = type_of(c) ? type_of(c) : c->name->name;
	else if (c->type_name[0])
		name = c->type_name;
	ms_jw_object_open(w, NULL);
	ms_jw_u64(w, "cluster", ms_clusters_rank(a->clusters, c));
	ms_jw_u64(w, "count", c->count);
	if (c->has_delta)
		ms_jw_s64(w, "delta", c->delta);
	else
		ms_jw_null(w, "delta");
	ms_jw_u64(w, "size", c->size);
	ms_jw_str(w, "content", ms_content_str(c->content));
	ms_jw_str(w, "name", name);
	ms_jw_str(w, "magic", or_null(c->magic));
	ms_jw_u64(w, "share", named(c) ? 1 : 0);
	ms_jw_double(w, "size_share", c->share, 4);
	ms_jw_str(w, "confidence", confidence(c));
	if (cl->payload)
		ms_jw_u64(w, "payload", ms_clusters_rank(a->clusters, cl->payload));
	else
		ms_jw_null(w, "payload");
	if (!first)
		ms_jw_double(w, "ratio", cl->ratio, 3);
	else
		ms_jw_null(w, "ratio");
	ms_jw_object_close(w);
}

/* "verdict": STATUS, the sentence, its clauses, V8's share. */
static int json_verdict(struct ms_ctx *ctx, const struct ms_analysis *a, const char *status,
			struct ms_jw *w)
{
	struct ms_clause cl[CLAUSES_MAX];
	char *text = NULL;
	size_t tlen = 0, i, n;
	FILE *mf = open_memstream(&text, &tlen);

	if (!mf)
		return ms_err(ctx, -ENOMEM, "out of memory");
	ms_analysis_verdict(ctx, a, mf);
	fclose(mf);
	ms_jw_object_open(w, "verdict");
	ms_jw_str(w, "status", status);
	ms_jw_str(w, "text", text ? text : "");
	free(text);
	ms_jw_array_open(w, "clauses");
	n = ms_analysis_clauses(a, cl, CLAUSES_MAX);
	for (i = 0; i < n; i++)
		json_clause(a, &cl[i], i == 0, w);
	ms_jw_array_close(w);
	/* V8's pages: bytes in the dump, and their growth once diffed. */
	if (a->v8)
		ms_jw_u64(w, "v8_bytes", a->v8_bytes);
	else
		ms_jw_null(w, "v8_bytes");
	if (a->v8 && a->diffed)
		ms_jw_s64(w, "v8_growth", a->v8_growth);
	else
		ms_jw_null(w, "v8_growth");
	ms_jw_object_close(w);
	return 0;
}

int ms_analysis_json(struct ms_ctx *ctx, const struct ms_analysis *a, const char *status,
		     unsigned top, FILE *fp)
{
	size_t i, shown = 0;
	struct ms_jw w;
	int rc;

	/* analysis.json's members, added to the object the caller opened. */
	ms_jw_init_in_object(&w, fp, true);
	json_objects(a, &w);
	ms_jw_array_open(&w, "clusters");
	for (i = 0; a->clusters && i < ms_clusters_count(a->clusters); i++) {
		const struct ms_cluster *c = ms_clusters_get(a->clusters, i);

		if ((top && shown >= top) || (!top && c->count < 2 && !(c->has_delta && c->delta)))
			continue;
		shown++;
		json_cluster(a, c, &w);
	}
	ms_jw_array_close(&w);
	if (status && (rc = json_verdict(ctx, a, status, &w)) < 0)
		return rc;
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
