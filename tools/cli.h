/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every tool's main() shares: exit codes, closing stdout, the short
 * usage-error and version messages, mutually exclusive options and printing
 * a library failure.  Modelled on util-linux's closestream.h, c.h
 * (errtryhelp, print_version) and optutils.h (ul_excl_t).
 *
 * Unlike the rest of the library these helpers print to stderr and exit:
 * they are for tools' main(), never for library code.  Messages go through
 * <err.h>, whose program name ms_cli_init() sets, so they read
 * "TOOL: what: why" however the binary was invoked.
 */
#ifndef MEMSIFT_CLI_H
#define MEMSIFT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <memsift/ctx.h>
#include <memsift/output.h>

struct option;

/*
 * Exit codes, listed in every man page.
 *
 * mapsdiff, leakhunt and oomreport answer a question and follow diff(1):
 *   MS_EXIT_OK       0  nothing grew or leaked
 *   MS_EXIT_FOUND    1  something grew or leaked
 *   MS_EXIT_TROUBLE  2  trouble, bad usage included
 * and leakhunt one more:
 *   MS_EXIT_UNCONFIRMED 3  growth seen, not yet confirmed when the hunt ended
 *
 * mapsnap, regiondump, bytehist and mapswatch:
 *   MS_EXIT_OK       0  success
 *   MS_EXIT_FAILURE  1  failure, bad usage or partial failure included
 *
 * Never OR statuses together; decide the one status at the end.
 */
#define MS_EXIT_OK 0
#define MS_EXIT_FOUND 1
#define MS_EXIT_TROUBLE 2
#define MS_EXIT_UNCONFIRMED 3
#define MS_EXIT_FAILURE 1

/* Number of elements of an array, for option and column tables. */
#ifndef MS_ARRAY_SIZE
#define MS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

/*
 * Call first in main().  Sets the program name <err.h> and the messages
 * below print (PROGNAME is borrowed: pass a string literal such as
 * "mapsdiff"), and registers an atexit() handler that flushes and closes
 * stdout and stderr: if writing stdout failed ("mapsnap -p 1 >/dev/full"),
 * it prints "TOOL: write error: No space left on device" and _exit()s with
 * the failure status.  A closed pipe (EPIPE) is not an error, as in
 * util-linux, so "tool | head" stays quiet.
 */
void ms_cli_init(const char *progname);

/*
 * Set the status the helpers below exit with on trouble: a write error on
 * stdout and mutually exclusive options.  MS_EXIT_FAILURE by default;
 * mapsdiff, leakhunt and oomreport set MS_EXIT_TROUBLE.
 */
void ms_cli_set_failure_status(int status);

/*
 * For any usage error: print only "Try 'TOOL --help' for more information."
 * on stderr, not the whole usage, and exit with STATUS.
 */
_Noreturn void ms_cli_errtryhelp(int status);

/* For -V: print "TOOL from memsift VERSION" on stdout and exit 0. */
_Noreturn void ms_cli_print_version(void);

/*
 * Print the --help lines of -h and -V, last in every usage text, with the
 * descriptions at column 24 like ms_cli_out_help():
 *   " -h, --help             display this help"
 *   " -V, --version          display version"
 */
void ms_cli_help_options(FILE *fp);

/* Up to this many options in one group of mutually exclusive options. */
#define MS_CLI_EXCL_MAX 8

/*
 * One group of mutually exclusive options: the values getopt_long() returns
 * for them (a letter, or a long-only enum value), ending at the first 0.
 * Unlike util-linux's ul_excl_t the groups need not be sorted.
 */
struct ms_cli_excl {
	int opts[MS_CLI_EXCL_MAX];
};

/*
 * Call for every option C that getopt_long() returns, before handling it.
 * TAB holds N groups and STATUS N ints, zeroed before the loop, which record
 * the option seen in each group.  When C is the second different option of
 * a group, prints "TOOL: options --json and --raw are mutually exclusive"
 * (long names from LONGOPTS, else "-x") and calls ms_cli_errtryhelp() with
 * the failure status.  Giving the same option twice is not an error.
 *
 *	static const struct ms_cli_excl excl[] = {
 *		MS_OUT_EXCL,			(-J and -r, <memsift/output.h>)
 *		{ { 'p', OPT_SNAPSHOT } },
 *	};
 *	int excl_st[sizeof(excl) / sizeof(excl[0])] = { 0 };
 *	...
 *		ms_cli_excl_check(excl, 2, excl_st, c, longopts);
 */
