/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dumping memory of a live process to a file, with a manifest saying what
 * each byte is.
 *
 * A dump is set up, then run once:
 *
 *	ms_dump_new(ctx, pid, &d);                 maps, comm, exe, time
 *	ms_dump_add_range(ctx, d, start, end);     or _add_mapping, _add_anon
 *	ms_dump_run(ctx, d, flags, format, fp);    the bytes, streamed to FP
 *	ms_dump_write_manifest(ctx, d, name, mfp); the JSON manifest
 *	ms_dump_free(d);
 *
 * Raw output is the ranges' bytes back to back, exactly what gdb's
 * "dump binary memory" writes for one readable range; what cannot be read
 * is zero-filled so every byte stays at its offset, and the manifest says
 * which.  Core output is an ELF core file: one PT_LOAD per range and an
 * NT_FILE note of the mapped files, which gdb and eu-readelf open.
 *
 * Memory use is one read batch (see <memsift/memread.h>) plus the list of
 * sub-ranges, whatever the size of the ranges.
 */
#ifndef MEMSIFT_DUMP_H
#define MEMSIFT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>
#include <memsift/memread.h>

struct ms_dump;
struct ms_patscan;

/* Output formats. */
enum ms_dump_format {
	MS_DUMP_RAW = 1,	/* the bytes, ranges back to back */
	MS_DUMP_CORE,		/* an ELF core file */
};

/* Flags for ms_dump_run(). */
enum {
	MS_DUMP_FREEZE = 1,		/* stop every thread for the dump (ptrace) */
	MS_DUMP_RESIDENT_ONLY = 2,	/* skip pages neither present nor swapped */
	MS_DUMP_ZSTD = 4,		/* compress the output with zstd */
	MS_DUMP_NO_CHECKSUM = 8,	/* no manifest to follow: the bytes are not hashed */
};

/* What ms_dump_run() tells its event callback. */
enum ms_dump_event {
	MS_DUMP_EV_FROZEN = 1,	/* every thread is stopped (MS_DUMP_FREEZE) */
	MS_DUMP_EV_PROGRESS,	/* a batch was written: DONE of TOTAL bytes */
	MS_DUMP_EV_UNFROZEN,	/* the freeze was let go (max pause): the rest is read live */
};

/*
 * Called by ms_dump_run() on each event, for a progress bar or a test's
 * hook.  It must not call back into the dump.
 */
typedef void (*ms_dump_event_cb)(enum ms_dump_event ev, uint64_t done, uint64_t total,
				 void *data);

/*
 * Start a dump of live process PID: read its maps, comm and exe now (the
 * manifest records the maps at this moment).  On success *OUT owns a new
 * ms_dump; release it with ms_dump_free().
 *
 * Returns: 0, -ESRCH (no such process), -EPERM (the message says why), or
 * -ENOMEM.
 */
int ms_dump_new(struct ms_ctx *ctx, pid_t pid, struct ms_dump **out);

/* Release D; NULL is accepted. */
void ms_dump_free(struct ms_dump *d);

/*
 * Add the range [START, END) to dump.  It may cover holes and unreadable
 * pages, but must overlap at least one mapping, and unless holes are allowed
 * (ms_dump_allow_holes()) its holes, which are zero-filled, may not exceed
 * MS_DUMP_HOLES_MAX where they are more than what is mapped.
 *
 * Returns: 0, -EINVAL (empty), -ENXIO (outside every mapping; the message
 * names the nearest mapping below and above), -EFBIG (mostly holes; the
 * message says how much is mapped), or -ENOMEM.
 */
#define MS_DUMP_HOLES_MAX (1ULL << 30)

/*
 * With MS_DUMP_FREEZE: let the target go after NS nanoseconds stopped and
 * read the rest from the running process; the manifest says where the cut
 * fell (0: stop for as long as the dump takes).
 */
void ms_dump_set_max_pause(struct ms_dump *d, uint64_t ns);

/* Where a freeze was let go (the first address read live), or 0. */
uint64_t ms_dump_pause_cut(const struct ms_dump *d);

/* Take ranges that are mostly holes too (zero-filled in the dump). */
void ms_dump_allow_holes(struct ms_dump *d, bool allow);

int ms_dump_add_range(struct ms_ctx *ctx, struct ms_dump *d, uint64_t start, uint64_t end);

/*
 * Add the whole mapping that contains ADDR.
 * Returns: 0, -ENXIO (no mapping contains ADDR; the message names the
 * nearest), or -ENOMEM.
 */
int ms_dump_add_mapping(struct ms_ctx *ctx, struct ms_dump *d, uint64_t addr);

/*
 * Add every readable private anonymous mapping: anonymous, [anon:NAME],
 * [heap] and [stack], with "r" and "p" in its permissions.
 * Returns: 0, -ENOENT (there is none), or -ENOMEM.
 */
int ms_dump_add_anon(struct ms_ctx *ctx, struct ms_dump *d);

