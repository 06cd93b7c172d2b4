// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: saved pmap output of every kind (plain, -x, -X, -XX). */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/maps.h>
#include <memsift/pmap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_maps *m = NULL;
	pid_t pid;

	(void)ms_pmap_detect((const char *)data, size);
	if (ms_pmap_parse_buf(ctx, (const char *)data, size, "fuzz", &pid, &m) == 0)
		(void)ms_maps_total(m, MS_F_RSS);
	ms_maps_free(m);
	ms_ctx_free(ctx);
	return 0;
}
