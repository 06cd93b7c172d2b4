// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/hist.c, lib/pattern.c (counting) and lib/manifest.c on buffers
 * the test builds itself, so every count is known exactly.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/hist.h>
#include <memsift/manifest.h>

#include "tap.h"

static struct ms_ctx *ctx;

/* Analyse BUF fed in pieces of PIECE bytes (0: at once). */
static struct ms_hist *run(const struct ms_hist_opts *o, const void *buf, size_t len,
			   size_t piece, const char *pattern, const char *regex)
{
	struct ms_hist *h = NULL;
	const uint8_t *p = buf;
	size_t k;

	if (ms_hist_new(ctx, o, &h) < 0) {
		printf("# ms_hist_new: %s\n", ms_ctx_errmsg(ctx));
		exit(1);
	}
	if (pattern && ms_hist_add_pattern(ctx, h, pattern) < 0)
		printf("# pattern: %s\n", ms_ctx_errmsg(ctx));
	if (regex && ms_hist_add_regex(ctx, h, regex) < 0)
		printf("# regex: %s\n", ms_ctx_errmsg(ctx));
	if (!piece)
		piece = len ? len : 1;
	for (; len; p += k, len -= k) {
		k = len < piece ? len : piece;
		ms_hist_feed(ctx, h, p, k);
	}
	ms_hist_finish(ctx, h);
	return h;
}

static uint64_t xs = 88172645463325252ULL;
static uint8_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return (uint8_t)(xs >> 24);
}

static const struct ms_hist_run *find_run(const struct ms_hist *h, uint8_t b, uint64_t len)
{
	size_t i;

	for (i = 0; i < ms_hist_run_count(h); i++)
		if (ms_hist_run(h, i)->byte == b && ms_hist_run(h, i)->length == len)
			return ms_hist_run(h, i);
	return NULL;
}

static const struct ms_hist_string *find_str(const struct ms_hist *h, const char *s, bool utf16)
{
	size_t i;

	for (i = 0; i < ms_hist_string_count(h); i++)
		if (!strcmp(ms_hist_string(h, i)->text, s) && ms_hist_string(h, i)->utf16 == utf16)
			return ms_hist_string(h, i);
	return NULL;
}

static void test_empty_and_one(void)
{
	struct ms_hist *h = run(NULL, "", 0, 0, NULL, NULL);

	is_u64(ms_hist_size(h), 0, "empty: size 0");
	ok(ms_hist_entropy(h) == 0, "empty: entropy 0");
	is_u64(ms_hist_blocks(h), 0, "empty: no blocks");
	is_u64(ms_hist_string_count(h) + ms_hist_run_count(h) + ms_hist_word_count(h), 0,
	       "empty: no strings, runs or words");
	ms_hist_free(h);

	h = run(NULL, "A", 1, 0, NULL, NULL);
	is_u64(ms_hist_size(h), 1, "one byte: size 1");
	is_u64(ms_hist_byte_count(h, 'A'), 1, "one byte: counted");
	is_u64(ms_hist_class_blocks(h, MS_BLOCK_FILL), 1, "one byte: one fill block");
	is_u64(ms_hist_word_count(h), 0, "one byte: no whole word");
	is_u64(ms_hist_zero_pages(h), 0, "one byte: no zero page");
	ms_hist_free(h);
}

