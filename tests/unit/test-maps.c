// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The maps/smaps/smaps_rollup parser: inline lines for each odd case, real
 * captures from tests/fixtures, this very process live, and mangled input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/label.h>
#include <memsift/maps.h>
#include <memsift/pmap.h>
#include <memsift/procfs.h>
#include <memsift/snapshot.h>

#include "tap.h"

static struct ms_ctx *ctx;

static struct ms_maps *parse(const char *text)
{
	struct ms_maps *m = NULL;
	int rc = ms_maps_parse_buf(ctx, text, strlen(text), "inline", &m);

	if (rc < 0)
		printf("# parse failed: %d %s\n", rc, ms_ctx_errmsg(ctx));
	return m;
}

static int parse_rc(const char *text, size_t len)
{
	struct ms_maps *m = NULL;
	int rc = ms_maps_parse_buf(ctx, text, len, "bad.txt", &m);

	ms_maps_free(m);
	return rc;
}

static int parse_rcs(const char *text)
{
	return parse_rc(text, strlen(text));
}

static void test_names(void)
{
	static const struct {
		const char *line;
		const char *name;
		enum ms_mapping_kind kind;
		bool deleted;
		const char *label;
	} cases[] = {
		{ "7f00-8000 rw-p 00000000 00:00 0 ", "", MS_MAPPING_ANON, false, NULL },
		{ "5600-5700 rw-p 00000000 00:00 0                          [heap]", "[heap]", MS_MAPPING_HEAP, false, NULL },
		{ "7ffc0000-7ffd0000 rw-p 00000000 00:00 0                          [stack]", "[stack]", MS_MAPPING_STACK, false, NULL },
		{ "7ffc0000-7ffd0000 rw-p 00000000 00:00 0                          [stack:1234]", "[stack:1234]", MS_MAPPING_STACK, false, "1234" },
		{ "7fff0000-7fff2000 r-xp 00000000 00:00 0                          [vdso]", "[vdso]", MS_MAPPING_VDSO, false, NULL },
		{ "7fff0000-7fff2000 r--p 00000000 00:00 0                          [vvar]", "[vvar]", MS_MAPPING_VVAR, false, NULL },
		{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]", "[vsyscall]", MS_MAPPING_VSYSCALL, false, NULL },
		{ "7f00-8000 rw-p 00000000 00:00 0                          [anon:my cache]", "[anon:my cache]", MS_MAPPING_ANON_NAMED, false, "my cache" },
		{ "7f00-8000 rw-s 00000000 00:01 17                         [anon_shmem:ring]", "[anon_shmem:ring]", MS_MAPPING_SHMEM_NAMED, false, "ring" },
		{ "7f00-8000 rw-s 00000000 00:01 2048                       /memfd:jit code (deleted)", "/memfd:jit code (deleted)", MS_MAPPING_MEMFD, true, "jit code" },
		{ "7f00-8000 rw-s 00000000 00:01 5                          /dev/zero (deleted)", "/dev/zero (deleted)", MS_MAPPING_SHMEM, true, NULL },
		{ "7f00-8000 r--p 00001000 fe:01 131  /tmp/memsift dir/file with spaces.bin", "/tmp/memsift dir/file with spaces.bin", MS_MAPPING_FILE, false, NULL },
		{ "7f00-8000 r--p 00000000 fe:01 132  /usr/lib/libgone.so (deleted)", "/usr/lib/libgone.so (deleted)", MS_MAPPING_FILE, true, NULL },
		{ "7f00-8000 r--p 00000000 00:0e 9    anon_inode:[perf_event]", "anon_inode:[perf_event]", MS_MAPPING_SPECIAL, false, NULL },
		{ "7f00-8000 r-xp 00000000 00:00 0                          [uprobes]", "[uprobes]", MS_MAPPING_SPECIAL, false, NULL },
	};
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_maps *m = parse(cases[i].line);
		const struct ms_mapping *p;
		const char *label;

		ok(m != NULL, "parses \"%s\"", cases[i].line);
		if (!m)
			continue;
		p = ms_maps_get(m, 0);
		is_str(ms_mapping_name(p), cases[i].name, "name of \"%s\"", cases[i].name);
		is_int(ms_mapping_kind(p), cases[i].kind, "kind of \"%s\"", cases[i].name);
		is_int(ms_mapping_deleted(p), cases[i].deleted, "deleted flag of \"%s\"", cases[i].name);
		label = ms_mapping_label(p, &len);
		if (cases[i].label)
			ok(label && len == strlen(cases[i].label) &&
			   !memcmp(label, cases[i].label, len), "label of \"%s\"", cases[i].name);
		else
			ok(label == NULL, "no label for \"%s\"", cases[i].name);
		ms_maps_free(m);
	}
}

static void test_header_fields(void)
{
	struct ms_maps *m = parse(
		"55d8a0a00000-55d8a0a21000 r-xs 0001a000 103:02 1311                       /usr/bin/x\n");
	const struct ms_mapping *p;

	if (!m) {
		ok(0, "header line parses");
		return;
	}
	p = ms_maps_get(m, 0);
	is_u64(ms_mapping_start(p), 0x55d8a0a00000, "start");
	is_u64(ms_mapping_end(p), 0x55d8a0a21000, "end");
	is_u64(ms_mapping_size(p), 0x21000, "size");
	is_str(ms_mapping_perms(p), "r-xs", "perms");
	is_u64(ms_mapping_offset(p), 0x1a000, "offset");
	is_int(ms_mapping_dev_major(p), 0x103, "device major (three hex digits)");
	is_int(ms_mapping_dev_minor(p), 2, "device minor");
	is_u64(ms_mapping_inode(p), 1311, "inode");
	is_int(ms_maps_format(m), MS_MAPS_FMT_MAPS, "maps format without fields");
	is_u64(ms_mapping_rss(p), MS_FIELD_ABSENT, "no Rss in maps input");
	ok(ms_mapping_vmflags(p) == NULL, "no VmFlags in maps input");
	ms_maps_free(m);
}

