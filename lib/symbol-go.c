// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go binaries.  Go's linker puts all type descriptors in one blob after the
 * symbol "type.*" (Go 1.20: "type:*") and all string literals, back to back
 * without NULs, after "go.string.*" ("go:string.*"), each blob one symbol of
 * size 0.  So a pointer into the type blob is named by decoding the
 * runtime._type it points at, and a pointer into the string blob by the
 * length word a Go string header keeps after it.  A func value points into
 * "go.func.*" at a word holding the function's address.
 *
 * Without a symbol table (go build -ldflags="-s -w", the usual release
 * build) the runtime's own tables remain: .gopclntab (pcHeader -> functab ->
 * funcnametab) names each function, and the type descriptors lie in
 * .rodata from its start (moduledata.types), those .typelink lists known
 * for sure, any other checked field by field before it is believed.
 */
#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "symbol-private.h"
#include "util.h"

/* runtime._type, Go 1.14 to 1.20, 64-bit: the fields read here. */
#define GO_TYPE_SIZE 48
#define GO_TYPE_TFLAG 20
#define GO_TYPE_KIND 23
#define GO_TYPE_STR 40		/* nameOff: int32 from the type blob's start */
#define GO_TFLAG_EXTRA_STAR 2	/* the name has a '*' that is not part of it */
#define GO_KIND_MASK 31
#define GO_KIND_MAX 26		/* kindUnsafePointer */
#define GO_NAME_MAX 1024
#define GO_TYPE_ALIGN 21
#define GO_TYPE_FIELD_ALIGN 22

/* runtime/symtab.go's pcHeader, Go 1.18 and newer (1.20 changed only the magic). */
#define GO_PCLN_MAGIC_118 0xfffffff0u
#define GO_PCLN_MAGIC_120 0xfffffff1u
#define GO_PCLN_HEADER 72

struct go_func {
	uint64_t entry;		/* the process's address */
	uint32_t name;		/* offset in funcnametab */
};

/* A Go compilation unit's code, for the line of an address. */
struct go_cu {
	uint64_t lo, hi;	/* the process's addresses */
	Dwarf_Off off;		/* its DIE */
};

/* What a stripped Go binary still tells: its functions and where its types are. */
struct ms_gotab {
	/* Go's units by address (built at the first line asked; CU_BUILT then). */
	struct go_cu *cu;
	size_t ncu;
	bool cu_built;
	struct go_func *f;	/* by entry */
	size_t n;
	uint64_t text_end;
	const char *names;	/* funcnametab, in libelf's data of the file (the module's) */
	size_t names_len;
	const int32_t *typelinks;	/* offsets from the types' start, sorted */
	size_t ntypelinks;
};

static bool name_is(const char *name, const char *a, const char *b)
{
	return name && (!strcmp(name, a) || !strcmp(name, b));
}

static int find_blobs(Dwfl_Module *mod, struct module *m)
{
	int n = dwfl_module_getsymtab(mod), i;
	uint64_t types = 0, strs = 0, funcs = 0;
	uint64_t next_types = UINT64_MAX, next_strs = UINT64_MAX, next_funcs = UINT64_MAX;
	const char *name;
	GElf_Addr addr;
	GElf_Sym sym;

	for (i = 1; i < n; i++) {
		name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		if (name_is(name, "type.*", "type:*"))
			types = addr;
		else if (name_is(name, "go.string.*", "go:string.*"))
			strs = addr;
		else if (name_is(name, "go.func.*", "go:func.*"))
			funcs = addr;
	}
	if (!types && !strs && !funcs)
		return -1;
	/* Each blob ends where the next symbol at a higher address starts. */
	for (i = 1; i < n; i++) {
		if (!dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL))
			continue;
		if (types && addr > types && addr < next_types)
			next_types = addr;
		if (strs && addr > strs && addr < next_strs)
			next_strs = addr;
		if (funcs && addr > funcs && addr < next_funcs)
			next_funcs = addr;
	}
	m->go_funcs = funcs;
	m->go_funcs_end = funcs ? next_funcs : 0;
	m->go_types = types;
	m->go_types_end = types ? next_types : 0;
	m->go_strings = strs;
	m->go_strings_end = strs ? next_strs : 0;
	return 0;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The functions of .gopclntab (D, its data) into T: pcHeader's nfunc,
 * textStart, funcnameOffset and pclnOffset; functab's (entryoff,
 * funcoff) pairs; each _func's nameOff.  TEXT is .text's address, for a
 * PIE binary whose textStart the dynamic loader fills in.  0, or -1 when
 * the table is not one this knows (older than Go 1.18).
 */