static void test_entropy_and_zero_pages(void)
{
	uint8_t *b = malloc(5 * 4096 + 2048);
	struct ms_hist *h;
	size_t i;

	for (i = 0; i < 4096; i++)
		b[i] = (uint8_t)i;	/* each value 16 times */
	h = run(NULL, b, 4096, 0, NULL, NULL);
	ok(fabs(ms_hist_entropy(h) - 8.0) < 1e-9, "uniform over 256 values: entropy 8 (%f)",
	   ms_hist_entropy(h));
	is_u64(ms_hist_byte_count(h, 0x7f), 16, "uniform: each value 16 times");
	ms_hist_free(h);

	for (i = 0; i < 4096; i++)
		b[i] = i & 1 ? 'a' : 'b';
	h = run(NULL, b, 4096, 0, NULL, NULL);
	ok(fabs(ms_hist_entropy(h) - 1.0) < 1e-9, "two values, equal shares: entropy 1");
	ms_hist_free(h);

	/* pages: zero, zero, one byte set, zero, zero; then half a page of zeros */
	memset(b, 0, 5 * 4096 + 2048);
	b[2 * 4096 + 100] = 1;
	h = run(NULL, b, 5 * 4096 + 2048, 0, NULL, NULL);
	is_u64(ms_hist_zero_pages(h), 4, "4 whole zero pages; the half page does not count");
	is_u64(ms_hist_byte_count(h, 0), 5 * 4096 + 2048 - 1, "zero bytes counted");
	ms_hist_free(h);

	/* Blocks of 1K: a page is zero only if all four of its blocks are. */
	{
		struct ms_hist_opts o = { .block_size = 1024 };

		h = run(&o, b, 5 * 4096 + 2048, 1000, NULL, NULL);
		is_u64(ms_hist_zero_pages(h), 4, "1K blocks: same 4 zero pages");
		is_u64(ms_hist_blocks(h), 22, "1K blocks: 22 blocks");
		is_u64(ms_hist_class_blocks(h, MS_BLOCK_ZERO), 21, "1K blocks: 21 zero");
		ms_hist_free(h);
	}
	{
		struct ms_hist_opts o = { .block_size = 16384 };

		h = run(&o, b, 5 * 4096 + 2048, 0, NULL, NULL);
		is_u64(ms_hist_zero_pages(h), 4, "16K blocks: same 4 zero pages");
		ms_hist_free(h);
	}
	free(b);
}

static void test_runs(void)
{
	size_t len = 100 * 1026 + 8 * 64 + 64, off = 0, i, a;
	uint8_t *b = calloc(1, len);
	const struct ms_hist_run *r;
	struct ms_hist *h;

	/* 100 runs of 1024 'T', each followed by "ab" */
	for (i = 0; i < 100; i++) {
		memset(b + off, 'T', 1024);
		memcpy(b + off + 1024, "ab", 2);
		off += 1026;
	}
	/* runs of 16 'Q' at every alignment, and of 15 'R' (too short) */
	for (a = 0; a < 8; a++) {
		memset(b + off, '.', 64);
		memset(b + off + a + 1, 'Q', 16);
		memset(b + off + a + 30, 'R', 15);
		off += 64;
	}
	memset(b + off, '-', len - off);
	h = run(NULL, b, len, 0, NULL, NULL);
	r = find_run(h, 'T', 1024);
	ok(r != NULL, "1024 x 'T' found");
	if (r) {
		is_u64(r->count, 100, "1024 x 'T': 100 times");
		is_u64(r->bytes, 102400, "1024 x 'T': 102400 bytes");
		is_u64(r->first, 0, "1024 x 'T': first at 0");
	}
	r = find_run(h, 'Q', 16);
	ok(r && r->count == 8, "16 x 'Q' at all 8 alignments: 8 runs (%llu)",
	   r ? (unsigned long long)r->count : 0ULL);
	ok(r && r->first == 100 * 1026 + 1, "16 x 'Q': first where placed");
	ok(!find_run(h, 'R', 15), "runs of 15 below the minimum of 16 not counted");
	ok(ms_hist_run(h, 0)->byte == 'T', "ranked by total bytes: 'T' first");
	ok(!ms_hist_approximate(h), "exact");
	ms_hist_free(h);

	/* The same input fed 7 bytes at a time gives the same runs. */
	h = run(NULL, b, len, 7, NULL, NULL);
	r = find_run(h, 'T', 1024);
	ok(r && r->count == 100 && find_run(h, 'Q', 16) && find_run(h, 'Q', 16)->count == 8,
	   "fed in 7-byte pieces: same runs");
	ms_hist_free(h);
	free(b);
}