/*
 * Add every readable mapping whose resident set grew since BASE (an older
 * snapshot of the same process: mapsnap's, or a copy of its smaps), as
 * mapsdiff follows mappings: grown in place, new, or split off.
 * Returns: 0, -ENOENT (nothing grew), -ESRCH, -EPERM, or -ENOMEM.
 */
int ms_dump_add_grown(struct ms_ctx *ctx, struct ms_dump *d, const struct ms_maps *base);

/*
 * Add every run of pages of the readable private anonymous mappings that is
 * new or was written since BASE hashed them (mapsnap --pages).  This reads
 * those mappings once to hash them before the dump reads the runs.
 * Returns: 0, -ENOENT (no page changed), -ESRCH, -EPERM, or -ENOMEM.
 */
struct ms_pagehash;
int ms_dump_add_changed(struct ms_ctx *ctx, struct ms_dump *d, const struct ms_pagehash *base);

/* Number of ranges added, and range I (0-based) as [*START, *END). */
size_t ms_dump_nranges(const struct ms_dump *d);
void ms_dump_range(const struct ms_dump *d, size_t i, uint64_t *start, uint64_t *end);

/* Bytes of memory the ranges cover. */
uint64_t ms_dump_total(const struct ms_dump *d);

/* Bytes of memory the run delivered (read, or zero-filled holes): less than the total when cut short. */
uint64_t ms_dump_read_bytes(const struct ms_dump *d);

/* The process's maps at ms_dump_new(), borrowed from D. */
const struct ms_maps *ms_dump_maps(const struct ms_dump *d);

/*
 * Redact the output with S, a scanner of <memsift/pattern.h> made a
 * redactor here (borrowed: it must outlive the run, and is fed by it).
 * Every byte its patterns match within one range is replaced by FILL
 * before it is written or hashed, so offsets and sizes stay those of an
 * unredacted dump; a match may straddle any two reads, not two ranges.
 * Matches are looked for within MS_DUMP_REDACT_WINDOW bytes.  The
 * manifest says how many bytes and matches were replaced, never what the
 * patterns were.  Call before ms_dump_run().
 *
 * Returns: 0, or -EBUSY once S was fed.
 */
#define MS_DUMP_REDACT_WINDOW 65536
int ms_dump_set_redact(struct ms_ctx *ctx, struct ms_dump *d, struct ms_patscan *s,
		       uint8_t fill);

/* Set the event callback; NULL for none (the default). */
void ms_dump_set_event_cb(struct ms_dump *d, ms_dump_event_cb cb, void *data);

/*
 * Read the ranges and write them to FP in FORMAT, with FLAGS (a mask of
 * MS_DUMP_*).  Holes and unreadable pages are zero-filled and recorded;
 * they never stop the dump.  Core output is written front to back, so FP
 * may be a pipe.  With MS_DUMP_FREEZE the process is stopped before the
 * first byte is read and resumed before this returns, on failure too.
 *
 * Returns: 0; -ESRCH when the process exited during the dump (what was
 * read is written and the dump is marked incomplete, see
 * ms_dump_complete(); a core file is zero-padded to its declared size);
 * -EPERM (ptrace refused; the message says why); -EBUSY (--freeze: another
 * tracer holds it); -EIO (writing FP failed); -EINVAL (no range, or run
 * twice); -ENOMEM.
 */
int ms_dump_run(struct ms_ctx *ctx, struct ms_dump *d, unsigned int flags,
		enum ms_dump_format format, FILE *fp);

/* After ms_dump_run(): true when every range was covered to its end. */
bool ms_dump_complete(const struct ms_dump *d);

/*
 * After ms_dump_run(): bytes with status ST (bytes of memory, before any
 * compression).
 */
uint64_t ms_dump_bytes(const struct ms_dump *d, enum ms_mem_status st);

/*
 * After ms_dump_run(): the sub-ranges, runs of one status and method in
 * address order.  Sub-range I is [*START, *END).
 */
size_t ms_dump_nsubranges(const struct ms_dump *d);
void ms_dump_subrange(const struct ms_dump *d, size_t i, uint64_t *start, uint64_t *end,
		      enum ms_mem_status *st, enum ms_mem_method *method);

/*
 * After ms_dump_run() with MS_DUMP_FREEZE: how long the process was
 * stopped, in nanoseconds; 0 otherwise.
 */
uint64_t ms_dump_pause_ns(const struct ms_dump *d);

/*
 * Write the manifest of a run dump to FP as JSON: pid, comm, exe and its
 * build-id, time, whether the target was stopped and for how long, the
 * requested ranges and their offsets in the output, every sub-range with
 * its status and how it was read, an xxh3-64 checksum of the memory bytes
 * (uncompressed, in range order, as written: after any redaction; for core
 * output, of the segments' bytes), what redaction replaced,
 * the mappings the ranges cover, and the full maps of the process at dump
 * time with the build-id of each mapped ELF file.  OUTPUT is the name of
 * the data file to record ("-" for stdout).
 *
 * Returns: 0, -EINVAL (the dump was not run), -EIO (writing failed), or
 * -ENOMEM.
 */
int ms_dump_write_manifest(struct ms_ctx *ctx, const struct ms_dump *d, const char *output,
			   FILE *fp);

#endif
