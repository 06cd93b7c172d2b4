// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapswatch: watch a process's mappings (or every process) grow, live, like
 * top: ranked by growth rate, a sparkline and a verdict each; keep the
 * samples as mapsnap snapshots, export them for Prometheus, plot them.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"
#include <memsift/gctrace.h>
#include <memsift/jsonwrt.h>
#include <memsift/label.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/plot.h>
#include <memsift/prom.h>
#include <memsift/snapshot.h>
#include <memsift/watch.h>

enum {
	COL_PID, COL_COMM, COL_START, COL_END, COL_PERMS, COL_RSS, COL_ANON, COL_SWAP,
	COL_GROWTH, COL_RATE, COL_VERDICT, COL_TREND, COL_LABEL, COL_NAME
};

static const struct ms_out_column columns[] = {
	[COL_PID] = { "PID", 6, MS_COL_RIGHT, MS_COL_U64, "process id" },
	[COL_COMM] = { "COMM", 0.15, MS_COL_TRUNC, MS_COL_STR, "process name" },
	[COL_START] = { "START", 12, 0, MS_COL_HEX, "start address of the mapping" },
	[COL_END] = { "END", 12, 0, MS_COL_HEX, "end address (exclusive)" },
	[COL_PERMS] = { "PERMS", 4, 0, MS_COL_STR, "permissions, as maps prints them" },
	[COL_RSS] = { "RSS", 5, MS_COL_RIGHT, MS_COL_SIZE, "resident set now" },
	[COL_ANON] = { "ANON", 5, MS_COL_RIGHT, MS_COL_SIZE, "anonymous memory now" },
	[COL_SWAP] = { "SWAP", 5, MS_COL_RIGHT, MS_COL_SIZE, "swapped out now" },
	[COL_GROWTH] = { "GROWTH", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the resident set over the samples kept" },
	[COL_RATE] = { "RATE", 6, MS_COL_RIGHT, MS_COL_RATE, "growth rate of the resident set" },
	[COL_VERDICT] = { "VERDICT", 10, 0, MS_COL_STR, "grows with no steady state, levelled off, shrinking or steady" },
	[COL_TREND] = { "TREND", 20, 0, MS_COL_STR, "sparkline of the resident set" },
	[COL_LABEL] = { "LABEL", 0.2, MS_COL_TRUNC, MS_COL_STR, "what the mapping likely is: heap, thread stack, glibc arena..." },
	[COL_NAME] = { "NAME", 0.3, MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it; \"N mappings of one heap\" for a runtime's heap" },
};

#define COLS_ONE "START,PERMS,RSS,GROWTH,RATE,VERDICT,TREND,LABEL,NAME"
#define COLS_ALL "PID,COMM,RSS,GROWTH,RATE,VERDICT,TREND"
/* JSON leaves the sparkline out: it is a picture, in the terminal's characters. */
#define COLS_ONE_JSON "START,PERMS,RSS,GROWTH,RATE,VERDICT,LABEL,NAME"
#define COLS_ALL_JSON "PID,COMM,RSS,GROWTH,RATE,VERDICT"
/* The live view on a terminal narrower than LIVE_WIDE: no permissions nor label column. */
#define COLS_LIVE "START,RSS,GROWTH,RATE,VERDICT,TREND,NAME"
#define LIVE_WIDE 120
#define SPARK_WIDTH 20
#define SPARK_NARROW 10
#define PROM_TOP 10
#define PROM_MIN_RSS (16ULL << 20)
#define PLOT_TOP 5

struct mapswatch_ctl {
	pid_t pid;
	bool all, batch, live, utf8;
	uint64_t interval, duration, count, limit, top;
	uint64_t late;		/* samples skipped: one took longer than the interval */
	struct ms_watch_prom_opts prom_opts;
	const char *dir, *plot, *prom, *columns, *gctrace;
	const char *made_dir;	/* the -w DIR, when this run made it */
	unsigned outflags, fileflags;
	char **from;		/* --plot from saved snapshots: DIR or files */
	size_t nfrom;
	struct ms_watch *w;
	struct termios saved_tty;
	bool tty_saved;
	sigset_t waitmask;	/* the mask waits are made with: the handled signals let in */
	struct live *lv;	/* the live view's state, while it is on */
};

/* What the live view's rows are ordered by: < and > step through them. */
enum live_sort { SORT_RATE, SORT_RSS, SORT_GROWTH, SORT_START, SORT_NAME, SORT__N };

static const char *const sort_names[] = {
	[SORT_RATE] = "growth rate", [SORT_RSS] = "RSS", [SORT_GROWTH] = "growth",
	[SORT_START] = "address", [SORT_NAME] = "name",
};

struct live {
	enum live_sort sort;
	bool paused, help, editing;
	char filter[64];	/* a substring of the name (or the label, the command) */
	char edit[64];		/* the filter being typed */
	size_t width, height;	/* of the terminal, at the frame being drawn */
};

enum { OPT_BATCH = CHAR_MAX + 1, OPT_COUNT, OPT_GCTRACE, OPT_LIMIT, OPT_PLOT, OPT_PROM,
       OPT_PROM_BY, OPT_MIN_RSS, OPT_LIST_COLUMNS };

static const char shortopts[] = "p:ai:d:w:f" MS_CLI_OUT_OPTSTRING "t:Vh";
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "all", no_argument, NULL, 'a' },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "write", required_argument, NULL, 'w' },
	{ "force", no_argument, NULL, 'f' },
	MS_CLI_OUT_LONGOPTS,
	{ "batch", no_argument, NULL, OPT_BATCH },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "gctrace", required_argument, NULL, OPT_GCTRACE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	{ "min-rss", required_argument, NULL, OPT_MIN_RSS },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "prom", required_argument, NULL, OPT_PROM },
	{ "prom-by", required_argument, NULL, OPT_PROM_BY },
	{ "top", required_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t interrupted;

/* For the atexit() handler only: an error exit must give the terminal back too. */
static struct mapswatch_ctl *live_ctl;

static _Noreturn void usage(void)
{
	printf("Usage:\n mapswatch [options] -p PID\n mapswatch [options] --all\n"
	       " mapswatch --plot FILE.svg DIR|SNAPSHOT...\n mapswatch --gctrace FILE|-\n\n");
	printf("Watch the mappings of a process grow, ranked by growth rate, each with a\n"
	       "sparkline and a verdict; or every process, ranked by the growth of its RSS.\n"
	       "Live and redrawn on a terminal, as top: q or Ctrl-C ends it, < > sort, p\n"
	       "pauses, f filters, h lists the keys; otherwise a table at the end.  From\n"
	       "saved snapshots, --plot draws their growth.\n\n");
	printf("Options:\n");
	printf(" -p, --pid PID          the process to watch, mapping by mapping\n");
	printf(" -a, --all              every process the user can read (smaps_rollup)\n");
	printf(" -i, --interval TIME    time between samples (default 2s)\n");
	printf(" -d, --duration TIME    stop after TIME (default: until q or Ctrl-C)\n");
	printf(" -w, --write DIR        keep every sample as a mapsnap snapshot in DIR\n");
	printf(" -f, --force            write into a DIR that exists; overwrite the plot\n"
	       "                          and metrics files\n");
	ms_cli_out_help(stdout);
	printf("     --batch            no live view even on a terminal: a table at the end\n");
	printf("     --count N          stop after N samples\n");
	printf("     --gctrace FILE     judge a Go program's live heap from its GODEBUG=gctrace=1\n"
	       "                          lines in FILE (- for standard input) instead\n");
	printf("     --limit SIZE       project when the total reaches SIZE (default: the\n"
	       "                          cgroup's memory.max)\n");
	printf("     --list-columns     list the columns of the table, and exit\n");
	printf("     --min-rss SIZE     export no group of processes with less RSS (default 16M)\n");
	printf("     --plot FILE        draw RSS over time as SVG into FILE at the end\n");
	printf("     --prom FILE        write Prometheus metrics to FILE after each sample\n");
	printf("     --prom-by KEY      every process: one series per group of processes, by\n"
	       "                          comm (default), cgroup or regex:REGEX on comm\n");
	printf(" -t, --top N            show the N fastest growing (and export N mappings,\n"
	       "                          or with --all N groups, to --prom, default %d)\n", PROM_TOP);
	ms_cli_help_options(stdout);
	ms_out_help_columns(columns, MS_ARRAY_SIZE(columns), stdout);
	printf("\nExit status: 0 success, 1 failure.\n");
	exit(MS_EXIT_OK);
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static volatile sig_atomic_t resized;

/* The terminal changed size: the live view is drawn again at once, to fit. */
static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* --prom-by ARG: the key --prom groups processes by; exits on a bad one. */
static void parse_prom_by(struct ms_ctx *ctx, struct mapswatch_ctl *ctl, const char *arg)
{
	if (!strcmp(arg, "comm")) {
		ctl->prom_opts.by = MS_WATCH_BY_COMM;
	} else if (!strcmp(arg, "cgroup")) {
		ctl->prom_opts.by = MS_WATCH_BY_CGROUP;
	} else if (!strncmp(arg, "regex:", 6)) {
		ctl->prom_opts.by = MS_WATCH_BY_REGEX;
		ctl->prom_opts.regex = arg + 6;
		if (ms_watch_group_regex_check(ctx, arg + 6) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--prom-by");
	} else {
		errx(MS_EXIT_FAILURE, "--prom-by: \"%s\" is no key; give comm, cgroup or regex:REGEX",
		     arg);
	}
}

/*
 * One option C (its argument in optarg) into CTL; exits on a bad one.
 * BYTES_TOLD: whether -b's new meaning was already said.
 */
static void parse_option(struct ms_ctx *ctx, struct mapswatch_ctl *ctl, int c, int *bytes_told)
{
	switch (c) {
	case 'p':
		if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--pid");
		break;
	case 'a': ctl->all = true; break;
	case 'i':
		if (ms_parse_duration(ctx, optarg, &ctl->interval) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--interval");
		if (ctl->interval < 1000)
			errx(MS_EXIT_FAILURE, "--interval: \"%s\" is too short; give 1ms or more", optarg);
		break;
	case 'd':
		if (ms_parse_duration(ctx, optarg, &ctl->duration) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--duration");
		break;
	case OPT_COUNT:
		if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl->count) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--count");
		break;
	case 'w': ctl->dir = optarg; break;
	case 'f': ctl->fileflags |= MS_OUTFILE_FORCE; break;
	case OPT_BATCH: ctl->batch = true; break;
	case 'J': ctl->outflags |= MS_OUT_JSON; break;
	case 'r': ctl->outflags |= MS_OUT_RAW; break;
	case 'n': ctl->outflags |= MS_OUT_NOHEADINGS; break;
	case 'o': ctl->columns = optarg; break;
	case 'b':
		/*
		 * -b was --batch until the tools took util-linux's
		 * letters.  Where batch mode mattered, on a terminal,
		 * say what it is now.
		 */
		if (isatty(STDOUT_FILENO) && !(*bytes_told)++)
			warnx("-b is --bytes now, as in util-linux; --batch turns the live view off");
		ctl->outflags |= MS_OUT_BYTES;
		break;
	case OPT_GCTRACE: ctl->gctrace = optarg; break;
	case OPT_LIMIT:
		if (ms_parse_size(ctx, optarg, &ctl->limit) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--limit");
		break;
	case OPT_PLOT: ctl->plot = optarg; break;
	case OPT_PROM: ctl->prom = optarg; break;
	case OPT_PROM_BY:
		parse_prom_by(ctx, ctl, optarg);
		break;
	case OPT_MIN_RSS:
		if (ms_parse_size(ctx, optarg, &ctl->prom_opts.min_rss) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--min-rss");
		break;
	case 't':
		if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl->top) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--top");
		break;
	case OPT_LIST_COLUMNS:
		ms_out_list_columns(columns, MS_ARRAY_SIZE(columns), stdout);
		exit(MS_EXIT_OK);
	case 'V':
		ms_cli_print_version();
	case 'h':
		usage();
	default:
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
}

/* The options against each other, once all are read: the modes that exclude each other. */
static void check_args(struct ms_ctx *ctx, const struct mapswatch_ctl *ctl)
{
	if (ctl->nfrom && (ctl->pid || ctl->all || !ctl->plot)) {
		warnx("unexpected argument \"%s\"; saved snapshots are read only with --plot", ctl->from[0]);
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (ctl->gctrace && (ctl->pid || ctl->all || ctl->nfrom || ctl->plot || ctl->prom || ctl->dir))
		errx(MS_EXIT_FAILURE, "--gctrace reads a log, not a process; give it without -p, --all, "
		     "-w, --plot or --prom");
	if (!ctl->nfrom && !ctl->pid && !ctl->all && !ctl->gctrace) {
		warnx("nothing to watch; use -p PID or --all");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
	if (ctl->all && ctl->dir)
		errx(MS_EXIT_FAILURE, "--write: snapshots are kept for one process only; use -p PID");
	if (ctl->columns) {
		struct ms_out *o;

		/* Check the list now, not after an hour of watching. */
		if (ms_out_new(ctx, columns, MS_ARRAY_SIZE(columns), "x", &o) < 0 ||
		    ms_out_set_columns(o, ctl->columns) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--output");
		ms_out_free(o);
	}
}

static void parse_args(struct ms_ctx *ctx, struct mapswatch_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL, { { 'p', 'a' } } };
	static const struct ms_cli_compat compat[] = {
		{ 'o', "output", "write", MS_CLI_COMPAT_NOT_COLUMNS,
		  "-o DIR (--output) is deprecated; use -w DIR (--write): -o LIST selects columns" },
		{ 0, "columns", "output", MS_CLI_COMPAT_ALWAYS,
		  "--columns is deprecated; use -o LIST (--output)" },
		{ 'n', NULL, "count", MS_CLI_COMPAT_NUMBER,
		  "-n N is deprecated; use --count N: -n is --noheadings" },
	};
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	int c, bytes_told = 0;

	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     columns, MS_ARRAY_SIZE(columns));
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		parse_option(ctx, ctl, c, &bytes_told);
	}
	ctl->from = argv + optind;
	ctl->nfrom = (size_t)(argc - optind);
	check_args(ctx, ctl);
}

/* Refuse what must not be replaced without -f before any work is done. */
static void check_new(const struct mapswatch_ctl *ctl, const char *path, const char *what)
{
	struct stat st;

	if (!path || (ctl->fileflags & MS_OUTFILE_FORCE) || lstat(path, &st) < 0 ||
	    S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return;
	if (S_ISLNK(st.st_mode) && !strcmp(what, "--write"))
		errx(MS_EXIT_FAILURE, "%s: a symlink; give the directory itself, not a link to it", path);
	if (S_ISDIR(st.st_mode) && !strcmp(what, "--write"))
		errx(MS_EXIT_FAILURE, "%s: exists; use -f to write into it, or another DIR", path);
	errx(MS_EXIT_FAILURE, "%s: %s: file exists; use -f to overwrite it", what, path);
}

/* NAME cut to WIDTH columns in its middle, so a path keeps its start and its file name. */
static const char *shorten(const char *name, size_t width, bool utf8, char *buf, size_t len)
{
	size_t n = strlen(name), head, tail;

	if (n <= width || width < 8 || width + 4 > len)
		return name;
	head = (width - 1) / 3;
	tail = width - 1 - head;
	/* Only ASCII is cut here: a multibyte name is left to the table's truncation. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] >= 0x80)
			return name;
	snprintf(buf, len, "%.*s%s%s", (int)head, name, utf8 ? "\u2026" : "~", name + n - tail);
	return buf;
}

/* The name a row shows and is filtered by: the mapping's, a heap's count, or the command. */
static const char *row_name(const struct mapswatch_ctl *ctl, const struct ms_watch_item *it,
			    char *buf, size_t len)
{
	const struct ms_mapping *m = ms_watch_item_mapping(it);
	const char *comm;

	if (!m) {
		comm = ms_watch_item_comm(it);
		return comm ? comm : "";
	}
	if (ms_watch_item_heap(it)) {
		snprintf(buf, len, "%zu mappings of one heap", ms_watch_item_heap(it));
		return buf;
	}
	if (!*ms_mapping_name(m) && ctl->lv) {
		/* The live view has no label column: an anonymous mapping shows its label. */
		const char *l = ms_label_mapping(ms_watch_last(ctl->w), m, buf + 1, len - 2);

		if (!*l)
			return "";
		buf[0] = '(';
		strcat(buf, ")");
		return buf;
	}
	return ms_mapping_name(m);
}

static const char *const short_verdicts[] = {
	[MS_VERDICT_STEADY] = "steady", [MS_VERDICT_GROWING] = "growing",
	[MS_VERDICT_LEVELLED] = "levelled", [MS_VERDICT_SHRINKING] = "shrinking",
};

static void add_row(const struct mapswatch_ctl *ctl, struct ms_out *out,
		    const struct ms_watch_item *it)
{
	const struct ms_mapping *m = ms_watch_item_mapping(it);
	const uint64_t *v = ms_watch_item_values(it);
	enum ms_verdict verdict;
	double rate;
	size_t n = ms_watch_item_count(it);
	struct ms_out_row *r = ms_out_add_row(out);
	char buf[4 * SPARK_WIDTH + 1], nbuf[PATH_MAX + 8], sbuf[256];
	const struct live *lv = ctl->lv;
	bool narrow = lv && lv->width < LIVE_WIDE;

	if (!r)
		return;
	ms_out_set_u64(r, COL_PID, (uint64_t)ms_watch_item_pid(it));
	ms_out_set_str(r, COL_COMM, ms_watch_item_comm(it));
	if (m) {
		ms_out_set_u64(r, COL_START, ms_mapping_start(m));
		ms_out_set_u64(r, COL_END, ms_mapping_end(m));
		ms_out_set_str(r, COL_PERMS, ms_mapping_perms(m));
		ms_out_set_str(r, COL_LABEL, ms_label_mapping(ms_watch_last(ctl->w), m, buf, sizeof(buf)));
		ms_out_set_str(r, COL_NAME, lv ? shorten(row_name(ctl, it, nbuf, sizeof(nbuf)),
							 lv->width * 3 / 10, ctl->utf8, sbuf, sizeof(sbuf)) :
					      row_name(ctl, it, nbuf, sizeof(nbuf)));
	}
	ms_out_set_u64(r, COL_RSS, ms_watch_item_now(it, MS_WATCH_RSS));
	ms_out_set_u64(r, COL_ANON, ms_watch_item_now(it, MS_WATCH_ANON));
	ms_out_set_u64(r, COL_SWAP, ms_watch_item_now(it, MS_WATCH_SWAP));
	ms_out_set_s64(r, COL_GROWTH, (int64_t)(v[n - 1] - v[0]));
	if (ms_watch_item_trend(it, &rate, &verdict) == 0) {
		ms_out_set_double(r, COL_RATE, rate);
		ms_out_set_str(r, COL_VERDICT, narrow ? short_verdicts[verdict] : ms_verdict_str(verdict));
	}
	ms_out_set_str(r, COL_TREND, ms_sparkline_str(v, n, narrow ? SPARK_NARROW : SPARK_WIDTH,
						      ctl->utf8, buf, sizeof(buf)));
}

/* Two header lines: what is watched, then the total, its rate, verdict and limit. */
static void print_header(const struct mapswatch_ctl *ctl, FILE *fp)
{
	const struct ms_watch_item *tot = ms_watch_total(ctl->w);
	const struct ms_series *s = tot ? ms_watch_item_series(tot) : NULL;
	uint64_t limit = ctl->limit ? ctl->limit : ms_watch_limit(ctl->w);
	char a[MS_SIZE_STR_MAX], r[32], d[32];
	const char *comm;
	double eta;

	if (!tot)
		return;
	ms_duration_str(ms_watch_elapsed(ctl->w), d, sizeof(d));
	if (ctl->pid) {
		comm = ms_watch_item_comm(tot);
		fprintf(fp, "pid %d (%s): %zu sample%s over %s, %zu mappings\n", (int)ctl->pid,
			comm ? comm : "?", ms_watch_samples(ctl->w),
			ms_watch_samples(ctl->w) == 1 ? "" : "s", d,
			ms_maps_count(ms_snapshot_maps(ms_watch_last(ctl->w))));
	} else {
		fprintf(fp, "%zu processes (%zu not readable): %zu sample%s over %s\n",
			ms_watch_count(ctl->w), ms_watch_skipped(ctl->w), ms_watch_samples(ctl->w),
			ms_watch_samples(ctl->w) == 1 ? "" : "s", d);
	}
	ms_size_str(ms_watch_item_now(tot, MS_WATCH_RSS), a, sizeof(a));
	if (!s) {
		fprintf(fp, "total RSS %s\n", a);
		return;
	}
	fprintf(fp, "total RSS %s, %s: %s", a, ms_rate_str(ms_series_rate(s), r, sizeof(r)),
		ms_verdict_str(ms_series_verdict(s)));
	if (limit) {
		ms_size_str(limit, a, sizeof(a));
		eta = ms_series_eta(s, limit);
		if (eta == 0)
			fprintf(fp, "; at the limit of %s", a);
		else if (eta > 0)
			fprintf(fp, "; reaches the limit of %s in about %s", a,
				ms_duration_str(eta, d, sizeof(d)));
		else
			fprintf(fp, "; not on course to reach the limit of %s", a);
	}
	fputc('\n', fp);
}

/*
 * What print_header() says, as JSON members beside the table: whom and how
 * long, the total, its rate and verdict, the limit and the time to it, the
 * samples skipped.
 */
static void json_header(struct ms_jw *w, const void *data)
{
	const struct mapswatch_ctl *ctl = data;
	const struct ms_watch_item *tot = ms_watch_total(ctl->w);
	const struct ms_series *s = tot ? ms_watch_item_series(tot) : NULL;
	uint64_t limit = ctl->limit ? ctl->limit : ms_watch_limit(ctl->w);
	char *comm;
	double eta;

	ms_jw_object_open(w, "watch");
	if (ctl->pid) {
		ms_jw_s64(w, "pid", ctl->pid);
		/* The snapshot's header escapes it; JSON holds the process's own bytes. */
		comm = tot ? ms_snapshot_unescape(ms_watch_item_comm(tot)) : NULL;
		ms_jw_str(w, "comm", comm);
		free(comm);
		ms_jw_u64(w, "mappings", ms_watch_last(ctl->w) ?
			  ms_maps_count(ms_snapshot_maps(ms_watch_last(ctl->w))) : 0);
	} else {
		ms_jw_null(w, "pid");
		ms_jw_u64(w, "processes", ms_watch_count(ctl->w));
		ms_jw_u64(w, "unreadable", ms_watch_skipped(ctl->w));
	}
	ms_jw_u64(w, "samples", ms_watch_samples(ctl->w));
	ms_jw_double(w, "seconds", ms_watch_elapsed(ctl->w), 3);
	ms_jw_u64(w, "skipped_samples", ctl->late);
	ms_jw_u64(w, "rss", tot ? ms_watch_item_now(tot, MS_WATCH_RSS) : 0);
	if (s) {
		ms_jw_double(w, "rate", ms_series_rate(s), 1);
		ms_jw_str(w, "verdict", ms_verdict_str(ms_series_verdict(s)));
	} else {
		ms_jw_null(w, "rate");
		ms_jw_null(w, "verdict");
	}
	if (limit) {
		ms_jw_u64(w, "limit", limit);
		eta = s ? ms_series_eta(s, limit) : -1;
		if (eta < 0)
			ms_jw_null(w, "limit_in_seconds");
		else
			ms_jw_double(w, "limit_in_seconds", eta, 0);
	} else {
		ms_jw_null(w, "limit");
	}
	ms_jw_object_close(w);
}

static const struct mapswatch_ctl *sort_ctl;

static int cmp_live(const void *a, const void *b)
{
	const struct ms_watch_item *x = *(const struct ms_watch_item *const *)a;
	const struct ms_watch_item *y = *(const struct ms_watch_item *const *)b;
	const struct ms_mapping *mx = ms_watch_item_mapping(x), *my = ms_watch_item_mapping(y);
	char bx[PATH_MAX + 8], by[PATH_MAX + 8];
	uint64_t ux, uy;
	int c;

	switch (sort_ctl->lv->sort) {
	case SORT_RSS:
		ux = ms_watch_item_now(x, MS_WATCH_RSS);
		uy = ms_watch_item_now(y, MS_WATCH_RSS);
		return ux > uy ? -1 : ux < uy;
	case SORT_GROWTH: {
		const uint64_t *vx = ms_watch_item_values(x), *vy = ms_watch_item_values(y);
		int64_t gx = (int64_t)(vx[ms_watch_item_count(x) - 1] - vx[0]);
		int64_t gy = (int64_t)(vy[ms_watch_item_count(y) - 1] - vy[0]);

		return gx > gy ? -1 : gx < gy;
	}
	case SORT_START:
		ux = mx ? ms_mapping_start(mx) : (uint64_t)ms_watch_item_pid(x);
		uy = my ? ms_mapping_start(my) : (uint64_t)ms_watch_item_pid(y);
		return ux < uy ? -1 : ux > uy;
	case SORT_NAME:
		c = strcmp(row_name(sort_ctl, x, bx, sizeof(bx)), row_name(sort_ctl, y, by, sizeof(by)));
		if (c)
			return c;
		break;
	default:
		break;
	}
	/* The watch's own rank (by growth rate), kept as the tie-break. */
	return x < y ? -1 : x > y;
}

/*
 * The rows to show, in order: the watch's rank, or in the live view the
 * key's order and only the names holding the filter.  A new array of
 * borrowed items, or NULL without memory.
 */
static const struct ms_watch_item **rows_shown(const struct mapswatch_ctl *ctl, size_t *n)
{
	size_t count = ms_watch_count(ctl->w), i, k = 0;
	const struct ms_watch_item **v = malloc((count ? count : 1) * sizeof(*v));
	const struct ms_watch_item *it;
	char buf[PATH_MAX + 8];

	if (!v)
		return NULL;
	for (i = 0; (it = ms_watch_get(ctl->w, i)); i++) {
		if (ctl->lv && ctl->lv->filter[0] && !strstr(row_name(ctl, it, buf, sizeof(buf)),
							       ctl->lv->filter))
			continue;
		v[k++] = it;
	}
	if (ctl->lv && ctl->lv->sort != SORT_RATE) {
		/* The rank is the tie-break: the items are in rank order, and compared by address. */
		sort_ctl = ctl;
		qsort(v, k, sizeof(*v), cmp_live);
	}
	*n = k;
	return v;
}

/* The table: the MAXROWS first rows (0: all, or --top). */
static int print_table(struct ms_ctx *ctx, const struct mapswatch_ctl *ctl, FILE *fp,
		       size_t width, size_t maxrows)
{
	const struct ms_watch_item **rows;
	struct ms_out *out;
	size_t i, n;
	int rc;

	if ((rc = ms_out_new(ctx, columns, MS_ARRAY_SIZE(columns), ctl->pid ? "mappings" : "processes", &out)) < 0)
		return rc;
	if (ctl->columns)
		rc = ms_out_set_columns(out, ctl->columns);
	else if (ctl->outflags & MS_OUT_JSON)
		rc = ms_out_set_columns(out, ctl->pid ? COLS_ONE_JSON : COLS_ALL_JSON);
	else if (ctl->lv && ctl->pid && ctl->lv->width < LIVE_WIDE)
		rc = ms_out_set_columns(out, COLS_LIVE);
	else
		rc = ms_out_set_columns(out, ctl->pid ? COLS_ONE : COLS_ALL);
	ms_out_set_flags(out, ctl->outflags);
	ms_out_set_termwidth(out, width);
	if (ctl->top && (!maxrows || ctl->top < maxrows))
		maxrows = ctl->top;
	rows = rows_shown(ctl, &n);
	if (!rows)
		errx(MS_EXIT_FAILURE, "out of memory");
	/* Only the rows shown are made: a 20,000-mapping table costs what it prints. */
	for (i = 0; rc == 0 && i < n && (!maxrows || i < maxrows); i++)
		add_row(ctl, out, rows[i]);
	free(rows);
	if (rc == 0)
		rc = ms_out_print_json_with(out, fp, json_header, ctl);
	ms_out_free(out);
	return rc;
}

/* Columns LINE takes on a terminal, up to its first LEN bytes; *CUT where WIDTH is reached. */
static size_t clip_at(const char *line, size_t len, size_t width)
{
	mbstate_t st;
	size_t i = 0, n, w = 0;
	wchar_t wc;
	int cw;

	memset(&st, 0, sizeof(st));
	while (i < len) {
		if ((unsigned char)line[i] == 0x1b) {
			/* An escape sequence takes no column: skip to its final byte. */
			for (i++; i < len && !((line[i] >= '@' && line[i] <= '~') && line[i] != '['); i++)
				;
			i++;
			continue;
		}
		n = mbrtowc(&wc, line + i, len - i, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			cw = 1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + (size_t)cw > width)
			return i;
		w += cw;
		i += n;
	}
	return len;
}

/* Write FRAME to FP with no line wider than WIDTH nor more lines than HEIGHT. */
static void put_frame(FILE *fp, const char *frame, size_t width, size_t height)
{
	const char *p = frame, *nl;
	size_t lines = 0, len;

	while (*p && lines < height) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (lines)
			fputc('\n', fp);
		fwrite(p, 1, clip_at(p, len, width), fp);
		lines++;
		p += len + (nl ? 1 : 0);
	}
}

static const char live_keys[] = "q quit  h help  p pause  f filter  < > sort";

static void draw_help(FILE *fp, const struct live *lv)
{
	fprintf(fp, "mapswatch: keys\n\n"
		"  q          quit (the table is printed at the end)\n"
		"  h ?        this help; again to go back\n"
		"  p space    pause sampling, and resume\n"
		"  f /        filter: show only names that hold the text typed\n"
		"             (Enter keeps it, Esc clears it)\n"
		"  < >        sort by the column before or after: now %s\n"
		"\nSorted by growth rate, RSS, growth, address or name.\n", sort_names[lv->sort]);
}

/* The cgroup's memory now and its limit, as the newest snapshot recorded them. */
static void cgroup_line(const struct mapswatch_ctl *ctl, FILE *fp)
{
	const struct ms_snapshot *s = ms_watch_last(ctl->w);
	const char *cur = s ? ms_snapshot_get(s, "memory.current") : NULL;
	const char *max = s ? ms_snapshot_get(s, "memory.max") : NULL;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];

	if (!cur) {
		fputs("cgroup memory: not readable", fp);
		return;
	}
	ms_size_str(strtoull(cur, NULL, 10), a, sizeof(a));
	if (!max || !strcmp(max, "max"))
		fprintf(fp, "cgroup memory %s (no limit)", a);
	else
		fprintf(fp, "cgroup memory %s / %s", a, ms_size_str(strtoull(max, NULL, 10), b, sizeof(b)));
}

/* One frame of the live view, drawn over the last: it fits the terminal. */
static void draw(struct ms_ctx *ctx, const struct mapswatch_ctl *ctl)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct live *lv = ctl->lv;
	char *frame = NULL, clock[16];
	size_t len = 0, top = 4;	/* lines above the table's rows, its heading included */
	time_t now = time(NULL);
	struct tm tm;
	FILE *fp;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col) {
		ws.ws_row = 24;
		ws.ws_col = 80;
	}
	lv->width = ws.ws_col;
	lv->height = ws.ws_row;
	fp = open_memstream(&frame, &len);
	if (!fp)
		return;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&now, &tm));
	if (lv->help) {
		draw_help(fp, lv);
	} else {
		fprintf(fp, "%s  ", clock);
		print_header(ctl, fp);
		if (ctl->pid)
			cgroup_line(ctl, fp);
		fprintf(fp, "%s%ssorted by %s", lv->paused ? " [paused]" : "", ctl->pid ? "; " : "",
			!ctl->pid && lv->sort == SORT_START ? "pid" : sort_names[lv->sort]);
		if (lv->filter[0])
			fprintf(fp, "; filter \"%s\"", lv->filter);
		fputs("\n\n", fp);
		/* Three header lines, the blank one, the table's heading, the keys' line. */
		print_table(ctx, ctl, fp, ws.ws_col, ws.ws_row > top + 3 ? ws.ws_row - top - 2u : 1);
	}
	/* The table ends its last row with a newline: the keys' line is the frame's last. */
	if (lv->editing)
		fprintf(fp, "filter: %s_", lv->edit);
	else
		fputs(live_keys, fp);
	fclose(fp);
	fputs("\033[H\033[J", stdout);
	put_frame(stdout, frame, ws.ws_col, ws.ws_row);
	fflush(stdout);
	free(frame);
}

static void live_end(void)
{
	struct mapswatch_ctl *ctl = live_ctl;

	if (!ctl)
		return;
	live_ctl = NULL;
	if (ctl->tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &ctl->saved_tty);
	ctl->tty_saved = false;
	/* The table at the end is the whole one, in rank order, as without a terminal. */
	free(ctl->lv);
	ctl->lv = NULL;
	printf("\033[?25h\033[?1049l");
	fflush(stdout);
}

static void live_start(struct mapswatch_ctl *ctl)
{
	static struct live lv0;
	struct termios t;

	ctl->lv = malloc(sizeof(*ctl->lv));
	if (!ctl->lv)
		errx(MS_EXIT_FAILURE, "out of memory");
	*ctl->lv = lv0;
	live_ctl = ctl;
	atexit(live_end);

	/* The alternate screen, as top and less use it: the shell's screen comes back. */
	printf("\033[?1049h\033[?25l");
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &ctl->saved_tty) == 0) {
		t = ctl->saved_tty;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		ctl->tty_saved = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
	}
}