static int read_pclntab(const Elf_Data *d, uint64_t text, uint64_t bias, struct ms_gotab *t)
{
	const unsigned char *p = d->d_buf;
	uint64_t nfunc, start, names, pcln, i;
	uint32_t magic;

	if (!p || d->d_size < GO_PCLN_HEADER)
		return -1;
	magic = rd32(p);
	if ((magic != GO_PCLN_MAGIC_118 && magic != GO_PCLN_MAGIC_120) || p[7] != 8)
		return -1;
	nfunc = rd64(p + 8);
	start = rd64(p + 24);
	names = rd64(p + 32);
	pcln = rd64(p + 64);
	if (!start)
		start = text;
	if (!nfunc || names >= d->d_size || pcln >= d->d_size ||
	    (nfunc + 1) * 8 > d->d_size - pcln || !(t->f = calloc(nfunc, sizeof(*t->f))))
		return -1;
	for (i = 0; i < nfunc; i++) {
		uint32_t entry = rd32(p + pcln + i * 8), fo = rd32(p + pcln + i * 8 + 4);

		if (pcln + fo + 8 > d->d_size)
			break;
		t->f[t->n++] = (struct go_func){ start + entry + bias, rd32(p + pcln + fo + 4) };
	}
	t->text_end = start + rd32(p + pcln + nfunc * 8) + bias;
	t->names = (const char *)p + names;
	t->names_len = d->d_size - names;
	return t->n ? 0 : -1;
}

/* A stripped Go binary: its function table, its .rodata and .typelink. */
static void read_gotab(Elf *elf, size_t shstrndx, Dwarf_Addr bias, struct module *m)
{
	struct ms_gotab *t = calloc(1, sizeof(*t));
	Elf_Data *pcln = NULL, *tl = NULL;
	Elf_Scn *scn = NULL;
	uint64_t text = 0;
	GElf_Shdr sh;
	const char *sn;

	if (!t)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(sn = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		if (!strcmp(sn, ".gopclntab"))
			pcln = elf_getdata(scn, NULL);
		else if (!strcmp(sn, ".typelink"))
			tl = elf_getdata(scn, NULL);
		else if (!strcmp(sn, ".text"))
			text = sh.sh_addr;
		/* moduledata.types is .rodata's start, etypes its end (cmd/link's dodata). */
		else if (!strcmp(sn, ".rodata")) {
			m->go_types = sh.sh_addr + bias;
			m->go_types_end = sh.sh_addr + sh.sh_size + bias;
		}
	}
	if (!pcln || read_pclntab(pcln, text, bias, t) < 0) {
		free(t->f);
		t->f = NULL;
		t->n = 0;
	}
	if (tl && tl->d_buf && tl->d_size >= 4) {
		int32_t *v = malloc(tl->d_size);

		if (v) {
			memcpy(v, tl->d_buf, tl->d_size);
			t->ntypelinks = tl->d_size / 4;
			qsort(v, t->ntypelinks, 4, cmp_i32);
			t->typelinks = v;
		}
	}
	m->gotab = t;
}

static int cmp_cu(const void *a, const void *b)
{
	const struct go_cu *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Go's units (DW_LANG_Go) and the code ranges each holds, by address. */
static void build_cus(struct ms_gotab *t, Dwarf *dw, Dwarf_Addr bias)
{
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;

	t->cu_built = true;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Addr base, lo, hi;
		Dwarf_Die cu;
		ptrdiff_t r = 0;

		if (!dwarf_offdie(dw, off + hsize, &cu) || dwarf_srclang(&cu) != DW_LANG_Go) {
			off = next;
			continue;
		}
		while ((r = dwarf_ranges(&cu, r, &base, &lo, &hi)) > 0) {
			if (MS_GROW(t->cu, cap, t->ncu + 1, 256) < 0)
				return;
			t->cu[t->ncu++] = (struct go_cu){ lo + bias, hi + bias, off + hsize };
		}
		off = next;
	}
	if (t->ncu)
		qsort(t->cu, t->ncu, sizeof(*t->cu), cmp_cu);
}

const char *ms_symbols_go_line(struct module *m, Dwfl_Module *mod, uint64_t addr, int *line)
{
	Dwarf_Addr bias;
	Dwarf *dw;
	Dwarf_Die cu;
	Dwarf_Line *l;
	const char *file;
	size_t lo = 0, hi;

	if (!m->gotab && !(m->gotab = calloc(1, sizeof(*m->gotab))))
		return NULL;
	if (!(dw = dwfl_module_getdwarf(mod, &bias)))
		return NULL;
	if (!m->gotab->cu_built)
		build_cus(m->gotab, dw, bias);
	hi = m->gotab->ncu;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct go_cu *c = &m->gotab->cu[mid];

		if (addr < c->lo)
			hi = mid;
		else if (addr >= c->hi)
			lo = mid + 1;
		else {
			if (!dwarf_offdie(dw, c->off, &cu) || !(l = dwarf_getsrc_die(&cu, addr - bias)) ||
			    !(file = dwarf_linesrc(l, NULL, NULL)) || dwarf_lineno(l, line) != 0)
				return NULL;
			return file;
		}
	}
	return NULL;
}

