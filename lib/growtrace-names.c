// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Naming growtrace's stacks at the end of a trace: each distinct pc once,
 * through the symbolizer of <memsift/symbol.h> (demangled, files checked
 * by build-id), with the functions inlined there as frames of their own;
 * the unwinder's libdwfl names a pc the symbolizer places in no module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/growtrace.h>
#include <memsift/symbol.h>

#include "growtrace-private.h"
#include "internal.h"

/* A copy of S that lives as long as GT, kept with its labels; NULL when out of memory. */
static const char *keep_str(struct ms_growtrace *gt, const char *s)
{
	char **n;

	n = realloc(gt->labels, (gt->nlabels + 1) * sizeof(*n));
	if (!n)
		return NULL;
	gt->labels = n;
	n[gt->nlabels] = strdup(s);
	return n[gt->nlabels] ? n[gt->nlabels++] : NULL;
}

/* The most frames one pc expands to: itself and the functions inlined there. */
#define GT_MAX_INLINE 32

/*
 * Name PC into the pool: its frame, after those of the functions inlined
 * there (the symbolizer's debug info), or the unwinder's libdwfl's one
 * frame for a pc the symbolizer places in no module.
 */
static int name_pc(struct ms_ctx *ctx, struct ms_growtrace *gt, struct gt_named *nm)
{
	struct ms_sym y[GT_MAX_INLINE];
	struct ms_growtrace_frame *f;
	size_t i, n = 0;
	char buf[32];

	if (gt->sym && ms_symbols_lookup_inline(ctx, gt->sym, nm->pc, y, GT_MAX_INLINE, &n) < 0)
		return -ENOMEM;
	/* In a module: its symbol, or MODULE+0xOFFSET with the note saying why. */
	if (n && (!y[n - 1].module || y[n - 1].kind < MS_SYM_TEXT || y[n - 1].kind > MS_SYM_BSS))
		n = 0;
	if (ms_gt_grow(&gt->pool, &gt->cap_pool, gt->npool + (n ? n : 1), sizeof(*gt->pool)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	nm->first = (uint32_t)gt->npool;
	nm->n = (uint32_t)(n ? n : 1);
	for (i = 0; i < n; i++)
		gt->pool[gt->npool++] = (struct ms_growtrace_frame){
			.pc = nm->pc, .name = y[i].name, .module = y[i].module, .file = y[i].file,
			.line = y[i].file ? y[i].line : 0, .note = y[i].note, .inlined = i + 1 < n };
	if (n)
		return 0;
	f = &gt->pool[gt->npool++];
	*f = (struct ms_growtrace_frame){ .pc = nm->pc };
	ms_gt_unwind_name(gt->uw, f->pc, &f->name, &f->module, &f->file, &f->line);
	if (!f->name) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)f->pc);
		f->name = keep_str(gt, buf);
		if (!f->name)
			return ms_err(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

static int cmp_named(const void *a, const void *b)
{
	const struct gt_named *x = a, *y = b;

	return x->pc < y->pc ? -1 : x->pc > y->pc;
}

/*
 * Name every distinct pc of the stacks once: a pc (main's, a caller's
 * return site) is in many stacks, and its inline chain costs a walk of its
 * compilation unit's DIEs.
 */
static int name_pcs(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	size_t i, j, n = 0;

	for (i = 0; i < gt->nstacks; i++)
		n += gt->stacks[i].npcs;
	gt->named = calloc(n + 1, sizeof(*gt->named));
	if (!gt->named)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0, n = 0; i < gt->nstacks; i++)
		for (j = 0; j < gt->stacks[i].npcs; j++)
			gt->named[n++].pc = gt->stacks[i].pcs[j];
	if (n)
		qsort(gt->named, n, sizeof(*gt->named), cmp_named);
	for (i = 0, gt->nnamed = 0; i < n; i++)
		if (!gt->nnamed || gt->named[gt->nnamed - 1].pc != gt->named[i].pc)
			gt->named[gt->nnamed++] = gt->named[i];
	for (i = 0; i < gt->nnamed; i++)
		if (name_pc(ctx, gt, &gt->named[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* The frames of ST: each pc's, the functions inlined there first. */
static int name_frames(struct ms_ctx *ctx, struct ms_growtrace *gt, struct gt_stack *st)
{
	const struct gt_named *nm[GT_MAX_FRAMES];
	size_t i, n = 0;

	for (i = 0; i < st->npcs; i++) {
		struct gt_named key = { .pc = st->pcs[i] };

		nm[i] = bsearch(&key, gt->named, gt->nnamed, sizeof(key), cmp_named);
		n += nm[i]->n;
	}
	st->frames = calloc(n + 1, sizeof(*st->frames));
	if (!st->frames)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0, st->nframes = 0; i < st->npcs; i++) {
		memcpy(&st->frames[st->nframes], &gt->pool[nm[i]->first],
		       nm[i]->n * sizeof(*st->frames));
		st->nframes += nm[i]->n;
	}
	return 0;
}

int ms_gt_name_stacks(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	size_t i;
	int rc = name_pcs(ctx, gt);

	for (i = 0; i < gt->nstacks && rc == 0; i++)
		rc = name_frames(ctx, gt, &gt->stacks[i]);
	return rc;
}
