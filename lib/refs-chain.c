// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Retention chains over the reference index (lib/refs.c): who points at a
 * cluster's objects, summed by the cluster or root they are in, walked up
 * to a root.  Each level reads every reached object and root twice: once
 * to sum the holders, once to mark the chosen holder's objects.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/analyse.h>
#include <memsift/refs.h>
#include <memsift/symbol.h>

#include "hash.h"
#include "internal.h"
#include "refs-private.h"

#define MAX_GROUPS 4096
#define GROUP_SLOTS 8192
/* Words of one block lie at most this far apart (slice headers whose target no finder found between). */
#define BLOCK_GAP 1024

struct group {
	enum ms_refs_holder holder;
	uint64_t gid;		/* cluster key index, tid, range index, or a hash of the symbol */
	uint64_t count, bytes, held, addr, lo, hi;
	size_t last;		/* the last referring object counted, + 1 */
	size_t last_t;		/* the last target whose bytes it holds, + 1 */
	bool block_held;
	char name[160];		/* registers and stacks: whose */
	char gname[128];	/* a global: its symbol (or address) */
	const char *path;	/* and its module's file, NULL: not known */
	const char *sec;	/* ".bss", ".data" or "data" */
};

struct chase {
	struct root_ctx rc;	/* the root being scanned; rc.data is this */
	struct ms_ctx *ctx;
	struct ms_symbols *syms;
	uint64_t *tgt, *seen, *next;
	ssize_t src;		/* the object being scanned, or -1 */
	struct group *g;
	uint32_t *slot;		/* (holder, gid) -> group index + 1 */
	size_t ng;
	uint64_t run_start, run_last;	/* the block being read: words BLOCK_GAP apart at most */
	const struct group *pick;	/* pass 2: mark this group's objects in NEXT */
	struct ms_refs_elf elf;		/* the module of the last bss word named */
};

static struct group *group_of(struct chase *ch, enum ms_refs_holder h, uint64_t gid)
{
	size_t j;

	for (j = ms_hash64(gid ^ ((uint64_t)h << 56)) & (GROUP_SLOTS - 1); ch->slot[j];
	     j = (j + 1) & (GROUP_SLOTS - 1))
		if (ch->g[ch->slot[j] - 1].holder == h && ch->g[ch->slot[j] - 1].gid == gid)
			return &ch->g[ch->slot[j] - 1];
	/* Past the cap, further holders are not told: the chains show the few largest. */
	if (ch->ng == MAX_GROUPS)
		return NULL;
	ch->g[ch->ng] = (struct group){ .holder = h, .gid = gid };
	ch->slot[j] = (uint32_t)++ch->ng;
	return &ch->g[ch->ng - 1];
}

/*
 * A root word in a module's data or bss (its global, by the symbolizer or
 * by the module's ELF symbol table), or in memory of no module (a block).
 */
static void root_name(struct chase *ch, uint64_t at, enum ms_refs_holder *h, uint64_t *gid,
		      struct group *tmpl)
{
	const struct ms_sym *s = NULL;
	const char *gname = NULL, *path = NULL, *sec = "data";
	uint64_t gstart = at;

	if (ch->syms && ms_symbols_lookup(ch->ctx, ch->syms, at, &s) < 0)
		s = NULL;
	if (s && (s->kind == MS_SYM_DATA || s->kind == MS_SYM_BSS)) {
		gname = s->name;
		gstart = s->addr;
		path = s->module;
		sec = s->kind == MS_SYM_BSS ? ".bss" : ".data";
	} else if (ch->rc.g->modpath &&
		   ms_refs_elf_symbol(&ch->elf, ch->rc.g->modpath, ch->rc.g->modbase, at, &gname, &gstart)) {
		path = ch->rc.g->modpath;
		sec = ".bss";
	} else if (!ch->rc.g->module) {
		/* Scanned in address order: a word near the last one is of its block. */
		if (!ch->run_start || at < ch->run_last || at - ch->run_last > BLOCK_GAP ||
		    at < ch->rc.g->start)
			ch->run_start = at;
		ch->run_last = at;
		*h = MS_REFS_BLOCK;
		*gid = ch->run_start;
		return;
	}
	*h = MS_REFS_ROOT_DATA;
	*gid = ms_hash64(gstart);
	for (const char *c = gname ? gname : ""; *c; c++)
		*gid = ms_hash64(*gid ^ (unsigned char)*c);
	tmpl->path = path;
	tmpl->sec = sec;
	if (gname)
		snprintf(tmpl->gname, sizeof(tmpl->gname), "%s", gname);
	else
		snprintf(tmpl->gname, sizeof(tmpl->gname), "0x%" PRIx64, at);
}

