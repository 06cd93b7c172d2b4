// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pmap reader: every capture in tests/fixtures/pmap/ checked value by
 * value against the smaps taken at the same moment, detection, odd names
 * and permissions, broken input with its line numbers, and mangled input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/maps.h>
#include <memsift/pmap.h>

#include "tap.h"

static struct ms_ctx *ctx;

static const struct {
	const char *suffix;
	enum ms_pmap_format format;
} kinds[] = {
	{ "pmap", MS_PMAP_PLAIN },
	{ "pmap-x", MS_PMAP_EXTENDED },
	{ "pmap-X", MS_PMAP_MORE },
	{ "pmap-XX", MS_PMAP_ALL },
};

/* The smaps fields pmap -X leaves out (procps-ng pmap.c is_unimportant()). */
static const char *const hidden_by_X[] = {
	"AnonHugePages", "KernelPageSize", "MMUPageSize", "Shared_Dirty",
	"Private_Dirty", "Shared_Clean", "Private_Clean",
};

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static char *fixture(const char *rel)
{
	size_t len;
	char *buf = slurp(tap_fixture(rel), &len);

	if (!buf) {
		printf("# cannot read fixture %s\n", rel);
		exit(1);
	}
	return buf;
}

/* Start of line N (1-based) of TEXT, or NULL. */
static char *line_at(char *text, int n)
{
	while (--n > 0) {
		text = strchr(text, '\n');
		if (!text)
			return NULL;
		text++;
	}
	return text;
}

/* A copy of TEXT with line N replaced by REPL (which has no newline). */
static char *with_line(const char *text, int n, const char *repl)
{
	char *copy = strdup(text), *s = line_at(copy, n), *e, *out;

	e = strchr(s, '\n');
	out = malloc(strlen(text) + strlen(repl) + 1);
	sprintf(out, "%.*s%s%s", (int)(s - copy), copy, repl, e ? e : "");
	free(copy);
	return out;
}

/* A copy of TEXT without line N. */
static char *without_line(const char *text, int n)
{
	char *copy = strdup(text), *s = line_at(copy, n), *e = strchr(s, '\n');

	memmove(s, e ? e + 1 : s + strlen(s), strlen(e ? e + 1 : s + strlen(s)) + 1);
	return copy;
}

/* Line N of TEXT, as a new string. */
static char *get_line(const char *text, int n)
{
	char *copy = strdup(text), *s = line_at(copy, n), *e = strchr(s, '\n'), *l;

	l = strndup(s, e ? (size_t)(e - s) : strlen(s));
	free(copy);
	return l;
}

/* A copy of TEXT with token T (0-based, blank-separated) of line N replaced by REPL. */
static char *with_token(const char *text, int n, int t, const char *repl)
{
	char *l = get_line(text, n), *p = l, *s, *out, *nl;

	for (;;) {
		while (*p == ' ')
			p++;
		s = p;
		while (*p && *p != ' ')
			p++;
		if (!t--)
			break;
	}
	nl = malloc(strlen(l) + strlen(repl) + 1);
	sprintf(nl, "%.*s%s%s", (int)(s - l), l, repl, p);
	out = with_line(text, n, nl);
	free(nl);
	free(l);
	return out;
}

/*
 * Where token T of line N of TEXT starts, counted as with_token() counts:
 * messages name this offset, never the token.
 */
static size_t tok_off(char *text, int n, int t)
{
	char *l = line_at(text, n), *p = l, *s;

	for (;;) {
		while (*p == ' ')
			p++;
		s = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		if (!t--)
			return (size_t)(s - text);
	}
}

