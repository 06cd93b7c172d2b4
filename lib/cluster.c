// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Objects grouped by size and signature.  Each object's features come from
 * its own bytes in one look; clusters are a hash table keyed by size and
 * signature, so the cost is one probe per object and a symbol lookup per
 * word of its first 64 bytes (cached by the symbolizer).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/cluster.h>

#include "hash.h"
#include "internal.h"
#include "util.h"

/* Words of an object looked at for its naming pointer and its pointer links. */
#define HEAD_BYTES 64
/* Objects and links kept to find which cluster points at which. */
#define MAX_OBJS (8u << 20)
#define MAX_REFS (4u << 20)

struct obj_at {
	uint64_t addr;
	uint32_t cluster;
};

struct ref {
	uint64_t target;
	uint32_t cluster;
	uint32_t offset;
};

struct size_total {
	uint64_t size, count;
};

struct ms_clusters {
	struct ms_symbols *syms;
	ms_cluster_namer namer;
	void *namer_data;
	struct ms_cluster *cl;
	size_t n, cap;
	size_t *slot;		/* key -> index + 1 */
	size_t slots;
	uint32_t *order;	/* rank -> index */
	uint32_t *inv;		/* index -> rank */
	uint64_t objects;
	uint64_t last_key;	/* of the last object added, 0: uncounted */
	bool approx;

	struct obj_at *objs;
	size_t nobjs, capobjs;
	struct ref *refs;
	size_t nrefs, caprefs;

	struct size_total *sizes;	/* objects per size, for shares */
	size_t nsizes, capsizes;
};

const char *ms_content_str(enum ms_content c)
{
	static const char *const names[] = { "zero", "fill", "text", "pointers", "binary" };

	return (unsigned)c < MS_ARRAY_SIZE(names) ? names[c] : "binary";
}

void ms_clusters_set_namer(struct ms_clusters *c, ms_cluster_namer fn, void *data)
{
	c->namer = fn;
	c->namer_data = data;
}

int ms_clusters_new(struct ms_ctx *ctx, struct ms_symbols *syms, struct ms_clusters **out)
{
	struct ms_clusters *c = calloc(1, sizeof(*c));

	if (!c)
		return ms_err(ctx, -ENOMEM, "out of memory");
	c->syms = syms;
	c->slots = 1024;
	c->slot = calloc(c->slots, sizeof(*c->slot));
	if (!c->slot) {
		free(c);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

void ms_clusters_free(struct ms_clusters *c)
{
	if (!c)
		return;
	free(c->cl);
	free(c->slot);
	free(c->order);
	free(c->inv);
	free(c->objs);
	free(c->refs);
	free(c->sizes);
	free(c);
}

/*
 * ASCII classes for the shapes, as the C locale has them: a byte from 0x80
 * is none, as in a UTF-8 locale.  A table, not isalnum() and isxdigit():
 * a full string table's evictions are shaped by the hundred thousand.
 */
enum { SH_ALNUM = 1, SH_DIGIT = 2, SH_XDIGIT = 4 };
static const unsigned char sh_class[256] = {
	['0' ... '9'] = SH_ALNUM | SH_DIGIT | SH_XDIGIT,
	['a' ... 'f'] = SH_ALNUM | SH_XDIGIT, ['A' ... 'F'] = SH_ALNUM | SH_XDIGIT,
	['g' ... 'z'] = SH_ALNUM, ['G' ... 'Z'] = SH_ALNUM,
};

/* Whether the N bytes at U are all hex digits. */
static bool hex_run(const unsigned char *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(sh_class[u[i]] & SH_XDIGIT))
			return false;
	return true;
}

/*
 * ms_text_shape()'s work: the shape's length is returned, so that its hash
 * needs no strlen().  The words are copied a byte at a time: most are a few
 * bytes long, shorter than a call to memcpy() costs.
 */
static size_t shape_into(const char *s, size_t len, char *out, size_t outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, j, end;
	unsigned all, any, c;

	if (!outlen)
		return 0;
	while (i < len && u[i] && o + 1 < outlen) {
		c = sh_class[u[i]];
		if (!(c & SH_ALNUM)) {
			out[o++] = s[i++];
			continue;
		}
		/* The word [i, j): all hex digits? any decimal digit? */
		for (j = i, all = SH_XDIGIT, any = 0; j < len && (c = sh_class[u[j]]) & SH_ALNUM; j++) {
			all &= c;
			any |= c;
		}
		/* Hex with a digit among them ("cafe" is a word), or 0x and hex: 0x1f is a number as 1f is. */
		if ((all && (any & SH_DIGIT)) ||
		    (j - i > 2 && u[i] == '0' && (u[i + 1] | 0x20) == 'x' && hex_run(u + i + 2, j - i - 2))) {
			out[o++] = '#';
			i = j;
			continue;
		}
		if (sh_class[u[i]] & SH_DIGIT) {
			out[o++] = '#';
			while (i < j && (sh_class[u[i]] & SH_DIGIT))
				i++;
		}
		end = j - i < outlen - 1 - o ? o + (j - i) : outlen - 1;
		while (o < end)
			out[o++] = s[i++];
		i = j;
	}
	out[o] = '\0';
	return o;
}

char *ms_text_shape(const char *s, size_t len, char *out, size_t outlen)
{
	shape_into(s, len, out, outlen);
	return out;
}

uint64_t ms_text_shape_keyed(const char *s, size_t len, char *out)
{
	return ms_hash_words(out, shape_into(s, len, out, MS_SHAPE_MAX), 0);
}

uint64_t ms_text_shape_hash(const char *s, size_t len)
{
	char shape[MS_SHAPE_MAX];

	return ms_text_shape_keyed(s, len, shape);
}

static bool magic_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
}

