// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a dump's strings come from: the same string in a module's read-only
 * or initialised data, searched with libelf in the files the symbolizer
 * reported, so "conf" in a leaked block points at the literal it was copied
 * from.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/symbol.h>

#include "internal.h"
#include "symbol-private.h"

#define ORIGIN_MIN 4		/* shorter strings are in every binary */

struct search {
	struct ms_symbols *s;
	const char *text;
	size_t len;
	bool prefix;
	/* the best place so far */
	Dwfl_Module *mod;
	const char *section;
	uint64_t addr;
	bool whole, found;
};

/* Look through one section's bytes; true when a whole match ends the search. */
static bool search_data(struct search *q, Dwfl_Module *mod, const char *secname,
			uint64_t secaddr, const Elf_Data *data)
{
	const char *base = data->d_buf, *p = base, *end = base + data->d_size;
	bool whole;

	while (p < end && (p = memmem(p, (size_t)(end - p), q->text, q->len))) {
		whole = !q->prefix && (p == base || p[-1] == '\0') &&
			p + q->len < end && p[q->len] == '\0';
		if (!q->found || (whole && !q->whole)) {
			q->mod = mod;
			q->section = secname;
			q->addr = secaddr + (uint64_t)(p - base);
			q->whole = whole;
			q->found = true;
		}
		if (whole || q->prefix)
			return true;
		p++;
	}
	return false;
}

static int search_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			 void *arg)
{
	struct search *q = arg;
	Dwarf_Addr bias;
	Elf_Scn *scn = NULL;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	struct module *m = ms_symbols_module(q->s, mod);
	size_t shstrndx;
	GElf_Shdr sh;

	(void)userdata;
	(void)name;
	(void)start;
	/* A replaced file's data is not what the process had. */
	if (!elf || !m || m->replaced || elf_getshdrstrndx(elf, &shstrndx) < 0)
		return DWARF_CB_OK;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		const char *secname;

		/* Loaded data only: not code, not .bss, not the symbol names. */
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || (sh.sh_flags & SHF_EXECINSTR) ||
		    !(data = elf_getdata(scn, NULL)) || !data->d_buf || data->d_size < q->len)
			continue;
		secname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (search_data(q, mod, secname ? secname : "?", sh.sh_addr + bias, data))
			return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

int ms_symbols_find_string(struct ms_ctx *ctx, struct ms_symbols *s, const char *text,
			   bool prefix, const struct ms_sym_origin **out)
{
	struct search q = { .s = s, .text = text, .len = strlen(text), .prefix = prefix };
	struct ms_sym_origin *o, *n;
	const char *modname, *mainfile = NULL, *sym;
	uint64_t off;
	GElf_Sym es;

	if (q.len < ORIGIN_MIN)
		return -ENOENT;
	dwfl_getmodules(s->dwfl, search_module, &q, 0);
	if (!q.found)
		return -ENOENT;
	n = realloc(s->origins, (s->norigins + 1) * sizeof(*n));
	if (!n)
		return ms_err(ctx, -ENOMEM, "out of memory");
	s->origins = n;
	modname = dwfl_module_info(q.mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	sym = ms_symbols_covering(ms_symbols_module(s, q.mod), q.mod, q.addr, &off, &es);
	o = &s->origins[s->norigins];
	*o = (struct ms_sym_origin){ .addr = q.addr, .whole = q.whole };
	o->text = strdup(text);
	o->module = strdup(mainfile ? mainfile : modname ? modname : "?");
	o->section = strdup(q.section);
	o->symbol = sym && *sym ? strdup(sym) : NULL;
	if (!o->text || !o->module || !o->section || (sym && *sym && !o->symbol)) {
		free((char *)o->text);
		free((char *)o->module);
		free((char *)o->section);
		free((char *)o->symbol);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	s->norigins++;
	*out = o;
	return 0;
}

size_t ms_symbols_origin_count(const struct ms_symbols *s)
{
	return s->norigins;
}

const struct ms_sym_origin *ms_symbols_origin(const struct ms_symbols *s, size_t i)
{
	return i < s->norigins ? &s->origins[i] : NULL;
}

void ms_symbols_origins_free(struct ms_symbols *s)
{
	size_t i;

	for (i = 0; i < s->norigins; i++) {
		free((char *)s->origins[i].text);
		free((char *)s->origins[i].module);
		free((char *)s->origins[i].section);
		free((char *)s->origins[i].symbol);
	}
	free(s->origins);
	s->origins = NULL;
	s->norigins = 0;
}
