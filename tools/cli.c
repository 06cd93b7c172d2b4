// SPDX-License-Identifier: GPL-2.0-or-later
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* program_invocation_short_name */
#endif

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include <memsift/outfile.h>
#include <memsift/pattern.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1"
#endif

static int failure_status = MS_EXIT_FAILURE;

/*
 * fflush() alone misses errors some filesystems (NFS) report only at close,
 * so close a duplicate of the descriptor too, as util-linux's closestream.h
 * does.  EBADF means the stream was closed already, which is fine.
 */
static int flush_stream(FILE *fp)
{
	int fd;

	errno = 0;
	if (ferror(fp) || fflush(fp))
		goto fail;
	fd = fileno(fp);
	if (fd < 0 || (fd = dup(fd)) < 0 || close(fd))
		goto fail;
	return 0;
fail:
	return errno == EBADF ? 0 : EOF;
}

static void close_stdout(void)
{
	if (flush_stream(stdout) && errno != EPIPE) {
		if (errno)
			warn("standard output: write error");
		else
			warnx("standard output: write error");
		_exit(failure_status);
	}
	if (flush_stream(stderr))
		_exit(failure_status);
}

void ms_cli_init(const char *progname)
{
	/* glibc's err() and warn() print this; it is never written through */
	program_invocation_short_name = (char *)progname;
	/*
	 * These tools read other processes' memory: installed setuid they would
	 * let anyone read anyone's secrets.  Run them as a user who may.
	 */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fprintf(stderr, "%s: refusing to run setuid or setgid; run it as the user who may read the process\n",
			progname);
		_exit(failure_status);
	}
	atexit(close_stdout);
	ms_outfile_cleanup_on_signals();
}

void ms_cli_set_failure_status(int status)
{
	failure_status = status;
}

char *ms_cli_cmdline(int argc, char *const argv[])
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return NULL;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool plain = *a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					  "0123456789_./=:,+@%-") == strlen(a);

		if (i)
			fputc(' ', fp);
		if (plain) {
			fputs(a, fp);
			continue;
		}
		fputc('\'', fp);
		for (; *a; a++)
			*a == '\'' ? fputs("'\\''", fp) : fputc(*a, fp);
		fputc('\'', fp);
	}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void add_ns(struct timespec *t, int64_t ns)
{
	ns += t->tv_nsec;
	t->tv_sec += (time_t)(ns / 1000000000);
	t->tv_nsec = (long)(ns % 1000000000);
	if (t->tv_nsec < 0) {
		t->tv_nsec += 1000000000;
		t->tv_sec--;
	}
}

void ms_cli_shift_clock(struct timespec *start, struct timespec *next,
			const struct timespec *since)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(now.tv_sec - since->tv_sec) * 1000000000 + (now.tv_nsec - since->tv_nsec);
	add_ns(start, ns);
	add_ns(next, ns);
}

int64_t ms_cli_usec_between(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000 + (b->tv_nsec - a->tv_nsec) / 1000;
}

uint64_t ms_cli_next_slot(const struct timespec *start, struct timespec *next,
			  uint64_t interval, uint64_t limit)
{
	struct timespec now;
	uint64_t k, skipped = 0;
	int64_t at;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!interval)
		interval = 1;
	at = ms_cli_usec_between(start, next) + (int64_t)interval;
	k = (uint64_t)(at / (int64_t)interval);
	/* Past slots are missed: the first one after now is the next. */
	if (at <= ms_cli_usec_between(start, &now)) {
		uint64_t want = (uint64_t)ms_cli_usec_between(start, &now) / interval + 1;

		/* Slots k .. want - 1 are skipped; those past LIMIT would not be taken anyway. */
		if (limit && want - 1 > limit / interval)
			skipped = limit / interval >= k ? limit / interval - k + 1 : 0;
		else
			skipped = want - k;
		k = want;
	}
	next->tv_sec = start->tv_sec + (time_t)((k * interval) / 1000000);
	next->tv_nsec = start->tv_nsec + (long)((k * interval) % 1000000) * 1000;
	if (next->tv_nsec >= 1000000000) {
		next->tv_sec++;
		next->tv_nsec -= 1000000000;
	}
	return skipped;
}

/* At most this many --redact patterns in all. */
#define MAX_REDACT 256

static struct ms_patscan *redactor(struct ms_ctx *ctx, struct ms_patscan **scan)
{
	if (!*scan && ms_patscan_new(ctx, MAX_REDACT, MS_PATSCAN_SECRET, scan) < 0)
		ms_cli_errx_ctx(failure_status, ctx, NULL);
	return *scan;
}

