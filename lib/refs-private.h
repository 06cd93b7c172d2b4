/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image, shared by lib/refs-image.c (which takes it) and lib/refs.c
 * (which analyses it).
 */
#ifndef MEMSIFT_REFS_PRIVATE_H
#define MEMSIFT_REFS_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/analyse.h>
#include <memsift/maps.h>

#include <memsift/core.h>
#include <memsift/manifest.h>
#include <memsift/refs.h>

struct ms_refs_thread {
	pid_t tid;
	uint64_t sp;		/* 0: unknown (the core's layout is not ours) */
	size_t nregs;
	uint64_t regs[MS_CORE_REGS_MAX];
};

struct ms_refs_image {
	pid_t pid;			/* the live process; 0 for a core */
	int fd;				/* the image's file: the temporary copy, or the core */
	char path[PATH_MAX];		/* the same, for ms_analysis_run() */
	uint64_t size;			/* of the file */
	struct ms_manifest_info mi;	/* ranges (offsets in the file) and maps */
	struct ms_refs_thread *t;
	size_t nt;
	uint64_t pause_ns, bytes;
	char warning[200];		/* ms_refs_image_warning()'s, "" for none */
};

/* One module's ELF symbol table, open for lookups (lib/refs-elf.c). */
struct ms_refs_elf {
	char path[PATH_MAX];	/* "" when none is open */
	int fd;
	void *e;		/* Elf * */
	void *symtab;		/* Elf_Data * of SHT_SYMTAB, or NULL */
	size_t strndx, nsyms;
	bool exec;		/* ET_EXEC: symbols at their addresses */
	void *dw;		/* Dwarf *, opened on the first declaration asked */
	bool nodwarf;		/* the module has none */
};

/*
 * The data object (STT_OBJECT) of the module at PATH, loaded at BASE (its
 * mapping of offset 0), that holds ADDR: its name (borrowed from C) and
 * start.  C caches the last module opened.  Returns: whether one does.
 */
bool ms_refs_elf_symbol(struct ms_refs_elf *c, const char *path, uint64_t base, uint64_t addr,
			const char **name, uint64_t *start);
void ms_refs_elf_close(struct ms_refs_elf *c);

/*
 * Where the global NAME of the module at PATH is declared, from its DWARF:
 * *FILE (borrowed from C) and *LINE.  Returns: whether it says.
 */
bool ms_refs_elf_decl(struct ms_refs_elf *c, const char *path, const char *name,
		      const char **file, int *line);

/* The reference index (lib/refs.c), shared with the chains (lib/refs-chain.c). */
#define MS_REFS_NCHAINS 3

struct obj {
	uint64_t addr, end;	/* [addr, end): the bytes a pointer may point into */
	uint64_t size;		/* the allocator's */
	uint32_t key;		/* index in keys[] */
	bool glibc;		/* only these may be called unreferenced */
};

enum rkind { R_ROOT = 0, R_HEAP, R_STACK };

struct range {
	uint64_t start, end, from;	/* from: where a stack's live part starts */
	const unsigned char *p;		/* its bytes in the image, or NULL past the file */
	enum rkind kind;
	bool module;			/* a module's data or bss: its words are roots, never objects */
	const char *modpath;		/* the module's file, when the range is its bss */
	uint64_t modbase;		/* where its mapping of offset 0 starts */
	pid_t tid;			/* R_STACK: whose */
};

struct ms_refs {
	struct ms_refs_image *img;
	struct ms_maps *maps;		/* the image's, for the modules' files */
	struct ms_analysis *a;
	unsigned char *map;
	size_t mapsz;
	struct range *r;
	size_t nr;
	struct obj *o;
	size_t n, cap;
	uint64_t lo, hi;	/* every object is within */
	uint64_t blo, bhi;	/* a block the chains look for pointers into; bhi 0: none */
	uint64_t *keys;		/* cluster keys met, and each one's cluster */
	const struct ms_cluster **kcl;
	size_t nkeys, capkeys;
	uint32_t *kslot;
	size_t kslots;
	uint64_t *mark;		/* reached */
	uint64_t nglibc, reached;
	struct ms_refs_leak *leaks;
	size_t nleaks;
	struct ms_refs_chain chains[MS_REFS_NCHAINS];
	size_t nchains;
	bool chained;
	uint64_t want_key;	/* ms_refs_select()'s, 0: the verdict's top cluster */
};

static inline bool bit(const uint64_t *b, size_t i) { return b[i / 64] >> (i % 64) & 1; }
static inline void set_bit(uint64_t *b, size_t i) { b[i / 64] |= 1ULL << (i % 64); }

/* The image range holding ADDR, or NULL. */
struct range *ms_refs_range_of(const struct ms_refs *R, uint64_t addr);

/* Each word of [FROM, TO) that points into an object goes to FN, with where it is. */
typedef void (*word_fn)(struct ms_refs *R, uint64_t at, size_t target, void *data);
void ms_refs_scan(struct ms_refs *R, const unsigned char *p, uint64_t from, uint64_t to,
		  word_fn fn, void *data);

/* The bytes of object I in the image, up to *END; NULL when the image lacks them. */
const unsigned char *ms_refs_obj_bytes(const struct ms_refs *R, size_t i, uint64_t *end);

/*
 * The root words: registers, stacks' live parts, and every range but a
 * glibc heap, less the objects in them (those are scanned as objects).
 * FN gets AT 0 for a register, with *TID set.
 */
struct root_ctx {
	word_fn fn;
	void *data;
	const struct range *g;	/* the range scanned, NULL: registers */
	pid_t tid;
};

void ms_refs_scan_roots(struct ms_refs *R, struct root_ctx *rc);

/* The stack pointer in a thread's registers (the kernel's user_regs_struct). */
uint64_t ms_refs_regs_sp(const uint64_t *regs, size_t nregs);

#endif