/* The first 8 bytes as a magic word: 3 to 7 name characters then NULs, or 8 of them. */
static bool magic_of(const unsigned char *d, size_t len, char *out)
{
	size_t k = 0, i;

	if (len < 8)
		return false;
	while (k < 8 && magic_char(d[k]))
		k++;
	if (k < 3)
		return false;
	for (i = k; i < 8; i++)
		if (d[i])
			return false;
	/* Eight name characters followed by more text are text, not a magic. */
	if (k == 8 && len > 8 && (d[8] >= 0x20 && d[8] < 0x7f))
		return false;
	memcpy(out, d, k);
	out[k] = '\0';
	return true;
}

static uint64_t rd(const unsigned char *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/*
 * How well a pointer names the object holding it, 0 not at all: a vtable
 * or a Go type descriptor is a type, a function its maker (a callback), a
 * data object a type too (ob_type), a string literal only a label.
 */
static int name_rank(const struct ms_sym *s)
{
	const char *n = s->name ? s->name : "";

	switch (s->kind) {
	case MS_SYM_VTABLE:
		return 5;
	case MS_SYM_TEXT:
		return 4;
	case MS_SYM_RODATA:
		/* Go's type descriptors ("type.*main.Record", Go 1.20: "type:*"); its literals. */
		if (!strncmp(n, "type.", 5) || !strncmp(n, "type:", 5))
			return 5;
		if (!strncmp(n, "go.string.", 10) || !strncmp(n, "go:string.", 10))
			return 2;
		return 3;
	case MS_SYM_TYPEINFO:
		return !strncmp(n, "type.", 5) || !strncmp(n, "type:", 5) ? 5 : 3;
	case MS_SYM_DATA:
	case MS_SYM_BSS:
		return 3;
	case MS_SYM_STRING:
		return 2;
	default:
		return 0;
	}
}

static bool ptr_like(uint64_t w)
{
	return w >= 4096 && !(w >> 47) && !(w % 8);
}

/*
 * Where a CPython object's ob_type is in a pymalloc block: 8, 24 (after a GC
 * head), 40 (3.11's instances of a class: their dict and values pointers
 * before the GC head, the dict NULL while the values are inline), or -1.
 */
static int py_type_offset(const unsigned char *d, size_t len)
{
	uint64_t w0 = rd(d), w8 = rd(d + 8);

	if (w0 && w0 < (1ULL << 32) && ptr_like(w8))
		return 8;
	if (len >= 32 && ptr_like(w0) && rd(d + 16) && rd(d + 16) < (1ULL << 32) &&
	    ptr_like(rd(d + 24)))
		return 24;
	if (len >= 48 && (!w0 || ptr_like(w0)) && ptr_like(rd(d + 16)) && rd(d + 32) &&
	    rd(d + 32) < (1ULL << 32) && ptr_like(rd(d + 40)))
		return 40;
	return -1;
}

struct features {
	enum ms_content content;
	int fill;
	char shape[MS_SHAPE_MAX];
	char magic[16];
	int name_offset;
	uint64_t name_word;
	/* A copy: the symbolizer's own struct moves with its next new entry. */
	struct ms_sym name;
	bool named;
};

/*
 * An object all zeros, or one byte over and over: its content says all.
 * Slack at the end (rounding, a slot's header, the next chunk's field) may
 * differ: 80% is a fill.
 */
static bool zero_or_fill(const unsigned char *d, size_t len, struct features *f)
{
	size_t i, nz = 0, same = 0;

	for (i = 0; i < len; i++) {
		nz += d[i] != 0;
		same += d[i] == d[0];
	}
	if (!nz) {
		f->content = MS_CONTENT_ZERO;
		return true;
	}
	if (d[0] && same * 10 >= len * 8) {
		f->content = MS_CONTENT_FILL;
		f->fill = d[0];
		return true;
	}
	return false;
}

/*
 * The words of the first 256 bytes that point at symbols (*PTRS of
 * *WORDS); the best-named one in the head names the object.
 */
static int symbol_words(struct ms_ctx *ctx, struct ms_clusters *c, const unsigned char *d,
			size_t len, struct features *f, size_t *words, size_t *ptrs)
{
	int rc, best = 0;
	size_t i;

	for (i = 0; i + 8 <= len && i < 256; i += 8) {
		uint64_t w = rd(d + i);
		const struct ms_sym *s = NULL;

		(*words)++;
		if (w < 4096 || (w >> 47) || !c->syms)
			continue;
		if ((rc = ms_symbols_lookup(ctx, c->syms, w, &s)) < 0)
			return rc;
		if (!s)
			continue;
		(*ptrs)++;
		if (i < HEAD_BYTES && name_rank(s) > best) {
			best = name_rank(s);
			f->name_offset = (int)i;
			f->name_word = w;
			f->name = *s;
			f->named = true;
		}
	}
	return 0;
}

/*
 * A CPython object: ob_refcnt, then ob_type, its type whether a symbol
 * or a heap type.  An object the GC tracks has its PyGC_Head (two
 * pointers) first, and ob_type at 24.
 */
static int py_type(struct ms_ctx *ctx, struct ms_clusters *c, const unsigned char *d,
		   size_t len, struct features *f)
{
	int off = py_type_offset(d, len), rc;
	uint64_t w = off > 0 ? rd(d + off) : 0;
	const struct ms_sym *ty = NULL;

	if (off <= 0 || (f->named && f->name_offset == off))
		return 0;
	f->name_offset = off;
	f->name_word = w;
	f->named = false;
	if (c->syms && (rc = ms_symbols_lookup(ctx, c->syms, w, &ty)) < 0)
		return rc;
	if (ty && name_rank(ty)) {
		f->name = *ty;
		f->named = true;
	}
	return 0;
}

/* Text: a string in the first 16 bytes (after a length or header), 8 characters or more. */
static bool is_text(const unsigned char *d, size_t len, struct features *f)
{
	size_t t, e;

	for (t = 0; t < 16 && t < len && !(d[t] >= 0x20 && d[t] < 0x7f); t++)
		;
	if (t >= len)
		return false;
	for (e = t; e < len && ((d[e] >= 0x20 && d[e] < 0x7f) || d[e] == '\t'); e++)
		;
	if (e - t < 8 || (e != len && d[e]) || f->magic[0])
		return false;
	f->content = MS_CONTENT_TEXT;
	ms_text_shape((const char *)d + t, e - t, f->shape, sizeof(f->shape));
	return true;
}

/* What the object's own bytes say.  Returns 0 or -ENOMEM. */
static int features(struct ms_ctx *ctx, struct ms_clusters *c, const struct ms_obj *o,
		    struct features *f)
{
	size_t len = o->len < o->size ? o->len : (size_t)o->size, words = 0, ptrs = 0;
	const unsigned char *d = o->data;
	int rc;

	memset(f, 0, sizeof(*f));
	f->fill = -1;
	f->name_offset = -1;
	if (zero_or_fill(d, len, f))
		return 0;
	magic_of(d, len, f->magic);
	if ((rc = symbol_words(ctx, c, d, len, f, &words, &ptrs)) < 0)
		return rc;
	if (o->finder == MS_FIND_PYMALLOC && len >= 16 && (rc = py_type(ctx, c, d, len, f)) < 0)
		return rc;
	if (is_text(d, len, f))
		return 0;
	f->content = ptrs * 4 >= words && ptrs ? MS_CONTENT_POINTERS : MS_CONTENT_BINARY;
	return 0;
}

static uint64_t key_of(uint64_t size, const struct features *f)
{
	uint64_t k = ms_hash64(size);

	if (f->name_offset >= 0)
		return ms_hash64(k ^ ms_hash64(f->name_word) ^ (uint64_t)f->name_offset ^ 1);
	if (f->magic[0])
		return ms_hash64(k ^ ms_hash_bytes(f->magic, strlen(f->magic), 0) ^ 2);
	if (f->content == MS_CONTENT_TEXT)
		return ms_hash64(k ^ ms_hash_bytes(f->shape, strlen(f->shape), 0) ^ 3);
	if (f->content == MS_CONTENT_FILL)
		return ms_hash64(k ^ ((uint64_t)f->fill << 8) ^ 4);
	return ms_hash64(k ^ ((uint64_t)f->content << 16) ^ 5);
}

static int grow_slots(struct ms_ctx *ctx, struct ms_clusters *c)
{
	size_t n = c->slots * 2, i, j;
	size_t *s = calloc(n, sizeof(*s));

	if (!s)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < c->n; i++) {
		for (j = c->cl[i].key & (n - 1); s[j]; j = (j + 1) & (n - 1))
			;
		s[j] = i + 1;
	}
	free(c->slot);
	c->slot = s;
	c->slots = n;
	return 0;
}

