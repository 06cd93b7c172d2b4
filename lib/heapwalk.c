// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * glibc malloc chunks over a dump.  Nothing read from the dump is trusted:
 * each size is checked before the walk follows it, and the tallies live in
 * tables of our own, sized by what was walked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/heapwalk.h>

#include "internal.h"
#include "util.h"

/* glibc 2.26+ on 64-bit: malloc/malloc.c, malloc/arena.c. */
#define SIZE_SZ 8
#define ALIGN 16
#define MINSIZE 32
#define PREV_INUSE 1
#define IS_MMAPPED 2
#define NON_MAIN_ARENA 4
#define HEAP_MAX (64ULL << 20)		/* HEAP_MAX_SIZE: 2 * DEFAULT_MMAP_THRESHOLD_MAX */
#define HEAP_INFO_OLD 32		/* ar_ptr, prev, size, mprotect_size */
#define HEAP_INFO_NEW 48		/* 2.35+: and pagesize, padded to 16 */
#define MSTATE_SIZE 2200		/* struct malloc_state since 2.26 */
#define MSTATE_TOP 96			/* offsetof(struct malloc_state, top) */

struct tally {
	uint64_t size, word, count;
	bool fill;		/* WORD is a fill byte, not a first word */
};

struct ms_heapwalk {
	enum ms_heap_form form;
	uint64_t chunks, bytes, top, top_size;
	bool broken, fenced;
	uint64_t broken_at;
	char why[128];

	struct ms_heap_class *cls;
	size_t ncls, capcls;
	size_t *cslot;		/* size -> class index + 1 */
	size_t ccap;

	struct tally *tal;	/* (size, word or fill) -> count */
	size_t tcap, tn;

	ms_heapwalk_chunk_cb cb;	/* each chunk, for an object finder; may be NULL */
	void *cb_data;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

static int grow_tally(struct ms_ctx *ctx, struct ms_heapwalk *w)
{
	size_t cap = w->tcap ? w->tcap * 2 : 1024, i, j;
	struct tally *n = calloc(cap, sizeof(*n));

	if (!n)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < w->tcap; i++) {
		if (!w->tal[i].count)
			continue;
		for (j = mix(w->tal[i].size ^ mix(w->tal[i].word) ^ w->tal[i].fill) & (cap - 1);
		     n[j].count; j = (j + 1) & (cap - 1))
			;
		n[j] = w->tal[i];
	}
	free(w->tal);
	w->tal = n;
	w->tcap = cap;
	return 0;
}

static int tally(struct ms_ctx *ctx, struct ms_heapwalk *w, uint64_t size, uint64_t word,
		 bool fill)
{
	size_t j;
	int rc;

	if (w->tn * 2 >= w->tcap && (rc = grow_tally(ctx, w)) < 0)
		return rc;
	for (j = mix(size ^ mix(word) ^ fill) & (w->tcap - 1); w->tal[j].count;
	     j = (j + 1) & (w->tcap - 1))
		if (w->tal[j].size == size && w->tal[j].word == word && w->tal[j].fill == fill) {
			w->tal[j].count++;
			return 0;
		}
	w->tal[j] = (struct tally){ size, word, 1, fill };
	w->tn++;
	return 0;
}

static int grow_classes(struct ms_ctx *ctx, struct ms_heapwalk *w)
{
	size_t cap = w->ccap ? w->ccap * 2 : 256, i, j;
	size_t *n = calloc(cap, sizeof(*n));

	if (!n)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < w->ncls; i++) {
		for (j = mix(w->cls[i].size) & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
			;
		n[j] = i + 1;
	}
	free(w->cslot);
	w->cslot = n;
	w->ccap = cap;
	return 0;
}

static struct ms_heap_class *class_of(struct ms_ctx *ctx, struct ms_heapwalk *w, uint64_t size)
{
	size_t j;

	if (w->ncls * 2 >= w->ccap && grow_classes(ctx, w) < 0)
		return NULL;
	for (j = mix(size) & (w->ccap - 1); w->cslot[j]; j = (j + 1) & (w->ccap - 1))
		if (w->cls[w->cslot[j] - 1].size == size)
			return &w->cls[w->cslot[j] - 1];
	if (MS_GROW(w->cls, w->capcls, w->ncls + 1, 64) < 0) {
		ms_err(ctx, -ENOMEM, "out of memory");
		return NULL;
	}
	w->cls[w->ncls] = (struct ms_heap_class){ .size = size, .fill = -1 };
	w->cslot[j] = ++w->ncls;
	return &w->cls[w->ncls - 1];
}

static uint64_t rd(const unsigned char *b, uint64_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	return !n || (!p[0] && !memcmp(p, p + 1, n - 1));
}

