/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading an ELF core file (gcore's, or regiondump --format core): the
 * memory it holds, as PT_LOAD segments, and the files mapped, from its
 * NT_FILE note.  libelf does the parsing; nothing here trusts a size before
 * checking it against the file.
 */
#ifndef MEMSIFT_CORE_H
#define MEMSIFT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>

struct ms_core;

struct ms_core_segment {
	uint64_t vaddr;		/* where it was in the process */
	uint64_t offset;	/* where its bytes are in the file */
	uint64_t filesz;	/* bytes in the file (0 for a segment gcore left out) */
	uint64_t memsz;
};

struct ms_core_file {
	uint64_t start, end;	/* the mapping */
	uint64_t pgoff;		/* its offset in the file, in bytes */
	const char *name;
};

/* True when the LEN bytes at BUF start an ELF core file's header. */
bool ms_core_detect(const void *buf, size_t len);

/*
 * Read the program headers and NT_FILE note of the core file open at FD
 * (NAME is for messages).  On success *OUT owns a new ms_core; free it with
 * ms_core_free().  FD stays the caller's, and must stay open while OUT lives.
 * Returns: 0, -EPROTONOSUPPORT (not an ELF core), -EBADMSG (a segment or
 * note past the end of the file), or -ENOMEM.
 */
int ms_core_open(struct ms_ctx *ctx, int fd, const char *name, struct ms_core **out);

void ms_core_free(struct ms_core *c);

/* PT_LOAD segments with bytes in the file, in file order. */
size_t ms_core_nsegments(const struct ms_core *c);
const struct ms_core_segment *ms_core_segment(const struct ms_core *c, size_t i);

/*
 * Read the bytes of every segment, in order, from FD (the file C was opened
 * from), calling CB with each chunk (at most 1 MiB): the memory back to back,
 * as a raw dump would hold it.  A negative return from CB stops and is
 * returned.  Returns: 0, -EIO on a short file, or CB's error.
 */
int ms_core_read(struct ms_ctx *ctx, const struct ms_core *c, int fd,
		 int (*cb)(const void *buf, size_t len, void *data), void *data);

/*
 * Read up to LEN bytes at offset OFF of what ms_core_read() hands out (the
 * segments back to back), from FD; a read stops at the end of a segment.
 * Returns the bytes read, 0 past the last segment, or -1 with errno set.
 */
ssize_t ms_core_pread(const struct ms_core *c, int fd, void *buf, size_t len, uint64_t off);

/*
 * Describe the segments as a dump manifest does (<memsift/manifest.h>):
 * one range per segment, back to back, so offsets in what ms_core_read()
 * hands out map to addresses.  Release OUT with ms_manifest_release().
 * Returns: 0 or -ENOMEM.
 */
struct ms_manifest_info;
int ms_core_manifest(struct ms_ctx *ctx, const struct ms_core *c, struct ms_manifest_info *out);

/*
 * Describe the process's mappings as /proc/PID/maps text, for
 * ms_symbols_new(): each NT_FILE entry as a mapping of its file, then each
 * segment with bytes that no file covers as anonymous memory, in address
 * order.  A core keeps no permissions for files and no device or inode:
 * files are written "r--p" with device 00:01 and an inode made up per file
 * name (libdwfl takes lines of one device and inode for one file), anonymous
 * memory "rw-p".  On success *TEXT is a new
 * string of *LEN bytes, the caller's to free().
 *
 * Returns: 0, -ENOENT when the core has no NT_FILE note (gdb and the kernel
 * write one; without it no module can be named), or -ENOMEM.
 */
int ms_core_maps(struct ms_ctx *ctx, const struct ms_core *c, char **text, size_t *len);

/* A thread of the core, from its NT_PRSTATUS note (64-bit cores only). */
#define MS_CORE_REGS_MAX 40
struct ms_core_thread {
	pid_t tid;		/* pr_pid */
	size_t nregs;		/* words of pr_reg: the kernel's user_regs_struct */
	uint64_t regs[MS_CORE_REGS_MAX];
};

/* The threads, in note order (the one that dumped first); none when no note says. */
size_t ms_core_nthreads(const struct ms_core *c);
const struct ms_core_thread *ms_core_thread(const struct ms_core *c, size_t i);

/* The NT_FILE entries; none when the core has no such note. */
size_t ms_core_nfiles(const struct ms_core *c);
const struct ms_core_file *ms_core_file(const struct ms_core *c, size_t i);

#endif
