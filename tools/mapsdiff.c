// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mapsdiff: which mappings of a process grew between snapshots, and, over
 * three or more, whether they keep growing.  Exit status as diff(1): 0
 * nothing grew past the threshold, 1 something did, 2 trouble.
 */
#include <dirent.h>
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include <memsift/diff.h>
#include <memsift/jsonwrt.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>
#include <memsift/trend-report.h>
#include <memsift/trend.h>

struct mapsdiff_ctl {
	struct ms_out *out;
	uint64_t top;		/* 0: all */
	uint64_t threshold;	/* RSS growth that counts as growth */
	uint64_t limit;		/* --limit, or the cgroup's memory.max; 0: none */
	int sort;		/* column to sort by */
	bool all;		/* also unchanged mappings */
	bool columns_given;	/* -o seen: keep the user's columns */
	/*
	 * The first and last snapshots judged, whole; those between are reduced
	 * to the trend's numbers as they are read (tb), so a long series takes
	 * the memory of two snapshots and 24 bytes per mapping of each other.
	 */
	struct ms_snapshot *first, *last;
	struct ms_trend_builder *tb;
	char **path;
	size_t n;
	double *times;		/* seconds, for rates; NULL: per snapshot */
	const char *untimed;	/* why times is NULL, for the summary */
};

enum { OPT_THRESHOLD = CHAR_MAX + 1, OPT_SORT, OPT_LIMIT, OPT_LIST_COLUMNS };

static const char shortopts[] = MS_CLI_OUT_OPTSTRING "aVh";
static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	MS_CLI_OUT_LONGOPTS,
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "top", required_argument, NULL, 't' },
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n mapsdiff [options] OLD NEW [MORE...]\n mapsdiff [options] DIR\n\n");
	printf("Show which mappings of a process grew between snapshots, largest growth of\n"
	       "the resident set first; over three snapshots or more, how fast and how\n"
	       "steadily each grows.  Snapshots are mapsnap files, saved copies of\n"
	       "/proc/PID/smaps or /proc/PID/maps, or saved pmap, pmap -x, -X or -XX\n"
	       "output; DIR holds a series, compared in name order.\n\n");
	printf("Options:\n");
	printf(" -a, --all              list unchanged mappings too\n");
	ms_cli_out_help(stdout);
	printf("     --limit SIZE       project when the process reaches SIZE (default:\n"
	       "                          the cgroup's memory.max recorded by mapsnap)\n");
	printf("     --list-columns     list the columns -o takes, and exit\n");
	printf("     --sort COLUMN      sort by COLUMN (default RSS-DELTA, largest first)\n");
	printf("     --threshold SIZE   growth below SIZE does not count (default 0)\n");
	printf(" -t, --top N            show the N mappings that grew most\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(ms_growth_columns, MS_GROWTH_NCOLS, stdout);
	printf("\nExit status: 0 nothing grew, 1 something grew, 2 trouble.\n");
	exit(MS_EXIT_OK);
}

/* The resident set of MAPS; maps input, which has none, counts sizes. */
static uint64_t rss_total(const struct ms_maps *maps)
{
	uint64_t sum = ms_maps_total(maps, MS_F_RSS);
	size_t i;

	if (sum != MS_FIELD_ABSENT)
		return sum;
	for (sum = 0, i = 0; i < ms_maps_count(maps); i++)
		sum += ms_mapping_size(ms_maps_get(maps, i));
	return sum;
}

/*
 * What is said under the table, computed once for the text and the JSON:
 * the whole resident set first and last, and over a series the trend of
 * what grew (a file's clean pages left out) and the time to the limit.
 */
struct summary {
	uint64_t first, last;
	const struct ms_series *tot;	/* NULL: two snapshots, no trend */
	bool have_eta;			/* a limit and a trend */
	double eta;			/* seconds, or snapshots without times; <0 not on course */
};

static void summarize(const struct mapsdiff_ctl *ctl, const struct ms_trend *t, struct summary *sm)
{
	uint64_t off;

	sm->tot = t ? ms_trend_total(t) : NULL;
	sm->first = rss_total(ms_snapshot_maps(ctl->first));
	sm->last = rss_total(ms_snapshot_maps(ctl->last));
	sm->have_eta = ctl->limit && sm->tot;
	if (!sm->have_eta)
		return;
	off = sm->last > ms_series_value(sm->tot, ctl->n - 1) ?
	      sm->last - ms_series_value(sm->tot, ctl->n - 1) : 0;
	sm->eta = ms_series_eta(sm->tot, ctl->limit > off ? ctl->limit - off : 0);
}

