// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reference index over an image: the objects the analysis found,
 * sorted, and a bitmap of those reached from the roots.  Every word is read
 * from the image file through one read-only mapping, so the bytes stay in
 * the page cache and out of this process's heap.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <memsift/analyse.h>
#include <memsift/maps.h>
#include <memsift/objects.h>
#include <memsift/output.h>
#include <memsift/refs.h>
#include <memsift/symbol.h>

#include "hash.h"
#include "internal.h"
#include "refs-private.h"
#include "util.h"

/* x86-64 and arm64 leaf functions may keep live words this far below SP. */
#define RED_ZONE 128

static uint64_t rd(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

struct range *ms_refs_range_of(const struct ms_refs *R, uint64_t addr)
{
	size_t lo = 0, hi = R->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (R->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < R->nr && R->r[lo].start <= addr ? &R->r[lo] : NULL;
}

/* The object whose bytes hold address V, or -1: interior pointers count. */
static ssize_t find(const struct ms_refs *R, uint64_t v)
{
	size_t lo = 0, hi = R->n;

	if (v < R->lo || v >= R->hi)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (R->o[mid].addr <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	/*
	 * A glibc chunk's last word is the next chunk's prev_size: a pointer
	 * there is malloc's own (a bin, the top, a free chunk's fd) at the
	 * next chunk's header, not the program's into this object.
	 */
	return v < R->o[lo - 1].end - (R->o[lo - 1].glibc ? 8 : 0) ? (ssize_t)(lo - 1) : -1;
}

/* The index of cluster key K in R->keys, added if new; (uint32_t)-1 out of memory. */
static uint32_t key_index(struct ms_ctx *ctx, struct ms_refs *R, uint64_t k)
{
	size_t j;

	if (R->nkeys * 2 >= R->kslots) {
		size_t cap = R->kslots ? R->kslots * 2 : 1024, i;
		uint32_t *s = calloc(cap, sizeof(*s));

		if (!s)
			goto oom;
		for (i = 0; i < R->nkeys; i++) {
			for (j = ms_hash64(R->keys[i]) & (cap - 1); s[j]; j = (j + 1) & (cap - 1))
				;
			s[j] = (uint32_t)i + 1;
		}
		free(R->kslot);
		R->kslot = s;
		R->kslots = cap;
	}
	for (j = ms_hash64(k) & (R->kslots - 1); R->kslot[j]; j = (j + 1) & (R->kslots - 1))
		if (R->keys[R->kslot[j] - 1] == k)
			return R->kslot[j] - 1;
	if (MS_GROW(R->keys, R->capkeys, R->nkeys + 1, 256) < 0)
		goto oom;
	R->keys[R->nkeys] = k;
	R->kslot[j] = (uint32_t)++R->nkeys;
	return (uint32_t)(R->nkeys - 1);
oom:
	ms_err(ctx, -ENOMEM, "out of memory");
	return (uint32_t)-1;
}

/* From the analysis, each object into the index (those in stacks are dropped later). */
static int keep(struct ms_ctx *ctx, const struct ms_obj *o, uint64_t key, void *data)
{
	struct ms_refs *R = data;
	uint32_t k;

	if ((k = key_index(ctx, R, key)) == (uint32_t)-1)
		return -ENOMEM;
	if (MS_GROW(R->o, R->cap, R->n + 1, 4096) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	R->o[R->n++] = (struct obj){
		.addr = o->addr, .end = o->addr + (o->len < o->size ? o->len : o->size),
		.size = o->size, .key = k,
		.glibc = o->finder == MS_FIND_GLIBC_MAIN || o->finder == MS_FIND_GLIBC_ARENA ||
			 o->finder == MS_FIND_GLIBC_MMAP,
	};
	return 0;
}

/* The image's ranges, in address order. */
static int ranges(struct ms_ctx *ctx, struct ms_refs *R)
{
	const struct ms_manifest_info *mi = &R->img->mi;
	struct ms_maps *maps = NULL;
	size_t i, k;

	if (mi->maps && ms_maps_parse_buf(ctx, mi->maps, strlen(mi->maps), "maps", &maps) < 0)
		maps = NULL;
	R->maps = maps;
	R->r = calloc(mi->nranges + 1, sizeof(*R->r));
	if (!R->r)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < mi->nranges; i++) {
		const struct ms_manifest_range *m = &mi->ranges[i];
		const struct ms_mapping *mp = maps ? ms_maps_find(maps, m->start) : NULL;
		struct range *g = &R->r[R->nr];
		uint64_t len = m->length;

		if (!len || m->offset >= R->mapsz)
			continue;
		if (len > R->mapsz - m->offset)
			len = R->mapsz - m->offset;
		*g = (struct range){ .start = m->start, .end = m->start + len, .from = m->start,
				     .p = R->map + m->offset, .kind = R_ROOT };
		if (mp && !strcmp(ms_mapping_name(mp), "[stack]"))
			g->kind = R_STACK;
		/* The bss past a module's file is anonymous, right after the file's mapping. */
		if (mp && (ms_mapping_name(mp)[0] == '/' ||
			   (!ms_mapping_name(mp)[0] && ms_mapping_index(mp) > 0 &&
			    ms_mapping_end(ms_maps_get(maps, ms_mapping_index(mp) - 1)) == m->start &&
			    ms_mapping_name(ms_maps_get(maps, ms_mapping_index(mp) - 1))[0] == '/')))
			g->module = true;
		if (g->module && !ms_mapping_name(mp)[0]) {
			g->modpath = ms_mapping_name(ms_maps_get(maps, ms_mapping_index(mp) - 1));
			for (k = 0; k < ms_maps_count(maps); k++)
				if (!strcmp(ms_mapping_name(ms_maps_get(maps, k)), g->modpath)) {
					g->modbase = ms_mapping_start(ms_maps_get(maps, k)) -
						     ms_mapping_offset(ms_maps_get(maps, k));
					break;
				}
		}
		R->nr++;
	}
	if (R->nr)
		qsort(R->r, R->nr, sizeof(*R->r), cmp_range);
	return 0;
}

/*
 * Which ranges hold a thread's stack, from its stack pointer, and the
 * objects a finder guessed in them, or in a module's data, dropped: those
 * words are roots.  A Go process runs goroutines
 * on stacks in its heap: there the stack pointer tells nothing of an OS
 * stack, and only [stack] is taken as one.
 */
static void stacks(struct ms_refs *R)
{
	bool go = ms_analysis_allocator(R->a, NULL) == MS_ALLOC_GO;
	size_t i, k, n = 0;

	for (k = 0; k < R->img->nt; k++) {
		uint64_t sp = R->img->t[k].sp;
		struct range *g = sp ? ms_refs_range_of(R, sp) : NULL;

		if (!g || (go && g->kind != R_STACK))
			continue;
		g->kind = R_STACK;
		g->tid = R->img->t[k].tid;
		g->from = sp - RED_ZONE > g->start ? sp - RED_ZONE : g->start;
	}
	for (i = 0; i < R->n; i++) {
		const struct range *g = ms_refs_range_of(R, R->o[i].addr);

		if (!g || (g->kind != R_STACK && !g->module))
			R->o[n++] = R->o[i];
	}
	R->n = n;
}


void ms_refs_scan(struct ms_refs *R, const unsigned char *p, uint64_t from, uint64_t to,
		 word_fn fn, void *data)
{
	uint64_t at = (from + 7) & ~(uint64_t)7;

	p += at - from;
	for (; at + 8 <= to; at += 8, p += 8) {
		uint64_t v = rd(p);
		ssize_t i;

		/* The block looked for first: a finder may have guessed an object over it. */
		if (v >= R->blo && v < R->bhi)
			fn(R, at, SIZE_MAX, data);
		else if (v >= R->lo && v < R->hi && (i = find(R, v)) >= 0)
			fn(R, at, (size_t)i, data);
	}
}

/* The bytes of object I in the image, and how many; NULL when the image lacks them. */
const unsigned char *ms_refs_obj_bytes(const struct ms_refs *R, size_t i, uint64_t *end)
{
	const struct range *g = ms_refs_range_of(R, R->o[i].addr);

	if (!g)
		return NULL;
	*end = R->o[i].end < g->end ? R->o[i].end : g->end;
	return g->p + (R->o[i].addr - g->start);
}

void ms_refs_scan_roots(struct ms_refs *R, struct root_ctx *rc)
{
	size_t i, k;

	for (k = 0; k < R->img->nt; k++) {
		const struct ms_refs_thread *t = &R->img->t[k];

		rc->g = NULL;
		rc->tid = t->tid;
		for (i = 0; i < t->nregs; i++) {
			ssize_t j = find(R, t->regs[i]);

			if (j >= 0)
				rc->fn(R, 0, (size_t)j, rc->data);
		}
	}
	for (k = 0; k < R->nr; k++) {
		const struct range *g = &R->r[k];
		uint64_t at = g->from;
		size_t j;

		if (g->kind == R_HEAP)
			continue;
		rc->g = g;
		rc->tid = g->tid;
		/* The first object ending past AT, then between objects. */
		j = 0;
		if (R->n) {
			size_t lo = 0, hi = R->n;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (R->o[mid].end <= at)
					lo = mid + 1;
				else
					hi = mid;
			}
			j = lo;
		}
		while (at < g->end) {
			uint64_t stop = j < R->n && R->o[j].addr < g->end ? R->o[j].addr : g->end;

			if (stop > at)
				ms_refs_scan(R, g->p + (at - g->start), at, stop, rc->fn, rc->data);
			if (stop >= g->end)
				break;
			at = R->o[j].end > at ? R->o[j].end : at;
			j++;
		}
	}
}

struct marker {
	uint32_t *stack;
	size_t n;
};

static void mark_word(struct ms_refs *R, uint64_t at, size_t i, void *data)
{
	struct marker *m = data;

	(void)at;
	if (bit(R->mark, i))
		return;
	set_bit(R->mark, i);
	m->stack[m->n++] = (uint32_t)i;
}

static int mark(struct ms_ctx *ctx, struct ms_refs *R)
{
	struct marker m = { calloc(R->n + 1, sizeof(uint32_t)), 0 };
	struct root_ctx rc = { mark_word, &m, NULL, 0 };
	size_t i;

	R->mark = calloc(R->n / 64 + 1, sizeof(uint64_t));
	if (!m.stack || !R->mark) {
		free(m.stack);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	/* Another allocator's objects: whether they are live is not known, so they are. */
	for (i = 0; i < R->n; i++)
		if (!R->o[i].glibc)
			mark_word(R, 0, i, &m);
	ms_refs_scan_roots(R, &rc);
	while (m.n) {
		const unsigned char *p;
		uint64_t end;

		i = m.stack[--m.n];
		if ((p = ms_refs_obj_bytes(R, i, &end)))
			ms_refs_scan(R, p, R->o[i].addr, end, mark_word, &m);
	}
	free(m.stack);
	for (i = 0; i < R->n; i++)
		if (R->o[i].glibc) {
			R->nglibc++;
			R->reached += bit(R->mark, i);
		}
	return 0;
}

static int cmp_leak(const void *a, const void *b)
{
	const struct ms_refs_leak *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->count < y->count) - (x->count > y->count);
}

static int leaks(struct ms_ctx *ctx, struct ms_refs *R)
{
	struct ms_refs_leak *l = calloc(R->nkeys + 1, sizeof(*l));
	size_t i, n = 0;

	if (!l)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < R->n; i++) {
		struct ms_refs_leak *x = &l[R->o[i].key];

		if (!R->o[i].glibc || bit(R->mark, i))
			continue;
		if (x->count < MS_REFS_EXAMPLES)
			x->example[x->count] = R->o[i].addr;
		x->count++;
		x->bytes += R->o[i].size;
	}
	for (i = 0; i < R->nkeys; i++)
		if (l[i].count) {
			l[i].cluster = R->keys[i] ? R->kcl[i] : NULL;
			l[n++] = l[i];
		}
	if (n)
		qsort(l, n, sizeof(*l), cmp_leak);
	R->leaks = l;
	R->nleaks = n;
	return 0;
}

/* Each cluster key to its cluster, for the groups and the leaks. */
static int clusters(struct ms_ctx *ctx, struct ms_refs *R)
{
	const struct ms_clusters *c = ms_analysis_clusters(R->a);
	size_t i;

	R->kcl = calloc(R->nkeys + 1, sizeof(*R->kcl));
	if (!R->kcl)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; c && i < ms_clusters_count(c); i++) {
		const struct ms_cluster *cl = ms_clusters_get(c, i);
		size_t j;

		if (!R->kslots)
			break;
		for (j = ms_hash64(cl->key) & (R->kslots - 1); R->kslot[j]; j = (j + 1) & (R->kslots - 1))
			if (R->keys[R->kslot[j] - 1] == cl->key) {
				R->kcl[R->kslot[j] - 1] = cl;
				break;
			}
	}
	return 0;
}