/* Where the chunks start, from the first words; sets W->form.  Returns the offset. */
static int first_chunk(struct ms_ctx *ctx, struct ms_heapwalk *w, const unsigned char *b,
		       size_t len, uint64_t base, uint64_t *first, uint64_t *lim)
{
	uint64_t ar, hsize, top, off, pagesize, hinfo;

	*lim = len;
	if (base % HEAP_MAX || len < HEAP_INFO_NEW + MSTATE_SIZE + MINSIZE) {
		w->form = MS_HEAP_MAIN;
		*first = (ALIGN - (base + 2 * SIZE_SZ) % ALIGN) % ALIGN;
		return 0;
	}
	ar = rd(b, 0);
	hsize = rd(b, 16);
	if (!hsize || hsize > HEAP_MAX || hsize % 4096)
		return ms_err(ctx, -EPROTONOSUPPORT, "0x%" PRIx64 ": 64 MiB-aligned but heap_info.size is 0x%" PRIx64 "; not a glibc thread heap of a known layout",
			      base, hsize);
	*lim = hsize < len ? hsize : len;
	/* glibc 2.35 added heap_info.pagesize (a power of two, 4 KiB or more). */
	pagesize = rd(b, 32);
	hinfo = pagesize >= 4096 && !(pagesize & (pagesize - 1)) ? HEAP_INFO_NEW : HEAP_INFO_OLD;
	if (ar == base + hinfo) {
		w->form = MS_HEAP_ARENA;
		top = rd(b, hinfo + MSTATE_TOP);
		off = hinfo + MSTATE_SIZE;
		off += (ALIGN - (base + off + 2 * SIZE_SZ) % ALIGN) % ALIGN;
		if (top < base + off || top >= base + *lim)
			return ms_err(ctx, -EPROTONOSUPPORT, "0x%" PRIx64 ": malloc_state.top 0x%" PRIx64 " is not in this heap; glibc layout not known (2.26 to 2.37 expected)",
				      base, top);
	} else {
		w->form = MS_HEAP_ARENA_MORE;
		off = hinfo;
	}
	*first = off;
	return 0;
}

static MS_ATTR_PRINTF(3, 4) int broke(struct ms_heapwalk *w, uint64_t addr, const char *fmt, ...)
{
	va_list ap;

	w->broken = true;
	w->broken_at = addr;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return 0;
}

static bool filled(const unsigned char *u, size_t n)
{
	return !memcmp(u, u + 1, n - 1);
}

static int walk(struct ms_ctx *ctx, struct ms_heapwalk *w, const unsigned char *b,
		uint64_t base, uint64_t p, uint64_t lim)
{
	struct ms_heap_class *c;
	uint64_t size, cs, nxt;
	bool inuse;
	int rc;

	while (p + 2 * SIZE_SZ <= lim) {
		size = rd(b, p + SIZE_SZ);
		cs = size & ~(uint64_t)7;
		/*
		 * Two headers of 16 bytes: the fenceposts glibc puts after the
		 * old top when the main arena's memory stops being contiguous
		 * (brk() failed, or another sbrk() moved the break).  At the
		 * end they end the heap; before it, the chunks stop there, and
		 * what follows is not known to be the heap's.
		 */
		if (cs == 2 * SIZE_SZ && lim - p >= 2 * 2 * SIZE_SZ &&
		    (rd(b, p + 3 * SIZE_SZ) & ~(uint64_t)PREV_INUSE) == 2 * SIZE_SZ) {
			if (lim - p < 3 * 2 * SIZE_SZ)
				return 0;
			w->fenced = true;
		}
		if (size & IS_MMAPPED)
			return broke(w, base + p, "size 0x%" PRIx64 " has IS_MMAPPED set inside a heap", size);
		if (cs < MINSIZE || cs % ALIGN)
			return broke(w, base + p, "size 0x%" PRIx64 " is below 32 or not a multiple of 16", size);
		if (cs > lim - p)
			return broke(w, base + p, "size 0x%" PRIx64 " runs past the end of the heap", size);
		nxt = p + cs;
		/* The top chunk ends the heap, or the page the brk area ends in. */
		if (nxt == lim || (lim - nxt < 4096 && all_zero(b + nxt, lim - nxt))) {
			w->top = base + p;
			w->top_size = cs;
			w->chunks++;
			w->bytes += cs;
			return 0;
		}
		if (nxt + 2 * SIZE_SZ > lim)
			return broke(w, base + nxt, "a chunk header cut by the end at 0x%" PRIx64, base + lim);
		inuse = rd(b, nxt + SIZE_SZ) & PREV_INUSE;
		/* The user data runs to the next chunk's size field (its prev_size is ours). */
		if (w->cb && (rc = w->cb(base + p + 2 * SIZE_SZ, cs, inuse, b + p + 2 * SIZE_SZ,
					 cs - SIZE_SZ, w->cb_data)) < 0)
			return rc;
		if (!(c = class_of(ctx, w, cs)))
			return -ENOMEM;
		c->count++;
		c->bytes += cs;
		w->chunks++;
		w->bytes += cs;
		if (inuse) {
			const unsigned char *u = b + p + 2 * SIZE_SZ;

			c->inuse++;
			if ((rc = tally(ctx, w, cs, rd(u, 0), false)) < 0)
				return rc;
			/*
			 * Filled: the request (more than CS - 24 bytes, as malloc
			 * rounds it) is all its first byte; the rest is slack.
			 */
			if (filled(u, cs - 3 * SIZE_SZ + 1) && (rc = tally(ctx, w, cs, u[0], true)) < 0)
				return rc;
		}
		p = nxt;
	}
	if (p != lim)
		return broke(w, base + p, "a chunk header cut by the end at 0x%" PRIx64, base + lim);
	return 0;
}