static void print_summary(const struct mapsdiff_ctl *ctl, const struct ms_trend *t)
{
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], r[32];
	struct summary sm;

	summarize(ctl, t, &sm);
	if (!sm.tot)
		return;
	ms_size_str(sm.first, a, sizeof(a));
	ms_size_str(sm.last, b, sizeof(b));
	ms_rate_str(ms_series_rate(sm.tot), r, sizeof(r));
	printf("\nprocess: %s -> %s over %zu snapshots, %s%s%s%s: %s\n", a, b, ctl->n, r,
	       ctl->times ? "" : " per snapshot (",
	       ctl->times ? "" : ctl->untimed ? ctl->untimed : "no times recorded",
	       ctl->times ? "" : ")",
	       ms_verdict_str(ms_series_verdict(sm.tot)));
	if (!sm.have_eta)
		return;
	ms_size_str(ctl->limit, a, sizeof(a));
	if (sm.eta == 0)
		printf("already at the limit of %s\n", a);
	else if (sm.eta < 0)
		printf("not on course to reach the limit of %s\n", a);
	else if (ctl->times)
		printf("reaches the limit of %s in about %s at this rate\n", a,
		       ms_duration_str(sm.eta, r, sizeof(r)));
	else
		printf("reaches the limit of %s in about %.0f more snapshots at this rate\n", a,
		       sm.eta);
}

struct json_summary {
	const struct mapsdiff_ctl *ctl;
	const struct ms_trend *t;
};

/* print_summary()'s figures as JSON members beside the table. */
static void json_summary(struct ms_jw *w, const void *data)
{
	const struct json_summary *js = data;
	const struct mapsdiff_ctl *ctl = js->ctl;
	struct summary sm;
	const char *key;

	summarize(ctl, js->t, &sm);
	ms_jw_object_open(w, "process");
	ms_jw_u64(w, "rss_first", sm.first);
	ms_jw_u64(w, "rss_last", sm.last);
	ms_jw_u64(w, "snapshots", ctl->n);
	ms_jw_bool(w, "per_snapshot", !ctl->times);
	if (sm.tot) {
		ms_jw_double(w, "rate", ms_series_rate(sm.tot), 1);
		ms_jw_str(w, "verdict", ms_verdict_str(ms_series_verdict(sm.tot)));
	} else {
		ms_jw_null(w, "rate");
		ms_jw_null(w, "verdict");
	}
	if (ctl->limit)
		ms_jw_u64(w, "limit", ctl->limit);
	else
		ms_jw_null(w, "limit");
	/* Seconds, or snapshots when no times are known; null when not on course. */
	key = ctl->times ? "limit_in_seconds" : "limit_in_snapshots";
	if (sm.have_eta && sm.eta < 0)
		ms_jw_null(w, key);
	else if (sm.have_eta)
		ms_jw_double(w, key, sm.eta, 0);
	ms_jw_object_close(w);
}

/* A directory: its regular files, not hidden, in version order (2 before 10). */
static int cmp_ver(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(struct mapsdiff_ctl *ctl, char *path)
{
	char **np = realloc(ctl->path, (ctl->n + 1) * sizeof(*np));

	if (!np)
		err(MS_EXIT_TROUBLE, "out of memory");
	ctl->path = np;
	ctl->path[ctl->n++] = path;
}

static void list_dir(struct mapsdiff_ctl *ctl, const char *dir)
{
	size_t first = ctl->n;
	struct dirent *de;
	struct stat st;
	char *p;
	DIR *d;

	d = opendir(dir);
	if (!d)
		err(MS_EXIT_TROUBLE, "%s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			continue;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			add_path(ctl, p);
		else
			free(p);
	}
	closedir(d);
	qsort(ctl->path + first, ctl->n - first, sizeof(char *), cmp_ver);
	if (ctl->n - first < 2)
		errx(MS_EXIT_TROUBLE, "%s: fewer than two snapshots in it", dir);
}

/*
 * Snapshot I was not taken after the one before it: say so, once, rather
 * than print rates per snapshot as if no times had been recorded.  A
 * reboot restarts boot time while the wall clock goes on.
 */
static const char *backwards(const struct mapsdiff_ctl *ctl, const struct ms_snapshot *prev,
			     const struct ms_snapshot *cur, size_t i, double bt, double prev_bt)
{
	struct timespec a, b;

	if (ms_snapshot_time(prev, &a) == 0 && ms_snapshot_time(cur, &b) == 0 &&
	    (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec)) && bt < prev_bt) {
		warnx("%s was taken after a reboot since %s; rates are per snapshot", ctl->path[i],
		      ctl->path[i - 1]);
		return "a reboot between snapshots";
	}
	if (bt == prev_bt)
		warnx("%s was taken at the same moment as %s; rates are per snapshot", ctl->path[i],
		      ctl->path[i - 1]);
	else
		warnx("%s was taken %.3f s before %s, not after; rates are per snapshot, in the order given",
		      ctl->path[i], prev_bt - bt, ctl->path[i - 1]);
	return "snapshot times go backwards";
}

