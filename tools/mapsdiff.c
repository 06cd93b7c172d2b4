/*
 * mapsdiff: which mappings of a process grew between two snapshots.
 * Exit status as diff(1): 0 nothing grew past the threshold, 1 something
 * did, 2 trouble.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <memsift/cli.h>
#include <memsift/diff.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>

enum {
	COL_START, COL_END, COL_PERMS, COL_STATUS, COL_SIZE, COL_RSS_OLD, COL_RSS_NEW,
	COL_RSS_DELTA, COL_ANON_DELTA, COL_DIRTY_DELTA, COL_SWAP_DELTA, COL_PSS_DELTA,
	COL_SIZE_DELTA, COL_OFFSET, COL_INODE, COL_NAME,
};

static const struct ms_out_column columns[] = {
	[COL_START] = { "START", 12, MS_COL_DEFAULT, MS_COL_HEX, "start address" },
	[COL_END] = { "END", 12, MS_COL_DEFAULT, MS_COL_HEX, "end address (exclusive)" },
	[COL_PERMS] = { "PERMS", 4, MS_COL_DEFAULT, MS_COL_STR, "permissions, as maps prints them" },
	[COL_STATUS] = { "STATUS", 4, MS_COL_DEFAULT, MS_COL_STR, "kept, new or gone" },
	[COL_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "size of the mapping now" },
	[COL_RSS_OLD] = { "RSS-OLD", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in OLD" },
	[COL_RSS_NEW] = { "RSS-NEW", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident set in NEW" },
	[COL_RSS_DELTA] = { "RSS-DELTA", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the resident set" },
	[COL_ANON_DELTA] = { "ANON-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Anonymous (smaps input)" },
	[COL_DIRTY_DELTA] = { "DIRTY-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Private_Dirty (smaps input)" },
	[COL_SWAP_DELTA] = { "SWAP-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Swap (smaps input)" },
	[COL_PSS_DELTA] = { "PSS-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of Pss (smaps input)" },
	[COL_SIZE_DELTA] = { "SIZE-DELTA", 5, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "growth of the mapping's size" },
	[COL_OFFSET] = { "OFFSET", 8, 0, MS_COL_HEX, "offset into the mapped file" },
	[COL_INODE] = { "INODE", 8, MS_COL_RIGHT, MS_COL_U64, "inode of the mapped file" },
	[COL_NAME] = { "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it" },
};

struct mapsdiff_ctl {
	struct ms_out *out;
	uint64_t top;		/* 0: all */
	uint64_t threshold;	/* RSS growth that counts as growth */
	bool all;		/* also unchanged mappings */
};

enum { OPT_TOP = CHAR_MAX + 1, OPT_THRESHOLD };

