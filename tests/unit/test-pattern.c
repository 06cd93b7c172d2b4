// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/pattern.c as a redactor: the bytes handed on are the
 * input with exactly the matched bytes replaced, however the input was
 * cut, matches across every cut included.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/pattern.h>

#include "tap.h"

static struct ms_ctx *ctx;

struct out {
	uint8_t *buf;
	size_t len, cap;
	size_t calls;
};

static int collect(const uint8_t *buf, size_t len, void *data)
{
	struct out *o = data;

	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			abort();
	}
	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	o->calls++;
	return 0;
}

/*
 * Redact IN with the regexes RES, fed in pieces of PIECE bytes (0: at
 * once) within a window of WINDOW bytes; the result in *O, the scanner
 * returned for its counts (the caller frees both).
 */
static struct ms_patscan *redact(const char *const *res, const void *in, size_t len,
				 size_t piece, size_t window, struct out *o)
{
	struct ms_patscan *s;
	const uint8_t *p = in;
	size_t k;

	memset(o, 0, sizeof(*o));
	if (ms_patscan_new(ctx, 16, MS_PATSCAN_SECRET, &s) < 0)
		abort();
	for (; *res; res++)
		if (ms_patscan_add_regex(ctx, s, *res) < 0) {
			printf("# %s\n", ms_ctx_errmsg(ctx));
			abort();
		}
	if (ms_patscan_set_redact(ctx, s, '*', window, collect, o) < 0)
		abort();
	for (k = 0; k < len; k += piece ? piece : len)
		if (ms_patscan_feed(ctx, s, p + k, piece && len - k > piece ? piece : len - k,
				    false) < 0)
			abort();
	if (ms_patscan_feed(ctx, s, NULL, 0, true) < 0)
		abort();
	return s;
}

/* BUF with [OFF, OFF + N) replaced by '*', as expected. */
static void star(char *buf, size_t off, size_t n)
{
	memset(buf + off, '*', n);
}

static void test_every_cut(void)
{
	static const char *const res[] = { "password=(?<secret>[a-z0-9]+)", "CANARY", NULL };
	char in[200], want[200];
	struct ms_patscan *s;
	struct out o;
	size_t piece, bad = 0, badcount = 0;

	memset(in, '.', sizeof(in));
	memcpy(in + 20, "password=hunter2", 16);
	memcpy(in + 90, "xCANARYx", 8);
	memcpy(in + 150, "password=", 9);	/* no value: nothing replaced */
	memcpy(want, in, sizeof(in));
	star(want, 29, 7);
	star(want, 91, 6);

	for (piece = 0; piece <= sizeof(in); piece++) {
		s = redact(res, in, sizeof(in), piece, 64, &o);
		if (o.len != sizeof(in) || memcmp(o.buf, want, sizeof(in)))
			bad++;
		if (ms_patscan_redacted(s) != 13 || ms_patscan_matches(s) != 2)
			badcount++;
		ms_patscan_free(s);
		free(o.buf);
	}
	ok(bad == 0, "every cut from 1 to 200 bytes: the same %zu bytes out, 2 secrets replaced",
	   sizeof(in));
	ok(badcount == 0, "every cut: 13 bytes and 2 matches counted once");
}

/* A match longer than a piece, across several: still caught whole. */
static void test_long_match(void)
{
	static const char *const res[] = {
		"-----BEGIN KEY-----(?<secret>[A-Za-z0-9+/=\\n]+)-----END KEY-----", NULL
	};
	char in[3000], want[3000];
	struct ms_patscan *s;
	struct out o;
	size_t i;

	memset(in, ' ', sizeof(in));
	memcpy(in + 100, "-----BEGIN KEY-----", 19);
	for (i = 119; i < 119 + 2000; i++)
		in[i] = (i % 65) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64] : '\n';
	memcpy(in + 2119, "-----END KEY-----", 17);
	memcpy(want, in, sizeof(in));
	star(want, 119, 2000);

	s = redact(res, in, sizeof(in), 7, 2100, &o);
	ok(o.len == sizeof(in) && !memcmp(o.buf, want, sizeof(in)),
	   "a 2000-byte key body fed in 7-byte pieces: replaced whole, the markers kept");
	is_u64(ms_patscan_redacted(s), 2000, "2000 bytes redacted");
	ok(o.calls > 1, "handed on as it went, not all at the end (%zu pieces)", o.calls);
	ms_patscan_free(s);
	free(o.buf);
}

