// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: bytehist's analysis over arbitrary bytes.  The first two bytes
 * seed the chunk sizes the rest is fed in (any split must be safe), then the
 * report is written as JSON and as tables to /dev/null, and the two halves
 * of the input are compared as bytehist --base compares two dumps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/hist-diff.h>
#include <memsift/hist-report.h>
#include <memsift/hist.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static struct ms_hist *analyse(struct ms_ctx *ctx, const uint8_t *data, size_t size,
			       unsigned seed)
{
	struct ms_hist_opts opts = { .block_size = 512, .min_string = 4,
				     .string_budget = 64, .word_budget = 64 };
	struct ms_hist *h = NULL;
	size_t off = 0, n;

	if (ms_hist_new(ctx, &opts, &h) < 0)
		return NULL;
	ms_hist_add_pattern(ctx, h, "deadbeef");
	ms_hist_add_regex(ctx, h, "[A-Z]{3,}");
	while (off < size) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 700;
		if (n > size - off)
			n = size - off;
		if (ms_hist_feed(ctx, h, data + off, n) < 0)
			break;
		off += n;
	}
	if (ms_hist_finish(ctx, h) < 0) {
		ms_hist_free(h);
		return NULL;
	}
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_hist_report_opts ro = { .name = "fuzz", .top = 5 };
	struct ms_hist *h, *a = NULL, *b = NULL;
	struct ms_hist_diff *d = NULL;
	unsigned seed = size >= 2 ? (unsigned)data[0] << 8 | data[1] : 1;

	if (!devnull)
		devnull = fopen("/dev/null", "we");
	h = analyse(ctx, data, size, seed);
	if (h) {
		ms_hist_report_json(ctx, h, &ro, devnull);
		ms_hist_report_print(ctx, h, &ro, devnull);
		ms_hist_free(h);
	}
	a = analyse(ctx, data, size / 2, seed);
	b = analyse(ctx, data + size / 2, size - size / 2, seed ^ 0x5a5a);
	if (a && b && ms_hist_diff_new(ctx, a, b, &d) == 0) {
		ro.base_name = "old";
		ms_hist_report_diff_json(ctx, a, b, d, &ro, devnull);
		ms_hist_report_diff_print(ctx, a, b, d, &ro, devnull);
		ms_hist_diff_free(d);
	}
	ms_hist_free(a);
	ms_hist_free(b);
	ms_ctx_free(ctx);
	return 0;
}