/* The cluster of KEY, made from F if new; NULL when full (*RC 0) or out of memory (*RC < 0). */
static struct ms_cluster *cluster_of(struct ms_ctx *ctx, struct ms_clusters *c, uint64_t key,
				     const struct ms_obj *o, const struct features *f, int *rc)
{
	struct ms_cluster *cl;
	size_t j;

	*rc = 0;
	if (c->n * 2 >= c->slots && (*rc = grow_slots(ctx, c)) < 0)
		return NULL;
	for (j = key & (c->slots - 1); c->slot[j]; j = (j + 1) & (c->slots - 1))
		if (c->cl[c->slot[j] - 1].key == key)
			return &c->cl[c->slot[j] - 1];
	if (c->n >= MS_CLUSTERS_MAX) {
		c->approx = true;
		return NULL;
	}
	if (MS_GROW(c->cl, c->cap, c->n + 1, 256) < 0) {
		*rc = ms_err(ctx, -ENOMEM, "out of memory");
		return NULL;
	}
	cl = &c->cl[c->n];
	*cl = (struct ms_cluster){
		.key = key, .size = o->size, .finder = o->finder, .content = f->content,
		.fill = f->fill, .name_offset = f->name_offset, .name_word = f->name_word,
		.name_sym = f->named ? f->name : (struct ms_sym){ 0 }, .referrer = -1, .ref_offset = -1,
	};
	memcpy(cl->shape, f->shape, sizeof(cl->shape));
	memcpy(cl->magic, f->magic, sizeof(cl->magic));
	if (o->type)
		snprintf(cl->type_name, sizeof(cl->type_name), "%s", o->type);
	if (o->holder)
		snprintf(cl->holder, sizeof(cl->holder), "%s", o->holder);
	c->slot[j] = ++c->n;
	return cl;
}

