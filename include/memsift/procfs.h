/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one place that builds /proc/PID/... paths and turns their errors into
 * messages a user can act on.
 */
#ifndef MEMSIFT_PROCFS_H
#define MEMSIFT_PROCFS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>

/*
 * Read the whole of /proc/PID/NAME ("smaps", "comm", "task/123/stat"...)
 * into a new NUL-terminated buffer; *BUF is the caller's to free(), *LEN its
 * length without the NUL.  Reads in large chunks: /proc files have no size.
 *
 * Returns: 0, -ESRCH (no such process), -EPERM (permission denied; the
 * message says how to get it), -ENOENT (the process has no such file),
 * -ENOMEM, or another negative errno from open/read.
 */
int ms_procfs_read(struct ms_ctx *ctx, pid_t pid, const char *name, char **buf,
		   size_t *len);

/*
 * Read everything from file descriptor FD into a new NUL-terminated buffer,
 * as ms_procfs_read() does; WHAT names the file in messages.  There is no
 * limit: it is for /proc files, whose size the kernel bounds.  A file a
 * user names goes through a stream parser instead (ms_snapshot_load(),
 * ms_maps_parse(), ms_pmap_parse()), which read at most MS_INPUT_MAX.
 * Returns: 0, -ENOMEM, or the read(2) error as -errno.
 */
int ms_read_fd_all(struct ms_ctx *ctx, int fd, const char *what, char **buf,
		   size_t *len);

/*
 * Read FP line by line, as logs are read (the kernel's, Go's gctrace): call
 * FN(DATA, LINE, LEN, LINENO) for each line of at most MAX bytes, newline
 * removed, LINE NUL-terminated after LEN bytes (it may hold NULs itself; a
 * last line without a newline counts).  A longer line is never passed
 * whole or cut: it is counted in *NLONG and skipped, unless it goes on for
 * more than 1 MiB past MAX, when the input is taken for no text at all
 * (/dev/zero, a disk image) and refused.  *NLINES gets the number of lines
 * read, long ones included.  NAME names FP in messages.
 * Returns: 0, what FN returned when it was negative (reading stops there),
 * -EBADMSG (a line past MAX + 1 MiB), -ENOMEM, or -EIO on a read error.
 */
int ms_read_lines(struct ms_ctx *ctx, FILE *fp, const char *name, size_t max,
		  int (*fn)(void *data, char *line, size_t len, unsigned long lineno),
		  void *data, unsigned long *nlines, unsigned long *nlong);

/* True while /proc/PID exists (a zombie counts). */
int ms_procfs_pid_exists(pid_t pid);

/* The uid that owns /proc/PID (the process's effective uid), in *UID; 0 or -ESRCH. */
int ms_procfs_owner(pid_t pid, uid_t *uid);

/*
 * Open /proc/PID/NAME ("mem", "pagemap", "map_files/START-END") with open(2)
 * FLAGS (O_CLOEXEC is added) and put the descriptor, the caller's to
 * close(), in *FD.
 *
 * Returns: 0, -ESRCH (no such process), -EPERM (permission denied; the
 * message says how to get it), -ENOENT, or another negative errno.
 */
int ms_procfs_open(struct ms_ctx *ctx, pid_t pid, const char *name, int flags, int *fd);

/*
 * Read the symbolic link /proc/PID/NAME ("exe", "cwd") into a new
 * NUL-terminated string, the caller's to free().
 * Returns: 0, -ESRCH, -EPERM, -ENOENT (a kernel thread has no exe), or -ENOMEM.
 */
int ms_procfs_readlink(struct ms_ctx *ctx, pid_t pid, const char *name, char **out);

/*
 * List the threads of PID from /proc/PID/task, in the order the kernel
 * gives them.  *TIDS is a new array of *N thread ids, the caller's to free().
 * Threads start and exit meanwhile: a caller that needs them all (stopping
 * every thread) lists again until nothing new appears.
 * Returns: 0, -ESRCH, -EPERM, or -ENOMEM.
 */
int ms_procfs_tasks(struct ms_ctx *ctx, pid_t pid, pid_t **tids, size_t *n);

/*
 * List every process in /proc (thread group leaders, not threads), in
 * increasing pid order.  *PIDS is a new array of *N pids, the caller's to
 * free() (NULL when *N is 0).  Processes come and go while the list is read:
 * a pid listed may be gone by the time it is looked at.
 * Returns: 0, -ENOMEM, or the opendir(3) error on /proc.
 */
int ms_procfs_pids(struct ms_ctx *ctx, pid_t **pids, size_t *n);

/*
 * The path /proc/PID/NAME ("root/usr/lib/libc.so.6", "map_files/START-END")
 * into BUF of LEN bytes, for a caller that hands a path on (libdwfl's
 * debuginfo search looks beside it).
 * Returns: 0, or -ENAMETOOLONG when it does not fit.
 */
int ms_procfs_path(pid_t pid, const char *name, char *buf, size_t len);

/*
 * A process whose main thread exited (pthread_exit(): a zombie leader) while
 * its other threads run on has empty memory files under /proc/PID and no mm
 * for process_vm_readv(2) by PID: the thread that speaks for its memory,
 * a live one, else PID.  ms_procfs_read() and ms_procfs_open() use it for
 * maps, smaps, smaps_rollup, mem, pagemap and numa_maps by themselves;
 * ms_procfs_mm_path() is ms_procfs_path() for those files.
 */
pid_t ms_procfs_mm_task(pid_t pid);
int ms_procfs_mm_path(pid_t pid, const char *name, char *buf, size_t len);

/*
 * The cgroup of PID from /proc/PID/cgroup: *V2 the unified hierarchy's path
 * ("0::/system.slice/x.service"), *V1 the v1 memory controller's, each a new
 * string or NULL when the process has none.  Either pointer may be NULL.
 * Returns: 0, or the error of reading the file (-ESRCH...), or -ENOMEM.
 */
int ms_procfs_cgroup(struct ms_ctx *ctx, pid_t pid, char **v2, char **v1);

/*
 * Which process PID is, beyond its number: its start time (clock ticks after
 * boot, /proc/PID/stat field 22), which a reused pid changes, and the device
 * and inode of its executable, which an exec changes.  Either output may be
 * NULL; *EXE is "DEV:INODE" in hex, of at most 40 bytes.
 * Returns: 0, -ESRCH, or the error of reading (the message names the file).
 */
int ms_procfs_identity(struct ms_ctx *ctx, pid_t pid, unsigned long long *starttime,
		       char *exe, size_t exelen);

#endif
