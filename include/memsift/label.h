/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Naming memory the kernel leaves unnamed.  An anonymous mapping says only
 * its range and permissions; its neighbours and the process's threads often
 * say more: the stack of which thread, a glibc malloc arena (64 MiB-aligned
 * heap_info layout), Go's heap arena.  Guesses say "likely".
 */
#ifndef MEMSIFT_LABEL_H
#define MEMSIFT_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#include <memsift/maps.h>
#include <memsift/snapshot.h>

/*
 * Describe M into BUF (at most LEN bytes, NUL-terminated) and return BUF:
 *   "heap (brk)", "main thread stack", "stack of thread 4243 (worker)",
 *   "thread stack (likely)", "guard page", "glibc malloc arena (likely)",
 *   "glibc arena reserve (likely)", "Go heap arena (likely)",
 *   "V8 heap (likely)" (MS_LABEL_V8_HEAP), "pymalloc arena (likely)"
 *   (MS_LABEL_PYMALLOC),
 *   "anon:NAME", "shmem:NAME", "memfd:NAME", "deleted file", "vdso"...
 * or "" when nothing more can be said (an ordinary file, a plain anonymous
 * mapping).  SNAP gives the threads' stack pointers and may be NULL.
 * A guess needs evidence: "thread stack (likely)" a snapshot whose threads
 * are enough for every region of a stack's shape (one thread: none is), "Go
 * heap arena (likely)" Go's runtime mapped (libgo) or an executable with
 * Go's sections, read from its path when the inode still matches; "V8 heap
 * (likely)" a read-write anonymous mapping on V8's 256 KiB page boundary, a
 * page or more long, in a process that maps node, libnode or libv8;
 * "pymalloc arena (likely)" read-write anonymous memory of one of CPython's
 * arenas or more (1 MiB from 3.10, 256 KiB before, by the version in the
 * python3.X or libpython3.X name) in a process that maps CPython.
 */
const char *ms_label_mapping(const struct ms_snapshot *snap, const struct ms_mapping *m,
			     char *buf, size_t len);

#define MS_LABEL_V8_HEAP "V8 heap (likely)"
#define MS_LABEL_PYMALLOC "pymalloc arena (likely)"

/*
 * Whether LABEL (from ms_label_mapping()) names one heap that a runtime
 * spreads over many mappings, V8's pages or pymalloc's arenas: the tables
 * that rank growth sum its mappings into one row, as the runtime's heap
 * grows or shrinks as one.
 */
bool ms_label_one_heap(const char *label);

#endif
