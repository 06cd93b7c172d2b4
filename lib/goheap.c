// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Go heap from the runtime's own books: mheap_ -> arenas -> spans.
 * Layouts from DWARF, else a table per runtime version; types from the
 * pointers that reach the objects (lib/goheap-type.c).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/goheap.h>
#include <memsift/memread.h>
#include <memsift/procfs.h>

#include "goheap-private.h"
#include "internal.h"
#include "util.h"

#define GO_PAGE 8192ULL
#define GO_ARENA (64ULL << 20)		/* heapArenaBytes on linux/amd64 */
#define GO_ARENA_PAGES (GO_ARENA / GO_PAGE)
#define GO_ARENA_BASE 0xffff800000000000ULL	/* arenaBaseOffset on amd64 */
#define GO_SPAN_INUSE 1			/* mSpanInUse */
#define GO_MAX_ARENAS 65536
#define GO_MSPAN_MAX 512
/* Go 1.22: larger objects with pointers carry a malloc header. */
#define GO_HEADER_MIN 512

/* Go's size classes (runtime/sizeclasses.go, unchanged from Go 1.12 to 1.22). */
static const uint32_t go_classes[] = {
	0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
	1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
	6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
	20480, 21760, 24576, 27264, 28672, 32768,
};

uint64_t ms_go_size(uint64_t n)
{
	size_t i;

	for (i = 1; i < MS_ARRAY_SIZE(go_classes); i++)
		if (n <= go_classes[i])
			return go_classes[i];
	return (n + GO_PAGE - 1) & ~(GO_PAGE - 1);
}

/*
 * Go 1.19's layouts on linux/amd64, read from the DWARF of a go1.19.8
 * binary: what a stripped binary of that version gets.
 */
static const struct go_layout go119 = {
	.mheap_arenas = 65936, .mheap_allarenas = 66016, .arena_spans = 2097152,
	.span_start = 24, .span_npages = 32, .span_freeindex = 48, .span_nelems = 56,
	.span_allocbits = 72, .span_spanclass = 98, .span_state = 99, .span_elemsize = 104,
	.mheap_sweepgen = 65848, .span_markbits = 80, .span_sweepgen = 88,
	.span_freeindex_size = 8, .span_nelems_size = 8,
	.mspan_size = 144,
	.work_marked = 128, .work_heap0 = 408, .work_heap1 = 416, .work_heap2 = 424,
};

/* Go 1.22's, from a go1.22.12 binary: freeindex and nelems 16-bit, malloc headers. */
static const struct go_layout go122 = {
	.mheap_arenas = 66008, .mheap_allarenas = 66096, .arena_spans = 0,
	.span_start = 24, .span_npages = 32, .span_freeindex = 48, .span_nelems = 50,
	.span_allocbits = 64, .span_spanclass = 98, .span_state = 99, .span_elemsize = 104,
	.mheap_sweepgen = 65856, .span_markbits = 72, .span_sweepgen = 88,
	.span_freeindex_size = 2, .span_nelems_size = 2, .headers = true, .span_largetype = 152,
	.mspan_size = 160,
	.work_marked = 192, .work_heap0 = 456, .work_heap1 = 464, .work_heap2 = 472,
};

static const struct {
	const char *prefix;
	const struct go_layout *l;
} go_tables[] = {
	{ "go1.19", &go119 },
	{ "go1.22", &go122 },
};

int ms_go_version(int fd, char *buf, size_t len)
{
	static const char magic[] = "\xff Go buildinf:";
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int rc = -ENOENT;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) < 0)
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		const unsigned char *p;
		uint64_t n = 0;
		size_t i, shift = 0;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".go.buildinfo") || !(d = elf_getdata(scn, NULL)) || d->d_size < 33)
			continue;
		p = d->d_buf;
		/* Go 1.18 and newer: flag 2, the version inline at 32, uvarint-length first. */
		if (memcmp(p, magic, 14) || !(p[15] & 2))
			break;
		for (i = 32; i < d->d_size && i < 42; i++) {
			n |= (uint64_t)(p[i] & 0x7f) << shift;
			shift += 7;
			if (!(p[i] & 0x80))
				break;
		}
		i++;
		if (!n || n >= len || i + n > d->d_size)
			break;
		memcpy(buf, p + i, (size_t)n);
		buf[n] = '\0';
		rc = 0;
		break;
	}
