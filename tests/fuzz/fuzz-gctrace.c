// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: GODEBUG=gctrace=1 output, its series and its report in text
 * and JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/gctrace.h>
#include <memsift/output.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	FILE *out = fopen("/dev/null", "w");
	unsigned flags[] = { 0, MS_OUT_JSON };
	size_t k;

	for (k = 0; k < 2 && out; k++) {
		FILE *fp = fmemopen((void *)data, size, "r");

		if (!fp)
			break;
		(void)ms_gctrace_report(ctx, fp, "fuzz", flags[k], out);
		fclose(fp);
	}
	if (out)
		fclose(out);
	ms_ctx_free(ctx);
	return 0;
}