void ms_symbols_go_module(Dwfl_Module *mod, struct module *m)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const char *sn;
	GElf_Shdr sh;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) < 0)
		return;
	while (!m->go && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sn = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    (!strcmp(sn, ".gopclntab") || !strcmp(sn, ".go.buildinfo") ||
		     !strcmp(sn, ".note.go.buildid")))
			m->go = true;
	if (m->go && m->stripped)
		read_gotab(elf, shstrndx, bias, m);
	else if (m->go)
		find_blobs(mod, m);
}

void ms_symbols_go_free(struct module *m)
{
	if (!m->gotab)
		return;
	free(m->gotab->f);
	free(m->gotab->cu);
	free((void *)m->gotab->typelinks);
	free(m->gotab);
	m->gotab = NULL;
}

/* The function of a stripped Go binary holding ADDR, from .gopclntab, or NULL. */
static const char *pcln_func(const struct ms_gotab *t, uint64_t addr, uint64_t *entry)
{
	size_t lo = 0, hi = t->n;
	const struct go_func *f;

	if (!t->n || addr < t->f[0].entry || addr >= t->text_end)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->f[mid].entry <= addr)
			lo = mid;
		else
			hi = mid;
	}
	f = &t->f[lo];
	if (f->name >= t->names_len || !memchr(t->names + f->name, 0, t->names_len - f->name))
		return NULL;
	*entry = f->entry;
	return t->names + f->name;
}

static uint64_t uvarint(const unsigned char *p, size_t avail, size_t *used)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < avail && i < 10; i++) {
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*used = i + 1;
			return v;
		}
	}
	*used = 0;
	return 0;
}

/* The runtime name of the type descriptor at OFF of DATA (at ADDR), or false. */
static bool type_name(const struct module *m, const Elf_Data *data, uint64_t off, uint64_t addr,
		      char *text, size_t textlen)
{
	const unsigned char *d = data->d_buf, *p;
	uint64_t noff, len;
	int32_t str;
	size_t used, i;
	unsigned kind;

	if (!d || off + GO_TYPE_SIZE > data->d_size || addr + GO_TYPE_SIZE > m->go_types_end)
		return false;
	kind = d[off + GO_TYPE_KIND] & GO_KIND_MASK;
	if (kind == 0 || kind > GO_KIND_MAX)
		return false;
	memcpy(&str, d + off + GO_TYPE_STR, 4);
	/* The name, in the same blob: nameOff counts from its start. */
	if (str <= 0 || m->go_types + (uint64_t)str >= m->go_types_end)
		return false;
	noff = off - (addr - m->go_types) + (uint64_t)str;
	if (noff + 2 > data->d_size)
		return false;
	len = uvarint(d + noff + 1, data->d_size - noff - 1, &used);
	if (!used || len == 0 || len > GO_NAME_MAX || noff + 1 + used + len > data->d_size)
		return false;
	p = d + noff + 1 + used;
	for (i = 0; i < len; i++)
		if (!isprint(p[i]))
			return false;
	if (d[off + GO_TYPE_TFLAG] & GO_TFLAG_EXTRA_STAR && len > 1 && *p == '*') {
		p++;
		len--;
	}
	snprintf(text, textlen, "type.%.*s", (int)len, (const char *)p);
	return true;
}

bool ms_symbols_go_entry(const struct module *m, uint64_t addr)
{
	uint64_t entry;

	/* No table read (older than Go 1.18): nothing says it is not one. */
	if (!m->gotab || !m->gotab->n)
		return true;
	return pcln_func(m->gotab, addr, &entry) && entry == addr;
}

/*
 * A type descriptor in a stripped binary, where types and strings share
 * .rodata: .typelink lists it, or its fields are those of one (ptrdata
 * within size, alignments of 1 to 8).
 */
static bool stripped_type(const struct module *m, const Elf_Data *data, uint64_t off,
			  uint64_t addr)
{
	const unsigned char *d = data->d_buf;
	const struct ms_gotab *t = m->gotab;
	int32_t key = (int32_t)(addr - m->go_types);
	unsigned a, fa;

	if (t->typelinks && bsearch(&key, t->typelinks, t->ntypelinks, 4, cmp_i32))
		return true;
	if (!d || off + GO_TYPE_SIZE > data->d_size)
		return false;
	a = d[off + GO_TYPE_ALIGN];
	fa = d[off + GO_TYPE_FIELD_ALIGN];
	return rd64(d + off + 8) <= rd64(d + off) && a && a <= 8 && !(a & (a - 1)) && fa &&
	       fa <= 8 && !(fa & (fa - 1));
}

