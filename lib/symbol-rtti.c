// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stripped C++ vtables named by their RTTI (Itanium C++ ABI, 2.5 and
 * 2.9.5): the word before a vtable's address point is its typeinfo, whose
 * second word points at the mangled class name ("N6ledger5EntryE"), kept in
 * .rodata by strip.  The words are read from the live process when there
 * is one, else from the module's file with its dynamic relocations applied
 * (a PIE's .data.rel.ro holds zeros until ld.so relocates it).  Every step
 * is checked, so a data pointer that merely looks like one is not named:
 * offset-to-top is 0 or a small negative, the typeinfo lies in a module
 * and is itself an object whose vtable is the C++ runtime's, and the name
 * demangles.
 */
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/maps.h>
#include <memsift/memread.h>
#include <memsift/symbol.h>

#include "internal.h"
#include "symbol-private.h"

#define NAME_MAX_LEN 256	/* longest mangled class name read */
#define OTT_MIN (-((int64_t)1 << 24))	/* offset-to-top of a secondary vtable, at most this far */

/* What a word of a module holds: a value, or a symbol of another module not yet bound. */
struct word {
	uint64_t val;
	const char *sym;	/* an undefined symbol its relocation names, or NULL */
};

static int rel_cmp(const void *a, const void *b)
{
	const struct ms_reloc *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Read ELF's allocated SHT_RELA sections (.rela.dyn, .rela.plt) into M, once. */
static void read_relocs(struct module *m, Elf *elf)
{
	Elf_Scn *scn = NULL, *symscn;
	GElf_Shdr sh, symsh;
	Elf_Data *d, *symd;
	struct ms_reloc *r;
	GElf_Rela ra;
	GElf_Sym sym;
	size_t i, n;

	m->rel_read = true;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !(sh.sh_flags & SHF_ALLOC) ||
		    !(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
			continue;
		symscn = elf_getscn(elf, sh.sh_link);
		symd = symscn && gelf_getshdr(symscn, &symsh) ? elf_getdata(symscn, NULL) : NULL;
		n = sh.sh_size / sh.sh_entsize;
		r = realloc(m->rel, (m->nrel + n) * sizeof(*r));
		if (!r)
			return;
		m->rel = r;
		for (i = 0; i < n && gelf_getrela(d, (int)i, &ra); i++) {
			struct ms_reloc *x = &m->rel[m->nrel++];

			*x = (struct ms_reloc){ .off = ra.r_offset, .addend = ra.r_addend,
						.type = GELF_R_TYPE(ra.r_info) };
			if (GELF_R_SYM(ra.r_info) && symd &&
			    gelf_getsym(symd, (int)GELF_R_SYM(ra.r_info), &sym)) {
				x->sym = elf_strptr(elf, symsh.sh_link, sym.st_name);
				x->symval = sym.st_shndx != SHN_UNDEF ? sym.st_value : 0;
			}
		}
	}
	if (m->nrel)
		qsort(m->rel, m->nrel, sizeof(*m->rel), rel_cmp);
}

static const struct ms_reloc *reloc_at(const struct module *m, uint64_t off)
{
	struct ms_reloc key = { .off = off };

	return m->nrel ? bsearch(&key, m->rel, m->nrel, sizeof(key), rel_cmp) : NULL;
}

enum reloc_kind { RELOC_OTHER, RELOC_RELATIVE, RELOC_SYMBOL };

/* What a relocation of TYPE stores in a 64-bit word: the numbers are each machine's. */
static enum reloc_kind reloc_kind(Elf *elf, uint32_t type)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return RELOC_OTHER;
	switch (eh.e_machine) {
	case EM_X86_64:
		return type == R_X86_64_RELATIVE ? RELOC_RELATIVE :
		       type == R_X86_64_64 || type == R_X86_64_GLOB_DAT ? RELOC_SYMBOL : RELOC_OTHER;
	case EM_AARCH64:
		return type == R_AARCH64_RELATIVE ? RELOC_RELATIVE :
		       type == R_AARCH64_ABS64 || type == R_AARCH64_GLOB_DAT ? RELOC_SYMBOL :
									      RELOC_OTHER;
	default:
		return RELOC_OTHER;
	}
}

/* The word at ADDR of module MOD, from its file as ld.so would relocate it. */
static bool file_word(struct ms_symbols *s, Dwfl_Module *mod, uint64_t addr, struct word *w)
{
	struct module *m = ms_symbols_module(s, mod);
	const struct ms_reloc *r;
	Dwarf_Addr a = addr, bias;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *d;
	Elf *elf;

	if (!m || !(elf = dwfl_module_getelf(mod, &bias)))
		return false;
	if (!m->rel_read)
		read_relocs(m, elf);
	*w = (struct word){ 0 };
	if ((r = reloc_at(m, addr - bias))) {
		switch (reloc_kind(elf, r->type)) {
		case RELOC_RELATIVE:
			w->val = bias + (uint64_t)r->addend;
			return true;
		case RELOC_SYMBOL:
			if (r->symval) {
				w->val = bias + r->symval + (uint64_t)r->addend;
				return true;
			}
			w->sym = r->sym;
			return r->sym != NULL;
		default:
			return false;
		}
	}
	scn = dwfl_module_address_section(mod, &a, &bias);
	if (!scn || !gelf_getshdr(scn, &sh))
		return false;
	if (sh.sh_type == SHT_NOBITS)
		return true;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || a + 8 > d->d_size)
		return false;
	memcpy(&w->val, (const char *)d->d_buf + a, 8);
	/* A PIE's pointers all have relocations: an unrelocated word is a number. */
	return true;
}

