// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the glibc heap walker over arbitrary bytes, as a main heap and
 * as a thread arena's heap (a 64 MiB-aligned base), then its table and JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/heapwalk.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t bases[] = { 0x55d2ef7c0000ULL, 0x7f59c0000000ULL };
	static FILE *devnull;
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_heapwalk *w;
	uint64_t addr, top;
	const char *why;
	size_t i;

	if (!devnull)
		devnull = fopen("/dev/null", "we");
	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		w = NULL;
		if (ms_heapwalk_run(ctx, data, size, bases[i], &w) < 0)
			continue;
		(void)ms_heapwalk_top(w, &top);
		(void)ms_heapwalk_broken(w, &addr, &why);
		ms_heapwalk_print(ctx, w, NULL, 5, 0, devnull);
		ms_heapwalk_json(ctx, w, NULL, 0, devnull);
		ms_heapwalk_free(w);
	}
	ms_ctx_free(ctx);
	return 0;
}
