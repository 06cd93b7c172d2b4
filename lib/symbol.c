// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pointers to symbols with libdwfl.  The address space is reported from maps
 * text, so a saved manifest and a live process share one path; each module's
 * ELF file is opened by path, its debug info found by libdwfl's standard
 * search.  Lookups are cached per address, and memory of no module is
 * counted per mapping without one.
 */
#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <libiberty/demangle.h>
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/maps.h>
#include <memsift/procfs.h>
#include <memsift/symbol.h>

#include "internal.h"
#include "hash.h"
#include "symbol-private.h"
#include "util.h"

#define STRING_MAX 80		/* longest string literal text kept */
#define STRING_MIN 4		/* shorter printable runs are not called strings */
#define GO_ARENA_START 0xc000000000ULL
#define GO_ARENA_END 0xc100000000ULL

static const char *const kind_names[MS_SYM_NKINDS] = {
	[MS_SYM_TEXT] = "text", [MS_SYM_VTABLE] = "vtable", [MS_SYM_TYPEINFO] = "typeinfo",
	[MS_SYM_STRING] = "string", [MS_SYM_RODATA] = "rodata", [MS_SYM_DATA] = "data",
	[MS_SYM_BSS] = "bss", [MS_SYM_HEAP] = "heap", [MS_SYM_STACK] = "stack",
	[MS_SYM_ANON] = "anon", [MS_SYM_MAPPING] = "mapping",
};

const char *ms_sym_kind_str(enum ms_sym_kind kind)
{
	return kind > 0 && kind < MS_SYM_NKINDS ? kind_names[kind] : "?";
}

/* The demangler's state: input at P, output at O, short of END. */
struct dm {
	const char *p;
	char *o, *end;
	int depth;
};

static bool dm_put(struct dm *d, const char *s, size_t n)
{
	if (n >= (size_t)(d->end - d->o))
		return false;
	memcpy(d->o, s, n);
	d->o += n;
	return true;
}

/* <source-name>: a length, then that many characters. */
static bool dm_source(struct dm *d)
{
	static const char anon[] = "(anonymous namespace)";
	unsigned long n;
	char *e;

	if (!isdigit((unsigned char)*d->p))
		return false;
	n = strtoul(d->p, &e, 10);
	if (!n || strnlen(e, n) < n)
		return false;
	d->p = e + n;
	/* GCC's name for an anonymous namespace; c++filt says it so. */
	if (n >= 10 && !strncmp(e, "_GLOBAL__N", 10))
		return dm_put(d, anon, sizeof(anon) - 1);
	return dm_put(d, e, n);
}

static bool dm_name(struct dm *d);

/*
 * A template argument: a builtin type, a pointer to or const one, or a
 * class named as a <name>.  Substitutions (S_, Sa...) and literals are
 * refused: they need the whole grammar.
 */
static bool dm_type(struct dm *d)
{
	static const char *const builtin[26] = {
		['a' - 'a'] = "signed char", ['b' - 'a'] = "bool", ['c' - 'a'] = "char",
		['d' - 'a'] = "double", ['e' - 'a'] = "long double", ['f' - 'a'] = "float",
		['h' - 'a'] = "unsigned char", ['i' - 'a'] = "int", ['j' - 'a'] = "unsigned int",
		['l' - 'a'] = "long", ['m' - 'a'] = "unsigned long", ['n' - 'a'] = "__int128",
		['o' - 'a'] = "unsigned __int128", ['s' - 'a'] = "short",
		['t' - 'a'] = "unsigned short", ['v' - 'a'] = "void", ['w' - 'a'] = "wchar_t",
		['x' - 'a'] = "long long", ['y' - 'a'] = "unsigned long long",
	};
	char c = *d->p;

	if (c >= 'a' && c <= 'z' && builtin[c - 'a']) {
		d->p++;
		return dm_put(d, builtin[c - 'a'], strlen(builtin[c - 'a']));
	}
	if (c == 'P' || c == 'K') {
		d->p++;
		return dm_type(d) && (c == 'P' ? dm_put(d, "*", 1) : dm_put(d, " const", 6));
	}
	return dm_name(d);
}

/* <template-args> at 'I': "<A, B>", with a space between two closing '>' as c++filt. */
static bool dm_args(struct dm *d)
{
	bool first = true;

	if (++d->depth > 8 || !dm_put(d, "<", 1))
		return false;
	for (d->p++; *d->p != 'E'; first = false)
		if (!*d->p || (!first && !dm_put(d, ", ", 2)) || !dm_type(d))
			return false;
	d->p++;
	d->depth--;
	return d->o[-1] == '>' ? dm_put(d, " >", 2) : dm_put(d, ">", 1);
}

/* <name>: N [St] <source-name> [I...E] ... E, or [St] <source-name> [I...E]. */
static bool dm_name(struct dm *d)
{
	bool nested = *d->p == 'N';

	if (nested)
		d->p++;
	if (!strncmp(d->p, "St", 2)) {
		d->p += 2;
		if (!dm_put(d, "std::", 5))
			return false;
	}
	for (;;) {
		if (!dm_source(d) || (*d->p == 'I' && !dm_args(d)))
			return false;
		if (!nested)
			return true;
		if (*d->p == 'E') {
			d->p++;
			return true;
		}
		if (!dm_put(d, "::", 2))
			return false;
	}
}

char *ms_sym_demangle_type(const char *m, char *buf, size_t len)
{
	static const struct { const char *pre, *say; } kinds[] = {
		{ "_ZTV", "vtable for " }, { "_ZTI", "typeinfo for " },
		{ "_ZTS", "typeinfo name for " },
	};
	struct dm d = { .o = buf, .end = buf + len };
	size_t i;

	for (i = 0; i < MS_ARRAY_SIZE(kinds); i++)
		if (!strncmp(m, kinds[i].pre, 4))
			break;
	if (i == MS_ARRAY_SIZE(kinds) || len < 2)
		return NULL;
	d.p = m + 4;
	if (!dm_put(&d, kinds[i].say, strlen(kinds[i].say)) || !dm_name(&d))
		return NULL;
	if (*d.p)	/* substitutions, local names...: not ours to guess */
		return NULL;
	*d.o = '\0';
	return buf;
}

