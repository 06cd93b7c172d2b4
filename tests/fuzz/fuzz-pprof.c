// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: growtrace's pprof writer (lib/pprof.c), round trip.  The input
 * is a list of calls (types, locations with names and files, samples of
 * those locations with values and labels, the binary, the time); the
 * profile written is gunzipped (zlib) and decoded here as pprof would read
 * profile.proto: well-formed protobuf, string_table[0] empty, as many
 * sample types, samples and locations as were added, every index into the
 * string table, the locations and the functions in range.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <memsift/pprof.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x) do { if (!(x)) __builtin_trap(); } while (0)

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t byte(struct in *in)
{
	uint8_t b = in->n ? *in->p : 0;

	if (in->n) {
		in->p++;
		in->n--;
	}
	return b;
}

static uint64_t u64(struct in *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | byte(in);
	return v;
}

/* A string of up to 15 bytes, NUL-terminated (the API takes C strings). */
static void str(struct in *in, char *buf)
{
	size_t n = byte(in) % 16, i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(byte(in) | 1);
	buf[n] = '\0';
}

/* The decoder: a message at [P, END). */
struct msg {
	const uint8_t *p, *end;
};

static bool varint(struct msg *m, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (m->p < m->end && shift < 64) {
		uint8_t b = *m->p++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
		shift += 7;
	}
	return false;
}

/* The next field: its number, wire type, and a varint's value or a bytes' span. */
static bool field(struct msg *m, unsigned *num, unsigned *wt, uint64_t *v, struct msg *sub)
{
	uint64_t key;

	if (m->p >= m->end)
		return false;
	check(varint(m, &key));
	*num = (unsigned)(key >> 3);
	*wt = key & 7;
	check(*num > 0);
	if (*wt == 0) {
		check(varint(m, v));
	} else if (*wt == 2) {
		check(varint(m, v) && *v <= (uint64_t)(m->end - m->p));
		sub->p = m->p;
		sub->end = m->p + *v;
		m->p += *v;
	} else {
		check(0);	/* the writer uses varints and bytes only */
	}
	return true;
}

struct counts {
	size_t types, samples, locs, funcs, strs;
	bool first_str_empty;
};