/* A message to expect, formatted; valid until the next call. */
static const char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *msgf(const char *fmt, ...)
{
	static char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

/* The first N lines of TEXT. */
static char *head(const char *text, int n)
{
	char *copy = strdup(text), *s = line_at(copy, n + 1);

	if (s)
		*s = '\0';
	return copy;
}

static int parse_rc(const char *text, size_t len, const char *name)
{
	struct ms_maps *m = NULL;
	int rc = ms_pmap_parse_buf(ctx, text, len, name, NULL, &m);

	ms_maps_free(m);
	return rc;
}

/* What pmap prints for a mapping smaps names NAME. */
static const char *pmap_name(const char *name, enum ms_pmap_format f)
{
	const char *slash = strrchr(name, '/');

	if (slash)
		return slash + 1;
	if (f == MS_PMAP_PLAIN || f == MS_PMAP_EXTENDED)
		return strcmp(name, "[stack]") ? "" : "[stack]";
	return name;
}

static bool hidden(const char *field, enum ms_pmap_format f)
{
	size_t i;

	if (f != MS_PMAP_MORE)
		return false;
	for (i = 0; i < sizeof(hidden_by_X) / sizeof(hidden_by_X[0]); i++)
		if (!strcmp(field, hidden_by_X[i]))
			return true;
	return false;
}

/*
 * The one place the captures disagree with their smaps: pmap itself maps
 * libc while it runs, so the libc text pages the leaker shares have one
 * more sharer (Pss drops), and pages only the leaker had touched become
 * shared (Private_Clean moves to Shared_Clean).  Nothing else may differ.
 */
static bool expected_diff(const struct ms_mapping *sm, const char *field)
{
	const char *n = ms_mapping_name(sm);
	size_t l = strlen(n);

	return l >= 10 && !strcmp(n + l - 10, "/libc.so.6") &&
	       !strcmp(ms_mapping_perms(sm), "r-xp") &&
	       (!strcmp(field, "Pss") || !strcmp(field, "Shared_Clean") ||
		!strcmp(field, "Private_Clean"));
}

static pid_t report_pid(const char *when)
{
	char rel[128], *buf, *p;
	pid_t pid = 0;

	snprintf(rel, sizeof(rel), "pmap/leaker-%s.report", when);
	buf = fixture(rel);
	p = strstr(buf, "\"pid\":");
	if (p)
		pid = (pid_t)atoi(p + 6);
	free(buf);
	return pid;
}

/* Field NAME of M: its value and whether smaps printed it in kB. */
static bool smaps_field(const struct ms_mapping *m, const char *name, uint64_t *v,
			bool *size)
{
	const char *n;
	size_t i;

	for (i = 0; i < ms_mapping_nfields(m); i++) {
		ms_mapping_field_at(m, i, &n, v, size, NULL);
		if (!strcmp(n, name))
			return true;
	}
	return false;
}

/* Join the field names of M, space-separated, leaving out those pmap F hides. */
static void field_names(const struct ms_mapping *m, enum ms_pmap_format f, char *out,
			size_t n)
{
	const char *name;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ms_mapping_nfields(m); i++) {
		ms_mapping_field_at(m, i, &name, NULL, NULL, NULL);
		if (hidden(name, f))
			continue;
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " " : "", name);
	}
}