/*
 * Any other C++ name, and Rust's (legacy _ZN...17h<hash>E and v0 _R...):
 * libiberty's demangler, the one binutils and gdb use, with c++filt's
 * options, so a name reads here as c++filt prints it.
 */
char *ms_symbols_demangle(const char *name)
{
	char buf[512], *r;

	if (strncmp(name, "_Z", 2) && strncmp(name, "_R", 2))
		return strdup(name);
	if (ms_sym_demangle_type(name, buf, sizeof(buf)))
		return strdup(buf);
	r = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_VERBOSE | DMGL_AUTO);
	return r ? r : strdup(name);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static uint64_t sym_hash(const struct ms_sym *y)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)y->kind;

	h = hash_str(h, y->name);
	h = hash_str(h, y->module);
	h = hash_str(h, y->file);
	return ms_hash64(h ^ (uint64_t)y->line);
}

static bool streq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool sym_eq(const struct ms_sym *a, const struct ms_sym *b)
{
	return a->kind == b->kind && a->line == b->line && streq(a->name, b->name) &&
	       streq(a->module, b->module) && streq(a->file, b->file);
}

static int tslot_grow(struct ms_ctx *ctx, struct ms_symbols *s)
{
	size_t cap = s->tcap ? s->tcap * 2 : 256, i, j;
	uint32_t *n = calloc(cap, sizeof(*n));

	if (!n)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < s->nt; i++) {
		for (j = sym_hash(&s->t[i].c.sym) & (cap - 1); n[j]; j = (j + 1) & (cap - 1))
			;
		n[j] = (uint32_t)i + 1;
	}
	free(s->tslot);
	s->tslot = n;
	s->tcap = cap;
	return 0;
}

static char *dup_or_null(const char *p, bool *oom)
{
	char *d;

	if (!p)
		return NULL;
	d = strdup(p);
	if (!d)
		*oom = true;
	return d;
}