static void test_smaps_fields(void)
{
	struct ms_maps *m = parse(
		"7f00000000-7f00400000 rw-p 00000000 00:00 0 \n"
		"Size:               4096 kB\n"
		"Rss:                1024 kB\n"
		"Private_Dirty:       512 kB\n"
		"FutureCounter:        12 kB\n"
		"FuturePlain:           7\n"
		"FutureText:     on (always)\n"
		"THPeligible:           1\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd wr mr mw me ac sd hg \n"
		"7f00400000-7f00401000 r--p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Rss:                   4 kB\n");
	const struct ms_mapping *p;
	const char *text, *name;
	uint64_t v;
	bool is_size;

	if (!m) {
		ok(0, "smaps parses");
		return;
	}
	is_int(ms_maps_format(m), MS_MAPS_FMT_SMAPS, "smaps format");
	p = ms_maps_get(m, 0);
	is_u64(ms_mapping_get(p, MS_F_SIZE), 4096 * 1024ULL, "Size in bytes");
	is_u64(ms_mapping_rss(p), 1024 * 1024ULL, "Rss in bytes");
	is_u64(ms_mapping_get(p, MS_F_PRIVATE_DIRTY), 512 * 1024ULL, "Private_Dirty");
	is_u64(ms_mapping_get(p, MS_F_SWAP), MS_FIELD_ABSENT, "absent Swap");
	is_u64(ms_mapping_get(p, MS_F_THPELIGIBLE), 1, "THPeligible is a plain number");
	is_u64(ms_mapping_get(p, MS_F_PROTECTIONKEY), 0, "ProtectionKey is kept");
	ok(ms_mapping_field(p, "FutureCounter", &v, &text) == 0 && v == 12 * 1024,
	   "unknown kB field kept, in bytes");
	ok(ms_mapping_field(p, "FuturePlain", &v, &text) == 0 && v == 7 && !*text,
	   "unknown plain field kept");
	ok(ms_mapping_field(p, "FutureText", &v, &text) == 0 && !strcmp(text, "on (always)"),
	   "unknown text field kept as text");
	is_int(ms_mapping_field(p, "Nope", &v, NULL), -ENOENT, "missing field is -ENOENT");
	is_int(ms_mapping_nfields(p), 8, "every field but VmFlags counted");
	ok(ms_mapping_field_at(p, 3, &name, &v, &is_size, NULL) == 0 &&
	   !strcmp(name, "FutureCounter") && is_size, "fields kept in input order");
	is_str(ms_mapping_vmflags(p), "rd wr mr mw me ac sd hg", "VmFlags without trailing space");
	ok(ms_mapping_has_vmflag(p, "hg") && ms_mapping_has_vmflag(p, "rd") &&
	   !ms_mapping_has_vmflag(p, "ex") && !ms_mapping_has_vmflag(p, "h"), "vmflag lookup");
	is_u64(ms_maps_total(m, MS_F_RSS), 1028 * 1024ULL, "total Rss");
	is_u64(ms_maps_total(m, MS_F_SWAP), MS_FIELD_ABSENT, "total of an absent field");
	ok(ms_maps_find(m, 0x7f00000000) == p, "find the first byte");
	ok(ms_maps_find(m, 0x7f003fffff) == p, "find the last byte");
	ok(ms_maps_find(m, 0x7f00400000) == ms_maps_get(m, 1), "find the next mapping");
	ok(ms_maps_find(m, 0x7f00401000) == NULL, "nothing past the end");
	ok(ms_maps_find(m, 0x10) == NULL, "nothing before the start");
	ms_maps_free(m);
}