/* A key typed while the filter is edited: Enter keeps it, Esc clears it. */
static void edit_key(struct live *lv, char c)
{
	size_t n = strlen(lv->edit);

	if (c == '\n' || c == '\r') {
		memcpy(lv->filter, lv->edit, sizeof(lv->filter));
		lv->editing = false;
	} else if (c == 0x1b) {
		lv->filter[0] = lv->edit[0] = '\0';
		lv->editing = false;
	} else if (c == 0x7f || c == '\b') {
		if (n)
			lv->edit[n - 1] = '\0';
	} else if ((unsigned char)c >= 0x20 && n + 1 < sizeof(lv->edit)) {
		lv->edit[n] = c;
		lv->edit[n + 1] = '\0';
	}
}

/* Act on key C of the live view; false for q. */
static bool live_key(struct live *lv, char c)
{
	if (lv->editing) {
		edit_key(lv, c);
		return true;
	}
	switch (c) {
	case 'q': case 'Q':
		return false;
	case 'h': case '?':
		lv->help = !lv->help;
		break;
	case 'p': case ' ':
		lv->paused = !lv->paused;
		break;
	case 'f': case '/':
		lv->editing = true;
		memcpy(lv->edit, lv->filter, sizeof(lv->edit));
		break;
	case '<':
		lv->sort = (lv->sort + SORT__N - 1) % SORT__N;
		break;
	case '>':
		lv->sort = (lv->sort + 1) % SORT__N;
		break;
	default:
		break;
	}
	return true;
}

