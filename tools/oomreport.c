// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * oomreport: the kernel's OOM kills as a table, from a saved kernel log or
 * from the kernel itself: how a user first learns that something leaked.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <memsift/oom.h>
#include <memsift/output.h>

struct oomreport_ctl {
	const char *file;	/* NULL: the kernel's own log */
	bool tasks;		/* --tasks: one row per task-list member */
	const char *columns;	/* -o, applied once we know which table */
	unsigned flags;		/* MS_OUT_* */
};

enum { K_TIME, K_PID, K_NAME, K_ANON, K_FILE, K_SHMEM, K_TOTAL_VM, K_CGROUP, K_LIMIT,
       K_CONSTRAINT, K_TASK_CGROUP, K_INVOKER, K_UID, K_SCORE_ADJ, K_LINE };

static const struct ms_out_column kill_cols[] = {
	[K_TIME]       = { "TIME", 15, MS_COL_DEFAULT, MS_COL_STR, "time of the kill, as the log gives it" },
	[K_PID]        = { "PID", 7, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "killed process" },
	[K_NAME]       = { "NAME", 16, MS_COL_DEFAULT, MS_COL_STR, "its command name" },
	[K_ANON]       = { "ANON-RSS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "its anonymous memory" },
	[K_FILE]       = { "FILE-RSS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "its file-backed memory" },
	[K_SHMEM]      = { "SHMEM-RSS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "its shared memory (4.9 and later)" },
	[K_TOTAL_VM]   = { "TOTAL-VM", 6, MS_COL_RIGHT, MS_COL_SIZE, "its virtual size" },
	[K_CGROUP]     = { "CGROUP", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "cgroup whose limit was hit" },
	[K_LIMIT]      = { "LIMIT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "that cgroup's memory limit" },
	[K_CONSTRAINT] = { "CONSTRAINT", 6, MS_COL_DEFAULT, MS_COL_STR, "MEMCG, NONE (the whole machine), CPUSET..." },
	[K_TASK_CGROUP] = { "TASK-CGROUP", 0.3, MS_COL_TRUNC, MS_COL_STR, "the killed process's own cgroup" },
	[K_INVOKER]    = { "INVOKER", 16, 0, MS_COL_STR, "task whose allocation failed" },
	[K_UID]        = { "UID", 5, MS_COL_RIGHT, MS_COL_U64, "user of the killed process" },
	[K_SCORE_ADJ]  = { "SCORE-ADJ", 5, MS_COL_RIGHT, MS_COL_S64, "its oom_score_adj" },
	[K_LINE]       = { "LINE", 5, MS_COL_RIGHT, MS_COL_U64, "line of the kill in the log" },
};

enum { T_KILL, T_TPID, T_TNAME, T_RSS, T_TANON, T_TFILE, T_TSHMEM, T_SWAP, T_TVM,
       T_TSCORE, T_VICTIM };

static const struct ms_out_column task_cols[] = {
	[T_KILL]   = { "KILLED", 7, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "pid killed in that report" },
	[T_TPID]   = { "PID", 7, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "task-list member" },
	[T_TNAME]  = { "NAME", 16, MS_COL_DEFAULT, MS_COL_STR, "its command name" },
	[T_RSS]    = { "RSS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "its resident memory" },
	[T_TANON]  = { "ANON", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "of which anonymous (6.x logs)" },
	[T_TFILE]  = { "FILE", 6, MS_COL_RIGHT, MS_COL_SIZE, "of which file-backed (6.x logs)" },
	[T_TSHMEM] = { "SHMEM", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "of which shared (6.x logs)" },
	[T_SWAP]   = { "SWAP", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "its swapped-out memory" },
	[T_TVM]    = { "TOTAL-VM", 6, MS_COL_RIGHT, MS_COL_SIZE, "its virtual size" },
	[T_TSCORE] = { "SCORE-ADJ", 5, MS_COL_RIGHT, MS_COL_S64, "its oom_score_adj" },
	[T_VICTIM] = { "VICTIM", 1, MS_COL_RIGHT, MS_COL_BOOL, "1 for the process killed" },
};

enum { OPT_TASKS = CHAR_MAX + 1, OPT_LIST_COLUMNS };

static const char shortopts[] = MS_CLI_OUT_OPTSTRING "Vh";
static const struct option longopts[] = {
	{ "tasks", no_argument, NULL, OPT_TASKS },
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	MS_CLI_OUT_LONGOPTS,
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_compat compat[] = {
	{ 't', NULL, "tasks", MS_CLI_COMPAT_FLAG,
	  "-t is deprecated; use --tasks: -t is --top N in memsift's tools" },
};

static _Noreturn void usage(void)
{
	size_t i;

	printf("Usage:\n oomreport [options] [FILE|-]\n\n");
	printf("List the kernel's OOM kills, one row per kill, from FILE (dmesg, dmesg -T,\n"
	       "journalctl -k or /dev/kmsg output; - for standard input) or, with no\n"
	       "FILE, from the kernel log itself.\n\n");
	printf("Options:\n");
	printf("     --tasks            list each report's largest task-list members instead\n");
	ms_cli_out_help(stdout);
	printf("     --list-columns     list the columns -o takes (of the task lists with -t)\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(kill_cols, MS_ARRAY_SIZE(kill_cols), stdout);
	/* ms_out_help_columns() titles its block; this one needs its own title. */
	printf("\nAvailable output columns with --tasks:\n");
	for (i = 0; i < MS_ARRAY_SIZE(task_cols); i++)
		printf(" %9s  %s\n", task_cols[i].name, task_cols[i].help);
	printf("\nExit status: 0 no OOM kill found, 1 kills found, 2 trouble.\n");
	printf("See oomreport(1).\n");
	exit(MS_EXIT_OK);
}

static void kill_row(struct ms_out *o, const struct ms_oom_report *r)
{
	struct ms_out_row *row = ms_out_add_row(o);

	if (!row)
		errx(MS_EXIT_TROUBLE, "out of memory");
	ms_out_set_str(row, K_TIME, r->time[0] ? r->time : NULL);
	ms_out_set_u64(row, K_PID, r->pid);
	ms_out_set_str(row, K_NAME, r->name);
	if (r->have & MS_OOM_HAVE_ANON_RSS)
		ms_out_set_u64(row, K_ANON, r->anon_rss);
	if (r->have & MS_OOM_HAVE_FILE_RSS)
		ms_out_set_u64(row, K_FILE, r->file_rss);
	if (r->have & MS_OOM_HAVE_SHMEM_RSS)
		ms_out_set_u64(row, K_SHMEM, r->shmem_rss);
	if (r->have & MS_OOM_HAVE_TOTAL_VM)
		ms_out_set_u64(row, K_TOTAL_VM, r->total_vm);
	ms_out_set_str(row, K_CGROUP, r->memcg[0] ? r->memcg : NULL);
	if (r->have & MS_OOM_HAVE_LIMIT)
		ms_out_set_u64(row, K_LIMIT, r->limit);
	ms_out_set_str(row, K_CONSTRAINT, r->constraint[0] ? r->constraint : NULL);
	ms_out_set_str(row, K_TASK_CGROUP, r->task_memcg[0] ? r->task_memcg : NULL);
	ms_out_set_str(row, K_INVOKER, r->invoker[0] ? r->invoker : NULL);
	if (r->have & MS_OOM_HAVE_UID)
		ms_out_set_u64(row, K_UID, r->uid);
	if (r->have & MS_OOM_HAVE_SCORE_ADJ)
		ms_out_set_s64(row, K_SCORE_ADJ, r->oom_score_adj);
	ms_out_set_u64(row, K_LINE, r->line);
}

static void task_rows(struct ms_out *o, const struct ms_oom_report *r)
{
	size_t i;

	for (i = 0; i < r->ntasks; i++) {
		const struct ms_oom_task *t = &r->tasks[i];
		struct ms_out_row *row = ms_out_add_row(o);

		if (!row)
			errx(MS_EXIT_TROUBLE, "out of memory");
		ms_out_set_u64(row, T_KILL, r->pid);
		ms_out_set_u64(row, T_TPID, t->pid);
		ms_out_set_str(row, T_TNAME, t->name);
		ms_out_set_u64(row, T_RSS, t->rss);
		if (t->split) {
			ms_out_set_u64(row, T_TANON, t->rss_anon);
			ms_out_set_u64(row, T_TFILE, t->rss_file);
			ms_out_set_u64(row, T_TSHMEM, t->rss_shmem);
		}
		ms_out_set_u64(row, T_SWAP, t->swap);
		ms_out_set_u64(row, T_TVM, t->total_vm);
		ms_out_set_s64(row, T_TSCORE, t->oom_score_adj);
		ms_out_set_bool(row, T_VICTIM, t->pid == r->pid);
	}
}

/* What the parse saw that the table does not show, on stderr. */
static void warn_stats(const struct oomreport_ctl *ctl, const struct ms_oom_log *log,
		       const char *name)
{
	const struct ms_oom_stats *st = ms_oom_stats(log);

	if (st->truncated)
		warnx("%s: %lu report%s cut short (from line %lu): no line names the process killed; is the log cut?",
		      name, st->truncated, st->truncated == 1 ? "" : "s", st->truncated_line);
	if (st->skipped)
		warnx("%s: %lu line%s not from the kernel log, skipped", name, st->skipped,
		      st->skipped == 1 ? "" : "s");
	if (!ms_oom_count(log) && !(ctl->flags & MS_OUT_JSON))
		warnx("%s: no OOM kill in it", name);
}

static struct ms_oom_log *read_log(struct ms_ctx *ctx, const char *file, const char **name)
{
	struct ms_oom_log *log = NULL;
	FILE *fp;
	int rc;

	if (!file) {
		*name = "kernel log";
		if (ms_oom_read_kernel(ctx, &log) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		return log;
	}
	*name = strcmp(file, "-") ? file : "standard input";
	fp = strcmp(file, "-") ? fopen(file, "r") : stdin;
	if (!fp)
		err(MS_EXIT_TROUBLE, "%s", file);
	rc = ms_oom_parse(ctx, fp, *name, &log);
	if (fp != stdin)
		fclose(fp);
	if (rc == -EIO)	/* a directory reads as EISDIR: say that, not "read error" */
		errx(MS_EXIT_TROUBLE, "%s: cannot read it; is it a file?", *name);
	if (rc < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	return log;
}

/*
 * The options into CTL, and the log file if one is given.  Returns whether
 * --list-columns was asked: answered after the loop, as --tasks may follow it.
 */
static bool parse_args(struct oomreport_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	bool list_columns = false;
	int c;

	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     NULL, 0);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		switch (c) {
		case OPT_TASKS:
			ctl->tasks = true;
			break;
		case OPT_LIST_COLUMNS:
			list_columns = true;
			break;
		case 'o':
			ctl->columns = optarg;
			break;
		case 'b':
			ctl->flags |= MS_OUT_BYTES;
			break;
		case 'J':
			ctl->flags |= MS_OUT_JSON;
			break;
		case 'n':
			ctl->flags |= MS_OUT_NOHEADINGS;
			break;
		case 'r':
			ctl->flags |= MS_OUT_RAW;
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	if (argc - optind > 1) {
		warnx("unexpected argument \"%s\"; give one log file at most", argv[optind + 1]);
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	ctl->file = optind < argc ? argv[optind] : NULL;
	return list_columns;
}

/* The table: its columns depend on --tasks, which may come after -o. */
static struct ms_out *new_out(struct ms_ctx *ctx, const struct oomreport_ctl *ctl)
{
	struct ms_out *out;

	if (ms_out_new(ctx, ctl->tasks ? task_cols : kill_cols,
		       ctl->tasks ? MS_ARRAY_SIZE(task_cols) : MS_ARRAY_SIZE(kill_cols),
		       ctl->tasks ? "tasks" : "kills", &out) < 0 ||
	    (ctl->columns && ms_out_set_columns(out, ctl->columns) < 0))
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	ms_out_set_flags(out, ctl->flags);
	return out;
}

int main(int argc, char **argv)
{
	struct oomreport_ctl ctl = { 0 };
	struct ms_oom_log *log;
	struct ms_out *out;
	struct ms_ctx *ctx;
	const char *name;
	size_t i, n;

	ms_cli_init("oomreport");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx)
		errx(MS_EXIT_TROUBLE, "out of memory");

	/* --list-columns after the options: --tasks may come after it. */
	if (parse_args(&ctl, argc, argv)) {
		if (ctl.tasks)
			ms_out_list_columns(task_cols, MS_ARRAY_SIZE(task_cols), stdout);
		else
			ms_out_list_columns(kill_cols, MS_ARRAY_SIZE(kill_cols), stdout);
		return MS_EXIT_OK;
	}
	out = new_out(ctx, &ctl);

	log = read_log(ctx, ctl.file, &name);
	n = ms_oom_count(log);
	for (i = 0; i < n; i++) {
		if (ctl.tasks)
			task_rows(out, ms_oom_get(log, i));
		else
			kill_row(out, ms_oom_get(log, i));
	}
	/* JSON says which shape it is, as every tool's document does. */
	if (ms_out_print_json_with(out, stdout, NULL, NULL) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	warn_stats(&ctl, log, name);
	ms_out_free(out);
	ms_oom_log_free(log);
	ms_ctx_free(ctx);
	return n ? MS_EXIT_FOUND : MS_EXIT_OK;
}