static int cmp_class(const void *a, const void *b)
{
	const struct ms_heap_class *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->size > y->size) - (x->size < y->size);
}

int ms_heapwalk_run(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
		    struct ms_heapwalk **out)
{
	return ms_heapwalk_run_cb(ctx, buf, len, base, NULL, NULL, out);
}

int ms_heapwalk_run_cb(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
		       ms_heapwalk_chunk_cb cb, void *data, struct ms_heapwalk **out)
{
	struct ms_heapwalk *w = calloc(1, sizeof(*w));
	uint64_t first = 0, lim = 0;
	size_t i, k;
	int rc;

	if (!w)
		return ms_err(ctx, -ENOMEM, "out of memory");
	w->cb = cb;
	w->cb_data = data;
	if ((rc = first_chunk(ctx, w, buf, len, base, &first, &lim)) < 0)
		goto fail;
	/* Too short to hold one chunk: nothing to walk, and an empty walk would look whole. */
	if (lim < first + MINSIZE) {
		rc = ms_err(ctx, -EBADMSG, "0x%" PRIx64 ": %zu bytes, too short for a malloc chunk (%d bytes at least)",
			    base, len, MINSIZE);
		goto fail;
	}
	if ((rc = walk(ctx, w, buf, base, first, lim)) < 0)
		goto fail;
	/* Each class's most common first word and fill byte. */
	for (i = 0; i < w->tcap; i++) {
		const struct tally *t = &w->tal[i];
		struct ms_heap_class *c;

		if (!t->count)
			continue;
		for (k = mix(t->size) & (w->ccap - 1); w->cls[w->cslot[k] - 1].size != t->size;
		     k = (k + 1) & (w->ccap - 1))
			;
		c = &w->cls[w->cslot[k] - 1];
		if (t->fill && t->count > c->fill_count) {
			c->fill = (int)t->word;
			c->fill_count = t->count;
		} else if (!t->fill && (t->count > c->word_count ||
					(t->count == c->word_count && t->word < c->word))) {
			c->word = t->word;
			c->word_count = t->count;
		}
	}
	/* A chain broken at its first chunk has no classes, and w->cls is still NULL. */
	if (w->ncls)
		qsort(w->cls, w->ncls, sizeof(*w->cls), cmp_class);
	*out = w;
	return 0;
fail:
	ms_heapwalk_free(w);
	return rc;
}

void ms_heapwalk_free(struct ms_heapwalk *w)
{
	if (!w)
		return;
	free(w->cls);
	free(w->cslot);
	free(w->tal);
	free(w);
}

enum ms_heap_form ms_heapwalk_form(const struct ms_heapwalk *w)
{
	return w->form;
}

const char *ms_heap_form_str(enum ms_heap_form f)
{
	switch (f) {
	case MS_HEAP_MAIN:
		return "main heap";
	case MS_HEAP_ARENA:
		return "thread arena (first heap)";
	case MS_HEAP_ARENA_MORE:
		return "thread arena (later heap)";
	}
	return "?";
}

uint64_t ms_heapwalk_chunks(const struct ms_heapwalk *w)
{
	return w->chunks;
}

uint64_t ms_heapwalk_bytes(const struct ms_heapwalk *w)
{
	return w->bytes;
}

uint64_t ms_heapwalk_top(const struct ms_heapwalk *w, uint64_t *size)
{
	*size = w->top_size;
	return w->top;
}

bool ms_heapwalk_fenced(const struct ms_heapwalk *w)
{
	return w->fenced;
}

bool ms_heapwalk_broken(const struct ms_heapwalk *w, uint64_t *addr, const char **why)
{
	*addr = w->broken_at;
	*why = w->why;
	return w->broken;
}

size_t ms_heapwalk_class_count(const struct ms_heapwalk *w)
{
	return w->ncls;
}

const struct ms_heap_class *ms_heapwalk_class(const struct ms_heapwalk *w, size_t i)
{
	return i < w->ncls ? &w->cls[i] : NULL;
}
