// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/cluster.c: text shapes, and objects put into clusters by size and
 * signature from their own bytes (no symbolizer: magic, text, fill, zero),
 * their growth between two sets, and the records that point at payloads.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <memsift/cluster.h>

#include "tap.h"

static void shape(const char *in, const char *want)
{
	char out[MS_SHAPE_MAX];

	is_str(ms_text_shape(in, strlen(in), out, sizeof(out)), want, "shape of \"%s\"", in);
}

static struct ms_obj obj(uint64_t addr, uint64_t size, const void *data)
{
	return (struct ms_obj){ .addr = addr, .size = size, .data = data, .len = (size_t)size,
				.finder = MS_FIND_GLIBC_MAIN };
}

static const struct ms_cluster *find(const struct ms_clusters *c, uint64_t size,
				     enum ms_content content, int fill)
{
	size_t i;

	for (i = 0; i < ms_clusters_count(c); i++) {
		const struct ms_cluster *k = ms_clusters_get(c, i);

		if (k->size == size && k->content == content && (fill < 0 || k->fill == fill))
			return k;
	}
	return NULL;
}

/* A record: magic, then a pointer to its payload. */
struct rec {
	char magic[8];
	uint64_t payload;
	uint64_t len;
	uint64_t pad;
};

int main(void)
{
	static unsigned char payload[2][64][96];
	static struct rec recs[2][64];
	static char lines[10][64];
	static unsigned char zero[128];
	struct ms_clusters *c[2];
	struct ms_ctx *ctx = ms_ctx_new();
	const struct ms_cluster *k, *r;
	int round, i, n;

	shape("GET /api/v2/1234?tenant=acme&trace=3fa9c2d1e4b5a6f7 HTTP/1.1 200 12ms",
	      "GET /api/v2/#?tenant=acme&trace=# HTTP/#.# # #ms");
	shape("user 42 logged in from 10.0.0.7", "user # logged in from #.#.#.#");
	shape("md5 deadbeef cafe", "md5 deadbeef cafe");
	shape("id=0x7f3a1c000000 at 0xffff", "id=# at #");
	shape("", "");
	/* Digits that begin a word fold, the rest stays; a byte from 0x80 is no letter. */
	shape("12ghost v2 0xzz caf\xc3\xa9 0X1F", "#ghost v2 #xzz caf\xc3\xa9 #");
	{
		/* Longer than a shape holds: cut, NUL included. */
		char in[300], out[MS_SHAPE_MAX];

		memset(in, 'a', sizeof(in) - 1);
		in[sizeof(in) - 1] = '\0';
		ms_text_shape(in, strlen(in), out, sizeof(out));
		ok(strlen(out) == MS_SHAPE_MAX - 1, "a long word cut at %d", MS_SHAPE_MAX - 1);
	}
	ok(ms_text_shape_hash("worker-3 GET /a/17", 18) == ms_text_shape_hash("worker-12 GET /a/9", 18),
	   "one shape, one hash");
	ok(ms_text_shape_hash("worker-3 GET /a/17", 18) != ms_text_shape_hash("worker-3 PUT /a/17", 18),
	   "two shapes, two hashes");
	{
		/* Keyed: the shape ms_text_shape() writes and the hash ms_text_shape_hash() gives, at once. */
		const char *t = "conn-92982 from 10.1.2.3:4711 closed after 17ms";
		char a[MS_SHAPE_MAX], b[MS_SHAPE_MAX];
		uint64_t hv = ms_text_shape_keyed(t, strlen(t), a);

		ms_text_shape(t, strlen(t), b, sizeof(b));
		is_str(a, b, "keyed shape of \"%s\"", t);
		is_str(a, "conn-# from #.#.#.#:# closed after #ms", "keyed shape folds the numbers");
		ok(hv == ms_text_shape_hash(t, strlen(t)), "keyed hash is the shape's hash");
	}

	/* Two sets, the second with more of each: growth is the difference. */
	for (round = 0; round < 2; round++) {
		ok(ms_clusters_new(ctx, NULL, &c[round]) == 0, "new clusters %d", round);
		n = round ? 64 : 40;
		for (i = 0; i < n; i++) {
			struct ms_obj o;
			uint64_t paddr = 0x100000 + (uint64_t)i * 96;

			memset(payload[round][i], 'C', sizeof(payload[round][i]));
			memcpy(recs[round][i].magic, "CONFREC", 8);
			recs[round][i].payload = paddr;
			recs[round][i].len = 96;
			o = obj(paddr, 96, payload[round][i]);
			ms_clusters_add_cb(ctx, &o, c[round]);
			o = obj(0x200000 + (uint64_t)i * 32, 32, &recs[round][i]);
			ms_clusters_add_cb(ctx, &o, c[round]);
		}
		for (i = 0; i < 10; i++) {
			struct ms_obj o;

			snprintf(lines[i], sizeof(lines[i]), "GET /api/v2/%d?trace=%08x HTTP/1.1 200",
				 i * 37, 0x3fa9c2d1u + (unsigned)i);
			o = obj(0x300000 + (uint64_t)i * 64, 64, lines[i]);
			ms_clusters_add_cb(ctx, &o, c[round]);
		}
		for (i = 0; i < 5; i++) {
			struct ms_obj o = obj(0x400000 + (uint64_t)i * 128, 128, zero);

			ms_clusters_add_cb(ctx, &o, c[round]);
		}
		ok(ms_clusters_finish(ctx, c[round]) == 0, "finish %d", round);
	}
	ms_clusters_diff(c[1], c[0]);

	is_u64(ms_clusters_objects(c[1]), 64 * 2 + 10 + 5, "objects counted");
	k = find(c[1], 96, MS_CONTENT_FILL, 'C');
	ok(k != NULL, "the payloads are one fill cluster");
	if (k) {
		is_u64(k->count, 64, "64 payloads");
		is_int((int)k->delta, 24, "24 more than in the first set");
		r = ms_clusters_referrer(c[1], k);
		ok(r && !strcmp(r->magic, "CONFREC"), "the records point at them");
		is_int(k->ref_offset, 8, "from offset 8");
		ok(k->ref_share > 0.99, "every payload has its record");
	}
	k = ms_clusters_get(c[1], 0);
	ok(k && k->size == 96 && k->content == MS_CONTENT_FILL, "most growth in bytes ranks first");
	k = NULL;
	for (i = 0; i < (int)ms_clusters_count(c[1]); i++)
		if (!strcmp(ms_clusters_get(c[1], (size_t)i)->magic, "CONFREC"))
			k = ms_clusters_get(c[1], (size_t)i);
	ok(k && k->count == 64 && k->size == 32, "the records are one cluster by their magic");
	k = find(c[1], 64, MS_CONTENT_TEXT, -1);
	ok(k != NULL, "the lines are a text cluster");
	if (k) {
		is_u64(k->count, 10, "all ten lines in it, each different");
		is_str(k->shape, "GET /api/v2/#?trace=# HTTP/#.# #", "its shape");
		is_int((int)k->delta, 0, "the lines did not grow");
	}
	k = find(c[1], 128, MS_CONTENT_ZERO, -1);
	ok(k && k->count == 5, "untouched objects are a zero cluster");
	ok(k && k->share > 0.99, "all the 128-byte objects");

	ms_clusters_free(c[0]);
	ms_clusters_free(c[1]);
	ms_ctx_free(ctx);
	return tap_done();
}
