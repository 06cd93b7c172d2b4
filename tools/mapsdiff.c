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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <memsift/cli.h>
#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

enum {
	COL_START, COL_END, COL_PERMS, COL_STATUS, COL_SIZE, COL_RSS_OLD, COL_RSS_NEW,
	COL_RSS_DELTA, COL_RATE, COL_STEADY, COL_VERDICT, COL_ANON_DELTA, COL_DIRTY_DELTA,
	COL_SWAP_DELTA, COL_PSS_DELTA, COL_SIZE_DELTA, COL_OFFSET, COL_INODE, COL_LABEL,
	COL_NAME, NCOLS
};

/* MS_COL_DEFAULT marks the columns of a two-snapshot diff; TREND those added over three. */
#define TREND 0x100

static const struct ms_out_column columns[] = {
	[COL_START] = { "START", 12, MS_COL_DEFAULT, MS_COL_HEX, "start address" },
	[COL_END] = { "END", 12, MS_COL_DEFAULT, MS_COL_HEX, "end address (exclusive)" },
	[COL_PERMS] = { "PERMS", 4, MS_COL_DEFAULT, MS_COL_STR, "permissions, as maps prints them" },
	[COL_STATUS] = { "STATUS", 4, MS_COL_DEFAULT, MS_COL_STR, "kept, new, gone, split or merged" },
	[COL_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "size of the mapping now" },
	[COL_RSS_OLD] = { "RSS-OLD", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in the first snapshot" },
	[COL_RSS_NEW] = { "RSS-NEW", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in the last snapshot" },
	[COL_RSS_DELTA] = { "RSS-DELTA", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the resident set" },
	[COL_RATE] = { "RATE", 6, TREND | MS_COL_RIGHT, MS_COL_RATE, "growth rate of the resident set (three snapshots or more)" },
	[COL_STEADY] = { "STEADY", 3, TREND | MS_COL_RIGHT, MS_COL_FLOAT, "share of intervals in which it grew (three snapshots or more)" },
	[COL_VERDICT] = { "VERDICT", 10, TREND, MS_COL_STR, "grows with no steady state, levelled off... (three snapshots or more)" },
	[COL_ANON_DELTA] = { "ANON-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Anonymous (smaps input)" },
	[COL_DIRTY_DELTA] = { "DIRTY-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Private_Dirty (smaps input)" },
	[COL_SWAP_DELTA] = { "SWAP-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Swap (smaps input)" },
	[COL_PSS_DELTA] = { "PSS-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Pss (smaps input)" },
	[COL_SIZE_DELTA] = { "SIZE-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the mapping's size" },
	[COL_OFFSET] = { "OFFSET", 8, 0, MS_COL_HEX, "offset into the mapped file" },
	[COL_INODE] = { "INODE", 8, MS_COL_RIGHT, MS_COL_U64, "inode of the mapped file" },
	[COL_LABEL] = { "LABEL", 0.2, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "what the mapping likely is: heap, thread stack, glibc arena, Go heap..." },
	[COL_NAME] = { "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it" },
};

struct mapsdiff_ctl {
	struct ms_out *out;
	uint64_t top;		/* 0: all */
	uint64_t threshold;	/* RSS growth that counts as growth */
	uint64_t limit;		/* --limit, or the cgroup's memory.max; 0: none */
	int sort;		/* column to sort by */
	bool all;		/* also unchanged mappings */
	bool columns_given;	/* -o seen: keep the user's columns */
	struct ms_snapshot **snap;
	char **path;
	size_t n;
	double *times;		/* seconds, for rates; NULL: per snapshot */
};

/* One table row before sorting. */
struct row {
	const struct ms_diff_entry *e;
	const struct ms_series *series;
	double key;
	const char *skey;
};

enum { OPT_TOP = CHAR_MAX + 1, OPT_THRESHOLD, OPT_SORT, OPT_LIMIT };

static const char shortopts[] = MS_OUT_OPTSTRING "aVh";
static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	MS_OUT_LONGOPTS,
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "top", required_argument, NULL, OPT_TOP },
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
	ms_out_help_options(stdout);
	printf("     --limit SIZE       project when the process reaches SIZE (default:\n"
	       "                          the cgroup's memory.max recorded by mapsnap)\n");
	printf("     --sort COLUMN      sort by COLUMN (default RSS-DELTA, largest first)\n");
	printf("     --threshold SIZE   growth below SIZE does not count (default 0)\n");
	printf("     --top N            show the N mappings that grew most\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(columns, MS_ARRAY_SIZE(columns), stdout);
	printf("\nExit status: 0 nothing grew, 1 something grew, 2 trouble.\n");
	exit(MS_EXIT_OK);
}

static int column_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < MS_ARRAY_SIZE(columns); i++)
		if (!strcasecmp(columns[i].name, name))
			return (int)i;
	return -1;
}

