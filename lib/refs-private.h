/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image, shared by lib/refs-image.c (which takes it) and lib/refs.c
 * (which analyses it).
 */
#ifndef MEMSIFT_REFS_PRIVATE_H
#define MEMSIFT_REFS_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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
};

/* One module's ELF symbol table, open for lookups (lib/refs-elf.c). */
struct ms_refs_elf {
	char path[PATH_MAX];	/* "" when none is open */
	int fd;
	void *e;		/* Elf * */
	void *symtab;		/* Elf_Data * of SHT_SYMTAB, or NULL */
	size_t strndx, nsyms;
	bool exec;		/* ET_EXEC: symbols at their addresses */
};

/*
 * The data object (STT_OBJECT) of the module at PATH, loaded at BASE (its
 * mapping of offset 0), that holds ADDR: its name (borrowed from C) and
 * start.  C caches the last module opened.  Returns: whether one does.
 */
bool ms_refs_elf_symbol(struct ms_refs_elf *c, const char *path, uint64_t base, uint64_t addr,
			const char **name, uint64_t *start);
void ms_refs_elf_close(struct ms_refs_elf *c);

/* The stack pointer in a thread's registers (the kernel's user_regs_struct). */
uint64_t ms_refs_regs_sp(const uint64_t *regs, size_t nregs);

#endif
