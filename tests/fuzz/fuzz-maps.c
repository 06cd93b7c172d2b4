// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the maps/smaps/smaps_rollup parser and every accessor over what
 * it returns; then the same input fed in pieces whose sizes the input picks
 * (ms_maps_parser_feed()), which must parse to the same mappings, fields
 * and verdict, with a header callback reading the '#' lines.
 */
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <memsift/maps.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int header(void *data, const char *line, size_t len, unsigned long lineno)
{
	(void)line;
	(void)lineno;
	*(size_t *)data += len;
	return 0;
}

/* Feed DATA in pieces of 1 to 64 bytes, the sizes taken from DATA itself. */
static int pieces(struct ms_ctx *ctx, const uint8_t *data, size_t size, struct ms_maps **out)
{
	struct ms_maps_parser *ps;
	size_t off = 0, n, hdr = 0;
	int rc = ms_maps_parser_new(ctx, "fuzz", &ps);

	if (rc < 0)
		return rc;
	ms_maps_parser_set_header_cb(ps, header, &hdr);
	while (rc == 0 && off < size) {
		n = 1 + data[off] % 64;
		if (n > size - off)
			n = size - off;
		rc = ms_maps_parser_feed(ps, (const char *)data + off, n);
		off += n;
	}
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
	ms_maps_parser_free(ps);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_maps *m = NULL, *p2 = NULL;
	size_t i, j, l;
	int rc, rc2;

	rc = ms_maps_parse_buf(ctx, (const char *)data, size, "fuzz", &m);
	if (rc == 0) {
		for (i = 0; i < ms_maps_count(m); i++) {
			const struct ms_mapping *p = ms_maps_get(m, i);
			const char *name, *text;
			uint64_t v, w;
			bool sz;

			(void)ms_mapping_label(p, &l);
			(void)ms_mapping_has_vmflag(p, "sd");
			for (j = 0; j < ms_mapping_nfields(p); j++) {
				ms_mapping_field_at(p, j, &name, &v, &sz, &text);
				/* Found by name: the first field of that name. */
				if (ms_mapping_field(p, name, &w, NULL) < 0)
					abort();
			}
			(void)ms_maps_find(m, ms_mapping_start(p));
			(void)ms_maps_find(m, ms_mapping_end(p) - 1);
		}
		(void)ms_maps_total(m, MS_F_RSS);
	}
	/*
	 * Pieces parse as the whole does; the header callback only sees the
	 * '#' lines that ms_maps_parse_buf() skips, so the verdicts agree.
	 */
	rc2 = pieces(ctx, data, size, &p2);
	if ((rc == 0) != (rc2 == 0))
		abort();
	if (rc == 0) {
		if (ms_maps_count(m) != ms_maps_count(p2) || ms_maps_format(m) != ms_maps_format(p2))
			abort();
		for (i = 0; i < ms_maps_count(m); i++) {
			const struct ms_mapping *a = ms_maps_get(m, i), *b = ms_maps_get(p2, i);

			if (ms_mapping_start(a) != ms_mapping_start(b) ||
			    strcmp(ms_mapping_name(a), ms_mapping_name(b)) ||
			    ms_mapping_nfields(a) != ms_mapping_nfields(b) ||
			    ms_mapping_rss(a) != ms_mapping_rss(b))
				abort();
		}
	}
	ms_maps_free(p2);
	ms_maps_free(m);
	ms_ctx_free(ctx);
	return 0;
}