int ms_symbols_target_get(struct ms_ctx *ctx, struct ms_symbols *s, const struct ms_sym *y,
			  size_t *idx)
{
	struct target *t;
	bool oom = false;
	size_t j;
	int rc;

	if (s->nt * 2 >= s->tcap && (rc = tslot_grow(ctx, s)) < 0)
		return rc;
	for (j = sym_hash(y) & (s->tcap - 1); s->tslot[j]; j = (j + 1) & (s->tcap - 1))
		if (sym_eq(&s->t[s->tslot[j] - 1].c.sym, y)) {
			*idx = s->tslot[j] - 1;
			return 0;
		}
	if (MS_GROW(s->t, s->capt, s->nt + 1, 64) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	t = &s->t[s->nt];
	*t = (struct target){ .c.sym = *y, .order = s->nt };
	t->c.sym.name = dup_or_null(y->name, &oom);
	t->c.sym.module = dup_or_null(y->module, &oom);
	t->c.sym.file = dup_or_null(y->file, &oom);
	t->c.sym.note = y->note;	/* static strings, or S's own module notes */
	if (oom) {
		free((char *)t->c.sym.name);
		free((char *)t->c.sym.module);
		free((char *)t->c.sym.file);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	s->tslot[j] = (uint32_t)s->nt + 1;
	*idx = s->nt++;
	return 0;
}

const char *ms_symbols_expected_bid(const struct ms_symbols *s, const char *path, size_t *len)
{
	size_t nl = path ? strlen(path) : 0;
	const char *p;

	for (p = s->expect_bids; path && p && *p; p = strchr(p, '\n') + 1) {
		if (!strncmp(p, path, nl) && p[nl] == '\t') {
			*len = strcspn(p + nl + 1, "\n");
			return p + nl + 1;
		}
		if (!strchr(p, '\n'))
			break;
	}
	return NULL;
}

/* Whether MOD's file has another build-id than the one recorded for its path. */
static bool build_id_differs(const struct ms_symbols *s, Dwfl_Module *mod)
{
	const char *path = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	const unsigned char *bits;
	const char *want;
	size_t i, wl;
	GElf_Addr vaddr;
	int n;

	if (!(want = ms_symbols_expected_bid(s, path, &wl)))
		return false;
	n = dwfl_module_build_id(mod, &bits, &vaddr);
	if (n <= 0)
		return true;
	if (wl != (size_t)n * 2)
		return true;
	for (i = 0; i < (size_t)n; i++, want += 2)
		if (!isxdigit((unsigned char)want[0]) || !isxdigit((unsigned char)want[1]) ||
		    (unsigned)strtoul((char[]){ want[0], want[1], 0 }, NULL, 16) != bits[i])
			return true;
	return false;
}

int ms_symbols_expect_build_ids(struct ms_ctx *ctx, struct ms_symbols *s, const char *lines)
{
	char *d = lines ? strdup(lines) : NULL;

	if (lines && !d)
		return ms_err(ctx, -ENOMEM, "out of memory");
	free(s->expect_bids);
	s->expect_bids = d;
	return 0;
}

struct module *ms_symbols_module(struct ms_symbols *s, Dwfl_Module *mod)
{
	const struct ms_opened *o;
	struct module *m;
	Dwarf_Addr bias;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *elf;
	size_t i;

	for (i = 0; i < s->nmods; i++)
		if (s->mods[i].mod == mod)
			return &s->mods[i];
	m = realloc(s->mods, (s->nmods + 1) * sizeof(*m));
	if (!m)
		return NULL;
	s->mods = m;
	m = &s->mods[s->nmods++];
	*m = (struct module){ .mod = mod, .stripped = true };
	/* Debug info found (in the file, by build-id or debuglink) brings a .symtab. */
	if (dwfl_module_getdwarf(mod, &bias))
		m->stripped = false;
	elf = dwfl_module_getelf(mod, &bias);
	while (m->stripped && elf && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			m->stripped = false;
	/* Opened for a live process: checked there, against its memory. */
	if ((o = ms_symbols_opened(s, mod))) {
		m->via = o->note;
		m->replaced = o->mismatch;
	} else {
		m->replaced = build_id_differs(s, mod);
	}
	ms_symbols_go_module(mod, m);
	return m;
}

static const char *base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

/* MODULE+0xOFF, MODULE the file's name without the kernel's " (deleted)". */
static void offset_name(const char *module, uint64_t off, char *text, size_t textlen)
{
	static const char deleted[] = " (deleted)";
	const char *b = module ? base_name(module) : "?";
	size_t n = strlen(b);

	if (n > sizeof(deleted) - 1 && !strcmp(b + n - (sizeof(deleted) - 1), deleted))
		n -= sizeof(deleted) - 1;
	snprintf(text, textlen, "%.*s+0x%" PRIx64, (int)n, b, off);
}

/* Go's linker gives a blob of like data one symbol of size 0: "go.string.*". */
static bool go_container(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	return n > 2 && !strcmp(name + n - 2, ".*");
}

static int cmp_symidx(const void *a, const void *b)
{
	const struct ms_symidx *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* At one address: a global, sized symbol last, so a backward search meets it first. */
	if (x->global != y->global)
		return x->global ? 1 : -1;
	if ((x->size != 0) != (y->size != 0))
		return x->size ? 1 : -1;
	return (x->i > y->i) - (x->i < y->i);
}

/* M's symbols sorted by address, once; left empty (and libdwfl asked) when memory runs out. */
static void build_symidx(struct module *m)
{
	int n = dwfl_module_getsymtab(m->mod), i;
	struct ms_symidx *v;
	uint64_t maxend = 0;
	size_t k = 0;

	m->idx_built = true;
	if (n <= 1 || !(v = malloc((size_t)n * sizeof(*v))))
		return;
	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);

		if (!name || !*name || sym.st_shndx == SHN_UNDEF || type == STT_SECTION ||
		    type == STT_FILE || type == STT_TLS)
			continue;
		v[k++] = (struct ms_symidx){ addr, sym.st_size, 0, i,
					     GELF_ST_BIND(sym.st_info) != STB_LOCAL };
	}
	qsort(v, k, sizeof(*v), cmp_symidx);
	for (size_t j = 0; j < k; j++) {
		if (v[j].start + v[j].size > maxend)
			maxend = v[j].start + v[j].size;
		v[j].maxend = maxend;
	}
	m->idx = v;
	m->nidx = k;
}

/* Whether symbol NAME of SIZE at START covers ADDR, as ms_symbols_covering() means it. */
static bool covers(const char *name, uint64_t start, uint64_t size, uint64_t addr)
{
	uint64_t o = addr - start;

	return o < size || (size == 0 && (o == 0 || go_container(name)));
}

const char *ms_symbols_covering(struct module *m, Dwfl_Module *mod, uint64_t addr,
				uint64_t *off, GElf_Sym *sym)
{
	Dwarf_Addr bias;
	GElf_Word shndx;
	GElf_Off o;
	Elf *elf;
	const char *name;
	size_t lo, hi, j;

	if (m && !m->idx_built)
		build_symidx(m);
	if (!m || !m->idx) {
		name = dwfl_module_addrinfo(mod, addr, &o, sym, &shndx, &elf, &bias);
		if (!name || !covers(name, addr - o, sym->st_size, addr))
			return NULL;
		*off = o;
		return name;
	}
	/* The last symbol starting at or below ADDR, then back while one could still reach it. */
	for (lo = 0, hi = m->nidx; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->idx[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j-- > 0;) {
		const struct ms_symidx *e = &m->idx[j];
		GElf_Addr a;

		/* No symbol at or before J ends past ADDR: a size-0 Go blob must start at the nearest. */
		if (e->maxend <= addr && (e->size || j + 1 != lo))
			break;
		name = dwfl_module_getsym_info(mod, e->i, sym, &a, NULL, NULL, NULL);
		if (name && covers(name, e->start, e->size, addr)) {
			*off = addr - e->start;
			return name;
		}
	}
	return NULL;
}

/* The section's kind, or 0 when ADDR is in no section. */
static enum ms_sym_kind section_kind(Dwfl_Module *mod, uint64_t addr, Elf_Data **data,
				     uint64_t *off)
{
	Dwarf_Addr a = addr, bias;
	Elf_Scn *scn = dwfl_module_address_section(mod, &a, &bias);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return 0;
	*data = sh.sh_type == SHT_NOBITS ? NULL : elf_getdata(scn, NULL);
	*off = a;
	if (sh.sh_flags & SHF_EXECINSTR)
		return MS_SYM_TEXT;
	if (sh.sh_type == SHT_NOBITS)
		return MS_SYM_BSS;
	if (sh.sh_flags & SHF_WRITE)
		return MS_SYM_DATA;
	return MS_SYM_RODATA;
}

/* The NUL-terminated printable string at OFF of DATA into BUF, or false. */
static bool string_at(const Elf_Data *data, uint64_t off, char *buf, size_t len)
{
	const unsigned char *p;
	size_t n = 0, i;

	if (!data || !data->d_buf || off >= data->d_size)
		return false;
	p = (const unsigned char *)data->d_buf + off;
	for (i = 0; off + i < data->d_size && p[i]; i++)
		if (!isprint(p[i]) && p[i] != '\t' && p[i] != '\n')
			return false;
	if (off + i == data->d_size || i < STRING_MIN)
		return false;
	for (i = 0; p[i] && n + 4 < len; i++)
		buf[n++] = isprint(p[i]) ? (char)p[i] : ' ';
	if (p[i] && n + 4 <= len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return true;
}

static bool x86_64(Dwfl_Module *mod)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr eh;

	return elf && gelf_getehdr(elf, &eh) && eh.e_machine == EM_X86_64;
}

static bool has_sections(Dwfl_Module *mod)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	size_t n = 0;

	return elf && elf_getshdrnum(elf, &n) == 0 && n > 1;
}

/*
 * ADDR is a PLT entry (16 bytes each): a non-PIE program's address of a
 * library function, as &free, is its PLT entry, which has no symbol.
 */
static bool plt_entry(Dwfl_Module *mod, uint64_t addr)
{
	Dwarf_Addr a = addr, bias;
	Elf_Scn *scn = dwfl_module_address_section(mod, &a, &bias);
	Elf *elf = dwfl_module_getelf(mod, &bias);
	const char *name;
	size_t shstrndx;
	GElf_Shdr sh;

	if (!scn || !elf || !gelf_getshdr(scn, &sh) || elf_getshdrstrndx(elf, &shstrndx) < 0 ||
	    !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
		return false;
	return !strncmp(name, ".plt", 4) && (a & 15) == 0;
}

/*
 * Whether the code at OFF of DATA is right after a call, so ADDR is a return
 * address: "call rel32" (e8 + 4 bytes) or one of "call *" (ff /2) forms,
 * register, memory, RIP-relative, SIB, with or without displacement.  A REX
 * prefix comes before them and changes nothing here.  A direct call must
 * land in LO..HI, its module.  Random bytes pass at about 1 in 2000.
 */
static bool after_call(const unsigned char *p, uint64_t off, uint64_t addr, uint64_t lo,
		       uint64_t hi)
{
	unsigned char m;
	int32_t rel;

	/* A direct call's target is in the module itself (its PLT for another's). */
	if (off >= 5 && p[off - 5] == 0xe8) {
		memcpy(&rel, p + off - 4, 4);
		if (addr + (uint64_t)(int64_t)rel >= lo && addr + (uint64_t)(int64_t)rel < hi)
			return true;
	}
	/* ff, then ModRM with reg = 2: mod/rm decide how many bytes follow. */
	if (off >= 2 && p[off - 2] == 0xff) {
		m = p[off - 1];
		if ((m & 0xf8) == 0xd0)	/* call *%reg */
			return true;
		if ((m & 0xf8) == 0x10 && (m & 7) != 4 && (m & 7) != 5)	/* call *(%reg) */
			return true;
	}
	if (off >= 3 && p[off - 3] == 0xff) {
		m = p[off - 2];
		if ((m & 0xf8) == 0x50 && (m & 7) != 4)	/* call *d8(%reg) */
			return true;
		if (m == 0x14 && (p[off - 1] & 7) != 5)	/* call *(SIB) */
			return true;
	}
	if (off >= 4 && p[off - 4] == 0xff && p[off - 3] == 0x54)	/* call *d8(SIB) */
		return true;
	if (off >= 6 && p[off - 6] == 0xff) {
		m = p[off - 5];
		if (m == 0x15)	/* call *d32(%rip) */
			return true;
		if ((m & 0xf8) == 0x90 && (m & 7) != 4)	/* call *d32(%reg) */
			return true;
	}
	/* call *d32(SIB), and call *d32(,index) with no base */
	if (off >= 7 && p[off - 7] == 0xff &&
	    (p[off - 6] == 0x94 || (p[off - 6] == 0x14 && (p[off - 5] & 7) == 5)))
		return true;
	return false;
}

/*
 * ADDR starts a function that no symbol names (a stripped module): where
 * .eh_frame, which the x86-64 ABI has for every function and strip keeps,
 * starts a row whose CFA is a function entry's.  An epilogue's last row
 * passes too, one a function.
 */
static bool cfi_entry(Dwfl_Module *mod, uint64_t addr)
{
	Dwarf_Addr bias, start = 0, end = 0;
	Dwarf_CFI *cfi = dwfl_module_eh_cfi(mod, &bias);
	Dwarf_Frame *frame = NULL;
	Dwarf_Op *ops = NULL;
	size_t nops = 0;
	bool yes = false;

	/* A row of rules starts here, and its CFA is the entry's: %rsp + 8, the return address. */
	if (cfi && dwarf_cfi_addrframe(cfi, addr - bias, &frame) == 0) {
		yes = dwarf_frame_info(frame, &start, &end, NULL) >= 0 && start + bias == addr &&
		      dwarf_frame_cfa(frame, &ops, &nops) == 0 && nops == 1 &&
		      ((ops[0].atom == DW_OP_bregx && ops[0].number == 7 && ops[0].number2 == 8) ||
		       (ops[0].atom == DW_OP_breg7 && ops[0].number == 8));
		free(frame);
	}
	return yes;
}

/* A string literal starts at OFF of DATA: printable, after a NUL or the section's start. */
static bool string_start(const Elf_Data *data, uint64_t off)
{
	const unsigned char *p = data->d_buf;

	return off < data->d_size && (off == 0 || p[off - 1] == '\0') && isprint(p[off]);
}

/*
 * Whether a word of value ADDR, inside module MOD (mapped by M), can be a
 * pointer, from what is at ADDR: into code only at a function's start (a
 * function pointer) or right after a call (a return address); into read-only
 * data only at an object's start (a vtable or RTTI anywhere in it, a string
 * literal's first byte); into data and bss at a symbol's start or inside a
 * sized object.  Integers that fall in a non-PIE binary's range (text at
 * 0x400000) are thus not taken for code, and bytes inside code are never
 * looked up in DWARF.  What cannot be checked (no section, no file, a Go
 * binary's blobs: symbol-go.c judges those) stays plausible.
 */
static bool plausible(struct ms_symbols *s, Dwfl_Module *mod, const struct ms_mapping *m,
		      uint64_t addr)
{
	struct module *mi = ms_symbols_module(s, mod);
	Elf_Data *data = NULL;
	const char *name;
	uint64_t soff = 0, off = 0;
	enum ms_sym_kind sk;
	GElf_Sym sym;

	if (!mi || mi->replaced || addr == ms_mapping_start(m))
		return true;
	sk = section_kind(mod, addr, &data, &soff);
	/* Between sections lies only padding, if the file has sections at all. */
	if (!sk)
		return !has_sections(mod);
	if (sk != MS_SYM_TEXT && mi->go)
		return true;
	name = ms_symbols_covering(mi, mod, addr, &off, &sym);
	if (name && off == 0)
		return true;
	if (sk == MS_SYM_TEXT) {
		Dwarf_Addr lo = 0, hi = 0;

		/* The call forms and the entry's CFA are x86-64's; elsewhere only symbols tell. */
		if (!x86_64(mod))
			return true;
		if (!data || !data->d_buf || soff > data->d_size)
			return !mi->idx || !mi->nidx;	/* unreadable: only symbols could say */
		dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
		if (after_call(data->d_buf, soff, addr, lo, hi) || plt_entry(mod, addr))
			return true;
		/*
		 * A function's start no symbol names: only its shape can say.  Go
		 * emits no .eh_frame for its own functions; a stripped Go binary's
		 * starts are in .gopclntab (symbol-go.c).
		 */
		if (!name && mi->go && !mi->nidx)
			return ms_symbols_go_entry(mi, addr);
		return !name && cfi_entry(mod, addr);
	}
	/* Vtables are pointed to past their head, and a class's secondary ones further in. */
	if (name && (!strncmp(name, "_ZTV", 4) || !strncmp(name, "_ZTI", 4)))
		return (addr & 7) == 0;
	/* A stripped module's vtables have no symbol: RTTI says (symbol-rtti.c). */
	if (!name && mi->stripped)
		return true;
	if (sk == MS_SYM_DATA || sk == MS_SYM_BSS)
		return name && sym.st_size;
	return data && data->d_buf && string_start(data, soff);
}

/*
 * The file and line where the function at ADDR is defined (DW_AT_decl_*),
 * or NULL.  The line table would give the line of its first instruction,
 * at -O2 often the closing brace.
 */
static const char *decl_of(Dwfl_Module *mod, uint64_t addr, int *line)
{
	Dwarf_Die *cu, *scopes = NULL;
	const char *file = NULL;
	Dwarf_Addr bias;
	int n, i;

	cu = dwfl_module_addrdie(mod, addr, &bias);
	if (!cu || (n = dwarf_getscopes(cu, addr - bias, &scopes)) <= 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			if (dwarf_decl_line(&scopes[i], line) == 0)
				file = dwarf_decl_file(&scopes[i]);
			break;
		}
	free(scopes);
	return file;
}

static const char nofile_note[] =
	"the module's file cannot be read (deleted since, or under another root?): shown as module+offset";

/*
 * The kind of an address in no section (no section headers, or a file not
 * found) from its mapping's permissions: code is text whatever is missing.
 */
static enum ms_sym_kind perms_kind(const struct ms_mapping *m)
{
	const char *perms = ms_mapping_perms(m);

	return perms[2] == 'x' ? MS_SYM_TEXT : perms[1] == 'w' ? MS_SYM_DATA : MS_SYM_RODATA;
}

const char *ms_symbols_source_path(struct ms_symbols *s, Dwfl_Module *mod, uint64_t addr,
				   const char *file)
{
	Dwarf_Attribute at;
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, &bias);
	const char *dir = cu ? dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &at)) : NULL;
	int n;

	if (!dir || !*dir)
		return file;
	n = snprintf(s->srcpath, sizeof(s->srcpath), "%s/%s", dir, file);
	return n < 0 || (size_t)n >= sizeof(s->srcpath) ? file : s->srcpath;
}

