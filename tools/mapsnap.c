// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapsnap: write a snapshot of a process's mappings (its smaps, with a header
 * saying whose and when) for mapsdiff to compare later.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>

struct mapsnap_ctl {
	pid_t pid;
	const char *output;	/* "-" for stdout; a directory for a series */
	unsigned int outflags;
	uint64_t interval;	/* microseconds between snapshots of a series */
	uint64_t count;		/* snapshots in a series; 0: until interrupted */
	bool series;
	bool pages;		/* --pages: hash anonymous pages too */
	const char *made_dir;	/* the series directory, when this run made it */
	bool progress;		/* a series shows its progress on stderr, a terminal */
};

enum { OPT_PAGES = CHAR_MAX + 1, OPT_COUNT };

static volatile sig_atomic_t interrupted;

static const char shortopts[] = "p:w:fi:Vh";
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "write", required_argument, NULL, 'w' },
	{ "force", no_argument, NULL, 'f' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "pages", no_argument, NULL, OPT_PAGES },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_compat compat[] = {
	MS_CLI_COMPAT_WRITE("PATH"),
	MS_CLI_COMPAT_COUNT,
};

static _Noreturn void usage(void)
{
	printf("Usage:\n mapsnap [options] -p PID\n mapsnap [options] -p PID -i INTERVAL [--count N] -w DIR\n\n");
	printf("Write a snapshot of the mappings of a process: its /proc/PID/smaps with a\n"
	       "header naming the process, its threads and the time, for mapsdiff to\n"
	       "compare; or a series of them into a directory.\n\n");
	printf("Options:\n");
	printf(" -p, --pid PID          the process to snapshot\n");
	printf(" -w, --write FILE       write to FILE (mode 0600) instead of stdout;\n"
	       "                          for a series, the directory to write into\n");
	printf(" -f, --force            overwrite files that exist\n");
	printf(" -i, --interval TIME    take a series, one snapshot every TIME (5s, 1m)\n");
	printf("     --count N          stop the series after N snapshots (default:\n"
	       "                          until interrupted)\n");
	printf("     --pages            also hash every page of anonymous memory, for\n"
	       "                          regiondump --changed-since (reads the memory)\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 success, 1 failure.\n");
	printf("See mapsnap(1) for the snapshot format.\n");
	exit(MS_EXIT_OK);
}

static int snap_one(struct ms_ctx *ctx, const struct mapsnap_ctl *ctl, const char *path)
{
	struct ms_outfile *of;
	int rc;

	/* Open first: a refused output path must not cost a read of the target. */
	rc = ms_outfile_open(ctx, path, ctl->outflags, &of);
	if (rc < 0)
		return rc;
	rc = ms_snapshot_stream(ctx, ctl->pid, ctl->pages ? MS_SNAP_PAGES : 0, ms_outfile_fp(of));
	if (rc < 0) {
		/* The library says "write error" but not where: name the file. */
		bool writing = ferror(ms_outfile_fp(of));

		ms_outfile_abort(of);
		if (writing) {
			if (ctl->made_dir)
				ms_outdir_remove(ctl->made_dir);
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "%s",
					strcmp(path, "-") ? path : "standard output");
		}
		return rc;
	}
	return ms_outfile_commit(ctx, of);
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * One line on the terminal, rewritten after each snapshot of a series: how
 * many are taken, of how many, and when the next is due (a series of a
 * day at one a minute otherwise says nothing until it ends).
 */
static void show_progress(const struct mapsnap_ctl *ctl, uint64_t done, const struct timespec *next)
{
	struct timespec now;
	char when[32];
	double left;

	if (!ctl->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "\r\033[Kmapsnap: %llu", (unsigned long long)done);
	if (ctl->count)
		fprintf(stderr, "/%llu", (unsigned long long)ctl->count);
	fprintf(stderr, " snapshot%s in %s", done == 1 && !ctl->count ? "" : "s", ctl->output);
	if (next && (!ctl->count || done < ctl->count)) {
		left = (double)(next->tv_sec - now.tv_sec) + (next->tv_nsec - now.tv_nsec) / 1e9;
		fprintf(stderr, ", next in %s", ms_duration_str(left > 0 ? left : 0, when, sizeof(when)));
	}
	/* The last one ends the line: what is printed next starts on its own. */
	if (!next || (ctl->count && done == ctl->count))
		fputc('\n', stderr);
	fflush(stderr);
}

