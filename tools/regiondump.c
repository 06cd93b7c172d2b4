// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regiondump: dump a range of a live process's memory to a file, holes and
 * all, with a JSON manifest beside it saying what each byte is.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include <memsift/dump.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/pagehash.h>
#include <memsift/pattern.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>

/* At most this many hole warnings; the manifest lists them all. */
#define MAX_WARN 10


enum {
	OPT_ANON = CHAR_MAX + 1,
	OPT_CHANGED,
	OPT_FORMAT,
	OPT_FREEZE,
	OPT_GROWN,
	OPT_MAPPING,
	OPT_MAX_PAUSE,
	OPT_REDACT,
	OPT_REDACT_FILE,
	OPT_REDACT_SET,
	OPT_RESIDENT,
};

struct regiondump_ctl {
	pid_t pid;
	const char *output;		/* NULL: a default name */
	char *default_output;
	unsigned int outflags;
	unsigned int dumpflags;
	uint64_t max_pause;		/* --max-pause, microseconds; 0: none */
	enum ms_dump_format format;
	uint64_t start, end;		/* the range given as arguments */
	uint64_t mapping;		/* --mapping ADDR */
	int have_mapping, anon;
	const char *grown;		/* --grown SNAPSHOT */
	const char *changed;		/* --changed-since SNAPSHOT */
	int progress;			/* stderr is a terminal */
	struct timespec t0, last;
	int hooked;
	struct ms_patscan *redact;	/* --redact, --redact-file, --redact-set */
};

static const char shortopts[] = "fp:w:zVh";
static const struct option longopts[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "pid", required_argument, NULL, 'p' },
	{ "write", required_argument, NULL, 'w' },
	{ "zstd", no_argument, NULL, 'z' },
	{ "anon", no_argument, NULL, OPT_ANON },
	{ "changed-since", required_argument, NULL, OPT_CHANGED },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "freeze", no_argument, NULL, OPT_FREEZE },
	{ "max-pause", required_argument, NULL, OPT_MAX_PAUSE },
	{ "grown", required_argument, NULL, OPT_GROWN },
	{ "mapping", required_argument, NULL, OPT_MAPPING },
	{ "redact", required_argument, NULL, OPT_REDACT },
	{ "redact-file", required_argument, NULL, OPT_REDACT_FILE },
	{ "redact-set", required_argument, NULL, OPT_REDACT_SET },
	{ "resident-only", no_argument, NULL, OPT_RESIDENT },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_compat compat[] = { MS_CLI_COMPAT_WRITE("FILE") };

static const struct ms_cli_excl excl[] = {
	{ { OPT_ANON, OPT_CHANGED, OPT_GROWN, OPT_MAPPING } },
	{ { 'z', OPT_FORMAT } },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n regiondump [options] -p PID ADDR SIZE\n"
	       " regiondump [options] -p PID ADDR-END|ADDR+SIZE\n"
	       " regiondump [options] -p PID --mapping ADDR|--anon|--grown SNAP|--changed-since SNAP\n\n");
	printf("Dump memory of a live process to a file, byte for byte, with a JSON manifest\n"
	       "(FILE.json) saying what each byte is: read, not mapped or unreadable (both\n"
	       "zero-filled), and the process's maps.  The process keeps running unless\n"
	       "--freeze.  ADDR is hex; SIZE takes K, M, G (1K = 1024).\n\n");
	printf("Options:\n");
	printf(" -f, --force            overwrite FILE and FILE.json; take a range of holes\n");
	printf(" -p, --pid PID          the process to dump\n");
	printf(" -w, --write FILE       write to FILE (mode 0600); \"-\" for stdout (no manifest);\n"
	       "                        default pidPID-0xADDR.dump, printed\n");
	printf(" -z, --zstd             compress the output with zstd\n");
	printf("     --anon             dump every readable private anonymous mapping\n");
	printf("     --changed-since SNAPSHOT\n"
	       "                        dump only the anonymous pages new or written since\n"
	       "                        SNAPSHOT (taken with mapsnap --pages)\n");
	printf("     --format FORMAT    raw (default: the bytes) or core (an ELF core file)\n");
	printf("     --freeze           stop every thread for a consistent image (ptrace)\n");
	printf("     --grown SNAPSHOT   dump every mapping whose RSS grew since SNAPSHOT\n"
	       "                        (mapsnap's, or a copy of smaps)\n");
	printf("     --mapping ADDR     dump the whole mapping that contains ADDR\n");
	printf("     --max-pause TIME   frozen, let the process go after TIME stopped and\n"
	       "                        read the rest live (default 2s; 0: never)\n");
	printf("     --redact REGEX     replace the bytes REGEX matches (PCRE2; with a group\n"
	       "                        (?<secret>...), only what it matches) by '*', in\n"
	       "                        every format; sizes and offsets stay; repeatable\n");
	printf("     --redact-file FILE the same, one REGEX a line (# starts a comment), so\n"
	       "                        none shows in ps or the shell's history\n");
	printf("     --redact-set NAME  a built-in set: private-key, password, bearer or all\n");
	printf("     --resident-only    skip pages neither in memory nor in swap\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 success (holes included), 1 failure.\n");
	printf("See regiondump(1) for the manifest.\n");
	exit(MS_EXIT_OK);
}