static void test_bad(void)
{
	static const char longname[] = "7f00-8000 rw-p 00000000 00:00 0 ";
	char *big;
	size_t n = 100000;

	ok(parse_rcs("7f3a1c000000-zz rw-p 00000000 00:00 0\n") == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "bad.txt:1:") &&
	   strstr(ms_ctx_errmsg(ctx), "bad address range"), "bad range names file and line: %s",
	   ms_ctx_errmsg(ctx));
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0 \nRss: 4 kB\ngarbage here\n") == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "bad.txt:3:"), "garbage on line 3: %s", ms_ctx_errmsg(ctx));
	ok(parse_rcs("Rss:   4 kB\n") == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "before any mapping"), "field before a mapping: %s",
	   ms_ctx_errmsg(ctx));
	ok(parse_rcs("") == -EBADMSG && strstr(ms_ctx_errmsg(ctx), "no mappings"),
	   "empty input: %s", ms_ctx_errmsg(ctx));
	ok(parse_rcs("\n\n  \n") == -EBADMSG, "blank input");
	ok(parse_rc("7f00-8000 rw-p 000\0 00:00 0\n", 28) == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "binary"), "NUL byte: %s", ms_ctx_errmsg(ctx));
	ok(parse_rcs("8000-7f00 rw-p 00000000 00:00 0\n") == -EBADMSG, "end before start");
	ok(parse_rcs("7f00-8000 rwzp 00000000 00:00 0\n") == -EBADMSG, "bad perms");
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00\n") == -EBADMSG, "missing inode");
	ok(parse_rcs("7f00-8000 rw-p 00000000 0000 0\n") == -EBADMSG, "bad device");
	ok(parse_rcs("7f00-80000000000000000 rw-p 00000000 00:00 0\n") == -EBADMSG,
	   "address overflowing 64 bits");
	{
		static const char t[] = "7f00-8000 rw-p 00000000 00:00 0\nRss: 99999999999999999999 kB\n";
		static const char u[] = "7f00-8000 rw-p 00000000 00:00 0\nNew: 99999999999999999999 kB\n";
		struct ms_maps *m = NULL;

		ok(ms_maps_parse_buf(ctx, t, strlen(t), "huge", &m) == -EBADMSG,
		   "a known field past 64 bits is refused, not wrapped");
		ms_maps_free(m);
		m = NULL;
		ok(ms_maps_parse_buf(ctx, u, strlen(u), "huge", &m) == 0 && m && ms_maps_count(m) == 1,
		   "a field the parser does not know is skipped, whatever its value");
		ms_maps_free(m);
	}
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0\nRss: 18014398509481984 kB\n") ==
	   -EBADMSG, "kB value overflowing bytes");
	/* Cut mid-line, as a truncated copy ends. */
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0\n7f3a1c0") == -EBADMSG,
	   "truncated mid-line");
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0") == 0, "no final newline is fine");
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0\nRss: \n") == -EBADMSG &&
	   /* Line 1 is 32 bytes with its newline; "Rss: " puts the value at 37. */
	   strstr(ms_ctx_errmsg(ctx), "bad.txt:2: byte 37: bad value for Rss"),
	   "a known field cut before its value: %s", ms_ctx_errmsg(ctx));

	big = malloc(n + 1);
	memcpy(big, longname, strlen(longname));
	memset(big + strlen(longname), 'x', n - strlen(longname));
	big[n] = '\0';
	{
		struct ms_maps *m = NULL;

		ok(ms_maps_parse_buf(ctx, big, n, "long", &m) == 0 &&
		   strlen(ms_mapping_name(ms_maps_get(m, 0))) == n - strlen(longname),
		   "a 100,000-character name survives");
		ms_maps_free(m);
	}
	free(big);
}

static int skip_cb(struct ms_ctx *c, const char *file, unsigned long line, const char *msg,
		   void *data)
{
	(void)c;
	(void)file;
	(void)msg;
	*(unsigned long *)data += line;
	return 0;
}

static void test_errcb(void)
{
	static const char text[] = "junk\n7f00-8000 rw-p 00000000 00:00 0 \nRss: 4 kB\nmore junk\n";
	unsigned long lines = 0;
	struct ms_maps *m = NULL;

	ms_ctx_set_parser_errcb(ctx, skip_cb, &lines);
	ok(ms_maps_parse_buf(ctx, text, strlen(text), "cb", &m) == 0 && ms_maps_count(m) == 1,
	   "callback skipping bad lines keeps the good ones");
	is_int(lines, 1 + 4, "callback saw lines 1 and 4");
	ms_maps_free(m);
	ms_ctx_set_parser_errcb(ctx, NULL, NULL);
}

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

/*
 * Check a capture against a second, naive reading of the same text: the
 * number of mapping lines and the sum of Rss as sscanf sees them.
 */
static void test_fixture(const char *rel, enum ms_maps_format fmt)
{
	const char *path = tap_fixture(rel);
	struct ms_maps *m = NULL;
	uint64_t rss_sum = 0, kb;
	size_t nlines = 0, len, i;
	char *buf, *line, *save = NULL;
	FILE *fp;
	int rc;

	buf = slurp(path, &len);
	ok(buf != NULL, "fixture %s readable", rel);
	if (!buf)
		return;
	fp = fopen(path, "r");
	rc = ms_maps_parse(ctx, fp, rel, &m);
	fclose(fp);
	ok(rc == 0, "fixture %s parses (%s)", rel, ms_ctx_errmsg(ctx));
	if (rc < 0) {
		free(buf);
		return;
	}
	is_int(ms_maps_format(m), fmt, "format of %s", rel);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b;

		if (sscanf(line, "%llx-%llx ", &a, &b) == 2 && strchr(line, '-') < strchr(line, ' '))
			nlines++;
		else if (sscanf(line, "Rss: %" SCNu64 " kB", &kb) == 1)
			rss_sum += kb * 1024;
	}
	is_int(ms_maps_count(m), nlines, "%s: every mapping line read", rel);
	if (fmt != MS_MAPS_FMT_MAPS)
		is_u64(ms_maps_total(m, MS_F_RSS), rss_sum, "%s: Rss sums as sscanf sums it", rel);
	for (i = 0; i < ms_maps_count(m); i++) {
		const struct ms_mapping *p = ms_maps_get(m, i);

		if (ms_maps_find(m, ms_mapping_start(p)) != p)
			break;
	}
	is_int(i, ms_maps_count(m), "%s: every mapping found by its start", rel);
	free(buf);
	ms_maps_free(m);
}

static const struct ms_mapping *find_named(const char *rel, struct ms_maps **keep,
					   const char *name)
{
	FILE *fp = fopen(tap_fixture(rel), "r");
	const struct ms_mapping *p;
	size_t i;

	*keep = NULL;
	if (!fp || ms_maps_parse(ctx, fp, rel, keep) < 0) {
		if (fp)
			fclose(fp);
		return NULL;
	}
	fclose(fp);
	for (i = 0; (p = ms_maps_get(*keep, i)); i++)
		if (!strcmp(ms_mapping_name(p), name) ||
		    (name[0] == '*' && strstr(ms_mapping_name(p), name + 1)))
			return p;
	return NULL;
}