/*
 * DIR/0001.snap, DIR/0002.snap...: one every INTERVAL on the monotonic
 * clock, so the series does not drift by the time each snapshot takes.  An
 * interrupt ends it between two snapshots; every file written is whole.
 */
static int snap_series(struct ms_ctx *ctx, struct mapsnap_ctl *ctl)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec next;
	char path[4096];
	bool created;
	uint64_t i;
	int rc;

	/*
	 * An existing directory is fine (each file in it is refused without
	 * -f); a symlink or another user's directory never is.
	 */
	if (ms_outdir_make(ctx, ctl->output, MS_OUTDIR_EXISTING, &created) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	if (created)
		ctl->made_dir = ctl->output;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 1; !ctl->count || i <= ctl->count; i++) {
		snprintf(path, sizeof(path), "%s/%04llu.snap", ctl->output, (unsigned long long)i);
		rc = snap_one(ctx, ctl, path);
		if (rc < 0) {
			/* The message goes on a line of its own, not after the progress. */
			if (ctl->progress && i > 1)
				fputc('\n', stderr);
			/* A series that failed before its first file leaves no empty directory. */
			if (ctl->made_dir)
				ms_outdir_remove(ctl->made_dir);
			if (rc == -ESRCH && i > 1)
				warnx("pid %d exited; %llu snapshots kept in %s", (int)ctl->pid,
				      (unsigned long long)i - 1, ctl->output);
			return rc;
		}
		next.tv_sec += (time_t)(ctl->interval / 1000000);
		next.tv_nsec += (long)(ctl->interval % 1000000) * 1000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		show_progress(ctl, i, &next);
		if (ctl->count && i == ctl->count)
			break;
		while (!interrupted &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		if (interrupted) {
			show_progress(ctl, i, NULL);
			break;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct mapsnap_ctl ctl = { .output = "-" };
	struct ms_ctx *ctx;
	int c;

	ms_cli_init("mapsnap");
	ctx = ms_ctx_new();
	if (!ctx)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, NULL, "out of memory");

	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     NULL, 0);
	ms_cli_set_hint(-EEXIST, "use -f to overwrite it");
	ms_cli_set_hint(-ENOTDIR, "a series goes into a directory (-w DIR)");
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl.pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
			break;
		case 'w':
			ctl.output = optarg;
			break;
		case 'f':
			ctl.outflags |= MS_OUTFILE_FORCE;
			break;
		case 'i':
			if (ms_parse_duration(ctx, optarg, &ctl.interval) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--interval");
			if (!ctl.interval)
				errx(MS_EXIT_FAILURE, "--interval: duration \"%s\" is zero; use a TIME above 0, as in 500ms or 1m", optarg);
			ctl.series = true;
			break;
		case OPT_PAGES:
			ctl.pages = true;
			break;
		case OPT_COUNT:
			if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl.count) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--count");
			ctl.series = true;
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_FAILURE);
		}
	}
	if (!ctl.pid) {
		warnx("no process given; use -p PID");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (optind < argc) {
		warnx("unexpected argument \"%s\"", argv[optind]);
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}

	if (ctl.series && !strcmp(ctl.output, "-")) {
		warnx("a series needs a directory; use -w DIR");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (ctl.series && !ctl.interval && ctl.count != 1) {
		warnx("a series needs an interval; use -i TIME");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	/* Progress is for a person at a terminal: nothing in a pipe nor a log. */
	ctl.progress = ctl.series && isatty(STDERR_FILENO);
	if ((ctl.series ? snap_series(ctx, &ctl) : snap_one(ctx, &ctl, ctl.output)) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}