out:
	elf_end(elf);
	return rc;
}

/* A struct's member offsets, from DWARF, and the size of those that vary by release. */
struct member_want {
	const char *name;
	uint64_t *at;
	uint64_t *size;		/* may be NULL */
};

/* The byte size of the type of member M, typedefs followed; 0 when not said. */
static uint64_t member_size(Dwarf_Die *m)
{
	Dwarf_Attribute at;
	Dwarf_Word v;
	Dwarf_Die t;
	int i;

	if (!dwarf_attr(m, DW_AT_type, &at) || !dwarf_formref_die(&at, &t))
		return 0;
	for (i = 0; i < 8 && dwarf_tag(&t) == DW_TAG_typedef; i++)
		if (!dwarf_attr(&t, DW_AT_type, &at) || !dwarf_formref_die(&at, &t))
			return 0;
	return dwarf_attr(&t, DW_AT_byte_size, &at) && dwarf_formudata(&at, &v) == 0 ? v : 0;
}

static int die_member_offsets(Dwarf_Die *st, const struct member_want *w, size_t n,
			      uint64_t *size)
{
	Dwarf_Die m;
	Dwarf_Attribute at;
	Dwarf_Word v;
	size_t found = 0, i;

	if (dwarf_attr(st, DW_AT_byte_size, &at) && dwarf_formudata(&at, &v) == 0)
		*size = v;
	if (dwarf_child(st, &m) != 0)
		return -1;
	do {
		const char *mn = dwarf_diename(&m);

		if (dwarf_tag(&m) != DW_TAG_member || !mn)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(mn, w[i].name) &&
			    dwarf_attr(&m, DW_AT_data_member_location, &at) &&
			    dwarf_formudata(&at, &v) == 0) {
				*w[i].at = v;
				if (w[i].size && !(*w[i].size = member_size(&m)))
					continue;
				found++;
			}
	} while (dwarf_siblingof(&m, &m) == 0);
	return found == n ? 0 : -1;
}

