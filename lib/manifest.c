// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small JSON reader for the few keys of a dump manifest: no DOM, no
 * dependency; every value is parsed (so bad JSON is refused) but only
 * "start", "length", "size" and "ranges" are kept.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <memsift/manifest.h>

#include "internal.h"

#define MANIFEST_MAX (16 << 20)
#define DEPTH_MAX 64

/* One entry of "maps", the process's maps when it was dumped. */
struct jmap {
	uint64_t start, end, offset, inode;
	char perms[8], dev[16];
	char name[4096];
	char build_id[132];	/* hex; a build-id is at most 64 bytes in practice */
};

struct jp {
	struct ms_ctx *ctx;
	const char *path;
	const char *s, *p, *end;
	struct ms_manifest_info *out;
	bool have_start, have_range_start;
	uint64_t range_sum;
	bool have_ranges;
	bool range_done;	/* the last range object ended: the next key starts one */
	struct jmap map;	/* the "maps" entry being read */
	char *maps;		/* the "maps" entries so far, as /proc/PID/maps lines */
	size_t maps_len;
	char *bids;		/* their build-ids, "PATH\tHEX\n" lines */
	size_t bids_len;
};

/* What a value is: the top object, the "ranges" array, one of its ranges, or else. */
enum where { W_OTHER, W_TOP, W_RANGES, W_RANGE, W_MAPS, W_MAP };

