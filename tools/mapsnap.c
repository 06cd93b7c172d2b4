/*
 * mapsnap: write a snapshot of a process's mappings (its smaps, with a header
 * saying whose and when) for mapsdiff to compare later.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <memsift/cli.h>
#include <memsift/outfile.h>
#include <memsift/parse.h>
#include <memsift/snapshot.h>

struct mapsnap_ctl {
	pid_t pid;
	const char *output;	/* "-" for stdout */
	unsigned int outflags;
};

static const char shortopts[] = "p:o:fVh";
static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n mapsnap [options] -p PID\n\n");
	printf("Write a snapshot of the mappings of a process: its /proc/PID/smaps with a\n"
	       "header naming the process and the time, for mapsdiff to compare.\n\n");
	printf("Options:\n");
	printf(" -p, --pid PID          the process to snapshot\n");
	printf(" -o, --output FILE      write to FILE (mode 0600) instead of stdout\n");
	printf(" -f, --force            overwrite FILE if it exists\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 success, 1 failure.\n");
	printf("See mapsnap(1) for the snapshot format.\n");
	exit(MS_EXIT_OK);
}

static int snap_one(struct ms_ctx *ctx, const struct mapsnap_ctl *ctl)
{
	struct ms_snapshot *snap;
	struct ms_outfile *of;
	int rc;

	/* Open first: a refused output path must not cost a read of the target. */
	rc = ms_outfile_open(ctx, ctl->output, ctl->outflags, &of);
	if (rc < 0)
		return rc;
	rc = ms_snapshot_take(ctx, ctl->pid, MS_SNAP_TAKE_NOPARSE, &snap);
	if (rc < 0) {
		ms_outfile_abort(of);
		return rc;
	}
	rc = ms_snapshot_write(ctx, snap, ms_outfile_fp(of));
	ms_snapshot_free(snap);
	if (rc < 0) {
		ms_outfile_abort(of);
		return rc;
	}
	return ms_outfile_commit(ctx, of);
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

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl.pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
			break;
		case 'o':
			ctl.output = optarg;
			break;
		case 'f':
			ctl.outflags |= MS_OUTFILE_FORCE;
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

	if (snap_one(ctx, &ctl) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_ctx_free(ctx);
	return MS_EXIT_OK;
}