/* One capture against the smaps of the same moment, value by value. */
static void test_capture(const char *when, enum ms_pmap_format f, const char *suffix)
{
	char rel[128], srel[128], want[1024], got[1024];
	struct ms_maps *pm = NULL, *sm = NULL;
	size_t i, n, bad_range = 0, bad_perms = 0, bad_name = 0, bad_dev = 0, bad_rss = 0;
	size_t bad_fields = 0, bad_values = 0, bad_vm = 0, bad_pss_dir = 0, ndiff = 0;
	char *text, *stext;
	pid_t pid = -1;
	int rc;

	snprintf(rel, sizeof(rel), "pmap/leaker-%s.%s", when, suffix);
	snprintf(srel, sizeof(srel), "pmap/leaker-%s.smaps", when);
	text = fixture(rel);
	stext = fixture(srel);
	is_int(ms_pmap_detect(text, strlen(text)), f, "%s detected as its kind", rel);
	rc = ms_pmap_parse_buf(ctx, text, strlen(text), rel, &pid, &pm);
	ok(rc == 0, "%s parses (%s)", rel, rc ? ms_ctx_errmsg(ctx) : "");
	rc |= ms_maps_parse_buf(ctx, stext, strlen(stext), srel, &sm);
	if (rc) {
		ms_maps_free(pm);
		ms_maps_free(sm);
		free(text);
		free(stext);
		return;
	}
	is_int(pid, report_pid(when), "%s: pid from pmap's first line", rel);
	is_int(ms_maps_format(pm),
	       f == MS_PMAP_PLAIN ? MS_MAPS_FMT_MAPS : MS_MAPS_FMT_SMAPS, "%s: %s", rel,
	       f == MS_PMAP_PLAIN ? "maps, no fields" : "smaps");
	n = ms_maps_count(pm);
	/* pmap merges and drops nothing: [vsyscall] is there too. */
	is_int(n, ms_maps_count(sm), "%s: as many mappings as smaps", rel);

	for (i = 0; i < n; i++) {
		const struct ms_mapping *p = ms_maps_get(pm, i);
		const struct ms_mapping *s = ms_maps_find(sm, ms_mapping_start(p));
		bool extended = f == MS_PMAP_MORE || f == MS_PMAP_ALL;
		uint64_t pv, sv, sd, pd;
		bool psize, ssize;
		const char *fname;
		size_t j;

		if (!s || ms_mapping_start(s) != ms_mapping_start(p) ||
		    ms_mapping_end(s) != ms_mapping_end(p)) {
			if (!bad_range++)
				printf("# %s: no smaps mapping %" PRIx64 "-%" PRIx64 "\n", rel,
				       ms_mapping_start(p), ms_mapping_end(p));
			continue;
		}
		if (strcmp(ms_mapping_perms(p), ms_mapping_perms(s)) && !bad_perms++)
			printf("# %s: %" PRIx64 ": perms %s, smaps %s\n", rel, ms_mapping_start(p),
			       ms_mapping_perms(p), ms_mapping_perms(s));
		if (strcmp(ms_mapping_name(p), pmap_name(ms_mapping_name(s), f)) &&
		    !bad_name++)
			printf("# %s: %" PRIx64 ": name \"%s\", want \"%s\"\n", rel,
			       ms_mapping_start(p), ms_mapping_name(p),
			       pmap_name(ms_mapping_name(s), f));
		if (extended ? (ms_mapping_offset(p) != ms_mapping_offset(s) ||
				ms_mapping_dev_major(p) != ms_mapping_dev_major(s) ||
				ms_mapping_dev_minor(p) != ms_mapping_dev_minor(s) ||
				ms_mapping_inode(p) != ms_mapping_inode(s))
			     : (ms_mapping_offset(p) || ms_mapping_dev_major(p) ||
				ms_mapping_dev_minor(p) || ms_mapping_inode(p)))
			bad_dev++;
		sv = f == MS_PMAP_PLAIN ? MS_FIELD_ABSENT : ms_mapping_rss(s);
		if (ms_mapping_rss(p) != sv && !bad_rss++)
			printf("# %s: %" PRIx64 ": Rss %" PRIu64 ", want %" PRIu64 "\n", rel,
			       ms_mapping_start(p), ms_mapping_rss(p), sv);

		/* The field names, in order: smaps's, less what this kind hides. */
		if (f == MS_PMAP_PLAIN)
			snprintf(want, sizeof(want), "%s", "");
		else if (f == MS_PMAP_EXTENDED)
			snprintf(want, sizeof(want), "%s", "Size Rss Dirty");
		else
			field_names(s, f, want, sizeof(want));
		field_names(p, MS_PMAP_NONE, got, sizeof(got));
		if (strcmp(got, want) && !bad_fields++)
			printf("# %s: fields \"%s\"\n#   want \"%s\"\n", rel, got, want);

		/* Every value and unit as smaps's, but the documented few. */
		for (j = 0; j < ms_mapping_nfields(p); j++) {
			ms_mapping_field_at(p, j, &fname, &pv, &psize, NULL);
			ssize = true;
			if (!strcmp(fname, "Dirty")) {
				ms_mapping_field(s, "Shared_Dirty", &sd, NULL);
				ms_mapping_field(s, "Private_Dirty", &pd, NULL);
				sv = sd + pd;
			} else if (!smaps_field(s, fname, &sv, &ssize)) {
				sv = MS_FIELD_ABSENT;
			}
			if (psize != ssize && !bad_values++)
				printf("# %s: %" PRIx64 ": %s is%s a size in smaps\n", rel,
				       ms_mapping_start(p), fname, ssize ? "" : " not");
			if (pv == sv)
				continue;
			if (expected_diff(s, fname)) {
				ndiff++;
				if (!strcmp(fname, "Pss") && pv >= sv)
					bad_pss_dir++;
				continue;
			}
			if (!bad_values++)
				printf("# %s: %" PRIx64 ": %s %" PRIu64 ", smaps %" PRIu64 "\n", rel,
				       ms_mapping_start(p), fname, pv, sv);
		}
		if (f == MS_PMAP_ALL ? !ms_mapping_vmflags(p) ||
				       strcmp(ms_mapping_vmflags(p), ms_mapping_vmflags(s))
				     : ms_mapping_vmflags(p) != NULL)
			bad_vm++;
	}
	is_int(bad_range, 0, "%s: each mapping has the start and end of one in smaps", rel);
	is_int(bad_perms, 0, "%s: permissions as smaps has them", rel);
	is_int(bad_name, 0, "%s: names as pmap prints them (basename%s)", rel,
	       f == MS_PMAP_PLAIN || f == MS_PMAP_EXTENDED ? ", [ anon ], [ stack ]" : "");
	is_int(bad_dev, 0, "%s: offset, device, inode %s", rel,
	       f == MS_PMAP_PLAIN || f == MS_PMAP_EXTENDED ? "all 0 (pmap lacks them)" :
							       "as smaps has them");
	is_int(bad_rss, 0, "%s: Rss %s", rel, f == MS_PMAP_PLAIN ? "absent" : "as in smaps");
	is_int(bad_fields, 0, "%s: the fields this kind has, in smaps order", rel);
	is_int(bad_values, 0, "%s: every value and unit as in smaps, but libc text's Pss and Clean", rel);
	if (f == MS_PMAP_MORE || f == MS_PMAP_ALL)
		ok(ndiff > 0 && !bad_pss_dir, "%s: libc text's Pss lower than smaps's (%zu values differ)",
		   rel, ndiff);
	is_int(bad_vm, 0, "%s: VmFlags %s", rel, f == MS_PMAP_ALL ? "as in smaps" : "absent");
	ms_maps_free(pm);
	ms_maps_free(sm);
	free(text);
	free(stext);
}

