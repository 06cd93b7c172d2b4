// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: regiondump --redact's scanner (lib/pattern.c) over arbitrary
 * bytes, fed in pieces whose sizes the input picks.  Aborts when the
 * output is not the input's length, holds a byte that is neither the
 * input's nor the filler, or (for patterns shorter than the window) differs
 * from the same input fed at once: a match lost or invented at a cut.
 * The patterns are compiled (and JIT-compiled) once, for every input: a new
 * redaction set between two inputs is how regiondump reuses them too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/pattern.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	uint8_t *buf;
	size_t len;
};

static int collect(const uint8_t *buf, size_t len, void *data)
{
	struct out *o = data;

	memcpy(o->buf + o->len, buf, len);
	o->len += len;
	return 0;
}

/* A scanner of the patterns RES (or the set "all"), made once. */
static struct ms_patscan *scanner(struct ms_ctx *ctx, const char *const *res)
{
	struct ms_patscan *s;

	if (ms_patscan_new(ctx, 8, MS_PATSCAN_SECRET, &s) < 0)
		abort();
	if (!res && ms_patscan_add_set(ctx, s, "all") < 0)
		abort();
	for (; res && *res; res++)
		if (ms_patscan_add_regex(ctx, s, *res) < 0)
			abort();
	return s;
}

/* Redact DATA with S, cut by SEED (0: at once). */
static struct out run(struct ms_ctx *ctx, struct ms_patscan *s, size_t window,
		      const uint8_t *data, size_t size, uint8_t seed)
{
	struct out o = { malloc(size + 1), 0 };
	size_t k = 0, n;

	if (ms_patscan_set_redact(ctx, s, '*', window, collect, &o) < 0)
		abort();
	while (k < size) {
		n = seed ? 1 + (data[k] ^ seed) % 97 : size;
		if (n > size - k)
			n = size - k;
		if (ms_patscan_feed(ctx, s, data + k, n, false) < 0)
			abort();
		k += n;
	}
	if (ms_patscan_feed(ctx, s, NULL, 0, true) < 0)
		abort();
	if (o.len != size)
		abort();
	for (k = 0; k < size; k++)
		if (o.buf[k] != data[k] && o.buf[k] != '*')
			abort();
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const bounded[] = {
		"CANARY-[0-9a-f]{4}", "pass=(?<secret>[a-z]{1,8})", "\\x00\\xde\\xad", NULL
	};
	static struct ms_ctx *ctx;
	static struct ms_patscan *few, *all;
	struct out whole, cut;
	uint8_t seed;

	if (!ctx && (!(ctx = ms_ctx_new()) || !(few = scanner(ctx, bounded)) ||
		     !(all = scanner(ctx, NULL))))
		abort();
	if (!size)
		return 0;
	seed = data[0] | 1;
	whole = run(ctx, few, 32, data, size, 0);
	cut = run(ctx, few, 32, data, size, seed);
	if (memcmp(whole.buf, cut.buf, size))
		abort();
	free(whole.buf);
	free(cut.buf);
	cut = run(ctx, all, 0, data, size, seed);
	free(cut.buf);
	return 0;
}
