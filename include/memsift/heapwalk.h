/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * glibc's malloc heap, chunk by chunk, over a dump of the main heap ([heap],
 * the brk area) or of one heap of a thread arena (a 64 MiB-aligned mapping
 * that starts with heap_info, and for an arena's first heap its
 * malloc_state).  Every size is checked before it is followed (alignment,
 * minimum, bounds, flags); the walk stops where the chain breaks and says
 * where and why.  Chunks are summed by size class: count, bytes, how many
 * are in use (the next chunk's PREV_INUSE bit), their most common first
 * word and fill byte.
 *
 * Layout: glibc 2.26 to 2.37 on 64-bit little-endian (x86-64, arm64):
 * 16-byte alignment, 8-byte size fields, heap_info of 32 bytes (48 from
 * 2.35, which added its pagesize) and malloc_state of 2200.  A dump that does not match says so.  Chunks cached
 * in tcache and fastbins keep their neighbour's PREV_INUSE set, as glibc
 * does: they count as in use.
 */
#ifndef MEMSIFT_HEAPWALK_H
#define MEMSIFT_HEAPWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>
#include <memsift/symbol.h>

struct ms_heapwalk;

/* What the dump was taken to be, from its first words. */
enum ms_heap_form {
	MS_HEAP_MAIN = 1,	/* the main arena's brk heap: chunks from the start */
	MS_HEAP_ARENA,		/* a thread arena's first heap: heap_info, malloc_state, chunks */
	MS_HEAP_ARENA_MORE,	/* a later heap of a thread arena: heap_info, chunks */
};

/* The chunks of one size. */
struct ms_heap_class {
	uint64_t size;		/* chunk size, header included */
	uint64_t count;
	uint64_t bytes;		/* count * size */
	uint64_t inuse;		/* chunks the next chunk's PREV_INUSE says are in use */
	uint64_t word;		/* the most common first word of the user data */
	uint64_t word_count;	/* chunks that start with it */
	int fill;		/* the most common fill byte of whole chunks, or -1 */
	uint64_t fill_count;	/* chunks whose user data is all that byte */
};

/*
 * Walk the LEN bytes at BUF, a dump of memory starting at address BASE.
 * On success *OUT owns the result (a broken chain is a result, not an
 * error: see ms_heapwalk_broken()); release it with ms_heapwalk_free().
 *
 * Returns: 0, -EBADMSG when LEN is too short to hold one chunk (32 bytes
 * after any heap_info and malloc_state), -EPROTONOSUPPORT when the first
 * chunk is not where this glibc layout puts it (the message says what was
 * found), or -ENOMEM.
 */
int ms_heapwalk_run(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
		    struct ms_heapwalk **out);

/*
 * Called by ms_heapwalk_run_cb() for every chunk but the top one, in
 * address order: ADDR is its user data's address (the chunk's + 16), SIZE
 * the chunk size (header included), INUSE from the next chunk's
 * PREV_INUSE, and USER the ULEN bytes from ADDR up to the next chunk's
 * size field, in the walked buffer.  A negative return ends the walk, and
 * ms_heapwalk_run_cb() returns it.
 */
typedef int (*ms_heapwalk_chunk_cb)(uint64_t addr, uint64_t size, bool inuse,
				    const unsigned char *user, size_t ulen, void *data);

/* As ms_heapwalk_run(), handing each chunk to CB (may be NULL) as well. */
int ms_heapwalk_run_cb(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base,
		       ms_heapwalk_chunk_cb cb, void *data, struct ms_heapwalk **out);

/* Release W; NULL is accepted. */
void ms_heapwalk_free(struct ms_heapwalk *w);

enum ms_heap_form ms_heapwalk_form(const struct ms_heapwalk *w);
const char *ms_heap_form_str(enum ms_heap_form f);

/* Chunks walked and their bytes, the top chunk (the free end) included. */
uint64_t ms_heapwalk_chunks(const struct ms_heapwalk *w);
uint64_t ms_heapwalk_bytes(const struct ms_heapwalk *w);

/* The top chunk's address and size; 0 when the walk did not reach it. */
uint64_t ms_heapwalk_top(const struct ms_heapwalk *w, uint64_t *size);

/*
 * Whether the chain broke before the end; when it did, *ADDR is the chunk
 * whose header is bad and *WHY says how ("size 0x13 not a multiple of 16").
 */
bool ms_heapwalk_broken(const struct ms_heapwalk *w, uint64_t *addr, const char **why);

/*
 * Whether the chain broke at two fenceposts (16-byte headers glibc puts
 * after an old top chunk) before the end: ms_heapwalk_broken()'s *ADDR is
 * the first, and the segment the chunks were in ends 32 bytes after it, on
 * the next page boundary.
 */
bool ms_heapwalk_fenced(const struct ms_heapwalk *w);

/* Size classes, largest total bytes first (ties: smaller size first); I from 0. */
size_t ms_heapwalk_class_count(const struct ms_heapwalk *w);
const struct ms_heap_class *ms_heapwalk_class(const struct ms_heapwalk *w, size_t i);

/*
 * Print the walk to FP: a summary line, where the chain broke if it did,
 * then a table of the TOP largest classes (0: 10) with each class's first
 * word named through SYMS (a function, a vtable: the type or maker of the
 * chunks; may be NULL) or its fill byte.  OUT_FLAGS as <memsift/output.h>.
 *
 * Returns: 0, -EIO or -ENOMEM.
 */
int ms_heapwalk_print(struct ms_ctx *ctx, const struct ms_heapwalk *w, struct ms_symbols *syms,
		      unsigned top, unsigned out_flags, FILE *fp);

/*
 * Print ,"heap":{"form", "chunks", "bytes", "top", "top_size", "broken",
 * "broken_at", "broken_why", "classes":[{"size", "count", "bytes",
 * "inuse", "word", "word_count", "word_symbol", "word_kind", "fill",
 * "fill_count"}]} to FP, for the end of an enclosing JSON object.  TOP 0:
 * every class.  Returns: 0 or -EIO (or -ENOMEM from a symbol lookup).
 */
int ms_heapwalk_json(struct ms_ctx *ctx, const struct ms_heapwalk *w, struct ms_symbols *syms,
		     unsigned top, FILE *fp);

#endif