static void test_captures(void)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		test_capture("before", kinds[i].format, kinds[i].suffix);
		test_capture("after", kinds[i].format, kinds[i].suffix);
	}
}

/* Every prefix of the start of TEXT, in a buffer of exactly that size. */
static void detect_prefixes(const char *rel, enum ms_pmap_format f)
{
	char *text = fixture(rel), *b;
	size_t len = strlen(text), cut, wrong = 0, found = 0;
	enum ms_pmap_format g;

	for (cut = 0; cut <= len && cut <= 2000; cut++) {
		b = malloc(cut ? cut : 1);
		memcpy(b, text, cut);
		g = ms_pmap_detect(b, cut);
		free(b);
		if (g == f)
			found++;
		else if (g != MS_PMAP_NONE && !wrong++)
			printf("# %s cut at %zu: detected as %d\n", rel, cut, g);
	}
	ok(!wrong && found, "%s: each prefix is its kind or none, never read past it (%zu its kind)",
	   rel, found);
	free(text);
}

static void test_detect(void)
{
	static const char *const none[] = {
		"pmap/leaker-after.smaps", "pmap/leaker-after.maps", "pmap/leaker-after.report",
		"smaps/leaker-threaded.rollup", "bad/garbage.bin", "bad/long-line.maps",
	};
	size_t i, len;
	char rel[128], *t;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		t = slurp(tap_fixture(none[i]), &len);
		is_int(t ? (int)ms_pmap_detect(t, len) : -1, MS_PMAP_NONE, "%s is not pmap output",
		       none[i]);
		free(t);
	}
	is_int(ms_pmap_detect("", 0), MS_PMAP_NONE, "empty input is not pmap output");
	is_int(ms_pmap_detect(NULL, 0), MS_PMAP_NONE, "NULL is not pmap output");
	is_int(ms_pmap_detect("29499:   /bin/leaker\n", 20), MS_PMAP_NONE,
	       "a lone pid line is not enough to tell");
	is_int(ms_pmap_detect("29499:   /bin/leaker\n total 0K\n", 31), MS_PMAP_PLAIN,
	       "a process without mappings (pid, total) is plain pmap");
	is_int(ms_pmap_detect("29499:   x\nAddress Kbytes Mode Offset Device Mapping\n", 55),
	       MS_PMAP_NONE, "pmap -d is not read");
	is_int(ms_pmap_detect("0000000000400000      4K r-x-- x\n", 33), MS_PMAP_PLAIN,
	       "plain rows without the pid line");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(rel, sizeof(rel), "pmap/leaker-before.%s", kinds[i].suffix);
		detect_prefixes(rel, kinds[i].format);
	}
}

