// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tools' shared helpers (tools/cli.c): the watch clock, which skips the
 * slots a slow sample overran rather than chase them back to back; the
 * command line quoted as a shell takes it back; old option spellings
 * rewritten into the new ones, and the hint a tool adds to a library error.
 * The truth is the clock itself, read here, sh(1), and the vectors and
 * messages written out below.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include <memsift/outfile.h>
#include <memsift/output.h>

#include "tap.h"

static struct timespec ago(double s)
{
	struct timespec t;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ns = (long long)t.tv_sec * 1000000000 + t.tv_nsec - (long long)(s * 1e9);
	t.tv_sec = (time_t)(ns / 1000000000);
	t.tv_nsec = (long)(ns % 1000000000);
	return t;
}

static void next_slot(void)
{
	const uint64_t sec = 1000000;
	struct timespec start = ago(10.5), next = start, now;
	uint64_t skipped;

	/* On time: the slot one interval on, none skipped. */
	start = ago(0);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, 10 * sec, 0);
	is_int((int)skipped, 0, "a sample on time skips no slot");
	is_int((int)ms_cli_usec_between(&start, &next), (int)(10 * sec), "the next slot is one interval on");

	/* 10.5 intervals behind: slots 1 to 10 are gone, slot 11 is next. */
	start = ago(10.5);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, sec, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	is_int((int)skipped, 10, "a sample 10.5 intervals late skips 10 slots");
	ok(ms_cli_usec_between(&now, &next) > 0, "the next slot is ahead of now");
	is_int((int)(ms_cli_usec_between(&start, &next) % (int64_t)sec), 0, "and on the grid");
	ok(ms_cli_usec_between(&now, &next) <= (int64_t)sec, "and at most one interval ahead");

	/* A duration of 5 intervals: slots 1 to 5 count as skipped, not 6 to 10. */
	start = ago(10.5);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, sec, 5 * sec);
	is_int((int)skipped, 5, "only the slots within the duration count as skipped");
}

/* A NULL-terminated vector of copies of the arguments, as main() gets it. */
static char **vec(int *argc, ...)
{
	static char *v[24];
	const char *a;
	va_list ap;
	int n = 0;

	/* The last call's copies go: nothing but the compat vectors refers to them. */
	for (n = 0; v[n]; n++)
		free(v[n]);
	n = 0;
	va_start(ap, argc);
	while (n < 23 && (a = va_arg(ap, const char *)))
		v[n++] = strdup(a);
	va_end(ap);
	v[n] = NULL;
	*argc = n;
	return v;
}

static void cmdline(void)
{
	int argc;
	char **argv = vec(&argc, "leakhunt", "-p", "42", "-o", "a dir/it's", "--redact", "x|y", "", NULL);
	char *s = ms_cli_cmdline(argc, argv), cmd[512], got[512] = "";
	FILE *p;

	is_str(s, "leakhunt -p 42 -o 'a dir/it'\\''s' --redact 'x|y' ''", "quoted for a shell");
	/* sh gives the arguments back as they were. */
	snprintf(cmd, sizeof(cmd), "set -- %s; printf '[%%s]' \"$@\"", s);
	p = popen(cmd, "r");
	if (p && fgets(got, sizeof(got), p))
		is_str(got, "[leakhunt][-p][42][-o][a dir/it's][--redact][x|y][]", "sh reads it back");
	else
		ok(0, "sh reads it back");
	if (p)
		pclose(p);
	free(s);
}

/* ARGV rewritten by TAB, joined with spaces; what it warned in *WARNED. */
static char *rewrite(int argc, char **argv, const char *shortopts, const struct option *longopts,
		     const struct ms_cli_compat *tab, size_t n, const struct ms_out_column *cols,
		     size_t ncols, char *warned, size_t wlen)
{
	static char buf[512];
	int fds[2], saved = dup(STDERR_FILENO), i;
	ssize_t len;
	char **out;

	if (pipe(fds) < 0 || saved < 0)
		return NULL;
	fflush(stderr);
	dup2(fds[1], STDERR_FILENO);
	out = ms_cli_compat(&argc, argv, shortopts, longopts, tab, n, cols, ncols);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	len = read(fds[0], warned, wlen - 1);
	warned[len > 0 ? len : 0] = '\0';
	close(fds[0]);
	buf[0] = '\0';
	for (i = 1; i < argc; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i > 1 ? " " : "",
			 out[i]);
	return buf;
}