static bool changed(const struct ms_diff_entry *e)
{
	/* Not Pss: it moves whenever another process maps the same pages. */
	static const enum ms_field f[] = { MS_F_RSS, MS_F_ANONYMOUS, MS_F_PRIVATE_DIRTY,
					   MS_F_SWAP };
	size_t i;

	if (ms_diff_entry_status(e) != MS_DIFF_KEPT)
		return true;
	if (ms_mapping_size(ms_diff_entry_old(e)) != ms_mapping_size(ms_diff_entry_new(e)))
		return true;
	for (i = 0; i < MS_ARRAY_SIZE(f); i++)
		if (ms_diff_entry_delta(e, f[i]))
			return true;
	return false;
}

static void add_row(const struct mapsdiff_ctl *ctl, const struct row *rw)
{
	static const char *const status[] = { "", "kept", "new", "gone", "split", "merged" };
	const struct ms_diff_entry *e = rw->e;
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	struct ms_out_row *r = ms_out_add_row(ctl->out);
	uint64_t so = ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0;
	uint64_t sn = ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0;
	char label[128];

	if (!r)
		return;
	ms_out_set_u64(r, COL_START, ms_mapping_start(m));
	ms_out_set_u64(r, COL_END, ms_mapping_end(m));
	ms_out_set_str(r, COL_PERMS, ms_mapping_perms(m));
	ms_out_set_str(r, COL_STATUS, status[ms_diff_entry_status(e)]);
	ms_out_set_u64(r, COL_SIZE, ms_mapping_size(m));
	ms_out_set_u64(r, COL_RSS_OLD, ms_diff_entry_value(e, 0, MS_F_RSS));
	ms_out_set_u64(r, COL_RSS_NEW, ms_diff_entry_value(e, 1, MS_F_RSS));
	ms_out_set_s64(r, COL_RSS_DELTA, ms_diff_entry_delta(e, MS_F_RSS));
	if (rw->series) {
		ms_out_set_double(r, COL_RATE, ms_series_rate(rw->series));
		ms_out_set_double(r, COL_STEADY, ms_series_steadiness(rw->series) * 100);
		ms_out_set_str(r, COL_VERDICT, ms_verdict_str(ms_series_verdict(rw->series)));
	}
	ms_out_set_s64(r, COL_ANON_DELTA, ms_diff_entry_delta(e, MS_F_ANONYMOUS));
	ms_out_set_s64(r, COL_DIRTY_DELTA, ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY));
	ms_out_set_s64(r, COL_SWAP_DELTA, ms_diff_entry_delta(e, MS_F_SWAP));
	ms_out_set_s64(r, COL_PSS_DELTA, ms_diff_entry_delta(e, MS_F_PSS));
	ms_out_set_s64(r, COL_SIZE_DELTA, (int64_t)(sn - so));
	ms_out_set_u64(r, COL_OFFSET, ms_mapping_offset(m));
	ms_out_set_u64(r, COL_INODE, ms_mapping_inode(m));
	ms_out_set_str(r, COL_LABEL, ms_label_mapping(ctl->snap[ms_diff_entry_new(e) ? ctl->n - 1 : 0],
						     m, label, sizeof(label)));
	ms_out_set_str(r, COL_NAME, ms_mapping_name(m));
}