/*
 * Sleep until DEADLINE, and while paused past it; false when q or a signal
 * asked to stop.  Each key, and each resize, redraws the frame at once.
 * The signals acted on are blocked but while ppoll() waits: one that comes
 * while a frame is drawn is seen before the wait, not an interval later.
 */
static bool wait_until(struct ms_ctx *ctx, struct mapswatch_ctl *ctl, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	bool paused, keys = ctl->tty_saved;
	struct timespec now, left;
	int64_t us;
	char c;

	for (;;) {
		if (interrupted)
			return false;
		if (resized && ctl->lv) {
			resized = 0;
			draw(ctx, ctl);
			continue;
		}
		paused = ctl->lv && ctl->lv->paused;
		clock_gettime(CLOCK_MONOTONIC, &now);
		us = ms_cli_usec_between(&now, deadline);
		if (us <= 0 && !paused)
			return true;
		left.tv_sec = us > 0 ? us / 1000000 : 0;
		left.tv_nsec = us > 0 ? us % 1000000 * 1000 : 0;
		if (ppoll(keys ? &pfd : NULL, keys, paused ? NULL : &left, &ctl->waitmask) > 0) {
			if (read(STDIN_FILENO, &c, 1) != 1)
				return false;
			if (!live_key(ctl->lv, c))
				return false;
			draw(ctx, ctl);
		}
	}
}

