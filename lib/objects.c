// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Object finders: glibc's chunks where the dump is a glibc heap, and what
 * repeats (a pointer at a fixed stride, a string) in any other heap.  The
 * glibc walk itself is lib/heapwalk.c; this decides which range gets which
 * finder and says why.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/goheap.h>
#include <memsift/heapwalk.h>
#include <memsift/objects.h>

#include "internal.h"
#include "util.h"

#define GLIBC_HEAP_MAX (64ULL << 20)	/* thread arena heaps are aligned to this */
#define GLIBC_IS_MMAPPED 2ULL
/* A pointer value met this often in a range is a signature worth a stride. */
#define SIG_MIN_HITS 16
/* Bound the signature finder's memory: 16 bytes per pointer kept. */
#define SIG_MAX_HITS (8u << 20)
#define SIG_MAX_STRIDE (1u << 20)
/* A string this long, NUL-ended, is an object of its own in a foreign heap. */
#define STR_MIN 16

const char *ms_allocator_str(enum ms_allocator a)
{
	static const char *const names[] = {
		[MS_ALLOC_UNKNOWN] = "unknown", [MS_ALLOC_GLIBC] = "glibc",
		[MS_ALLOC_JEMALLOC] = "jemalloc", [MS_ALLOC_TCMALLOC] = "tcmalloc",
		[MS_ALLOC_MUSL] = "musl", [MS_ALLOC_MIMALLOC] = "mimalloc", [MS_ALLOC_GO] = "go",
	};

	return (unsigned)a < MS_ARRAY_SIZE(names) && names[a] ? names[a] : "unknown";
}

const char *ms_finder_str(enum ms_finder f)
{
	static const char *const names[] = {
		[MS_FIND_NONE] = "none", [MS_FIND_GLIBC_MAIN] = "glibc-main",
		[MS_FIND_GLIBC_ARENA] = "glibc-arena", [MS_FIND_GLIBC_MMAP] = "glibc-mmap",
		[MS_FIND_SIGNATURE] = "signature", [MS_FIND_PYMALLOC] = "pymalloc",
		[MS_FIND_V8] = "v8",
		[MS_FIND_GO_SPAN] = "go-span",
	};

	return (unsigned)f < MS_ARRAY_SIZE(names) && names[f] ? names[f] : "none";
}

/*
 * The next file mapped in maps text: the base name of the path that ends
 * a line, into *BASE and *BLEN.  *P walks the text (start it at the text,
 * END its end); false when no line is left.
 */
static bool next_file(const char **p, const char *end, const char **base, size_t *blen)
{
	while (*p && *p < end) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p)), *le = nl ? nl : end;
		const char *slash = memrchr(*p, '/', (size_t)(le - *p));

		*p = nl ? nl + 1 : NULL;
		if (slash) {
			*base = slash + 1;
			*blen = (size_t)(le - *base);
			return true;
		}
	}
	return false;
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !strncmp(s, prefix, n);
}

enum ms_allocator ms_allocator_guess(const char *maps, size_t len, char *why, size_t whylen)
{
	static const struct {
		const char *lib;
		enum ms_allocator a;
	} libs[] = {
		{ "libjemalloc", MS_ALLOC_JEMALLOC }, { "libtcmalloc", MS_ALLOC_TCMALLOC },
		{ "libmimalloc", MS_ALLOC_MIMALLOC }, { "ld-musl-", MS_ALLOC_MUSL },
		{ "libc.musl-", MS_ALLOC_MUSL },
	};
	const char *p = maps, *base, *glibc = NULL;
	size_t glibc_len = 0, blen, i;

	if (whylen)
		why[0] = '\0';
	while (next_file(&p, maps + len, &base, &blen)) {
		for (i = 0; i < MS_ARRAY_SIZE(libs); i++)
			if (starts(base, blen, libs[i].lib)) {
				snprintf(why, whylen, "%.*s is mapped", (int)blen, base);
				return libs[i].a;
			}
		if (!glibc && (starts(base, blen, "libc.so.6") || starts(base, blen, "libc-2."))) {
			glibc = base;
			glibc_len = blen;
		}
	}
	if (glibc) {
		snprintf(why, whylen, "%.*s is mapped and no other malloc library is",
			 (int)glibc_len, glibc);
		return MS_ALLOC_GLIBC;
	}
	snprintf(why, whylen, "no malloc library is mapped (a static binary?)");
	return MS_ALLOC_UNKNOWN;
}