/* Names and permissions pmap prints, inline (pmap -p gives whole paths). */
static void test_plain_names(void)
{
	static const char text[] =
		"4242:   /usr/bin/x\n"
		"0000000000400000      4K r-xs- x\n"
		"0000000000401000      4K rw--R   [ anon ]\n"
		"0000000000402000      8K rw---   [ stack ]\n"
		"0000000000404000      4K rw-s-   [ shmid=0x2a ]\n"
		"0000000000405000      4K r---- file with spaces.bin (deleted)\n"
		"0000000000406000      4K r---- /usr/lib/full path.so\n"
		"0000000008048000      4K r-x-- 32\n"
		" total               32K\n";
	static const struct {
		const char *perms, *name;
		enum ms_mapping_kind kind;
	} want[] = {
		{ "r-xs", "x", MS_MAPPING_SPECIAL },
		{ "rw-p", "", MS_MAPPING_ANON },
		{ "rw-p", "[stack]", MS_MAPPING_STACK },
		{ "rw-s", "[ shmid=0x2a ]", MS_MAPPING_SPECIAL },
		{ "r--p", "file with spaces.bin (deleted)", MS_MAPPING_SPECIAL },
		{ "r--p", "/usr/lib/full path.so", MS_MAPPING_FILE },
		{ "r-xp", "32", MS_MAPPING_SPECIAL },
	};
	struct ms_maps *m = NULL;
	pid_t pid = 0;
	size_t i;

	if (ms_pmap_parse_buf(ctx, text, strlen(text), "inline", &pid, &m)) {
		ok(0, "inline pmap parses: %s", ms_ctx_errmsg(ctx));
		return;
	}
	is_int(pid, 4242, "inline pid");
	is_int(ms_maps_count(m), 7, "inline: 7 mappings");
	for (i = 0; i < ms_maps_count(m) && i < 7; i++) {
		const struct ms_mapping *p = ms_maps_get(m, i);

		ok(!strcmp(ms_mapping_perms(p), want[i].perms) &&
		   !strcmp(ms_mapping_name(p), want[i].name) &&
		   ms_mapping_kind(p) == want[i].kind,
		   "\"%s\" %s (got \"%s\" %s kind %d)", want[i].name, want[i].perms,
		   ms_mapping_name(p), ms_mapping_perms(p), ms_mapping_kind(p));
	}
	is_u64(ms_mapping_end(ms_maps_get(m, 2)), 0x404000, "[ stack ] ends after 8K");
	ms_maps_free(m);
	m = NULL;

	/* Without pmap's pid line (cut by hand): the rows still read, pid 0. */
	pid = -1;
	ok(ms_pmap_parse_buf(ctx, strchr(text, '\n') + 1, strlen(strchr(text, '\n') + 1),
			     "nopid", &pid, &m) == 0 && ms_maps_count(m) == 7 && pid == 0,
	   "rows without pmap's pid line: pid 0 (%d)", (int)pid);
	ms_maps_free(m);
}

/* pmap -XX's VmFlags hold blanks; only the heading's width ends them. */
static void test_vmflags(void)
{
	char *text = fixture("pmap/leaker-after.pmap-XX"), *a, *b, *c, *l;
	const struct ms_mapping *p;
	struct ms_maps *m = NULL;

	/* Line 9 is the anonymous 8M mmap, ending "rd wr mr mw me ac ". */
	l = get_line(text, 9);
	ok(strlen(l) && l[strlen(l) - 1] == ' ', "fixture line 9 is an anonymous row");
	a = malloc(strlen(l) + 32);
	sprintf(a, "%sac", l);
	b = with_line(text, 9, a);
	if (ms_pmap_parse_buf(ctx, b, strlen(b), "ac", NULL, &m) == 0) {
		p = ms_maps_get(m, 6);
		is_str(ms_mapping_name(p), "ac", "a file named like a flag stays a name");
		is_str(ms_mapping_vmflags(p), "rd wr mr mw me ac", "and the flags stay flags");
	} else {
		ok(0, "file named ac: %s", ms_ctx_errmsg(ctx));
	}
	ms_maps_free(m);
	m = NULL;
	free(b);

	sprintf(a, "%smy file (deleted)", l);
	b = with_line(text, 9, a);
	if (ms_pmap_parse_buf(ctx, b, strlen(b), "spaces", NULL, &m) == 0)
		is_str(ms_mapping_name(ms_maps_get(m, 6)), "my file (deleted)",
		       "a name with spaces after VmFlags");
	else
		ok(0, "name with spaces: %s", ms_ctx_errmsg(ctx));
	ms_maps_free(m);
	m = NULL;
	free(b);

	/* Trailing blanks stripped by an editor: the anonymous row still reads. */
	strcpy(a, l);
	a[strlen(a) - 1] = '\0';
	b = with_line(text, 9, a);
	if (ms_pmap_parse_buf(ctx, b, strlen(b), "stripped", NULL, &m) == 0) {
		p = ms_maps_get(m, 6);
		ok(!strcmp(ms_mapping_name(p), "") &&
		   !strcmp(ms_mapping_vmflags(p), "rd wr mr mw me ac"),
		   "anonymous row without its trailing blank");
	} else {
		ok(0, "stripped row: %s", ms_ctx_errmsg(ctx));
	}
	ms_maps_free(m);
	m = NULL;
	free(b);

	/* A value wider than its column (it grew between pmap's two passes). */
	c = with_token(text, 3, 8, "12345678");
	if (ms_pmap_parse_buf(ctx, c, strlen(c), "wide", NULL, &m) == 0) {
		p = ms_maps_get(m, 0);
		ok(ms_mapping_rss(p) == 12345678 * 1024ULL &&
		   !strcmp(ms_mapping_vmflags(p), "rd mr mw me") &&
		   !strcmp(ms_mapping_name(p), "leaker"),
		   "a value wider than its column shifts the row but not its reading");
	} else {
		ok(0, "wide value: %s", ms_ctx_errmsg(ctx));
	}
	ms_maps_free(m);
	free(c);
	free(a);
	free(l);
	free(text);
}