int ms_refs_run(struct ms_ctx *ctx, struct ms_refs_image *img, struct ms_refs **out)
{
	struct ms_refs *R = calloc(1, sizeof(*R));
	struct ms_analysis_opts ao = { .pid = img->pid, .obj_cb = keep };
	size_t i, k;
	int rc;

	if (!R)
		return ms_err(ctx, -ENOMEM, "out of memory");
	R->img = img;
	R->map = MAP_FAILED;
	ao.obj_data = R;
	R->mapsz = (size_t)img->size;
	if (R->mapsz) {
		R->map = mmap(NULL, R->mapsz, PROT_READ, MAP_SHARED, img->fd, 0);
		if (R->map == MAP_FAILED) {
			rc = ms_err_errno(ctx, -errno, "mapping the image");
			goto out;
		}
	}
	if ((rc = ranges(ctx, R)) < 0)
		goto out;
	if ((rc = ms_analysis_run(ctx, &ao, img->path, &img->mi, &R->a)) < 0)
		goto out;
	stacks(R);
	/* No object (a core of no heap): qsort() must not be given NULL, even for 0. */
	if (R->n)
		qsort(R->o, R->n, sizeof(*R->o), cmp_obj);
	for (i = 0; i < R->n; i++) {
		if (!i || R->o[i].addr < R->lo)
			R->lo = R->o[i].addr;
		if (R->o[i].end > R->hi)
			R->hi = R->o[i].end;
	}
	/* glibc's heaps are not roots: only reached objects' words count there. */
	for (i = 0; i < ms_analysis_range_count(R->a); i++) {
		const struct ms_objrange *o = ms_analysis_range(R->a, i);

		if (o->finder != MS_FIND_GLIBC_MAIN && o->finder != MS_FIND_GLIBC_ARENA &&
		    o->finder != MS_FIND_GLIBC_MMAP)
			continue;
		for (k = 0; k < R->nr; k++)
			if (R->r[k].start == o->start && R->r[k].kind == R_ROOT)
				R->r[k].kind = R_HEAP;
	}
	if ((rc = clusters(ctx, R)) < 0 || (rc = mark(ctx, R)) < 0 || (rc = leaks(ctx, R)) < 0)
		goto out;
out:
	if (rc < 0) {
		ms_refs_free(R);
		return rc;
	}
	*out = R;
	return 0;
}

