/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * References: which objects nothing reachable points to any more (lost,
 * as valgrind's "definitely lost" and chap's "leaked"), and who keeps the
 * objects of a growing cluster alive (retained: the chain up to a root).
 *
 * Both questions are asked of an image: every writable mapping, every
 * thread's registers and the module list, consistent in time.  A live
 * process gives it under a freeze (<memsift/freeze.h>): its writable
 * mappings are copied into an unlinked temporary file, and the process
 * runs on before any analysis starts, so the pause is only the copy.  An
 * ELF core (gcore, regiondump --format core) gives it as it is: its
 * segments are analysed in place, registers from its NT_PRSTATUS notes.
 *
 *	ms_refs_image_live(ctx, pid, cb, data, &img);	(or ms_refs_image_core)
 *	ms_refs_run(ctx, img, &r);
 *	... ms_refs_leak(r, i) ... ms_refs_chain(r, i) ...
 *	ms_refs_free(r);
 *	ms_refs_image_free(img);
 *
 * Memory use: the image stays in its file (the page cache holds it, not
 * this process), read through one mapping of it; the reference index is
 * the sorted objects (24 bytes each) and a few bitmaps over them.
 */
#ifndef MEMSIFT_REFS_H
#define MEMSIFT_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/analyse.h>
#include <memsift/cluster.h>
#include <memsift/ctx.h>

struct ms_refs_image;
struct ms_refs;

/* What ms_refs_image_live() tells its callback. */
enum ms_refs_event {
	MS_REFS_EV_FROZEN = 1,	/* every thread is stopped; TOTAL bytes are to be copied */
	MS_REFS_EV_PROGRESS,	/* DONE of TOTAL bytes of the image copied */
	MS_REFS_EV_THAWED,	/* the process runs again; DONE is the pause in ns */
};

typedef void (*ms_refs_event_cb)(enum ms_refs_event ev, uint64_t done, uint64_t total,
				 void *data);

/*
 * Freeze PID, copy its writable mappings, registers and maps into a new
 * image, and let it go.  The copy goes to an unlinked file in $TMPDIR (or
 * /tmp), so a killed caller leaves nothing behind, and the kernel resumes
 * the target if the caller dies while it is frozen.  A process that exits
 * meanwhile is not harmed: the image is then incomplete and this says so.
 * CB (may be NULL) hears each event.  On success *OUT owns the image;
 * release it with ms_refs_image_free().
 *
 * Returns: 0, -ESRCH (no such process, or it exited during the copy),
 * -EPERM (ptrace refused; the message says why), -EBUSY (another tracer
 * holds it), -EIO (the temporary file could not be written), or -ENOMEM.
 */
int ms_refs_image_live(struct ms_ctx *ctx, pid_t pid, ms_refs_event_cb cb, void *data,
		       struct ms_refs_image **out);

/*
 * Open the ELF core file at PATH as an image: its PT_LOAD segments, the
 * files of its NT_FILE note, the registers of its NT_PRSTATUS notes.
 * Returns: 0, -errno when PATH cannot be opened, -EPROTONOSUPPORT (not a
 * core), -ENOENT (no NT_FILE note: no module can be told), -EBADMSG, or
 * -ENOMEM.
 */
int ms_refs_image_core(struct ms_ctx *ctx, const char *path, struct ms_refs_image **out);

/* Release IMG (its temporary file goes with it); NULL is accepted. */
void ms_refs_image_free(struct ms_refs_image *img);

/*
 * What the image lacks that the roots need, one line, or NULL: a core
 * with no module's writable data (regiondump --anon writes only anonymous
 * memory), whose globals then hold nothing and whose objects they keep are
 * called unreferenced.
 */
const char *ms_refs_image_warning(const struct ms_refs_image *img);

/* How long the process was stopped, in nanoseconds; 0 for a core. */
uint64_t ms_refs_image_pause_ns(const struct ms_refs_image *img);
/* Threads (with their registers) and bytes of memory in the image. */
size_t ms_refs_image_nthreads(const struct ms_refs_image *img);
uint64_t ms_refs_image_bytes(const struct ms_refs_image *img);