/* Classify ADDR, inside module MOD mapped by M, into Y; strings go in the buffers. */
static void classify_module(struct ms_symbols *s, Dwfl_Module *mod, const struct ms_mapping *m,
			    uint64_t addr, struct ms_sym *y, char **dem, char *text,
			    size_t textlen)
{
	static const char stripped_note[] =
		"no symbol table or debug info for this module: shown as module+offset";
	struct module *mi = ms_symbols_module(s, mod);
	Dwarf_Addr start = 0, bias;
	const char *name, *mainfile = NULL, *modname;
	enum ms_sym_kind sk;
	Elf_Data *data = NULL;
	uint64_t soff = 0;
	uint64_t off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	int lineno = 0;

	modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, &mainfile, NULL);
	/* The path as mapped: the file may have been read through /proc/PID. */
	y->module = modname && *modname == '/' ? modname : mainfile ? mainfile : modname;
	y->note = mi ? mi->via : NULL;
	sk = section_kind(mod, addr, &data, &soff);
	/* An executable mapping holds code even when no section says so. */
	y->kind = sk ? sk : perms_kind(m);
	name = ms_symbols_covering(mi, mod, addr, &off, &sym);
	if (mi && ms_symbols_go_classify(s, mi, addr, data, soff, y, text, textlen)) {
		name = NULL;	/* a Go type or string: its blob's symbol names nothing */
	} else if (name && *name) {
		*dem = ms_symbols_demangle(name);
		y->name = *dem;
		if (!strncmp(name, "_ZTV", 4))
			y->kind = MS_SYM_VTABLE;
		else if (!strncmp(name, "_ZTI", 4) || !strncmp(name, "_ZTS", 4))
			y->kind = MS_SYM_TYPEINFO;
		else if (GELF_ST_TYPE(sym.st_info) == STT_FUNC ||
			 GELF_ST_TYPE(sym.st_info) == STT_GNU_IFUNC)
			y->kind = MS_SYM_TEXT;
	} else if (y->kind == MS_SYM_RODATA && !(mi && mi->go) &&
		   string_at(data, soff, text, textlen)) {
		y->kind = MS_SYM_STRING;
		y->name = text;
	} else if ((y->kind == MS_SYM_DATA || y->kind == MS_SYM_RODATA) && mi && !mi->go &&
		   ms_symbols_rtti_vtable(s, addr, text, textlen)) {
		y->kind = MS_SYM_VTABLE;
		y->name = text;
	} else {
		mi = ms_symbols_module(s, mod);	/* the RTTI search may have moved it */
		offset_name(y->module, addr - start, text, textlen);
		y->name = text;
		if (mi && mi->stripped && !y->note)
			y->note = dwfl_module_getelf(mod, &bias) ? stripped_note : nofile_note;
	}
	/* A function's entry (a function pointer) is named by its definition. */
	if (y->kind == MS_SYM_TEXT && mi && mi->go)
		y->file = ms_symbols_go_line(mi, mod, addr, &lineno);
	if (y->kind == MS_SYM_TEXT && !y->file && name && off == 0)
		y->file = decl_of(mod, addr, &lineno);
	if (y->kind == MS_SYM_TEXT && !y->file && (line = dwfl_module_getsrc(mod, addr)))
		y->file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);
	if (y->file && y->file[0] != '/')
		y->file = ms_symbols_source_path(s, mod, addr, y->file);
	if (y->file)
		y->line = lineno;
}