static uint64_t rd(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* The glibc walk's chunks, handed on as objects. */
struct glibc_walk {
	struct ms_ctx *ctx;
	ms_obj_cb cb;
	void *data;
	struct ms_objrange *res;
};

static int glibc_chunk(uint64_t addr, uint64_t size, bool inuse, const unsigned char *user,
		       size_t ulen, void *data)
{
	struct glibc_walk *g = data;
	struct ms_obj o = { .addr = addr, .size = size, .data = user, .len = ulen,
			     .finder = g->res->finder };

	if (!inuse)
		return 0;
	g->res->objects++;
	g->res->bytes += size;
	return g->cb(g->ctx, &o, g->data);
}

/*
 * Walk BUF as a glibc heap.  Returns 1 when it is one (objects handed on,
 * RES says where a walk stopped), 0 when it is not (RES->note says why), or
 * a negative errno from CB or memory.
 */
static int glibc_heap(struct ms_ctx *ctx, const unsigned char *buf, size_t len, uint64_t base,
		      ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	struct glibc_walk g = { ctx, cb, data, res };
	struct ms_heapwalk *w = NULL;
	const char *why;
	uint64_t at;
	int rc;

	res->finder = base % GLIBC_HEAP_MAX ? MS_FIND_GLIBC_MAIN : MS_FIND_GLIBC_ARENA;
	rc = ms_heapwalk_run_cb(ctx, buf, len, base, glibc_chunk, &g, &w);
	if (rc == -EPROTONOSUPPORT || rc == -EBADMSG) {
		snprintf(res->note, sizeof(res->note), "not a glibc heap: %s", ms_ctx_errmsg(ctx));
		res->finder = MS_FIND_NONE;
		return 0;
	}
	if (rc < 0)
		return rc;
	if (ms_heapwalk_form(w) == MS_HEAP_MAIN)
		res->finder = MS_FIND_GLIBC_MAIN;
	if (ms_heapwalk_broken(w, &at, &why)) {
		/* Broken at its first chunk: it was never a glibc heap. */
		if (ms_heapwalk_chunks(w) == 0) {
			snprintf(res->note, sizeof(res->note),
				 "not a glibc heap: its first chunk header does not parse (%s)", why);
			res->finder = MS_FIND_NONE;
			ms_heapwalk_free(w);
			return 0;
		}
		snprintf(res->note, sizeof(res->note),
			 "walk stopped at 0x%" PRIx64 ": %s; %" PRIu64 " bytes after it not walked", at,
			 why, base + len - at);
	}
	ms_heapwalk_free(w);
	return 1;
}

/* A whole mapping that is one chunk glibc mmapped (a large malloc). */
static int glibc_mmapped(struct ms_ctx *ctx, const unsigned char *buf, size_t len, uint64_t base,
			 ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	uint64_t size, cs;
	struct ms_obj o;
	int rc;

	if (len < 4096 || base % 4096)
		return 0;
	size = rd(buf, 8);
	cs = size & ~7ULL;
	/* prev_size holds the alignment slack, 0 for plain malloc; the size covers the mapping. */
	if (rd(buf, 0) || !(size & GLIBC_IS_MMAPPED) || (size & 1) || cs % 4096 || cs < 4096 ||
	    cs > len || len - cs >= 4096)
		return 0;
	res->finder = MS_FIND_GLIBC_MMAP;
	res->objects = 1;
	res->bytes = cs;
	o = (struct ms_obj){ .addr = base + 16, .size = cs, .data = buf + 16, .len = (size_t)cs - 16,
			     .finder = MS_FIND_GLIBC_MMAP };
	rc = cb(ctx, &o, data);
	return rc < 0 ? rc : 1;
}

/*
 * Where the glibc segment at BUF (LEN bytes at BASE, a page boundary) ends:
 * its chunks from its first byte up to a page boundary, where the top
 * chunk ends or after the two fenceposts of an old one.  0 if they do not.
 */
static size_t segment_end(struct ms_ctx *ctx, const unsigned char *buf, size_t len, uint64_t base)
{
	struct ms_heapwalk *w = NULL;
	const char *why;
	uint64_t at, end;

	if (ms_heapwalk_run(ctx, buf, len, base, &w) < 0)
		return 0;
	if (!ms_heapwalk_broken(w, &at, &why))
		end = base + len;
	else if (!ms_heapwalk_chunks(w))
		end = 0;
	else if (ms_heapwalk_fenced(w))
		end = (at + 32 + 4095) / 4096 * 4096;
	else
		end = at % 4096 ? 0 : at;	/* the top chunk ended on the page boundary */
	ms_heapwalk_free(w);
	return end > base && end <= base + len ? (size_t)(end - base) : 0;
}

/*
 * An anonymous mapping that holds the main arena's memory from mmap():
 * when brk() cannot grow [heap] (another mapping sits just past the break,
 * as a JIT's may), glibc takes what it needs, and its top pad (128 KiB),
 * from mmap() at each growth and carves chunks from its start, as in
 * [heap]; an old segment ends in two fenceposts.  The kernel merges
 * neighbouring segments, and other anonymous memory, into one mapping.
 * Nothing but the chunks marks them, so the segments are taken only when
 * they tile 64 KiB or more from the mapping's first byte, each ending on a
 * page boundary; they are walked once that is known, and what follows
 * them is not searched.
 */
static int glibc_segments(struct ms_ctx *ctx, const unsigned char *buf, size_t len, uint64_t base,
			  ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	size_t pos = 0, n, i, segs = 0, cap = 0, *end = NULL, *e;
	int rc = 0;

	if (len < 4096 || base % 4096 || !(base % GLIBC_HEAP_MAX))
		return 0;
	while (pos < len && (n = segment_end(ctx, buf + pos, len - pos, base + pos))) {
		if (segs == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(e = realloc(end, cap * sizeof(*end)))) {
				free(end);
				return ms_err(ctx, -ENOMEM, "out of memory");
			}
			end = e;
		}
		end[segs++] = pos += n;
	}
	if (pos < (64 << 10))
		goto out;
	for (i = 0, pos = 0; i < segs; pos = end[i++])
		if ((rc = glibc_heap(ctx, buf + pos, end[i] - pos, base + pos, cb, data, res)) <= 0)
			goto out;
	res->finder = MS_FIND_GLIBC_MAIN;
	snprintf(res->note, sizeof(res->note),
		 "the main arena's memory from mmap(), brk() having failed: %zu segment%s, %zu bytes%s",
		 segs, segs == 1 ? "" : "s", pos, pos < len ? "; the rest, another's, not searched" : "");
out:
	free(end);
	return rc < 0 ? rc : rc > 0;
}