static void chase_word(struct ms_refs *R, uint64_t at, size_t t, void *data)
{
	struct chase *ch = data;
	struct group tmpl = { .name = "" };
	enum ms_refs_holder h;
	struct group *g;
	uint64_t gid;

	if (t != SIZE_MAX && !bit(ch->tgt, t))
		return;
	if (ch->src >= 0) {
		/* A cluster's own objects among themselves (a list) hold nothing more. */
		if (bit(ch->tgt, (size_t)ch->src))
			return;
		h = MS_REFS_OBJECTS;
		gid = R->o[ch->src].key;
	} else if (!ch->rc.g) {
		h = MS_REFS_ROOT_REGS;
		gid = (uint64_t)ch->rc.tid;
		snprintf(tmpl.name, sizeof(tmpl.name), "registers of thread %d", (int)ch->rc.tid);
	} else if (ch->rc.g->kind == R_STACK) {
		h = MS_REFS_ROOT_STACK;
		gid = (uint64_t)ch->rc.tid;
		if (ch->rc.tid)
			snprintf(tmpl.name, sizeof(tmpl.name), "stack of thread %d", (int)ch->rc.tid);
		else
			snprintf(tmpl.name, sizeof(tmpl.name), "[stack]");
	} else {
		/* The block looked for holds no pointer to itself that counts. */
		if (at >= R->blo && at < R->bhi)
			return;
		root_name(ch, at, &h, &gid, &tmpl);
	}
	if (!(g = group_of(ch, h, gid)))
		return;
	if (ch->pick) {
		if (ch->pick->holder == h && ch->pick->gid == gid && ch->src >= 0)
			set_bit(ch->next, (size_t)ch->src);
		return;
	}
	if (!g->count) {
		g->addr = ch->src >= 0 ? R->o[ch->src].addr : at;
		g->lo = g->hi = at;
		memcpy(g->name, tmpl.name, sizeof(g->name));
		memcpy(g->gname, tmpl.gname, sizeof(g->gname));
		g->path = tmpl.path;
		g->sec = tmpl.sec;
	}
	/*
	 * Each pointer its target's bytes: the holder of most pointers holds
	 * most.  Copies of one pointer side by side (a goroutine's frame and
	 * its spill of the same slice) hold the target once.
	 */
	if (t != SIZE_MAX) {
		if (g->last_t != t + 1)
			g->held += R->o[t].size;
		g->last_t = t + 1;
	} else if (!g->block_held) {
		g->block_held = true;
		g->held += R->bhi - R->blo;
	}
	if (h == MS_REFS_OBJECTS) {
		if (g->last != (size_t)ch->src + 1) {
			g->count++;
			g->bytes += R->o[ch->src].size;
			g->last = (size_t)ch->src + 1;
		}
	} else {
		g->count++;
		if (at && at < g->lo)
			g->lo = at;
		if (at > g->hi)
			g->hi = at;
	}
}

/* One pass over every referrer: reached objects, then the roots. */
static void chase_all(struct ms_refs *R, struct chase *ch)
{
	size_t i;

	for (i = 0; i < R->n; i++) {
		const unsigned char *p;
		uint64_t end;

		if (!bit(R->mark, i) || !(p = ms_refs_obj_bytes(R, i, &end)))
			continue;
		ch->src = (ssize_t)i;
		ms_refs_scan(R, p, R->o[i].addr, end, chase_word, ch);
	}
	ch->src = -1;
	ms_refs_scan_roots(R, &ch->rc);
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	bool rx = x->holder != MS_REFS_OBJECTS && x->holder != MS_REFS_BLOCK;
	bool ry = y->holder != MS_REFS_OBJECTS && y->holder != MS_REFS_BLOCK;

	if (x->held != y->held)
		return x->held > y->held ? -1 : 1;
	/* Holding as much, a root ends the chain: an allocator's own records tell less. */
	if (rx != ry)
		return rx ? -1 : 1;
	return (x->count < y->count) - (x->count > y->count);
}

/* The word at ADDR of the image, or 0 when the image lacks it. */
static uint64_t word_at(const struct ms_refs *R, uint64_t addr)
{
	const struct range *g = ms_refs_range_of(R, addr);
	uint64_t v = 0;

	if (g && addr + 8 <= g->end)
		memcpy(&v, g->p + (addr - g->start), 8);
	return v;
}

/*
 * Where a block of pointers starts: its first pointer to the cluster, or
 * before, where elements of its stride still hold pointers into the image
 * (elements whose target no finder cut out: a Go slice's first buffers),
 * then down to its 8 KiB page (Go's large objects start on one).  What
 * points at the block points at its start: a slice's array.
 */
