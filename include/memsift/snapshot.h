/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots: the mappings of a process at one moment, with who and when.
 *
 * The format mapsnap writes is text: "# key: value" header lines, then the
 * process's smaps exactly as the kernel printed it, so grep, diff and any
 * smaps reader work on it and nothing is lost.
 *
 *   # memsift snapshot 1
 *   # pid: 4242
 *   # comm: leaker
 *   # cmdline: ./leaker --fast
 *   # time: 2026-11-23T19:30:00.123456789Z
 *   # boottime: 12345.678901234
 *   # pagesize: 4096
 *   # kernel: 6.1.0-26-amd64
 *   # source: /proc/4242/smaps
 *   # cgroup: /system.slice/leaker.service
 *   # memory.max: 1073741824
 *   # thread: 4242 0x7ffc2d1e8a40 leaker
 *   55d8a0a00000-55d8a0a21000 r--p 00000000 fe:01 1311 /usr/bin/leaker
 *   Size: ...
 *
 * Header keys not known to a reader are kept and ignored, so later versions
 * can add some.  Loading also takes raw copies of smaps, smaps_rollup and
 * maps, and saved pmap output (see <memsift/pmap.h> for what it loses);
 * what a copy cannot say (time, and the pid but for pmap's) reads as unknown.
 */
#ifndef MEMSIFT_SNAPSHOT_H
#define MEMSIFT_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

struct ms_snapshot;

/* What a loaded file was. */
enum ms_snapshot_format {
	MS_SNAP_FMT_MEMSIFT = 1,	/* mapsnap's own format */
	MS_SNAP_FMT_SMAPS,		/* a raw copy of /proc/PID/smaps */
	MS_SNAP_FMT_ROLLUP,		/* a raw copy of /proc/PID/smaps_rollup */
	MS_SNAP_FMT_MAPS,		/* a raw copy of /proc/PID/maps: sizes only */
	MS_SNAP_FMT_PMAP,		/* saved pmap output: sizes only */
	MS_SNAP_FMT_PMAP_X,		/* saved pmap -x output: Size, Rss, Dirty */
	MS_SNAP_FMT_PMAP_MORE,		/* saved pmap -X output */
	MS_SNAP_FMT_PMAP_ALL,		/* saved pmap -XX output: every field */
};

/*
 * Take a snapshot of live process PID: its smaps and the header facts,
 * including a "thread" line per thread (TID, stack pointer, name) and the
 * cgroup with its memory.max, so that stacks and limits are known offline.
 * Returns: 0, -ESRCH, -EPERM, -ENODATA (no mappings: a kernel thread),
 * -EBADMSG (the kernel printed something unparseable), or -ENOMEM.
 */
int ms_snapshot_take(struct ms_ctx *ctx, pid_t pid, struct ms_snapshot **out);

/* Flags for ms_snapshot_stream() and ms_snapshot_take_flags(). */
enum {
	/*
	 * Also hash every page of the anonymous mappings into "pages" header
	 * lines (see <memsift/pagehash.h>), for regiondump --changed-since.
	 * This reads the process's memory: it costs as much as a dump of it.
	 * ms_snapshot_stream() only.
	 */
	MS_SNAP_PAGES = 1,
	/*
	 * Keep the parsed mappings and not the smaps text (about 700 bytes a
	 * mapping), for a caller that never writes the snapshot out: it
	 * cannot be given to ms_snapshot_write().  ms_snapshot_take_flags() only.
	 */
	MS_SNAP_NO_TEXT = 2,
};

/*
 * As ms_snapshot_take(), with FLAGS (MS_SNAP_NO_TEXT).  smaps is parsed as
 * it is read either way, so memory never holds the text twice.
 */
int ms_snapshot_take_flags(struct ms_ctx *ctx, pid_t pid, unsigned int flags,
			   struct ms_snapshot **out);

/*
 * Write a snapshot of live process PID to FP in mapsnap's format without
 * keeping or parsing it: the header, then smaps copied as it is read, in
 * bounded memory, at about the cost of cat(1).  On failure part of it may
 * have been written: write to an ms_outfile and abort it.
 * Returns: as ms_snapshot_take(), or the write error.
 */
int ms_snapshot_stream(struct ms_ctx *ctx, pid_t pid, unsigned int flags, FILE *fp);

/*
 * Load a snapshot from FP in any format above, detected from its first
 * 64 KiB, then parsed as it is read: memory holds the mappings, not the
 * file, and a file that is not a capture is refused at its first bad line
 * (a NUL byte, a line longer than 1 MiB, a line of no known shape).  At
 * most MS_INPUT_MAX bytes are read (see <memsift/maps.h>); a regular file
 * larger than that is refused unread.  NAME is used in messages, which
 * name the file, the line and the byte offset, never the content.
 * Returns: 0, -EBADMSG (not a capture, or malformed), -EFBIG (past
 * MS_INPUT_MAX), -EISDIR, -EPROTONOSUPPORT (pmap output of no known
 * kind), -EIO, or -ENOMEM.
 */
int ms_snapshot_load(struct ms_ctx *ctx, FILE *fp, const char *name,
		     struct ms_snapshot **out);

/* As ms_snapshot_load() on the file at PATH; "-" is stdin. */
int ms_snapshot_load_path(struct ms_ctx *ctx, const char *path,
			  struct ms_snapshot **out);

/*
 * The snapshots of a series in directory DIR: its regular files that are not
 * hidden (a file being written by mapsnap or mapswatch is), in version order
 * ("2.snap" before "10.snap"), as "DIR/NAME".  *PATHS is a new array of *N
 * strings, each and the array the caller's to free().
 * Returns: 0 (with *N possibly 0), -ENOMEM, or the opendir(3) error naming DIR.
 */
int ms_snapshot_list_dir(struct ms_ctx *ctx, const char *dir, char ***paths, size_t *n);

/*
 * Write S in mapsnap's format: header, then the smaps text unchanged.  Only
 * a snapshot from ms_snapshot_take() has that text: a loaded one, or one
 * taken with MS_SNAP_NO_TEXT, gives -EINVAL.  Returns: 0, -EINVAL, or the write error.
 */
int ms_snapshot_write(struct ms_ctx *ctx, const struct ms_snapshot *s, FILE *fp);

/* Release S; NULL is accepted. */
void ms_snapshot_free(struct ms_snapshot *s);

enum ms_snapshot_format ms_snapshot_format(const struct ms_snapshot *s);

/* The format in words, for messages: "a memsift snapshot", "a copy of smaps"... */
const char *ms_snapshot_format_str(const struct ms_snapshot *s);

/* The mappings, borrowed from S. */
const struct ms_maps *ms_snapshot_maps(const struct ms_snapshot *s);

/* The pid, or 0 when the input did not say (a raw copy). */
pid_t ms_snapshot_pid(const struct ms_snapshot *s);

/*
 * A header value by key ("comm", "cmdline", "kernel"...), or NULL when
 * absent.  Borrowed from S.
 */
const char *ms_snapshot_get(const struct ms_snapshot *s, const char *key);

/*
 * A header value as the process gave it: the header writes a control byte
 * or a backslash of a comm or command line as \xNN, to stay on one line
 * and safe on a terminal; this undoes that, for JSON, whose writer escapes
 * on its own.  Returns a new string (free() it), or NULL for a NULL V or
 * no memory.
 */
char *ms_snapshot_unescape(const char *v);

/* The Nth value (0-based) of a key that repeats ("thread", "pages"); NULL past the last. */
const char *ms_snapshot_get_nth(const struct ms_snapshot *s, const char *key, size_t n);

/*
 * Redact, in place, the header values of S that a user or a program names
 * (cmdline, comm, thread names), with SCAN's patterns: a command line holds
 * passwords as often as memory does.  The smaps text is left as it is.
 * Returns: 0, or an error of ms_patscan_redact_buf().
 */
struct ms_patscan;
int ms_snapshot_redact(struct ms_ctx *ctx, struct ms_snapshot *s, struct ms_patscan *scan);

/*
 * Whether A and B are snapshots of one process: the same pid, and where both
 * record them, the same start time (a reused pid starts anew) and the same
 * executable (an exec changes it).  When not, WHY (LEN bytes) says how, to
 * follow "pid N ": "was reused: another process started with it".
 */
bool ms_snapshot_same_process(const struct ms_snapshot *a, const struct ms_snapshot *b,
			      char *why, size_t len);

/*
 * The page hashes S holds (mapsnap --pages), for regiondump --changed-since.
 * NAME names S in messages.  On success *OUT owns a new ms_pagehash.
 * Returns: 0, -ENOENT (S has none), -EBADMSG, or -ENOMEM.
 */
struct ms_pagehash;
int ms_snapshot_pagehash(struct ms_ctx *ctx, const struct ms_snapshot *s, const char *name,
			 struct ms_pagehash **out);

/*
 * Wall-clock time of the snapshot in *TS.  Returns 0, or -ENOENT when the
 * input did not record it.
 */
int ms_snapshot_time(const struct ms_snapshot *s, struct timespec *ts);

/* Seconds since boot (CLOCK_BOOTTIME) at the snapshot; -1 when unknown. */
double ms_snapshot_boottime(const struct ms_snapshot *s);

/*
 * Thread IDX: its TID, stack pointer (0 when the kernel did not say, e.g.
 * the thread was running) and name (borrowed from S; may be NULL).
 * Returns: 0, -ENOENT past the last thread, -EBADMSG on a malformed line.
 */
int ms_snapshot_thread(const struct ms_snapshot *s, size_t idx, pid_t *tid, uint64_t *sp,
		       const char **comm);

#endif