static void expect_err(const char *text, size_t len, const char *name, int rc,
		       const char *msg, const char *what)
{
	int got = parse_rc(text, len, name);

	ok(got == rc && !strcmp(ms_ctx_errmsg(ctx), msg), "%s: %s", what, ms_ctx_errmsg(ctx));
	if (got != rc || strcmp(ms_ctx_errmsg(ctx), msg))
		printf("#   got %d, want %d \"%s\"\n", got, rc, msg);
}

static void test_bad(void)
{
	char *x = fixture("pmap/leaker-after.pmap-x");
	char *xx = fixture("pmap/leaker-after.pmap-XX");
	char *pl = fixture("pmap/leaker-after.pmap");
	char *t, *u, *g;
	size_t glen;

	expect_err("29499:   /tmp/memsift-capture/leaker\n", 37, "leaker.pmap", -EBADMSG,
		   "leaker.pmap:1: only pmap's \"PID:   command\" line, no mappings (a kernel thread, or cut short?)",
		   "header only");
	t = head(x, 2);
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG,
		   "leaker.pmap-x:2: no mappings in this pmap output (a kernel thread, or cut short?)",
		   "pmap -x headings only");
	free(t);
	t = head(xx, 2);
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   "leaker.pmap-XX:2: no mappings in this pmap output (a kernel thread, or cut short?)",
		   "pmap -XX headings only");
	free(t);
	expect_err("2:   [kthreadd]\n total                0K\n", 40, "kthread.pmap", -EBADMSG,
		   "kthread.pmap:2: no mappings in this pmap output (a kernel thread, or cut short?)",
		   "a kernel thread");

	/* Truncated: cut mid-row, as a copy cut short ends. */
	t = head(x, 6);
	u = malloc(strlen(t) + 64);
	sprintf(u, "%s0000563b5f7f6000       4", t);
	expect_err(u, strlen(u), "leaker.pmap-x", -EBADMSG,
		   "leaker.pmap-x:7: truncated row: no Rss column", "pmap -x row cut short");
	free(u);
	free(t);
	t = head(xx, 8);
	u = malloc(strlen(t) + 128);
	sprintf(u, "%s    7fc1fa200000 rw-p 00000000  00:00        0  8192              4           4  8192  8192", t);
	expect_err(u, strlen(u), "leaker.pmap-XX", -EBADMSG,
		   "leaker.pmap-XX:9: truncated row: no Pss_Dirty column", "pmap -XX row cut short");
	free(u);
	free(t);
	t = head(pl, 5);
	u = malloc(strlen(t) + 64);
	sprintf(u, "%s0000563b5f7f6000      4K rw---", t);
	expect_err(u, strlen(u), "leaker.pmap", -EBADMSG,
		   "leaker.pmap:6: truncated row: no Mapping column", "pmap row cut before its name");
	free(u);
	free(t);
	t = head(x, 20);
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG,
		   "leaker.pmap-x:20: no totals line after it: cut short, or saved with pmap -q (not read)?",
		   "cut at a line's end: no totals");
	free(t);

	t = with_token(pl, 4, 0, "zz00563b5f7f4000");
	expect_err(t, strlen(t), "leaker.pmap", -EBADMSG,
		   msgf("leaker.pmap:4: byte %zu: bad address", tok_off(t, 4, 0)), "bad address");
	free(t);
	t = with_token(xx, 4, 0, "1563b5f7f1000000000");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:4: byte %zu: bad address", tok_off(t, 4, 0)), "address past 64 bits");
	free(t);
	t = with_token(x, 7, 1, "12Q");
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG, msgf("leaker.pmap-x:7: byte %zu: bad size", tok_off(t, 7, 1)),
		   "bad size");
	free(t);
	t = with_token(pl, 3, 1, "8");
	expect_err(t, strlen(t), "leaker.pmap", -EBADMSG, msgf("leaker.pmap:3: byte %zu: bad size", tok_off(t, 3, 1)),
		   "size without its K");
	free(t);
	t = with_token(xx, 5, 9, "-3");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:5: byte %zu: bad Pss value", tok_off(t, 5, 9)), "bad field value");
	free(t);
	t = with_token(xx, 5, 5, "18014398509481984");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:5: byte %zu: bad size", tok_off(t, 5, 5)), "size overflowing bytes");
	free(t);
	t = with_token(x, 5, 4, "r-xp-");
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG,
		   msgf("leaker.pmap-x:5: byte %zu: bad permissions", tok_off(t, 5, 4)), "kernel permissions in pmap -x");
	free(t);
	t = with_token(xx, 6, 1, "rw--");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:6: byte %zu: bad permissions", tok_off(t, 6, 1)), "bad -XX permissions");
	free(t);
	t = with_token(xx, 6, 3, "fe00");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:6: byte %zu: bad device", tok_off(t, 6, 3)), "bad device");
	free(t);
	t = with_token(xx, 8, 31, "MW");
	expect_err(t, strlen(t), "leaker.pmap-XX", -EBADMSG,
		   msgf("leaker.pmap-XX:8: byte %zu: bad VmFlags", tok_off(t, 8, 28)), "bad VmFlags");
	free(t);
	t = with_token(x, 3, 0, "ffffffffffffe000");
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG,
		   "leaker.pmap-x:3: 8 kB at ffffffffffffe000 runs past the end of the address space",
		   "a mapping past 2^64");
	free(t);

	/* A row lost from the middle: only the totals line tells. */
	t = without_line(pl, 10);
	expect_err(t, strlen(t), "leaker.pmap", -EBADMSG,
		   "leaker.pmap:26: total 26656 kB is not the sum of the rows, 26504 kB; rows lost?",
		   "totals must add up");
	free(t);
	t = with_line(x, 29, "total kB           26656   25832");
	expect_err(t, strlen(t), "leaker.pmap-x", -EBADMSG,
		   msgf("leaker.pmap-x:29: byte %zu: bad totals line", (size_t)(line_at(t, 29) - t)),
		   "pmap -x totals line cut short");
	free(t);

	/* Binary: a NUL byte in a row. */
	t = strdup(x);
	line_at(t, 8)[20] = '\0';
	expect_err(t, strlen(x), "leaker.pmap-x", -EBADMSG,
		   msgf("leaker.pmap-x:8: byte %zu: binary data (a NUL byte); is this a pmap capture?",
			(size_t)(line_at(t, 8) + 20 - t)),
		   "NUL byte in a row");
	free(t);
	g = slurp(tap_fixture("bad/garbage.bin"), &glen);
	expect_err(g, glen, "garbage.bin", -EPROTONOSUPPORT,
		   "garbage.bin: not pmap output (memsift reads pmap, pmap -x, -X and -XX)",
		   "random bytes");
	free(g);
	expect_err("29499:   x\nAddress Kbytes Mode Offset Device Mapping\n", 55, "d.pmap",
		   -EPROTONOSUPPORT,
		   msgf("d.pmap:2: byte %zu: not the headings or a row of pmap, pmap -x, -X or -XX",
			strlen("29499:   x\n")),
		   "pmap -d is refused, naming the headings");

	/* Two processes in one file. */
	t = malloc(2 * strlen(pl) + 1);
	sprintf(t, "%s%s", pl, pl);
	expect_err(t, strlen(t), "two.pmap", -EBADMSG,
		   "two.pmap:28: a second process (pid 29499) starts here; save one process per file",
		   "a second process");
	free(t);
	t = malloc(strlen(pl) + 32);
	sprintf(t, "%sextra\n", pl);
	expect_err(t, strlen(t), "extra.pmap", -EBADMSG,
		   msgf("extra.pmap:28: byte %zu: text after pmap's totals line", strlen(pl)),
		   "text after the totals");
	free(t);
	free(pl);
	free(xx);
	free(x);
}