static uint64_t block_start(const struct ms_refs *R, const struct group *g)
{
	const struct range *r = ms_refs_range_of(R, g->lo);
	uint64_t stride = 0, lo = g->lo;

	if (g->count > 1)
		stride = ((g->hi - g->lo) / (g->count - 1) + 4) & ~(uint64_t)7;
	while (stride && lo - r->start >= stride && ms_refs_range_of(R, word_at(R, lo - stride)))
		lo -= stride;
	lo &= ~(uint64_t)8191;
	return lo < r->start ? r->start : lo;
}

static void to_link(struct chase *ch, const struct ms_refs *R, const struct group *g,
		    struct ms_refs_link *l)
{
	const char *mod = g->path ? strrchr(g->path, '/') : NULL, *file;
	int line;

	*l = (struct ms_refs_link){ .holder = g->holder, .count = g->count, .bytes = g->bytes,
				    .addr = g->addr, .held = g->held };
	if (g->holder == MS_REFS_OBJECTS)
		l->cluster = R->kcl[g->gid];
	if (g->holder == MS_REFS_BLOCK) {
		l->addr = block_start(R, g);
		l->bytes = g->hi + 8 - l->addr;
	}
	memcpy(l->name, g->name, sizeof(l->name));
	if (g->holder != MS_REFS_ROOT_DATA)
		return;
	mod = mod ? mod + 1 : g->path;
	/* The declaration, when the module's DWARF has it: "main.requests (.bss, server.go:14)". */
	if (g->path && ms_refs_elf_decl(&ch->elf, g->path, g->gname, &file, &line)) {
		const char *base = strrchr(file, '/');

		snprintf(l->name, sizeof(l->name), "%s (%s, %s:%d)", g->gname, g->sec,
			 base ? base + 1 : file, line);
	} else if (mod) {
		snprintf(l->name, sizeof(l->name), "%s (%s, %s)", g->gname, g->sec, mod);
	} else {
		snprintf(l->name, sizeof(l->name), "%s (%s of a module)", g->gname, g->sec);
	}
}

/* The chase's bitmaps (one bit per object) and group table; 0 or -ENOMEM. */
static int chase_alloc(struct ms_ctx *ctx, struct chase *ch, size_t words)
{
	ch->rc = (struct root_ctx){ chase_word, ch, NULL, 0 };
	ch->elf.fd = -1;
	ch->tgt = calloc(words, 8);
	ch->seen = calloc(words, 8);
	ch->next = calloc(words, 8);
	ch->g = calloc(MAX_GROUPS, sizeof(*ch->g));
	ch->slot = calloc(GROUP_SLOTS, sizeof(*ch->slot));
	if (!ch->tgt || !ch->seen || !ch->next || !ch->g || !ch->slot)
		return ms_err(ctx, -ENOMEM, "out of memory");
	return 0;
}

static void chase_release(struct chase *ch)
{
	free(ch->tgt);
	free(ch->seen);
	free(ch->next);
	free(ch->g);
	free(ch->slot);
	ms_refs_elf_close(&ch->elf);
}

/* The chain's first link: the cluster's leaked objects, which become the first targets. */
static void cluster_link(struct ms_refs *R, uint32_t key, struct chase *ch,
			 struct ms_refs_link *l)
{
	size_t i;

	*l = (struct ms_refs_link){ .holder = MS_REFS_OBJECTS, .cluster = R->kcl[key] };
	for (i = 0; i < R->n; i++)
		if (R->o[i].key == key && bit(R->mark, i)) {
			set_bit(ch->tgt, i);
			if (!l->count++)
				l->addr = R->o[i].addr;
			l->bytes += R->o[i].size;
		}
	l->held = l->bytes;
}

/* A chase from scratch: no groups yet, none picked. */
static void chase_reset(struct chase *ch, const struct group *pick)
{
	ch->ng = 0;
	ch->pick = pick;
	ch->run_start = ch->run_last = 0;
	memset(ch->slot, 0, GROUP_SLOTS * sizeof(*ch->slot));
}

/*
 * The holders of the current targets, largest first, in CH->g.  The first
 * level's are the same for every K, so they are summed once into L1.
 */
static void level_holders(struct ms_refs *R, struct chase *ch, size_t level, size_t words,
			  struct group *l1, size_t *nl1)
{
	chase_reset(ch, NULL);
	memset(ch->seen, 0, words * 8);
	if (level == 1 && *nl1 != SIZE_MAX) {
		memcpy(ch->g, l1, *nl1 * sizeof(*l1));
		ch->ng = *nl1;
		return;
	}
	chase_all(R, ch);
	qsort(ch->g, ch->ng, sizeof(*ch->g), cmp_group);
	if (level == 1) {
		memcpy(l1, ch->g, ch->ng * sizeof(*l1));
		*nl1 = ch->ng;
	}
}

