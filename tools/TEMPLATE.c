// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TEMPLATE: the shape of a memsift tool, to copy when adding one
 * (HACKING.md, "Adding a tool").  It lists a process's mappings as a
 * table: the least a real tool does, with the parts every tool has.
 *
 * - A control struct holds what the options asked; parse_args() fills it
 *   and main() fits on a screen.
 * - The shared options (-o, -J, -r, -n, -b) come from tools/cli.h, with
 *   the letters memsift(7) OPTION LETTERS gives; any other option is
 *   long-only unless that table has its letter.
 * - The work is the library's: the tool reads no /proc file itself.  A
 *   library error comes back as a negative errno with its message in the
 *   context; ms_cli_errx_ctx() prints it and exits with a documented status.
 *
 * It is built by `make check` (never installed), so it keeps compiling
 * against the library it shows; tests/tools/template.sh runs it.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include <memsift/maps.h>
#include <memsift/output.h>
#include <memsift/parse.h>

struct template_ctl {
	pid_t pid;
	struct ms_out *out;
};

enum { COL_START, COL_PERMS, COL_RSS, COL_NAME };

static const struct ms_out_column columns[] = {
	[COL_START] = { "START", 18, MS_COL_DEFAULT, MS_COL_HEX, "first address of the mapping" },
	[COL_PERMS] = { "PERMS", 5, MS_COL_DEFAULT, MS_COL_STR, "permissions, as maps prints them" },
	[COL_RSS] = { "RSS", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "resident bytes" },
	[COL_NAME] = { "NAME", 0.5, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "name, as maps prints it" },
};

static const char shortopts[] = "p:" MS_CLI_OUT_OPTSTRING "Vh";
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	MS_CLI_OUT_LONGOPTS,
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n TEMPLATE [options] -p PID\n\n");
	printf("List the mappings of a process, with what they hold in memory.\n\n");
	printf("Options:\n");
	printf(" -p, --pid PID          the process\n");
	ms_cli_out_help(stdout);
	ms_cli_help_options(stdout);
	ms_out_help_columns(columns, MS_ARRAY_SIZE(columns), stdout);
	printf("\nExit status: 0 success, 1 failure.\n");
	exit(MS_EXIT_OK);
}

static void parse_args(struct ms_ctx *ctx, struct template_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		rc = ms_cli_out_getopt(ctl->out, c, optarg);
		if (rc < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "-o");
		if (rc > 0)
			continue;
		switch (c) {
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--pid");
			break;
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_FAILURE);
		}
	}
	if (!ctl->pid || optind < argc) {
		warnx(ctl->pid ? "unexpected argument \"%s\"" : "no process given; use -p PID",
		      ctl->pid ? argv[optind] : "");
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
}

/* One row per mapping, in address order, as /proc/PID/smaps gives them. */
static int list(struct ms_ctx *ctx, const struct template_ctl *ctl)
{
	struct ms_maps *maps;
	struct ms_out_row *r;
	size_t i;
	int rc;

	rc = ms_maps_read_pid(ctx, ctl->pid, MS_MAPS_SRC_SMAPS, &maps);
	if (rc < 0)
		return rc;
	for (i = 0; i < ms_maps_count(maps); i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);

		r = ms_out_add_row(ctl->out);
		if (!r)
			errx(MS_EXIT_FAILURE, "out of memory");
		ms_out_set_u64(r, COL_START, ms_mapping_start(m));
		ms_out_set_str(r, COL_PERMS, ms_mapping_perms(m));
		ms_out_set_u64(r, COL_RSS, ms_mapping_get(m, MS_F_RSS));
		ms_out_set_str(r, COL_NAME, ms_mapping_name(m));
	}
	ms_maps_free(maps);
	return ms_out_print(ctl->out, stdout);
}

int main(int argc, char **argv)
{
	struct template_ctl ctl = { 0 };
	struct ms_ctx *ctx;

	ms_cli_init("TEMPLATE");
	ctx = ms_ctx_new();
	if (!ctx || ms_out_new(ctx, columns, MS_ARRAY_SIZE(columns), "mappings", &ctl.out) < 0)
		errx(MS_EXIT_FAILURE, "out of memory");
	parse_args(ctx, &ctl, argc, argv);
	if (list(ctx, &ctl) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}