/*
 * ADDR in a module whose file was replaced since the maps were taken: its
 * symbols and sections would be the new file's, so only the mapping speaks.
 */
static void classify_replaced(Dwfl_Module *mod, const struct ms_mapping *m, uint64_t addr,
			      struct ms_sym *y, char *text, size_t textlen)
{
	static const char replaced_note[] =
		"the file now at this path has another build-id than when dumped (replaced since?): shown as module+offset";
	const char *mainfile = NULL, *modname;
	Dwarf_Addr start = 0;

	Dwarf_Addr bias;

	modname = dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, &mainfile, NULL);
	y->module = modname && *modname == '/' ? modname : mainfile ? mainfile : modname;
	y->kind = perms_kind(m);
	offset_name(y->module, addr - start, text, textlen);
	y->name = text;
	y->note = dwfl_module_getelf(mod, &bias) ? replaced_note : nofile_note;
}

/* Memory of no module: one target per mapping. */
static void classify_mapping(const struct ms_mapping *m, struct ms_sym *y, char *text,
			     size_t textlen)
{
	uint64_t st = ms_mapping_start(m);

	switch (ms_mapping_kind(m)) {
	case MS_MAPPING_HEAP:
		y->kind = MS_SYM_HEAP;
		y->name = "[heap]";
		return;
	case MS_MAPPING_STACK:
		y->kind = MS_SYM_STACK;
		y->name = "[stack]";
		return;
	case MS_MAPPING_ANON:
	case MS_MAPPING_ANON_NAMED:
		y->kind = MS_SYM_ANON;
		snprintf(text, textlen, "anon 0x%" PRIx64 "%s%s", st,
			 ms_mapping_kind(m) == MS_MAPPING_ANON_NAMED ? " " : "",
			 ms_mapping_kind(m) == MS_MAPPING_ANON_NAMED ? ms_mapping_name(m) : "");
		/* Go reserves its heap arenas from 0xc000000000 up. */
		if (st >= GO_ARENA_START && st < GO_ARENA_END)
			snprintf(text, textlen, "anon 0x%" PRIx64 " (Go heap arena)", st);
		y->name = text;
		return;
	default:
		y->kind = MS_SYM_MAPPING;
		y->name = ms_mapping_name(m);
		y->module = ms_mapping_name(m);
		return;
	}
}