static void test_fixture_oddities(void)
{
	const struct ms_mapping *p;
	struct ms_maps *m;

	p = find_named("smaps/odd-names.smaps", &m, "/tmp/memsift dir/file with spaces.bin");
	ok(p && ms_mapping_kind(p) == MS_MAPPING_FILE && !ms_mapping_deleted(p),
	   "odd-names: path with spaces, whole");
	ms_maps_free(m);
	p = find_named("smaps/odd-names.smaps", &m, "* (deleted)");
	ok(p && ms_mapping_deleted(p), "odd-names: a deleted file");
	ms_maps_free(m);
	p = find_named("smaps/odd-names.smaps", &m, "*/memfd:");
	ok(p && ms_mapping_kind(p) == MS_MAPPING_MEMFD, "odd-names: a memfd");
	ms_maps_free(m);
	p = find_named("smaps/odd-names.smaps", &m, "[vsyscall]");
	ok(p && ms_mapping_kind(p) == MS_MAPPING_VSYSCALL &&
	   ms_mapping_start(p) == 0xffffffffff600000ULL, "odd-names: [vsyscall] at the top");
	ms_maps_free(m);
	p = find_named("smaps/leaker-threaded.smaps", &m, "[heap]");
	ok(p && ms_mapping_rss(p) > 2000 * 1024, "leaker: heap holds the 2000 KiB it leaked");
	ms_maps_free(m);
	{
		FILE *fp = fopen(tap_fixture("smaps/thp.smaps"), "r");

		m = NULL;
		ok(fp && ms_maps_parse(ctx, fp, "thp", &m) == 0 &&
		   ms_maps_total(m, MS_F_ANONHUGEPAGES) >= 2048 * 1024,
		   "thp: AnonHugePages counted");
		if (fp)
			fclose(fp);
		ms_maps_free(m);
	}
	{
		FILE *fp = fopen(tap_fixture("smaps/go-heap.smaps"), "r");

		m = NULL;
		ok(fp && ms_maps_parse(ctx, fp, "go", &m) == 0 &&
		   (p = ms_maps_find(m, 0xc000000000ULL)) && ms_mapping_rss(p) >= 32 << 20,
		   "go: the heap arena at 0xc000000000 is resident");
		if (fp)
			fclose(fp);
		ms_maps_free(m);
	}
}

static void test_live(void)
{
	struct ms_maps *m = NULL;
	const struct ms_mapping *p;
	size_t sz = 8 << 20;
	char *block = malloc(sz);
	int local = 0;

	memset(block, 0xa5, sz);
	ok(ms_maps_read_pid(ctx, getpid(), MS_MAPS_SRC_SMAPS, &m) == 0, "read own smaps");
	if (!m)
		return;
	p = ms_maps_find(m, (uint64_t)(uintptr_t)&local);
	ok(p && ms_mapping_kind(p) == MS_MAPPING_STACK, "a local variable is on [stack]");
	p = ms_maps_find(m, (uint64_t)(uintptr_t)block);
	ok(p && ms_mapping_rss(p) >= sz, "the 8 MiB block is resident where malloc put it");
	p = ms_maps_find(m, (uint64_t)(uintptr_t)&test_live);
	ok(p && ms_mapping_kind(p) == MS_MAPPING_FILE && strchr(ms_mapping_perms(p), 'x'),
	   "this function is in an executable file mapping");
	ms_maps_free(m);
	free(block);

	ok(ms_maps_read_pid(ctx, getpid(), MS_MAPS_SRC_ROLLUP, &m) == 0 &&
	   ms_maps_format(m) == MS_MAPS_FMT_ROLLUP && ms_maps_count(m) == 1,
	   "read own smaps_rollup");
	ms_maps_free(m);
	m = NULL;
	ok(ms_maps_read_pid(ctx, getpid(), MS_MAPS_SRC_MAPS, &m) == 0 &&
	   ms_maps_format(m) == MS_MAPS_FMT_MAPS, "read own maps");
	ms_maps_free(m);
	m = NULL;
	/* pid_max is at most 4194304; this pid can never exist. */
	ok(ms_maps_read_pid(ctx, 4194305, MS_MAPS_SRC_SMAPS, &m) == -ESRCH &&
	   strstr(ms_ctx_errmsg(ctx), "pid 4194305: no such process"),
	   "a missing pid: %s", ms_ctx_errmsg(ctx));
}

/* Cut and flip a real capture many ways: the parser may refuse, never crash. */
static void test_mangled(void)
{
	size_t len, i, done = 0;
	char *orig = slurp(tap_fixture("smaps/leaker-threaded.smaps"), &len), *buf;
	unsigned int seed = 12345;

	if (!orig) {
		ok(0, "mangling needs the leaker capture");
		return;
	}
	buf = malloc(len);
	for (i = 0; i < 3000; i++) {
		struct ms_maps *m = NULL;
		size_t cut = (size_t)rand_r(&seed) % len, j;

		memcpy(buf, orig, len);
		for (j = 0; j < 4; j++)
			buf[(size_t)rand_r(&seed) % len] = (char)rand_r(&seed);
		if (ms_maps_parse_buf(ctx, buf, cut, "mangled", &m) == 0 && ms_maps_count(m))
			done++;
		ms_maps_free(m);
	}
	ok(1, "3000 mangled captures parsed or refused without a crash (%zu parsed)", done);
	free(buf);
	free(orig);
}

/*
 * Messages name the place of a bad line, never its text: a password file
 * given by mistake must not be printed.  Each input plants the secret where
 * a message would once have quoted it.
 */