/* The top level: counts first, then the references checked against them. */
static void decode(const uint8_t *buf, size_t len, size_t ntypes, struct counts *c)
{
	struct msg top = { buf, buf + len }, sub, f;
	unsigned num, wt;
	uint64_t v;

	memset(c, 0, sizeof(*c));
	while (field(&top, &num, &wt, &v, &sub)) {
		c->types += num == 1;
		c->samples += num == 2;
		c->locs += num == 4;
		c->funcs += num == 5;
		if (num == 6) {
			if (!c->strs)
				c->first_str_empty = v == 0;
			c->strs++;
		}
		if (num >= 1 && num <= 6)
			check(wt == 2);
	}
	top = (struct msg){ buf, buf + len };
	size_t locn = 0;

	while (field(&top, &num, &wt, &v, &sub)) {
		unsigned n2, w2;
		uint64_t v2;
		size_t nvals = 0;

		switch (num) {
		case 1:	/* ValueType: type, unit */
		case 11:
			while (field(&sub, &n2, &w2, &v2, &f))
				check(w2 != 0 || v2 < c->strs);
			break;
		case 2:	/* Sample: location_id (packed), value (packed), label */
			while (field(&sub, &n2, &w2, &v2, &f)) {
				if (n2 == 1 && w2 == 2)
					while (f.p < f.end) {
						check(varint(&f, &v2));
						check(v2 >= 1 && v2 <= c->locs);
					}
				if (n2 == 2 && w2 == 2)
					while (f.p < f.end) {
						check(varint(&f, &v2));
						nvals++;
					}
				if (n2 == 3) {
					struct msg g;
					unsigned n3, w3;
					uint64_t v3;

					while (field(&f, &n3, &w3, &v3, &g))
						check(w3 != 0 || v3 < c->strs);
				}
			}
			check(nvals == ntypes);
			break;
		case 4:	/* Location: id (its place, from 1), address, line { function_id, line } */
			locn++;
			while (field(&sub, &n2, &w2, &v2, &f)) {
				if (n2 == 1)
					check(v2 == locn);
				if (n2 == 4) {
					struct msg g;
					unsigned n3, w3;
					uint64_t v3;

					while (field(&f, &n3, &w3, &v3, &g))
						if (n3 == 1)
							check(v3 >= 1 && v3 <= c->funcs);
				}
			}
			break;
		case 5:	/* Function: id, name, system_name, filename */
			while (field(&sub, &n2, &w2, &v2, &f))
				if (n2 >= 2 && n2 <= 4)
					check(v2 < c->strs);
			break;
		default:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_pprof *p = NULL;
	uint64_t ids[64], maxid = 0;
	size_t nids = 0, ntypes = 0, nsamples = 0, ops = 0;
	bool sampled = false, binary = false;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	if (!ctx || ms_pprof_new(ctx, &p) < 0)
		goto done;
	while (in.n && ops++ < 200) {
		char a[16], b[16];

		switch (byte(&in) % 5) {
		case 0:
			str(&in, a);
			str(&in, b);
			/* Every type before the first sample, as the API asks. */
			if (!sampled && ntypes < 8 && ms_pprof_add_type(p, a, b) == 0)
				ntypes++;
			break;
		case 1: {
			uint64_t addr = u64(&in), id;
			int line = (int)(int8_t)byte(&in);
			bool nofile = byte(&in) & 1;

			str(&in, a);
			str(&in, b);
			id = ms_pprof_location(p, addr, a, nofile ? NULL : b, line);
			check(id != 0);
			check(id <= maxid + 1);
			if (id > maxid)
				maxid = id;
			if (nids < 64)
				ids[nids++] = id;
			break;
		}
		case 2: {
			uint64_t locs[16];
			int64_t values[8] = { 0 };
			size_t n = byte(&in) % 16, i;

			if (!nids)
				break;
			for (i = 0; i < n; i++)
				locs[i] = ids[byte(&in) % nids];
			for (i = 0; i < ntypes; i++)
				values[i] = (int64_t)u64(&in);
			str(&in, a);
			str(&in, b);
			if (ms_pprof_add_sample(p, locs, n, values, byte(&in) & 1 ? a : NULL, b) == 0)
				nsamples++;
			sampled = true;
			break;
		}
		case 3:
			str(&in, a);
			if (!binary)
				ms_pprof_set_binary(p, a);
			binary = true;
			break;
		case 4:
			ms_pprof_set_time(p, (int64_t)u64(&in), (int64_t)u64(&in));
			break;
		}
	}
	fp = open_memstream(&out, &outlen);
	if (!fp)
		goto done;
	check(ms_pprof_write(ctx, p, fp) == 0);
	check(fclose(fp) == 0);
	{
		size_t cap = 1 << 16, len = 0;
		uint8_t *raw = malloc(cap);
		z_stream z = { 0 };
		struct counts c;
		int zr;

		check(raw && inflateInit2(&z, 16 + 15) == Z_OK);
		z.next_in = (Bytef *)out;
		z.avail_in = (uInt)outlen;
		do {
			if (len == cap) {
				raw = realloc(raw, cap *= 2);
				check(raw);
			}
			z.next_out = raw + len;
			z.avail_out = (uInt)(cap - len);
			zr = inflate(&z, Z_NO_FLUSH);
			check(zr == Z_OK || zr == Z_STREAM_END);
			len = cap - z.avail_out;
		} while (zr != Z_STREAM_END);
		check(z.avail_in == 0);
		inflateEnd(&z);
		decode(raw, len, ntypes, &c);
		check(c.types == ntypes);
		check(c.samples == nsamples);
		check(c.locs == maxid);
		check(c.strs >= 1 && c.first_str_empty);
		free(raw);
	}
done:
	free(out);
	ms_pprof_free(p);
	ms_ctx_free(ctx);
	return 0;
}
