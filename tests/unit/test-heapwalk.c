// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/heapwalk.c on this process's own glibc heap: known
 * counts of known sizes are allocated from glibc's malloc, the [heap]
 * mapping is copied out and walked, then copies with one chunk header
 * broken are walked again.  malloc and free are taken from libc.so.6
 * itself, so that under AddressSanitizer (which replaces malloc) the
 * chunks are still glibc's, laid out in the brk heap.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/heapwalk.h>

#include "tap.h"

#define N_BIG 100
#define SZ_BIG 1000
#define N_SMALL 50
#define SZ_SMALL 24
#define N_FREED 10
#define SZ_FREED 3000

typedef void *(*malloc_fn)(size_t);
typedef void (*free_fn)(void *);

static struct ms_ctx *ctx;

/* The chunk size glibc gives a request of N bytes on 64-bit. */
static uint64_t chunk_size(size_t n)
{
	uint64_t s = (n + 8 + 15) & ~(uint64_t)15;

	return s < 32 ? 32 : s;
}

struct heap {
	uint64_t base;
	size_t len;
	unsigned char *copy;
};

/* The [heap] line of /proc/self/maps: its start and end. */
static int heap_range(uint64_t *start, uint64_t *end)
{
	char line[512];
	FILE *fp = fopen("/proc/self/maps", "r");
	int found = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (strstr(line, "[heap]") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, start, end) == 2) {
			found = 0;
			break;
		}
	fclose(fp);
	return found;
}

/*
 * Copy BASE up to the current break into memory of its own (mmap, so the
 * copy does not itself change the heap).
 */
static int heap_copy(uint64_t base, struct heap *h)
{
	uint64_t end = (uint64_t)(uintptr_t)sbrk(0);

	h->base = base;
	h->len = (size_t)(end - base);
	h->copy = mmap(NULL, h->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->copy == MAP_FAILED)
		return -1;
	memcpy(h->copy, (const void *)(uintptr_t)base, h->len);
	return 0;
}

static const struct ms_heap_class *find_class(const struct ms_heapwalk *w, uint64_t size)
{
	size_t i;

	for (i = 0; i < ms_heapwalk_class_count(w); i++)
		if (ms_heapwalk_class(w, i)->size == size)
			return ms_heapwalk_class(w, i);
	return NULL;
}

static uint64_t class_count(const struct ms_heapwalk *w, uint64_t size)
{
	const struct ms_heap_class *c = find_class(w, size);

	return c ? c->count : 0;
}

static uint64_t class_inuse(const struct ms_heapwalk *w, uint64_t size)
{
	const struct ms_heap_class *c = find_class(w, size);

	return c ? c->inuse : 0;
}

/* What the walk of the untouched heap must show. */
struct heapwalk_expect {
	uint64_t big_word;	/* the first word all of them start with */
};

static void check_clean(const struct heap *h, const struct heapwalk_expect *e)
{
	struct ms_heapwalk *w = NULL;
	const struct ms_heap_class *c;
	const char *why;
	uint64_t at, top, top_size;
	int rc;

	rc = ms_heapwalk_run(ctx, h->copy, h->len, h->base, &w);
	is_int(rc, 0, "the copy of [heap] walks (%s)", rc ? ms_ctx_errmsg(ctx) : "ok");
	if (rc)
		return;
	is_int(ms_heapwalk_form(w), MS_HEAP_MAIN, "[heap] is taken for the main arena's heap");
	ok(!ms_heapwalk_broken(w, &at, &why), "the chain is whole (%s)",
	   ms_heapwalk_broken(w, &at, &why) ? why : "ok");
	top = ms_heapwalk_top(w, &top_size);
	ok(top && top + top_size <= h->base + h->len, "the top chunk is found inside the heap");
	/* The break is 16-aligned, so the first chunk is at the base. */
	is_u64(ms_heapwalk_bytes(w), top + top_size - h->base,
	       "the chunks cover the heap from its start to the top chunk's end");
	ok(class_count(w, chunk_size(SZ_BIG)) >= N_BIG, "at least %d chunks of %" PRIu64 " bytes",
	   N_BIG, chunk_size(SZ_BIG));
	ok(class_inuse(w, chunk_size(SZ_BIG)) >= N_BIG, "at least %d of them in use", N_BIG);
	ok(class_count(w, chunk_size(SZ_SMALL)) >= N_SMALL,
	   "at least %d chunks of %" PRIu64 " bytes", N_SMALL, chunk_size(SZ_SMALL));
	ok(class_inuse(w, chunk_size(SZ_SMALL)) >= N_SMALL, "at least %d of them in use", N_SMALL);
	ok(class_count(w, chunk_size(SZ_FREED)) >= N_FREED,
	   "at least %d chunks of %" PRIu64 " bytes", N_FREED, chunk_size(SZ_FREED));
	ok(!find_class(w, SZ_BIG) && !find_class(w, SZ_FREED),
	   "no class at the request sizes themselves: the header and rounding are counted");
	c = find_class(w, chunk_size(SZ_BIG));
	ok(c && c->word == e->big_word && c->word_count >= N_BIG,
	   "the %" PRIu64 "-byte chunks' most common first word is the one written",
	   chunk_size(SZ_BIG));
	c = find_class(w, chunk_size(SZ_FREED));
	ok(c && c->fill == 0xa5 && c->fill_count >= N_FREED,
	   "the %" PRIu64 "-byte chunks' most common fill byte is the one written",
	   chunk_size(SZ_FREED));
	ms_heapwalk_free(w);
}

