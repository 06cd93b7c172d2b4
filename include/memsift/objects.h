/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The objects of a dump, with their boundaries, from the allocator that
 * made them: the first step of the analysis pipeline (<memsift/analyse.h>).
 *
 * Which allocator a process uses is read from its maps (a malloc library
 * mapped: jemalloc, tcmalloc, mimalloc, musl's loader) and, for glibc, from
 * the dump itself: a range is walked as a glibc heap only when its first
 * chunk parses as one.  A finder that does not recognise a range says so
 * and never walks it as something else.
 *
 *	glibc-main   the [heap] (brk) area, chunk by chunk (<memsift/heapwalk.h>)
 *	glibc-arena  a thread arena's heap: 64 MiB-aligned, heap_info first
 *	glibc-mmap   one chunk mmapped on its own (IS_MMAPPED), a whole mapping
 *	signature    any other heap (jemalloc, tcmalloc, musl, mimalloc or
 *	             unknown): objects found from what repeats in them, a code,
 *	             type or data pointer at a fixed stride (the slab's object
 *	             size), or a NUL-terminated string; boundaries are then a
 *	             guess from the stride, and the range says so
 */
#ifndef MEMSIFT_OBJECTS_H
#define MEMSIFT_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/manifest.h>
#include <memsift/symbol.h>

enum ms_allocator {
	MS_ALLOC_UNKNOWN = 0,
	MS_ALLOC_GLIBC,
	MS_ALLOC_JEMALLOC,
	MS_ALLOC_TCMALLOC,
	MS_ALLOC_MUSL,
	MS_ALLOC_MIMALLOC,
	MS_ALLOC_GO,
};

/* "glibc", "jemalloc", "tcmalloc", "musl", "mimalloc", "go" or "unknown". */
const char *ms_allocator_str(enum ms_allocator a);

/*
 * The allocator the process whose maps text is MAPS (LEN bytes) uses, and
 * why, into WHY of WHYLEN bytes ("libjemalloc.so.2 is mapped").  A malloc
 * library mapped wins over libc; libc.so.6 gives glibc; neither gives
 * MS_ALLOC_UNKNOWN (a static binary: the dump decides).
 */
enum ms_allocator ms_allocator_guess(const char *maps, size_t len, char *why, size_t whylen);

enum ms_finder {
	MS_FIND_NONE = 0,	/* no object found: not a heap, or not one we know */
	MS_FIND_GLIBC_MAIN,
	MS_FIND_GLIBC_ARENA,
	MS_FIND_GLIBC_MMAP,
	MS_FIND_SIGNATURE,
	MS_FIND_PYMALLOC,	/* CPython's small-object pools */
	MS_FIND_V8,		/* V8's heap pages: recognised, never walked as malloc's */
};

/* "none", "glibc-main", "glibc-arena", "glibc-mmap", "signature", "pymalloc", "v8". */
const char *ms_finder_str(enum ms_finder f);

/* One object: the bytes the program asked for, and where they are in the dump. */
struct ms_obj {
	uint64_t addr;		/* its first byte (glibc: the chunk's + 16) */
	uint64_t size;		/* the allocator's size for it (glibc: the chunk, header included) */
	const unsigned char *data;	/* its bytes in the dump (a V8 string: its characters) */
	size_t len;		/* how many of them the dump holds */
	enum ms_finder finder;
};

/* Called for each object in use; a negative return stops the finder and is returned. */
typedef int (*ms_obj_cb)(struct ms_ctx *ctx, const struct ms_obj *o, void *data);

/* What a finder made of one range. */
struct ms_objrange {
	uint64_t start, end;
	enum ms_finder finder;
	uint64_t objects, bytes;	/* in use */
	/* Why no finder fits, where a walk stopped, or how boundaries were guessed; "" when nothing to say. */
	char note[200];
};

/* The whole dump, for a finder that follows pointers from one range into another. */
struct ms_objspace {
	const unsigned char *map;	/* the dump's bytes */
	size_t size;
	const struct ms_manifest_range *ranges;	/* where each address range is in it */
	size_t nranges;
};

/*
 * The bytes of SPACE at address ADDR, and in *AVAIL (may be NULL) how many
 * follow it in the dump within its range; NULL when the dump lacks ADDR.
 */
const unsigned char *ms_objspace_bytes(const struct ms_objspace *space, uint64_t addr,
				      size_t *avail);

/*
 * Find the objects in use in one range of a dump: the LEN bytes at BUF,
 * from address BASE, of the mapping named NAME ("[heap]", "" for anonymous
 * memory) and whose mapping starts at BASE when MAPPING_START.  ALLOC is
 * ms_allocator_guess()'s answer.  SYMS (may be NULL) tells code, type and
 * data pointers, for the signature finder; SPACE (may be NULL) lets it find
 * the payloads a range's records point at in other ranges (jemalloc keeps
 * each size class in extents of its own).  Each object goes to CB; *RES
 * says what was done, always filled, even when nothing was found.
 *
 * Returns: 0 (a range no finder fits is a result: RES says why), CB's
 * negative return, or -ENOMEM.
 */
int ms_objects_find(struct ms_ctx *ctx, enum ms_allocator alloc, struct ms_symbols *syms,
		    const struct ms_objspace *space, const void *buf, size_t len, uint64_t base, const char *name,
		    bool mapping_start, ms_obj_cb cb, void *data, struct ms_objrange *res);

/*
 * Whether the process whose maps text is MAPS runs CPython (a python3
 * executable or libpython3 mapped), and why, into WHY of WHYLEN bytes.
 */
bool ms_cpython_guess(const char *maps, size_t len, char *why, size_t whylen);

/*
 * CPython's pymalloc pools in one range of a dump (same arguments as
 * ms_objects_find()): each pool of 16 KiB (Python 3.10 and newer) or
 * 4 KiB (older), aligned to its size, starts with a header that gives
 * its block size, how far it was ever used and its free list; its blocks
 * in use go to CB.  RES says how many pools were found.
 *
 * Returns: 1 when pools were found, 0 when none was (RES untouched), CB's
 * negative return, or -ENOMEM.
 */
int ms_objects_pymalloc(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
			ms_obj_cb cb, void *data, struct ms_objrange *res);

/*
 * Whether the process whose maps text is MAPS runs V8 (node, nodejs,
 * libnode or libv8 mapped), and why, into WHY of WHYLEN bytes.
 */
bool ms_v8_guess(const char *maps, size_t len, char *why, size_t whylen);

/*
 * V8's heap pages in one range of a dump (same arguments as
 * ms_objects_find()): each page starts on a 256 KiB boundary with V8's
 * MemoryChunk header, whose first words are the page's size, its flags, the
 * heap it belongs to and the bounds of its object area (src/heap/
 * memory-chunk-layout.h); a page is taken when its size is a whole number of
 * 4 KiB pages, the area lies inside it and ends where the page does.  The
 * JS objects inside are V8's, not malloc's, and are not walked: only its
 * sequential one-byte strings of 8 characters or more (a tagged map, a
 * hash, a length, printable characters, zero padding) go to CB, their
 * characters as the object's bytes: the cheap ones to name.  RES says how
 * many pages (in its note) and strings the range holds.
 *
 * Returns: 1 when the range starts with such a page, 0 when it does not
 * (RES untouched), or CB's negative return.
 */
int ms_objects_v8(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base, ms_obj_cb cb,
		  void *data, struct ms_objrange *res);

#endif
