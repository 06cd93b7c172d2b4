/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analysis's state, shared by its two files: lib/analyse.c (the steps)
 * and lib/analyse-report.c (the verdict, the table, the JSON).
 */
#ifndef MEMSIFT_ANALYSE_PRIVATE_H
#define MEMSIFT_ANALYSE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <memsift/analyse.h>
#include <memsift/maps.h>

#define MS_ANALYSIS_MAX_NOTES 32

struct ms_analysis {
	struct ms_symbols *syms;	/* NULL: no maps, nothing named */
	struct ms_maps *maps;		/* the manifest's, parsed; NULL without */
	enum ms_allocator alloc;
	char alloc_why[160];
	bool cpython;			/* pymalloc's pools are looked for, objects named by ob_type */
	char cpython_why[160];
	bool v8;			/* V8's heap pages are recognised, never walked */
	uint64_t v8_bytes;		/* in V8's pages of the dump */
	int64_t v8_growth;		/* since the older dump, once diffed */
	pid_t pid;			/* the process, when it may still be read (for type names) */
	const struct ms_objspace *space;	/* the dump, while it is mapped */
	/* opts.obj_cb, during the run */
	int (*obj_cb)(struct ms_ctx *ctx, const struct ms_obj *o, uint64_t key, void *data);
	void *obj_data;
	struct ms_objrange *ranges;
	size_t nranges;
	struct ms_clusters *clusters;
	struct ms_heapwalk *hw;		/* opts.heap_walk's */
	bool diffed;			/* clusters carry growth against an older dump */
	char **notes;
	size_t nnotes;
};

#endif