/*
 * Walk a copy of H whose chunk at ADDR has the size field SIZE: the walk
 * must stop there, say so, and have counted every chunk before it.
 */
static void check_broken(const struct heap *h, uint64_t addr, uint64_t size, const char *what,
			 const char *why_has, uint64_t big_all)
{
	unsigned char *b = malloc(h->len);
	struct ms_heapwalk *w = NULL;
	uint64_t at = 0, top_size;
	const char *why = NULL;
	int rc;

	if (!b) {
		ok(0, "%s: out of memory", what);
		return;
	}
	memcpy(b, h->copy, h->len);
	memcpy(b + (addr - h->base) + 8, &size, sizeof(size));
	rc = ms_heapwalk_run(ctx, b, h->len, h->base, &w);
	is_int(rc, 0, "%s: a broken chain is a result, not an error", what);
	if (rc) {
		free(b);
		return;
	}
	ok(ms_heapwalk_broken(w, &at, &why), "%s: the walk says the chain broke", what);
	is_u64(at, addr, "%s: at the chunk whose header was overwritten", what);
	ok(why && strstr(why, why_has), "%s: why: \"%s\"", what, why ? why : "");
	is_u64(ms_heapwalk_bytes(w), addr - h->base,
	       "%s: every chunk before it is counted, none after", what);
	ok(class_count(w, chunk_size(SZ_BIG)) >= N_BIG / 2,
	   "%s: the %d chunks of %" PRIu64 " bytes before it are in the table", what, N_BIG / 2,
	   chunk_size(SZ_BIG));
	ok(class_count(w, chunk_size(SZ_BIG)) + N_BIG / 2 <= big_all,
	   "%s: the %d from it on are not", what, N_BIG / 2);
	is_u64(ms_heapwalk_top(w, &top_size), 0, "%s: the top chunk is not claimed", what);
	ms_heapwalk_free(w);
	free(b);
}

/* The freed 3000-byte chunk is seen as free through its neighbour's PREV_INUSE. */
static void check_freed(const struct heap *before, const struct heap *after)
{
	struct ms_heapwalk *w0 = NULL, *w1 = NULL;
	uint64_t sz = chunk_size(SZ_FREED);

	if (ms_heapwalk_run(ctx, before->copy, before->len, before->base, &w0) < 0 ||
	    ms_heapwalk_run(ctx, after->copy, after->len, after->base, &w1) < 0) {
		ok(0, "the heaps before and after free() walk: %s", ms_ctx_errmsg(ctx));
		goto out;
	}
	is_u64(class_count(w1, sz), class_count(w0, sz),
	       "free() of one %" PRIu64 "-byte chunk keeps the class's count", sz);
	is_u64(class_inuse(w1, sz), class_inuse(w0, sz) - 1, "and takes one from its in-use count");
	is_u64(class_inuse(w0, sz), class_count(w0, sz), "before free() all of them were in use");
out:
	ms_heapwalk_free(w0);
	ms_heapwalk_free(w1);
}

/* Inputs that are not a glibc heap, or too short to be one. */
static void check_not_heap(const struct heap *h)
{
	static const char text[] = "This is not a heap: no chunk header here, only text. ";
	struct ms_heapwalk *w = NULL;
	unsigned char *b;
	uint64_t at = 0;
	const char *why;
	size_t i, len = 1 << 16;
	int rc;

	rc = ms_heapwalk_run(ctx, h->copy, 0, h->base, &w);
	is_int(rc, -EBADMSG, "an empty buffer is refused");
	ok(strstr(ms_ctx_errmsg(ctx), "too short"), "and said so: \"%s\"", ms_ctx_errmsg(ctx));
	ms_heapwalk_free(w);
	w = NULL;
	rc = ms_heapwalk_run(ctx, h->copy, 24, h->base, &w);
	is_int(rc, -EBADMSG, "24 bytes, less than one chunk, are refused");
	ms_heapwalk_free(w);
	w = NULL;

	if (!(b = malloc(len))) {
		ok(0, "out of memory");
		return;
	}
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)text[i % (sizeof(text) - 1)];
	rc = ms_heapwalk_run(ctx, b, len, h->base, &w);
	is_int(rc, 0, "text where the main heap should be walks");
	if (!rc) {
		ok(ms_heapwalk_broken(w, &at, &why), "and breaks: \"%s\"", why);
		is_u64(at, h->base, "at its first chunk");
		is_u64(ms_heapwalk_chunks(w), 0, "with no chunk counted");
		is_u64(ms_heapwalk_class_count(w), 0, "and no size class");
	}
	ms_heapwalk_free(w);
	w = NULL;
	/* At a 64 MiB boundary the dump is taken for a thread heap: heap_info first. */
	rc = ms_heapwalk_run(ctx, b, len, 0x7f0000000000ULL, &w);
	is_int(rc, -EPROTONOSUPPORT, "text at a 64 MiB boundary is not a known thread heap");
	ok(strstr(ms_ctx_errmsg(ctx), "not a glibc thread heap"), "and said so: \"%s\"",
	   ms_ctx_errmsg(ctx));
	ms_heapwalk_free(w);
	free(b);
}