static void test_strings(void)
{
	size_t len = 64 * 1024, off = 0, i;
	uint8_t *b = calloc(1, len);
	const struct ms_hist_string *s;
	static const char w[] = "WIDESTR!";
	struct ms_hist *h;

	for (i = 0; i < 50; i++) {
		memcpy(b + off, "needle-string", 13);
		off += 13 + 3;
	}
	memcpy(b + off, "short", 5);	/* below 6: not a string */
	off += 8;
	memcpy(b + off, "AAAAAAAAAAAA", 12);	/* one character: a run, not a string */
	off += 16;
	off = (off + 1) & ~(size_t)1;
	for (i = 0; i < 10; i++) {
		size_t k;

		for (k = 0; k < sizeof(w) - 1; k++)
			b[off + 2 * k] = (uint8_t)w[k];
		off += 2 * (sizeof(w) - 1) + 4;
	}
	/* a string across the 4K block boundary */
	memcpy(b + 4096 - 5, "acrossblocks", 12);

	h = run(NULL, b, len, 0, NULL, NULL);
	s = find_str(h, "needle-string", false);
	ok(s && s->count == 50 && s->bytes == 650 && s->first == 0,
	   "\"needle-string\": 50 times, 650 bytes, first at 0");
	ok(!find_str(h, "short", false), "5 characters: below -n 6");
	ok(!find_str(h, "AAAAAAAAAAAA", false), "one repeated character is not a string");
	s = find_str(h, "WIDESTR!", true);
	ok(s && s->count == 10 && s->bytes == 160, "UTF-16LE \"WIDESTR!\": 10 times, 160 bytes");
	s = find_str(h, "acrossblocks", false);
	ok(s && s->count == 1 && s->first == 4096 - 5, "a string across blocks, whole");
	is_str(ms_hist_string(h, 0)->text, "needle-string", "ranked by total bytes");
	ms_hist_free(h);

	{
		struct ms_hist_opts o = { .min_string = 4 };

		h = run(&o, b, len, 333, NULL, NULL);
		s = find_str(h, "short", false);
		ok(s && s->count == 1, "-n 4: \"short\" counted");
		s = find_str(h, "needle-string", false);
		ok(s && s->count == 50, "fed in 333-byte pieces: same count");
		ms_hist_free(h);
	}
	/* A budget of 8 strings and 100 distinct ones: approximate, and says so. */
	{
		struct ms_hist_opts o = { .string_budget = 8 };

		memset(b, 0, len);
		for (i = 0; i < 100; i++)
			snprintf((char *)b + 16 * i, 16, "distinct-%03zu", i);
		h = run(&o, b, len, 0, NULL, NULL);
		ok(ms_hist_string_count(h) <= 8, "budget 8: at most 8 kept (%zu)",
		   ms_hist_string_count(h));
		ok(ms_hist_approximate(h) & MS_HIST_APPROX_STRINGS, "budget 8: approximate");
		ms_hist_free(h);
	}
	free(b);
}

static const enum ms_block_class classes_want[] = {
	MS_BLOCK_ZERO, MS_BLOCK_FILL, MS_BLOCK_TEXT, MS_BLOCK_UTF16,
	MS_BLOCK_POINTERS, MS_BLOCK_RANDOM, MS_BLOCK_BINARY };

/* One 4 KiB block of each class, in the order of classes_want[]. */
static uint8_t *classes_buf(void)
{
	size_t n = sizeof(classes_want) / sizeof(classes_want[0]), i;
	uint8_t *b = calloc(n, 4096), *p;

	if (!b)
		exit(1);
	memset(b + 4096, 0xa5, 4096);
	for (p = b + 2 * 4096, i = 0; i < 4096; i++)
		p[i] = "The quick brown fox jumps over the lazy dog.\n"[i % 45];
	for (p = b + 3 * 4096, i = 0; i < 2048; i++)
		p[2 * i] = "wide text\n"[i % 10];
	for (p = b + 4 * 4096, i = 0; i < 512; i++) {
		uint64_t v = i % 2 ? 0x7f3a1c000000ULL + 48 * i : i;

		memcpy(p + 8 * i, &v, 8);
	}
	for (p = b + 5 * 4096, i = 0; i < 4096; i++)
		p[i] = rnd();
	for (p = b + 6 * 4096, i = 0; i < 4096; i++)
		p[i] = (uint8_t)(i % 3 ? i % 5 : 0xf0 + i % 4);
	return b;
}

static void test_classes(void)
{
	const enum ms_block_class *want = classes_want;
	size_t n = sizeof(classes_want) / sizeof(classes_want[0]), i;
	uint8_t *b = classes_buf();
	const struct ms_hist_region *g;
	struct ms_hist *h;

	h = run(NULL, b, n * 4096, 0, NULL, NULL);
	is_u64(ms_hist_region_count(h), n, "one region per block");
	for (i = 0; i < n; i++) {
		g = ms_hist_region(h, i);
		ok(g && g->cls == want[i] && g->start == 4096 * i, "block %zu: %s (%s)", i,
		   ms_block_class_str(want[i]), g ? ms_block_class_str(g->cls) : "none");
	}
	g = ms_hist_region(h, 1);
	ok(g && g->fill == 0xa5, "fill block: byte 0xa5");
	is_u64(ms_hist_class_bytes(h, MS_BLOCK_TEXT), 4096, "text: 4096 bytes");
	ok(ms_hist_pointer_like(0x55d2ef7c0000ULL) && ms_hist_pointer_like(0xc000010000ULL) &&
	   !ms_hist_pointer_like(4096) && !ms_hist_pointer_like(0x3ff0000000000000ULL),
	   "pointer-like: heap, mmap, Go heap; not small ints or doubles");
	ms_hist_free(h);
	free(b);
}