/* Two inputs (two ranges of a dump): a match never joins them. */
static void test_two_inputs(void)
{
	static const char *const res[] = { "AB", NULL };
	struct ms_patscan *s;
	struct out o = { 0 };

	if (ms_patscan_new(ctx, 4, MS_PATSCAN_SECRET, &s) < 0 ||
	    ms_patscan_add_regex(ctx, s, res[0]) < 0 ||
	    ms_patscan_set_redact(ctx, s, '#', 0, collect, &o) < 0)
		abort();
	ms_patscan_feed(ctx, s, "xxA", 3, true);
	ms_patscan_feed(ctx, s, "Bxx", 3, true);
	ms_patscan_feed(ctx, s, "xAB", 3, false);
	ms_patscan_feed(ctx, s, NULL, 0, true);
	ok(o.len == 9 && !memcmp(o.buf, "xxABxxx##", 9),
	   "\"xxA\" | \"Bxx\" as two inputs: no match; \"xAB\": one (%.*s)", (int)o.len,
	   (char *)o.buf);
	ms_patscan_free(s);
	free(o.buf);
}

static void test_sets(void)
{
	static const char *const none[] = { NULL };
	const char *in =
		"db_password=\"s3cr3t!\"; host=x\n"
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload\r\n"
		"bearer of bad news\n"
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEow+/=\nAAAA\n-----END RSA PRIVATE KEY-----\n";
	const char *want =
		"db_password=\"*******\"; host=x\n"
		"Authorization: Bearer ****************************\r\n"
		"bearer of bad news\n"
		"-----BEGIN RSA PRIVATE KEY-----****************-----END RSA PRIVATE KEY-----\n";
	struct ms_patscan *s;
	struct out o = { 0 };
	size_t len = strlen(in);

	(void)none;
	if (ms_patscan_new(ctx, 16, MS_PATSCAN_SECRET, &s) < 0)
		abort();
	is_int(ms_patscan_add_set(ctx, s, "all"), 0, "set \"all\"");
	is_int(ms_patscan_count(s), 3, "three patterns");
	is_int(ms_patscan_add_set(ctx, s, "passwd"), -EINVAL, "an unknown set refused");
	is_str(ms_ctx_errmsg(ctx), "unknown set \"passwd\"; use private-key, password, bearer or all",
	       "the message lists the names");
	ms_patscan_set_redact(ctx, s, '*', 0, collect, &o);
	ms_patscan_feed(ctx, s, in, len, true);
	ok(o.len == len && !memcmp(o.buf, want, len), "values replaced, names kept");
	if (o.len != len || memcmp(o.buf, want, len))
		printf("# got:\n%.*s", (int)o.len, (char *)o.buf);
	ms_patscan_free(s);
	free(o.buf);
}

static void test_errors(void)
{
	struct ms_patscan *s;
	struct out o = { 0 };

	if (ms_patscan_new(ctx, 2, MS_PATSCAN_SECRET, &s) < 0)
		abort();
	is_int(ms_patscan_add_regex(ctx, s, "hunter2("), -EINVAL, "a bad regex refused");
	is_str(ms_ctx_errmsg(ctx), "bad regex at offset 8: missing closing parenthesis",
	       "secret: the message says where, not what");
	ms_patscan_add_regex(ctx, s, "a");
	ms_patscan_add_regex(ctx, s, "b");
	is_int(ms_patscan_add_regex(ctx, s, "c"), -EINVAL, "more than MAX refused");
	ms_patscan_set_redact(ctx, s, '*', 0, collect, &o);
	ms_patscan_feed(ctx, s, "x", 1, false);
	is_int(ms_patscan_add_regex(ctx, s, "d"), -EBUSY, "no pattern once fed");
	ms_patscan_free(s);
	free(o.buf);

	if (ms_patscan_new(ctx, 2, 0, &s) < 0)
		abort();
	ms_patscan_add_regex(ctx, s, "x[");
	is_str(ms_ctx_errmsg(ctx), "bad regex \"x[\" at offset 2: missing terminating ] for character class",
	       "not secret (bytehist -E): the message quotes it");
	ms_patscan_free(s);
}

int main(void)
{
	ctx = ms_ctx_new();
	test_every_cut();
	test_long_match();
	test_two_inputs();
	test_sets();
	test_errors();
	ms_ctx_free(ctx);
	return tap_done();
}