static void test_no_secret_in_messages(void)
{
	static const char secret[] = "Tr0ub4dor-and-3";
	static const char *const fmts[] = {
		"db.example:5432:app:app:%s\n",
		"%s\n",
		"7f00-8000 rw-p 00000000 00:00 0\n%s\n",
		"7f00-8000 rw-p 00000000 00:00 0\nRss: %s kB\n",
		"7f00-8000 rw-p 00000000 00:00 0\nPss:        %s\n",
		"7f00-8000 rw-p 00000000 00:00 0\n%s: 4 kB\n",
		"%s-8000 rw-p 00000000 00:00 0\n",
		"7f00-8000 %s 00000000 00:00 0\n",
		"7f00-8000 rw-p %s 00:00 0\n",
		"7f00-8000 rw-p 00000000 %s 0\n",
		"7f00-8000 rw-p 00000000 00:00 %s\n",
		"password: %s\n",
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		/* The format is data here: put the secret in by hand. */
		const char *at = strstr(fmts[i], "%s");
		int n = snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - fmts[i]), fmts[i], secret,
				 at + 2);
		int rc = parse_rc(text, (size_t)n);

		ok(rc == -EBADMSG && !strstr(ms_ctx_errmsg(ctx), secret) &&
		   !strstr(ms_ctx_errmsg(ctx), "Tr0ub") && strstr(ms_ctx_errmsg(ctx), "bad.txt:") &&
		   strstr(ms_ctx_errmsg(ctx), ": byte "),
		   "input %zu refused by place, the secret not quoted: %s", i, ms_ctx_errmsg(ctx));
	}
	/* The byte offset is the file's: line 2 starts at 32, its bad field at 32. */
	ok(parse_rcs("7f00-8000 rw-p 00000000 00:00 0\nsecret words here\n") == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "bad.txt:2: byte 32: not a maps or smaps line"),
	   "offset of a bad line: %s", ms_ctx_errmsg(ctx));
}

/*
 * 100,000 distinct field names under one mapping: each is kept, found by
 * name, and in order.  (Interned by a scan of the names so far, this took
 * most of a minute; the harness's time limit is the only clock here.)
 */