/*
 * ms_hist_opts.skip: with every table left out, the byte counts, zero pages
 * and classes are still those of the blocks the test made, and the tables
 * are empty; fed in odd pieces, so blocks straddle the feeds.
 */
static void test_skip(void)
{
	size_t n = sizeof(classes_want) / sizeof(classes_want[0]), i, c;
	struct ms_hist_opts o = { .skip = MS_HIST_NO_RUNS | MS_HIST_NO_STRINGS |
					  MS_HIST_NO_WORDS | MS_HIST_NO_REGIONS };
	uint64_t count[256] = { 0 }, want_blocks[MS_BLOCK_NCLASSES] = { 0 };
	uint8_t *b = classes_buf();
	struct ms_hist_record r;
	struct ms_hist *h, *all;
	int same = 1;

	for (i = 0; i < n * 4096; i++)
		count[b[i]]++;
	for (i = 0; i < n; i++)
		want_blocks[classes_want[i]]++;
	h = run(&o, b, n * 4096, 1000, NULL, NULL);
	for (c = 0; c < 256; c++)
		same &= ms_hist_byte_count(h, (uint8_t)c) == count[c];
	ok(same, "skip: every byte value counted");
	is_u64(ms_hist_zero_pages(h), 1, "skip: one zero page");
	for (c = 0; c < MS_BLOCK_NCLASSES; c++)
		is_u64(ms_hist_class_blocks(h, (enum ms_block_class)c), want_blocks[c],
		       "skip: %s blocks", ms_block_class_str((enum ms_block_class)c));
	ok(!ms_hist_run_count(h) && !ms_hist_string_count(h) && !ms_hist_word_count(h) &&
	   !ms_hist_region_count(h) && ms_hist_record_get(h, &r) == -ENOENT,
	   "skip: no runs, strings, words, regions or record");
	is_int(ms_hist_approximate(h), 0, "skip: nothing approximate");
	all = run(NULL, b, n * 4096, 1000, NULL, NULL);
	ok(ms_hist_run_count(all) && ms_hist_string_count(all) && ms_hist_word_count(all) &&
	   ms_hist_region_count(all) == n, "no skip: the same input fills every table");
	ms_hist_free(all);
	ms_hist_free(h);
	free(b);
}

/* COUNT records of SIZE bytes: a header word, then a fill, then a serial. */
static void test_records(void)
{
	size_t size = 1040, count = 300, i, len = 4096 + size * count;
	unsigned char *buf = calloc(1, len);
	struct ms_hist_record r;
	struct ms_hist *h = NULL;
	uint64_t w;

	for (i = 0; i < count; i++) {
		unsigned char *p = buf + 4096 + i * size;

		w = 0x411;
		memcpy(p, &w, 8);
		memset(p + 8, 'T', size - 16);
		w = i;
		memcpy(p + size - 8, &w, 8);
	}
	ok(ms_hist_new(ctx, NULL, &h) == 0 && ms_hist_feed(ctx, h, buf, len) == 0 &&
	   ms_hist_finish(ctx, h) == 0, "records: scanned");
	ok(h && ms_hist_record_get(h, &r) == 0, "records: found");
	if (h && ms_hist_record_get(h, &r) == 0) {
		is_u64(r.size, size, "records: the stride is the record size");
		is_u64(r.count, count, "records: every record counted");
		is_u64(r.first, 4096, "records: from the first one");
		is_u64(r.word, 0x411, "records: by their header word");
	}
	ms_hist_free(h);
	h = NULL;
	/* Fewer than MS_HIST_RECORD_MIN, or only fill: no records. */
	memset(buf, 'T', len);
	ok(ms_hist_new(ctx, NULL, &h) == 0 && ms_hist_feed(ctx, h, buf, len) == 0 &&
	   ms_hist_finish(ctx, h) == 0 && ms_hist_record_get(h, &r) == -ENOENT,
	   "records: a fill is no record");
	ms_hist_free(h);
	free(buf);
}