/* The layouts from the runtime's own DWARF: 0, or -1 when it lacks one of them. */
static int dwarf_layout(Dwarf *dw, struct go_layout *l)
{
	uint64_t sz, mspan = 0, mheap = 0, arena = 0;
	struct member_want mh[] = { { "arenas", &l->mheap_arenas, NULL },
				    { "allArenas", &l->mheap_allarenas, NULL },
				    { "sweepgen", &l->mheap_sweepgen, NULL } };
	struct member_want ha[] = { { "spans", &l->arena_spans, NULL } };
	/* Go 1.22 made freeindex and nelems 16-bit. */
	struct member_want ms[] = {
		{ "startAddr", &l->span_start, NULL }, { "npages", &l->span_npages, NULL },
		{ "freeindex", &l->span_freeindex, &l->span_freeindex_size },
		{ "nelems", &l->span_nelems, &l->span_nelems_size },
		{ "allocBits", &l->span_allocbits, NULL }, { "spanclass", &l->span_spanclass, NULL },
		{ "state", &l->span_state, NULL }, { "elemsize", &l->span_elemsize, NULL },
		{ "gcmarkBits", &l->span_markbits, NULL }, { "sweepgen", &l->span_sweepgen, NULL },
	};
	struct member_want lt[] = { { "largeType", &l->span_largetype, NULL } };
	struct member_want wk[] = { { "bytesMarked", &l->work_marked, NULL },
				    { "heap0", &l->work_heap0, NULL },
				    { "heap1", &l->work_heap1, NULL },
				    { "heap2", &l->work_heap2, NULL } };
	bool work = false;
	Dwarf_Off off = 0, next;
	size_t hsize;

	/* Go 1.19 writes the runtime's types into more than one "runtime" unit. */
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		const char *cn;

		if (dwarf_offdie(dw, off + hsize, &cu) && (cn = dwarf_diename(&cu)) &&
		    !strcmp(cn, "runtime") && dwarf_child(&cu, &d) == 0) {
			do {
				const char *n = dwarf_diename(&d);

				if (dwarf_tag(&d) != DW_TAG_structure_type || !n)
					continue;
				if (!strcmp(n, "runtime.mspan") && !mspan) {
					mspan = !die_member_offsets(&d, ms, MS_ARRAY_SIZE(ms),
								    &l->mspan_size);
					/* largeType came with the malloc headers (Go 1.22). */
					l->headers = !die_member_offsets(&d, lt, 1, &sz);
				} else if (!strcmp(n, "runtime.mheap") && !mheap) {
					mheap = !die_member_offsets(&d, mh, MS_ARRAY_SIZE(mh), &sz);
				} else if (!strcmp(n, "runtime.heapArena") && !arena) {
					arena = !die_member_offsets(&d, ha, MS_ARRAY_SIZE(ha), &sz);
				} else if (!strcmp(n, "runtime.workType") && !work) {
					/* A hunt's bound on floating garbage only: the heap stands without. */
					work = !die_member_offsets(&d, wk, MS_ARRAY_SIZE(wk), &sz);
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		if (mspan && mheap && arena && work)
			break;
		off = next;
	}
	if (!work)
		l->work_marked = l->work_heap0 = l->work_heap1 = l->work_heap2 = 0;
	return mspan && mheap && arena && l->mspan_size <= GO_MSPAN_MAX ? 0 : -1;
}

/*
 * The addresses of the N symbols SYM in the symbol table into AT (0 when
 * absent); and .bss's bounds, for a stripped binary.
 */
static void elf_facts(Elf *elf, const char *const *sym, uint64_t *at, size_t nsym,
		      uint64_t *nob, uint64_t *nob_size, bool *go)
{
	size_t shstrndx, found = 0, k;
	Elf_Scn *scn = NULL;

	*nob = *nob_size = 0;
	memset(at, 0, nsym * sizeof(*at));
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(name, ".bss")) {
			*nob = sh.sh_addr;
			*nob_size = sh.sh_size;
		}
		if (!strcmp(name, ".gopclntab") || !strcmp(name, ".go.buildinfo"))
			*go = true;
		if (sh.sh_type != SHT_SYMTAB || !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 1; i < n && found < nsym; i++) {
			GElf_Sym s;
			const char *sn;

			if (!gelf_getsym(d, (int)i, &s) ||
			    !(sn = elf_strptr(elf, sh.sh_link, s.st_name)))
				continue;
			for (k = 0; k < nsym; k++)
				if (!at[k] && !strcmp(sn, sym[k])) {
					at[k] = s.st_value;
					found++;
				}
		}
	}
}

