/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by lib/growtrace.c and lib/growtrace-unwind.c: the offline unwinder. */
#ifndef MEMSIFT_GROWTRACE_PRIVATE_H
#define MEMSIFT_GROWTRACE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>

/* Deepest stack kept; deeper frames are cut (and the stack says so). */
#define GT_MAX_FRAMES 64

/* The user registers a sample carries, as perf_event_open(2) numbers them. */
struct gt_regs {
	uint64_t mask;		/* PERF_SAMPLE_REGS_USER mask asked for */
	const uint64_t *val;	/* one value per bit set in MASK, lowest bit first */
};

struct gt_unwind;

/* The perf register mask to ask for on this architecture; 0 when unknown. */
uint64_t ms_gt_unwind_regs_mask(void);

/*
 * An unwinder for live process PID's modules (reported from its maps now;
 * see ms_gt_unwind_refresh()).  Returns: 0, -EOPNOTSUPP (architecture), -EIO
 * (libdwfl failed; the message says why), -ENOMEM.
 */
int ms_gt_unwind_new(struct ms_ctx *ctx, pid_t pid, struct gt_unwind **out);

/* Report the modules mapped since (a dlopen); failures keep the old ones. */
void ms_gt_unwind_refresh(struct gt_unwind *u);

/*
 * Unwind thread TID's user stack from REGS and the SIZE bytes of stack
 * copied from its stack pointer up.  PCS gets at most MAX program counters,
 * innermost first; a caller's is its return address minus one, so it
 * names the call's line.  Returns the number of frames (at least 1), or 0
 * when the registers lack the pc.  *UNKNOWN is set when a pc fell in no
 * reported module (time to ms_gt_unwind_refresh()).
 */
size_t ms_gt_unwind(struct gt_unwind *u, pid_t tid, const struct gt_regs *regs,
		 const void *stack, uint64_t size, uint64_t *pcs, size_t max, bool *unknown);

void ms_gt_unwind_free(struct gt_unwind *u);

#endif