void ms_cli_redact_regex(struct ms_ctx *ctx, struct ms_patscan **scan, const char *re)
{
	struct ms_patscan *s = redactor(ctx, scan);

	if (ms_patscan_add_regex(ctx, s, re) < 0)
		ms_cli_errx_ctx(failure_status, ctx, "--redact pattern %zu", ms_patscan_count(s) + 1);
}

void ms_cli_redact_file(struct ms_ctx *ctx, struct ms_patscan **scan, const char *path)
{
	size_t cap = 0, lineno = 0, n = 0;
	char *line = NULL;
	ssize_t len;
	FILE *fp;

	fp = fopen(path, "re");
	if (!fp)
		err(failure_status, "%s", path);
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		if (ms_patscan_add_regex(ctx, redactor(ctx, scan), line) < 0)
			ms_cli_errx_ctx(failure_status, ctx, "%s:%zu", path, lineno);
		n++;
	}
	if (ferror(fp))
		err(failure_status, "%s", path);
	free(line);
	fclose(fp);
	if (!n)
		errx(failure_status, "%s: no pattern in the file; one regex a line", path);
}

void ms_cli_redact_set(struct ms_ctx *ctx, struct ms_patscan **scan, const char *name)
{
	if (ms_patscan_add_set(ctx, redactor(ctx, scan), name) < 0)
		ms_cli_errx_ctx(failure_status, ctx, "--redact-set");
}

int ms_cli_failure_status(void)
{
	return failure_status;
}

void ms_cli_errtryhelp(int status)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(status);
}

void ms_cli_print_version(void)
{
	printf("%s from memsift %s\n", program_invocation_short_name, PACKAGE_VERSION);
	exit(MS_EXIT_OK);
}

void ms_cli_help_options(FILE *fp)
{
	fputs(" -h, --help             display this help\n"
	      " -V, --version          display version\n", fp);
}

/* "--json", or "-J" for an option without a long name. */
static const char *option_name(int c, const struct option *longopts, char *buf, size_t len)
{
	for (; longopts && longopts->name; longopts++)
		if (!longopts->flag && longopts->val == c) {
			snprintf(buf, len, "--%s", longopts->name);
			return buf;
		}
	if (c > 0 && c <= 0xff && isgraph(c))
		snprintf(buf, len, "-%c", c);
	else
		snprintf(buf, len, "option %d", c);
	return buf;
}

void ms_cli_excl_check(const struct ms_cli_excl *tab, size_t n, int *status, int c,
		       const struct option *longopts)
{
	char a[64], b[64];
	size_t g, i;

	for (g = 0; g < n; g++) {
		for (i = 0; i < MS_CLI_EXCL_MAX && tab[g].opts[i]; i++)
			if (tab[g].opts[i] == c)
				break;
		if (i == MS_CLI_EXCL_MAX || !tab[g].opts[i])
			continue;
		if (!status[g]) {
			status[g] = c;
		} else if (status[g] != c) {
			warnx("options %s and %s are mutually exclusive",
			      option_name(status[g], longopts, a, sizeof(a)),
			      option_name(c, longopts, b, sizeof(b)));
			ms_cli_errtryhelp(failure_status);
		}
	}
}

static struct {
	int err;
	const char *hint;
} hints[4];

void ms_cli_set_hint(int err, const char *hint)
{
	size_t i;

	for (i = 0; i < MS_ARRAY_SIZE(hints); i++)
		if (!hints[i].err || hints[i].err == err) {
			hints[i].err = err;
			hints[i].hint = hint;
			return;
		}
}

static const char *hint_for(const struct ms_ctx *ctx)
{
	int err = ms_ctx_errno(ctx);
	size_t i;

	for (i = 0; err && i < MS_ARRAY_SIZE(hints); i++)
		if (hints[i].err == err)
			return hints[i].hint;
	return NULL;
}

static void vwarn_ctx(const struct ms_ctx *ctx, const char *what_fmt, va_list ap)
{
	const char *msg = ms_ctx_errmsg(ctx), *hint = hint_for(ctx);
	char what[512];

	if (!*msg)
		msg = "unknown error";
	if (!what_fmt) {
		warnx("%s%s%s", msg, hint ? "; " : "", hint ? hint : "");
		return;
	}
	vsnprintf(what, sizeof(what), what_fmt, ap);
	warnx("%s: %s%s%s", what, msg, hint ? "; " : "", hint ? hint : "");
}

void ms_cli_warn_ctx(const struct ms_ctx *ctx, const char *what_fmt, ...)
{
	va_list ap;

	va_start(ap, what_fmt);
	vwarn_ctx(ctx, what_fmt, ap);
	va_end(ap);
}

