// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the object finders and clusters over arbitrary bytes: as a
 * glibc [heap], a thread arena, an mmapped chunk, a jemalloc heap (the
 * signature finder, strings and payloads) and CPython's pools, every object
 * into clusters, two sets diffed, and the text shapes of the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/cluster.h>
#include <memsift/objects.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		enum ms_allocator alloc;
		uint64_t base;
		const char *name;
		int start;
	} ways[] = {
		{ MS_ALLOC_GLIBC, 0x55d2ef7c0000ULL, "[heap]", 1 },
		{ MS_ALLOC_GLIBC, 0x7f59c0000000ULL, "", 1 },
		{ MS_ALLOC_UNKNOWN, 0x7f59c1234000ULL, "", 1 },
		{ MS_ALLOC_JEMALLOC, 0x7f59c0000000ULL, "", 0 },
	};
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_clusters *c[2] = { NULL, NULL };
	struct ms_manifest_range r = { 0x7f59c0000000ULL, size, 0 };
	const struct ms_objspace space = { data, size, &r, 1 };
	struct ms_objrange res;
	char shape[MS_SHAPE_MAX];
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (ms_clusters_new(ctx, NULL, &c[k]) < 0)
			goto out;
		/* The second set sees the input's first half only: a diff with real deltas. */
		for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
			ms_objects_find(ctx, ways[i].alloc, NULL, &space, data, k ? size / 2 : size,
					ways[i].base, ways[i].name, ways[i].start, ms_clusters_add_cb,
					c[k], &res);
		ms_objects_pymalloc(ctx, data, k ? size / 2 : size, 0x7f59c0000000ULL,
				    ms_clusters_add_cb, c[k], &res);
		ms_clusters_finish(ctx, c[k]);
	}
	ms_clusters_diff(c[0], c[1]);
	for (i = 0; i < ms_clusters_count(c[0]); i++) {
		const struct ms_cluster *cl = ms_clusters_get(c[0], i);

		(void)ms_clusters_referrer(c[0], cl);
		(void)ms_clusters_rank(c[0], cl);
	}
	ms_text_shape((const char *)data, size, shape, sizeof(shape));
out:
	ms_clusters_free(c[0]);
	ms_clusters_free(c[1]);
	ms_ctx_free(ctx);
	return 0;
}
