// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the dump manifest reader (regiondump's FILE.json), then every
 * offset and address its ranges name turned back the other way.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <memsift/manifest.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ms_manifest_load() takes a path: a temporary file, one per process. */
static char path[64];

static void remove_path(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_manifest_info mi = { 0 };
	uint64_t a, o;
	size_t i;
	FILE *fp;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz-manifest.%d.json", (int)getpid());
		atexit(remove_path);
	}
	fp = fopen(path, "we");
	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if (ms_manifest_load(ctx, path, &mi) == 0) {
		(void)ms_manifest_addr(&mi, 0, &a);
		(void)ms_manifest_addr(&mi, mi.length, &a);
		(void)ms_manifest_offset(&mi, mi.start, &o);
		(void)ms_manifest_offset(&mi, UINT64_MAX, &o);
		for (i = 0; i < mi.nranges; i++) {
			const struct ms_manifest_range *r = &mi.ranges[i];

			if (ms_manifest_addr(&mi, r->offset, &a))
				(void)ms_manifest_offset(&mi, a, &o);
			if (r->length && ms_manifest_addr(&mi, r->offset + r->length - 1, &a))
				(void)ms_manifest_offset(&mi, a, &o);
			(void)ms_manifest_offset(&mi, r->start, &o);
			(void)ms_manifest_offset(&mi, r->start + r->length, &o);
		}
		ms_manifest_release(&mi);
	}
	ms_ctx_free(ctx);
	return 0;
}