static int bad(struct jp *j, const char *what)
{
	return ms_err(j->ctx, -EBADMSG, "%s: offset %zu: %s; is this a regiondump manifest?",
		      j->path, (size_t)(j->p - j->s), what);
}

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* A string into BUF (escapes other than \" and \\ kept as '?'); BUF may be NULL. */
static int string(struct jp *j, char *buf, size_t len)
{
	size_t n = 0;
	char c;

	if (j->p >= j->end || *j->p != '"')
		return bad(j, "string expected");
	for (j->p++; j->p < j->end && *j->p != '"'; j->p++) {
		c = *j->p;
		if ((unsigned char)c < 0x20)
			return bad(j, "control character in a string");
		if (c == '\\') {
			if (++j->p >= j->end)
				break;
			c = (*j->p == '"' || *j->p == '\\' || *j->p == '/') ? *j->p : '?';
			if (*j->p == 'u')
				j->p += 4;
		}
		if (buf && n + 1 < len)
			buf[n++] = c;
	}
	if (j->p >= j->end)
		return bad(j, "unterminated string");
	j->p++;
	if (buf)
		buf[n] = '\0';
	return 0;
}

/* A number (integers only are kept, in *V when not NULL). */
static int number(struct jp *j, uint64_t *v, bool *integer)
{
	const char *q = j->p;
	uint64_t x = 0;
	bool digits = false, isint = true, overflow = false;

	if (q < j->end && *q == '-') {
		q++;
		isint = false;
	}
	for (; q < j->end && *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (x > UINT64_MAX / 10 || (x == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			overflow = true;
		x = x * 10 + d;
		digits = true;
	}
	if (!digits)
		return bad(j, "value expected");
	if (overflow && v)
		return bad(j, "number too large for 64 bits");
	for (; q < j->end && strchr(".eE+-0123456789", *q); q++)
		isint = false;
	j->p = q;
	if (v)
		*v = x;
	if (integer)
		*integer = isint;
	return 0;
}

static int hexstr(struct jp *j, const char *s, uint64_t *v)
{
	char *e;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	/* strtoull() would take "-1", " 1" and "+1": an address is hex digits only. */
	if (!isxdigit((unsigned char)s[0]))
		return bad(j, "\"start\" is not a hex address");
	errno = 0;
	*v = strtoull(s, &e, 16);
	if (!*s || *e || errno)
		return bad(j, "\"start\" is not a hex address");
	return 0;
}

static int value(struct jp *j, int depth, enum where w);

/* A key of a "maps" entry: keep the fields of a maps line, skip the rest. */
static int map_member(struct jp *j, int depth, const char *key)
{
	static const char *const strs[] = { "start", "end", "perms", "dev", "name", "build_id" };
	struct jmap *m = &j->map;
	char buf[64];
	size_t i;
	int rc;

	ws(j);
	if (!strcmp(key, "offset") || !strcmp(key, "inode"))
		return number(j, !strcmp(key, "offset") ? &m->offset : &m->inode, NULL);
	for (i = 0; i < MS_ARRAY_SIZE(strs); i++)
		if (!strcmp(key, strs[i]) && j->p < j->end && *j->p == '"')
			break;
	if (i == MS_ARRAY_SIZE(strs))
		return value(j, depth, W_OTHER);
	if (i == 5)
		return string(j, m->build_id, sizeof(m->build_id));
	if (i >= 2)
		return string(j, i == 2 ? m->perms : i == 3 ? m->dev : m->name,
			      i == 2 ? sizeof(m->perms) : i == 3 ? sizeof(m->dev) : sizeof(m->name));
	if ((rc = string(j, buf, sizeof(buf))) < 0)
		return rc;
	return hexstr(j, buf, i == 0 ? &m->start : &m->end);
}

/* Append "PATH\tHEX\n" for M, once per path; a path with a tab or newline is left out. */
static int bid_add(struct jp *j, const struct jmap *m)
{
	size_t nl = strlen(m->name), need = nl + strlen(m->build_id) + 3;
	const char *p;
	char *nb;

	if (!m->build_id[0] || !m->name[0] || strpbrk(m->name, "\t\n") ||
	    strpbrk(m->build_id, "\t\n"))
		return 0;
	for (p = j->bids; p && p < j->bids + j->bids_len; p = strchr(p, '\n') + 1)
		if (!strncmp(p, m->name, nl) && p[nl] == '\t')
			return 0;
	nb = realloc(j->bids, j->bids_len + need);
	if (!nb)
		return ms_err(j->ctx, -ENOMEM, "%s: out of memory", j->path);
	j->bids = nb;
	j->bids_len += (size_t)snprintf(nb + j->bids_len, need, "%s\t%s\n", m->name, m->build_id);
	return 0;
}

/* A "maps" entry ended: append it as a /proc/PID/maps line. */
static int map_done(struct jp *j)
{
	struct jmap *m = &j->map;
	size_t need = strlen(m->name) + 160;
	char *nm;
	int n;

	if (bid_add(j, m) < 0)
		return -ENOMEM;

	nm = realloc(j->maps, j->maps_len + need);
	if (!nm)
		return ms_err(j->ctx, -ENOMEM, "%s: out of memory", j->path);
	j->maps = nm;
	n = snprintf(j->maps + j->maps_len, need, "%" PRIx64 "-%" PRIx64 " %s %08" PRIx64
		     " %s %" PRIu64 "%s%s\n", m->start, m->end, m->perms[0] ? m->perms : "---p",
		     m->offset, m->dev[0] ? m->dev : "00:00", m->inode, m->name[0] ? "    " : "",
		     m->name);
	j->maps_len += (size_t)n;
	*m = (struct jmap){ 0 };
	return 0;
}

/* The value of KEY in an object at WHERE: keep it if it is one we want. */
static int member(struct jp *j, int depth, enum where w, const char *key)
{
	bool want_start = !strcmp(key, "start");
	bool want_len = !strcmp(key, "length") || !strcmp(key, "size");
	char buf[64];
	uint64_t v;
	bool isint;
	int rc;

	if (w == W_TOP && (!strcmp(key, "ranges") || !strcmp(key, "requested")))
		return value(j, depth, W_RANGES);
	if (w == W_TOP && !strcmp(key, "maps"))
		return value(j, depth, W_MAPS);
	if (w == W_MAP)
		return map_member(j, depth, key);
	/* The process dumped: a live one's modules are read as it maps them. */
	if (w == W_TOP && !strcmp(key, "pid") && (ws(j), j->p < j->end) &&
	    isdigit((unsigned char)*j->p)) {
		if ((rc = number(j, &v, &isint)) < 0)
			return rc;
		j->out->pid = isint && v <= INT32_MAX ? (int)v : 0;
		return 0;
	}
	if (w == W_OTHER || (!want_start && !want_len))
		return value(j, depth, W_OTHER);
	ws(j);
	if (want_start && j->p < j->end && *j->p == '"') {
		if ((rc = string(j, buf, sizeof(buf))) < 0 || (rc = hexstr(j, buf, &v)) < 0)
			return rc;
	} else {
		if ((rc = number(j, &v, &isint)) < 0)
			return rc;
		if (!isint)
			return bad(j, want_start ? "\"start\" is not an address" :
					      "\"length\" is not a whole number");
	}
	if (w == W_TOP && want_start) {
		j->out->start = v;
		j->have_start = true;
	} else if (w == W_TOP) {
		j->out->length = v;
		j->out->has_length = true;
	} else if (w == W_RANGE) {
		struct ms_manifest_range *r;

		/* A range object starts a new entry at its first start or length. */
		if (j->out->nranges == 0 || j->range_done) {
			r = realloc(j->out->ranges, (j->out->nranges + 1) * sizeof(*r));
			if (!r)
				return ms_err(j->ctx, -ENOMEM, "%s: out of memory", j->path);
			j->out->ranges = r;
			r = &r[j->out->nranges++];
			*r = (struct ms_manifest_range){ 0, 0, j->range_sum };
			j->range_done = false;
		}
		r = &j->out->ranges[j->out->nranges - 1];
		if (want_start) {
			r->start = v;
			if (!j->have_range_start && !j->have_start)
				j->out->start = v;
			j->have_range_start = true;
		} else {
			if (v > UINT64_MAX - j->range_sum)
				return bad(j, "the ranges add up to more than 2^64 bytes");
			r->length = v;
			j->range_sum += v;
		}
	}
	return 0;
}

static int object(struct jp *j, int depth, enum where w)
{
	char key[64];
	int rc;

	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		if (w == W_RANGE)
			j->range_done = true;
		return w == W_MAP ? map_done(j) : 0;
	}
	for (;;) {
		ws(j);
		if ((rc = string(j, key, sizeof(key))) < 0)
			return rc;
		ws(j);
		if (j->p >= j->end || *j->p != ':')
			return bad(j, "\":\" expected");
		j->p++;
		if ((rc = member(j, depth + 1, w, key)) < 0)
			return rc;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			if (w == W_RANGE)
				j->range_done = true;
			return w == W_MAP ? map_done(j) : 0;
		}
		return bad(j, "\",\" or \"}\" expected");
	}
}

static int array(struct jp *j, int depth, enum where w)
{
	int rc;

	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return 0;
	}
	for (;;) {
		if ((rc = value(j, depth + 1, w)) < 0)
			return rc;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		return bad(j, "\",\" or \"]\" expected");
	}
}

