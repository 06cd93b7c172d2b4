// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the maps/smaps/smaps_rollup parser and every accessor over what it returns. */
#include <stddef.h>
#include <stdint.h>

#include <memsift/maps.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_maps *m = NULL;
	size_t i, j, l;

	if (ms_maps_parse_buf(ctx, (const char *)data, size, "fuzz", &m) == 0) {
		for (i = 0; i < ms_maps_count(m); i++) {
			const struct ms_mapping *p = ms_maps_get(m, i);
			const char *name, *text;
			uint64_t v;
			bool sz;

			(void)ms_mapping_label(p, &l);
			(void)ms_mapping_has_vmflag(p, "sd");
			for (j = 0; j < ms_mapping_nfields(p); j++)
				ms_mapping_field_at(p, j, &name, &v, &sz, &text);
			(void)ms_maps_find(m, ms_mapping_start(p));
			(void)ms_maps_find(m, ms_mapping_end(p) - 1);
		}
		(void)ms_maps_total(m, MS_F_RSS);
	}
	ms_maps_free(m);
	ms_ctx_free(ctx);
	return 0;
}
