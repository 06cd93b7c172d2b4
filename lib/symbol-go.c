// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Go binaries.  Go's linker puts all type descriptors in one blob after the
 * symbol "type.*" (Go 1.20: "type:*") and all string literals, back to back
 * without NULs, after "go.string.*" ("go:string.*"), each blob one symbol of
 * size 0.  So a pointer into the type blob is named by decoding the
 * runtime._type it points at, and a pointer into the string blob by the
 * length word a Go string header keeps after it.  A func value points into
 * "go.func.*" at a word holding the function's address.  Without a symbol table
 * (go build -ldflags=-s) the blobs cannot be found: module+offset, and a note.
 */
#include <ctype.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "symbol-private.h"

/* runtime._type, Go 1.14 to 1.20, 64-bit: the fields read here. */
#define GO_TYPE_SIZE 48
#define GO_TYPE_TFLAG 20
#define GO_TYPE_KIND 23
#define GO_TYPE_STR 40		/* nameOff: int32 from the type blob's start */
#define GO_TFLAG_EXTRA_STAR 2	/* the name has a '*' that is not part of it */
#define GO_KIND_MASK 31
#define GO_KIND_MAX 26		/* kindUnsafePointer */
#define GO_NAME_MAX 1024

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
	if (m->go)
		find_blobs(mod, m);
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

bool ms_symbols_go_classify(struct ms_symbols *s, const struct module *m, uint64_t addr,
			    const Elf_Data *data, uint64_t off, struct ms_sym *y, char *text,
			    size_t textlen)
{
	static const char no_symtab_note[] =
		"Go binary without a symbol table: its type descriptors and strings are shown as module+offset";

	if (!m->go)
		return false;
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