static int skip_cb(struct ms_ctx *c, const char *file, unsigned long line, const char *msg,
		   void *data)
{
	char *log = data;

	(void)c;
	snprintf(log + strlen(log), 512 - strlen(log), "%s:%lu: %s|", file, line, msg);
	return 0;
}

static void test_errcb(void)
{
	char *x = fixture("pmap/leaker-after.pmap-x"), *t = with_token(x, 7, 1, "12Q");
	struct ms_maps *m = NULL;
	char log[512] = "";

	ms_ctx_set_parser_errcb(ctx, skip_cb, log);
	ok(ms_pmap_parse_buf(ctx, t, strlen(t), "cb", NULL, &m) == 0 && ms_maps_count(m) == 24,
	   "a callback skipping the bad row keeps the other 24");
	is_str(log, msgf("cb:7: byte %zu: bad size|cb:29: total 26656 kB is not the sum of the rows, 26652 kB; rows lost?|",
			 tok_off(t, 7, 1)),
	       "the callback saw the row and the totals, by pmap line");
	ms_maps_free(m);
	ms_ctx_set_parser_errcb(ctx, NULL, NULL);
	free(t);
	free(x);
}

static void test_stream(void)
{
	FILE *fp = fopen(tap_fixture("pmap/leaker-after.pmap-X"), "r");
	struct ms_maps *m = NULL;
	pid_t pid = 0;

	ok(fp && ms_pmap_parse(ctx, fp, "stream", &pid, &m) == 0 && ms_maps_count(m) == 25 &&
	   pid == 29499, "ms_pmap_parse() reads a stream");
	ms_maps_free(m);
	if (fp)
		fclose(fp);
}