void ms_cli_excl_check(const struct ms_cli_excl *tab, size_t n, int *status, int c,
		       const struct option *longopts);

/*
 * Find an operand that getopt_long() would take for an option: one that
 * starts with '-' and a digit ("-1", "-4K"), which a user typed as a
 * negative address or size.  SHORTOPTS and LONGOPTS are the tool's, to
 * skip option arguments ("-o -1" names a file); scanning stops at "--".
 * Returns: the index in ARGV of the first such operand and sets *NTH to
 * the number of operands before it, or 0.
 */
int ms_cli_negative_operand(int argc, char *const argv[], const char *shortopts,
			    const struct option *longopts, int *nth);

/*
 * Report the last library failure in CTX on stderr, one line:
 * "TOOL: WHAT: MESSAGE", or "TOOL: MESSAGE" when WHAT_FMT is NULL.  WHAT_FMT
 * is a printf format for what failed ("pid %d"); the message from
 * ms_ctx_errmsg() usually names the file and line already.
 * ms_cli_errx_ctx() then exits with STATUS.
 */
void ms_cli_warn_ctx(const struct ms_ctx *ctx, const char *what_fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void ms_cli_errx_ctx(int status, const struct ms_ctx *ctx, const char *what_fmt,
			       ...) __attribute__((format(printf, 3, 4)));

/*
 * The command line ARGV[0..ARGC) as one string a shell would take back: an
 * argument with anything but [A-Za-z0-9_./=:,+@%-] single-quoted.  Returns a
 * new string, or NULL without memory.
 */
char *ms_cli_cmdline(int argc, char *const argv[]);

/*
 * A watch's clock: move NEXT, a CLOCK_MONOTONIC deadline on the grid of
 * INTERVAL microseconds from START, to the first slot still ahead of now.
 * A sample that took longer than the interval makes the slots it overran
 * be skipped, not chased back to back.  Returns how many were skipped, of
 * those no later than LIMIT microseconds after START (0: all).
 */
uint64_t ms_cli_next_slot(const struct timespec *start, struct timespec *next,
			  uint64_t interval, uint64_t limit);

/*
 * Move START and NEXT on by the time since SINCE (CLOCK_MONOTONIC): the time a
 * test held the tool in its hook is not the watch's, or a test's pauses
 * would skip slots.
 */
void ms_cli_shift_clock(struct timespec *start, struct timespec *next,
			const struct timespec *since);

/* Microseconds from A to B (CLOCK_MONOTONIC); negative when B is before A. */
int64_t ms_cli_usec_between(const struct timespec *a, const struct timespec *b);

/*
 * --redact REGEX, --redact-file FILE and --redact-set NAME, as regiondump and
 * leakhunt take them: the patterns gathered into *SCAN (made on first use,
 * MS_PATSCAN_SECRET).  A bad one exits with the failure status, naming it
 * by its place ("--redact pattern 2", "FILE:LINE"), never by its text,
 * which may be the secret.
 */
struct ms_patscan;
void ms_cli_redact_regex(struct ms_ctx *ctx, struct ms_patscan **scan, const char *re);
void ms_cli_redact_file(struct ms_ctx *ctx, struct ms_patscan **scan, const char *path);
void ms_cli_redact_set(struct ms_ctx *ctx, struct ms_patscan **scan, const char *name);

/* The status ms_cli_set_failure_status() set: what trouble exits with. */
int ms_cli_failure_status(void);

/*
 * The tests' hook into a tool's loop.  With MEMSIFT_TEST_HOOK=EVENT:FIFO in
 * the environment, write the line FMT makes to FIFO and wait for a line back,
 * so a test changes the target between two samples, or signals the tool, at
 * a known point without racing an interval; without it (or for another
 * EVENT) do nothing.  Exits with the failure status, naming FIFO, if it
 * cannot be used.  Returns whether the hook fired.
 *
 * Only the test builds of the tools (tests/hooked/, compiled with
 * MS_TEST_HOOKS and tools/test-hook.c) have it; in the installed tools it
 * is nothing, so no environment can steer them.
 */
#ifdef MS_TEST_HOOKS
bool ms_cli_test_hook(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#else
static inline __attribute__((format(printf, 2, 3)))
bool ms_cli_test_hook(const char *event, const char *fmt, ...)
{
	(void)event;
	(void)fmt;
	return false;
}
#endif

/*
 * The output options every tool with a table shares, as lsblk and findmnt
 * spell them, for the tool's short-option string and option table; they
 * reach the table through <memsift/output.h>'s setters:
 *
 *	static const struct option longopts[] = {
 *		{ "pid", required_argument, NULL, 'p' },
 *		MS_CLI_OUT_LONGOPTS,
 *		...
 *	};
 *
 * MS_CLI_OUT_LONGOPTS needs <getopt.h>.  -J and -r exclude each other: put
 * MS_CLI_OUT_EXCL in the tool's struct ms_cli_excl table.
 */
#define MS_CLI_OUT_OPTSTRING "bJno:r"
#define MS_CLI_OUT_LONGOPTS							\
	{ "bytes", no_argument, NULL, 'b' },				\
	{ "json", no_argument, NULL, 'J' },				\
	{ "noheadings", no_argument, NULL, 'n' },			\
	{ "output", required_argument, NULL, 'o' },			\
	{ "raw", no_argument, NULL, 'r' }
#define MS_CLI_OUT_EXCL { { 'J', 'r' } }

/*
 * Handle one of the shared options in a getopt loop: C is what getopt_long()
 * returned and OPTARG its argument.  'o' selects columns as
 * ms_out_set_columns() does; 'J', 'r', 'n' and 'b' add MS_OUT_JSON,
 * MS_OUT_RAW, MS_OUT_NOHEADINGS and MS_OUT_BYTES to the flags.
 *
 * Returns: 1 when C was one of o, J, r, n, b and is handled; 0 when C is
 * another option, for the tool to handle; < 0 as ms_out_set_columns() does
 * when the -o list is bad (the message is in the context).
 */
int ms_cli_out_getopt(struct ms_out *o, int c, const char *optarg);

/*
 * Print the --help lines of the shared options, in this order and with the
 * descriptions starting at column 24, as util-linux aligns them:
 * -b/--bytes, -J/--json, -n/--noheadings, -o/--output <list>, -r/--raw.
 */
void ms_cli_out_help(FILE *fp);

/*
 * Old spellings of options whose letter changed when the tools took
 * util-linux's vocabulary (memsift(7), OPTION LETTERS): -o is columns
 * wherever there is a table, -w (--write) the file or directory a tool
 * writes, -n no headings, --count a number of samples.  During the
 * compatibility period an old spelling still works and says, once, what
 * replaces it.
 */
enum ms_cli_compat_when {
	MS_CLI_COMPAT_ALWAYS,		/* the old spelling means nothing else now */
	MS_CLI_COMPAT_NUMBER,		/* only with a number: "-n 5", not "-n" */
	MS_CLI_COMPAT_NOT_COLUMNS,	/* only when no column list: "-o DIR", not "-o RSS" */
	MS_CLI_COMPAT_FLAG,		/* the old option took no argument: "-t" */
};

struct ms_cli_compat {
	char old_short;			/* 'o', or 0 */
	const char *old_long;		/* "output", or NULL */
	const char *new_long;		/* what it becomes: "write" */
	enum ms_cli_compat_when when;
	const char *warning;		/* "-o FILE is deprecated; use -w FILE (--write)" */
};

/* The old spellings every tool that writes files or takes a count shares. */
#define MS_CLI_COMPAT_WRITE(WHAT)					\
	{ 'o', "output", "write", MS_CLI_COMPAT_ALWAYS,			\
	  "-o " WHAT " (--output) is deprecated; use -w " WHAT " (--write)" }
#define MS_CLI_COMPAT_COUNT						\
	{ 'n', NULL, "count", MS_CLI_COMPAT_ALWAYS,			\
	  "-n N is deprecated; use --count N" }

/*
 * Rewrite the old spellings in ARGV that TAB lists into their new long
 * options, before getopt_long() sees them, warning once per entry.
 * SHORTOPTS and LONGOPTS are the tool's current ones, to step over option
 * arguments; COLS and NCOLS its columns for MS_CLI_COMPAT_NOT_COLUMNS (or
 * NULL, 0).  Scanning stops at "--".  Returns the new vector (ARGV itself
 * when nothing changed) and updates *ARGC; it lives as long as the process.
 */
char **ms_cli_compat(int *argc, char **argv, const char *shortopts,
		     const struct option *longopts, const struct ms_cli_compat *tab,
		     size_t n, const struct ms_out_column *cols, size_t ncols);

/*
 * After a failed library call with error ERR (a negative errno), add HINT to
 * the message ms_cli_errx_ctx() and ms_cli_warn_ctx() print: the library says
 * what is wrong, the tool says which of its options changes it ("use -f to
 * overwrite it").  A few hints at most; a later one for the same ERR wins.
 */
void ms_cli_set_hint(int err, const char *hint);

#endif
