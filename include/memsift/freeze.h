/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stopping every thread of a process for a consistent image, and letting it
 * go again: PTRACE_SEIZE and PTRACE_INTERRUPT on each thread in
 * /proc/PID/task.  Unlike PTRACE_ATTACH this sends no SIGSTOP, so nothing
 * is left pending and no group stop can outlive us: if the freezing
 * process dies, even by SIGKILL, the kernel detaches and the target runs on.
 */
#ifndef MEMSIFT_FREEZE_H
#define MEMSIFT_FREEZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>

struct ms_freeze;

/*
 * Stop every thread of PID, threads started meanwhile included (the task
 * list is read again until it holds no thread not yet stopped).  On success
 * *OUT owns the frozen state; ms_freeze_free() resumes the process.
 *
 * Returns: 0, -ESRCH (no such process), -EPERM (ptrace refused; the message
 * says why, see ms_memread_eperm()), -EBUSY (another tracer has it: gdb,
 * strace), or -ENOMEM.  On failure every thread already stopped is resumed.
 */
int ms_freeze_new(struct ms_ctx *ctx, pid_t pid, struct ms_freeze **out);

/* Resume every thread and release F; NULL is accepted. */
void ms_freeze_free(struct ms_freeze *f);

/*
 * Whether every thread F stopped is still stopped, as the kernel's state
 * says ("t", tracing stop).  SIGKILL wakes a stopped thread at once to die,
 * while its memory and maps may still read for a moment: this tells a copy
 * taken under the freeze from one of a process killed meanwhile.
 */
bool ms_freeze_intact(struct ms_ctx *ctx, const struct ms_freeze *f);

/* Number of threads stopped. */
size_t ms_freeze_nthreads(const struct ms_freeze *f);

/* Thread I's id (I from 0, below ms_freeze_nthreads()), for PTRACE_GETREGSET. */
pid_t ms_freeze_tid(const struct ms_freeze *f, size_t i);

/* Nanoseconds (CLOCK_MONOTONIC) from the first thread stopped to now. */
uint64_t ms_freeze_elapsed_ns(const struct ms_freeze *f);

#endif