/*
 * Whether CUR (input I) is another process than PREV under the same pid (a
 * reused pid, an exec): what came before is then no part of its trend, so
 * the trend starts again from CUR.  Said on RFP, printed after the other
 * warnings.
 */
static bool restart_trend(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl,
			  const struct ms_snapshot *prev, const struct ms_snapshot *cur, size_t i,
			  FILE *rfp)
{
	char why[96];

	if (ms_snapshot_pid(cur) != ms_snapshot_pid(prev) ||
	    ms_snapshot_same_process(prev, cur, why, sizeof(why)))
		return false;
	fprintf(rfp, "%s: pid %d %s since %s; judging the %zu snapshots from %s on\n",
		ctl->path[i], (int)ms_snapshot_pid(cur),
		why, ctl->path[i - 1], ctl->n - i, ctl->path[i]);
	ms_trend_builder_free(ctl->tb);
	if (ms_trend_builder_new_grown(ctx, &ctl->tb) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ctl->first != prev)
		ms_snapshot_free(ctl->first);
	ctl->first = NULL;
	return true;
}

/* The restarts written on RFP into *RESTARTS, one warning a line; both closed. */
static void say_restarts(FILE *rfp, char **restarts)
{
	if (fclose(rfp) != 0)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (char *line = *restarts, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		warnx("%s", line);
	}
	free(*restarts);
}

/* The K inputs before the last restart, judged no more: out of the paths and times. */
static void drop_first(struct mapsdiff_ctl *ctl, size_t k)
{
	for (size_t i = 0; i < k; i++)
		free(ctl->path[i]);
	memmove(ctl->path, ctl->path + k, (ctl->n - k) * sizeof(*ctl->path));
	if (ctl->times)
		memmove(ctl->times, ctl->times + k, (ctl->n - k) * sizeof(*ctl->times));
	ctl->n -= k;
}

/*
 * Load every input, one at a time; warn about what makes the comparison
 * weaker.  Each is added to the trend as it is read and freed when the next
 * is in, but the first and the last.  A series whose pid was reused, or
 * which exec'd, holds two processes under one number: only the snapshots of
 * the newest are judged, and it is said (after the other warnings).
 */