void ms_refs_free(struct ms_refs *r)
{
	if (!r)
		return;
	if (r->map != MAP_FAILED && r->map)
		munmap(r->map, r->mapsz);
	ms_analysis_free(r->a);
	ms_maps_free(r->maps);
	free(r->r);
	free(r->o);
	free(r->keys);
	free(r->kcl);
	free(r->kslot);
	free(r->mark);
	free(r->leaks);
	free(r);
}

const struct ms_analysis *ms_refs_analysis(const struct ms_refs *r) { return r->a; }
uint64_t ms_refs_objects(const struct ms_refs *r) { return r->n; }
uint64_t ms_refs_glibc_objects(const struct ms_refs *r) { return r->nglibc; }
uint64_t ms_refs_reached(const struct ms_refs *r) { return r->reached; }
size_t ms_refs_leak_count(const struct ms_refs *r) { return r->nleaks; }

const struct ms_refs_leak *ms_refs_leak(const struct ms_refs *r, size_t i)
{
	return i < r->nleaks ? &r->leaks[i] : NULL;
}

char *ms_refs_cluster_str(const struct ms_cluster *c, char *buf, size_t len)
{
	char b[MS_BYTE_STR_MAX];

	if (!c)
		snprintf(buf, len, "(uncounted: more than %d clusters)", MS_CLUSTERS_MAX);
	else if (c->name)
		snprintf(buf, len, "%s", c->name->name);
	else if (c->type_name[0])
		snprintf(buf, len, "%s", c->type_name);
	else if (c->magic[0])
		snprintf(buf, len, "magic \"%s\"", c->magic);
	else if (c->shape[0])
		snprintf(buf, len, "text \"%s\"", c->shape);
	else if (c->fill >= 0)
		snprintf(buf, len, "fill %s", ms_byte_str((unsigned char)c->fill, 0, b, sizeof(b)));
	else
		snprintf(buf, len, "%s", ms_content_str(c->content));
	return buf;
}