/* Whether the cluster just linked is one the chain went through already. */
static bool closes_cycle(const struct ms_refs_chain *c)
{
	const struct ms_refs_link *last = &c->links[c->nlinks - 1];
	bool cycle = false;
	size_t i;

	for (i = 1; last->holder == MS_REFS_OBJECTS && i + 1 < c->nlinks; i++)
		cycle |= c->links[i].holder == MS_REFS_OBJECTS &&
			 c->links[i].cluster == last->cluster;
	return cycle;
}

/*
 * What the next level looks for: the objects of the picked cluster that
 * point at this level's targets, or the words of the picked block.
 */
static void next_targets(struct ms_refs *R, struct chase *ch, const struct group *pick,
			 const struct ms_refs_chain *c, size_t words)
{
	memset(ch->next, 0, words * 8);
	R->blo = R->bhi = 0;
	if (pick->holder == MS_REFS_OBJECTS) {
		chase_reset(ch, pick);
		chase_all(R, ch);
		memcpy(ch->tgt, ch->next, words * 8);
	} else {
		memset(ch->tgt, 0, words * 8);
		R->blo = c->links[c->nlinks - 1].addr;
		R->bhi = pick->hi + 8;
	}
}

/*
 * Chain K: the K-th largest holder of the cluster of key index KEY, then
 * the largest up.  The holders of the cluster itself are the same for
 * every K: L1 keeps them (*NL1 SIZE_MAX: not yet summed).
 */
static int chain(struct ms_ctx *ctx, struct ms_refs *R, uint32_t key, size_t k,
		 struct ms_refs_chain *out, struct group *l1, size_t *nl1)
{
	size_t words = R->n / 64 + 1, level;
	struct chase ch = { .ctx = ctx, .syms = ms_analysis_symbols(R->a) };
	struct ms_refs_chain c = { 0 };
	int rc;

	if ((rc = chase_alloc(ctx, &ch, words)) < 0)
		goto out;
	cluster_link(R, key, &ch, &c.links[0]);
	c.nlinks = 1;
	R->blo = R->bhi = 0;
	for (level = 1; level < MS_REFS_CHAIN_MAX; level++) {
		struct group pick;
		size_t want = level == 1 ? k : 0;

		level_holders(R, &ch, level, words, l1, nl1);
		if (ch.ng <= want) {
			if (level == 1)
				goto out;	/* no K-th holder: no chain K */
			break;
		}
		pick = ch.g[want];
		/* A holder of bytes another holds already is no chain of its own. */
		if (level == 1 && k && !pick.held)
			goto out;
		to_link(&ch, R, &pick, &c.links[c.nlinks++]);
		if (pick.holder != MS_REFS_OBJECTS && pick.holder != MS_REFS_BLOCK) {
			c.rooted = true;
			break;
		}
		if (closes_cycle(&c))
			break;
		next_targets(R, &ch, &pick, &c, words);
	}
	/* A block nothing else points at: memory of no module, a root of its own. */
	if (!c.rooted && c.links[c.nlinks - 1].holder == MS_REFS_BLOCK && level < MS_REFS_CHAIN_MAX) {
		c.links[c.nlinks - 1].holder = MS_REFS_ROOT_ANON;
		c.rooted = true;
	}
	*out = c;
	rc = 1;
out:
	R->blo = R->bhi = 0;
	chase_release(&ch);
	return rc;
}

size_t ms_refs_chain_count(struct ms_ctx *ctx, struct ms_refs *r)
{
	struct ms_clause cl;
	uint64_t key = r->want_key;
	size_t j, k, nl1 = SIZE_MAX;
	struct group *l1;

	if (r->chained)
		return r->nchains;
	r->chained = true;
	if (!key && ms_analysis_clauses(r->a, &cl, 1))
		key = cl.cluster->key;
	if (!key || !r->kslots)
		return 0;
	for (j = ms_hash64(key) & (r->kslots - 1); r->kslot[j]; j = (j + 1) & (r->kslots - 1))
		if (r->keys[r->kslot[j] - 1] == key)
			break;
	if (!r->kslot[j])
		return 0;
	if (!(l1 = calloc(MAX_GROUPS, sizeof(*l1))))
		return 0;
	for (k = 0; k < MS_REFS_NCHAINS; k++)
		if (chain(ctx, r, r->kslot[j] - 1, k, &r->chains[r->nchains], l1, &nl1) <= 0)
			break;
		else
			r->nchains++;
	free(l1);
	return r->nchains;
}

void ms_refs_select(struct ms_refs *r, uint64_t key)
{
	r->want_key = key;
}

const struct ms_refs_chain *ms_refs_chain(const struct ms_refs *r, size_t i)
{
	return i < r->nchains ? &r->chains[i] : NULL;
}