/* A PIE binary's addresses move by where its first page is mapped; a fixed one's do not. */
static uint64_t load_bias(Elf *elf, uint64_t load)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n, i;

	if (!gelf_getehdr(elf, &eh) || eh.e_type != ET_DYN || elf_getphdrnum(elf, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			return load - (ph.p_vaddr & ~0xfffULL);
	return 0;
}

static uint64_t w64(const unsigned char *b, uint64_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* An unsigned field of SIZE bytes (2, 4 or 8) at OFF of B. */
static uint64_t field(const unsigned char *b, uint64_t off, uint64_t size)
{
	uint16_t v16;
	uint32_t v32;

	switch (size) {
	case 2:
		memcpy(&v16, b + off, 2);
		return v16;
	case 4:
		memcpy(&v32, b + off, 4);
		return v32;
	default:
		return w64(b, off);
	}
}

static int cmp_span(const void *a, const void *b)
{
	const struct ms_gospan *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/*
 * The runtime points every page of a span in use at it (mheap.setSpans): S's
 * last page in this arena (its first is entry AT of MAP) must point at ADDR
 * too, and S may not start inside the span before it, which ended at
 * *WALKED (moved past S when S is believed).  Else a torn or corrupt
 * mspan's npages would cover its neighbours, and their objects be counted
 * twice.
 */
static bool span_pages_agree(const struct ms_gospan *s, uint64_t addr, const uint64_t *map,
			     uint64_t at, uint64_t *walked)
{
	if (s->start < *walked ||
	    (at + s->npages <= GO_ARENA_PAGES && map[at + s->npages - 1] != addr))
		return false;
	*walked = s->start + s->npages * GO_PAGE;
	return true;
}

/*
 * The mspan struct M, read at ADDR for the page PAGE, into S: false when
 * the span is not in use, or not sane.  *FREEINDEX and *ALLOCBITS say
 * which of its objects are allocated, *UNSWEPT whether they are GC's marks.
 */
static bool decode_span(const struct ms_goheap *h, const unsigned char *m, uint64_t page,
			struct ms_gospan *s, uint64_t *freeindex, uint64_t *allocbits,
			bool *unswept)
{
	const struct go_layout *l = &h->l;
	uint64_t n;
	uint32_t sg;
	uint8_t sc;

	if (m[l->span_state] != GO_SPAN_INUSE)
		return false;
	s->start = w64(m, l->span_start);
	s->npages = w64(m, l->span_npages);
	s->elemsize = w64(m, l->span_elemsize);
	*freeindex = field(m, l->span_freeindex, l->span_freeindex_size);
	*allocbits = w64(m, l->span_allocbits);
	memcpy(&sg, m + l->span_sweepgen, sizeof(sg));
	/*
	 * mspan.sweepgen against mheap_.sweepgen (runtime/mheap.go): 2 or 1
	 * behind, or 1 ahead (cached before the sweep began), the span is not
	 * swept since the last GC, and nothing was allocated in it since: its
	 * live objects are those that GC marked, the dead are still in allocBits.
	 */
	*unswept = sg == h->sweepgen - 2 || sg == h->sweepgen - 1 || sg == h->sweepgen + 1;
	if (*unswept) {
		*allocbits = w64(m, l->span_markbits);
		*freeindex = 0;
	}
	sc = m[l->span_spanclass];
	s->sizeclass = sc >> 1;
	s->noscan = sc & 1;
	n = field(m, l->span_nelems, l->span_nelems_size);
	/* What a dump or a racing runtime gives is checked before it is believed. */
	if (s->start != page || !s->npages ||
	    s->npages > (1ULL << 30) / GO_PAGE || !s->elemsize || !n ||
	    n * s->elemsize > s->npages * GO_PAGE || *freeindex > n ||
	    s->sizeclass >= MS_ARRAY_SIZE(go_classes) ||
	    (s->sizeclass && s->elemsize != go_classes[s->sizeclass]))
		return false;
	s->nelems = (uint32_t)n;
	if (l->headers && !s->noscan && s->sizeclass && s->elemsize > GO_HEADER_MIN)
		s->header = 8;
	if (l->headers && l->span_largetype && !s->sizeclass)
		s->large_type = w64(m, l->span_largetype);
	return true;
}

/*
 * S->used: an object is in use when below FREEINDEX or marked in the
 * bitmap at ALLOCBITS; S->inuse counts them.  0 or -ENOMEM (S->used NULL).
 */
static int span_used(struct ms_ctx *ctx, struct ms_goheap *h, struct ms_gospan *s,
		     uint64_t allocbits, uint64_t freeindex)
{
	unsigned char *bits;
	uint64_t i;

	if (!(s->used = calloc(s->nelems, 1)) || !(bits = calloc((s->nelems + 7) / 8, 1))) {
		free(s->used);
		s->used = NULL;
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	/* allocBits unreadable: only what was allocated since the sweep is known. */
	if (h->read(ctx, allocbits, bits, (s->nelems + 7) / 8, h->data) < 0)
		memset(bits, 0, (s->nelems + 7) / 8);
	for (i = 0; i < s->nelems; i++) {
		bool marked = bits[i / 8] >> (i % 8) & 1;

		/* Swept or not, the bits are what the last GC marked. */
		h->marked += marked ? s->elemsize : 0;
		if (i < freeindex || marked) {
			s->used[i] = 1;
			s->inuse++;
		}
	}
	free(bits);
	return 0;
}

/*
 * One mspan at ADDR, met at the page PAGE (entry AT of the arena's page
 * map MAP): added when in use, sane and starting there (a freed span's
 * struct is reused for another run of pages, and stale page entries may
 * still point at it), and past *WALKED, the end of the span before; 0, or
 * -ENOMEM.
 */
static int add_span(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t addr, uint64_t page,
		    const uint64_t *map, uint64_t at, uint64_t *walked)
{
	unsigned char m[GO_MSPAN_MAX];
	struct ms_gospan s = { 0 };
	uint64_t freeindex, allocbits;
	bool unswept;
	int rc;

	if (h->read(ctx, addr, m, h->l.mspan_size, h->data) < 0 ||
	    !decode_span(h, m, page, &s, &freeindex, &allocbits, &unswept) ||
	    !span_pages_agree(&s, addr, map, at, walked))
		return 0;
	if ((rc = span_used(ctx, h, &s, allocbits, freeindex)) < 0)
		return rc;
	if (MS_GROW(h->spans, h->capspans, h->nspans + 1, 1024) < 0) {
		free(s.used);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	h->spans[h->nspans++] = s;
	h->unswept += unswept;
	h->live += s.inuse * s.elemsize;
	h->spanbytes += s.npages * GO_PAGE;
	return 0;
}

/*
 * The arenas of the mheap at MHEAP: 1 when walked (spans added), 0 when
 * MHEAP does not lead to an arena whose spans parse, or -ENOMEM.
 */
static int walk_arenas(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t mheap)
{
	const struct go_layout *l = &h->l;
	uint64_t l2, all[3], *idx = NULL, *spans = NULL, *a, i, p;
	size_t before = h->nspans;
	int rc = 0;

	if (h->read(ctx, mheap + l->mheap_sweepgen, &h->sweepgen, 4, h->data) < 0 ||
	    h->read(ctx, mheap + l->mheap_arenas, &l2, 8, h->data) < 0 || !l2 ||
	    h->read(ctx, mheap + l->mheap_allarenas, all, sizeof(all), h->data) < 0 ||
	    !all[0] || !all[1] || all[1] > all[2] || all[1] > GO_MAX_ARENAS)
		return 0;
	if (!(idx = malloc(all[1] * 8)) || !(spans = malloc(GO_ARENA_PAGES * 8))) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	if (h->read(ctx, all[0], idx, all[1] * 8, h->data) < 0)
		goto out;
	for (i = 0; i < all[1]; i++) {
		uint64_t ha, abase = (idx[i] << 26) + GO_ARENA_BASE, last = 0, walked = 0, k;

		/* An arena listed twice (a torn allArenas) is walked once. */
		for (k = 0; k < h->arenas && h->arena[k] != abase; k++)
			;
		if (k < h->arenas)
			continue;

		if (idx[i] >= (1ULL << 22) || h->read(ctx, l2 + idx[i] * 8, &ha, 8, h->data) < 0 ||
		    !ha ||
		    h->read(ctx, ha + l->arena_spans, spans, GO_ARENA_PAGES * 8, h->data) < 0)
			continue;
		for (p = 0; p < GO_ARENA_PAGES; p++) {
			if (!spans[p] || spans[p] == last)
				continue;
			last = spans[p];
			if ((rc = add_span(ctx, h, spans[p], abase + p * GO_PAGE, spans, p,
					   &walked)) < 0)
				goto out;
		}
		if (!(a = realloc(h->arena, (h->arenas + 1) * sizeof(*a)))) {
			rc = ms_err(ctx, -ENOMEM, "out of memory");
			goto out;
		}
		h->arena = a;
		h->arena[h->arenas++] = abase;
	}
	rc = h->nspans > before;
out:
	free(idx);
	free(spans);
	return rc;
}

/* A stripped binary: mheap_ is the place in .bss whose arenas walk. */
static int find_mheap(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t nob, uint64_t size)
{
	const struct go_layout *l = &h->l;
	unsigned char *b;
	uint64_t o;
	int rc = 0;

	if (!size || size > (64u << 20) || !(b = malloc(size)))
		return size ? ms_err(ctx, -ENOMEM, "out of memory") : 0;
	if (h->read(ctx, nob, b, size, h->data) < 0) {
		free(b);
		return 0;
	}
	for (o = 0; o + l->mheap_allarenas + 24 <= size && rc == 0; o += 8) {
		uint64_t n = w64(b, o + l->mheap_allarenas + 8);

		if (!w64(b, o + l->mheap_arenas) || !n || n > GO_MAX_ARENAS ||
		    w64(b, o + l->mheap_allarenas + 16) < n || !w64(b, o + l->mheap_allarenas))
			continue;
		if ((rc = walk_arenas(ctx, h, nob + o)) > 0)
			h->mheap = nob + o;
	}
	free(b);
	return rc;
}

/* The most of runtime.work read: from bytesMarked to heap2. */
#define GO_WORK_SPAN 1024

/*
 * Whether V is the marks the spans hold (h->marked), give or take what
 * the runtime marks outside them (288 bytes in Go 1.19 and 1.22).
 */
static bool near_marks(const struct ms_goheap *h, uint64_t v)
{
	uint64_t d = v > h->marked ? v - h->marked : h->marked - v;

	return v && h->marked && d <= (64 << 10) + h->marked / 64;
}

/*
 * Whether runtime.work's figures in B (from its bytesMarked on) hold
 * together: no GC marking as they were read (bytesMarked, reset when one
 * begins, is still heap2), and heap2 the spans' marks.  SEARCH: B is one
 * of many places of .bss tried (a stripped binary), so the heap must also
 * be no smaller when marking ended than when it began, as it mostly is.
 * Not always: Go 1.22's heapLive can fall while marking (the mcaches'
 * unused spans are given back), and runtime.work found by its symbol is
 * taken then, with nothing allocated while marking.
 */
static bool work_fits(const struct ms_goheap *h, const unsigned char *b, bool search)
{
	const struct go_layout *l = &h->l;
	uint64_t h0 = w64(b, l->work_heap0 - l->work_marked), h2 = w64(b, l->work_heap2 - l->work_marked);

	return w64(b, 0) == h2 && near_marks(h, h2) && h0 &&
	       (!search || h0 <= w64(b, l->work_heap1 - l->work_marked));
}

static void take_work(struct ms_goheap *h, const unsigned char *b)
{
	const struct go_layout *l = &h->l;

	h->work[0] = w64(b, l->work_heap0 - l->work_marked);
	h->work[1] = w64(b, l->work_heap1 - l->work_marked);
	h->work[2] = w64(b, l->work_heap2 - l->work_marked);
}

/*
 * The last GC's figures, from runtime.work at ADDR, or, without its
 * symbol (a stripped binary), from the one place in .bss (NOB, SIZE)
 * where they hold together.  Either way they may stay unknown: 0, or
 * -ENOMEM.
 */
static int read_work(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t addr, uint64_t nob,
		     uint64_t size)
{
	const struct go_layout *l = &h->l;
	uint64_t o, at = 0, span = l->work_heap2 + 8 - l->work_marked;
	unsigned char w[GO_WORK_SPAN], *b;
	size_t found = 0;

	if (!l->work_heap2 || l->work_heap0 <= l->work_marked || l->work_heap1 <= l->work_marked ||
	    l->work_heap2 <= l->work_heap1 || span > GO_WORK_SPAN)
		return 0;
	if (addr) {
		if (h->read(ctx, addr + l->work_marked, w, span, h->data) == 0 && work_fits(h, w, false))
			take_work(h, w);
		return 0;
	}
	if (!h->marked || size < span || size > (64u << 20))
		return 0;
	if (!(b = malloc(size)))
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (h->read(ctx, nob, b, size, h->data) == 0)
		for (o = 0; o + span <= size; o += 8)
			if (work_fits(h, b + o, true)) {
				at = o;
				found++;
			}
	/* Two such places: neither is known to be it. */
	if (found == 1)
		take_work(h, b + at);
	free(b);
	return 0;
}

int ms_goheap_new(struct ms_ctx *ctx, int fd, const char *exe, uint64_t load,
		  ms_goheap_read_fn read, void *data, unsigned flags, struct ms_goheap **out)
{
	struct ms_goheap *h = calloc(1, sizeof(*h));
	Elf *elf = NULL;
	Dwarf *dw = NULL;
	static const char *const syms[] = { "runtime.mheap_", "runtime.work" };
	uint64_t nob, nob_size, mheap, at[MS_ARRAY_SIZE(syms)];
	bool go = false;
	size_t i;
	int rc;

	if (!h)
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->read = read;
	h->data = data;
	elf_version(EV_CURRENT);
	if (!(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) || elf_kind(elf) != ELF_K_ELF) {
		rc = ms_err(ctx, -ENOENT, "%s: not an ELF file", exe);
		goto out;
	}
	elf_facts(elf, syms, at, MS_ARRAY_SIZE(syms), &nob, &nob_size, &go);
	mheap = at[0];
	h->bias = load_bias(elf, load);
	if (!go) {
		rc = ms_err(ctx, -ENOENT, "%s: no Go program (no .gopclntab, no .go.buildinfo)", exe);
		goto out;
	}
	ms_go_version(fd, h->version, sizeof(h->version));
	dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (dw && dwarf_layout(dw, &h->l) == 0) {
		snprintf(h->layout, sizeof(h->layout), "DWARF");
	} else {
		for (i = 0; i < MS_ARRAY_SIZE(go_tables); i++) {
			size_t n = strlen(go_tables[i].prefix);

			/* go1.19 and go1.19.8, never go1.190 */
			if (!strncmp(h->version, go_tables[i].prefix, n) &&
			    (h->version[n] == '.' || !h->version[n]))
				break;
		}
		if (i == MS_ARRAY_SIZE(go_tables)) {
			rc = ms_err(ctx, -EPROTONOSUPPORT,
				    "%s: %s: no DWARF and no table for the runtime's layouts (known: go1.19); build without -w",
				    exe, h->version[0] ? h->version : "an unknown Go version");
			goto out;
		}
		h->l = *go_tables[i].l;
		snprintf(h->layout, sizeof(h->layout), "the %s table", go_tables[i].prefix);
	}
	if (mheap)
		rc = walk_arenas(ctx, h, mheap + h->bias);
	else
		rc = find_mheap(ctx, h, nob + h->bias, nob_size);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		rc = ms_err(ctx, -ENODATA, "%s: runtime.mheap_%s: its arenas cannot be read (not in the dump, or the process gone)",
			    exe, mheap ? "" : " (found by its shape in .bss)");
		goto out;
	}
	if (mheap)
		h->mheap = mheap + h->bias;
	if ((rc = read_work(ctx, h, at[1] ? at[1] + h->bias : 0, nob + h->bias, nob_size)) < 0)
		goto out;
	qsort(h->spans, h->nspans, sizeof(*h->spans), cmp_span);
	if (dw && (flags & MS_GOHEAP_TYPES) && (rc = ms_goheap_type_globals(ctx, h, dw)) < 0)
		goto out;
	rc = 0;
out:
	if (dw)
		dwarf_end(dw);
	elf_end(elf);
	if (rc < 0) {
		ms_goheap_free(h);
		return rc;
	}
	*out = h;
	return 0;
}

void ms_goheap_free(struct ms_goheap *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nspans; i++)
		free(h->spans[i].used);
	free(h->spans);
	free(h->arena);
	free(h->tkey);
	free(h->tval);
	free(h->thold);
	for (i = 0; i < h->ntypes; i++)
		free(h->types[i]);
	free(h->types);
	free(h);
}

const char *ms_goheap_version(const struct ms_goheap *h)
{
	return h->version;
}

const char *ms_goheap_layout(const struct ms_goheap *h)
{
	return h->layout;
}

size_t ms_goheap_span_count(const struct ms_goheap *h)
{
	return h->nspans;
}

const struct ms_gospan *ms_goheap_span(const struct ms_goheap *h, size_t i)
{
	return i < h->nspans ? &h->spans[i] : NULL;
}

const struct ms_gospan *ms_goheap_span_at(const struct ms_goheap *h, uint64_t addr,
					  uint32_t *slot)
{
	size_t lo = 0, hi = h->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ms_gospan *s = &h->spans[mid];

		if (addr < s->start) {
			hi = mid;
		} else if (addr >= s->start + s->npages * GO_PAGE) {
			lo = mid + 1;
		} else {
			if ((addr - s->start) / s->elemsize >= s->nelems)
				return NULL;
			if (slot)
				*slot = (uint32_t)((addr - s->start) / s->elemsize);
			return s;
		}
	}
	return NULL;
}

uint64_t ms_goheap_live_bytes(const struct ms_goheap *h)
{
	return h->live;
}

uint64_t ms_goheap_span_bytes(const struct ms_goheap *h)
{
	return h->spanbytes;
}

size_t ms_goheap_arena_count(const struct ms_goheap *h)
{
	return h->arenas;
}

uint64_t ms_goheap_arena(const struct ms_goheap *h, size_t i, uint64_t *end)
{
	if (i >= h->arenas)
		return 0;
	if (end)
		*end = h->arena[i] + GO_ARENA;
	return h->arena[i];
}

uint64_t ms_goheap_marked_bytes(const struct ms_goheap *h)
{
	return h->marked;
}

int ms_goheap_last_gc(const struct ms_goheap *h, uint64_t *start, uint64_t *end)
{
	if (!h->work[0])
		return -ENODATA;
	*start = h->work[0];
	/* A heap that fell while marking (work_fits()): nothing allocated then. */
	*end = h->work[1] > h->work[0] ? h->work[1] : h->work[0];
	return 0;
}

uint32_t ms_goheap_gc_cycles(const struct ms_goheap *h)
{
	return h->sweepgen / 2;
}

static int peek(struct ms_ctx *ctx, uint64_t addr, void *buf, size_t len, void *data)
{
	return ms_memread_peek(ctx, *(pid_t *)data, addr, buf, len) < 0 ? -EIO : 0;
}

int ms_goheap_new_pid(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps, unsigned flags,
		      struct ms_goheap **out)
{
	const struct ms_mapping *exe = NULL;
	size_t i;
	int fd, rc;

	for (i = 0; i < ms_maps_count(maps) && !exe; i++)
		if (ms_mapping_name(ms_maps_get(maps, i))[0] == '/')
			exe = ms_maps_get(maps, i);
	if (!exe)
		return ms_err(ctx, -ENOENT, "pid %d: no executable mapped", (int)pid);
	if ((rc = ms_procfs_open(ctx, pid, "exe", O_RDONLY | O_CLOEXEC, &fd)) < 0)
		return rc;
	/* The reader's data must outlive the model's making only: it reads nothing after. */
	rc = ms_goheap_new(ctx, fd, ms_mapping_name(exe), ms_mapping_start(exe), peek, &pid, flags,
			   out);
	close(fd);
	if (rc == 0)
		(*out)->read = NULL;
	return rc;
}