static void test_many_names(void)
{
	const size_t n = 100000;
	size_t cap = 64 + n * 24, len, i, bad = 0;
	char *text = malloc(cap), name[32];
	struct ms_maps *m = NULL;
	const struct ms_mapping *mp;
	const char *got;
	uint64_t v;

	len = (size_t)sprintf(text, "7f00-8000 rw-p 00000000 00:00 0\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "Field%zu: %zu kB\n", i, i);
	ok(ms_maps_parse_buf(ctx, text, len, "names", &m) == 0, "100,000 distinct fields parse");
	mp = m ? ms_maps_get(m, 0) : NULL;
	is_int(mp ? (int)ms_mapping_nfields(mp) : -1, (int)n, "all 100,000 fields kept");
	for (i = 0; mp && i < n; i += 997) {
		snprintf(name, sizeof(name), "Field%zu", i);
		if (ms_mapping_field_at(mp, i, &got, &v, NULL, NULL) < 0 || strcmp(got, name) ||
		    v != i * 1024)
			bad++;
	}
	ok(mp && bad == 0, "fields in order with their values (%zu wrong)", bad);
	ok(mp && ms_mapping_field(mp, "Field99999", &v, NULL) == 0 && v == 99999 * 1024,
	   "the last field found by name");
	ms_maps_free(m);
	free(text);
}

/* Feed ALL in pieces of STEP bytes; the parse must equal the one at once. */
static int parse_pieces(const char *all, size_t len, size_t step, struct ms_maps **out)
{
	struct ms_maps_parser *ps;
	size_t off;
	int rc = ms_maps_parser_new(ctx, "pieces", &ps);

	for (off = 0; rc == 0 && off < len; off += step)
		rc = ms_maps_parser_feed(ps, all + off, len - off < step ? len - off : step);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
	ms_maps_parser_free(ps);
	return rc;
}

static void test_pieces(void)
{
	size_t len, i, steps[] = { 1, 2, 7, 64, 4096, 65536 }, s;
	char *all = slurp(tap_fixture("smaps/leaker-threaded.smaps"), &len);
	struct ms_maps *whole = NULL, *m;
	struct ms_maps_parser *ps;
	char *zeros;
	int rc;

	ok(all && ms_maps_parse_buf(ctx, all, len, "whole", &whole) == 0, "the fixture parses");
	for (s = 0; whole && s < sizeof(steps) / sizeof(steps[0]); s++) {
		size_t diff = 0;

		m = NULL;
		rc = parse_pieces(all, len, steps[s], &m);
		for (i = 0; rc == 0 && i < ms_maps_count(whole); i++) {
			const struct ms_mapping *a = ms_maps_get(whole, i), *b = ms_maps_get(m, i);

			if (!b || strcmp(ms_mapping_name(a), ms_mapping_name(b)) ||
			    ms_mapping_nfields(a) != ms_mapping_nfields(b) ||
			    ms_mapping_rss(a) != ms_mapping_rss(b))
				diff++;
		}
		ok(rc == 0 && ms_maps_count(m) == ms_maps_count(whole) && diff == 0,
		   "fed in pieces of %zu bytes: the same %zu mappings", steps[s],
		   ms_maps_count(whole));
		ms_maps_free(m);
	}
	ms_maps_free(whole);
	free(all);

	/* /dev/zero: refused at its first piece, not read on. */
	zeros = calloc(1, 64 * 1024);
	ms_maps_parser_new(ctx, "zeros", &ps);
	ok(ms_maps_parser_feed(ps, zeros, 64 * 1024) == -EBADMSG &&
	   strstr(ms_ctx_errmsg(ctx), "zeros:1: byte 0: binary data"),
	   "NUL bytes refused at the first piece: %s", ms_ctx_errmsg(ctx));
	ok(ms_maps_parser_feed(ps, zeros, 64 * 1024) == -EBADMSG, "and stays refused");
	ms_maps_parser_free(ps);
	/* One endless line: refused once past 1 MiB, with nothing kept beyond it. */
	memset(zeros, 'a', 64 * 1024);
	ms_maps_parser_new(ctx, "long", &ps);
	for (i = 0, rc = 0; rc == 0 && i < 64; i++)
		rc = ms_maps_parser_feed(ps, zeros, 64 * 1024);
	ok(rc == -EBADMSG && i == 17 && strstr(ms_ctx_errmsg(ctx), "long:1: byte 0: a line longer than 1 MiB"),
	   "an endless line refused after 17 pieces of 64 KiB (%zu): %s", i, ms_ctx_errmsg(ctx));
	ms_maps_parser_free(ps);
	/* A NUL in a '#' line nobody reads is refused wherever the pieces are cut. */
	ms_maps_parser_new(ctx, "comment", &ps);
	ok(ms_maps_parser_feed(ps, "7f00-8000 rw-p 00000000 00:00 0\n#a", 34) == 0 &&
	   ms_maps_parser_feed(ps, "b\0c\n", 4) == -EBADMSG &&
	   /* Line 2 starts at 32; "#ab" puts the NUL at 35. */
	   strstr(ms_ctx_errmsg(ctx), "comment:2: byte 35: binary data"),
	   "a NUL in an ignored line, in a later piece: %s", ms_ctx_errmsg(ctx));
	ms_maps_parser_free(ps);
	/* The limit on the input as a whole. */
	ms_maps_parser_new(ctx, "max", &ps);
	ms_maps_parser_set_max(ps, 100000);
	ok(ms_maps_parser_feed(ps, "7f00-8000 rw-p 00000000 00:00 0\n", 32) == 0 &&
	   ms_maps_parser_feed(ps, zeros, 65536) == 0 &&
	   ms_maps_parser_feed(ps, zeros, 100000 - 32 - 65536) == 0 &&
	   ms_maps_parser_feed(ps, "\n", 1) == -EFBIG,
	   "past its limit, input is refused: %s", ms_ctx_errmsg(ctx));
	ms_maps_parser_free(ps);
	/* Short lines that make large mappings: what is kept is bounded too. */
	ms_maps_parser_new(ctx, "kept", &ps);
	ms_maps_parser_set_max(ps, 1024 * 1024);
	for (i = 0, rc = 0; rc == 0 && i < 100000; i++)
		rc = ms_maps_parser_feed(ps, "0-1 r--p 0 0:0 0\n", 17);
	ok(rc == -EFBIG && i < 100000 && strstr(ms_ctx_errmsg(ctx), "take more than 1 MiB"),
	   "parsed mappings past the limit refused after %zu lines of 17 bytes: %s", i,
	   ms_ctx_errmsg(ctx));
	ms_maps_parser_free(ps);
	free(zeros);
}

/*
 * The stream parsers read a FILE as a stream, not the descriptor under it:
 * the same fixture through fmemopen(), which has none, parses to the same
 * mappings as through a file.
 */
static void test_fmemopen(void)
{
	static const char *const rel[] = { "smaps/leaker-threaded.smaps", "pmap/leaker-after.pmap-x" };
	struct ms_maps *a = NULL, *b = NULL;
	struct ms_snapshot *snap = NULL;
	size_t i, len = 0;
	char *buf = NULL;
	FILE *fp, *mem;
	pid_t pid;
	int ra, rb;

	for (i = 0; i < 2; i++) {
		fp = fopen(tap_fixture(rel[i]), "r");
		if (!fp || getdelim(&buf, &len, '\0', fp) < 0) {
			ok(0, "%s: read", rel[i]);
			if (fp)
				fclose(fp);
			continue;
		}
		rewind(fp);
		mem = fmemopen(buf, strlen(buf), "r");
		if (i == 0) {
			ra = ms_maps_parse(ctx, fp, rel[i], &a);
			rb = ms_maps_parse(ctx, mem, rel[i], &b);
		} else {
			ra = ms_pmap_parse(ctx, fp, rel[i], &pid, &a);
			rb = ms_pmap_parse(ctx, mem, rel[i], &pid, &b);
		}
		ok(ra == 0 && rb == 0 && ms_maps_count(a) == ms_maps_count(b) && ms_maps_count(a) > 10 &&
		   ms_maps_total(a, MS_F_RSS) == ms_maps_total(b, MS_F_RSS),
		   "%s through fmemopen(): the same %zu mappings", rel[i], a ? ms_maps_count(a) : 0);
		if (i == 0) {
			rewind(mem);
			is_int(ms_snapshot_load(ctx, mem, rel[i], &snap), 0,
			       "%s through fmemopen(): a snapshot loads", rel[i]);
			ms_snapshot_free(snap);
			snap = NULL;
		}
		ms_maps_free(a);
		ms_maps_free(b);
		a = b = NULL;
		fclose(mem);
		fclose(fp);
	}
	free(buf);
}

/* The files mapped: one per run of a file's segments, in address order. */
static void test_files(void)
{
	struct ms_maps *m = parse(
		"1000-2000 r--p 00000000 08:01 11 /usr/bin/prog\n"
		"2000-3000 r-xp 00001000 08:01 11 /usr/bin/prog\n"
		"3000-4000 rw-p 00000000 00:00 0 \n"
		"4000-5000 r--p 00000000 08:01 12 /usr/lib/libc.so.6\n"
		"5000-6000 r-xp 00001000 08:01 12 /usr/lib/libc.so.6\n"
		"6000-7000 r--p 00000000 08:01 13 /usr/lib/libm.so.6\n"
		"7000-8000 rw-p 00000000 00:00 0                  [heap]\n"
		"8000-9000 r--p 00000000 08:01 11 /usr/bin/prog\n"
		"9000-a000 rw-s 00000000 00:01 14 /memfd:x (deleted)\n");
	const struct ms_mapping *f;

	if (!m) {
		ok(0, "files parse");
		return;
	}
	is_int(ms_maps_nfiles(m), 4, "four runs of file mappings");
	f = ms_maps_file(m, 0);
	ok(f && ms_mapping_start(f) == 0x1000, "the program's first segment first");
	f = ms_maps_file(m, 1);
	ok(f && !strcmp(ms_mapping_name(f), "/usr/lib/libc.so.6") && ms_mapping_start(f) == 0x4000,
	   "libc once, at its first segment");
	f = ms_maps_file(m, 2);
	ok(f && !strcmp(ms_mapping_name(f), "/usr/lib/libm.so.6"), "libm right after libc");
	f = ms_maps_file(m, 3);
	ok(f && ms_mapping_start(f) == 0x8000, "the program again after other mappings");
	ok(!ms_maps_file(m, 4), "nothing past the last (a memfd is not a file)");
	ms_maps_free(m);
	m = parse("1000-2000 rw-p 00000000 00:00 0 \n");
	ok(m && ms_maps_nfiles(m) == 0 && !ms_maps_file(m, 0), "no files in anonymous memory");
	ms_maps_free(m);
}

/*
 * The runtimes found through the files mapped (lib/label.c): CPython and
 * V8 named by a library that is neither the first file nor next to the
 * memory labelled, with other files' runs between.
 */
static void test_files_label(void)
{
	struct ms_maps *m = parse(
		"1000-2000 r--p 00000000 08:01 11 /usr/bin/prog\n"
		"2000-3000 r-xp 00001000 08:01 11 /usr/bin/prog\n"
		"3000-4000 r--p 00000000 08:01 12 /usr/lib/libc.so.6\n"
		"4000-5000 r--p 00000000 08:01 13 /usr/lib/libpython3.11.so.1.0\n"
		"5000-6000 r-xp 00001000 08:01 13 /usr/lib/libpython3.11.so.1.0\n"
		"6000-7000 r--p 00000000 08:01 12 /usr/lib/libc.so.6\n"
		"7f0000000000-7f0000100000 rw-p 00000000 00:00 0 \n"
		"7f0000200000-7f0000240000 rw-p 00000000 00:00 0 \n");
	struct ms_maps *v8 = parse(
		"1000-2000 r--p 00000000 08:01 11 /usr/bin/prog\n"
		"3000-4000 r--p 00000000 08:01 12 /usr/lib/libc.so.6\n"
		"4000-5000 r--p 00000000 08:01 14 /usr/lib/libnode.so.108\n"
		"7f0000000000-7f0000040000 rw-p 00000000 00:00 0 \n");
	char buf[128];

	if (!m || !v8) {
		ok(0, "runtime maps parse");
		ms_maps_free(m);
		ms_maps_free(v8);
		return;
	}
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 6), buf, sizeof(buf)), MS_LABEL_PYMALLOC,
	       "1 MiB of rw-p beside libpython3.11: a pymalloc arena");
	is_str(ms_label_mapping(NULL, ms_maps_get(m, 7), buf, sizeof(buf)), "",
	       "256 KiB is less than 3.11's arena");
	is_str(ms_label_mapping(NULL, ms_maps_get(v8, 3), buf, sizeof(buf)), MS_LABEL_V8_HEAP,
	       "256 KiB aligned with libnode mapped: a V8 page");
	ms_maps_free(m);
	ms_maps_free(v8);
}