/* The value a row is sorted by; text columns sort by SKEY instead. */
static void sort_key(const struct mapsdiff_ctl *ctl, struct row *rw)
{
	const struct ms_diff_entry *e = rw->e;
	const struct ms_mapping *m = ms_diff_entry_mapping(e);

	rw->skey = NULL;
	switch (ctl->sort) {
	case COL_START: rw->key = -(double)ms_mapping_start(m); break;
	case COL_END: rw->key = -(double)ms_mapping_end(m); break;
	case COL_SIZE: rw->key = (double)ms_mapping_size(m); break;
	case COL_RSS_OLD: rw->key = (double)ms_diff_entry_value(e, 0, MS_F_RSS); break;
	case COL_RSS_NEW: rw->key = (double)ms_diff_entry_value(e, 1, MS_F_RSS); break;
	case COL_RATE: rw->key = rw->series ? ms_series_rate(rw->series) : -INFINITY; break;
	case COL_STEADY: rw->key = rw->series ? ms_series_steadiness(rw->series) : -1; break;
	case COL_ANON_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_ANONYMOUS); break;
	case COL_DIRTY_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY); break;
	case COL_SWAP_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_SWAP); break;
	case COL_PSS_DELTA: rw->key = (double)ms_diff_entry_delta(e, MS_F_PSS); break;
	case COL_OFFSET: rw->key = -(double)ms_mapping_offset(m); break;
	case COL_INODE: rw->key = (double)ms_mapping_inode(m); break;
	case COL_SIZE_DELTA:
		rw->key = (double)(ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0) -
			  (double)(ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0);
		break;
	case COL_PERMS: rw->skey = ms_mapping_perms(m); break;
	case COL_NAME: rw->skey = ms_mapping_name(m); break;
	case COL_VERDICT:
		rw->skey = rw->series ? ms_verdict_str(ms_series_verdict(rw->series)) : "";
		break;
	case COL_STATUS:
	case COL_LABEL:
		/* Rarely wanted; by growth within. */
	default:
		rw->key = (double)ms_diff_entry_delta(e, MS_F_RSS);
	}
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->skey || y->skey)
		return strcmp(x->skey ? x->skey : "", y->skey ? y->skey : "");
	return x->key > y->key ? -1 : x->key < y->key;
}

static void print_summary(const struct mapsdiff_ctl *ctl, const struct ms_trend *t)
{
	const struct ms_series *tot = t ? ms_trend_total(t) : NULL;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], r[32];
	double eta;

	if (!tot)
		return;
	ms_size_str(ms_series_value(tot, 0), a, sizeof(a));
	ms_size_str(ms_series_value(tot, ctl->n - 1), b, sizeof(b));
	ms_rate_str(ms_series_rate(tot), r, sizeof(r));
	printf("\nprocess: %s -> %s over %zu snapshots, %s%s: %s\n", a, b, ctl->n, r,
	       ctl->times ? "" : " per snapshot (no times recorded)",
	       ms_verdict_str(ms_series_verdict(tot)));
	if (!ctl->limit)
		return;
	ms_size_str(ctl->limit, a, sizeof(a));
	eta = ms_series_eta(tot, ctl->limit);
	if (eta == 0)
		printf("already at the limit of %s\n", a);
	else if (eta < 0)
		printf("not on course to reach the limit of %s\n", a);
	else if (ctl->times)
		printf("reaches the limit of %s in about %s at this rate\n", a,
		       ms_duration_str(eta, r, sizeof(r)));
	else
		printf("reaches the limit of %s in about %.0f more snapshots at this rate\n", a, eta);
}

/* Fill the table; returns true when some mapping grew past the threshold. */
static bool fill(struct mapsdiff_ctl *ctl, struct ms_diff *d, const struct ms_trend *t)
{
	int64_t total_old = 0, total_new = 0;
	size_t i, nrows = 0, shown = 0;
	struct row *rows;
	bool grew = false;

	rows = calloc(ms_diff_count(d) + 1, sizeof(*rows));
	if (!rows)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (i = 0; i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);
		int64_t delta = ms_diff_entry_delta(e, MS_F_RSS);

		total_old += (int64_t)ms_diff_entry_value(e, 0, MS_F_RSS);
		total_new += (int64_t)ms_diff_entry_value(e, 1, MS_F_RSS);
		if (delta > 0 && (uint64_t)delta > ctl->threshold)
			grew = true;
		if (!ctl->all && !changed(e))
			continue;
		rows[nrows].e = e;
		if (t && ms_diff_entry_new(e))
			rows[nrows].series = ms_trend_get(t, ms_mapping_index(ms_diff_entry_new(e)));
		sort_key(ctl, &rows[nrows]);
		nrows++;
	}
	qsort(rows, nrows, sizeof(*rows), cmp_rows);
	for (i = 0; i < nrows && (!ctl->top || shown < ctl->top); i++, shown++)
		add_row(ctl, &rows[i]);
	free(rows);
	if (!(ms_out_get_flags(ctl->out) & MS_OUT_JSON)) {
		struct ms_out_row *r = ms_out_add_row(ctl->out);

		if (r) {
			ms_out_set_str(r, COL_NAME, "total");
			ms_out_set_u64(r, COL_RSS_OLD, (uint64_t)total_old);
			ms_out_set_u64(r, COL_RSS_NEW, (uint64_t)total_new);
			ms_out_set_s64(r, COL_RSS_DELTA, total_new - total_old);
		}
	}
	return grew;
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