/* The hidden test hook: at the first EVENT it is set for, say so and wait. */
static void test_hook(struct regiondump_ctl *ctl, const char *event)
{
	if (!ctl->hooked)
		ctl->hooked = ms_cli_test_hook(event, "%s", event);
}

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void on_event(enum ms_dump_event ev, uint64_t done, uint64_t total, void *data)
{
	struct regiondump_ctl *ctl = data;
	char d[MS_SIZE_STR_MAX], t[MS_SIZE_STR_MAX], r[MS_SIZE_STR_MAX];
	struct timespec now;
	double el;

	test_hook(ctl, ev == MS_DUMP_EV_FROZEN ? "frozen" :
		       ev == MS_DUMP_EV_UNFROZEN ? "unfrozen" : "progress");
	if (ev != MS_DUMP_EV_PROGRESS || !ctl->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && since(&ctl->last, &now) < 0.2)
		return;
	ctl->last = now;
	el = since(&ctl->t0, &now);
	fprintf(stderr, "\rregiondump: %s of %s (%3u%%) %s/s ", ms_size_str(done, d, sizeof(d)),
		ms_size_str(total, t, sizeof(t)), (unsigned)(total ? done * 100 / total : 100),
		ms_size_str(el > 0 ? (uint64_t)((double)done / el) : 0, r, sizeof(r)));
	if (done >= total)
		fputs("\r\033[K", stderr);
}

/*
 * "regiondump -p PID -1 4K": getopt would say "invalid option -- '1'".
 * Say what is wrong with the number instead, as for any bad address or size.
 */
