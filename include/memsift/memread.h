/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the memory of a live process, hole-tolerant and streaming.
 *
 * A range is read in batches with process_vm_readv(2), several remote
 * iovecs per call.  Where it stops short (a PROT_NONE page, a hole, a page
 * beyond the end of a mapped file), the rest is tried through
 * /proc/PID/mem, which the kernel reads with FOLL_FORCE and so also reads
 * PROT_NONE pages; then, only if the caller says the target is already
 * ptrace-stopped by it, word by word with PTRACE_PEEKDATA.  What still
 * cannot be read is zero-filled and reported as such: a hole never stops
 * the read.
 *
 * The bytes go to a callback in pieces, in address order, each with its
 * status and how it was read, so memory use stays one batch (a few MiB)
 * whatever the size of the range.
 */
#ifndef MEMSIFT_MEMREAD_H
#define MEMSIFT_MEMREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_memread;

/* What became of a piece of the range. */
enum ms_mem_status {
	MS_MEM_READ = 1,	/* the process's bytes */
	MS_MEM_UNMAPPED,	/* in no mapping: zero-filled */
	MS_MEM_UNREADABLE,	/* mapped, but no method could read it ([vvar], a page
				   past the end of a mapped file): zero-filled */
	MS_MEM_NOT_RESIDENT,	/* skipped: neither present nor swapped
				   (MS_MEMREAD_RESIDENT_ONLY): zero-filled */
};

/* How a piece was read. */
enum ms_mem_method {
	MS_MEM_NONE = 0,	/* not read: zero-filled */
	MS_MEM_VM_READV,	/* process_vm_readv(2) */
	MS_MEM_PROC_MEM,	/* pread(2) on /proc/PID/mem */
	MS_MEM_PEEKDATA,	/* ptrace(PTRACE_PEEKDATA) */
};

/* Flags for ms_memread_new(). */
enum {
	/*
	 * The caller has the target ptrace-stopped (see <memsift/freeze.h>):
	 * PTRACE_PEEKDATA may be tried.  Never set otherwise: the reader does
	 * not attach on its own.
	 */
	MS_MEMREAD_PTRACED = 1,
	/* Skip pages /proc/PID/pagemap says are neither present nor swapped. */
	MS_MEMREAD_RESIDENT_ONLY = 2,
};

/* One piece of a range, handed to the callback. */
struct ms_mem_piece {
	uint64_t addr;			/* where it starts in the target */
	size_t len;			/* never 0 */
	const void *data;		/* LEN bytes; zeros unless MS_MEM_READ */
	enum ms_mem_status status;
	enum ms_mem_method method;
};

/*
 * Called for each piece, in address order; pieces are contiguous and cover
 * the range exactly.  P and its data are valid only during the call.
 * Return 0 to go on, or a negative errno to stop the read, which then
 * returns that code (the callback sets the context's message).
 */
typedef int (*ms_memread_cb)(const struct ms_mem_piece *p, void *data);

/*
 * Make a reader of the memory of PID.  MAPS, if not NULL, is borrowed (it
 * must outlive the reader) and tells a hole (MS_MEM_UNMAPPED) from a
 * mapped page that cannot be read (MS_MEM_UNREADABLE); without it every
 * failure is MS_MEM_UNREADABLE.  FLAGS is a mask of MS_MEMREAD_*.
 * On success *OUT owns a new reader; release it with ms_memread_free().
 *
 * Returns: 0, -ESRCH (no such process), -EPERM (/proc/PID/pagemap refused,
 * with MS_MEMREAD_RESIDENT_ONLY), or -ENOMEM.
 */
int ms_memread_new(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps,
		   unsigned int flags, struct ms_memread **out);

/* Release R; NULL is accepted. */
void ms_memread_free(struct ms_memread *r);

/*
 * The target was let go mid-read (a freeze cut short): from now on R reads
 * it as a running process (no PTRACE_PEEKDATA, unmaps looked for).
 */
void ms_memread_unfrozen(struct ms_memread *r);

/*
 * Read [START, END) of the target and hand it to CB in pieces.  START and
 * END need not be page-aligned.
 *
 * Returns: 0 when the whole range was covered (holes included); -ESRCH when
 * the process exited during the read (the pieces up to that point were
 * delivered; *DONE, if not NULL, gets the address reached); -EPERM when
 * the kernel refused to let this process read the target (the message
 * says why: Yama ptrace_scope, another uid, no CAP_SYS_PTRACE); -EINVAL
 * for an empty range; or what CB returned.
 */
int ms_memread_range(struct ms_ctx *ctx, struct ms_memread *r, uint64_t start,
		     uint64_t end, ms_memread_cb cb, void *data, uint64_t *done);

/* "read", "not mapped", "unreadable", "not resident". */
const char *ms_mem_status_name(enum ms_mem_status s);

/* "none", "process_vm_readv", "/proc/PID/mem", "PTRACE_PEEKDATA". */
const char *ms_mem_method_name(enum ms_mem_method m);

/*
 * Explain why PID may not be read, for an -EPERM: Yama's ptrace_scope,
 * another uid, or a missing CAP_SYS_PTRACE.  Sets the context's message to
 * "pid PID: ptrace refused (...); FIX" and returns -EPERM.
 */
int ms_memread_eperm(struct ms_ctx *ctx, pid_t pid);

/*
 * Read LEN bytes at ADDR of PID into BUF, all or nothing: a few words
 * (a vtable's typeinfo, an ELF header), not a range.  process_vm_readv(2)
 * first, then /proc/PID/mem; no reader to make or free.
 *
 * Returns: 0, -EIO when some byte cannot be read (unmapped, PROT_NONE
 * refused), -ESRCH (no such process), or -EPERM (the message says why).
 */
int ms_memread_peek(struct ms_ctx *ctx, pid_t pid, uint64_t addr, void *buf, size_t len);

#endif
