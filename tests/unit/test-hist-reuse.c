// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/hist.c hands a freed analysis's tables to the next one of the same
 * sizes after clearing only the slots it used.  A slot left dirty would show
 * as a string, word or run the next input does not hold, or as a count too
 * high; so a small input with counts this test knows is analysed after a
 * large one that overflowed every table, and the large one is analysed again
 * on the reused tables and must come out as it did on fresh ones.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/hist.h>

#include "tap.h"

static struct ms_ctx *ctx;

static const struct ms_hist_opts opts = {
	.block_size = 4096, .min_string = 6, .string_budget = 1024, .word_budget = 1024,
};

static struct ms_hist *run(const void *buf, size_t len)
{
	struct ms_hist *h = NULL;

	if (ms_hist_new(ctx, &opts, &h) < 0 || ms_hist_feed(ctx, h, buf, len) < 0 ||
	    ms_hist_finish(ctx, h) < 0) {
		printf("# hist: %s\n", ms_ctx_errmsg(ctx));
		exit(1);
	}
	return h;
}

static uint64_t xs = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

/*
 * The large input: thousands of distinct strings and words (past both
 * budgets, so entries are evicted and the word buckets' Misra-Gries frees
 * slots), and a run of each byte at each of 70 lengths (past the 16,384
 * exact runs, into the length buckets).
 */
static uint8_t *make_large(size_t *len)
{
	size_t cap = 4 << 20, n = 0, i, k;
	uint8_t *p = calloc(1, cap);
	unsigned b, l;

	if (!p)
		exit(1);
	for (i = 0; i < 6000; i++)
		n += (size_t)sprintf((char *)p + n, "string-%zu-%llx\n", i,
				     (unsigned long long)(rnd() & 0xffff));
	n = (n + 4095) & ~(size_t)4095;
	/* Pointer-like words, in a low-entropy block: some recur, most do not. */
	for (i = 0; i < 40000; i++) {
		uint64_t w = 0x00007f0000000000ULL | (rnd() % 3000) << 4;

		memcpy(p + n, &w, 8);
		n += 8;
	}
	for (b = 1; b < 256; b++)
		for (l = 16; l < 86; l++) {
			memset(p + n, (int)b, l);
			n += l;
			p[n++] = (uint8_t)(b ^ 0x5a);	/* ends the run: another byte */
		}
	for (k = 0; k < 3; k++, n++)
		p[n] = 0xee;
	*len = n;
	return p;
}

static int same_results(const struct ms_hist *a, const struct ms_hist *b)
{
	struct ms_hist_record ra, rb;
	size_t i;

	if (ms_hist_string_count(a) != ms_hist_string_count(b) ||
	    ms_hist_word_count(a) != ms_hist_word_count(b) ||
	    ms_hist_run_count(a) != ms_hist_run_count(b) ||
	    ms_hist_approximate(a) != ms_hist_approximate(b))
		return 0;
	for (i = 0; i < ms_hist_string_count(a); i++) {
		const struct ms_hist_string *x = ms_hist_string(a, i), *y = ms_hist_string(b, i);

		if (strcmp(x->text, y->text) || x->count != y->count || x->bytes != y->bytes ||
		    x->first != y->first || x->utf16 != y->utf16 || x->truncated != y->truncated)
			return 0;
	}
	for (i = 0; i < ms_hist_word_count(a); i++)
		if (memcmp(ms_hist_word(a, i), ms_hist_word(b, i), sizeof(struct ms_hist_word)))
			return 0;
	for (i = 0; i < ms_hist_run_count(a); i++) {
		const struct ms_hist_run *x = ms_hist_run(a, i), *y = ms_hist_run(b, i);

		if (x->byte != y->byte || x->length != y->length || x->count != y->count ||
		    x->bytes != y->bytes || x->first != y->first || x->bucket != y->bucket)
			return 0;
	}
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	ms_hist_record_get(a, &ra);
	ms_hist_record_get(b, &rb);
	return !memcmp(&ra, &rb, sizeof(ra));
}

int main(void)
{
	/* A word of no printable byte, so it starts no string. */
	const uint64_t word = 0x81828384858687f0ULL;
	const char *text = "memsift-reuse-check";
	struct ms_hist *large1, *large2, *small;
	const struct ms_hist_string *s;
	const struct ms_hist_run *r;
	uint8_t small_buf[4096] = { 0 };
	uint64_t zeros = 0, known = 0, runs_seen = 0;
	size_t len, i;
	uint8_t *big;

	ctx = ms_ctx_new();
	big = make_large(&len);
	large1 = run(big, len);
	ok(ms_hist_approximate(large1) & MS_HIST_APPROX_STRINGS, "large: strings evicted");
	ok(ms_hist_approximate(large1) & MS_HIST_APPROX_WORDS, "large: words evicted");
	ok(ms_hist_approximate(large1) & MS_HIST_APPROX_RUNS, "large: runs bucketed");

	/*
	 * The small input: the text at 100, 1100 and 2100, the word at 3000
	 * and the four words after it, zeros elsewhere.
	 */
	for (i = 0; i < 3; i++)
		memcpy(small_buf + 100 + 1000 * i, text, strlen(text));
	for (i = 0; i < 5; i++)
		memcpy(small_buf + 3000 + 8 * i, &word, 8);
	ms_hist_free(large1);
	small = run(small_buf, sizeof(small_buf));
	is_int(ms_hist_string_count(small), 1, "small after large: one string");
	s = ms_hist_string_count(small) ? ms_hist_string(small, 0) : NULL;
	is_str(s ? s->text : NULL, text, "small after large: the string's text");
	is_int(s ? s->count : 0, 3, "small after large: the string three times");
	is_int(s ? s->first : 0, 100, "small after large: first at 100");
	for (i = 0; i + 8 <= sizeof(small_buf); i += 8) {
		uint64_t w;

		memcpy(&w, small_buf + i, 8);
		zeros += w == 0;
	}
	for (i = 0; i < ms_hist_word_count(small); i++) {
		const struct ms_hist_word *w = ms_hist_word(small, i);

		if (w->value == word)
			known = w->count;
		else if (w->value == 0)
			ok(w->count == zeros, "small after large: %llu zero words",
			   (unsigned long long)zeros);
	}
	is_int(known, 5, "small after large: the word five times");
	/* Every other word holds a byte of the text: none is the large input's. */
	for (i = 0; i < ms_hist_word_count(small); i++) {
		uint64_t v = ms_hist_word(small, i)->value;
		const char *c = (const char *)&v;
		int from_text = 0;
		size_t k;

		if (v == 0 || v == word)
			continue;
		for (k = 0; k < 8; k++)
			from_text |= c[k] && strchr(text, c[k]);
		if (!from_text)
			break;
	}
	is_int(i, ms_hist_word_count(small), "small after large: no word it does not hold");
	/* Its runs: the zeros between the texts and words, none of another byte. */
	for (i = 0; i < ms_hist_run_count(small); i++) {
		r = ms_hist_run(small, i);
		runs_seen += r->byte == 0 ? r->count : 1000;
	}
	is_int(runs_seen, 5, "small after large: five zero runs and nothing else");
	is_int(ms_hist_approximate(small), 0, "small after large: nothing approximate");
	ms_hist_free(small);

	/* On the tables both used before; then, those held, on new ones. */
	large2 = run(big, len);
	large1 = run(big, len);
	ok(same_results(large1, large2), "large on reused tables = large on fresh ones");
	ms_hist_free(large1);
	ms_hist_free(large2);
	free(big);
	ms_ctx_free(ctx);
	return tap_done();
}
