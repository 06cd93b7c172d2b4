// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * profile.proto by hand: the message is small (varints and length-delimited
 * fields only), so a protobuf library would add a dependency for ~150
 * lines.  Field numbers from github.com/google/pprof proto/profile.proto.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <memsift/pprof.h>

#include "internal.h"
#include "util.h"

/* Profile's fields. */
enum { P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5,
       P_STRING_TABLE = 6, P_TIME_NANOS = 9, P_DURATION_NANOS = 10,
       P_PERIOD_TYPE = 11, P_PERIOD = 12 };
enum { WT_VARINT = 0, WT_LEN = 2 };

struct buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

struct ms_pprof {
	struct buf types, samples, mappings, locs, funcs;
	char **strs;
	size_t nstrs, cap_strs;
	uint64_t *loc_addr;	/* location id I+1 has address loc_addr[I] */
	size_t nlocs, cap_locs;
	uint64_t *func_key;	/* function id I+1: name and file string indices */
	size_t nfuncs, cap_funcs;
	int64_t time_ns, duration_ns;
	int64_t first_type, first_unit;
	size_t ntypes;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->oom || !n)
		return;
	/* A length past SIZE_MAX is as out of memory as a failed realloc. */
	if (b->len + n < b->len || MS_GROW(b->p, b->cap, b->len + n, 256) < 0) {
		b->oom = true;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void varint(struct buf *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;

	do {
		t[n] = v & 0x7f;
		v >>= 7;
		if (v)
			t[n] |= 0x80;
		n++;
	} while (v);
	put(b, t, n);
}

static void key(struct buf *b, unsigned field, unsigned wt)
{
	varint(b, (uint64_t)field << 3 | wt);
}

static void field_u64(struct buf *b, unsigned field, uint64_t v)
{
	key(b, field, WT_VARINT);
	varint(b, v);
}

static void field_bytes(struct buf *b, unsigned field, const void *d, size_t n)
{
	key(b, field, WT_LEN);
	varint(b, n);
	put(b, d, n);
}

/* Append message M as field FIELD of B, and empty M for the next one. */
static void field_msg(struct buf *b, unsigned field, struct buf *m)
{
	field_bytes(b, field, m->p, m->len);
	b->oom |= m->oom;
	m->len = 0;
}

/* The string table index of S, added if new; -1 when out of memory. */
static int64_t str_index(struct ms_pprof *p, const char *s)
{
	size_t i;

	if (!s)
		s = "";
	for (i = 0; i < p->nstrs; i++)
		if (!strcmp(p->strs[i], s))
			return (int64_t)i;
	if (MS_GROW(p->strs, p->cap_strs, p->nstrs + 1, 64) < 0)
		return -1;
	p->strs[p->nstrs] = strdup(s);
	if (!p->strs[p->nstrs])
		return -1;
	return (int64_t)p->nstrs++;
}

int ms_pprof_new(struct ms_ctx *ctx, struct ms_pprof **out)
{
	struct ms_pprof *p = calloc(1, sizeof(*p));

	/* string_table[0] must be "". */
	if (!p || str_index(p, "") != 0) {
		ms_pprof_free(p);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	p->first_type = -1;
	*out = p;
	return 0;
}

void ms_pprof_free(struct ms_pprof *p)
{
	size_t i;

	if (!p)
		return;
	free(p->types.p);
	free(p->samples.p);
	free(p->mappings.p);
	free(p->locs.p);
	free(p->funcs.p);
	for (i = 0; i < p->nstrs; i++)
		free(p->strs[i]);
	free(p->strs);
	free(p->loc_addr);
	free(p->func_key);
	free(p);
}

int ms_pprof_add_type(struct ms_pprof *p, const char *type, const char *unit)
{
	int64_t t = str_index(p, type), u = str_index(p, unit);
	struct buf m = { 0 };

	if (t < 0 || u < 0)
		return -ENOMEM;
	if (p->first_type < 0) {
		p->first_type = t;
		p->first_unit = u;
	}
	field_u64(&m, 1, (uint64_t)t);
	field_u64(&m, 2, (uint64_t)u);
	field_msg(&p->types, P_SAMPLE_TYPE, &m);
	free(m.p);
	p->ntypes++;
	return p->types.oom ? -ENOMEM : 0;
}

int ms_pprof_set_binary(struct ms_pprof *p, const char *file)
{
	int64_t f = str_index(p, file);
	struct buf m = { 0 };

	if (f < 0)
		return -ENOMEM;
	field_u64(&m, 1, 1);			/* id */
	field_u64(&m, 5, (uint64_t)f);		/* filename */
	field_u64(&m, 7, 1);			/* has_functions */
	field_u64(&m, 8, 1);			/* has_filenames */
	field_u64(&m, 9, 1);			/* has_line_numbers */
	field_msg(&p->mappings, P_MAPPING, &m);
	free(m.p);
	return p->mappings.oom ? -ENOMEM : 0;
}

void ms_pprof_set_time(struct ms_pprof *p, int64_t time_ns, int64_t duration_ns)
{
	p->time_ns = time_ns;
	p->duration_ns = duration_ns;
}

static uint64_t function_id(struct ms_pprof *p, const char *name, const char *file)
{
	int64_t n = str_index(p, name), f = str_index(p, file);
	struct buf m = { 0 };
	size_t i;

	if (n < 0 || f < 0)
		return 0;
	for (i = 0; i < p->nfuncs; i++)
		if (p->func_key[2 * i] == (uint64_t)n && p->func_key[2 * i + 1] == (uint64_t)f)
			return i + 1;
	/* FUNC_KEY holds a (name, file) pair per function. */
	if (ms_grow((void **)&p->func_key, &p->cap_funcs, p->nfuncs + 1, 2 * sizeof(*p->func_key),
		    64) < 0)
		return 0;
	p->func_key[2 * p->nfuncs] = (uint64_t)n;
	p->func_key[2 * p->nfuncs + 1] = (uint64_t)f;
	p->nfuncs++;
	field_u64(&m, 1, p->nfuncs);		/* id */
	field_u64(&m, 2, (uint64_t)n);		/* name */
	field_u64(&m, 3, (uint64_t)n);		/* system_name */
	field_u64(&m, 4, (uint64_t)f);		/* filename */
	field_msg(&p->funcs, P_FUNCTION, &m);
	free(m.p);
	return p->funcs.oom ? 0 : p->nfuncs;
}

uint64_t ms_pprof_location_lines(struct ms_pprof *p, uint64_t addr,
				 const struct ms_pprof_line *lines, size_t n)
{
	struct buf m = { 0 }, l = { 0 };
	uint64_t fid;
	size_t i;

	for (i = 0; i < p->nlocs; i++)
		if (p->loc_addr[i] == addr)
			return i + 1;
	if (!n || MS_GROW(p->loc_addr, p->cap_locs, p->nlocs + 1, 64) < 0)
		return 0;
	field_u64(&m, 1, p->nlocs + 1);		/* id */
	field_u64(&m, 3, addr);			/* address */
	for (i = 0; i < n; i++) {
		fid = function_id(p, lines[i].name, lines[i].file);
		if (!fid)
			break;
		field_u64(&l, 1, fid);		/* Line.function_id */
		if (lines[i].line > 0)
			field_u64(&l, 2, (uint64_t)lines[i].line);
		field_msg(&m, 4, &l);		/* line */
	}
	if (i == n)
		field_msg(&p->locs, P_LOCATION, &m);
	free(l.p);
	free(m.p);
	if (i < n || p->locs.oom || m.oom)
		return 0;
	p->loc_addr[p->nlocs++] = addr;
	return p->nlocs;
}

uint64_t ms_pprof_location(struct ms_pprof *p, uint64_t addr, const char *name,
			   const char *file, int line)
{
	const struct ms_pprof_line l = { name, file, line };

	return ms_pprof_location_lines(p, addr, &l, 1);
}

int ms_pprof_add_sample(struct ms_pprof *p, const uint64_t *locs, size_t n,
			const int64_t *values, const char *label_key, const char *label)
{
	struct buf m = { 0 }, packed = { 0 }, lab = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		varint(&packed, locs[i]);
	field_bytes(&m, 1, packed.p, packed.len);	/* location_id, packed */
	packed.len = 0;
	for (i = 0; i < p->ntypes; i++)
		varint(&packed, (uint64_t)values[i]);
	field_bytes(&m, 2, packed.p, packed.len);	/* value, packed */
	if (label_key && label) {
		int64_t k = str_index(p, label_key), v = str_index(p, label);

		if (k < 0 || v < 0)
			m.oom = true;
		field_u64(&lab, 1, (uint64_t)k);
		field_u64(&lab, 2, (uint64_t)v);
		field_msg(&m, 3, &lab);
	}
	m.oom |= packed.oom;
	field_msg(&p->samples, P_SAMPLE, &m);
	free(m.p);
	free(packed.p);
	free(lab.p);
	return p->samples.oom ? -ENOMEM : 0;
}

int ms_pprof_write(struct ms_ctx *ctx, struct ms_pprof *p, FILE *fp)
{
	struct buf all = { 0 }, m = { 0 };
	unsigned char out[16384];
	z_stream z;
	size_t i;
	int rc = 0, zr;

	put(&all, p->types.p, p->types.len);
	put(&all, p->samples.p, p->samples.len);
	put(&all, p->mappings.p, p->mappings.len);
	put(&all, p->locs.p, p->locs.len);
	put(&all, p->funcs.p, p->funcs.len);
	for (i = 0; i < p->nstrs; i++)
		field_bytes(&all, P_STRING_TABLE, p->strs[i], strlen(p->strs[i]));
	if (p->time_ns)
		field_u64(&all, P_TIME_NANOS, (uint64_t)p->time_ns);
	if (p->duration_ns)
		field_u64(&all, P_DURATION_NANOS, (uint64_t)p->duration_ns);
	if (p->first_type >= 0) {
		field_u64(&m, 1, (uint64_t)p->first_type);
		field_u64(&m, 2, (uint64_t)p->first_unit);
		field_msg(&all, P_PERIOD_TYPE, &m);
		field_u64(&all, P_PERIOD, 1);
	}
	free(m.p);
	if (all.oom || p->types.oom || p->samples.oom || p->mappings.oom || p->locs.oom ||
	    p->funcs.oom) {
		free(all.p);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	memset(&z, 0, sizeof(z));
	/* 16 + 15 window bits: a gzip header, as pprof reads it. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + 15, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(all.p);
		return ms_err(ctx, -ENOMEM, "zlib: cannot start compressing");
	}
	z.next_in = all.p;
	z.avail_in = (uInt)all.len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			rc = ms_err(ctx, -EIO, "zlib: compression failed");
			break;
		}
		if (fwrite(out, 1, sizeof(out) - z.avail_out, fp) != sizeof(out) - z.avail_out) {
			rc = ms_err_errno(ctx, -EIO, "cannot write the profile");
			break;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
	free(all.p);
	return rc;
}
