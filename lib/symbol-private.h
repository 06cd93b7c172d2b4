/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What symbol.c and symbol-string.c share: the symbolizer's body, so the
 * string search walks the modules the pointer pass reported.
 */
#ifndef MEMSIFT_SYMBOL_PRIVATE_H
#define MEMSIFT_SYMBOL_PRIVATE_H

#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/maps.h>
#include <memsift/symbol.h>

struct target {
	struct ms_sym_count c;	/* strings owned */
	size_t order;		/* first met, for stable ties */
};

/* What is known of a module, found once. */
struct module {
	Dwfl_Module *mod;
	bool stripped;		/* no .symtab and no debug info */
	bool replaced;		/* the file's build-id is not the one recorded */
	/* How its file was read when not by its path (ms_symbols_set_pid()), or NULL. */
	const char *via;
	/* .rela.dyn, sorted by offset, for words of the file read without the process. */
	struct ms_reloc *rel;
	size_t nrel;
	bool rel_read;
	/* Its symbols sorted by address, built at the first lookup (ms_symbols_covering()). */
	struct ms_symidx *idx;
	size_t nidx;
	bool idx_built;
	/* A Go binary, and its blobs of type descriptors and strings (0: unknown). */
	bool go;
	uint64_t go_types, go_types_end, go_strings, go_strings_end, go_funcs, go_funcs_end;
	struct ms_gotab *gotab;	/* a stripped Go binary's own tables (symbol-go.c), or NULL */
};

struct ms_symbols {
	Dwfl *dwfl;
	struct ms_maps *maps;
	uint64_t lo, hi;	/* the lowest and highest mapped address */
	size_t *map_target;	/* per mapping of no module: target index + 1 */
	/*
	 * The last mapping of no module a word was counted into (a heap, an
	 * anonymous range): its range and target, so that the next word there,
	 * most of a heap's pointers, is counted with no search.  Empty: lo == hi.
	 */
	uint64_t last_lo, last_hi;
	size_t last_idx;

	struct target *t;
	size_t nt, capt;
	size_t *rank;		/* target indexes in rank order */
	size_t nrank;

	/* address -> target index + 1 (0: empty slot), open addressing */
	uint64_t *ckey;
	uint32_t *cval;
	size_t ccap, cn;
	/* target identity -> index + 1, open addressing */
	uint32_t *tslot;
	size_t tcap;

	struct module *mods;
	size_t nmods;

	pid_t pid;		/* ms_symbols_set_pid(): the live process, or 0 */
	bool mem_refused;	/* reading its memory was refused: files only */
	struct ms_opened *opened;	/* how find_elf opened each module's file, notes owned */
	size_t nopened;

	uint64_t words, hits, module_hits;
	char *expect_bids;	/* "PATH\tHEX\n" lines, or NULL */
	uint64_t hint;		/* the word after the one being classified: a Go string's length */
	bool uncached;		/* the last classification depended on HINT and failed */
	char srcpath[4096];	/* a source path joined to its comp_dir, until copied */

	/* ms_symbols_find_string()'s answers, strings owned */
	struct ms_sym_origin *origins;
	size_t norigins;
};

/* A dynamic relocation of a module's file (symbol-rtti.c). */
struct ms_reloc {
	uint64_t off;		/* r_offset: a link-time address */
	int64_t addend;
	uint32_t type;
	const char *sym;	/* the symbol's name in .dynsym, or NULL */
	uint64_t symval;	/* its value when defined in the module, else 0 */
};

/* What ms_symbols_find_elf() did for a module under ms_symbols_set_pid(). */
struct ms_opened {
	Dwfl_Module *mod;
	char *note;		/* how the file was read, or NULL: by its path */
	bool mismatch;		/* no file reachable had the build-id expected */
};

/*
 * libdwfl's find_elf callback: with S->pid, open the module's file through
 * /proc/PID (symbol-pid.c), checked against the build-id expected;
 * otherwise libdwfl's own dwfl_linux_proc_find_elf.
 */
int ms_symbols_find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
			char **file_name, Elf **elfp);

/* The expected build-id of PATH from the recorded lines, or NULL (symbol.c). */
const char *ms_symbols_expected_bid(const struct ms_symbols *s, const char *path, size_t *len);

/* The ms_opened entry of MOD, or NULL. */
const struct ms_opened *ms_symbols_opened(const struct ms_symbols *s, Dwfl_Module *mod);

