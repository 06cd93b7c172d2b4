// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The global a root word is in, from the module's ELF symbol table: the
 * symbolizer names a module's file-backed data, but a module's bss past
 * its file is anonymous memory to it, and that is where most globals are
 * (Go's main.requests among them).  Where the module has DWARF, a
 * global's declaration (file:line) comes from it too.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "refs-private.h"

void ms_refs_elf_close(struct ms_refs_elf *c)
{
	if (c->dw)
		dwarf_end(c->dw);
	c->dw = NULL;
	c->nodwarf = false;
	if (c->e)
		elf_end(c->e);
	if (c->fd >= 0)
		close(c->fd);
	c->e = NULL;
	c->fd = -1;
	c->path[0] = '\0';
}

static bool open_module(struct ms_refs_elf *c, const char *path)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;

	if (c->path[0] && !strcmp(c->path, path))
		return c->symtab != NULL;
	ms_refs_elf_close(c);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->symtab = NULL;
	elf_version(EV_CURRENT);
	if ((c->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (!(c->e = elf_begin(c->fd, ELF_C_READ_MMAP, NULL)) || !gelf_getehdr(c->e, &eh))
		return false;
	c->exec = eh.e_type == ET_EXEC;
	while ((scn = elf_nextscn(c->e, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB && sh.sh_entsize) {
			c->symtab = elf_getdata(scn, NULL);
			c->strndx = sh.sh_link;
			c->nsyms = sh.sh_size / sh.sh_entsize;
			break;
		}
	}
	return c->symtab != NULL;
}

bool ms_refs_elf_symbol(struct ms_refs_elf *c, const char *path, uint64_t base, uint64_t addr,
			const char **name, uint64_t *start)
{
	uint64_t a;
	size_t i;

	if (!open_module(c, path))
		return false;
	/* A shared object or PIE is loaded at BASE; an executable where it says. */
	a = c->exec ? addr : addr - base;
	for (i = 0; i < c->nsyms; i++) {
		GElf_Sym s;

		if (!gelf_getsym(c->symtab, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_OBJECT ||
		    a < s.st_value || a - s.st_value >= (s.st_size ? s.st_size : 8))
			continue;
		*name = elf_strptr(c->e, c->strndx, s.st_name);
		*start = s.st_value + (c->exec ? 0 : base);
		return *name != NULL;
	}
	return false;
}

/* The top-level variable NAME in the CUs of DW, or false. */
static bool find_var(Dwarf *dw, const char *name, const char **file, int *line)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *n;

				if (dwarf_tag(&die) != DW_TAG_variable || !(n = dwarf_diename(&die)) ||
				    strcmp(n, name))
					continue;
				if ((*file = dwarf_decl_file(&die)) && dwarf_decl_line(&die, line) == 0)
					return true;
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return false;
}

bool ms_refs_elf_decl(struct ms_refs_elf *c, const char *path, const char *name,
		      const char **file, int *line)
{
	open_module(c, path);
	if (!c->e || c->nodwarf)
		return false;
	if (!c->dw && !(c->dw = dwarf_begin_elf(c->e, DWARF_C_READ, NULL))) {
		c->nodwarf = true;
		return false;
	}
	return find_var(c->dw, name, file, line);
}