/* Unreferenced objects of one cluster. */
#define MS_REFS_EXAMPLES 4
struct ms_refs_leak {
	const struct ms_cluster *cluster;	/* borrowed from the analysis; NULL: uncounted */
	uint64_t count, bytes;			/* unreferenced objects, their allocator size */
	uint64_t example[MS_REFS_EXAMPLES];	/* the first addresses, up to COUNT of them */
};

/* One link of a retention chain: a group of referrers of the link before it. */
enum ms_refs_holder {
	MS_REFS_OBJECTS = 1,	/* objects of one cluster */
	MS_REFS_BLOCK,		/* words in memory no finder cut into objects (a Go
				   backing array): one block, their span */
	MS_REFS_ROOT_DATA,	/* a module's writable data or bss: a global */
	MS_REFS_ROOT_STACK,	/* a thread's stack, from its stack pointer up */
	MS_REFS_ROOT_REGS,	/* a thread's registers */
	MS_REFS_ROOT_ANON,	/* memory of no module no one else points to */
};

#define MS_REFS_CHAIN_MAX 8
struct ms_refs_link {
	enum ms_refs_holder holder;
	const struct ms_cluster *cluster;	/* MS_REFS_OBJECTS: theirs */
	uint64_t count;		/* objects, or words holding the link before */
	uint64_t bytes;		/* of those objects, or the block's span */
	uint64_t addr;		/* the first of them, or the root word's address */
	uint64_t held;		/* bytes of the link before that these hold */
	char name[160];		/* roots: the symbol or thread; else "" */
};

struct ms_refs_chain {
	size_t nlinks;		/* links[0] is the cluster held; then each holder, up */
	struct ms_refs_link links[MS_REFS_CHAIN_MAX];
	bool rooted;		/* the last link is a root */
};

/*
 * Analyse IMG: the pipeline of <memsift/analyse.h> (objects and clusters),
 * then every object's words and the roots' words against the objects.
 * Roots: the registers, each thread's stack from its stack pointer (less
 * the 128-byte red zone) to the end of its mapping (thread-local storage
 * and the thread's descriptor live there for glibc's threads), and every
 * other writable mapping that is not a glibc heap (modules' data and bss,
 * the main thread's TLS, other allocators' memory).  Objects other than
 * glibc's (found by signature) count as reached: only glibc's objects are
 * ever called unreferenced.  Interior pointers count.  On success *OUT
 * owns the result; release it with ms_refs_free().
 *
 * Returns: 0, -errno when the image cannot be mapped, or -ENOMEM.
 */
int ms_refs_run(struct ms_ctx *ctx, struct ms_refs_image *img, struct ms_refs **out);

void ms_refs_free(struct ms_refs *r);

/* The analysis behind R (clusters, symbols, notes), borrowed. */
const struct ms_analysis *ms_refs_analysis(const struct ms_refs *r);

/* Objects indexed, those of glibc, and those of glibc reached from a root. */
uint64_t ms_refs_objects(const struct ms_refs *r);
uint64_t ms_refs_glibc_objects(const struct ms_refs *r);
uint64_t ms_refs_reached(const struct ms_refs *r);

/* Unreferenced objects by cluster, most bytes first; I from 0, NULL past the last. */
size_t ms_refs_leak_count(const struct ms_refs *r);
const struct ms_refs_leak *ms_refs_leak(const struct ms_refs *r, size_t i);

/*
 * Retention chains of the verdict's top cluster (<memsift/analyse.h>
 * ms_analysis_clauses()), the few holders with most bytes first, each
 * walked up, the holder with most bytes at each step, until a root.
 * Computed on first call; I from 0.
 * Returns: how many chains (0: no cluster, or nothing points at it).
 */
size_t ms_refs_chain_count(struct ms_ctx *ctx, struct ms_refs *r);

/*
 * Follow the cluster of KEY (a key of <memsift/cluster.h>, from another
 * analysis of the same process: leakhunt's verdict) instead of the
 * verdict's top cluster.  Call before ms_refs_chain_count().
 */
void ms_refs_select(struct ms_refs *r, uint64_t key);
const struct ms_refs_chain *ms_refs_chain(const struct ms_refs *r, size_t i);

/*
 * What a cluster holds, in a few words: its name (a symbol, a runtime
 * type), else its magic, text shape, fill byte or content.  Into BUF of
 * LEN bytes; returns BUF.
 */
char *ms_refs_cluster_str(const struct ms_cluster *c, char *buf, size_t len);

#endif
