// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * leakhunt: the whole hunt in one command.  Snapshot a process until a
 * mapping (or the process) grows with no steady state, dump what grew, say
 * what the bytes are and which code they point at, and leave a report
 * directory with every artefact.  Exit status as diff(1): 0 nothing is
 * leaking, 1 a leak was found, 2 trouble; and 3 growth seen but not yet
 * confirmed when the hunt ended.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include <memsift/growtrace.h>
#include <memsift/hunt.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/pattern.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

enum { OPT_CONFIRM = CHAR_MAX + 1, OPT_MAX_DUMP, OPT_THRESHOLD, OPT_REDACT, OPT_REDACT_FILE,
       OPT_REDACT_SET, OPT_REFS, OPT_NO_TRACE, OPT_COUNT };

static const char shortopts[] = "d:i:p:w:Vh";
static const struct option longopts[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "pid", required_argument, NULL, 'p' },
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "confirm", required_argument, NULL, OPT_CONFIRM },
	{ "max-dump", required_argument, NULL, OPT_MAX_DUMP },
	{ "redact", required_argument, NULL, OPT_REDACT },
	{ "redact-file", required_argument, NULL, OPT_REDACT_FILE },
	{ "redact-set", required_argument, NULL, OPT_REDACT_SET },
	{ "refs", no_argument, NULL, OPT_REFS },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_compat compat[] = {
	MS_CLI_COMPAT_WRITE("DIR"),
	MS_CLI_COMPAT_COUNT,
};

static _Noreturn void usage(void)
{
	printf("Usage:\n leakhunt [options] -p PID\n\n");
	printf("Hunt a memory leak in a live process in one command: snapshot its mappings\n"
	       "every INTERVAL until one grows with no steady state, dump what grew since\n"
	       "the first snapshot, class its bytes, name the code its pointers lead to,\n"
	       "walk glibc's heap, and write DIR/report.md with every raw artefact.\n"
	       "The process is never stopped, but once with --refs.  An interrupt (Ctrl-C)\n"
	       "ends the watch and reports what was gathered; a second one aborts.\n\n");
	printf("Options:\n");
	printf(" -d, --duration TIME    give up after TIME (e.g. 10m) without confirmed growth\n");
	printf(" -i, --interval TIME    time between snapshots (default 10s)\n");
	printf(" -p, --pid PID          the process to hunt in\n");
	printf(" -w, --write DIR        the report directory, created 0700 (default\n"
	       "                          leakhunt-PID-TIME)\n");
	printf("     --count N          give up after N snapshots (default 30, or none with -d)\n");
	printf("     --confirm N        snapshots that must show growth (default 4, at least 3)\n");
	printf("     --max-dump SIZE    dump at most SIZE of what grew (default 256M)\n");
	printf("     --redact REGEX     replace what REGEX matches in every file written, as\n"
	       "                          regiondump does (repeatable)\n");
	printf("     --redact-file FILE the same, one REGEX a line (# starts a comment)\n");
	printf("     --redact-set NAME  a built-in set: private-key, password, bearer or all\n");
	printf("     --refs             once growth is confirmed, freeze the process (the pause\n"
	       "                          is shown) to tell what holds the leak (memrefs(1))\n");
	printf("     --threshold SIZE   growth below SIZE does not count (default 256K)\n");
	printf("     --no-trace         do not trace the page faults' stacks during the watch\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 nothing is leaking, 1 a leak was found, 2 trouble,\n"
	       "3 growth seen but not yet confirmed when the hunt ended (hunt longer).\n");
	exit(MS_EXIT_OK);
}

struct leakhunt_ctl {
	struct ms_hunt_opts o;
	uint64_t interval;	/* microseconds between snapshots */
	uint64_t duration;	/* -d, microseconds; 0: none */
	uint64_t count;		/* -n; 0: none */
	const char *dir;	/* -o; NULL: the library names it */
	bool refs;		/* --refs: freeze once, for memrefs' answer */
	bool no_trace;		/* --no-trace */
	/* growtrace during the watch, when the kernel allows it; NULL otherwise */
	struct ms_growtrace *gt;
};

/* --refs: the pause, said before it starts and measured after. */
static void refs_event(enum ms_refs_event ev, uint64_t done, uint64_t total, void *data)
{
	const struct leakhunt_ctl *ctl = data;

	char t[MS_SIZE_STR_MAX];

	if (ev == MS_REFS_EV_FROZEN)
		fprintf(stderr, "leakhunt: pid %d: frozen to copy %s of writable memory (--refs)\n",
			(int)ctl->o.pid, ms_size_str(total, t, sizeof(t)));
	else if (ev == MS_REFS_EV_THAWED)
		fprintf(stderr, "leakhunt: pid %d: stopped for %.3f ms\n", (int)ctl->o.pid,
			(double)done / 1e6);
}