void ms_cli_errx_ctx(int status, const struct ms_ctx *ctx, const char *what_fmt, ...)
{
	int e = errno;
	va_list ap;

	if (ferror(stdout)) {
		/*
		 * A failed write to stdout, which the library calls a bare
		 * "write error" for want of a name: name it and say why
		 * (errno is still the write's), and keep close_stdout() from
		 * saying it all again.
		 */
		__fpurge(stdout);
		clearerr(stdout);
		if (!what_fmt && !strcmp(ms_ctx_errmsg(ctx), "write error")) {
			if (e && e != EIO)
				warnx("standard output: write error: %s", strerror(e));
			else
				warnx("standard output: write error");
			exit(status);
		}
	}
	va_start(ap, what_fmt);
	vwarn_ctx(ctx, what_fmt, ap);
	va_end(ap);
	exit(status);
}

/* Does the long option in ARG ("--name" or "--name=value") take the next argument? */
static int long_takes_next(const char *arg, const struct option *longopts)
{
	size_t len = strcspn(arg, "=");
	const struct option *o;

	if (arg[len] == '=')
		return 0;
	for (o = longopts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, arg, len))
			return o->has_arg == required_argument;
	return 0;
}

int ms_cli_negative_operand(int argc, char *const argv[], const char *shortopts,
			    const struct option *longopts, int *nth)
{
	int i, n = 0;
	const char *a, *o;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (a[0] == '-' && isdigit((unsigned char)a[1])) {
			*nth = n;
			return i;
		}
		if (a[0] == '-' && a[1] == '-') {
			i += long_takes_next(a + 2, longopts);
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			n++;
			continue;
		}
		/* A cluster "-fo FILE": the first letter taking an argument ends it. */
		for (a++; *a; a++) {
			o = strchr(shortopts, *a);
			if (o && o[1] == ':') {
				i += !a[1];
				break;
			}
		}
	}
	return 0;
}

int ms_cli_out_getopt(struct ms_out *o, int c, const char *optarg)
{
	unsigned flag;
	int rc;

	switch (c) {
	case 'o':
		rc = ms_out_set_columns(o, optarg);
		return rc < 0 ? rc : 1;
	case 'J':
		flag = MS_OUT_JSON;
		break;
	case 'r':
		flag = MS_OUT_RAW;
		break;
	case 'n':
		flag = MS_OUT_NOHEADINGS;
		break;
	case 'b':
		flag = MS_OUT_BYTES;
		break;
	default:
		return 0;
	}
	ms_out_set_flags(o, ms_out_get_flags(o) | flag);
	return 1;
}

void ms_cli_out_help(FILE *fp)
{
	fputs(" -b, --bytes            print sizes in bytes rather than in human readable format\n"
	      " -J, --json             use JSON output format\n"
	      " -n, --noheadings       don't print headings\n"
	      " -o, --output <list>    output columns (see below)\n"
	      " -r, --raw              use raw output format\n", fp);
}

static bool all_digits(const char *s)
{
	return s && *s && s[strspn(s, "0123456789")] == '\0';
}

/*
 * Is S what -o takes, a list of COLS' names ("RSS,+NAME")?  A list with an
 * unknown name still counts when it is shaped like one (letters, digits, '-',
 * '%' and ':' between commas) and names no directory, so that a typo gets
 * "unknown column" rather than become a directory; "leak.d", "out/" or an
 * existing directory are the old -o DIR.
 */
static bool column_list(const char *s, const struct ms_out_column *cols, size_t ncols)
{
	struct ms_ctx *ctx;
	struct ms_out *o = NULL;
	bool known = false;
	struct stat st;
	size_t len;
	const char *p;

	if (!s || !*s || !cols)
		return false;
	for (p = *s == '+' ? s + 1 : s; *p; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (!len || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				   "0123456789-%:") < len)
			return false;
	}
	/* The names, as -o itself will take them: output.c's own parser. */
	if ((ctx = ms_ctx_new()) && ms_out_new(ctx, cols, ncols, "x", &o) == 0)
		known = ms_out_set_columns(o, s) == 0;
	ms_out_free(o);
	ms_ctx_free(ctx);
	return known || stat(s, &st) < 0 || !S_ISDIR(st.st_mode);
}

static bool compat_applies(const struct ms_cli_compat *e, const char *val,
			   const struct ms_out_column *cols, size_t ncols)
{
	switch (e->when) {
	case MS_CLI_COMPAT_NUMBER:
		return all_digits(val);
	case MS_CLI_COMPAT_NOT_COLUMNS:
		return val && !column_list(val, cols, ncols);
	default:
		return true;
	}
}

/* The new spelling of old option E with VAL; E's warning, the first time. */
static char *new_option(const struct ms_cli_compat *e, const char *val, bool *warned)
{
	char *s;

	if (asprintf(&s, "--%s%s%s", e->new_long, val ? "=" : "", val ? val : "") < 0)
		err(failure_status, "out of memory");
	if (!*warned)
		warnx("%s", e->warning);
	*warned = true;
	return s;
}