/*
 * Mappings whose field lists differ, and come back: each keeps its own
 * fields, in its own order, whatever the mapping before it had.
 */
static void test_layouts(void)
{
	struct ms_maps *m = parse(
		"1000-2000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Rss:                   4 kB\n"
		"2000-3000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Rss:                   0 kB\n"
		"Swap:                  4 kB\n"
		"3000-4000 rw-p 00000000 00:00 0 \n"
		"4000-5000 rw-p 00000000 00:00 0 \n"
		"Rss:                   8 kB\n"
		"Size:                 12 kB\n"
		"5000-6000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Rss:                  16 kB\n"
		"6000-7000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Future:         some text\n"
		"Rss:                   1 kB\n"
		"Rss:                   2 kB\n"
		"7000-8000 rw-p 00000000 00:00 0 \n"
		"Size:                  4 kB\n"
		"Future:                9\n"
		"Rss:                   3 kB\n"
		"Rss:                   5 kB\n");
	const struct ms_mapping *p;
	const char *name, *text;
	uint64_t v;
	bool is_size;

	if (!m) {
		ok(0, "mappings of differing fields parse");
		return;
	}
	is_int(ms_maps_count(m), 7, "seven mappings");
	p = ms_maps_get(m, 0);
	ok(ms_mapping_nfields(p) == 2 && ms_mapping_rss(p) == 4096 &&
	   ms_mapping_get(p, MS_F_SWAP) == MS_FIELD_ABSENT, "first: Size, Rss, no Swap");
	p = ms_maps_get(m, 1);
	ok(ms_mapping_nfields(p) == 3 && ms_mapping_rss(p) == 0 &&
	   ms_mapping_get(p, MS_F_SWAP) == 4096, "second: Swap of its own");
	p = ms_maps_get(m, 2);
	ok(ms_mapping_nfields(p) == 0 && ms_mapping_rss(p) == MS_FIELD_ABSENT &&
	   ms_mapping_field_at(p, 0, &name, &v, NULL, NULL) == -ENOENT,
	   "third: no fields at all");
	p = ms_maps_get(m, 3);
	ok(ms_mapping_field_at(p, 0, &name, &v, NULL, NULL) == 0 && !strcmp(name, "Rss") &&
	   v == 8192 && ms_mapping_get(p, MS_F_SIZE) == 12288, "fourth: its own order");
	p = ms_maps_get(m, 4);
	ok(ms_mapping_nfields(p) == 2 && ms_mapping_rss(p) == 16384 &&
	   ms_mapping_get(p, MS_F_SWAP) == MS_FIELD_ABSENT, "fifth: the first one's fields again");
	p = ms_maps_get(m, 5);
	ok(ms_mapping_field(p, "Future", &v, &text) == 0 && v == 0 &&
	   !strcmp(text, "some text") && ms_mapping_rss(p) == 2048,
	   "sixth: a text value, and the last of two Rss lines counts");
	p = ms_maps_get(m, 6);
	ok(ms_mapping_field_at(p, 1, &name, &v, &is_size, &text) == 0 &&
	   !strcmp(name, "Future") && v == 9 && !is_size && !*text &&
	   ms_mapping_rss(p) == 5120, "seventh: the same name as a plain number");
	is_u64(ms_maps_total(m, MS_F_RSS), (4 + 0 + 8 + 16 + 2 + 5) * 1024ULL,
	       "total Rss over every layout");
	is_u64(ms_maps_total(m, MS_F_SWAP), 4096, "total Swap from the one that has it");
	ms_maps_free(m);
}

