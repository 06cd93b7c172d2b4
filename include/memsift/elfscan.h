/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Facts read from ELF files with libelf: so far the GNU build-id, which
 * lets later analysis find the exact binary and its debug info on another
 * machine (debuginfod, /usr/lib/debug/.build-id/).
 */
#ifndef MEMSIFT_ELFSCAN_H
#define MEMSIFT_ELFSCAN_H

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

#endif
