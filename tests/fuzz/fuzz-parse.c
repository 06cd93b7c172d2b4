// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: what users type: pids, pid lists, addresses, sizes, ranges, durations. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/parse.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	char *arg = malloc(size + 1);
	pid_t pid, *pids = NULL;
	uint64_t a, b;
	size_t n = 0;

	memcpy(arg, data, size);
	arg[size] = '\0';
	ms_parse_pid(ctx, arg, &pid);
	ms_parse_pids(ctx, arg, &pids, &n);
	ms_parse_addr(ctx, arg, &a);
	ms_parse_size(ctx, arg, &a);
	ms_parse_range(ctx, arg, &a, &b);
	ms_parse_duration(ctx, arg, &a);
	ms_parse_count(ctx, arg, 1, 100, &a);
	free(pids);
	free(arg);
	ms_ctx_free(ctx);
	return 0;
}