static int size_count(struct ms_ctx *ctx, struct ms_clusters *c, uint64_t size)
{
	size_t i;

	/* Few distinct sizes: a search from the last one used is short. */
	for (i = c->nsizes; i-- > 0;)
		if (c->sizes[i].size == size) {
			c->sizes[i].count++;
			return 0;
		}
	if (MS_GROW(c->sizes, c->capsizes, c->nsizes + 1, 64) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	c->sizes[c->nsizes++] = (struct size_total){ size, 1 };
	return 0;
}

static int keep_obj(struct ms_ctx *ctx, struct ms_clusters *c, uint64_t addr, uint32_t idx)
{
	if (c->nobjs >= MAX_OBJS)
		return 0;
	if (MS_GROW(c->objs, c->capobjs, c->nobjs + 1, 4096) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	c->objs[c->nobjs++] = (struct obj_at){ addr, idx };
	return 0;
}

/* The heap pointers in a named object's first words: who owns which object. */
static int keep_refs(struct ms_ctx *ctx, struct ms_clusters *c, const struct ms_obj *o,
		     uint32_t idx)
{
	size_t len = o->len < HEAD_BYTES ? o->len : HEAD_BYTES, i;

	for (i = 0; i + 8 <= len && c->nrefs < MAX_REFS; i += 8) {
		uint64_t w = rd(o->data + i);

		if (w < 4096 || (w >> 47) || w % 8)
			continue;
		if (MS_GROW(c->refs, c->caprefs, c->nrefs + 1, 4096) < 0)
			return ms_err(ctx, -ENOMEM, "out of memory");
		c->refs[c->nrefs++] = (struct ref){ w, idx, (uint32_t)i };
	}
	return 0;
}

int ms_clusters_add_cb(struct ms_ctx *ctx, const struct ms_obj *o, void *data)
{
	struct ms_clusters *c = data;
	struct ms_cluster *cl;
	struct features f;
	uint32_t idx;
	int rc;

	c->last_key = 0;
	if ((rc = features(ctx, c, o, &f)) < 0)
		return rc;
	c->objects++;
	if ((rc = size_count(ctx, c, o->size)) < 0)
		return rc;
	/* A type the runtime tells (a Go object's, from its pointers) parts clusters too. */
	cl = cluster_of(ctx, c, key_of(o->size, &f) ^
				(o->type ? ms_hash_bytes(o->type, strlen(o->type), 7) : 0), o, &f, &rc);
	if (!cl)
		return rc;
	cl->count++;
	cl->bytes += o->size;
	c->last_key = cl->key;
	idx = (uint32_t)(cl - c->cl);
	if ((rc = keep_obj(ctx, c, o->addr, idx)) < 0)
		return rc;
	return f.name_offset >= 0 || f.magic[0] ? keep_refs(ctx, c, o, idx) : 0;
}

uint64_t ms_clusters_last_key(const struct ms_clusters *c)
{
	return c->last_key;
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj_at *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

static const struct obj_at *find_obj(const struct ms_clusters *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nobjs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->objs[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nobjs && c->objs[lo].addr == addr ? &c->objs[lo] : NULL;
}

struct link {
	uint64_t key;		/* (from cluster, offset, to cluster) */
	uint32_t from, to, offset;
	uint64_t count;
};

/* Which cluster's objects point at each cluster's objects' starts, and at which offset. */
static int link_referrers(struct ms_ctx *ctx, struct ms_clusters *c)
{
	size_t cap = 1024, n = 0, i, j;
	struct link *t;

	if (!c->nrefs || !c->nobjs)
		return 0;
	qsort(c->objs, c->nobjs, sizeof(*c->objs), cmp_obj);
	while (cap < c->n * 4)
		cap *= 2;
	if (!(t = calloc(cap, sizeof(*t))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < c->nrefs; i++) {
		const struct obj_at *o = find_obj(c, c->refs[i].target);
		uint64_t key;

		if (!o || o->cluster == c->refs[i].cluster)
			continue;
		key = ms_hash64(((uint64_t)c->refs[i].cluster << 32 | o->cluster) ^
			  ms_hash64(c->refs[i].offset + 1));
		for (j = key & (cap - 1); t[j].count && t[j].key != key; j = (j + 1) & (cap - 1))
			;
		if (!t[j].count) {
			/* Full: the links seen so far stand; a bounded table never grows past its use. */
			if (n * 2 >= cap)
				continue;
			t[j] = (struct link){ key, c->refs[i].cluster, o->cluster, c->refs[i].offset, 0 };
			n++;
		}
		t[j].count++;
	}
	for (j = 0; j < cap; j++) {
		struct ms_cluster *to;

		if (!t[j].count)
			continue;
		to = &c->cl[t[j].to];
		if ((double)t[j].count / (double)to->count > to->ref_share) {
			to->referrer = (int)t[j].from;
			to->ref_offset = (int)t[j].offset;
			to->ref_share = (double)t[j].count / (double)to->count;
		}
	}
	/* A referrer only when most of the objects have it. */
	for (i = 0; i < c->n; i++)
		if (c->cl[i].referrer >= 0 && c->cl[i].ref_share < 0.5) {
			c->cl[i].referrer = -1;
			c->cl[i].ref_offset = -1;
			c->cl[i].ref_share = 0;
		}
	free(t);
	return 0;
}

static const struct ms_clusters *sort_c;

static uint64_t growth_bytes(const struct ms_cluster *x)
{
	return x->has_delta && x->delta > 0 ? (uint64_t)x->delta * x->size : 0;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct ms_cluster *x = &sort_c->cl[*(const uint32_t *)a];
	const struct ms_cluster *y = &sort_c->cl[*(const uint32_t *)b];
	uint64_t gx = growth_bytes(x), gy = growth_bytes(y);

	if (gx != gy)
		return gx > gy ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->key > y->key) - (x->key < y->key);
}

static void rank(struct ms_clusters *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		c->order[i] = (uint32_t)i;
	/* qsort has no context argument in C11; ranking is not reentrant, and need not be. */
	sort_c = c;
	qsort(c->order, c->n, sizeof(*c->order), cmp_rank);
	sort_c = NULL;
	for (i = 0; i < c->n; i++)
		c->inv[c->order[i]] = (uint32_t)i;
}

int ms_clusters_finish(struct ms_ctx *ctx, struct ms_clusters *c)
{
	size_t i, k;
	int rc;

	for (i = 0; i < c->n; i++)
		for (k = 0; k < c->nsizes; k++)
			if (c->sizes[k].size == c->cl[i].size)
				c->cl[i].share = (double)c->cl[i].count / (double)c->sizes[k].count;
	if ((rc = link_referrers(ctx, c)) < 0)
		return rc;
	/*
	 * The symbolizer's ms_sym moves as it grows; its strings do not.  Each
	 * cluster keeps a copy, and points at it now that the table is whole.
	 */
	for (i = 0; i < c->n; i++)
		c->cl[i].name = c->cl[i].name_sym.name ? &c->cl[i].name_sym : NULL;
	for (i = 0; c->namer && i < c->n; i++)
		if (!c->cl[i].name && c->cl[i].name_offset >= 0 &&
		    !c->namer(ctx, c->cl[i].name_word, c->cl[i].type_name,
			      sizeof(c->cl[i].type_name), c->namer_data))
			c->cl[i].type_name[0] = '\0';
	free(c->order);
	free(c->inv);
	c->order = malloc((c->n ? c->n : 1) * sizeof(*c->order));
	c->inv = malloc((c->n ? c->n : 1) * sizeof(*c->inv));
	if (!c->order || !c->inv)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rank(c);
	return 0;
}

static const struct ms_cluster *find_key(const struct ms_clusters *c, uint64_t key)
{
	size_t j;

	for (j = key & (c->slots - 1); c->slot[j]; j = (j + 1) & (c->slots - 1))
		if (c->cl[c->slot[j] - 1].key == key)
			return &c->cl[c->slot[j] - 1];
	return NULL;
}

void ms_clusters_diff(struct ms_clusters *c, const struct ms_clusters *older)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct ms_cluster *o = find_key(older, c->cl[i].key);

		c->cl[i].delta = (int64_t)c->cl[i].count - (o ? (int64_t)o->count : 0);
		c->cl[i].has_delta = true;
	}
	if (c->order)
		rank(c);
}

size_t ms_clusters_count(const struct ms_clusters *c)
{
	return c->order ? c->n : 0;
}

const struct ms_cluster *ms_clusters_get(const struct ms_clusters *c, size_t i)
{
	return c->order && i < c->n ? &c->cl[c->order[i]] : NULL;
}

uint64_t ms_clusters_objects(const struct ms_clusters *c)
{
	return c->objects;
}

bool ms_clusters_approximate(const struct ms_clusters *c)
{
	return c->approx;
}

const struct ms_cluster *ms_clusters_referrer(const struct ms_clusters *c,
					      const struct ms_cluster *cl)
{
	return cl->referrer >= 0 && (size_t)cl->referrer < c->n ? &c->cl[cl->referrer] : NULL;
}

size_t ms_clusters_rank(const struct ms_clusters *c, const struct ms_cluster *cl)
{
	return c->inv[cl - c->cl];
}
