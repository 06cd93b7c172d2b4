/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts read from ELF files with libelf, or from the images a process
 * maps: so far the GNU build-id, which lets later analysis find the exact
 * binary and its debug info on another machine (debuginfod,
 * /usr/lib/debug/.build-id/).
 */
#ifndef MEMSIFT_ELFSCAN_H
#define MEMSIFT_ELFSCAN_H

#include <stdint.h>
#include <sys/types.h>

#include <stddef.h>

#include <memsift/ctx.h>

/*
 * Read the GNU build-id (NT_GNU_BUILD_ID) of the ELF file open at FD, from
 * its SHT_NOTE sections or, when it has no section headers, its PT_NOTE
 * segments.  WHAT names the file in messages.  On success *HEX is a new
 * string of lowercase hex digits, the caller's to free().  FD is not closed.
 *
 * Returns: 0, -ENOENT (not an ELF file, or no build-id), or -ENOMEM.
 */
int ms_elf_build_id(struct ms_ctx *ctx, int fd, const char *what, char **hex);

/*
 * The GNU build-id of the ELF image live process PID maps at START (a
 * mapping of SIZE bytes at file offset 0), read from its memory: the ELF
 * header, the program headers and the PT_NOTE segments as loaded.  This is
 * the file the process runs, whatever is at its path now.  On success *HEX
 * is a new string of lowercase hex digits, the caller's to free().
 *
 * Returns: 0, -ENOENT (no 64-bit ELF header there, or no build-id), -EIO
 * (unreadable), -ESRCH, -EPERM (as ms_memread_peek()), or -ENOMEM.
 */
int ms_elf_build_id_pid(struct ms_ctx *ctx, pid_t pid, uint64_t start, uint64_t size,
			char **hex);

/*
 * Which of the N symbol NAMES the ELF file open at FD defines or refers
 * to, in its .symtab or .dynsym: the index of the first found in the
 * file's order.  CTX is unused today (for messages, as elsewhere).
 * Returns: an index, or -ENOENT when none is there or FD is not ELF.
 */
int ms_elf_find_symbol(struct ms_ctx *ctx, int fd, const char *const *names, size_t n);

#endif
