// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/objects.c: the allocator told from the maps, a glibc mmapped chunk
 * recognised, and a heap of no known layout searched for strings and never
 * walked as a glibc heap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/objects.h>

#include "tap.h"

static const char maps_glibc[] =
	"55d0c0a00000-55d0c0a01000 r-xp 00000000 08:01 100 /usr/bin/svc\n"
	"55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0 [heap]\n"
	"7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0\n"
	"7f3a1d000000-7f3a1d195000 r-xp 00028000 08:01 200 /usr/lib/x86_64-linux-gnu/libc.so.6\n";
static const char maps_je[] =
	"55d0c0a00000-55d0c0a01000 r-xp 00000000 08:01 100 /usr/bin/redis-server\n"
	"7f3a1d000000-7f3a1d195000 r-xp 00028000 08:01 200 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7f3a1e000000-7f3a1e080000 r-xp 00008000 08:01 300 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n";
static const char maps_static[] = "00400000-00410000 r-xp 00000000 08:01 100 /opt/app\n";

struct seen {
	uint64_t n, bytes;
	uint64_t first_addr, first_size;
};

static int count(struct ms_ctx *ctx, const struct ms_obj *o, void *data)
{
	struct seen *s = data;

	(void)ctx;
	if (!s->n++) {
		s->first_addr = o->addr;
		s->first_size = o->size;
	}
	s->bytes += o->size;
	return 0;
}

int main(void)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_objrange r;
	struct seen s = { 0 };
	unsigned char *buf;
	char why[160];
	uint64_t v;
	size_t i;

	is_str(ms_allocator_str(ms_allocator_guess(maps_glibc, strlen(maps_glibc), why, sizeof(why))),
	       "glibc", "libc.so.6 alone is glibc");
	is_str(ms_allocator_str(ms_allocator_guess(maps_je, strlen(maps_je), why, sizeof(why))),
	       "jemalloc", "libjemalloc mapped wins over libc");
	is_str(why, "libjemalloc.so.2 is mapped", "and says why");
	is_str(ms_allocator_str(ms_allocator_guess(maps_static, strlen(maps_static), why, sizeof(why))),
	       "unknown", "a static binary is not guessed from its maps");

	/* A glibc mmapped chunk: prev_size 0, size 0x21002 (IS_MMAPPED), the whole mapping. */
	buf = calloc(1, 0x21000 + 0x1000);
	v = 0x21000 | 2;
	memcpy(buf + 8, &v, 8);
	memset(buf + 16, 'Z', 100);
	ok(ms_objects_find(ctx, MS_ALLOC_GLIBC, NULL, NULL, buf, 0x21000, 0x7f0000000000, "", true,
			   count, &s, &r) == 0, "find in an mmapped chunk");
	is_str(ms_finder_str(r.finder), "glibc-mmap", "found as glibc's mmapped chunk");
	is_u64(s.n, 1, "one object");
	is_u64(s.first_addr, 0x7f0000000010ULL, "its user data after the 16-byte header");
	is_u64(s.first_size, 0x21000, "the chunk's size");

	/* Not a glibc heap under jemalloc: strings found, the range said to be signature. */
	memset(buf, 0, 0x22000);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < 50; i++)
		snprintf((char *)buf + 4096 + i * 112, 112, "value:%zu:%08zx-some-text", i, i * 7919);
	ok(ms_objects_find(ctx, MS_ALLOC_JEMALLOC, NULL, NULL, buf, 0x20000, 0x7f1000000000, "",
			   true, count, &s, &r) == 0, "find in a jemalloc range");
	is_str(ms_finder_str(r.finder), "signature", "by signature, not walked as glibc");
	ok(strstr(r.note, "jemalloc") != NULL, "the note names the allocator: %s", r.note);
	is_u64(s.n, 50, "each NUL-ended string an object");
	is_u64(s.first_addr, 0x7f1000001000ULL, "the first where its text starts");

	/* Garbage at a [heap] start of a process whose allocator is unknown: not glibc, said so. */
	memset(buf, 0x5a, 0x20000);
	memset(&s, 0, sizeof(s));
	ok(ms_objects_find(ctx, MS_ALLOC_UNKNOWN, NULL, NULL, buf, 0x20000, 0x55d0c1000000,
			   "[heap]", true, count, &s, &r) == 0, "find in a [heap] of garbage");
	is_str(ms_finder_str(r.finder), "signature", "the fallback finder");
	ok(strstr(r.note, "not a glibc heap") != NULL, "says it is not a glibc heap: %s", r.note);

	free(buf);
	ms_ctx_free(ctx);
	return tap_done();
}