static int skip_all(struct ms_ctx *c, const char *file, unsigned long line, const char *msg,
		    void *data)
{
	(void)c;
	(void)file;
	(void)line;
	(void)msg;
	(void)data;
	return 0;
}

/*
 * Cut each capture anywhere (or not at all) and flip bytes, in a buffer of
 * exactly that length so ASan sees any read past it: refused or parsed,
 * never a crash, and never smaps text the smaps parser refuses.  Every
 * other copy is read with a callback that skips bad rows, so that more of
 * them get as far as the smaps parser.
 */
static void test_mangled(void)
{
	unsigned int seed = 4242;
	char rel[128], *orig, *buf;
	size_t k, i, j, len, cut, flips, done, bug;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		snprintf(rel, sizeof(rel), "pmap/leaker-after.%s", kinds[k].suffix);
		orig = fixture(rel);
		len = strlen(orig);
		done = bug = 0;
		for (i = 0; i < 2000; i++) {
			struct ms_maps *m = NULL;

			cut = rand_r(&seed) % 2 ? len : (size_t)rand_r(&seed) % (len + 1);
			flips = 1 + (size_t)rand_r(&seed) % 4;
			buf = malloc(cut ? cut : 1);
			memcpy(buf, orig, cut);
			for (j = 0; cut && j < flips; j++)
				buf[(size_t)rand_r(&seed) % cut] = (char)rand_r(&seed);
			ms_ctx_set_parser_errcb(ctx, i % 2 ? skip_all : NULL, NULL);
			if (ms_pmap_parse_buf(ctx, buf, cut, "mangled", NULL, &m) == 0)
				done++;
			else if (strstr(ms_ctx_errmsg(ctx), "memsift bug") && !bug++)
				printf("# %s\n", ms_ctx_errmsg(ctx));
			ms_maps_free(m);
			free(buf);
		}
		ms_ctx_set_parser_errcb(ctx, NULL, NULL);
		ok(!bug && done, "%s: 2000 mangled copies parsed or refused, never a crash (%zu parsed)",
		   rel, done);
		free(orig);
	}
}

int main(void)
{
	ctx = ms_ctx_new();
	test_captures();
	test_detect();
	test_plain_names();
	test_vmflags();
	test_bad();
	test_errcb();
	test_stream();
	test_mangled();
	ms_ctx_free(ctx);
	return tap_done();
}
