// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go objects' types from the pointers that reach them.  Go 1.19's heap
 * objects carry no type header, but each global of the main package is
 * typed in DWARF, and its value is followed: a slice names its backing
 * array, a pointer its target, a struct's fields are followed in turn.
 * Go's DWARF says what a struct is with DW_AT_go_kind, and a slice's
 * element type with DW_AT_go_elem (cmd/link/internal/dwarf).
 */
#include <dwarf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goheap-private.h"
#include "internal.h"

#define DW_AT_GO_KIND 0x2900
#define DW_AT_GO_ELEM 0x2902
#define GO_KIND_PTR 22
#define GO_KIND_SLICE 23
#define GO_KIND_STRUCT 25
#define FOLLOW_DEPTH 4
#define FOLLOW_MAX (16u << 20)
#define SLICE_MAX (8u << 20)

static uint64_t kind_of(Dwarf_Die *d)
{
	Dwarf_Attribute at;
	Dwarf_Word v;

	if (dwarf_attr(d, DW_AT_GO_KIND, &at) && dwarf_formudata(&at, &v) == 0)
		return v;
	return 0;
}

static bool ref_die(Dwarf_Die *d, unsigned int name, Dwarf_Die *out)
{
	Dwarf_Attribute at;

	return dwarf_attr(d, name, &at) && dwarf_formref_die(&at, out);
}

/* Typedefs stripped: the type itself. */
static bool base_type(Dwarf_Die *d, Dwarf_Die *out)
{
	int i;

	*out = *d;
	for (i = 0; i < 8 && dwarf_tag(out) == DW_TAG_typedef; i++)
		if (!ref_die(out, DW_AT_type, out))
			return false;
	return true;
}