struct hit {
	uint64_t value, pos;
};

struct cand {
	uint64_t start, size;
};

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Two sizes for one start: the smaller, or one object would swallow its neighbours. */
	return (x->size > y->size) - (x->size < y->size);
}

static bool named_kind(enum ms_sym_kind k)
{
	return k >= MS_SYM_TEXT && k <= MS_SYM_BSS;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The most common gap between the sorted positions of one value, if most gaps are it. */
static uint64_t stride_of(const struct hit *h, size_t n)
{
	uint64_t best = 0, best_n = 0, cur, cur_n = 0;
	uint64_t *gaps;
	size_t i, k = 0;

	if (n < 2 || !(gaps = malloc((n - 1) * sizeof(*gaps))))
		return 0;
	for (i = 1; i < n; i++) {
		uint64_t g = h[i].pos - h[i - 1].pos;

		if (g >= 16 && g <= SIG_MAX_STRIDE)
			gaps[k++] = g;
	}
	qsort(gaps, k, sizeof(*gaps), cmp_u64);
	for (i = 0; i < k; i++) {
		if (!i || gaps[i] != cur) {
			cur = gaps[i];
			cur_n = 0;
		}
		if (++cur_n > best_n) {
			best_n = cur_n;
			best = cur;
		}
	}
	free(gaps);
	return best_n * 2 >= n - 1 ? best : 0;
}

static bool printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

static int push_cand(struct ms_ctx *ctx, struct cand **c, size_t *n, size_t *cap, uint64_t start,
		     uint64_t size)
{
	if (MS_GROW(*c, *cap, *n + 1, 4096) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	(*c)[(*n)++] = (struct cand){ start, size };
	return 0;
}

/*
 * The bytes at ADDR: in this range (BUF, LEN from BASE), else anywhere in
 * SPACE; *AVAIL how many follow in the dump.  NULL when the dump lacks it.
 */
const unsigned char *ms_objspace_bytes(const struct ms_objspace *space, uint64_t addr,
				      size_t *avail)
{
	size_t i;

	for (i = 0; space && i < space->nranges; i++) {
		const struct ms_manifest_range *r = &space->ranges[i];

		if (addr >= r->start && addr - r->start < r->length &&
		    r->offset + (addr - r->start) < space->size) {
			uint64_t off = r->offset + (addr - r->start), end = r->offset + r->length;

			if (avail)
				*avail = (size_t)((end < space->size ? end : space->size) - off);
			return space->map + off;
		}
	}
	return NULL;
}

/* As ms_objspace_bytes(), this range (BUF, LEN from BASE) first: it is the one asked most. */
static const unsigned char *bytes_at(const struct ms_objspace *space, const unsigned char *buf,
				     size_t len, uint64_t base, uint64_t addr, size_t *avail)
{
	if (addr >= base && addr < base + len) {
		if (avail)
			*avail = len - (size_t)(addr - base);
		return buf + (addr - base);
	}
	return ms_objspace_bytes(space, addr, avail);
}

struct target {
	uint64_t key;		/* which record cluster, and the offset of the pointer in it */
	uint64_t addr;
};

static int cmp_target(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/*
 * What the records found so far point at, in this range: a payload has no
 * signature of its own (a buffer of text or a fill), but each is the
 * target of one record's pointer at one offset.  The targets of one
 * (record stride, offset) sorted, their most common gap is the payload's
 * size class.  Adds to *C.
 */
static int payloads(struct ms_ctx *ctx, const struct ms_objspace *space,
		    const unsigned char *buf, size_t len, uint64_t base, struct cand **c,
		    size_t *nc, size_t *capc)
{
	size_t n0 = *nc, nt = 0, i, j, k;
	struct target *t;
	int rc = 0;

	if (!n0)
		return 0;
	t = malloc(n0 * 8 * sizeof(*t));
	if (!t)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n0; i++) {
		uint64_t off = (*c)[i].start - base, o;

		for (o = 0; o < 64 && o < (*c)[i].size && off + o + 8 <= len; o += 8) {
			uint64_t w = rd(buf, off + o);

			if (!(w % 16) && (w < (*c)[i].start || w >= (*c)[i].start + (*c)[i].size) &&
			    bytes_at(space, buf, len, base, w, NULL))
				t[nt++] = (struct target){ (*c)[i].size << 8 | o, w };
		}
	}
	qsort(t, nt, sizeof(*t), cmp_target);
	for (i = 0; i < nt; i = j) {
		struct hit *h;
		uint64_t stride;
		size_t m = 0;

		for (j = i + 1; j < nt && t[j].key == t[i].key; j++)
			;
		if (j - i < SIG_MIN_HITS || !(h = malloc((j - i) * sizeof(*h))))
			continue;
		for (k = i; k < j; k++)
			if (!m || t[k].addr != h[m - 1].pos)
				h[m++] = (struct hit){ 0, t[k].addr };
		stride = m >= SIG_MIN_HITS ? stride_of(h, m) : 0;
		for (k = 0; stride && k < m && rc == 0; k++)
			rc = push_cand(ctx, c, nc, capc, h[k].pos, stride);
		free(h);
		if (rc < 0)
			break;
	}
	free(t);
	return rc;
}

#define GO_SLICE_RUN 8		/* slice headers in a row that make a [][]T backing array */
#define GO_SLICE_MAX (64u << 20)

/*
 * Go keeps what it leaks in slices: a [][]byte's backing array is a run of
 * slice headers (data pointer, len, cap) 24 bytes apart, and each data
 * pointer is the start of an object of cap bytes, in its size class.  The
 * objects a run points at, in any range of the dump, are added to *C.
 */
static int go_slices(struct ms_ctx *ctx, const struct ms_objspace *space,
		     const unsigned char *buf, size_t len, uint64_t base, struct cand **c,
		     size_t *nc, size_t *capc)
{
	size_t i, k, run;
	int rc;

	for (i = 0; i + 24 <= len; i += run ? 24 * run : 8) {
		run = 0;
		for (k = i; k + 24 <= len; k += 24) {
			uint64_t p = rd(buf, k), n = rd(buf, k + 8), cap = rd(buf, k + 16);

			if (p % 8 || !n || n > cap || cap > GO_SLICE_MAX ||
			    !bytes_at(space, buf, len, base, p, NULL))
				break;
			run++;
		}
		if (run < GO_SLICE_RUN) {
			run = 0;
			continue;
		}
		for (k = 0; k < run; k++)
			if ((rc = push_cand(ctx, c, nc, capc, rd(buf, i + 24 * k),
					    ms_go_size(rd(buf, i + 24 * k + 16)))) < 0)
				return rc;
	}
	return 0;
}

/*
 * Every word of BUF that points at a named symbol (code, type, data), sorted
 * by value so that the words of one value sit together.  At most
 * SIG_MAX_HITS of them (*CAPPED then): the scan must stay bounded on a
 * huge range.
 */
static int symbol_hits(struct ms_ctx *ctx, struct ms_symbols *syms, const unsigned char *buf,
		       size_t len, struct hit **hits, size_t *nh, bool *capped)
{
	size_t i, cap = 0;
	int rc;

	for (i = 0; syms && i + 8 <= len && !*capped; i += 8) {
		uint64_t w = rd(buf, i);
		const struct ms_sym *s;

		if (w < 4096 || (w >> 47))
			continue;
		if ((rc = ms_symbols_lookup(ctx, syms, w, &s)) < 0)
			return rc;
		if (!s || !named_kind(s->kind))
			continue;
		if (MS_GROW(*hits, cap, *nh + 1, 4096) < 0)
			return ms_err(ctx, -ENOMEM, "out of memory");
		(*hits)[(*nh)++] = (struct hit){ w, i };
		*capped = *nh >= SIG_MAX_HITS;
	}
	if (*nh)
		qsort(*hits, *nh, sizeof(**hits), cmp_hit);
	return 0;
}

/*
 * A candidate per hit of a value that recurs at a regular stride.  Slabs
 * are page-aligned, so a power-of-two stride gives the object's start too;
 * any other stride leaves the start at the signature (*GUESSED).
 */
static int strided_cands(struct ms_ctx *ctx, const struct hit *hits, size_t nh, uint64_t base,
			 struct cand **c, size_t *nc, size_t *capc, bool *guessed)
{
	size_t i, j, k;
	int rc;

	for (i = 0; i < nh; i = j) {
		uint64_t stride;

		for (j = i + 1; j < nh && hits[j].value == hits[i].value; j++)
			;
		if (j - i < SIG_MIN_HITS || !(stride = stride_of(hits + i, j - i)))
			continue;
		for (k = i; k < j; k++) {
			uint64_t at = base + hits[k].pos, start = at;

			if (!(stride & (stride - 1)) && stride <= 4096)
				start = at & ~(stride - 1);
			else
				*guessed = true;
			if ((rc = push_cand(ctx, c, nc, capc, start, stride)) < 0)
				return rc;
		}
	}
	return 0;
}

/* Strings: a run of STR_MIN printable bytes or more, ended by a NUL. */
static int string_cands(struct ms_ctx *ctx, const unsigned char *buf, size_t len, uint64_t base,
			struct cand **c, size_t *nc, size_t *capc)
{
	size_t i;
	int rc;

	for (i = 0; i < len;) {
		size_t s0 = i, same = 0;

		if (!printable(buf[i])) {
			i++;
			continue;
		}
		while (i < len && printable(buf[i])) {
			same += buf[i] == buf[s0];
			i++;
		}
		/* One byte over and over is a fill, not a string. */
		if (i < len && !buf[i] && i - s0 >= STR_MIN && same * 10 < (i - s0) * 9 &&
		    (rc = push_cand(ctx, c, nc, capc, base + s0, (i - s0 + 1 + 15) & ~15ULL)) < 0)
			return rc;
	}
	return 0;
}

/*
 * The candidates, sorted, as objects: one per start, none inside another
 * (a string inside a record is the record's).
 */
static int emit_cands(struct ms_ctx *ctx, const struct ms_objspace *space,
		      const unsigned char *buf, size_t len, uint64_t base, struct cand *c,
		      size_t nc, ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	uint64_t end_prev = 0;
	size_t i;
	int rc;

	if (nc)
		qsort(c, nc, sizeof(*c), cmp_cand);
	for (i = 0; i < nc; i++) {
		const unsigned char *p;
		struct ms_obj o;
		size_t avail;

		if (c[i].start < end_prev || !(p = bytes_at(space, buf, len, base, c[i].start, &avail)))
			continue;
		o = (struct ms_obj){ .addr = c[i].start, .size = c[i].size, .data = p,
				     .len = (size_t)(c[i].size < avail ? c[i].size : avail),
				     .finder = MS_FIND_SIGNATURE };
		end_prev = c[i].start + c[i].size;
		res->objects++;
		res->bytes += c[i].size;
		if ((rc = cb(ctx, &o, data)) < 0)
			return rc;
	}
	return 0;
}

/*
 * Any heap we cannot walk: an object is where a code, type or data pointer
 * that recurs at a regular stride sits (the stride is the slab's object
 * size; a power of two gives the object's start too, as slabs are
 * page-aligned), or where a NUL-ended string starts.
 */
static int by_signature(struct ms_ctx *ctx, struct ms_symbols *syms,
			const struct ms_objspace *space, const unsigned char *buf, size_t len,
			uint64_t base, ms_obj_cb cb, void *data, struct ms_objrange *res, bool go)
{
	struct hit *hits = NULL;
	struct cand *c = NULL;
	size_t nh = 0, nc = 0, capc = 0;
	bool capped = false, guessed = false;
	int rc;

	res->finder = MS_FIND_SIGNATURE;
	if ((rc = symbol_hits(ctx, syms, buf, len, &hits, &nh, &capped)) < 0 ||
	    (rc = strided_cands(ctx, hits, nh, base, &c, &nc, &capc, &guessed)) < 0 ||
	    (rc = payloads(ctx, space, buf, len, base, &c, &nc, &capc)) < 0 ||
	    (go && (rc = go_slices(ctx, space, buf, len, base, &c, &nc, &capc)) < 0) ||
	    (rc = string_cands(ctx, buf, len, base, &c, &nc, &capc)) < 0 ||
	    (rc = emit_cands(ctx, space, buf, len, base, c, nc, cb, data, res)) < 0)
		goto out;
	if (guessed || capped)
		snprintf(res->note + strlen(res->note), sizeof(res->note) - strlen(res->note), "%s%s%s",
			 res->note[0] ? "; " : "",
			 guessed ? "objects of a stride not a power of two start at their signature" : "",
			 capped ? (guessed ? "; pointers past 8M not followed" : "pointers past 8M not followed") : "");
out:
	free(hits);
	free(c);
	return rc;
}

int ms_objects_find(struct ms_ctx *ctx, enum ms_allocator alloc, struct ms_symbols *syms,
		    const struct ms_objspace *space, const void *buf, size_t len, uint64_t base, const char *name,
		    bool mapping_start, ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	bool anon = !name || !name[0];
	int rc;

	*res = (struct ms_objrange){ .start = base, .end = base + len };
	if (alloc == MS_ALLOC_GLIBC || alloc == MS_ALLOC_UNKNOWN) {
		bool heap = name && !strcmp(name, "[heap]");

		if ((heap && mapping_start) || (anon && !(base % GLIBC_HEAP_MAX))) {
			rc = glibc_heap(ctx, buf, len, base, cb, data, res);
			if (rc != 0)
				return rc < 0 ? rc : 0;
		}
		/* A mmapped chunk may sit on a 64 MiB boundary too: not an arena, then. */
		if (anon && mapping_start) {
			rc = glibc_mmapped(ctx, buf, len, base, cb, data, res);
			if (rc > 0)
				res->note[0] = '\0';
			if (rc == 0)
				rc = glibc_segments(ctx, buf, len, base, cb, data, res);
			if (rc != 0)
				return rc < 0 ? rc : 0;
		} else if (heap && !mapping_start) {
			snprintf(res->note, sizeof(res->note),
				 "the dump starts inside [heap], not at its first chunk: not walked");
		}
		/*
		 * glibc's own heaps are walked; other anonymous memory of a glibc
		 * process is another allocator's (CPython's arenas, a pool of the
		 * program's own): its objects are found by signature, said so.
		 */
		if (!res->note[0])
			snprintf(res->note, sizeof(res->note),
				 "not a glibc heap, arena or mmapped chunk");
	} else {
		snprintf(res->note, sizeof(res->note), "not a glibc heap: the process uses %s",
			 ms_allocator_str(alloc));
	}
	return by_signature(ctx, syms, space, buf, len, base, cb, data, res,
			    alloc == MS_ALLOC_GO);
}

int ms_objects_go(struct ms_ctx *ctx, const struct ms_goheap *heap, const void *buf, size_t len,
		  uint64_t base, ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	struct ms_objrange r = { .start = base, .end = base + len, .finder = MS_FIND_GO_SPAN };
	const unsigned char *b = buf;
	uint64_t spans = 0, typed = 0;
	size_t i;
	int rc;

	for (i = 0; i < ms_goheap_span_count(heap); i++) {
		const struct ms_gospan *s = ms_goheap_span(heap, i);
		uint32_t k;

		if (s->start < base || s->start >= base + len)
			continue;
		spans++;
		for (k = 0; k < s->nelems; k++) {
			uint64_t at = s->start + (uint64_t)k * s->elemsize;
			struct ms_obj o;

			/* The dump may end inside a span: what it holds is all there is. */
			if (!s->used[k] || at >= base + len)
				continue;
			o = (struct ms_obj){ .addr = at, .size = s->elemsize, .data = b + (at - base),
					     .len = (size_t)(s->elemsize < base + len - at ?
							     s->elemsize : base + len - at),
					     .finder = MS_FIND_GO_SPAN };
			o.type = ms_goheap_type(heap, at, &o.holder);
			typed += o.type != NULL;
			r.objects++;
			r.bytes += s->elemsize;
			if ((rc = cb(ctx, &o, data)) < 0)
				return rc;
		}
	}
	if (!spans)
		return 0;
	snprintf(r.note, sizeof(r.note), "%" PRIu64 " Go spans; %" PRIu64 " objects typed by the pointers that reach them",
		 spans, typed);
	*res = r;
	return 1;
}

bool ms_cpython_guess(const char *maps, size_t len, char *why, size_t whylen)
{
	const char *p = maps, *base;
	size_t blen;

	while (next_file(&p, maps + len, &base, &blen))
		if (starts(base, blen, "python3") || starts(base, blen, "libpython3")) {
			snprintf(why, whylen, "%.*s is mapped", (int)blen, base);
			return true;
		}
	return false;
}

/* Objects/obmalloc.c: struct pool_header on 64-bit, padded to 16 bytes. */
#define PY_POOL_OVERHEAD 48
#define PY_ALIGNMENT_SHIFT 4
#define PY_SMALL_CLASSES 32		/* blocks of 16 to 512 bytes */

static uint32_t rd32(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/*
 * The pool of POOL bytes at BUF (address ADDR), if its header is one;
 * its blocks in use to CB.  Returns 1 (a pool), 0 (not one), or CB's
 * negative return.
 */
static int py_pool(struct ms_ctx *ctx, const unsigned char *buf, uint64_t addr, uint32_t pool,
		   ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	uint32_t count = rd32(buf, 0), szidx = rd32(buf, 36), next = rd32(buf, 40);
	uint32_t maxnext = rd32(buf, 44), size, nblocks, used, k, nfree = 0;
	uint64_t freeblock = rd(buf, 8);
	unsigned char is_free[16384 / 16];
	int rc;

	if (szidx >= PY_SMALL_CLASSES)
		return 0;
	size = (szidx + 1) << PY_ALIGNMENT_SHIFT;
	nblocks = (pool - PY_POOL_OVERHEAD) / size;
	if (maxnext != pool - size || next < PY_POOL_OVERHEAD + size || next > maxnext + size ||
	    (next - PY_POOL_OVERHEAD) % size || count > nblocks ||
	    (freeblock && (freeblock < addr + PY_POOL_OVERHEAD || freeblock >= addr + pool ||
			   (freeblock - addr - PY_POOL_OVERHEAD) % size)))
		return 0;
	used = (next - PY_POOL_OVERHEAD) / size;
	memset(is_free, 0, used);
	/* The free list threads the freed blocks below NEXT; bounded, as a list read from a dump may loop. */
	for (k = 0; freeblock && k < used; k++) {
		uint64_t off = freeblock - addr;

		if (off < PY_POOL_OVERHEAD || off >= next || (off - PY_POOL_OVERHEAD) % size)
			break;
		if (is_free[(off - PY_POOL_OVERHEAD) / size])
			break;
		is_free[(off - PY_POOL_OVERHEAD) / size] = 1;
		nfree++;
		freeblock = rd(buf, (size_t)off);
	}
	/* The pool's own count of blocks in use must agree, or this is no pool. */
	if (used - nfree != count)
		return 0;
	for (k = 0; k < used; k++) {
		struct ms_obj o;

		if (is_free[k])
			continue;
		o = (struct ms_obj){ .addr = addr + PY_POOL_OVERHEAD + (uint64_t)k * size, .size = size,
				     .data = buf + PY_POOL_OVERHEAD + (size_t)k * size, .len = size,
				     .finder = MS_FIND_PYMALLOC };
		res->objects++;
		res->bytes += size;
		if ((rc = cb(ctx, &o, data)) < 0)
			return rc;
	}
	return 1;
}

int ms_objects_pymalloc(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
			ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	static const uint32_t pools[] = { 16384, 4096 };
	struct ms_objrange r = { .start = base, .end = base + len, .finder = MS_FIND_PYMALLOC };
	const unsigned char *b = buf;
	uint64_t found = 0, tried = 0;
	size_t i;
	int rc;

	for (i = 0; i < MS_ARRAY_SIZE(pools) && !found; i++) {
		uint64_t a = (base + pools[i] - 1) & ~(uint64_t)(pools[i] - 1);

		/* A stray header is not a heap: pools are the first thing tried, so ask for several. */
		for (; a + pools[i] <= base + len; a += pools[i]) {
			tried++;
			if ((rc = py_pool(ctx, b + (a - base), a, pools[i], cb, data, &r)) < 0)
				return rc;
			found += rc;
		}
		if (found) {
			snprintf(r.note, sizeof(r.note),
				 "%" PRIu64 " pools of %u KiB of %" PRIu64 " aligned places", found,
				 pools[i] / 1024, tried);
		}
		tried = 0;
	}
	if (!found)
		return 0;
	*res = r;
	return 1;
}

bool ms_v8_guess(const char *maps, size_t len, char *why, size_t whylen)
{
	static const char *const names[] = { "node", "nodejs", "libnode", "libv8" };
	const char *p = maps, *base;
	size_t blen, i, n;

	while (next_file(&p, maps + len, &base, &blen))
		for (i = 0; i < MS_ARRAY_SIZE(names); i++) {
			n = strlen(names[i]);
			if (blen >= n && !strncmp(base, names[i], n) && (blen == n || base[n] == '.')) {
				snprintf(why, whylen, "%.*s is mapped", (int)blen, base);
				return true;
			}
		}
	return false;
}

/* V8's MemoryChunk::kAlignment on 64-bit (src/common/globals.h). */
#define V8_PAGE (256u << 10)
/* BasicMemoryChunk::FROM_PAGE: the young generation's page copied from. */
#define V8_FROM_PAGE (1u << 3)

/*
 * The MemoryChunk header at BUF (address ADDR), LEN bytes of the dump
 * from there: its size, or 0 when it is none.  The layout is V8's
 * BasicMemoryChunk since V8 8: size_, flags_, heap_, area_start_,
 * area_end_ as the first five words.
 */
static uint64_t v8_chunk(const unsigned char *buf, size_t len, uint64_t addr)
{
	uint64_t size, heap, astart, aend;

	if (len < 40 || addr % V8_PAGE)
		return 0;
	size = rd(buf, 0);
	heap = rd(buf, 16);
	astart = rd(buf, 24);
	aend = rd(buf, 32);
	if (!size || size % 4096 || size > (1ULL << 40) || !heap || heap % 8 ||
	    astart <= addr + 40 || astart >= addr + size || aend != addr + size)
		return 0;
	return size;
}

/*
 * V8's sequential one-byte strings in the object area AREA..END of a page
 * (B is the dump's bytes of address A0): a tagged map pointer (V8 tags heap
 * pointers with a 1 in bit 0), a 32-bit hash field, a 32-bit length, then
 * that many characters, zero-padded to 8 bytes (src/objects/string.h).  The
 * cheap JS objects to name: text, clustered by their shape like any other,
 * 8 characters or more as a text needs to be one.
 * Returns: 0 or CB's negative return.
 */
static int v8_strings(struct ms_ctx *ctx, const unsigned char *b, uint64_t a0, uint64_t area,
		      uint64_t end, ms_obj_cb cb, void *data, struct ms_objrange *res)
{
	uint64_t a = (area + 7) & ~7ULL, map, size, i;
	uint32_t n;
	int rc;

	while (a + 24 <= end) {
		const unsigned char *p = b + (a - a0);

		map = rd(p, 0);
		n = rd32(p, 12);
		size = (16 + (uint64_t)n + 7) & ~7ULL;
		if (!(map & 1) || map < 4096 || (map >> 47) || n < 8 || n > 65536 || a + size > end) {
			a += 8;
			continue;
		}
		for (i = 0; i < n && p[16 + i] >= 0x20 && p[16 + i] < 0x7f; i++)
			;
		if (i == n)
			for (i = 16 + (uint64_t)n; i < size && !p[i]; i++)
				;
		if (i != size) {
			a += 8;
			continue;
		}
		res->objects++;
		res->bytes += size;
		/* Its characters as its bytes: the text, shaped as text is, names it. */
		if ((rc = cb(ctx, &(struct ms_obj){ .addr = a, .size = size, .data = p + 16, .len = n,
						     .finder = MS_FIND_V8 }, data)) < 0)
			return rc;
		a += size;
	}
	return 0;
}

int ms_objects_v8(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base, ms_obj_cb cb,
		  void *data, struct ms_objrange *res)
{
	struct ms_objrange r = { .start = base, .end = base + len, .finder = MS_FIND_V8 };
	const unsigned char *b = buf;
	uint64_t a = base, size, pages = 0, end;
	int rc;

	if (!v8_chunk(b, len, base))
		return 0;
	/* Pages one after another: a range may hold several when their mappings merged. */
	while (a < base + len && (size = v8_chunk(b + (a - base), (size_t)(base + len - a), a))) {
		const unsigned char *h = b + (a - base);
		uint64_t hwm = len - (a - base) >= 64 ? rd(h, 56) : 0;

		pages++;
		end = a + size < base + len ? a + size : base + len;
		/* Never allocated past its high water mark (word 7). */
		if (hwm > 40 && hwm < size && a + hwm < end)
			end = a + hwm;
		/* A from-space page holds what the scavenger copied away: dead twins. */
		if (!(rd(h, 8) & V8_FROM_PAGE) &&
		    (rc = v8_strings(ctx, b, base, rd(h, 24), end, cb, data, &r)) < 0)
			return rc;
		a += (size + V8_PAGE - 1) / V8_PAGE * V8_PAGE;
	}
	snprintf(r.note, sizeof(r.note),
		 "%" PRIu64 " V8 heap page%s (MemoryChunk headers): its one-byte strings found, no other JS object walked",
		 pages, pages == 1 ? "" : "s");
	*res = r;
	return 1;
}
