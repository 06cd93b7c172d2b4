/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A model of a Go process's heap, read as the runtime keeps it:
 *
 *	runtime.mheap_.allArenas -> mheap_.arenas[0][i] (a heapArena)
 *	  -> heapArena.spans[page] (an mspan per 8 KiB page)
 *	  -> mspan: startAddr, npages, spanclass (size class and noscan),
 *	     elemsize, nelems, freeindex, allocBits, state
 *
 * so each object in use has its boundaries and its size class, and free
 * slots are known.  A slot is in use when its index is below freeindex
 * (allocated since the span was swept) or its allocBits bit is set.
 *
 * The layouts of these structs come from the binary's DWARF when it has
 * some, else from a table for the runtime's version (read from the
 * binary's buildinfo); a version the table lacks and no DWARF is a clear
 * -EPROTONOSUPPORT, never a guess.  runtime.mheap_ is the symbol of that
 * name; a stripped binary (-ldflags=-s -w) has none, and it is then found
 * in .bss as the one place whose arenas lead to a span that starts
 * its arena.
 *
 * Object types come from the pointers that reach the objects: each global
 * of the main package is typed in DWARF, and is followed through slices
 * (a [][]uint8's backing array holds []uint8 headers), pointers (a
 * []*main.Session's elements are main.Session objects) and struct fields,
 * a few levels deep.
 *
 * Memory is read through a callback, so a live process (memread) and a
 * dump (its ranges) are read alike.
 */
#ifndef MEMSIFT_GOHEAP_H
#define MEMSIFT_GOHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_goheap;

/* Read LEN bytes at ADDR of the process into BUF: 0, or a negative errno (unreadable). */
typedef int (*ms_goheap_read_fn)(struct ms_ctx *ctx, uint64_t addr, void *buf, size_t len,
				 void *data);

/* One span in use: a run of pages cut into NELEMS slots of ELEMSIZE bytes. */
struct ms_gospan {
	uint64_t start;		/* startAddr */
	uint64_t npages;	/* of 8 KiB */
	uint64_t elemsize;
	uint32_t nelems;
	uint32_t inuse;		/* slots in use */
	uint8_t sizeclass;	/* 0: a large object, one per span */
	bool noscan;		/* holds no pointers ([]uint8, strings) */
	/*
	 * The bytes before each object's own (Go 1.22's malloc header: its
	 * type's address, in objects of more than 512 bytes with pointers);
	 * a pointer to the object points past them.
	 */
	uint8_t header;
	uint64_t large_type;	/* Go 1.22: a large object's type (span.largeType), or 0 */
	unsigned char *used;	/* one byte per slot: 1 when in use */
};

/* Flags for ms_goheap_new(). */
enum {
	/* Type the objects from the main package's globals (DWARF): an analysis, not a hunt. */
	MS_GOHEAP_TYPES = 1,
};

/*
 * Model the Go heap of a process whose executable is open at FD (named
 * EXE in messages, FD not closed), its first page mapped at LOAD (what
 * makes the bias of a PIE binary; a non-PIE one needs none), its memory
 * read through READ with DATA.  On success *OUT owns
 * the model; release it with ms_goheap_free().
 *
 * Returns: 0; -ENOENT when the binary is no Go program (no
 * .go.buildinfo, no .gopclntab); -EPROTONOSUPPORT when neither its DWARF
 * nor the table knows its runtime's layouts; -ENODATA when runtime.mheap_
 * or its arenas cannot be read (not in the dump, the process gone); or
 * -ENOMEM.  The message says which.
 */
int ms_goheap_new(struct ms_ctx *ctx, int fd, const char *exe, uint64_t load,
		  ms_goheap_read_fn read, void *data, unsigned flags, struct ms_goheap **out);

/*
 * As ms_goheap_new(), for live process PID whose maps are MAPS: its
 * executable (the file mapped lowest) opened through /proc/PID/exe, its
 * memory read with ms_memread_peek().  Returns as ms_goheap_new(), and
 * -ENOENT when MAPS maps no file.
 */
int ms_goheap_new_pid(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps, unsigned flags,
		      struct ms_goheap **out);

/* Release H; NULL is accepted. */
void ms_goheap_free(struct ms_goheap *h);

/*
 * Read the Go version from the buildinfo of the ELF file open at FD
 * ("go1.19.8") into BUF of LEN bytes.  Returns: 0, or -ENOENT (no
 * .go.buildinfo, or a form not known).
 */
int ms_go_version(int fd, char *buf, size_t len);

/* The runtime's version ("go1.19.8", "" when not told) and where the layouts came from ("DWARF", "the go1.19 table"). */
const char *ms_goheap_version(const struct ms_goheap *h);
const char *ms_goheap_layout(const struct ms_goheap *h);

/* The spans in use, by address; span I, borrowed, NULL past the last. */
size_t ms_goheap_span_count(const struct ms_goheap *h);
const struct ms_gospan *ms_goheap_span(const struct ms_goheap *h, size_t i);

/* The span holding ADDR, or NULL; *SLOT (may be NULL) its slot index. */
const struct ms_gospan *ms_goheap_span_at(const struct ms_goheap *h, uint64_t addr,
					  uint32_t *slot);

/* The bytes of the objects in use (the live heap, as spans count it) and in all spans. */
uint64_t ms_goheap_live_bytes(const struct ms_goheap *h);
uint64_t ms_goheap_span_bytes(const struct ms_goheap *h);

/*
 * The heap's arenas (64 MiB each on linux/amd64): arena I's first address,
 * and in *END (may be NULL) where it ends; 0 past the last.  The mappings
 * that overlap them are the Go heap, however many VMAs the kernel split
 * it into.
 */
size_t ms_goheap_arena_count(const struct ms_goheap *h);
uint64_t ms_goheap_arena(const struct ms_goheap *h, size_t i, uint64_t *end);

/*
 * The bytes of the objects the last GC found alive (its marks, which a
 * span keeps as allocBits once swept), garbage made since not counted:
 * the live heap as the runtime knows it, steady in a service that makes
 * only garbage.  0 before the first GC.
 */
uint64_t ms_goheap_marked_bytes(const struct ms_goheap *h);

/*
 * What the last GC saw of the heap (runtime.work's heap0 and heap1, as
 * GODEBUG=gctrace=1 prints them): the bytes in use when it began, into
 * *START, and when its marking ended, into *END.  What was allocated
 * while it marked, it marked too (floating garbage): END - START bounds
 * how much of ms_goheap_marked_bytes() was never alive when it began.
 * Returns 0, or -ENODATA when not known: no GC yet, one marking as the
 * heap was read, or runtime.work not found (a stripped binary whose
 * .bss holds no one place that fits) or its layout not known.
 */
int ms_goheap_last_gc(const struct ms_goheap *h, uint64_t *start, uint64_t *end);

/* How many GCs the runtime has finished (mheap_.sweepgen grows by 2 each). */
uint32_t ms_goheap_gc_cycles(const struct ms_goheap *h);

/*
 * The Go type of the object that starts at ADDR, as the pointers that
 * reach it from the main package's globals say ("[]uint8",
 * "main.Session"), or NULL when none typed it; and in *HOLDER (may be
 * NULL) the type of the object whose pointer typed it ("[][]uint8": its
 * backing array), or "var main.kept" for a global.  Borrowed from H.
 */
const char *ms_goheap_type(const struct ms_goheap *h, uint64_t addr, const char **holder);

/* The size Go gives an object of N bytes: its size class, or whole pages past 32 KiB. */
uint64_t ms_go_size(uint64_t n);

/* How many objects were typed. */
uint64_t ms_goheap_typed(const struct ms_goheap *h);

/*
 * How many of the main package's globals could not be read (not in the
 * dump): nothing they reach is typed.
 */
uint64_t ms_goheap_globals_unread(const struct ms_goheap *h);

#endif