static int intern(struct ms_ctx *ctx, struct ms_goheap *h, const char *name, uint32_t *idx)
{
	char **p;
	size_t i;

	for (i = 0; i < h->ntypes; i++)
		if (!strcmp(h->types[i], name)) {
			*idx = (uint32_t)i;
			return 0;
		}
	if (!(p = realloc(h->types, (h->ntypes + 1) * sizeof(*p))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->types = p;
	if (!(p[h->ntypes] = strdup(name)))
		return ms_err(ctx, -ENOMEM, "out of memory");
	*idx = (uint32_t)h->ntypes++;
	return 0;
}

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static int grow(struct ms_ctx *ctx, struct ms_goheap *h)
{
	size_t cap = h->tcap ? h->tcap * 2 : 4096, i, j;
	uint64_t *k = calloc(cap, sizeof(*k));
	uint32_t *v = calloc(cap, sizeof(*v)), *hv = calloc(cap, sizeof(*hv));

	if (!k || !v || !hv) {
		free(k);
		free(v);
		free(hv);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < h->tcap; i++) {
		if (!h->tval[i])
			continue;
		for (j = slot_of(h->tkey[i], cap); v[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = h->tkey[i];
		v[j] = h->tval[i];
		hv[j] = h->thold[i];
	}
	free(h->tkey);
	free(h->tval);
	free(h->thold);
	h->tkey = k;
	h->tval = v;
	h->thold = hv;
	h->tcap = cap;
	return 0;
}

/*
 * Type the object at ADDR as NAME when ADDR starts an object in use and
 * none typed it yet.  Returns 1 when it was typed now, 0 when not, or
 * -ENOMEM.
 */
static int name_object(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t addr, const char *name,
		       const char *holder)
{
	const struct ms_gospan *s;
	uint32_t slot, idx = 0, hidx = 0;
	size_t j;
	int rc;

	if (!name || !(s = ms_goheap_span_at(h, addr, &slot)) || !s->used[slot] ||
	    addr != s->start + slot * s->elemsize + s->header)
		return 0;
	/* Typed under its slot's start, as the finder hands the object on. */
	addr -= s->header;
	if (h->tn * 2 >= h->tcap && (rc = grow(ctx, h)) < 0)
		return rc;
	for (j = slot_of(addr, h->tcap); h->tval[j]; j = (j + 1) & (h->tcap - 1))
		if (h->tkey[j] == addr)
			return 0;
	if ((rc = intern(ctx, h, name, &idx)) < 0 || (rc = intern(ctx, h, holder, &hidx)) < 0)
		return rc;
	h->tkey[j] = addr;
	h->tval[j] = idx + 1;
	h->thold[j] = hidx + 1;
	h->tn++;
	return 1;
}

const char *ms_goheap_type(const struct ms_goheap *h, uint64_t addr, const char **holder)
{
	size_t j;

	if (!h->tcap)
		return NULL;
	for (j = slot_of(addr, h->tcap); h->tval[j]; j = (j + 1) & (h->tcap - 1))
		if (h->tkey[j] == addr) {
			if (holder)
				*holder = h->types[h->thold[j] - 1];
			return h->types[h->tval[j] - 1];
		}
	return NULL;
}

uint64_t ms_goheap_typed(const struct ms_goheap *h)
{
	return h->tn;
}

uint64_t ms_goheap_globals_unread(const struct ms_goheap *h)
{
	return h->globals_unread;
}

static uint64_t byte_size(Dwarf_Die *d)
{
	Dwarf_Attribute at;
	Dwarf_Word v;

	return dwarf_attr(d, DW_AT_byte_size, &at) && dwarf_formudata(&at, &v) == 0 ? v : 0;
}

/*
 * The value at ADDR, of type T, inside an object of type HOLDER (or the
 * global HOLDER): the objects it reaches typed.  0 or -ENOMEM.
 */
static int follow(struct ms_ctx *ctx, struct ms_goheap *h, uint64_t addr, Dwarf_Die *t0,
		  const char *holder, int depth)
{
	Dwarf_Die t, e, m;
	uint64_t kind, w[3], i, esize;
	int rc;

	if (depth > FOLLOW_DEPTH || h->followed++ >= FOLLOW_MAX || !base_type(t0, &t))
		return 0;
	kind = kind_of(&t);
	if (dwarf_tag(&t) == DW_TAG_pointer_type || kind == GO_KIND_PTR) {
		if (!ref_die(&t, DW_AT_type, &e) || !base_type(&e, &e) ||
		    h->read(ctx, addr, w, 8, h->data) < 0)
			return 0;
		rc = name_object(ctx, h, w[0], dwarf_diename(&e), holder);
		return rc > 0 ? follow(ctx, h, w[0], &e, dwarf_diename(&e), depth + 1) : rc;
	}
	if (dwarf_tag(&t) != DW_TAG_structure_type)
		return 0;
	if (kind == GO_KIND_SLICE) {
		if (!ref_die(&t, DW_AT_GO_ELEM, &e) || h->read(ctx, addr, w, 24, h->data) < 0 ||
		    w[1] > w[2] || w[1] > SLICE_MAX)
			return 0;
		rc = name_object(ctx, h, w[0], dwarf_diename(&t), holder);
		if (rc <= 0)
			return rc;
		/* Elements without pointers (bytes, numbers) reach nothing. */
		if (!base_type(&e, &m) ||
		    (dwarf_tag(&m) != DW_TAG_pointer_type && dwarf_tag(&m) != DW_TAG_structure_type))
			return 0;
		/* Go gives its pointer types no DW_AT_byte_size. */
		esize = dwarf_tag(&m) == DW_TAG_pointer_type ? 8 : byte_size(&m);
		if (!esize)
			return 0;
		for (i = 0; i < w[1]; i++)
			if ((rc = follow(ctx, h, w[0] + i * esize, &e, dwarf_diename(&t),
					 depth + 1)) < 0)
				return rc;
		return 0;
	}
	if (kind && kind != GO_KIND_STRUCT)
		return 0;
	if (dwarf_child(&t, &m) != 0)
		return 0;
	do {
		Dwarf_Attribute at;
		Dwarf_Word off;
		Dwarf_Die mt;

		if (dwarf_tag(&m) != DW_TAG_member || !ref_die(&m, DW_AT_type, &mt) ||
		    !dwarf_attr(&m, DW_AT_data_member_location, &at) ||
		    dwarf_formudata(&at, &off) != 0 || !base_type(&mt, &mt))
			continue;
		if (dwarf_tag(&mt) != DW_TAG_pointer_type && dwarf_tag(&mt) != DW_TAG_structure_type)
			continue;
		if ((rc = follow(ctx, h, addr + off, &mt, holder, depth + 1)) < 0)
			return rc;
	} while (dwarf_siblingof(&m, &m) == 0);
	return 0;
}

int ms_goheap_type_globals(struct ms_ctx *ctx, struct ms_goheap *h, Dwarf *dw)
{
	Dwarf_Off off = 0, next;
	char var[256];
	uint64_t word;
	size_t hsize;
	int rc;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d, t;
		const char *cn;

		if (!dwarf_offdie(dw, off + hsize, &cu) || !(cn = dwarf_diename(&cu)) ||
		    strcmp(cn, "main") || dwarf_child(&cu, &d) != 0) {
			off = next;
			continue;
		}
		do {
			const char *n = dwarf_diename(&d);
			Dwarf_Attribute at;
			Dwarf_Block b;
			uint64_t addr;

			/* Go writes a global's place as a block of one DW_OP_addr. */
			if (dwarf_tag(&d) != DW_TAG_variable || !n || strncmp(n, "main.", 5) ||
			    !ref_die(&d, DW_AT_type, &t) || !dwarf_attr(&d, DW_AT_location, &at) ||
			    dwarf_formblock(&at, &b) != 0 || b.length != 9 || b.data[0] != DW_OP_addr)
				continue;
			memcpy(&addr, b.data + 1, 8);
			if (h->read(ctx, addr + h->bias, &word, 8, h->data) < 0) {
				h->globals_unread++;
				continue;
			}
			snprintf(var, sizeof(var), "var %s", n);
			if ((rc = follow(ctx, h, addr + h->bias, &t, var, 0)) < 0)
				return rc;
		} while (dwarf_siblingof(&d, &d) == 0);
		off = next;
	}
	return 0;
}
