/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The code paths that make a process's memory grow.  RSS grows only when a
 * page is touched the first time, so page faults on private writable memory
 * are the growth (Brendan Gregg's page fault flame graphs).  A trace opens
 * perf_event_open(2)'s software event PERF_COUNT_SW_PAGE_FAULTS on every
 * thread of a live process, with the faulting address, the user registers
 * and a copy of the user stack; the stacks are unwound here with libdwfl
 * (CFI, then frame pointers), never in the target, which is not stopped.
 *
 *	ms_growtrace_new(ctx, pid, NULL, &gt);
 *	while (!stop && (rc = ms_growtrace_poll(ctx, gt, 200)) == 0)
 *		;
 *	ms_growtrace_finish(ctx, gt);
 *	for (i = 0; i < ms_growtrace_stack_count(gt); i++)
 *		... ms_growtrace_stack(gt, i)->resident ...
 *	ms_growtrace_free(gt);
 *
 * The perf events belong to the file descriptors this module holds: they
 * end with ms_growtrace_free() or with the process holding them, killed or
 * not, and leave nothing behind in the target.
 */
#ifndef MEMSIFT_GROWTRACE_H
#define MEMSIFT_GROWTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>

struct ms_growtrace;

/* Settings of a trace; zero fields take the defaults. */
struct ms_growtrace_opts {
	/*
	 * Samples per second and thread up to which every fault is sampled;
	 * past it the kernel samples one fault in a period it adjusts on each
	 * tick to keep this rate (perf's frequency mode), and each sample
	 * weighs its period.  The seconds are the thread's running time, not
	 * the clock's: a thread that grows in short bursts gets few samples.
	 * Each sample costs the thread a few microseconds of its own time
	 * (the kernel copies its registers and stack), so the rate bounds
	 * the slowdown of a thread that keeps faulting: about FREQ x that
	 * cost.  Below the default MS_GROWTRACE_FREQ the kernel's period
	 * runs away on a thread that grows in bursts between sleeps (4000:
	 * periods of 500 faults, 44 samples where 10000 takes 1274; see
	 * bench/growtrace.sh), and the shares are a guess.  Lowered to
	 * kernel.perf_event_max_sample_rate when above it.
	 */
	uint64_t freq;
	/*
	 * Bytes of user stack copied per sample; default
	 * MS_GROWTRACE_STACK_SIZE, at most 65528.  Stacks that go on past the
	 * copy are cut there, and counted (ms_growtrace_summary.cut).
	 */
	uint32_t stack_size;
};

#define MS_GROWTRACE_FREQ 10000
#define MS_GROWTRACE_STACK_SIZE 4096

/* Why a trace ended early (ms_growtrace_poll()'s positive return). */
enum {
	MS_GROWTRACE_EXITED = 1,	/* the target exited */
};

/*
 * One frame of a growth stack, innermost first.  A function the compiler
 * inlined is a frame of its own, as in `perf report --inline` and pprof:
 * one pc gives the frames of the functions inlined there (INLINED, each
 * with its line: the pc's for the innermost, the call's for the others),
 * then the function holding the code, with the line of its call.
 */
struct ms_growtrace_frame {
	uint64_t pc;		/* the instruction (a return address minus one for callers) */
	const char *name;	/* function (demangled), or MODULE+0xOFFSET, or "0xPC" */
	const char *module;	/* the ELF file, or NULL */
	const char *file;	/* source file, or NULL */
	int line;		/* 0 when unknown */
	/* Why the name is MODULE+0xOFFSET, or which file it was read from; or NULL. */
	const char *note;
	bool inlined;		/* inlined into the next frame, which has the same pc */
};

/* A distinct stack and the growth it made, in one kind of mapping. */
struct ms_growtrace_stack {
	size_t nframes;
	const struct ms_growtrace_frame *frames;	/* innermost first */
	const char *mapping;	/* what the faults landed in: "heap (brk)", "anon"... */
	uint64_t faults;	/* faults, estimated from the samples' periods */
	uint64_t samples;	/* samples taken */
	uint64_t grown;		/* bytes made resident: faults x page size */
	uint64_t resident;	/* of which still resident at the end (freed pages netted) */
	double first, last;	/* seconds since attach of its first and last sample */
};

/* What the whole trace saw. */
struct ms_growtrace_summary {
	pid_t pid;
	double duration;	/* seconds from attach to finish */
	uint64_t freq;		/* the sampling rate asked for (samples/s a thread) */
	uint64_t stack_size;	/* bytes of user stack copied per sample */
	uint64_t page_size;
	uint64_t threads;	/* threads traced, followed ones included */
	uint64_t samples;	/* growth samples kept */
	uint64_t faults;	/* all page faults the counters counted, growth or not */
	uint64_t growth_faults;	/* faults estimated on private writable memory */
	uint64_t other_faults;	/* faults estimated elsewhere (code, files, shared) */
	uint64_t lost;		/* samples the kernel dropped: ring buffer full */
	/*
	 * Faults counted while the kernel throttled sampling (past
	 * kernel.perf_event_max_sample_rate), spread over the stacks in
	 * proportion to their sampled faults.
	 */
	uint64_t unsampled;
	uint64_t unwind_failed;	/* samples whose stack ended at the first frame */
	uint64_t cut;		/* samples whose stack went on past the copy (stack_size) */
	bool every_fault;	/* no sample weighed more than one fault */
	uint64_t max_period;	/* the largest period seen */
	uint64_t grown;		/* bytes made resident by the faults traced */
	uint64_t resident;	/* of which still resident at the end */
	bool netted;		/* freed pages netted (the target was alive at the end) */
	/* The process's anonymous memory (smaps_rollup Anonymous) at attach and end. */
	uint64_t anon_before, anon_after;
	bool have_after;	/* anon_after known: the target was alive at the end */
	bool exited;		/* the target exited during the trace */
	/* Bytes grown per second of the trace, one entry per second. */
	size_t nrate;
	const uint64_t *rate;
};

/*
 * Attach to every thread of live process PID.  OPTS may be NULL.  Nothing
 * in the target is stopped or changed.  On success *OUT owns the trace;
 * release it with ms_growtrace_free().
 *
 * Returns: 0; -ESRCH when PID is gone; -EACCES or -EPERM when the kernel
 * refuses the event (the message names why: kernel.perf_event_paranoid,
 * CAP_PERFMON, a seccomp filter or a container, and the fix);
 * -EOPNOTSUPP on an architecture whose registers this module does not
 * know, or a kernel without the event; -EIO when libdwfl fails; -ENOMEM.
 */
int ms_growtrace_new(struct ms_ctx *ctx, pid_t pid, const struct ms_growtrace_opts *opts,
		     struct ms_growtrace **out);

/* Threads traced so far. */
size_t ms_growtrace_threads(const struct ms_growtrace *gt);

/*
 * Wait up to TIMEOUT_MS milliseconds for samples, read and unwind all that
 * are there, and start tracing threads that appeared since without being
 * followed by inheritance.  A signal ends the wait early (returns 0).
 *
 * Returns: 0; MS_GROWTRACE_EXITED once the target has exited (every sample
 * it left is read); or a negative errno (-ENOMEM).
 */
int ms_growtrace_poll(struct ms_ctx *ctx, struct ms_growtrace *gt, int timeout_ms);

/*
 * End the trace: read the last samples, close the events (the target runs
 * on untraced), net the pages freed since (those no longer present in
 * /proc/PID/pagemap, when the target lives), read its memory once more,
 * name the frames and rank the stacks by resident bytes.  Call once; the
 * getters below need it.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_growtrace_finish(struct ms_ctx *ctx, struct ms_growtrace *gt);

/* The summary, borrowed from GT. */
const struct ms_growtrace_summary *ms_growtrace_summary(const struct ms_growtrace *gt);

/* Stacks, ranked by resident bytes (then grown); stack I or NULL, borrowed. */
size_t ms_growtrace_stack_count(const struct ms_growtrace *gt);
const struct ms_growtrace_stack *ms_growtrace_stack(const struct ms_growtrace *gt, size_t i);

/*
 * The report, after ms_growtrace_finish().  ms_growtrace_print_summary()
 * writes the lines above the table: what was traced, how it was sampled,
 * the share of the process's growth the stacks explain, and the rate over
 * time.  ms_growtrace_write_json() the whole result as JSON (summary and
 * stacks with their frames), ms_growtrace_write_folded() one line per stack
 * for flamegraph.pl ("outer;...;inner BYTES", resident bytes),
 * ms_growtrace_write_pprof() a gzipped profile.proto with the values
 * faults/count, grown/bytes and resident/bytes (the default) and a
 * "mapping" label.
 *
 * ms_growtrace_stack_str() writes stack S as "inner ← caller ← ..." with
 * the innermost frame's file:line, at most MAX frames (0: all), into BUF of
 * LEN bytes, and returns BUF.
 *
 * Returns (the writers): 0, -EIO on a write error, or -ENOMEM.
 */
void ms_growtrace_print_summary(const struct ms_growtrace *gt, FILE *fp);
int ms_growtrace_write_json(const struct ms_growtrace *gt, FILE *fp);
int ms_growtrace_write_folded(const struct ms_growtrace *gt, FILE *fp);
int ms_growtrace_write_pprof(struct ms_ctx *ctx, const struct ms_growtrace *gt, FILE *fp);
char *ms_growtrace_stack_str(const struct ms_growtrace_stack *s, size_t max, char *buf,
			     size_t len);

/*
 * The join with a dump's objects: of the sampled pages still resident at
 * the end that lie in the N ranges [STARTS[I], ENDS[I]) (where a cluster's
 * objects are), the culprit (ms_growtrace_culprit_str(), file:line aside)
 * whose stacks first touched the most, and in *SHARE its part of them (0
 * to 1).
 * Returns: the rank of its heaviest stack (for ms_growtrace_stack()),
 * -ENOENT when no sampled
 * page lies there (or before ms_growtrace_finish()), or -ENOMEM.
 */
long ms_growtrace_top_in(const struct ms_growtrace *gt, const uint64_t *starts,
			 const uint64_t *ends, size_t n, double *share);

/*
 * The code a person reads as the culprit of S: its first two frames in
 * the program's own code, past the allocator and the runtime (frames in
 * shared libraries, Go's runtime.*, code from the system's headers such
 * as std::vector's, inlined or not), with the first one's file:line:
 * "parse_request ← serve (server.c:55)"; "" when no frame is the program's
 * own named code (a stripped interpreter).  Into BUF of LEN bytes; returns BUF.
 */
char *ms_growtrace_culprit_str(const struct ms_growtrace_stack *s, char *buf, size_t len);

/* Release GT, closing its events; NULL is accepted. */
void ms_growtrace_free(struct ms_growtrace *gt);

#endif