static int value(struct jp *j, int depth, enum where w)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, n;

	if (depth > DEPTH_MAX)
		return bad(j, "nested too deep");
	ws(j);
	if (j->p >= j->end)
		return bad(j, "unexpected end");
	switch (*j->p) {
	case '{':
		return object(j, depth, w == W_TOP || w == W_RANGE || w == W_MAP ? w : W_OTHER);
	case '[':
		/* The elements of "ranges" are the range objects. */
		if (w == W_RANGES)
			j->have_ranges = true;
		return array(j, depth, w == W_RANGES ? W_RANGE : w == W_MAPS ? W_MAP : W_OTHER);
	case '"':
		return string(j, NULL, 0);
	}
	for (i = 0; i < MS_ARRAY_SIZE(words); i++) {
		n = strlen(words[i]);
		if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, words[i], n)) {
			j->p += n;
			return 0;
		}
	}
	return number(j, NULL, NULL);
}

static int by_start(const void *a, const void *b)
{
	const struct ms_manifest_range *x = *(const struct ms_manifest_range *const *)a;
	const struct ms_manifest_range *y = *(const struct ms_manifest_range *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * A manifest that lies about addresses: a range past the end of the address
 * space, or two ranges claiming the same address (which offset would it be?).
 * Ranges out of address order are fine: the dump holds them in manifest order.
 */
static int check_ranges(struct ms_ctx *ctx, const char *path, const struct ms_manifest_info *mi)
{
	const struct ms_manifest_range **v, *far;
	size_t i;
	int rc = 0;

	if (!mi->nranges) {
		if (mi->has_length && mi->length > UINT64_MAX - mi->start)
			return ms_err(ctx, -EBADMSG, "%s: 0x%" PRIx64 " plus %" PRIu64 " bytes passes the end of the address space; is this a regiondump manifest?",
				      path, mi->start, mi->length);
		return 0;
	}
	for (i = 0; i < mi->nranges; i++)
		if (mi->ranges[i].length > UINT64_MAX - mi->ranges[i].start)
			return ms_err(ctx, -EBADMSG, "%s: range %zu, 0x%" PRIx64 " plus %" PRIu64 " bytes, passes the end of the address space; is this a regiondump manifest?",
				      path, i + 1, mi->ranges[i].start, mi->ranges[i].length);
	v = malloc(mi->nranges * sizeof(*v));
	if (!v)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < mi->nranges; i++)
		v[i] = &mi->ranges[i];
	qsort(v, mi->nranges, sizeof(*v), by_start);
	/* Sweep by start, keeping the range that reaches furthest; empty ones claim nothing. */
	for (i = 0, far = NULL; i < mi->nranges && rc == 0; i++) {
		const struct ms_manifest_range *a = far, *b = v[i];

		if (!b->length)
			continue;
		if (a && b->start < a->start + a->length) {
			if (a > b) {
				a = v[i];
				b = far;
			}
			rc = ms_err(ctx, -EBADMSG, "%s: ranges %zu and %zu overlap (0x%" PRIx64 "-0x%" PRIx64 " and 0x%" PRIx64 "-0x%" PRIx64 "); is this a regiondump manifest?",
				    path, (size_t)(a - mi->ranges) + 1, (size_t)(b - mi->ranges) + 1,
				    a->start, a->start + a->length, b->start, b->start + b->length);
		}
		if (!far || b->start + b->length > far->start + far->length)
			far = b;
	}
	free(v);
	return rc;
}

int ms_manifest_load(struct ms_ctx *ctx, const char *path, struct ms_manifest_info *out)
{
	struct ms_manifest_info info = { 0 };
	struct jp j = { .ctx = ctx, .path = path, .out = &info };
	size_t n, cap = MANIFEST_MAX;
	char *buf = NULL;
	struct stat st;
	FILE *fp;
	int rc;

	fp = fopen(path, "re");
	if (!fp)
		return errno == ENOENT ? -ENOENT : ms_err_errno(ctx, -errno, "%s", path);
	/*
	 * A manifest is a few KiB: room for the file as it is, and a page more
	 * for one still growing, rather than the 16 MiB any input may take (a
	 * pipe's size is not known: it gets them).
	 */
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < MANIFEST_MAX - 4096)
		cap = (size_t)st.st_size + 4096;
	buf = malloc(cap);
	if (!buf) {
		fclose(fp);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	n = fread(buf, 1, cap, fp);
	rc = ferror(fp) ? ms_err(ctx, -EIO, "%s: read error", path) : 0;
	fclose(fp);
	if (rc < 0)
		goto out;
	j.s = j.p = buf;
	j.end = buf + n;
	ws(&j);
	if (j.p >= j.end || *j.p != '{') {
		rc = bad(&j, "not a JSON object");
		goto out;
	}
	rc = value(&j, 0, W_TOP);
	if (rc < 0)
		goto out;
	ws(&j);
	if (j.p != j.end) {
		rc = bad(&j, "trailing data after the object");
		goto out;
	}
	if (!j.have_start && !j.have_range_start) {
		rc = bad(&j, "no \"start\" address");
		goto out;
	}
	rc = check_ranges(ctx, path, &info);
	if (rc < 0)
		goto out;
	if (j.have_ranges && !info.has_length) {
		info.length = j.range_sum;
		info.has_length = true;
	}
	info.maps = j.maps;
	j.maps = NULL;
	info.build_ids = j.bids;
	j.bids = NULL;
	*out = info;
out:
	if (rc < 0)
		free(info.ranges);
	free(j.maps);
	free(j.bids);
	free(buf);
	return rc;
}

void ms_manifest_release(struct ms_manifest_info *mi)
{
	free(mi->ranges);
	mi->ranges = NULL;
	mi->nranges = 0;
	free(mi->maps);
	mi->maps = NULL;
	free(mi->build_ids);
	mi->build_ids = NULL;
}

bool ms_manifest_addr(const struct ms_manifest_info *mi, uint64_t off, uint64_t *addr)
{
	size_t lo = 0, hi = mi->nranges, mid;

	if (!mi->nranges) {
		*addr = mi->start + off;
		return !mi->has_length || off < mi->length;
	}
	/* Ranges lie back to back in the dump: search by offset. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (off < mi->ranges[mid].offset)
			hi = mid;
		else if (off >= mi->ranges[mid].offset + mi->ranges[mid].length)
			lo = mid + 1;
		else {
			*addr = mi->ranges[mid].start + (off - mi->ranges[mid].offset);
			return true;
		}
	}
	return false;
}

bool ms_manifest_offset(const struct ms_manifest_info *mi, uint64_t addr, uint64_t *off)
{
	size_t i;

	if (!mi->nranges) {
		*off = addr - mi->start;
		return addr >= mi->start && (!mi->has_length || addr - mi->start < mi->length);
	}
	for (i = 0; i < mi->nranges; i++)
		if (addr >= mi->ranges[i].start && addr - mi->ranges[i].start < mi->ranges[i].length) {
			*off = mi->ranges[i].offset + (addr - mi->ranges[i].start);
			return true;
		}
	return false;
}