/*
 * Name ADDR, in a module but covered by no symbol, from C++ RTTI: the
 * vtable whose typeinfo (ADDR[-1]) names a class.  Writes "vtable for
 * NAME" into TEXT (symbol-rtti.c).  False when ADDR is not such a vtable.
 * It may report modules: pointers to S->mods taken before are stale.
 */
bool ms_symbols_rtti_vtable(struct ms_symbols *s, uint64_t addr, char *text, size_t textlen);

/*
 * NAME demangled, new (NULL when out of memory): vtables and typeinfo by
 * ms_sym_demangle_type(), any other C++ name by libstdc++'s demangler when
 * it is on the system; anything else copied.
 */
char *ms_symbols_demangle(const char *name);

/*
 * The index of the target equal to Y, added (strings copied) when new
 * (symbol.c).  Returns: 0 with *IDX, or -ENOMEM.
 */
int ms_symbols_target_get(struct ms_ctx *ctx, struct ms_symbols *s, const struct ms_sym *y,
			  size_t *idx);

/*
 * A relative source FILE of the code at ADDR in MOD as addr2line prints
 * it: after the compilation unit's DW_AT_comp_dir, unnormalised
 * ("/src/./lib/x.c"), so a build from a relative path or with
 * -ffile-prefix-map still names a file one can find (or compare).  Returns
 * FILE when there is no directory to join, else S->srcpath (symbol.c).
 */
const char *ms_symbols_source_path(struct ms_symbols *s, Dwfl_Module *mod, uint64_t addr,
				   const char *file);

/* The module's facts, found once; NULL when out of memory. */
struct module *ms_symbols_module(struct ms_symbols *s, Dwfl_Module *mod);

/* One symbol of a module's sorted index: where it starts and ends, and the furthest end so far. */
struct ms_symidx {
	uint64_t start, size;
	uint64_t maxend;	/* the highest start + size of this entry and all before it */
	int i;			/* its index for dwfl_module_getsym_info() */
	bool global;
};

/*
 * The symbol that covers ADDR in MOD, or NULL: never the nearest one below,
 * except a Go container symbol ("go.string.*", "type.*": size 0, one symbol
 * for a whole blob).  *OFF is ADDR's offset from it, *SYM the symbol.  M,
 * MOD's entry (may be NULL), keeps a sorted index of its symbols, so a
 * lookup is a binary search: libdwfl's own walks every symbol, and a
 * 100 MB binary (node) has hundreds of thousands.
 */
const char *ms_symbols_covering(struct module *m, Dwfl_Module *mod, uint64_t addr,
				uint64_t *off, GElf_Sym *sym);

/* Find out whether MOD is a Go binary, and where its blobs are (symbol-go.c). */
void ms_symbols_go_module(Dwfl_Module *mod, struct module *m);
/* Release what ms_symbols_go_module() read for M. */
void ms_symbols_go_free(struct module *m);

/*
 * Whether ADDR is the entry of a function of stripped Go module M, from
 * its .gopclntab: Go writes no .eh_frame, so no other table says where a
 * stripped Go binary's functions start (a closure's code pointer).  True
 * when M has no table this reads (nothing says it is not).
 */
bool ms_symbols_go_entry(const struct module *m, uint64_t addr);

/*
 * The Go source file and line of the code at ADDR in Go module M (MOD),
 * from the line table of the Go unit whose ranges hold it, into *LINE; or
 * NULL.  A cgo binary's C units claim Go's code in .debug_aranges, so the
 * unit libdw picks by address is a C one.
 */
const char *ms_symbols_go_line(struct module *m, Dwfl_Module *mod, uint64_t addr, int *line);

/*
 * Name ADDR, at OFF of its section's DATA, as a Go type descriptor
 * ("type.*main.Record"), string literal or func value, into Y (names in TEXT).  False
 * when ADDR is neither, or M is not Go; a Go module without a symbol table
 * gets its note in Y.  Sets S->uncached when the answer must not be cached.
 */
bool ms_symbols_go_classify(struct ms_symbols *s, const struct module *m, uint64_t addr,
			    const Elf_Data *data, uint64_t off, struct ms_sym *y, char *text,
			    size_t textlen);

/* Release the strings ms_symbols_find_string() found. */
void ms_symbols_origins_free(struct ms_symbols *s);

#endif
