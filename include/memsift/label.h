/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming memory the kernel leaves unnamed.  An anonymous mapping says only
 * its range and permissions; its neighbours and the process's threads often
 * say more: the stack of which thread, a glibc malloc arena (64 MiB-aligned
 * heap_info layout), Go's heap arena.  Guesses say "likely".
 */
#ifndef MEMSIFT_LABEL_H
#define MEMSIFT_LABEL_H

#include <stddef.h>

#include <memsift/maps.h>
#include <memsift/snapshot.h>

/*
 * Describe M into BUF (at most LEN bytes, NUL-terminated) and return BUF:
 *   "heap (brk)", "main thread stack", "stack of thread 4243 (worker)",
 *   "thread stack (likely)", "guard page", "glibc malloc arena (likely)",
 *   "glibc arena reserve (likely)", "Go heap arena (likely)",
 *   "anon:NAME", "shmem:NAME", "memfd:NAME", "deleted file", "vdso"...
 * or "" when nothing more can be said (an ordinary file, a plain anonymous
 * mapping).  SNAP gives the threads' stack pointers and may be NULL.
 * A guess needs evidence: "thread stack (likely)" a snapshot whose threads
 * are enough for every region of a stack's shape (one thread: none is), "Go
 * heap arena (likely)" Go's runtime mapped (libgo) or an executable with
 * Go's sections, read from its path when the inode still matches.
 */
const char *ms_label_mapping(const struct ms_snapshot *snap, const struct ms_mapping *m,
			     char *buf, size_t len);

#endif