/* The Go string at OFF of DATA, LEN bytes long (the word after its pointer), or false. */
static bool go_string(const Elf_Data *data, uint64_t off, uint64_t len, uint64_t blob_left,
		      char *text, size_t textlen)
{
	const unsigned char *p = data->d_buf;
	size_t i, n;

	if (!p || len == 0 || len > blob_left || off + len > data->d_size)
		return false;
	p += off;
	for (i = 0; i < len; i++)
		if (!isprint(p[i]) && p[i] != '\t' && p[i] != '\n')
			return false;
	n = len < textlen - 4 ? (size_t)len : textlen - 4;
	for (i = 0; i < n; i++)
		text[i] = isprint(p[i]) ? (char)p[i] : ' ';
	strcpy(text + n, n < len ? "..." : "");
	return true;
}

/* A func value: the word at OFF of DATA is the address of its function. */
static bool func_value(const struct module *m, const Elf_Data *data, uint64_t off, char *text,
		       size_t textlen)
{
	const char *name;
	uint64_t fn, foff;
	GElf_Sym sym;

	if (!data->d_buf || off + 8 > data->d_size)
		return false;
	memcpy(&fn, (const char *)data->d_buf + off, 8);
	name = ms_symbols_covering((struct module *)m, m->mod, fn, &foff, &sym);
	if (!name || foff != 0 || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
		return false;
	snprintf(text, textlen, "func value %s", name);
	return true;
}

/*
 * A stripped Go binary: functions from .gopclntab, type descriptors in
 * .rodata, func values (a word holding a function's entry) and string
 * literals (the next word its length).
 */
static bool stripped_classify(struct ms_symbols *s, const struct module *m, uint64_t addr,
			      const Elf_Data *data, uint64_t off, struct ms_sym *y, char *text,
			      size_t textlen)
{
	static const char pcln_note[] =
		"Go binary without a symbol table: named from its .gopclntab and type descriptors";
	const struct ms_gotab *t = m->gotab;
	const char *name;
	uint64_t entry, fn;

	if ((name = pcln_func(t, addr, &entry))) {
		y->kind = MS_SYM_TEXT;
		snprintf(text, textlen, "%s", name);
		y->name = text;
		y->note = pcln_note;
		return true;
	}
	if (!data || !m->go_types || addr < m->go_types || addr >= m->go_types_end)
		return false;
	y->note = pcln_note;
	if (stripped_type(m, data, off, addr) && type_name(m, data, off, addr, text, textlen)) {
		y->kind = MS_SYM_TYPEINFO;
		y->name = text;
		return true;
	}
	if (data->d_buf && off + 8 <= data->d_size) {
		memcpy(&fn, (const char *)data->d_buf + off, 8);
		if ((name = pcln_func(t, fn, &entry)) && entry == fn) {
			snprintf(text, textlen, "func value %s", name);
			y->kind = MS_SYM_RODATA;
			y->name = text;
			return true;
		}
	}
	if (go_string(data, off, s->hint, m->go_types_end - addr, text, textlen)) {
		y->kind = MS_SYM_STRING;
		y->name = text;
		return true;
	}
	s->uncached = true;
	/* Printable bytes with no length after the word: a literal, named as its blob would be. */
	if (data->d_buf && off < data->d_size && isprint(((const unsigned char *)data->d_buf)[off])) {
		y->kind = MS_SYM_RODATA;
		y->name = "go.string.*";
		return true;
	}
	return false;
}

bool ms_symbols_go_classify(struct ms_symbols *s, const struct module *m, uint64_t addr,
			    const Elf_Data *data, uint64_t off, struct ms_sym *y, char *text,
			    size_t textlen)
{
	static const char no_symtab_note[] =
		"Go binary without a symbol table: its type descriptors and strings are shown as module+offset";

	if (!m->go)
		return false;
	if (m->stripped && m->gotab && m->gotab->n)
		return stripped_classify(s, m, addr, data, off, y, text, textlen);
	if (m->stripped) {
		y->note = no_symtab_note;
		return false;
	}
	if (data && m->go_types && addr >= m->go_types && addr < m->go_types_end &&
	    type_name(m, data, off, addr, text, textlen)) {
		y->kind = MS_SYM_TYPEINFO;
		y->name = text;
		return true;
	}
	if (data && m->go_strings && addr >= m->go_strings && addr < m->go_strings_end) {
		if (go_string(data, off, s->hint, m->go_strings_end - addr, text, textlen)) {
			y->kind = MS_SYM_STRING;
			y->name = text;
			return true;
		}
		/* Not a string header here; the next word pointing here may be one. */
		s->uncached = true;
	}
	if (data && m->go_funcs && addr >= m->go_funcs && addr + 8 <= m->go_funcs_end &&
	    func_value(m, data, off, text, textlen)) {
		y->kind = MS_SYM_RODATA;
		y->name = text;
		return true;
	}
	return false;
}