static void compat(void)
{
	static const struct ms_cli_compat dump[] = { MS_CLI_COMPAT_WRITE("FILE"), MS_CLI_COMPAT_COUNT };
	static const struct option dump_long[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 1000 },
		{ NULL, 0, NULL, 0 },
	};
	static const struct ms_out_column cols[] = {
		{ "RSS", 5, MS_COL_DEFAULT, MS_COL_SIZE, "rss" },
		{ "NAME", 0.5, MS_COL_DEFAULT, MS_COL_STR, "name" },
	};
	static const struct ms_cli_compat watch[] = {
		{ 'o', "output", "write", MS_CLI_COMPAT_NOT_COLUMNS, "o-old" },
		{ 'n', NULL, "count", MS_CLI_COMPAT_NUMBER, "n-old" },
		{ 't', NULL, "tasks", MS_CLI_COMPAT_FLAG, "t-old" },
	};
	static const struct option watch_long[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	char w[512], **v;
	int n;

	v = vec(&n, "t", "-p", "1", "-o", "f", "-n", "3", "-o", "g", NULL);
	is_str(rewrite(n, v, "fp:w:", dump_long, dump, 2, NULL, 0, w, sizeof(w)),
	       "-p 1 --write=f --count=3 --write=g", "compat: -o FILE and -n N rewritten");
	is_str(w, "t: -o FILE (--output) is deprecated; use -w FILE (--write)\n"
	       "t: -n N is deprecated; use --count N\n", "compat: each warned once");
	v = vec(&n, "t", "-fo", "f", "-ofile", "--output=x", "--output", "y", NULL);
	is_str(rewrite(n, v, "fp:w:", dump_long, dump, 2, NULL, 0, w, sizeof(w)),
	       "-f --write=f --write=file --write=x --write=y", "compat: clusters, attached and long forms");
	v = vec(&n, "t", "-w", "-o", "--", "-o", "z", NULL);
	is_str(rewrite(n, v, "fp:w:", dump_long, dump, 2, NULL, 0, w, sizeof(w)),
	       "-w -o -- -o z", "compat: an option's argument and what follows -- are left alone");
	is_str(w, "", "compat: and nothing is said");
	v = vec(&n, "t", "-o", "+rss,NAME", "-o", "leak.d", "-o", "RSS,NOPE", "-o", "/tmp", "-n", "-n", "5", "-nJ", "-n7", NULL);
	is_str(rewrite(n, v, "w:o:nJ", watch_long, watch, 3, cols, 2, w, sizeof(w)),
	       "-o +rss,NAME --write=leak.d -o RSS,NOPE --write=/tmp -n --count=5 -nJ --count=7",
	       "compat: -o LIST (a typo included) and -n stay, -o DIR and -n N are rewritten");
	v = vec(&n, "t", "-tb", "-t", "--output", "RSS", NULL);
	is_str(rewrite(n, v, "w:o:nbJ", watch_long, watch, 3, cols, 2, w, sizeof(w)),
	       "--tasks -b --tasks --output RSS", "compat: an old flag, alone or in a cluster");
	v = vec(&n, "t", "-p", "1", "-w", "f", NULL);
	ok(rewrite(n, v, "fp:w:", dump_long, dump, 2, NULL, 0, w, sizeof(w)) && !strcmp(w, ""),
	   "compat: the new spellings pass silently");
}

static void hint(void)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_outfile *of;
	char buf[256] = "", path[] = "/tmp/test-cli.XXXXXX";
	FILE *f = tmpfile();
	int fd = mkstemp(path);

	if (fd >= 0)
		close(fd);
	int saved = dup(STDERR_FILENO);

	ms_cli_set_hint(-EEXIST, "use -f to overwrite it");
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	/* The library's own errors: a file that exists, a directory that does not. */
	if (ms_outfile_open(ctx, path, 0, &of) == -EEXIST)
		ms_cli_warn_ctx(ctx, NULL);
	if (ms_outfile_open(ctx, "/nonexistent-dir/x", 0, &of) < 0)
		ms_cli_warn_ctx(ctx, "--plot");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	rewind(f);
	if (fread(buf, 1, sizeof(buf) - 1, f) == 0)
		buf[0] = '\0';
	unlink(path);
	ok(!strncmp(buf, "t: /tmp/test-cli.", 17) && strstr(buf, ": file exists; use -f to overwrite it\nt: --plot: ") &&
	   !strstr(strstr(buf, "--plot"), "use -f"), "hint: added to its error only");
	fclose(f);
	close(saved);
	ms_ctx_free(ctx);
}