static int cache_grow(struct ms_ctx *ctx, struct ms_symbols *s)
{
	size_t cap = s->ccap ? s->ccap * 2 : 4096, i, j;
	uint64_t *k = calloc(cap, sizeof(*k));
	uint32_t *v = calloc(cap, sizeof(*v));

	if (!k || !v) {
		free(k);
		free(v);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < s->ccap; i++) {
		if (!s->cval[i])
			continue;
		for (j = ms_hash64(s->ckey[i]) & (cap - 1); v[j]; j = (j + 1) & (cap - 1))
			;
		k[j] = s->ckey[i];
		v[j] = s->cval[i];
	}
	free(s->ckey);
	free(s->cval);
	s->ckey = k;
	s->cval = v;
	s->ccap = cap;
	return 0;
}

/* In the address cache: a word that cannot point where it falls (plausible()). */
#define IMPLAUSIBLE UINT32_MAX
#define NO_TARGET SIZE_MAX

/*
 * The target of ADDR in mapping M, through the caches; NO_TARGET when ADDR
 * cannot be a pointer there.  CODE: ADDR is an instruction from an unwound
 * stack, named whatever its plausibility as a pointer, and not cached (the
 * cache holds the pointer verdict).  Returns 0 or -ENOMEM.
 */
static int target_of(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t addr,
		     const struct ms_mapping *m, bool code, size_t *idx)
{
	char text[STRING_MAX + 64], *dem = NULL;
	struct ms_sym y = { .addr = addr };
	size_t mapi = ms_mapping_index(m), j = 0;
	Dwfl_Module *mod = NULL;
	struct module *mi;
	int rc;

	if (ms_mapping_kind(m) == MS_MAPPING_FILE || ms_mapping_kind(m) == MS_MAPPING_VDSO)
		mod = dwfl_addrmodule(s->dwfl, addr);
	if (!mod) {
		if (s->map_target[mapi]) {
			*idx = s->map_target[mapi] - 1;
			return 0;
		}
		classify_mapping(m, &y, text, sizeof(text));
		y.addr = ms_mapping_start(m);
		if ((rc = ms_symbols_target_get(ctx, s, &y, idx)) < 0)
			return rc;
		s->map_target[mapi] = *idx + 1;
		return 0;
	}
	if (code)
		goto classify;
	if (s->cn * 2 >= s->ccap && (rc = cache_grow(ctx, s)) < 0)
		return rc;
	for (j = ms_hash64(addr) & (s->ccap - 1); s->cval[j]; j = (j + 1) & (s->ccap - 1))
		if (s->ckey[j] == addr) {
			*idx = s->cval[j] == IMPLAUSIBLE ? NO_TARGET : s->cval[j] - 1;
			return 0;
		}
	if (!plausible(s, mod, m, addr)) {
		*idx = NO_TARGET;
		s->ckey[j] = addr;
		s->cval[j] = IMPLAUSIBLE;
		s->cn++;
		return 0;
	}
classify:
	s->uncached = false;
	mi = ms_symbols_module(s, mod);
	if (mi && mi->replaced)
		classify_replaced(mod, m, addr, &y, text, sizeof(text));
	else
		classify_module(s, mod, m, addr, &y, &dem, text, sizeof(text));
	rc = ms_symbols_target_get(ctx, s, &y, idx);
	free(dem);
	if (rc < 0 || s->uncached || code)
		return rc;
	s->ckey[j] = addr;
	s->cval[j] = (uint32_t)*idx + 1;
	s->cn++;
	return 0;
}