static void test_words_patterns(void)
{
	size_t len = 8192, i;
	uint8_t *b = calloc(1, len);
	uint64_t v = 0x1122334455667788ULL;
	const struct ms_pattern *pt;
	struct ms_hist *h;

	for (i = 0; i < 100; i++)
		memcpy(b + 16 * i + 8, &v, 8);
	memcpy(b + 4093, "\xde\xad\xbe\xef", 4);	/* across the block and feed boundary */
	memcpy(b + 6000, "\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
	memcpy(b + 7000, "leak-42 leak-7 leak-", 20);
	h = run(NULL, b, len, 4095, "de ad be ef", "leak-[0-9]+");
	ok(ms_hist_word(h, 0)->value == 0 && ms_hist_word(h, 1)->value == v,
	   "words: 0 first, then 0x1122334455667788");
	is_u64(ms_hist_word(h, 1)->count, 100, "word: 100 times");
	is_u64(ms_hist_word(h, 1)->first, 8, "word: first at 8");
	is_u64(ms_hist_pattern_count(h), 2, "two patterns");
	pt = ms_hist_pattern(h, 0);
	ok(pt && pt->count == 3 && pt->first == 4093, "-e deadbeef: 3 times, first at 4093 (%llu)",
	   pt ? (unsigned long long)pt->count : 0ULL);
	pt = ms_hist_pattern(h, 1);
	ok(pt && pt->regex && pt->count == 2 && pt->first == 7000, "-E leak-[0-9]+: 2 matches");
	ms_hist_free(h);

	h = NULL;
	ms_hist_new(ctx, NULL, &h);
	is_int(ms_hist_add_pattern(ctx, h, "xyz"), -EINVAL, "bad hex refused");
	is_int(ms_hist_add_regex(ctx, h, "(unclosed"), -EINVAL, "bad regex refused");
	ok(strstr(ms_ctx_errmsg(ctx), "(unclosed") != NULL, "message names the regex");
	ms_hist_free(h);
	free(b);
}

static void test_options(void)
{
	struct ms_hist_opts o = { .block_size = 3000 };
	struct ms_hist *h = NULL;

	is_int(ms_hist_new(ctx, &o, &h), -EINVAL, "block size 3000 refused");
	is_str(ms_ctx_errmsg(ctx), "block size 3000 is not a power of two from 512 to 1M",
	       "block size message");
	o = (struct ms_hist_opts){ .min_run = 8 };
	is_int(ms_hist_new(ctx, &o, &h), -EINVAL, "min run 8 refused");
}

static uint64_t word_count_of(const struct ms_hist *h, uint64_t v)
{
	size_t i;

	for (i = 0; i < ms_hist_word_count(h); i++)
		if (ms_hist_word(h, i)->value == v)
			return ms_hist_word(h, i)->count;
	return 0;
}

/*
 * A word table of 4096 slots over 4 MiB of distinct pointer-like words, a
 * header word every 8th: full early, it samples 1 block in 8 once it has
 * dropped 4096 words, and the header's count is an estimate near the truth;
 * fed in odd pieces it is the same; --sample 1 keeps a lower bound.
 */
static void test_sampling(void)
{
	const uint64_t hdr = 0x00007f3a1c2b0041ULL;
	size_t len = 4 << 20, i, truth = 0;
	struct ms_hist_opts o = { .sample = 3 };
	struct ms_hist *h = NULL, *g;
	uint64_t *w = malloc(len), from = 0, from2 = 0, c;

	is_int(ms_hist_new(ctx, &o, &h), -EINVAL, "sample 3 refused");
	is_str(ms_ctx_errmsg(ctx), "sampling of 1 block in 3: 3 is not a power of two from 1 to 1024",
	       "sample message");
	o.sample = 2048;
	is_int(ms_hist_new(ctx, &o, &h), -EINVAL, "sample 2048 refused");
	for (i = 0; i < len / 8; i++) {
		w[i] = i % 8 ? 0x7f0000000000ULL | ((uint64_t)rnd() << 32 | (uint64_t)rnd() << 24 |
						   (uint64_t)rnd() << 16 | (uint64_t)rnd() << 8) : hdr;
		truth += w[i] == hdr;
	}
	o = (struct ms_hist_opts){ .word_budget = 4096 };
	h = run(&o, w, len, 0, NULL, NULL);
	is_int(ms_hist_sampled(h, MS_HIST_APPROX_WORDS, &from), 8, "full word table: 1 block in 8");
	ok(from > 0 && from % 4096 == 0 && from < len / 2, "sampling from a block's start (0x%llx)",
	   (unsigned long long)from);
	is_int(ms_hist_sampled(h, MS_HIST_APPROX_STRINGS, NULL), 0, "no string: no sampling");
	c = word_count_of(h, hdr);
	ok(c * 10 >= truth * 9 && c * 10 <= truth * 11, "header word: %llu, truth %zu",
	   (unsigned long long)c, truth);
	g = run(&o, w, len, 333, NULL, NULL);
	ms_hist_sampled(g, MS_HIST_APPROX_WORDS, &from2);
	ok(from2 == from && word_count_of(g, hdr) == c, "fed in 333-byte pieces: the same");
	ms_hist_free(g);
	ms_hist_free(h);
	o.sample = 1;
	h = run(&o, w, len, 0, NULL, NULL);
	is_int(ms_hist_sampled(h, MS_HIST_APPROX_WORDS, NULL), 0, "sample 1: never");
	c = word_count_of(h, hdr);
	ok(c > 0 && c <= truth, "sample 1: a lower bound (%llu of %zu)", (unsigned long long)c, truth);
	ms_hist_free(h);
	free(w);
}

static int manifest(const char *json, struct ms_manifest_info *mi)
{
	char path[] = "/tmp/test-hist-manifest.XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
		return -EIO;
	close(fd);
	rc = ms_manifest_load(ctx, path, mi);
	unlink(path);
	return rc;
}

static void test_manifest(void)
{
	struct ms_manifest_info mi = { 0 };

	is_int(manifest("{\"pid\": 42, \"start\": \"0x7f3a1c000000\", \"length\": 4096,"
			" \"x\": {\"start\": 5}, \"l\": [1, true, null, \"s\\\"\"]}", &mi), 0,
	       "manifest: top-level start and length");
	ok(mi.start == 0x7f3a1c000000ULL && mi.has_length && mi.length == 4096,
	   "manifest: start 0x7f3a1c000000, 4096 bytes; nested start ignored");
	mi = (struct ms_manifest_info){ 0 };
	is_int(manifest("{\"ranges\": [{\"start\": \"7f0000001000\", \"length\": 8192},"
			" {\"start\": \"0x7f0000005000\", \"length\": 4096}]}", &mi), 0,
	       "manifest: ranges");
	ok(mi.start == 0x7f0000001000ULL && mi.length == 12288, "manifest: first start, sum of lengths");
	{
		uint64_t a = 0, off = 0;

		ok(mi.nranges == 2 && ms_manifest_addr(&mi, 8192, &a) && a == 0x7f0000005000ULL,
		   "manifest: the first byte of the second range is at its start");
		ok(ms_manifest_addr(&mi, 8191, &a) && a == 0x7f0000002fffULL,
		   "manifest: the last byte of the first range");
		ok(!ms_manifest_addr(&mi, 12288, &a), "manifest: past the end is no address");
		ok(ms_manifest_offset(&mi, 0x7f0000005010ULL, &off) && off == 8192 + 16 &&
		   !ms_manifest_offset(&mi, 0x7f0000004000ULL, &off), "manifest: address to offset");
	}
	ms_manifest_release(&mi);
	/* regiondump's own form: "requested", with "size" and keys of its own. */
	is_int(manifest("{\"pid\": 7, \"requested\": [{\"start\": \"0x1000\", \"end\": \"0x3000\","
			" \"size\": 8192, \"file_offset\": 0}, {\"start\": \"0x9000\", \"end\": \"0xa000\","
			" \"size\": 4096, \"file_offset\": 8192}], \"maps\": [{\"start\": \"0x5\"}]}", &mi), 0,
	       "manifest: regiondump's requested ranges");
	ok(mi.nranges == 2 && mi.length == 12288 && mi.ranges[1].start == 0x9000 &&
	   mi.ranges[1].offset == 8192, "manifest: two ranges back to back; other starts ignored");
	ms_manifest_release(&mi);
	is_int(manifest("{\"start\": \"0x1000\",", &mi), -EBADMSG, "manifest: truncated JSON refused");
	is_int(manifest("{\"pid\": 1}", &mi), -EBADMSG, "manifest: no start refused");
	ok(strstr(ms_ctx_errmsg(ctx), "no \"start\" address") != NULL, "manifest: says what is missing");
	is_int(ms_manifest_load(ctx, "/nonexistent/x.json", &mi), -ENOENT, "manifest: absent is -ENOENT");
}

int main(void)
{
	ctx = ms_ctx_new();
	test_empty_and_one();
	test_entropy_and_zero_pages();
	test_runs();
	test_strings();
	test_classes();
	test_skip();
	test_words_patterns();
	test_records();
	test_options();
	test_sampling();
	test_manifest();
	ms_ctx_free(ctx);
	return tap_done();
}