static void refuse_negative(struct ms_ctx *ctx, int argc, char **argv)
{
	uint64_t v;
	int nth, i = ms_cli_negative_operand(argc, argv, shortopts, longopts, &nth);

	if (!i)
		return;
	if ((nth == 0 ? ms_parse_addr(ctx, argv[i], &v) : ms_parse_size(ctx, argv[i], &v)) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
}

static void parse_args(struct ms_ctx *ctx, struct regiondump_ctl *ctl, int argc, char **argv)
{
	uint64_t size;

	if (!ctl->pid) {
		warnx("no process given; use -p PID");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if ((ctl->have_mapping || ctl->anon || ctl->grown || ctl->changed) && argc) {
		warnx("unexpected argument \"%s\" with --%s", argv[0],
		      ctl->anon ? "anon" : ctl->grown ? "grown" : ctl->changed ? "changed-since" : "mapping");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (ctl->have_mapping || ctl->anon || ctl->grown || ctl->changed)
		return;
	if (argc == 1 && strpbrk(argv[0], "-+")) {
		if (ms_parse_range(ctx, argv[0], &ctl->start, &ctl->end) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
		return;
	}
	if (argc == 0) {
		warnx("no range given; use ADDR SIZE, ADDR-END, ADDR+SIZE, --mapping ADDR or --anon");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (argc == 1) {
		warnx("no size after \"%s\"; use ADDR SIZE, ADDR-END or ADDR+SIZE", argv[0]);
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (argc > 2) {
		warnx("unexpected argument \"%s\"", argv[2]);
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (ms_parse_addr(ctx, argv[0], &ctl->start) < 0 ||
	    ms_parse_size(ctx, argv[1], &size) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	if (!size || size > UINT64_MAX - ctl->start)
		errx(MS_EXIT_FAILURE, "bad size \"%s\": %s", argv[1],
		     size ? "the range passes the end of the address space" : "nothing to dump");
	ctl->end = ctl->start + size;
}

/* --changed-since: the page hashes of SNAPSHOT. */
static int load_pagehash(struct ms_ctx *ctx, const char *path, struct ms_pagehash **ph)
{
	struct ms_snapshot *base;
	int rc;

	rc = ms_snapshot_load_path(ctx, path, &base);
	if (rc < 0)
		return rc;
	rc = ms_snapshot_pagehash(ctx, base, path, ph);
	ms_snapshot_free(base);
	return rc;
}

/* What to dump: the ranges asked for, added to D. */
static int add_ranges(struct ms_ctx *ctx, struct ms_dump *d, const struct regiondump_ctl *ctl,
		      const struct ms_snapshot *base, const struct ms_pagehash *ph)
{
	if (ctl->anon)
		return ms_dump_add_anon(ctx, d);
	if (base) {
		if (ms_snapshot_pid(base) && ms_snapshot_pid(base) != ctl->pid)
			warnx("%s is a snapshot of pid %d, not %d; comparing anyway", ctl->grown,
			      (int)ms_snapshot_pid(base), (int)ctl->pid);
		return ms_dump_add_grown(ctx, d, ms_snapshot_maps(base));
	}
	if (ph)
		return ms_dump_add_changed(ctx, d, ph);
	if (ctl->have_mapping)
		return ms_dump_add_mapping(ctx, d, ctl->mapping);
	return ms_dump_add_range(ctx, d, ctl->start, ctl->end);
}

static void pick_output(struct regiondump_ctl *ctl)
{
	char first[32];
	size_t len = 80;

	if (ctl->output)
		return;
	if (ctl->anon || ctl->grown || ctl->changed)
		snprintf(first, sizeof(first), ctl->anon ? "anon" : ctl->grown ? "grown" : "changed");
	else
		snprintf(first, sizeof(first), "0x%" PRIx64,
			 ctl->have_mapping ? ctl->mapping : ctl->start);
	ctl->default_output = malloc(len);
	if (!ctl->default_output)
		errx(MS_EXIT_FAILURE, "out of memory");
	snprintf(ctl->default_output, len, "pid%d-%s.%s%s", (int)ctl->pid, first,
		 ctl->format == MS_DUMP_CORE ? "core" : "dump",
		 (ctl->dumpflags & MS_DUMP_ZSTD) ? ".zst" : "");
	ctl->output = ctl->default_output;
}

/* Say what was zero-filled, one line per sub-range, as the manifest lists them. */
static void warn_holes(const struct ms_dump *d)
{
	size_t i, n = ms_dump_nsubranges(d), shown = 0, more = 0;
	enum ms_mem_status st;
	enum ms_mem_method m;
	uint64_t s, e;

	for (i = 0; i < n; i++) {
		ms_dump_subrange(d, i, &s, &e, &st, &m);
		if (st != MS_MEM_UNMAPPED && st != MS_MEM_UNREADABLE)
			continue;
		if (shown++ < MAX_WARN)
			warnx("%" PRIx64 "-%" PRIx64 ": %s; zero-filled, noted in the manifest", s, e,
			      ms_mem_status_name(st));
		else
			more++;
	}
	if (more)
		warnx("and %zu more sub-ranges not read; see the manifest", more);
}

/* Stdout, /dev/null, a pipe: no place for a FILE.json beside it. */
static int manifest_beside(const char *output)
{
	struct stat st;

	if (!strcmp(output, "-"))
		return 0;
	/*
	 * lstat: a symlink at the name, even to /dev/null, is replaced by a file
	 * (never written through), and a file gets its manifest.
	 */
	return !(lstat(output, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)));
}

/*
 * Writing PATH failed (the disk is full): the library's message says how but
 * not where.  Remove both temporaries, then exit naming the file.
 */
static _Noreturn void fail_writing(struct ms_ctx *ctx, struct ms_outfile *of,
				   struct ms_outfile *mf, const char *path)
{
	ms_outfile_abort(of);
	ms_outfile_abort(mf);
	ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "%s", path);
}

static _Noreturn void fail_flush(struct ms_outfile *of, struct ms_outfile *mf, const char *path)
{
	int e = errno;

	ms_outfile_abort(of);
	ms_outfile_abort(mf);
	errno = e;
	err(MS_EXIT_FAILURE, "%s: write error", path);
}

/*
 * The dump's file, and its manifest beside it (*MPATH) where there is room
 * for one (manifest_beside()): both under temporary names until whole.
 */
static int open_outputs(struct ms_ctx *ctx, const struct regiondump_ctl *ctl,
			struct ms_outfile **of, struct ms_outfile **mf, char **mpath)
{
	int rc = ms_outfile_open(ctx, ctl->output, ctl->outflags, of);

	if (rc < 0 || !manifest_beside(ctl->output))
		return rc;
	if (asprintf(mpath, "%s.json", ctl->output) < 0) {
		*mpath = NULL;
		return -ENOMEM;
	}
	return ms_outfile_open(ctx, *mpath, ctl->outflags, mf);
}

/* How long the target was stopped; last, and true: the bytes read, and whether that is all. */
static void say_done(const struct regiondump_ctl *ctl, const struct ms_dump *d, const char *mpath)
{
	if (ms_dump_pause_cut(d))
		warnx("pid %d: let go after %.3f ms stopped (--max-pause); from 0x%llx on, read from the running process",
		      (int)ctl->pid, (double)ms_dump_pause_ns(d) / 1e6,
		      (unsigned long long)ms_dump_pause_cut(d));
	else if (ms_dump_pause_ns(d))
		warnx("pid %d: stopped for %.3f ms", (int)ctl->pid,
		      (double)ms_dump_pause_ns(d) / 1e6);
	if (mpath)
		warnx("pid %d: %" PRIu64 " bytes%s to %s, manifest %s", (int)ctl->pid,
		      ms_dump_read_bytes(d), ms_dump_complete(d) ? "" : " (incomplete)",
		      ctl->output, mpath);
}

static int dump(struct ms_ctx *ctx, struct regiondump_ctl *ctl)
{
	struct ms_outfile *of = NULL, *mf = NULL;
	struct ms_snapshot *base = NULL;
	struct ms_pagehash *ph = NULL;
	struct ms_dump *d = NULL;
	char *mpath = NULL;
	int rc, run_rc;

	/* Open first: a refused output path must not cost a read of the target. */
	if ((rc = open_outputs(ctx, ctl, &of, &mf, &mpath)) < 0)
		goto out;
	/* A snapshot that cannot be read is the user's to fix, before a look at the target. */
	if (ctl->grown && (rc = ms_snapshot_load_path(ctx, ctl->grown, &base)) < 0)
		goto out;
	if (ctl->changed && (rc = load_pagehash(ctx, ctl->changed, &ph)) < 0)
		goto out;
	rc = ms_dump_new(ctx, ctl->pid, &d);
	if (rc < 0)
		goto out;
	/* -f: the user asked for it, holes and all. */
	ms_dump_allow_holes(d, ctl->outflags & MS_OUTFILE_FORCE);
	ms_dump_set_max_pause(d, ctl->max_pause * 1000);
	rc = add_ranges(ctx, d, ctl, base, ph);
	if (rc < 0)
		goto out;
	if (ctl->redact)
		ms_dump_set_redact(ctx, d, ctl->redact, MS_REDACT_FILL);
	ms_dump_set_event_cb(d, on_event, ctl);
	clock_gettime(CLOCK_MONOTONIC, &ctl->t0);
	run_rc = ms_dump_run(ctx, d, ctl->dumpflags | (mf ? 0 : MS_DUMP_NO_CHECKSUM), ctl->format,
			     ms_outfile_fp(of));
	if (run_rc < 0 && ferror(ms_outfile_fp(of)))
		fail_writing(ctx, of, mf, ctl->output);
	/* A process that exited mid-dump: keep what was read, marked incomplete. */
	if (run_rc < 0 && run_rc != -ESRCH) {
		rc = run_rc;
		goto out;
	}
	warn_holes(d);
	if (mf) {
		rc = ms_dump_write_manifest(ctx, d, ctl->output, ms_outfile_fp(mf));
		if (rc < 0 && ferror(ms_outfile_fp(mf)))
			fail_writing(ctx, of, mf, mpath);
		if (rc < 0)
			goto out;
	}
	/*
	 * Both files whole before either is renamed into place: a disk that
	 * fills up on the manifest must not leave a dump without one.
	 */
	if (fflush(ms_outfile_fp(of)) != 0)
		fail_flush(of, mf, ctl->output);
	if (mf && fflush(ms_outfile_fp(mf)) != 0)
		fail_flush(of, mf, mpath);
	/* The old pair or the new one, never a new dump beside an old manifest, nor neither. */
	rc = mf ? ms_outfile_commit_pair(ctx, of, mf) : ms_outfile_commit(ctx, of);
	of = NULL;
	mf = NULL;
	if (rc < 0)
		goto out;
	say_done(ctl, d, mpath);
	rc = run_rc;
out:
	ms_outfile_abort(of);
	ms_outfile_abort(mf);
	ms_dump_free(d);
	ms_snapshot_free(base);
	ms_pagehash_free(ph);
	free(mpath);
	return rc;
}

/* The options into CTL; a bad one ends the program (exit status 1). */
static void parse_options(struct ms_ctx *ctx, struct regiondump_ctl *ctl, int argc, char **argv)
{
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		switch (c) {
		case 'f':
			ctl->outflags |= MS_OUTFILE_FORCE;
			break;
		case 'w':
			ctl->output = optarg;
			break;
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
			break;
		case 'z':
			ctl->dumpflags |= MS_DUMP_ZSTD;
			break;
		case OPT_ANON:
			ctl->anon = 1;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "raw"))
				ctl->format = MS_DUMP_RAW;
			else if (!strcmp(optarg, "core"))
				ctl->format = MS_DUMP_CORE;
			else
				errx(MS_EXIT_FAILURE, "unknown format \"%s\"; use raw or core", optarg);
			break;
		case OPT_MAX_PAUSE:
			if (ms_parse_duration(ctx, optarg, &ctl->max_pause) < 0 &&
			    strcmp(optarg, "0"))
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--max-pause");
			if (!strcmp(optarg, "0"))
				ctl->max_pause = 0;
			break;
		case OPT_FREEZE:
			ctl->dumpflags |= MS_DUMP_FREEZE;
			break;
		case OPT_CHANGED:
			ctl->changed = optarg;
			break;
		case OPT_GROWN:
			ctl->grown = optarg;
			break;
		case OPT_MAPPING:
			if (ms_parse_addr(ctx, optarg, &ctl->mapping) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
			ctl->have_mapping = 1;
			break;
		case OPT_REDACT:
			ms_cli_redact_regex(ctx, &ctl->redact, optarg);
			break;
		case OPT_REDACT_FILE:
			ms_cli_redact_file(ctx, &ctl->redact, optarg);
			break;
		case OPT_REDACT_SET:
			ms_cli_redact_set(ctx, &ctl->redact, optarg);
			break;
		case OPT_RESIDENT:
			ctl->dumpflags |= MS_DUMP_RESIDENT_ONLY;
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_FAILURE);
		}
	}
}

int main(int argc, char **argv)
{
	struct regiondump_ctl ctl = { .format = MS_DUMP_RAW, .max_pause = 2000000 };
	struct ms_ctx *ctx;
	int rc;

	ms_cli_init("regiondump");
	ctx = ms_ctx_new();
	if (!ctx)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, NULL, "out of memory");

	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     NULL, 0);
	ms_cli_set_hint(-EEXIST, "use -f to overwrite it");
	ms_cli_set_hint(-ENODATA, "take it with mapsnap --pages");
	refuse_negative(ctx, argc, argv);
	parse_options(ctx, &ctl, argc, argv);
	parse_args(ctx, &ctl, argc - optind, argv + optind);
	pick_output(&ctl);
	ctl.progress = isatty(STDERR_FILENO);

	rc = dump(ctx, &ctl);
	if (rc == -EFBIG)
		warnx("%s; ask for the mappings (--mapping, --anon) or give -f to dump it anyway",
		      ms_ctx_errmsg(ctx));
	else if (rc < 0)
		ms_cli_warn_ctx(ctx, NULL);
	free(ctl.default_output);
	ms_patscan_free(ctl.redact);
	ms_ctx_free(ctx);
	return rc < 0 ? MS_EXIT_FAILURE : MS_EXIT_OK;
}