static const char shortopts[] = MS_OUT_OPTSTRING "aVh";
static const struct option longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	MS_OUT_LONGOPTS,
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n mapsdiff [options] OLD NEW\n\n");
	printf("Show which mappings of a process grew between two snapshots, largest\n"
	       "growth of the resident set first.  OLD and NEW are mapsnap snapshots or\n"
	       "saved copies of /proc/PID/smaps or /proc/PID/maps.\n\n");
	printf("Options:\n");
	printf(" -a, --all              list unchanged mappings too\n");
	ms_out_help_options(stdout);
	printf("     --threshold SIZE   growth below SIZE does not count (default 0)\n");
	printf("     --top N            show the N mappings that grew most\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(columns, MS_ARRAY_SIZE(columns), stdout);
	printf("\nExit status: 0 nothing grew, 1 something grew, 2 trouble.\n");
	exit(MS_EXIT_OK);
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

static void add_row(struct ms_out *out, const struct ms_diff_entry *e)
{
	static const char *const status[] = { "", "kept", "new", "gone" };
	const struct ms_mapping *m = ms_diff_entry_mapping(e);
	struct ms_out_row *r = ms_out_add_row(out);
	uint64_t so = ms_diff_entry_old(e) ? ms_mapping_size(ms_diff_entry_old(e)) : 0;
	uint64_t sn = ms_diff_entry_new(e) ? ms_mapping_size(ms_diff_entry_new(e)) : 0;

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
	ms_out_set_s64(r, COL_ANON_DELTA, ms_diff_entry_delta(e, MS_F_ANONYMOUS));
	ms_out_set_s64(r, COL_DIRTY_DELTA, ms_diff_entry_delta(e, MS_F_PRIVATE_DIRTY));
	ms_out_set_s64(r, COL_SWAP_DELTA, ms_diff_entry_delta(e, MS_F_SWAP));
	ms_out_set_s64(r, COL_PSS_DELTA, ms_diff_entry_delta(e, MS_F_PSS));
	ms_out_set_s64(r, COL_SIZE_DELTA, (int64_t)(sn - so));
	ms_out_set_u64(r, COL_OFFSET, ms_mapping_offset(m));
	ms_out_set_u64(r, COL_INODE, ms_mapping_inode(m));
	ms_out_set_str(r, COL_NAME, ms_mapping_name(m));
}

static void warn_pids(struct ms_snapshot *const snap[2], char *const path[2])
{
	pid_t a = ms_snapshot_pid(snap[0]), b = ms_snapshot_pid(snap[1]);

	if (a && b && a != b)
		warnx("%s is of pid %d but %s of pid %d; comparing anyway", path[0], (int)a,
		      path[1], (int)b);
}

/* Fill the table; returns true when some mapping grew past the threshold. */
static bool fill(const struct mapsdiff_ctl *ctl, struct ms_diff *d)
{
	int64_t total_old = 0, total_new = 0;
	uint64_t shown = 0;
	bool grew = false;
	size_t i;

	ms_diff_sort(d, MS_F_RSS);
	for (i = 0; i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);
		int64_t delta = ms_diff_entry_delta(e, MS_F_RSS);

		total_old += (int64_t)ms_diff_entry_value(e, 0, MS_F_RSS);
		total_new += (int64_t)ms_diff_entry_value(e, 1, MS_F_RSS);
		if (delta > 0 && (uint64_t)delta > ctl->threshold)
			grew = true;
		if ((!ctl->all && !changed(e)) || (ctl->top && shown >= ctl->top))
			continue;
		add_row(ctl->out, e);
		shown++;
	}
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

int main(int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	struct mapsdiff_ctl ctl = { 0 };
	struct ms_snapshot *snap[2] = { NULL, NULL };
	struct ms_diff *d;
	struct ms_ctx *ctx;
	bool grew;
	int c, i;

	ms_cli_init("mapsdiff");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx || ms_out_new(ctx, columns, MS_ARRAY_SIZE(columns), "mappings", &ctl.out) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		switch (ms_out_getopt(ctl.out, c, optarg)) {
		case 1:
			continue;
		case 0:
			break;
		default:
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		}
		switch (c) {
		case 'a':
			ctl.all = true;
			break;
		case OPT_THRESHOLD:
			if (ms_parse_size(ctx, optarg, &ctl.threshold) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--threshold");
			break;
		case OPT_TOP:
			if (ms_parse_count(ctx, optarg, 1, UINT32_MAX, &ctl.top) < 0)
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
	if (argc - optind != 2) {
		warnx(argc - optind < 2 ? "two snapshots needed: OLD NEW" : "too many arguments");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}

	for (i = 0; i < 2; i++)
		if (ms_snapshot_load_path(ctx, argv[optind + i], &snap[i]) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	warn_pids(snap, argv + optind);
	if (ms_diff_new(ctx, ms_snapshot_maps(snap[0]), ms_snapshot_maps(snap[1]), &d) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);

	grew = fill(&ctl, d);
	if (ms_out_print(ctl.out, stdout) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);

	ms_diff_free(d);
	ms_snapshot_free(snap[0]);
	ms_snapshot_free(snap[1]);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return grew ? MS_EXIT_FOUND : MS_EXIT_OK;
}