int main(void)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW);
	void *big[N_BIG], *small[N_SMALL], *freed[N_FREED], *guard;
	struct heap before = { 0 }, after = { 0 };
	struct heapwalk_expect e;
	uint64_t start, end, word = 0x6d656d7369667431ULL;
	malloc_fn gmalloc;
	free_fn gfree;
	int i;

	ctx = ms_ctx_new();
	if (!libc || !ctx) {
		printf("1..0 # SKIP libc.so.6 not loadable: %s\n", dlerror());
		return 77;
	}
	*(void **)&gmalloc = dlsym(libc, "malloc");
	*(void **)&gfree = dlsym(libc, "free");
	if (!gmalloc || !gfree) {
		printf("1..0 # SKIP libc.so.6 has no malloc\n");
		return 77;
	}
	for (i = 0; i < N_BIG; i++) {
		if (!(big[i] = gmalloc(SZ_BIG)))
			return 1;
		memset(big[i], 0xa5, SZ_BIG);
		memcpy(big[i], &word, sizeof(word));
	}
	for (i = 0; i < N_SMALL; i++)
		if (!(small[i] = gmalloc(SZ_SMALL)))
			return 1;
	for (i = 0; i < N_FREED; i++) {
		if (!(freed[i] = gmalloc(SZ_FREED)))
			return 1;
		memset(freed[i], 0xa5, SZ_FREED);
	}
	/* Keeps the freed chunk from merging with the top chunk. */
	guard = gmalloc(SZ_SMALL);

	if (heap_range(&start, &end) < 0 || (uint64_t)(uintptr_t)big[0] < start ||
	    (uint64_t)(uintptr_t)guard >= end) {
		printf("1..0 # SKIP glibc's malloc did not use the brk heap\n");
		return 77;
	}
	/* Both copies are taken before anything else can malloc and reuse the freed chunk. */
	if (heap_copy(start, &before) < 0)
		return 1;
	gfree(freed[N_FREED / 2]);
	if (heap_copy(start, &after) < 0)
		return 1;

	e.big_word = word;
	check_clean(&before, &e);
	check_freed(&before, &after);

	/* Break the chain in the middle of the 1000-byte chunks, laid out one after another. */
	for (i = 1; i < N_BIG; i++)
		if ((char *)big[i] - (char *)big[i - 1] != (ptrdiff_t)chunk_size(SZ_BIG))
			break;
	ok(i == N_BIG, "the %d chunks of %" PRIu64 " bytes lie one after another", N_BIG,
	   chunk_size(SZ_BIG));
	if (i == N_BIG) {
		uint64_t at = (uint64_t)(uintptr_t)big[N_BIG / 2] - 16;
		struct ms_heapwalk *w = NULL;
		uint64_t all = 0;

		/* The clean walk's count: 1008-byte chunks libc made itself count too. */
		if (ms_heapwalk_run(ctx, before.copy, before.len, before.base, &w) == 0)
			all = class_count(w, chunk_size(SZ_BIG));
		ms_heapwalk_free(w);
		/* "garbage!" read as a size: IS_MMAPPED is set and it runs far past the end. */
		check_broken(&before, at, 0x2165676162726167ULL, "garbage size", "size 0x", all);
		check_broken(&before, at, (before.base + before.len - at + 16) | 1, "size past the end",
			     "runs past the end", all);
		check_broken(&before, at, (chunk_size(SZ_BIG) + 8) | 1, "size not a multiple of 16",
			     "not a multiple of 16", all);
	}
	check_not_heap(&before);

	munmap(before.copy, before.len);
	munmap(after.copy, after.len);
	for (i = 0; i < N_BIG; i++)
		gfree(big[i]);
	for (i = 0; i < N_SMALL; i++)
		gfree(small[i]);
	for (i = 0; i < N_FREED; i++)
		if (i != N_FREED / 2)
			gfree(freed[i]);
	gfree(guard);
	ms_ctx_free(ctx);
	return tap_done();
}
