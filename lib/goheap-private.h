/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lib/goheap.c (the spans) and lib/goheap-type.c (the types) share:
 * the model's body and the runtime's layouts.
 */
#ifndef MEMSIFT_GOHEAP_PRIVATE_H
#define MEMSIFT_GOHEAP_PRIVATE_H

#include <elfutils/libdw.h>
#include <stdint.h>

#include <memsift/goheap.h>

/* Offsets of the runtime's fields read, and the size of an mspan. */
struct go_layout {
	uint64_t mheap_arenas, mheap_allarenas, mheap_sweepgen, arena_spans;
	uint64_t span_start, span_npages, span_freeindex, span_nelems, span_allocbits;
	uint64_t span_markbits, span_sweepgen;
	uint64_t span_freeindex_size, span_nelems_size;	/* 8, or 2 from Go 1.22 */
	/*
	 * Go 1.22's malloc headers: an object of more than 512 bytes with
	 * pointers has its type's address in its first word; a large one's
	 * type is its span's largeType (0: no such field).
	 */
	bool headers;
	uint64_t span_largetype;
	uint64_t span_spanclass, span_state, span_elemsize, mspan_size;
	/*
	 * runtime.work's heap0, heap1, heap2: the heap when the last GC
	 * began, when its marking ended, and what it marked; and
	 * bytesMarked, what the GC under way has marked so far (all 0: not
	 * known).
	 */
	uint64_t work_marked, work_heap0, work_heap1, work_heap2;
};

struct ms_goheap {
	ms_goheap_read_fn read;
	void *data;
	uint64_t bias;
	char version[32];
	char layout[32];
	struct go_layout l;
	uint64_t mheap;
	uint32_t sweepgen;	/* mheap_.sweepgen: which spans are swept */
	uint64_t unswept;	/* spans whose live set is the last GC's marks */
	size_t arenas;
	uint64_t *arena;	/* each arena's first address */
	struct ms_gospan *spans;	/* sorted by start */
	size_t nspans, capspans;
	uint64_t live, spanbytes, marked;
	uint64_t work[3];	/* the last GC's heap0, heap1, heap2; all 0: not read */
	/* Typed objects: start -> type index + 1 and its holder's, open addressing. */
	uint64_t *tkey;
	uint32_t *tval, *thold;
	size_t tcap, tn;
	char **types;
	size_t ntypes;
	uint64_t followed;	/* values followed, bounded */
	uint64_t globals_unread;	/* globals of main whose memory could not be read */
};

/* Type the objects the main package's globals reach.  Returns 0 or -ENOMEM. */
int ms_goheap_type_globals(struct ms_ctx *ctx, struct ms_goheap *h, Dwarf *dw);

#endif
