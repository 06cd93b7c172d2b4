/*
 * leakhunt: the whole hunt in one command.  Snapshot a process until a
 * mapping (or the process) grows with no steady state, dump what grew, say
 * what the bytes are and which code they point at, and leave a report
 * directory with every artefact.  Exit status as diff(1): 0 nothing is
 * leaking, 1 a leak was found, 2 trouble.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <memsift/cli.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

#include "leakhunt-parts/leakhunt.h"

enum { OPT_CONFIRM = CHAR_MAX + 1, OPT_MAX_DUMP, OPT_THRESHOLD };

static const char shortopts[] = "d:i:n:o:p:Vh";
static const struct option longopts[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "confirm", required_argument, NULL, OPT_CONFIRM },
	{ "max-dump", required_argument, NULL, OPT_MAX_DUMP },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n leakhunt [options] -p PID\n\n");
	printf("Hunt a memory leak in a live process in one command: snapshot its mappings\n"
	       "every INTERVAL until one grows with no steady state, dump what grew since\n"
	       "the first snapshot, class its bytes, name the code its pointers lead to,\n"
	       "walk glibc's heap, and write DIR/report.md with every raw artefact.\n"
	       "The process is never stopped.\n\n");
	printf("Options:\n");
	printf(" -d, --duration TIME    give up after TIME (e.g. 10m) without confirmed growth\n");
	printf(" -i, --interval TIME    time between snapshots (default 10s)\n");
	printf(" -n, --count N          give up after N snapshots (default 30, or none with -d)\n");
	printf(" -o, --output DIR       the report directory, created 0700 (default\n"
	       "                          leakhunt-PID-TIME)\n");
	printf(" -p, --pid PID          the process to hunt in\n");
	printf("     --confirm N        snapshots that must show growth (default 4, at least 3)\n");
	printf("     --max-dump SIZE    dump at most SIZE of what grew (default 256M)\n");
	printf("     --threshold SIZE   growth below SIZE does not count (default 256K)\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 nothing is leaking, 1 a leak was found, 2 trouble.\n");
	exit(MS_EXIT_OK);
}

/* The hunt's test hook: MEMSIFT_TEST_HOOK=snapshot:FIFO reports each snapshot
 * on FIFO and waits for a line back, so a test makes the process grow between
 * two snapshots without racing the interval. */
static void test_hook(const struct leakhunt_ctl *ctl)
{
	char line[64], buf[16];
	int fd, len;

	if (!ctl->hook || strncmp(ctl->hook, "snapshot:", 9))
		return;
	len = snprintf(line, sizeof(line), "snapshot %zu\n", ctl->n);
	fd = open(ctl->hook + 9, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)len) < 0)
		err(MS_EXIT_TROUBLE, "test hook %s", ctl->hook);
	close(fd);
	fd = open(ctl->hook + 9, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		err(MS_EXIT_TROUBLE, "test hook %s", ctl->hook);
	close(fd);
}