/* After each sample: keep it in DIR, export it, let a test act. */
static int after_sample(struct ms_ctx *ctx, struct mapswatch_ctl *ctl)
{
	size_t n = ms_watch_samples(ctl->w);
	struct ms_outfile *of;
	struct ms_prom *p;
	char path[PATH_MAX];
	int rc = 0;

	if (ctl->dir) {
		snprintf(path, sizeof(path), "%s/%04zu.snap", ctl->dir, n);
		rc = ms_outfile_open(ctx, path, ctl->fileflags, &of);
		if (rc == 0 && (rc = ms_snapshot_write(ctx, ms_watch_last(ctl->w), ms_outfile_fp(of))) < 0) {
			/* The library says "write error" but not where: name the file. */
			ms_outfile_abort(of);
			if (ctl->made_dir)
				ms_outdir_remove(ctl->made_dir);
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "%s", path);
		} else if (rc == 0) {
			rc = ms_outfile_commit(ctx, of);
		}
	}
	if (rc == 0 && ctl->prom) {
		rc = ms_prom_new(ctx, &p);
		if (rc == 0)
			rc = ms_watch_prom(ctx, ctl->w, &ctl->prom_opts, p);
		/* Ours after the first write: replaced each interval from then on. */
		if (rc == 0)
			rc = ms_prom_write_file(ctx, p, ctl->prom,
						ctl->fileflags | (n > 1 ? MS_OUTFILE_FORCE : 0));
		ms_prom_free(p);
	}
	return rc;
}