static int lookup(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t addr, bool code,
		  const struct ms_sym **out)
{
	const struct ms_mapping *m = addr >= s->lo && addr < s->hi ? ms_maps_find(s->maps, addr) : NULL;
	size_t idx;
	int rc;

	*out = NULL;
	if (!m)
		return 0;
	if ((rc = target_of(ctx, s, addr, m, code, &idx)) < 0)
		return rc;
	*out = idx == NO_TARGET ? NULL : &s->t[idx].c.sym;
	return 0;
}

int ms_symbols_lookup(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t addr,
		      const struct ms_sym **out)
{
	return lookup(ctx, s, addr, false, out);
}

int ms_symbols_lookup_code(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t pc,
			   const struct ms_sym **out)
{
	return lookup(ctx, s, pc, true, out);
}

/*
 * A word that falls in a mapping the last word did not: its target, found
 * and counted; a mapping of no module (one target for all of it) is
 * remembered for count_mapped().  Out of line: count_mapped() stays small in
 * the loop over the words.
 */
static __attribute__((noinline)) int count_found(struct ms_ctx *ctx, struct ms_symbols *s,
						 uint64_t v, uint64_t n)
{
	const struct ms_mapping *m = ms_maps_find(s->maps, v);
	size_t idx;
	int rc;

	if (!m)
		return 0;
	if ((rc = target_of(ctx, s, v, m, false, &idx)) < 0 || idx == NO_TARGET)
		return rc;
	if (ms_mapping_kind(m) != MS_MAPPING_FILE && ms_mapping_kind(m) != MS_MAPPING_VDSO) {
		s->last_lo = ms_mapping_start(m);
		s->last_hi = ms_mapping_end(m);
		s->last_idx = idx;
	}
	s->t[idx].c.count += n;
	s->hits += n;
	if (s->t[idx].c.sym.kind <= MS_SYM_BSS)
		s->module_hits += n;
	return 0;
}

/*
 * N words of value V, inside the mapped range, counted, with the commonest
 * case inlined: the mapping of no module counted last (the heap).  The
 * other, outside every mapping (zeros, numbers, text), the callers leave
 * out first.  A call and a search of the maps per word cost a sixth of
 * bytehist --symbols.
 */
static inline int count_mapped(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t v, uint64_t n)
{
	if (v < s->last_lo || v >= s->last_hi)
		return count_found(ctx, s, v, n);
	s->t[s->last_idx].c.count += n;
	s->hits += n;
	if (s->t[s->last_idx].c.sym.kind <= MS_SYM_BSS)
		s->module_hits += n;
	return 0;
}

int ms_symbols_count(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t v, uint64_t n)
{
	s->words += n;
	return v < s->lo || v >= s->hi ? 0 : count_mapped(ctx, s, v, n);
}

/*
 * The loop keeps the bounds in registers and counts the words once: the
 * symbolizer's fields, written through S for every word, could not be
 * (BUF might alias them), and cost a third of the count.
 */
int ms_symbols_count_words(struct ms_ctx *ctx, struct ms_symbols *s, const void *buf,
			   size_t len)
{
	const unsigned char *p = buf;
	const uint64_t lo = s->lo, hi = s->hi;
	size_t i, n = len / 8;
	uint64_t v, run = 0, last = 0;
	int rc = 0;

	s->words += n;
	/* Runs of one word (fill, zeros, an array of one pointer) cost one lookup. */
	for (i = 0; i < n; i++) {
		memcpy(&v, p + i * 8, 8);
		if (run && v == last) {
			run++;
			continue;
		}
		if (run && last >= lo && last < hi) {
			s->hint = v;
			if ((rc = count_mapped(ctx, s, last, run)) < 0)
				break;
		}
		last = v;
		run = 1;
	}
	s->hint = 0;
	if (!rc && run && last >= lo && last < hi)
		rc = count_mapped(ctx, s, last, run);
	return rc;
}

int ms_symbols_scan_fd(struct ms_ctx *ctx, struct ms_symbols *s, int fd, const char *name)
{
	size_t cap = 1 << 20;
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	off_t off = 0;
	int rc = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return ms_err(ctx, -ESPIPE, "%s: not a regular file; --symbols reads it a second time", name);
	buf = malloc(cap);
	if (!buf)
		return ms_err(ctx, -ENOMEM, "out of memory");
	/* Reads of whole words: a short read is kept to the next multiple of 8. */
	while ((n = pread(fd, buf, cap, off)) > 0) {
		size_t whole = (size_t)n & ~(size_t)7;

		if (!whole)
			break;
		if ((rc = ms_symbols_count_words(ctx, s, buf, whole)) < 0)
			break;
		off += (off_t)whole;
	}
	if (n < 0)
		rc = ms_err_errno(ctx, -errno, "%s", name);
	free(buf);
	return rc;
}