static void parse_args(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { { { 'n', 'd' } } };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	bool count_given = false;
	int c;

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
		case 'n':
			if (ms_parse_count(ctx, optarg, 2, 1000000, &ctl->count) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--count");
			count_given = true;
			break;
		case 'o':
			ctl->dir = optarg;
			break;
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--pid");
			break;
		case OPT_CONFIRM:
			if (ms_parse_count(ctx, optarg, 3, 1000000, &ctl->confirm) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--confirm");
			break;
		case OPT_MAX_DUMP:
			if (ms_parse_size(ctx, optarg, &ctl->max_dump) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--max-dump");
			if (ctl->max_dump < 4096)
				errx(MS_EXIT_TROUBLE, "--max-dump: at least 4K");
			break;
		case OPT_THRESHOLD:
			if (ms_parse_size(ctx, optarg, &ctl->threshold) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--threshold");
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument \"%s\"", argv[optind]);
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (!ctl->pid) {
		warnx("no process given; use -p PID");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (ctl->duration && !count_given)
		ctl->count = 0;
	if (ctl->count && ctl->count < ctl->confirm)
		errx(MS_EXIT_TROUBLE, "--count %" PRIu64 " is fewer than the %" PRIu64 " snapshots --confirm needs",
		     ctl->count, ctl->confirm);
}

/* Write snapshot S as DIR/snapshots/NNNN.snap and keep it.  0 or -errno. */
static int keep_snapshot(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_snapshot *s)
{
	struct ms_outfile *of;
	char path[PATH_MAX];
	void *p;
	int rc;

	snprintf(path, sizeof(path), "%s/snapshots/%04zu.snap", ctl->dir, ctl->n + 1);
	rc = ms_outfile_open(ctx, path, 0, &of);
	if (rc == 0)
		rc = ms_snapshot_write(ctx, s, ms_outfile_fp(of));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	else
		ms_outfile_abort(of);
	if (rc < 0)
		return rc;
	if (!(p = realloc(ctl->snap, (ctl->n + 1) * sizeof(*ctl->snap))))
		err(MS_EXIT_TROUBLE, "out of memory");
	ctl->snap = p;
	if (!(p = realloc(ctl->times, (ctl->n + 1) * sizeof(*ctl->times))))
		err(MS_EXIT_TROUBLE, "out of memory");
	ctl->times = p;
	ctl->snap[ctl->n] = s;
	ctl->times[ctl->n++] = ms_snapshot_boottime(s);
	return 0;
}

/* The report directory: created 0700, never one that exists. */
static void make_dir(struct leakhunt_ctl *ctl)
{
	char path[PATH_MAX];

	if (!ctl->dir) {
		char stamp[32];
		time_t now = time(NULL);

		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime(&now));
		if (asprintf(&ctl->dir_alloc, "leakhunt-%d-%s", (int)ctl->pid, stamp) < 0)
			err(MS_EXIT_TROUBLE, "out of memory");
		ctl->dir = ctl->dir_alloc;
	}
	if (mkdir(ctl->dir, 0700) < 0)
		err(MS_EXIT_TROUBLE, "%s%s", ctl->dir,
		    errno == EEXIST ? ": exists; give another with -o DIR" : "");
	snprintf(path, sizeof(path), "%s/snapshots", ctl->dir);
	if (mkdir(path, 0700) < 0)
		err(MS_EXIT_TROUBLE, "%s", path);
}

static void progress(const struct leakhunt_ctl *ctl)
{
	const struct ms_series *tot = ctl->trend ? ms_trend_total(ctl->trend) : NULL;
	char a[MS_SIZE_STR_MAX], r[32];

	ms_size_str(ms_maps_total(ms_snapshot_maps(ctl->snap[ctl->n - 1]), MS_F_RSS), a, sizeof(a));
	if (!tot) {
		fprintf(stderr, "leakhunt: snapshot %zu: pid %d has %s resident\n", ctl->n,
			(int)ctl->pid, a);
		return;
	}
	fprintf(stderr, "leakhunt: snapshot %zu: %s resident, %s: %s\n", ctl->n, a,
		ms_rate_str(ms_series_rate(tot), r, sizeof(r)),
		ms_verdict_str(ms_series_verdict(tot)));
}

/*
 * Snapshot every interval until growth is confirmed, the count or duration
 * ends, or the process exits.  0, or -errno on trouble (said).
 */
static int watch(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_snapshot *first)
{
	struct timespec t0, next;
	struct ms_snapshot *s = first;
	uint64_t k;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 1;; k++) {
		rc = keep_snapshot(ctx, ctl, s);
		if (rc < 0) {
			ms_snapshot_free(s);
			ms_cli_warn_ctx(ctx, NULL);
			return rc;
		}
		rc = lh_assess(ctx, ctl);
		if (rc < 0) {
			ms_cli_warn_ctx(ctx, NULL);
			return rc;
		}
		progress(ctl);
		if (ctl->confirmed || (ctl->count && ctl->n >= ctl->count) ||
		    (ctl->duration && k * ctl->interval > ctl->duration))
			return 0;
		test_hook(ctl);
		next.tv_sec = t0.tv_sec + (time_t)((k * ctl->interval) / 1000000);
		next.tv_nsec = t0.tv_nsec + (long)((k * ctl->interval) % 1000000) * 1000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		rc = ms_snapshot_take(ctx, ctl->pid, &s);
		/* A zombie has no mappings left: it exited too. */
		if (rc == -ESRCH || rc == -ENODATA) {
			warnx("pid %d: exited after %zu snapshots; reporting what was gathered",
			      (int)ctl->pid, ctl->n);
			ctl->gone = true;
			return 0;
		}
		if (rc < 0) {
			ms_cli_warn_ctx(ctx, NULL);
			return rc;
		}
	}
}

int main(int argc, char **argv)
{
	struct leakhunt_ctl ctl = {
		.interval = 10000000, .count = 30, .confirm = 4,
		.max_dump = 256ULL << 20, .threshold = 256 << 10,
	};
	struct ms_snapshot *first;
	struct ms_ctx *ctx;
	int rc, status;

	ms_cli_init("leakhunt");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, NULL, "out of memory");
	parse_args(ctx, &ctl, argc, argv);
	ctl.hook = getenv("MEMSIFT_TEST_HOOK");

	/* The first snapshot before the directory: a wrong pid leaves nothing behind. */
	rc = ms_snapshot_take(ctx, ctl.pid, &first);
	if (rc < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	make_dir(&ctl);
	rc = watch(ctx, &ctl, first);
	if (rc == 0 && ctl.confirmed && !ctl.gone) {
		fprintf(stderr, "leakhunt: growth confirmed after %zu snapshots; dumping what grew\n",
			ctl.n);
		if (lh_dump(ctx, &ctl) == 0)
			lh_analyse(ctx, &ctl);
	}
	if (lh_report(ctx, &ctl) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		rc = -1;
	} else {
		fprintf(stderr, "leakhunt: report in %s/report.md\n", ctl.dir);
	}
	if (ctl.confirmed)
		status = MS_EXIT_FOUND;
	else
		status = rc < 0 || ctl.gone ? MS_EXIT_TROUBLE : MS_EXIT_OK;
	lh_ctl_release(&ctl);
	ms_ctx_free(ctx);
	return status;
}
