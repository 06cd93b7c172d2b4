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

int main(void)
{
	ms_cli_init("t");	/* messages read "t: ..." */
	next_slot();
	cmdline();
	compat();
	hint();
	return tap_done();
}