static struct ms_ctx *ctx;

static const struct ms_out_column cols[] = {
	{ "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "mapping size" },
	{ "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "mapped file" },
};

static struct ms_out *new_out(void)
{
	struct ms_out *o = NULL;

	if (ms_out_new(ctx, cols, MS_ARRAY_SIZE(cols), "rows", &o) < 0)
		exit(99);
	return o;
}

/* The output options (-o -J -r -n -b) through ms_cli_out_getopt(), and their help. */
static void test_out_options(void)
{
	struct ms_out *o = new_out();
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	is_int(ms_cli_out_getopt(o, 'o', "name"), 1, "getopt: -o NAME consumed");
	is_int(ms_cli_out_getopt(o, 'o', "nope"), -EINVAL, "getopt: bad -o list fails");
	is_str(ms_ctx_errmsg(ctx), "unknown column \"nope\"; see --help for the list",
	       "getopt: bad -o message");
	is_int(ms_cli_out_getopt(o, 'J', NULL), 1, "getopt: -J consumed");
	is_int(ms_cli_out_getopt(o, 'r', NULL), 1, "getopt: -r consumed");
	is_int(ms_cli_out_getopt(o, 'n', NULL), 1, "getopt: -n consumed");
	is_int(ms_cli_out_getopt(o, 'b', NULL), 1, "getopt: -b consumed");
	is_int(ms_out_get_flags(o), MS_OUT_JSON | MS_OUT_RAW | MS_OUT_NOHEADINGS | MS_OUT_BYTES,
	       "getopt: the four flags are set");
	is_int(ms_cli_out_getopt(o, 'p', "1"), 0, "getopt: -p is left to the tool");
	is_int(ms_cli_out_getopt(o, 'V', NULL), 0, "getopt: -V is left to the tool");
	ms_out_set_flags(o, 0);
	ms_out_free(o);

	fp = open_memstream(&buf, &len);
	ms_cli_out_help(fp);
	ms_cli_help_options(fp);
	fclose(fp);
	is_str(buf,
	       " -b, --bytes            print sizes in bytes rather than in human readable format\n"
	       " -J, --json             use JSON output format\n"
	       " -n, --noheadings       don't print headings\n"
	       " -o, --output <list>    output columns (see below)\n"
	       " -r, --raw              use raw output format\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display version\n",
	       "help: the shared option lines");
	free(buf);
}

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "snapshot", required_argument, NULL, CHAR_MAX + 1 },
	MS_CLI_OUT_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_excl excl[] = {
	MS_CLI_OUT_EXCL,
	{ { 'p', CHAR_MAX + 1, 'x' } },
};

static void test_excl(void)
{
	int st[2] = { 0, 0 };

	ms_cli_excl_check(excl, 2, st, 'n', longopts);
	ok(st[0] == 0 && st[1] == 0, "excl: an option in no group changes nothing");
	ms_cli_excl_check(excl, 2, st, 'J', longopts);
	is_int(st[0], 'J', "excl: -J is recorded in its group");
	ms_cli_excl_check(excl, 2, st, 'J', longopts);
	is_int(st[0], 'J', "excl: -J twice is fine");
	ms_cli_excl_check(excl, 2, st, CHAR_MAX + 1, longopts);
	is_int(st[1], CHAR_MAX + 1, "excl: a long-only option is recorded");
	is_int(st[0], 'J', "excl: and the other group is untouched");
}

/*
 * Run FN in a child with stdout and stderr captured, as a tool would run;
 * return its exit status (or -1 if it did not exit) and what it printed.
 */
static int run_child(void (*fn)(void), const char *stdout_path, char **out, char **err)
{
	FILE *fo = stdout_path ? NULL : tmpfile(), *fe = tmpfile();
	int status;
	size_t n;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (stdout_path) {
			if (!freopen(stdout_path, "w", stdout))
				_exit(99);
		} else {
			dup2(fileno(fo), STDOUT_FILENO);
		}
		dup2(fileno(fe), STDERR_FILENO);
		fn();
		_exit(98);
	}
	waitpid(pid, &status, 0);
	*out = calloc(1, 4096);
	*err = calloc(1, 4096);
	if (fo) {
		rewind(fo);
		n = fread(*out, 1, 4095, fo);
		(*out)[n] = '\0';
		fclose(fo);
	}
	rewind(fe);
	n = fread(*err, 1, 4095, fe);
	(*err)[n] = '\0';
	fclose(fe);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void child_excl(void)
{
	int st[2] = { 0, 0 };

	ms_cli_init("mapsdiff");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ms_cli_excl_check(excl, 2, st, 'p', longopts);
	ms_cli_excl_check(excl, 2, st, 'J', longopts);
	ms_cli_excl_check(excl, 2, st, 'x', longopts);
}

static void child_excl_long(void)
{
	int st[2] = { 0, 0 };

	ms_cli_init("mapsnap");
	ms_cli_excl_check(excl, 2, st, 'r', longopts);
	ms_cli_excl_check(excl, 2, st, 'J', longopts);
}

static void child_tryhelp(void)
{
	ms_cli_init("mapsnap");
	ms_cli_errtryhelp(MS_EXIT_FAILURE);
}

static void child_version(void)
{
	ms_cli_init("bytehist");
	ms_cli_print_version();
}

static void child_errx(void)
{
	struct ms_out *o = new_out();

	ms_cli_init("mapsdiff");
	ms_out_set_columns(o, "bogus");
	ms_out_free(o);
	ms_cli_warn_ctx(ctx, NULL);
	ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "pid %d", 4242);
}

