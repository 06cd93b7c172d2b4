// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * growtrace: the code paths that make a running process's memory grow,
 * from its page faults on private writable memory, sampled with their user
 * stacks through perf_event_open(2).  The target is never stopped.
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
#include <time.h>

#include "cli.h"
#include <memsift/growtrace.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/parse.h>

struct growtrace_ctl {
	pid_t pid;
	uint64_t duration;		/* usec; 0: until a signal or the target's exit */
	struct ms_growtrace_opts opts;
	bool folded;
	const char *pprof;
	bool force;
	struct ms_out *out;
};

enum { COL_RESIDENT, COL_GROWN, COL_FAULTS, COL_SAMPLES, COL_SHARE, COL_MAPPING, COL_RATE,
       COL_FIRST, COL_LAST, COL_FUNCTION, COL_SOURCE, COL_STACK };

static const struct ms_out_column cols[] = {
	[COL_RESIDENT] = { "RESIDENT", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "bytes it made resident that still are (freed pages netted)" },
	[COL_GROWN]    = { "GROWN", 6, MS_COL_RIGHT, MS_COL_SIZE, "bytes it made resident: faults x page size" },
	[COL_FAULTS]   = { "FAULTS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "its page faults, estimated from the samples" },
	[COL_SAMPLES]  = { "SAMPLES", 6, MS_COL_RIGHT, MS_COL_U64, "samples taken of it" },
	[COL_SHARE]    = { "SHARE%", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_FLOAT, "its share of the resident bytes traced" },
	[COL_MAPPING]  = { "MAPPING", 12, MS_COL_DEFAULT, MS_COL_STR, "what the faults landed in: heap, arena, Go heap, anon" },
	[COL_RATE]     = { "RATE", 8, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_RATE, "its growth over the trace, per time" },
	[COL_FIRST]    = { "FIRST", 6, MS_COL_RIGHT, MS_COL_FLOAT, "seconds after attach of its first sample" },
	[COL_LAST]     = { "LAST", 6, MS_COL_RIGHT, MS_COL_FLOAT, "seconds after attach of its last sample" },
	[COL_FUNCTION] = { "FUNCTION", 0.2, MS_COL_TRUNC, MS_COL_STR, "the innermost function (inlined or not)" },
	[COL_SOURCE]   = { "SOURCE", 0.2, MS_COL_TRUNC, MS_COL_STR, "its source file:line" },
	[COL_STACK]    = { "STACK", 0.5, MS_COL_DEFAULT | MS_COL_WRAP, MS_COL_STR, "the stack, innermost first: f (file:line) \u2190 caller \u2190 ..." },
};

enum { OPT_FOLDED = CHAR_MAX + 1, OPT_PPROF, OPT_STACK_SIZE, OPT_LIST_COLUMNS };

static const char shortopts[] = "p:d:F:f" MS_CLI_OUT_OPTSTRING "Vh";
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, 'd' },
	{ "freq", required_argument, NULL, 'F' },
	{ "stack-size", required_argument, NULL, OPT_STACK_SIZE },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "pprof", required_argument, NULL, OPT_PPROF },
	{ "force", no_argument, NULL, 'f' },
	MS_CLI_OUT_LONGOPTS,
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static _Noreturn void usage(void)
{
	printf("Usage:\n growtrace -p PID [options]\n\n");
	printf("Show the code paths that make a running process's memory grow: its page\n"
	       "faults on private writable memory, sampled with their stacks through\n"
	       "perf_event_open(2), until Ctrl-C, SIGTERM, the duration or the process's\n"
	       "exit.  The process is never stopped.\n\n");
	printf("Options:\n");
	printf(" -p, --pid PID          the process to trace, all its threads\n");
	printf(" -d, --duration TIME    stop after this long (e.g. 30s, 5m)\n");
	printf(" -F, --freq N           sample every fault up to N a second a thread, then\n"
	       "                          by period (default %d)\n", MS_GROWTRACE_FREQ);
	printf("     --stack-size N     bytes of user stack copied per sample (default %d)\n",
	       MS_GROWTRACE_STACK_SIZE);
	printf("     --folded           print folded stacks for flamegraph.pl instead\n");
	printf("     --pprof FILE       also write a gzipped pprof profile to FILE\n");
	printf(" -f, --force            replace the profile file if it exists\n");
	ms_cli_out_help(stdout);
	printf("     --list-columns     list the columns -o takes, and exit\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(cols, MS_ARRAY_SIZE(cols), stdout);
	printf("\nExit status: 0 traced, 2 trouble (the event refused included).\n");
	printf("See growtrace(1).\n");
	exit(MS_EXIT_OK);
}

static void parse_args(struct ms_ctx *ctx, struct growtrace_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL, { { 'J', OPT_FOLDED } } };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	uint64_t v;
	int c, rc;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		rc = ms_cli_out_getopt(ctl->out, c, optarg);
		if (rc < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (rc > 0)
			continue;
		switch (c) {
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--pid");
			break;
		case 'd':
			if (ms_parse_duration(ctx, optarg, &ctl->duration) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--duration");
			break;
		case 'F':
			if (ms_parse_count(ctx, optarg, 1, 100000, &v) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--freq");
			ctl->opts.freq = v;
			break;
		case OPT_STACK_SIZE:
			if (ms_parse_count(ctx, optarg, 512, 65528, &v) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--stack-size");
			ctl->opts.stack_size = (uint32_t)v;
			break;
		case OPT_FOLDED:
			ctl->folded = true;
			break;
		case OPT_PPROF:
			ctl->pprof = optarg;
			break;
		case 'f':
			ctl->force = true;
			break;
		case OPT_LIST_COLUMNS:
			ms_out_list_columns(cols, MS_ARRAY_SIZE(cols), stdout);
			exit(MS_EXIT_OK);
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument \"%s\"; the process is given with -p", argv[optind]);
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (!ctl->pid) {
		warnx("no process given; use -p PID");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
}

/* Trace until a signal, the duration or the target's exit. */
static void trace(struct ms_ctx *ctx, struct growtrace_ctl *ctl, struct ms_growtrace *gt)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec t0, t;
	int rc;

	/* No SA_RESTART: a signal ends the wait in poll(2) at once. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fprintf(stderr, "growtrace: attached to pid %d (%zu threads); Ctrl-C to stop\n",
		(int)ctl->pid, ms_growtrace_threads(gt));
	fflush(stderr);
	while (!stop_signal) {
		rc = ms_growtrace_poll(ctx, gt, 200);
		if (rc < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "pid %d", (int)ctl->pid);
		if (rc == MS_GROWTRACE_EXITED)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (ctl->duration && (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000ULL +
		    (uint64_t)((t.tv_nsec - t0.tv_nsec) / 1000) >= ctl->duration)
			break;
	}
	if (ms_growtrace_finish(ctx, gt) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "pid %d", (int)ctl->pid);
}

static void table(struct growtrace_ctl *ctl, const struct ms_growtrace *gt)
{
	const struct ms_growtrace_summary *s = ms_growtrace_summary(gt);
	char buf[4096];
	size_t i;

	for (i = 0; i < ms_growtrace_stack_count(gt); i++) {
		const struct ms_growtrace_stack *st = ms_growtrace_stack(gt, i);
		const struct ms_growtrace_frame *f = &st->frames[0];
		struct ms_out_row *r = ms_out_add_row(ctl->out);

		if (!r)
			errx(MS_EXIT_TROUBLE, "out of memory");
		ms_out_set_u64(r, COL_RESIDENT, st->resident);
		ms_out_set_u64(r, COL_GROWN, st->grown);
		ms_out_set_u64(r, COL_FAULTS, st->faults);
		ms_out_set_u64(r, COL_SAMPLES, st->samples);
		ms_out_set_double(r, COL_SHARE, s->resident ? 100.0 * (double)st->resident /
					(double)s->resident : 0.0);
		ms_out_set_str(r, COL_MAPPING, st->mapping);
		ms_out_set_double(r, COL_RATE, s->duration > 0 ? (double)st->grown / s->duration : 0);
		ms_out_set_double(r, COL_FIRST, st->first);
		ms_out_set_double(r, COL_LAST, st->last);
		ms_out_set_str(r, COL_FUNCTION, f->name);
		if (f->file) {
			snprintf(buf, sizeof(buf), "%s:%d", f->file, f->line);
			ms_out_set_str(r, COL_SOURCE, buf);
		}
		ms_out_set_str(r, COL_STACK, ms_growtrace_stack_str(st, 0, buf, sizeof(buf)));
	}
	ms_growtrace_print_summary(gt, stdout);
	if (ms_growtrace_stack_count(gt))
		fputc('\n', stdout);
	if (ms_out_print(ctl->out, stdout) < 0)
		errx(MS_EXIT_TROUBLE, "write error");
}

static void write_pprof(struct ms_ctx *ctx, struct growtrace_ctl *ctl,
			const struct ms_growtrace *gt)
{
	struct ms_outfile *of;

	if (ms_outfile_open(ctx, ctl->pprof, ctl->force ? MS_OUTFILE_FORCE : 0, &of) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ms_growtrace_write_pprof(ctx, gt, ms_outfile_fp(of)) < 0) {
		ms_outfile_abort(of);
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "%s", ctl->pprof);
	}
	if (ms_outfile_commit(ctx, of) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
}

int main(int argc, char **argv)
{
	struct growtrace_ctl ctl = { 0 };
	struct ms_growtrace *gt = NULL;
	struct ms_ctx *ctx;
	struct ms_outfile *probe = NULL;

	ms_cli_init("growtrace");
	ms_cli_set_hint(-EEXIST, "use -f to overwrite it");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx || ms_out_new(ctx, cols, MS_ARRAY_SIZE(cols), "stacks", &ctl.out) < 0)
		errx(MS_EXIT_TROUBLE, "out of memory");
	parse_args(ctx, &ctl, argc, argv);

	/* Refuse an existing --pprof file before tracing, not after. */
	if (ctl.pprof) {
		if (ms_outfile_open(ctx, ctl.pprof, ctl.force ? MS_OUTFILE_FORCE : 0, &probe) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		ms_outfile_abort(probe);
	}
	if (ms_growtrace_new(ctx, ctl.pid, &ctl.opts, &gt) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	trace(ctx, &ctl, gt);

	if (ctl.pprof)
		write_pprof(ctx, &ctl, gt);
	if (ms_out_get_flags(ctl.out) & MS_OUT_JSON)
		ms_growtrace_write_json(gt, stdout);
	else if (ctl.folded)
		ms_growtrace_write_folded(gt, stdout);
	else
		table(&ctl, gt);
	ms_growtrace_free(gt);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}