struct pieces {
	char *text;
	size_t len;
	size_t calls;
	int fail_at;		/* return -ECANCELED at this call; 0: never */
};

static int collect_piece(void *data, const char *buf, size_t len)
{
	struct pieces *pc = data;
	char *n;

	if (++pc->calls == (size_t)pc->fail_at)
		return -ECANCELED;
	n = realloc(pc->text, pc->len + len);
	if (!n)
		return -ENOMEM;
	memcpy(n + pc->len, buf, len);
	pc->text = n;
	pc->len += len;
	return 0;
}

/* The live read parses what it hands the callback, all of it, and stops when told. */
static void test_read_cb(void)
{
	struct pieces pc = { 0 };
	struct ms_maps *m = NULL, *again = NULL;
	struct ms_snapshot *s = NULL;
	FILE *null = fopen("/dev/null", "we");

	ok(ms_maps_read_pid_cb(ctx, getpid(), MS_MAPS_SRC_SMAPS, collect_piece, &pc, &m) == 0,
	   "read own smaps with a callback");
	if (m && pc.text) {
		ok(ms_maps_parse_buf(ctx, pc.text, pc.len, "pieces", &again) == 0 &&
		   ms_maps_count(again) == ms_maps_count(m) &&
		   ms_maps_total(again, MS_F_SIZE) == ms_maps_total(m, MS_F_SIZE),
		   "the pieces handed over are the text parsed (%zu bytes, %zu calls)",
		   pc.len, pc.calls);
		ok(pc.text[pc.len - 1] == '\n', "the whole text, to its last newline");
	}
	ms_maps_free(m);
	ms_maps_free(again);
	free(pc.text);
	m = NULL;
	pc = (struct pieces){ .fail_at = 1 };
	is_int(ms_maps_read_pid_cb(ctx, getpid(), MS_MAPS_SRC_SMAPS, collect_piece, &pc, &m),
	       -ECANCELED, "the callback's error ends the read");
	ok(!m, "and leaves no mappings");
	free(pc.text);

	ok(ms_snapshot_take_flags(ctx, getpid(), MS_SNAP_NO_TEXT, &s) == 0 &&
	   ms_maps_count(ms_snapshot_maps(s)) > 0, "a snapshot without its text");
	if (s && null)
		is_int(ms_snapshot_write(ctx, s, null), -EINVAL, "cannot be written out");
	ms_snapshot_free(s);
	s = NULL;
	ok(ms_snapshot_take(ctx, getpid(), &s) == 0 && null &&
	   ms_snapshot_write(ctx, s, null) == 0, "a snapshot with its text is written out");
	ms_snapshot_free(s);
	if (null)
		fclose(null);
}

/* A header value's \\xNN escapes undone, as JSON wants the process's own bytes. */
static void test_unescape(void)
{
	static const char *const cases[][2] = {
		{ "c\"\\x5c\\x09\\x01\xffx", "c\"\\\t\x01\xffx" },
		{ "a\\x00b", "a\\x00b" },		/* a NUL stays escaped */
		{ "a\\xzzb\\x4", "a\\xzzb\\x4" },	/* not an escape, or cut short */
		{ "", "" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = ms_snapshot_unescape(cases[i][0]);
		is_str(got, cases[i][1], "unescape case %zu", i + 1);
		free(got);
	}
	ok(!ms_snapshot_unescape(NULL), "unescape NULL is NULL");
}

int main(void)
{
	ctx = ms_ctx_new();
	test_names();
	test_header_fields();
	test_smaps_fields();
	test_layouts();
	test_files();
	test_files_label();
	test_bad();
	test_errcb();
	test_fixture("smaps/leaker-threaded.smaps", MS_MAPS_FMT_SMAPS);
	test_fixture("smaps/leaker-threaded.maps", MS_MAPS_FMT_MAPS);
	test_fixture("smaps/leaker-threaded.rollup", MS_MAPS_FMT_ROLLUP);
	test_fixture("smaps/go-heap.smaps", MS_MAPS_FMT_SMAPS);
	test_fixture("smaps/go-heap.maps", MS_MAPS_FMT_MAPS);
	test_fixture("smaps/odd-names.smaps", MS_MAPS_FMT_SMAPS);
	test_fixture("smaps/odd-names.maps", MS_MAPS_FMT_MAPS);
	test_fixture("smaps/thp.smaps", MS_MAPS_FMT_SMAPS);
	test_fixture_oddities();
	test_live();
	test_read_cb();
	test_mangled();
	test_no_secret_in_messages();
	test_many_names();
	test_fmemopen();
	test_unescape();
	test_pieces();
	ms_ctx_free(ctx);
	return tap_done();
}
