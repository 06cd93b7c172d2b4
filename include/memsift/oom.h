/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel OOM-killer reports, read from the kernel log: how a user first
 * learns that something leaked at all.
 *
 * The log may come as dmesg prints it ("[ 8671.582864] text"), as dmesg -T
 * prints it ("[Thu Dec  7 00:05:15 2017] text"), raw from /dev/kmsg
 * ("4,344,8582413365,-;text", with " KEY=value" continuation lines), from
 * klogctl(2) or dmesg -r ("<4>[ 8671.582864] text"), as journalctl -k or
 * syslog write it ("Dec 11 10:49:37 host kernel: text"), or as bare
 * messages.  Forms may be mixed in one input; each line is taken on its own.
 *
 * A report runs from "TASK invoked oom-killer:" to the line that names the
 * victim ("Memory cgroup out of memory: Killed process PID (NAME)
 * total-vm:...", "Out of memory: Killed process ...", or in kernels before
 * 4.19 a bare "Killed process ...").  On the way the parser picks up the
 * cgroup whose limit was hit (cgroup v1 and v2 alike: "Task in A killed as a
 * result of limit of B", "memory: usage X, limit Y", "Memory cgroup stats
 * for /B:", "oom-kill:constraint=...,oom_memcg=...,task_memcg=...") and the
 * task list, whose columns differ across kernel versions and are read from
 * its header line.  Excerpts are taken as they come: a kill line with no
 * report before it still gives a report, and a report that never reaches
 * its kill line is counted as cut short, not guessed at.
 *
 * Nothing is trusted: every line is bounded (longer ones are skipped and
 * counted), every number is checked for overflow, strings are cut to the
 * sizes below.
 */
#ifndef MEMSIFT_OOM_H
#define MEMSIFT_OOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>

/* Longest line read; a longer one is skipped and counted (stats.long_lines). */
#define MS_OOM_LINE_MAX 8192
/* Sizes of the string fields, NUL included; longer values are cut. */
#define MS_OOM_NAME_MAX 64
#define MS_OOM_PATH_MAX 512
#define MS_OOM_TIME_MAX 40
/* How many of the task list's largest members a report keeps. */
#define MS_OOM_TASKS_MAX 10

/* Which of a report's optional fields the log gave (struct ms_oom_report.have). */
enum {
	MS_OOM_HAVE_TOTAL_VM = 1,
	MS_OOM_HAVE_ANON_RSS = 2,
	MS_OOM_HAVE_FILE_RSS = 4,
	MS_OOM_HAVE_SHMEM_RSS = 8,	/* since Linux 4.9 */
	MS_OOM_HAVE_SCORE_ADJ = 16,	/* on the kill line since 5.3 */
	MS_OOM_HAVE_LIMIT = 32,		/* "memory: usage X, limit Y", when Y is a limit */
	MS_OOM_HAVE_USAGE = 64,
	MS_OOM_HAVE_UID = 128,
	MS_OOM_HAVE_SECONDS = 256,	/* the log gave seconds since boot */
};

/* One member of the task list ("[  pid  ]   uid  tgid total_vm  rss ..."). */
struct ms_oom_task {
	uint64_t pid;
	uint64_t uid;
	uint64_t total_vm;	/* bytes */
	uint64_t rss;		/* bytes */
	uint64_t rss_anon;	/* bytes; with rss_file and rss_shmem only if split */
	uint64_t rss_file;
	uint64_t rss_shmem;
	bool split;		/* the table had rss_anon, rss_file, rss_shmem (6.x) */
	uint64_t swap;		/* bytes (swapents) */
	int64_t oom_score_adj;
	char name[MS_OOM_NAME_MAX];
};

/* One kill.  Sizes are bytes; strings are "" when the log did not say. */
struct ms_oom_report {
	unsigned long line;		/* line of the kill in the input, from 1 */
	unsigned long first_line;	/* line the report began on */
	char time[MS_OOM_TIME_MAX];	/* the kill's time as the log gave it:
					 * "8671.582864", "Thu Dec  7 00:05:15 2017",
					 * "Aug 16 20:29:54"; "" with bare messages */
	double seconds;			/* since boot, if MS_OOM_HAVE_SECONDS */
	unsigned have;			/* MS_OOM_HAVE_* */

	char invoker[MS_OOM_NAME_MAX];	/* the task whose allocation failed */
	uint64_t invoker_pid;		/* 0 when not given */

	uint64_t pid;			/* the killed process */
	char name[MS_OOM_NAME_MAX];
	uint64_t uid;
	uint64_t total_vm, anon_rss, file_rss, shmem_rss;
	int64_t oom_score_adj;

	char constraint[24];		/* "MEMCG", "NONE", "CPUSET", "MEMORY_POLICY" */
	bool global;			/* the whole machine ran out, no cgroup */
	char memcg[MS_OOM_PATH_MAX];	/* the cgroup whose limit was hit */
	char task_memcg[MS_OOM_PATH_MAX]; /* the killed task's cgroup */
	uint64_t limit, usage;		/* of memcg, if MS_OOM_HAVE_LIMIT / _USAGE */
	bool reaped;			/* an "oom_reaper: reaped process" line followed */

	uint64_t page_size;		/* of the task list: inferred from the kill, else 4096 */
	size_t tasks_listed;		/* rows of the task list */
	size_t ntasks;			/* kept in tasks[], largest rss first */
	struct ms_oom_task tasks[MS_OOM_TASKS_MAX];
};

/* What a parse saw besides the reports. */
struct ms_oom_stats {
	unsigned long lines;		/* all lines */
	unsigned long skipped;		/* not kernel log lines at all */
	unsigned long long_lines;	/* over MS_OOM_LINE_MAX, skipped (in skipped too) */
	unsigned long truncated;	/* reports begun but cut short before the kill */
	unsigned long truncated_line;	/* where the first of them began, or 0 */
};

struct ms_oom_log;

/*
 * Read a kernel log from FP and collect its OOM kills.  NAME is used only in
 * messages ("NAME:LINE: ...").  Lines that are not kernel log lines are
 * skipped and counted.  On success *OUT owns a new ms_oom_log (possibly with
 * no report); release it with ms_oom_log_free().
 *
 * Returns: 0; -EBADMSG when the input is empty, holds a NUL byte (binary
 * data: "NAME:LINE: binary data ...", through the context's parser callback
 * if one is set, which may skip the line), or has lines but none is a kernel
 * log line; -EIO when reading FP fails; or -ENOMEM.
 */
int ms_oom_parse(struct ms_ctx *ctx, FILE *fp, const char *name, struct ms_oom_log **out);

/*
 * Read this machine's kernel log: /dev/kmsg without blocking, or klogctl(2)
 * where /dev/kmsg cannot be opened, then parse it as ms_oom_parse() does,
 * named "/dev/kmsg" or "kernel log".
 *
 * Returns as ms_oom_parse(), or -EPERM when the kernel does not let this
 * process read its log (kernel.dmesg_restrict=1 without CAP_SYSLOG; the
 * message says so and how to fix it).
 */
int ms_oom_read_kernel(struct ms_ctx *ctx, struct ms_oom_log **out);

/* Release LOG; NULL is accepted. */
void ms_oom_log_free(struct ms_oom_log *log);

/* The number of kills, and the I-th in the order of the log (borrowed). */
size_t ms_oom_count(const struct ms_oom_log *log);
const struct ms_oom_report *ms_oom_get(const struct ms_oom_log *log, size_t i);

/* What the parse saw (borrowed, valid while LOG lives). */
const struct ms_oom_stats *ms_oom_stats(const struct ms_oom_log *log);

#endif