/* Load every input; warn about what makes the comparison weaker. */
static void load(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl)
{
	double bt, prev_bt = -1;
	bool have_times = true;
	const char *mm;
	size_t i;

	ctl->snap = calloc(ctl->n, sizeof(*ctl->snap));
	ctl->times = calloc(ctl->n, sizeof(double));
	if (!ctl->snap || !ctl->times)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (i = 0; i < ctl->n; i++) {
		if (ms_snapshot_load_path(ctx, ctl->path[i], &ctl->snap[i]) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (i && ms_snapshot_pid(ctl->snap[i]) && ms_snapshot_pid(ctl->snap[0]) &&
		    ms_snapshot_pid(ctl->snap[i]) != ms_snapshot_pid(ctl->snap[0]))
			warnx("%s is of pid %d but %s of pid %d; comparing anyway", ctl->path[0],
			      (int)ms_snapshot_pid(ctl->snap[0]), ctl->path[i],
			      (int)ms_snapshot_pid(ctl->snap[i]));
		if (i && ms_snapshot_format(ctl->snap[i]) != ms_snapshot_format(ctl->snap[0]))
			warnx("%s is %s but %s is %s; comparing what both have", ctl->path[0],
			      ms_snapshot_format_str(ctl->snap[0]), ctl->path[i],
			      ms_snapshot_format_str(ctl->snap[i]));
		/* Boot time: wall-clock steps (NTP, DST) do not bend the rates. */
		bt = ms_snapshot_boottime(ctl->snap[i]);
		if (bt <= prev_bt)
			have_times = false;
		ctl->times[i] = prev_bt = bt;
	}
	if (!have_times) {
		free(ctl->times);
		ctl->times = NULL;
	}
	mm = ms_snapshot_get(ctl->snap[ctl->n - 1], "memory.max");
	if (!ctl->limit && mm && strcmp(mm, "max"))
		ctl->limit = strtoull(mm, NULL, 10);
}

static int run(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl)
{
	const struct ms_maps **maps = calloc(ctl->n, sizeof(*maps));
	struct ms_trend *t = NULL;
	struct ms_diff *d;
	bool grew;
	size_t i;

	if (!maps)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (i = 0; i < ctl->n; i++)
		maps[i] = ms_snapshot_maps(ctl->snap[i]);
	if (ctl->n >= 3) {
		if (ms_trend_new(ctx, maps, ctl->times, ctl->n, MS_F_RSS, &t) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (!ctl->columns_given &&
		    ms_out_set_columns(ctl->out, "START,END,PERMS,STATUS,SIZE,RSS-OLD,RSS-NEW,"
					       "RSS-DELTA,RATE,STEADY,VERDICT,LABEL,NAME") < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	}
	if (ms_diff_new(ctx, maps[0], maps[ctl->n - 1], &d) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	grew = fill(ctl, d, t);
	if (ms_out_print(ctl->out, stdout) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (!(ms_out_get_flags(ctl->out) & MS_OUT_JSON))
		print_summary(ctl, t);
	ms_trend_free(t);
	ms_diff_free(d);
	free(maps);
	return grew ? MS_EXIT_FOUND : MS_EXIT_OK;
}

static void parse_args(struct ms_ctx *ctx, struct mapsdiff_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	struct stat st;
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		if (c == 'o')
			ctl->columns_given = true;
		switch (ms_out_getopt(ctl->out, c, optarg)) {
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
			ctl->sort = column_by_name(optarg);
			if (ctl->sort < 0)
				errx(MS_EXIT_TROUBLE, "--sort: unknown column \"%s\"; see --help for the list", optarg);
			break;
		case OPT_THRESHOLD:
			if (ms_parse_size(ctx, optarg, &ctl->threshold) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--threshold");
			break;
		case OPT_TOP:
			if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl->top) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--top");
			break;
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
	struct mapsdiff_ctl ctl = { .sort = COL_RSS_DELTA };
	struct ms_ctx *ctx;
	int rc;
	size_t i;

	ms_cli_init("mapsdiff");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx || ms_out_new(ctx, columns, MS_ARRAY_SIZE(columns), "mappings", &ctl.out) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);

	parse_args(ctx, &ctl, argc, argv);
	load(ctx, &ctl);
	rc = run(ctx, &ctl);

	for (i = 0; i < ctl.n; i++) {
		ms_snapshot_free(ctl.snap[i]);
		free(ctl.path[i]);
	}
	free(ctl.snap);
	free(ctl.path);
	free(ctl.times);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return rc;
}