/*
 * What the options say together: a pid and nothing else, and as many
 * snapshots as --confirm needs.  -d without --count watches until the
 * duration ends, however many snapshots that takes.
 */
static void check_args(struct leakhunt_ctl *ctl, int argc, char **argv, bool count_given)
{
	if (optind < argc) {
		warnx("unexpected argument \"%s\"", argv[optind]);
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (!ctl->o.pid) {
		warnx("no process given; use -p PID");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (ctl->duration && !count_given)
		ctl->count = 0;
	if (ctl->count && ctl->count < ctl->o.confirm)
		errx(MS_EXIT_TROUBLE, "--count %" PRIu64 " is fewer than the %" PRIu64 " snapshots --confirm needs",
		     ctl->count, ctl->o.confirm);
}

static void parse_args(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { { { OPT_COUNT, 'd' } } };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	bool count_given = false;
	int c;

	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     NULL, 0);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		switch (c) {
		case 'd':
			if (ms_parse_duration(ctx, optarg, &ctl->duration) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--duration");
			break;
		case 'i':
			if (ms_parse_duration(ctx, optarg, &ctl->interval) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--interval");
			break;
		case OPT_COUNT:
			if (ms_parse_count(ctx, optarg, 2, 1000000, &ctl->count) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--count");
			count_given = true;
			break;
		case 'w':
			ctl->dir = optarg;
			break;
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->o.pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--pid");
			break;
		case OPT_CONFIRM:
			if (ms_parse_count(ctx, optarg, 3, 1000000, &ctl->o.confirm) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--confirm");
			break;
		case OPT_MAX_DUMP:
			if (ms_parse_size(ctx, optarg, &ctl->o.max_dump) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--max-dump");
			if (ctl->o.max_dump < 4096)
				errx(MS_EXIT_TROUBLE, "--max-dump: at least 4K");
			break;
		case OPT_REFS:
			ctl->refs = true;
			break;
		case OPT_THRESHOLD:
			if (ms_parse_size(ctx, optarg, &ctl->o.threshold) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--threshold");
			break;
		case OPT_NO_TRACE:
			ctl->no_trace = true;
			break;
		case OPT_REDACT:
			ms_cli_redact_regex(ctx, &ctl->o.redact, optarg);
			break;
		case OPT_REDACT_FILE:
			ms_cli_redact_file(ctx, &ctl->o.redact, optarg);
			break;
		case OPT_REDACT_SET:
			ms_cli_redact_set(ctx, &ctl->o.redact, optarg);
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	check_args(ctl, argc, argv, count_given);
}

/*
 * ^C while watching ends the watch, not the hunt: what was gathered is
 * judged, dumped and reported.  The handlers it replaced (lib/outfile.c's:
 * remove the temporaries, die of the signal) come back at once, so a second
 * ^C aborts as it always did.
 */
static volatile sig_atomic_t stop_sig;
static struct sigaction old_int, old_term;

static void on_stop(int sig)
{
	stop_sig = sig;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
}

static void catch_stop(bool on)
{
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART };

	if (!on) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		return;
	}
	/* A signal ignored on entry (nohup, a background job) stays ignored. */
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	if (old_int.sa_handler != SIG_IGN)
		sigaction(SIGINT, &sa, NULL);
	if (old_term.sa_handler != SIG_IGN)
		sigaction(SIGTERM, &sa, NULL);
}

static int interrupted(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_hunt *h)
{
	warnx("interrupted after %zu snapshots; reporting what was gathered (interrupt again to abort)",
	      ms_hunt_count(h));
	/* An interrupted watch says "stopped N" on the snapshot hook. */
	ms_cli_test_hook("snapshot", "stopped %zu", ms_hunt_count(h));
	if (ms_hunt_interrupt(ctx, h, stop_sig) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return -1;
	}
	return 0;
}

static void warn_cb(const char *msg, void *data)
{
	(void)data;
	warnx("%s", msg);
}

static void progress(const struct ms_hunt *h)
{
	const struct ms_series *tot = ms_hunt_total(h);
	const struct ms_snapshot *s = ms_hunt_snapshot(h, ms_hunt_count(h) - 1);
	char a[MS_SIZE_STR_MAX], r[32];

	ms_size_str(ms_maps_total(ms_snapshot_maps(s), MS_F_RSS), a, sizeof(a));
	if (!tot) {
		fprintf(stderr, "leakhunt: snapshot %zu: pid %d has %s resident\n", ms_hunt_count(h),
			(int)ms_snapshot_pid(s), a);
		return;
	}
	fprintf(stderr, "leakhunt: snapshot %zu: %s resident, %s: %s\n", ms_hunt_count(h), a,
		ms_rate_str(ms_series_rate(tot), r, sizeof(r)),
		ms_verdict_str(ms_series_verdict(tot)));
}

/* Snapshots skipped: one took longer than the interval. */
static uint64_t late;

/*
 * Sleep until NEXT or a signal; with a trace, read its samples meanwhile.
 * A trace that fails is dropped with a warning: the hunt goes on without.
 */
static void wait_tracing(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, const struct timespec *next)
{
	struct timespec now;
	int64_t ms;
	int rc;

	while (!stop_sig && ctl->gt) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (next->tv_sec - now.tv_sec) * 1000 + (next->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return;
		rc = ms_growtrace_poll(ctx, ctl->gt, ms < 200 ? (int)ms : 200);
		if (rc < 0) {
			ms_cli_warn_ctx(ctx, "growth stacks");
			ms_growtrace_free(ctl->gt);
			ctl->gt = NULL;
		}
		if (rc == MS_GROWTRACE_EXITED)
			break;
	}
	while (!stop_sig && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

/*
 * Trace the page faults' stacks during the watch (growtrace(1)), unless
 * --no-trace: the verdict then says which code first touched the pages
 * that grew.  When the kernel refuses, say why and go on without.
 */
static void start_trace(struct ms_ctx *ctx, struct leakhunt_ctl *ctl)
{
	if (ctl->no_trace)
		return;
	if (ms_growtrace_new(ctx, ctl->o.pid, NULL, &ctl->gt) < 0) {
		warnx("no growth stacks (--no-trace to skip them): %s", ms_ctx_errmsg(ctx));
		ctl->gt = NULL;
	}
}

/* The trace beside the other artefacts: DIR/growtrace.json, as growtrace -J writes it. */
static void save_trace(struct ms_ctx *ctx, const struct ms_growtrace *gt, const char *dir)
{
	struct ms_outfile *of;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/growtrace.json", dir);
	if (ms_outfile_open(ctx, path, 0, &of) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return;
	}
	if (ms_growtrace_write_json(gt, ms_outfile_fp(of)) < 0) {
		ms_outfile_abort(of);
		warnx("%s: write error", path);
		return;
	}
	if (ms_outfile_commit(ctx, of) < 0)
		ms_cli_warn_ctx(ctx, NULL);
}

/*
 * Snapshot every interval until growth is confirmed, the count or duration
 * ends, the process exits or a signal stops the watch.  0, or -errno on
 * trouble (said).
 */
static int watch(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_hunt *h,
		 struct ms_snapshot *s)
{
	struct timespec t0, next, held;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = t0;
	for (;;) {
		rc = ms_hunt_add(ctx, h, s);
		if (rc < 0) {
			ms_cli_warn_ctx(ctx, NULL);
			/* The pid became another process: the first one's hunt is reported. */
			return rc == -ESTALE ? 0 : rc;
		}
		progress(h);
		if (stop_sig)
			return interrupted(ctx, ctl, h);
		if (ms_hunt_confirmed(h) || (ctl->count && ms_hunt_count(h) >= ctl->count))
			return 0;
		/* Slots a slow snapshot overran are skipped, not chased. */
		late += ms_cli_next_slot(&t0, &next, ctl->interval, ctl->duration);
		/* -d is clock time: the next slot past it is not taken. */
		if (ctl->duration && ms_cli_usec_between(&t0, &next) > (int64_t)ctl->duration)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &held);
		if (ms_cli_test_hook("snapshot", "snapshot %zu", ms_hunt_count(h)))
			ms_cli_shift_clock(&t0, &next, &held);
		wait_tracing(ctx, ctl, &next);
		if (stop_sig)
			return interrupted(ctx, ctl, h);
		rc = ms_snapshot_take(ctx, ctl->o.pid, &s);
		/* A zombie has no mappings left: it exited too. */
		if (rc == -ESRCH || rc == -ENODATA) {
			warnx("pid %d: exited after %zu snapshots; reporting what was gathered",
			      (int)ctl->o.pid, ms_hunt_count(h));
			ms_hunt_set_gone(h);
			return 0;
		}
		if (rc < 0) {
			ms_cli_warn_ctx(ctx, NULL);
			return rc;
		}
	}
}

/*
 * One interval after the first dump, the second: what grew between the two
 * is what leaks, start-up and runtime metadata fall away.  Interrupted or
 * the process gone, the first dump is analysed alone.  0 or -1 (said).
 */
static int dump_again(struct ms_ctx *ctx, const struct leakhunt_ctl *ctl, struct ms_hunt *h)
{
	struct timespec next;
	int rc;

	ms_cli_test_hook("snapshot", "dump %zu", ms_hunt_dumps(h));
	catch_stop(true);
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += (time_t)(ctl->interval / 1000000);
	next.tv_nsec += (long)(ctl->interval % 1000000) * 1000;
	if (next.tv_nsec >= 1000000000) {
		next.tv_sec++;
		next.tv_nsec -= 1000000000;
	}
	while (!stop_sig && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
		;
	catch_stop(false);
	if (stop_sig) {
		warnx("interrupted before the second dump; analysing the first alone");
		return 0;
	}
	rc = ms_hunt_dump(ctx, h);
	if (rc == -ESRCH) {
		warnx("pid %d: exited before the second dump; analysing the first alone",
		      (int)ctl->o.pid);
		return 0;
	}
	return rc < 0 ? -1 : 0;
}

/*
 * Growth confirmed: dump what grew (twice, one interval apart, when there
 * is time), analyse the dumps, and follow the references when asked.  A
 * step that fails is said, and the report is written with what there is.
 */
static void dump_and_analyse(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_hunt *h)
{
	fprintf(stderr, "leakhunt: growth %s after %zu snapshots; dumping what grew\n",
		ms_hunt_interrupted(h) ? "seen" : "confirmed", ms_hunt_count(h));
	if (ms_hunt_dump(ctx, h) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return;
	}
	if (!ms_hunt_gone(h) && !ms_hunt_interrupted(h) && dump_again(ctx, ctl, h) < 0)
		ms_cli_warn_ctx(ctx, NULL);
	if (ms_hunt_analyse(ctx, h) < 0)
		ms_cli_warn_ctx(ctx, NULL);
	else if (ctl->refs && !ms_hunt_gone(h) && ms_hunt_refs(ctx, h, refs_event, ctl) < 0)
		ms_cli_warn_ctx(ctx, NULL);
}

/*
 * A hunt cut short answers "leaking" but never "not leaking"; nor does
 * one that saw growth it had no time to confirm: that is its own answer,
 * so a script can hunt again for longer.  RC < 0: the hunt failed.
 */
static int exit_status(const struct ms_hunt *h, int rc)
{
	if (ms_hunt_confirmed(h))
		return MS_EXIT_FOUND;
	if (rc < 0 || ms_hunt_gone(h))
		return MS_EXIT_TROUBLE;
	if (ms_hunt_unconfirmed(h))
		return MS_EXIT_UNCONFIRMED;
	return ms_hunt_interrupted(h) ? MS_EXIT_TROUBLE : MS_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct leakhunt_ctl ctl = {
		.o = { .confirm = 4, .max_dump = 256ULL << 20, .threshold = 256 << 10 },
		.interval = 10000000, .count = 30,
	};
	struct ms_snapshot *first;
	struct ms_hunt *h;
	struct ms_ctx *ctx;
	int rc, status;

	ms_cli_init("leakhunt");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, NULL, "out of memory");
	parse_args(ctx, &ctl, argc, argv);
	ctl.o.cmdline = ms_cli_cmdline(argc, argv);

	/* The first snapshot before the directory: a wrong pid leaves nothing behind. */
	if (ms_snapshot_take(ctx, ctl.o.pid, &first) < 0 ||
	    ms_hunt_new(ctx, &ctl.o, ctl.dir, &h) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	ms_hunt_set_warn_cb(h, warn_cb, NULL);
	start_trace(ctx, &ctl);
	catch_stop(true);
	rc = watch(ctx, &ctl, h, first);
	catch_stop(false);
	if (late)
		warnx("%llu snapshots skipped: a snapshot took longer than the interval",
		      (unsigned long long)late);
	if (ctl.gt && ms_growtrace_finish(ctx, ctl.gt) < 0) {
		ms_cli_warn_ctx(ctx, "growth stacks");
		ms_growtrace_free(ctl.gt);
		ctl.gt = NULL;
	}
	ms_hunt_set_growtrace(h, ctl.gt);
	if (ctl.gt)
		save_trace(ctx, ctl.gt, ms_hunt_dir(h));
	if (rc == 0 && ms_hunt_confirmed(h) && !ms_hunt_gone(h))
		dump_and_analyse(ctx, &ctl, h);
	if (ms_hunt_report(ctx, h) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		rc = -1;
	} else {
		fprintf(stderr, "leakhunt: report in %s/report.md\n", ms_hunt_dir(h));
		/* The answer, on standard output as diff(1) prints its. */
		if (ms_hunt_verdict(ctx, h, stdout) < 0)
			ms_cli_warn_ctx(ctx, NULL);
	}
	status = exit_status(h, rc);
	ms_hunt_free(h);
	ms_growtrace_free(ctl.gt);
	free((char *)ctl.o.cmdline);
	ms_patscan_free(ctl.o.redact);
	ms_ctx_free(ctx);
	return status;
}