/* Sample until the count or duration ends, q, a signal, or the process exits. */
static void watch(struct ms_ctx *ctx, struct mapswatch_ctl *ctl)
{
	struct timespec next, start, held;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	next = start;
	for (;;) {
		rc = ms_watch_sample(ctx, ctl->w);
		if ((rc == -ESRCH || rc == -ESTALE) && ms_watch_samples(ctl->w)) {
			/* -ESTALE: the pid became another process, and the message says how. */
			if (rc == -ESRCH)
				warnx("pid %d exited; the watch ends after %zu samples", (int)ctl->pid,
				      ms_watch_samples(ctl->w));
			else
				warnx("%s; the watch ends after %zu samples", ms_ctx_errmsg(ctx),
				      ms_watch_samples(ctl->w));
			/* A dead pid's metrics would keep an alert firing: they go with it. */
			if (ctl->prom && unlink(ctl->prom) == 0)
				warnx("%s removed: its metrics were of pid %d", ctl->prom, (int)ctl->pid);
			return;
		}
		if (rc < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
		if (ctl->dir && ms_watch_samples(ctl->w) == 1) {
			bool created;

			if (ms_outdir_make(ctx, ctl->dir, (ctl->fileflags & MS_OUTFILE_FORCE) ?
					   MS_OUTDIR_EXISTING : 0, &created) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
			if (created)
				ctl->made_dir = ctl->dir;
		}
		if (after_sample(ctx, ctl) < 0) {
			/* A watch that kept nothing leaves no empty directory. */
			if (ctl->made_dir)
				ms_outdir_remove(ctl->made_dir);
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
		}
		clock_gettime(CLOCK_MONOTONIC, &held);
		if (ms_cli_test_hook("snapshot", "snapshot %zu", ms_watch_samples(ctl->w)))
			ms_cli_shift_clock(&start, &next, &held);
		if (ctl->live)
			draw(ctx, ctl);
		if (ctl->count && ms_watch_samples(ctl->w) >= ctl->count)
			return;
		ctl->late += ms_cli_next_slot(&start, &next, ctl->interval, ctl->duration);
		/* -d is clock time: the next slot past it is not taken. */
		if (ctl->duration && ms_cli_usec_between(&start, &next) > (int64_t)ctl->duration)
			return;
		if (!wait_until(ctx, ctl, &next))
			return;
	}
}

static void finish(struct ms_ctx *ctx, struct mapswatch_ctl *ctl)
{
	struct ms_plot *p;

	if (!(ctl->outflags & MS_OUT_JSON)) {
		print_header(ctl, stdout);
		if (ms_watch_count(ctl->w))
			putchar('\n');
	}
	if (print_table(ctx, ctl, stdout, 0, 0) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	if (!ctl->plot)
		return;
	if (ms_plot_watch(ctx, ctl->w, ctl->top ? ctl->top : PLOT_TOP, &p) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--plot");
	if (ctl->limit)
		ms_plot_set_limit(p, ctl->limit);
	if (ms_plot_write_file(ctx, p, ctl->plot, ctl->fileflags) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--plot");
	ms_plot_free(p);
}

/* mapswatch --plot FILE DIR|SNAPSHOT...: a growth plot of saved snapshots. */
static void plot_saved(struct ms_ctx *ctx, struct mapswatch_ctl *ctl)
{
	char **paths = ctl->from;
	size_t n = ctl->nfrom, i;
	struct ms_plot *p;
	struct stat st;

	check_new(ctl, ctl->plot, "--plot");
	if (n == 1 && stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode) &&
	    ms_snapshot_list_dir(ctx, paths[0], &paths, &n) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	if (!n)
		errx(MS_EXIT_FAILURE, "%s: no snapshots in it", ctl->from[0]);
	if (ms_plot_snapshot_paths(ctx, (const char *const *)paths, n,
				   ctl->top ? ctl->top : PLOT_TOP, &p) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	if (ctl->limit)
		ms_plot_set_limit(p, ctl->limit);
	if (ms_plot_write_file(ctx, p, ctl->plot, ctl->fileflags) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_plot_free(p);
	if (paths != ctl->from) {
		for (i = 0; i < n; i++)
			free(paths[i]);
		free(paths);
	}
}

static volatile sig_atomic_t gctrace_fd = -1;

/*
 * A service piped in keeps running: the signal ends the read, not the
 * process.  The library takes a read that would block as the end, after
 * what is already in the pipe (<memsift/gctrace.h>).
 */
static void on_gctrace_signal(int sig)
{
	int e = errno, fl = fcntl(gctrace_fd, F_GETFL);

	(void)sig;
	if (fl >= 0)
		fcntl(gctrace_fd, F_SETFL, fl | O_NONBLOCK);
	errno = e;
}

/* --gctrace: Go's own account of its live heap, judged as a mapping is. */
static int gctrace(struct ms_ctx *ctx, const struct mapswatch_ctl *ctl)
{
	/* No SA_RESTART: a read blocked on the pipe returns to look again. */
	struct sigaction sa = { .sa_handler = on_gctrace_signal };
	bool std = !strcmp(ctl->gctrace, "-");
	FILE *in = std ? stdin : fopen(ctl->gctrace, "re");
	int rc, fl;

	if (!in)
		err(MS_EXIT_FAILURE, "--gctrace: %s", ctl->gctrace);
	gctrace_fd = fileno(in);
	fl = fcntl(gctrace_fd, F_GETFL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	rc = ms_gctrace_report(ctx, in, std ? "standard input" : ctl->gctrace, ctl->outflags, stdout);
	/* A terminal's descriptor is the shell's too: give it back as it was. */
	if (fl >= 0)
		fcntl(gctrace_fd, F_SETFL, fl);
	if (!std)
		fclose(in);
	if (rc < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}

/*
 * Ctrl-C ends the watch between two samples; every file written is whole.
 * The signals are blocked but while the watch waits (wait_until).
 */
static void catch_signals(struct mapswatch_ctl *ctl)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t blocked;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGHUP);
	sigaddset(&blocked, SIGWINCH);
	sigprocmask(SIG_BLOCK, &blocked, &ctl->waitmask);
	if (ctl->live) {
		/* Without SA_RESTART: the wait for a key ends to redraw. */
		struct sigaction wa = { .sa_handler = on_winch };

		sigaction(SIGWINCH, &wa, NULL);
		live_start(ctl);
	}
}

int main(int argc, char **argv)
{
	struct mapswatch_ctl ctl = {
		.interval = 2000000, .prom_opts = { .by = MS_WATCH_BY_COMM, .min_rss = PROM_MIN_RSS },
	};
	struct ms_ctx *ctx;

	ms_cli_init("mapswatch");
	ms_cli_set_hint(-EEXIST, "use -f to overwrite it");
	ms_cli_set_hint(-ENOTDIR, "samples go into a directory (-w DIR)");
	setlocale(LC_CTYPE, "");
	ctx = ms_ctx_new();
	if (!ctx)
		errx(MS_EXIT_FAILURE, "out of memory");
	parse_args(ctx, &ctl, argc, argv);
	ctl.prom_opts.top = ctl.top ? ctl.top : PROM_TOP;
	if (ctl.nfrom) {
		plot_saved(ctx, &ctl);
		ms_ctx_free(ctx);
		return MS_EXIT_OK;
	}
	if (ctl.gctrace)
		return gctrace(ctx, &ctl);
	check_new(&ctl, ctl.dir, "--write");
	check_new(&ctl, ctl.prom, "--prom");
	check_new(&ctl, ctl.plot, "--plot");
	ctl.utf8 = ms_locale_is_utf8();
	ctl.live = !ctl.batch && !(ctl.outflags & (MS_OUT_JSON | MS_OUT_RAW)) &&
		   isatty(STDOUT_FILENO);
	if (ms_watch_new(ctx, ctl.all ? 0 : ctl.pid, &ctl.w) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_watch_keep_text(ctl.w, ctl.dir != NULL);
	catch_signals(&ctl);
	watch(ctx, &ctl);
	sigprocmask(SIG_SETMASK, &ctl.waitmask, NULL);
	live_end();
	if (ctl.late)
		warnx("%llu samples skipped: a sample took longer than the interval",
		      (unsigned long long)ctl.late);
	finish(ctx, &ctl);
	ms_watch_free(ctl.w);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}