static char **kept[8];

/* ms_cli_compat()'s walk over the arguments: what it reads, what it writes. */
struct compat_scan {
	int argc;
	char **argv;
	const char *shortopts;
	const struct option *longopts;
	const struct ms_cli_compat *tab;
	size_t n;
	const struct ms_out_column *cols;
	size_t ncols;
	char **out;		/* the arguments rewritten, K of them so far */
	int k;
	bool *warned;		/* by entry of TAB: its warning said (it was rewritten) */
};

/* "--old[=VAL]" at argument *I; *I moves past the value it took. */
static void compat_long(struct compat_scan *c, int *i)
{
	const char *a = c->argv[*i], *val;
	size_t len = strcspn(a + 2, "="), e;

	for (e = 0; e < c->n; e++)
		if (c->tab[e].old_long && strlen(c->tab[e].old_long) == len &&
		    !strncmp(c->tab[e].old_long, a + 2, len))
			break;
	if (e < c->n) {
		val = a[2 + len] ? a + 3 + len : *i + 1 < c->argc ? c->argv[*i + 1] : NULL;
		if (c->tab[e].when == MS_CLI_COMPAT_FLAG && !a[2 + len])
			val = NULL;	/* "--flag=x" is left for getopt to refuse */
		if (compat_applies(&c->tab[e], val, c->cols, c->ncols)) {
			*i += !a[2 + len] && val;
			c->out[c->k++] = new_option(&c->tab[e], val, &c->warned[e]);
			return;
		}
	}
	c->out[c->k++] = c->argv[*i];
	if (long_takes_next(a + 2, c->longopts) && *i + 1 < c->argc)
		c->out[c->k++] = c->argv[++*i];
}

/* A cluster "-fo FILE" at argument *I: the first letter taking an argument ends it. */
static void compat_cluster(struct compat_scan *c, int *i)
{
	const char *a = c->argv[*i], *val, *o;
	size_t e;
	int j;

	for (j = 1; a[j]; j++) {
		for (e = 0; e < c->n; e++)
			if (c->tab[e].old_short == a[j])
				break;
		if (e < c->n) {
			bool flag = c->tab[e].when == MS_CLI_COMPAT_FLAG;

			val = flag ? NULL : a[j + 1] ? a + j + 1 : *i + 1 < c->argc ? c->argv[*i + 1] : NULL;
			if (compat_applies(&c->tab[e], val, c->cols, c->ncols)) {
				if (j > 1 && asprintf(&c->out[c->k++], "%.*s", j, a) < 0)
					err(failure_status, "out of memory");
				*i += !flag && !a[j + 1] && val;
				c->out[c->k++] = new_option(&c->tab[e], val, &c->warned[e]);
				/* "-tb": the letters after a flag are options of their own */
				if (flag && a[j + 1] && asprintf(&c->out[c->k++], "-%s", a + j + 1) < 0)
					err(failure_status, "out of memory");
				break;
			}
		}
		o = strchr(c->shortopts, a[j]);
		if (o && o[1] == ':') {
			c->out[c->k++] = c->argv[*i];
			if (!a[j + 1] && *i + 1 < c->argc)
				c->out[c->k++] = c->argv[++*i];
			break;
		}
	}
	if (!a[j])
		c->out[c->k++] = c->argv[*i];
}

char **ms_cli_compat(int *argc, char **argv, const char *shortopts,
		     const struct option *longopts, const struct ms_cli_compat *tab,
		     size_t n, const struct ms_out_column *cols, size_t ncols)
{
	struct compat_scan c = {
		.argc = *argc, .argv = argv, .shortopts = shortopts, .longopts = longopts,
		.tab = tab, .n = n, .cols = cols, .ncols = ncols,
		.out = calloc(*argc * 2 + 1, sizeof(*c.out)),
		.warned = calloc(n + 1, sizeof(*c.warned)),
	};
	bool changed = false;
	size_t e;
	int i;

	if (!c.out || !c.warned)
		err(failure_status, "out of memory");
	c.out[c.k++] = argv[0];
	for (i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			while (i < *argc)
				c.out[c.k++] = argv[i++];
			break;
		}
		if (a[0] != '-' || !a[1])
			c.out[c.k++] = argv[i];
		else if (a[1] == '-')
			compat_long(&c, &i);
		else
			compat_cluster(&c, &i);
	}
	for (e = 0; e < n; e++)
		changed = changed || c.warned[e];
	free(c.warned);
	if (!changed) {
		free(c.out);
		return argv;
	}
	*argc = c.k;
	/* Kept reachable for the life of the process, as argv is (and as leak checkers see it). */
	for (e = 0; e < MS_ARRAY_SIZE(kept); e++)
		if (!kept[e]) {
			kept[e] = c.out;
			break;
		}
	return c.out;
}