/*
 * LEN bytes at ADDR of the live process, if there is one and it lets us:
 * once refused (or gone), it is not asked again.
 */
static bool peek(struct ms_symbols *s, uint64_t addr, void *buf, size_t len)
{
	int rc;

	if (!s->pid || s->mem_refused)
		return false;
	rc = ms_memread_peek(NULL, s->pid, addr, buf, len);
	if (rc == -EPERM || rc == -ESRCH)
		s->mem_refused = true;
	return rc == 0;
}

/* The word at ADDR: from the process when live, else from the file of its module. */
static bool word_at(struct ms_symbols *s, uint64_t addr, struct word *w)
{
	Dwfl_Module *mod;

	*w = (struct word){ 0 };
	/* Yama may let us read the maps but not the memory: the file then. */
	if (peek(s, addr, &w->val, 8))
		return true;
	mod = dwfl_addrmodule(s->dwfl, addr);
	return mod && file_word(s, mod, addr, w);
}

/* True when ADDR is in a mapping of an ELF file. */
static bool in_module(const struct ms_symbols *s, uint64_t addr)
{
	const struct ms_mapping *m = addr >= s->lo && addr < s->hi ? ms_maps_find(s->maps, addr) : NULL;

	return m && ms_mapping_kind(m) == MS_MAPPING_FILE;
}

/* The NUL-terminated string at ADDR into BUF, from the process or the module's file. */
static bool string_at(struct ms_symbols *s, uint64_t addr, char *buf, size_t len)
{
	Dwarf_Addr a = addr, bias;
	const struct ms_mapping *m;
	Dwfl_Module *mod;
	Elf_Scn *scn;
	Elf_Data *d;
	size_t n;

	m = s->pid ? ms_maps_find(s->maps, addr) : NULL;
	n = len - 1;
	if (m && ms_mapping_end(m) - addr < n)
		n = (size_t)(ms_mapping_end(m) - addr);
	if (!m || !peek(s, addr, buf, n)) {
		mod = dwfl_addrmodule(s->dwfl, addr);
		scn = mod ? dwfl_module_address_section(mod, &a, &bias) : NULL;
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d || !d->d_buf || a >= d->d_size)
			return false;
		n = d->d_size - a < len - 1 ? d->d_size - a : len - 1;
		memcpy(buf, (const char *)d->d_buf + a, n);
	}
	buf[n] = '\0';
	return memchr(buf, '\0', n) != NULL;
}

/* A mangled class name: "N6ledger5EntryE", "5Entry", templates; '*' marks internal linkage. */
static const char *class_name(char *name)
{
	const char *p = name[0] == '*' ? name + 1 : name;
	size_t i;

	if (!*p || !(isdigit((unsigned char)*p) || *p == 'N' || *p == 'S'))
		return NULL;
	for (i = 0; p[i]; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_')
			return NULL;
	return p;
}

bool ms_symbols_rtti_vtable(struct ms_symbols *s, uint64_t addr, char *text, size_t textlen)
{
	char name[NAME_MAX_LEN], mangled[NAME_MAX_LEN + 8], *dem;
	struct word ott, ti, tivt, tiname;
	const char *cls;

	if (addr % 8 || addr < 16 || !word_at(s, addr - 16, &ott) || ott.sym ||
	    (int64_t)ott.val > 0 || (int64_t)ott.val < OTT_MIN || !word_at(s, addr - 8, &ti) ||
	    ti.sym || !in_module(s, ti.val) || ti.val % 8)
		return false;
	/* The typeinfo's own vtable: the C++ runtime's __class_type_info (or kin). */
	if (!word_at(s, ti.val, &tivt) ||
	    !(tivt.sym ? !strncmp(tivt.sym, "_ZTVN10__cxxabiv1", 17) : in_module(s, tivt.val)))
		return false;
	if (!word_at(s, ti.val + 8, &tiname) || tiname.sym || !in_module(s, tiname.val) ||
	    !string_at(s, tiname.val, name, sizeof(name)) || !(cls = class_name(name)))
		return false;
	snprintf(mangled, sizeof(mangled), "_ZTV%s", cls);
	if (ms_sym_demangle_type(mangled, text, textlen))
		return true;
	/* Templates and substitutions: libstdc++'s demangler, which checks the whole grammar. */
	dem = ms_symbols_demangle(mangled);
	if (!dem || !strncmp(dem, "_ZTV", 4) || strlen(dem) >= textlen) {
		free(dem);
		return false;
	}
	memcpy(text, dem, strlen(dem) + 1);
	free(dem);
	return true;
}