static const struct ms_symbols *rank_ctx;

static int rank_cmp(const void *a, const void *b)
{
	const struct target *x = &rank_ctx->t[*(const size_t *)a];
	const struct target *y = &rank_ctx->t[*(const size_t *)b];
	bool xm = x->c.sym.kind <= MS_SYM_BSS, ym = y->c.sym.kind <= MS_SYM_BSS;

	if (xm != ym)
		return xm ? -1 : 1;
	if (x->c.count != y->c.count)
		return x->c.count > y->c.count ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

void ms_symbols_rank(struct ms_symbols *s)
{
	size_t *r = realloc(s->rank, (s->nt ? s->nt : 1) * sizeof(*r));
	size_t i;

	s->nrank = 0;
	if (!r)
		return;
	s->rank = r;
	for (i = 0; i < s->nt; i++)
		if (s->t[i].c.count)
			r[s->nrank++] = i;
	rank_ctx = s;
	qsort(r, s->nrank, sizeof(*r), rank_cmp);
	rank_ctx = NULL;
}

size_t ms_symbols_target_count(const struct ms_symbols *s)
{
	return s->nrank;
}

const struct ms_sym_count *ms_symbols_target(const struct ms_symbols *s, size_t i)
{
	return i < s->nrank ? &s->t[s->rank[i]].c : NULL;
}

uint64_t ms_symbols_words(const struct ms_symbols *s)
{
	return s->words;
}

uint64_t ms_symbols_hits(const struct ms_symbols *s)
{
	return s->hits;
}

uint64_t ms_symbols_module_hits(const struct ms_symbols *s)
{
	return s->module_hits;
}

static char *debuginfo_path;

static int set_userdata(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	(void)mod;
	(void)name;
	(void)start;
	*userdata = arg;
	return DWARF_CB_OK;
}

int ms_symbols_new(struct ms_ctx *ctx, const char *maps, size_t len, const char *name,
		   struct ms_symbols **out)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = ms_symbols_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.debuginfo_path = &debuginfo_path,
	};
	struct ms_symbols *s = calloc(1, sizeof(*s));
	size_t n, i;
	FILE *fp;
	int rc;

	if (!s)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rc = ms_maps_parse_buf(ctx, maps, len, name, &s->maps);
	if (rc < 0)
		goto fail;
	n = ms_maps_count(s->maps);
	s->map_target = calloc(n ? n : 1, sizeof(*s->map_target));
	if (!s->map_target) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	s->lo = UINT64_MAX;
	for (i = 0; i < n; i++) {
		const struct ms_mapping *m = ms_maps_get(s->maps, i);

		if (ms_mapping_start(m) < s->lo)
			s->lo = ms_mapping_start(m);
		if (ms_mapping_end(m) > s->hi)
			s->hi = ms_mapping_end(m);
	}
	s->dwfl = dwfl_begin(&cb);
	if (!s->dwfl) {
		rc = ms_err(ctx, -EIO, "%s: libdwfl: %s", name, dwfl_errmsg(-1));
		goto fail;
	}
	fp = fmemopen((void *)maps, len, "r");
	if (!fp) {
		rc = ms_err_errno(ctx, -errno, "%s", name);
		goto fail;
	}
	dwfl_report_begin(s->dwfl);
	rc = dwfl_linux_proc_maps_report(s->dwfl, fp);
	fclose(fp);
	/* -1: libdwfl failed; a positive errno: reading the stream failed. */
	if (rc != 0 || dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		rc = ms_err(ctx, -EIO, "%s: libdwfl cannot report the modules: %s", name,
			    rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		goto fail;
	}
	/* ms_symbols_find_elf() finds the symbolizer through each module's userdata. */
	dwfl_getmodules(s->dwfl, set_userdata, s, 0);
	*out = s;
	return 0;
fail:
	ms_symbols_free(s);
	return rc;
}

int ms_symbols_new_pid(struct ms_ctx *ctx, pid_t pid, struct ms_symbols **out)
{
	struct ms_symbols *s = NULL;
	char name[48], *buf = NULL;
	size_t len;
	int rc;

	rc = ms_procfs_read(ctx, pid, "maps", &buf, &len);
	if (rc < 0)
		return rc;
	ms_procfs_path(pid, "maps", name, sizeof(name));
	rc = ms_symbols_new(ctx, buf, len, name, &s);
	free(buf);
	if (rc == 0 && (rc = ms_symbols_set_pid(ctx, s, pid)) < 0)
		ms_symbols_free(s);
	else if (rc == 0)
		*out = s;
	return rc;
}

void ms_symbols_free(struct ms_symbols *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nt; i++) {
		free((char *)s->t[i].c.sym.name);
		free((char *)s->t[i].c.sym.module);
		free((char *)s->t[i].c.sym.file);
	}
	if (s->dwfl)
		dwfl_end(s->dwfl);
	ms_maps_free(s->maps);
	free(s->map_target);
	free(s->t);
	free(s->rank);
	free(s->ckey);
	free(s->cval);
	free(s->tslot);
	for (i = 0; i < s->nmods; i++) {
		free(s->mods[i].rel);
		free(s->mods[i].idx);
		ms_symbols_go_free(&s->mods[i]);
	}
	free(s->mods);
	for (i = 0; i < s->nopened; i++)
		free(s->opened[i].note);
	free(s->opened);
	ms_symbols_origins_free(s);
	free(s->expect_bids);
	free(s);
}