static void child_full(void)
{
	ms_cli_init("mapsnap");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	printf("some table\n");
	exit(MS_EXIT_OK);
}

static void child_ok(void)
{
	ms_cli_init("mapsnap");
	printf("some table\n");
	exit(MS_EXIT_OK);
}

static void test_cli_exits(void)
{
	char *out, *err;

	is_int(run_child(child_excl, NULL, &out, &err), MS_EXIT_TROUBLE,
	       "excl: the second option of a group exits with the failure status");
	is_str(err,
	       "mapsdiff: options --pid and -x are mutually exclusive\n"
	       "Try 'mapsdiff --help' for more information.\n",
	       "excl: the message names both options, without a long name as -x");
	free(out), free(err);

	is_int(run_child(child_excl_long, NULL, &out, &err), MS_EXIT_FAILURE,
	       "excl: default failure status is 1");
	is_str(err,
	       "mapsnap: options --raw and --json are mutually exclusive\n"
	       "Try 'mapsnap --help' for more information.\n",
	       "excl: -r then -J");
	free(out), free(err);

	is_int(run_child(child_tryhelp, NULL, &out, &err), MS_EXIT_FAILURE,
	       "errtryhelp exits with its status");
	is_str(err, "Try 'mapsnap --help' for more information.\n", "errtryhelp: one line");
	is_str(out, "", "errtryhelp: nothing on stdout");
	free(out), free(err);

	is_int(run_child(child_version, NULL, &out, &err), 0, "print_version exits 0");
	is_str(out, "bytehist from memsift 0.1\n", "print_version: TOOL from memsift VERSION");
	is_str(err, "", "print_version: nothing on stderr");
	free(out), free(err);

	is_int(run_child(child_errx, NULL, &out, &err), MS_EXIT_TROUBLE,
	       "errx_ctx exits with its status");
	is_str(err,
	       "mapsdiff: unknown column \"bogus\"; see --help for the list\n"
	       "mapsdiff: pid 4242: unknown column \"bogus\"; see --help for the list\n",
	       "warn_ctx and errx_ctx: TOOL: [what: ]message");
	free(out), free(err);

	is_int(run_child(child_full, "/dev/full", &out, &err), MS_EXIT_TROUBLE,
	       "stdout on /dev/full exits with the failure status");
	is_str(err, "mapsnap: standard output: write error: No space left on device\n",
	       "stdout on /dev/full: write error message");
	free(out), free(err);

	is_int(run_child(child_ok, "/dev/null", &out, &err), 0, "stdout on /dev/null exits 0");
	is_str(err, "", "stdout on /dev/null: no message");
	free(out), free(err);
}

int main(void)
{
	ms_cli_init("t");	/* messages read "t: ..." */
	next_slot();
	cmdline();
	compat();
	hint();
	ctx = ms_ctx_new();
	test_out_options();
	test_excl();
	test_cli_exits();
	ms_ctx_free(ctx);
	return tap_done();
}
