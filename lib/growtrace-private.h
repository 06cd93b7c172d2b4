/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by growtrace's files: the trace's state (growtrace.c reads and
 * sums the records), its events (growtrace-perf.c) and the offline unwinder
 * (growtrace-unwind.c).
 */
#ifndef MEMSIFT_GROWTRACE_PRIVATE_H
#define MEMSIFT_GROWTRACE_PRIVATE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/growtrace.h>
#include <memsift/maps.h>
#include <memsift/symbol.h>

/* Deepest stack kept; deeper frames are cut. */
#define GT_MAX_FRAMES 64

struct gt_unwind;

/* Data pages of each CPU's ring buffer (a power of two), and fewer if refused. */
#define RING_PAGES 2048
#define RING_PAGES_MIN 16
/* Look for new threads at most this often (ns). */
#define TASKS_RESCAN_NS 100000000ULL

/* Samples a LOST record's weight is spread over. */
#define RECENT 16

/*
 * One ring buffer per CPU, which every event on that CPU writes to: the
 * kernel maps an inherited event (one that follows new threads) only when
 * it is bound to a CPU, so a thread has one event per CPU.
 */
struct gt_ring {
	int cpu;		/* -1: the CPU is offline */
	int fd;			/* the event it is mapped from; -1 before the first */
	void *base;		/* metadata page, then the data pages */
	size_t data_size;
	/* The last samples taken from it (RECENT of them, a ring), for lost_samples(). */
	long recent[RECENT];
	size_t nrecent;
};

struct gt_event {
	pid_t tid;
	int fd;
};

struct gt_stack {
	uint64_t hash;
	uint64_t *pcs;
	uint32_t npcs;
	uint32_t label;		/* index in labels */
	uint64_t faults, samples, resident_faults;
	uint64_t first, last;	/* ns */
	struct ms_growtrace_frame *frames;	/* NFRAMES: PCS with their inline frames */
	size_t nframes;
};

/* A pc named: its frames, POOL[FIRST] to POOL[FIRST + N - 1], inlined ones first. */
struct gt_named {
	uint64_t pc;
	uint32_t first, n;
};

/* A sampled fault, kept to net the page later if it is freed. */
struct gt_sample {
	uint64_t page;
	uint64_t weight;
	uint64_t period;	/* the period it was taken at */
	uint32_t stack;
	uint32_t seq;		/* order taken: of two samples of a page, the last counts */
	bool resident;		/* its page is still there at the end (see net_freed()) */
};

/* A data mapping seen in a PERF_RECORD_MMAP2: what maps may no longer show. */
struct gt_shadow {
	uint64_t start, end;
	uint32_t prot, flags;
	int label;		/* index in labels */
};

/* A thread seen in a PERF_RECORD_FORK: traced by inheritance from ITS parent event. */
struct gt_child {
	pid_t tid;
	uint64_t time;
};

struct ms_growtrace {
	pid_t pid;
	struct ms_growtrace_opts opts;
	bool exclude_kernel;
	struct gt_ring *ring;
	size_t nring;
	struct gt_event *ev;
	size_t nev, cap_ev;
	unsigned char *q;	/* records copied out of the rings, not yet unwound */
	size_t nq, cap_q, qhead;
	pid_t *tids;		/* threads opened (each on every CPU) */
	size_t ntids, cap_tids;
	struct pollfd *pfd;
	size_t cap_pfd;
	struct gt_child *child;
	size_t nchild, cap_child;
	struct gt_shadow *shadow;
	size_t nshadow, cap_shadow;
	uint64_t start, last_scan, last_maps;
	struct gt_unwind *uw;
	/* Names the frames (demangled, files checked by build-id); NULL: uw names them. */
	struct ms_symbols *sym;
	struct ms_maps *maps;
	int *maplabel;		/* per mapping of MAPS: index in labels, -1 not yet */
	char **labels;
	size_t nlabels;
	struct gt_stack *stacks;
	size_t nstacks, cap_stacks;
	/* Each distinct pc of the stacks, sorted, named once at the end. */
	struct gt_named *named;
	size_t nnamed;
	struct ms_growtrace_frame *pool;
	size_t npool, cap_pool;
	size_t *htab;		/* open addressing: stack index + 1, 0 empty */
	size_t hcap;
	struct gt_sample *samples;
	size_t nsamples, cap_samples;
	uint64_t *rate;
	size_t nrate;
	bool finished, exited;
	struct ms_growtrace_summary sum;
	size_t *rank;
	struct ms_growtrace_stack *out;	/* in rank order, after finish */
};

/* Grow the array at *PP of *CAP elements of SIZE bytes to hold NEED: 0 or -ENOMEM. */
int ms_gt_grow(void *pp, size_t *cap, size_t need, size_t size);

/*
 * The events (growtrace-perf.c).  ms_gt_rings_new() makes the rings, one per
 * possible CPU (mapped when the first event of the CPU is opened);
 * ms_gt_open_thread() opens TID's events on every CPU: 0, -ESRCH (gone), the
 * refusal's -errno with the message saying why, or -ENOMEM.
 * ms_gt_close_all() unmaps and closes everything; ms_gt_counted_faults() is
 * the faults the events counted, read before closing them.
 * ms_gt_max_sample_rate() is kernel.perf_event_max_sample_rate, 0 unknown.
 */
int ms_gt_rings_new(struct ms_ctx *ctx, struct ms_growtrace *gt);
int ms_gt_open_thread(struct ms_ctx *ctx, struct ms_growtrace *gt, pid_t tid);
void ms_gt_close_all(struct ms_growtrace *gt);
uint64_t ms_gt_counted_faults(const struct ms_growtrace *gt);
long ms_gt_max_sample_rate(void);

/*
 * Name the frames of every stack (growtrace-names.c), the functions inlined
 * at each pc included.  Returns: 0 or -ENOMEM.
 */
int ms_gt_name_stacks(struct ms_ctx *ctx, struct ms_growtrace *gt);

/* The user registers a sample carries, as perf_event_open(2) numbers them. */
struct gt_regs {
	uint64_t mask;		/* PERF_SAMPLE_REGS_USER mask asked for */
	const uint64_t *val;	/* one value per bit set in MASK, lowest bit first */
};

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
 * copied from its stack pointer up, of ASKED asked for.  PCS gets at most
 * MAX program counters, innermost first; a caller's is its return address
 * minus one, so it names the call's line.  Returns the number of frames (at
 * least 1), or 0 when the registers lack the pc.  *UNKNOWN is set when a pc
 * fell in no reported module (time to ms_gt_unwind_refresh()); *CUT when
 * the stack went on past a full copy (a larger copy would see more).
 */
size_t ms_gt_unwind(struct gt_unwind *u, pid_t tid, const struct gt_regs *regs,
		 const void *stack, uint64_t size, uint64_t asked, uint64_t *pcs, size_t max,
		 bool *unknown, bool *cut);

/*
 * Name program counter PC from the process's modules as the unwinder's
 * libdwfl reads them (the symbol table, the line table): the function, its
 * module's path, the source file and line; NULL and 0 for what is unknown.
 * The strings live as long as U.  Only for a pc the symbolizer of
 * <memsift/symbol.h> places in no module (one mapped after its maps were
 * read, in a target gone by the end): names are otherwise its
 * (ms_symbols_lookup_code(): demangled, files checked by build-id).
 */
void ms_gt_unwind_name(struct gt_unwind *u, uint64_t pc, const char **name, const char **module,
		       const char **file, int *line);

void ms_gt_unwind_free(struct gt_unwind *u);

#endif
