// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inline frames: one instruction of -O2 code often belongs to several
 * functions at once, inlined one into the next.  The debug info records
 * each inlined call as a DW_TAG_inlined_subroutine nested in its caller,
 * with the call's file and line; the chain of those holding a pc gives one
 * logical frame each, as elfutils' `eu-addr2line -i` and perf's
 * util/srcline.c find them.  See ms_symbols_lookup_inline().
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>

#include <memsift/symbol.h>

#include "internal.h"
#include "symbol-private.h"

/*
 * A function's name as the symbol table has it, when the debug info says
 * (the linkage name, on the abstract origin or the declaration it
 * specifies), else its plain DW_AT_name; demangled, new; NULL when out of
 * memory.
 */
static char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute at;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &at));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at));
	if (!name)
		name = dwarf_diename(die);
	return ms_symbols_demangle(name ? name : "??");
}

/* Where inlined call DIE is made: its DW_AT_call_file and _line, in FILES. */
static const char *call_site(struct ms_symbols *s, Dwfl_Module *mod, uint64_t pc,
			     Dwarf_Die *die, Dwarf_Files *files, int *line)
{
	Dwarf_Attribute at;
	Dwarf_Word v;
	const char *file = NULL;

	*line = 0;
	if (files && dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &at), &v) == 0)
		file = dwarf_filesrc(files, v, NULL, NULL);
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &at), &v) == 0)
		*line = (int)v;
	if (file && file[0] != '/')
		file = ms_symbols_source_path(s, mod, pc, file);
	return file;
}

/* The line table's file and line of PC, or NULL. */
static const char *line_at(struct ms_symbols *s, Dwfl_Module *mod, uint64_t pc, int *line)
{
	Dwfl_Line *l = dwfl_module_getsrc(mod, pc);
	const char *file = l ? dwfl_lineinfo(l, NULL, line, NULL, NULL, NULL) : NULL;

	if (file && file[0] != '/')
		file = ms_symbols_source_path(s, mod, pc, file);
	return file;
}

/* Intern Y among S's targets and copy it to *OUT, at PC. */
static int keep(struct ms_ctx *ctx, struct ms_symbols *s, const struct ms_sym *y, uint64_t pc,
		struct ms_sym *out)
{
	size_t idx;
	int rc = ms_symbols_target_get(ctx, s, y, &idx);

	if (rc < 0)
		return rc;
	*out = s->t[idx].c.sym;
	out->addr = pc;
	return 0;
}

/*
 * The frames of the NIN inlined calls INL (innermost first, DIEs of CU)
 * and of PHYS, the function holding them, into OUT.
 */
static int expand(struct ms_ctx *ctx, struct ms_symbols *s, Dwfl_Module *mod, uint64_t pc,
		  Dwarf_Die *cu, Dwarf_Die **inl, size_t nin, const struct ms_sym *phys,
		  struct ms_sym *out)
{
	Dwarf_Files *files = NULL;
	struct ms_sym y = *phys;
	size_t i;
	int rc = 0;

	if (dwarf_getsrcfiles(cu, &files, NULL) != 0)
		files = NULL;
	/*
	 * The innermost frame has PC's own line, the line table's: PHYS may
	 * have its function's declaration instead (a pc at its entry).
	 */
	y.file = line_at(s, mod, pc, &y.line);
	for (i = 0; i <= nin && rc == 0; i++) {
		char *name = i < nin ? die_name(inl[i]) : NULL;

		if (i < nin && !name)
			return ms_err(ctx, -ENOMEM, "out of memory");
		y.name = i < nin ? name : phys->name;
		if (!y.file)
			y.line = 0;
		rc = keep(ctx, s, &y, pc, &out[i]);
		free(name);
		/* Its caller's line is the call's. */
		if (i < nin)
			y.file = call_site(s, mod, pc, inl[i], files, &y.line);
	}
	return rc;
}

/* The DIEs holding the code at ADDR (less the bias) in CU, innermost first; 0 none. */
static int concrete_scopes(Dwarf_Die *cu, uint64_t addr, Dwarf_Die **chain)
{
	Dwarf_Die *scopes = NULL, inner;
	int n;

	*chain = NULL;
	n = dwarf_getscopes(cu, addr, &scopes);
	if (n <= 0) {
		free(scopes);
		return 0;
	}
	/*
	 * dwarf_getscopes() goes on from an inlined instance into its
	 * abstract definition's scopes (a namespace, not the caller): the
	 * callers are the concrete DIE's parents.
	 */
	inner = scopes[0];
	free(scopes);
	n = dwarf_getscopes_die(&inner, chain);
	return n > 0 ? n : 0;
}

int ms_symbols_lookup_inline(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t pc,
			     struct ms_sym *out, size_t max, size_t *n)
{
	Dwarf_Die *chain = NULL, *inl[64], *cu;
	const struct ms_sym *y;
	struct module *mi;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	struct ms_sym phys;
	size_t nin = 0;
	int i, nch, rc;

	*n = 0;
	rc = ms_symbols_lookup_code(ctx, s, pc, &y);
	if (rc < 0 || !y || !max)
		return rc;
	phys = *y;
	out[0] = phys;
	*n = 1;
	mod = phys.kind == MS_SYM_TEXT && phys.module ? dwfl_addrmodule(s->dwfl, pc) : NULL;
	if (!mod)
		return 0;
	mi = ms_symbols_module(s, mod);
	if (!mi)
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (mi->replaced || mi->stripped || !(cu = dwfl_module_addrdie(mod, pc, &bias)))
		return 0;
	nch = concrete_scopes(cu, pc - bias, &chain);
	for (i = 0; i < nch; i++) {
		int tag = dwarf_tag(&chain[i]);

		if (tag == DW_TAG_subprogram || tag == DW_TAG_entry_point)
			break;
		if (tag == DW_TAG_inlined_subroutine && nin++ < MS_ARRAY_SIZE(inl))
			inl[nin - 1] = &chain[i];
	}
	if (nin && nin < max && nin <= MS_ARRAY_SIZE(inl) && i < nch) {
		rc = expand(ctx, s, mod, pc, cu, inl, nin, &phys, out);
		if (rc == 0)
			*n = nin + 1;
	}
	free(chain);
	return rc;
}