static void load(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl)
{
	struct ms_snapshot *prev = NULL, *cur;
	double bt, prev_bt = -1;
	bool have_times = true;
	char *restarts = NULL;
	size_t i, k = 0, rlen = 0;
	pid_t pid0 = 0;
	enum ms_snapshot_format fmt0 = 0;
	char fmt0s[64] = "";
	FILE *rfp = open_memstream(&restarts, &rlen);
	const char *mm;

	ctl->times = calloc(ctl->n, sizeof(double));
	if (!ctl->times || !rfp)
		err(MS_EXIT_TROUBLE, "out of memory");
	if (ms_trend_builder_new_grown(ctx, &ctl->tb) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	for (i = 0; i < ctl->n; i++) {
		if (ms_snapshot_load_path(ctx, ctl->path[i], &cur) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (!i) {
			pid0 = ms_snapshot_pid(cur);
			fmt0 = ms_snapshot_format(cur);
			snprintf(fmt0s, sizeof(fmt0s), "%s", ms_snapshot_format_str(cur));
		}
		if (i && ms_snapshot_pid(cur) && pid0 && ms_snapshot_pid(cur) != pid0)
			warnx("%s is of pid %d but %s of pid %d; comparing anyway", ctl->path[0],
			      (int)pid0, ctl->path[i], (int)ms_snapshot_pid(cur));
		if (i && ms_snapshot_format(cur) != fmt0)
			warnx("%s is %s but %s is %s; comparing what both have", ctl->path[0],
			      fmt0s, ctl->path[i],
			      ms_snapshot_format_str(cur));
		/* Boot time: wall-clock steps (NTP, DST) do not bend the rates. */
		bt = ms_snapshot_boottime(cur);
		if (bt < 0 && !ctl->untimed)
			ctl->untimed = "no times recorded";
		else if (i && bt >= 0 && prev_bt >= 0 && bt <= prev_bt && !ctl->untimed)
			ctl->untimed = backwards(ctl, prev, cur, i, bt, prev_bt);
		if (bt <= prev_bt)
			have_times = false;
		ctl->times[i] = prev_bt = bt;
		if (i && restart_trend(ctx, ctl, prev, cur, i, rfp))
			k = i;
		if (ms_trend_builder_add(ctx, ctl->tb, ms_snapshot_maps(cur)) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (prev && prev != ctl->first)
			ms_snapshot_free(prev);
		if (!ctl->first)
			ctl->first = cur;
		prev = cur;
	}
	ctl->last = prev;
	say_restarts(rfp, &restarts);
	if (!have_times) {
		free(ctl->times);
		ctl->times = NULL;
	}
	if (k)
		drop_first(ctl, k);
	mm = ms_snapshot_get(ctl->last, "memory.max");
	if (!ctl->limit && mm && strcmp(mm, "max"))
		ctl->limit = strtoull(mm, NULL, 10);
}

static int run(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl)
{
	const struct ms_growth_opts o = {
		.sort = ctl->sort, .top = ctl->top, .threshold = ctl->threshold,
		.flags = (ctl->all ? MS_GROWTH_ALL : 0) | MS_GROWTH_TOTAL,
	};
	struct ms_trend *t = NULL;
	struct ms_diff *d;
	bool grew;

	if (ctl->n >= 3) {
		if (ms_trend_builder_finish(ctx, ctl->tb, ctl->times, &t) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (!ctl->columns_given &&
		    ms_out_set_columns(ctl->out, MS_GROWTH_SERIES_COLUMNS) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	}
	/* JSON carries how many mappings a row stands for: a group's members. */
	if (!ctl->columns_given && (ms_out_get_flags(ctl->out) & MS_OUT_JSON) &&
	    ms_out_set_columns(ctl->out, "+COUNT") < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ms_diff_new(ctx, ms_snapshot_maps(ctl->first), ms_snapshot_maps(ctl->last), &d) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ms_growth_table(ctx, ctl->out, d, t, ctl->first, ctl->last, &o, &grew) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ms_out_get_flags(ctl->out) & MS_OUT_JSON) {
		struct json_summary js = { ctl, t };

		if (ms_out_print_json_with(ctl->out, stdout, json_summary, &js) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	} else {
		if (ms_out_print(ctl->out, stdout) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		print_summary(ctl, t);
	}
	ms_trend_free(t);
	ms_diff_free(d);
	return grew ? MS_EXIT_FOUND : MS_EXIT_OK;
}

static void parse_args(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	struct stat st;
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		if (c == 'o')
			ctl->columns_given = true;
		switch (ms_cli_out_getopt(ctl->out, c, optarg)) {
		case 1:
			continue;
		case 0:
			break;
		default:
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		}
		switch (c) {
		case 'a':
			ctl->all = true;
			break;
		case OPT_LIMIT:
			if (ms_parse_size(ctx, optarg, &ctl->limit) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--limit");
			break;
		case OPT_SORT:
			ctl->sort = ms_growth_column(optarg);
			if (ctl->sort < 0)
				errx(MS_EXIT_TROUBLE, "--sort: unknown column \"%s\"; see --help for the list", optarg);
			break;
		case OPT_THRESHOLD:
			if (ms_parse_size(ctx, optarg, &ctl->threshold) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--threshold");
			break;
		case 't':
			if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl->top) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--top");
			break;
		case OPT_LIST_COLUMNS:
			ms_out_list_columns(ms_growth_columns, MS_GROWTH_NCOLS, stdout);
			exit(MS_EXIT_OK);
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	if (argc - optind == 1 && stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		list_dir(ctl, argv[optind]);
		return;
	}
	if (argc - optind < 2) {
		warnx("two snapshots needed: OLD NEW, or a directory of them");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	for (; optind < argc; optind++) {
		char *p = strdup(argv[optind]);

		if (!p)
			err(MS_EXIT_TROUBLE, "out of memory");
		add_path(ctl, p);
	}
}

int main(int argc, char **argv)
{
	struct mapsdiff_ctl ctl = { .sort = MS_GROWTH_RSS_DELTA };
	struct ms_ctx *ctx;
	int rc;
	size_t i;

	ms_cli_init("mapsdiff");
	/* A group's name says "300 × 256K" where the terminal can show it. */
	setlocale(LC_CTYPE, "");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx || ms_out_new(ctx, ms_growth_columns, MS_GROWTH_NCOLS, "mappings", &ctl.out) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);

	parse_args(ctx, &ctl, argc, argv);
	load(ctx, &ctl);
	rc = run(ctx, &ctl);

	for (i = 0; i < ctl.n; i++)
		free(ctl.path[i]);
	if (ctl.last != ctl.first)
		ms_snapshot_free(ctl.last);
	ms_snapshot_free(ctl.first);
	ms_trend_builder_free(ctl.tb);
	free(ctl.path);
	free(ctl.times);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return rc;
}
