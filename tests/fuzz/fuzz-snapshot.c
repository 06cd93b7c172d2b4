// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: loading a snapshot of any format (mapsnap's header, smaps,
 * maps, pmap), then what mapsdiff does with two of them: diff, a trend over
 * three, and a label for every mapping.  The input is split in two at its
 * first NUL byte, if any, to give two snapshots, each ended by a newline.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/snapshot.h>
#include <memsift/trend.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ms_snapshot *load(struct ms_ctx *ctx, const uint8_t *data, size_t size)
{
	struct ms_snapshot *s = NULL;
	int fd = memfd_create("fuzz", 0);
	FILE *fp;

	if (fd < 0)
		return NULL;
	/*
	 * End the input with a newline: the loader refuses a last line without
	 * one (a file cut short), which would stop most inputs before the diff.
	 */
	if ((size && write(fd, data, size) != (ssize_t)size) ||
	    ((!size || data[size - 1] != '\n') && write(fd, "\n", 1) != 1)) {
		close(fd);
		return NULL;
	}
	lseek(fd, 0, SEEK_SET);
	fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		return NULL;
	}
	if (ms_snapshot_load(ctx, fp, "fuzz", &s) < 0)
		s = NULL;
	fclose(fp);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_snapshot *a = load(ctx, data, first);
	struct ms_snapshot *b = nul ? load(ctx, nul + 1, size - first - 1) : NULL;
	struct ms_diff *d = NULL;
	struct ms_trend *t = NULL;
	char buf[128];
	size_t i;

	if (a && b) {
		const struct ms_maps *m[3] = { ms_snapshot_maps(a), ms_snapshot_maps(b), ms_snapshot_maps(a) };
		double times[3] = { 1, 2, 3 };

		if (ms_diff_new(ctx, m[0], m[1], &d) == 0) {
			ms_diff_sort(d, MS_F_RSS);
			for (i = 0; i < ms_diff_count(d); i++)
				(void)ms_diff_entry_delta(ms_diff_get(d, i), MS_F_PSS);
		}
		if (ms_trend_new(ctx, m, times, 3, MS_F_RSS, &t) == 0)
			(void)ms_series_eta(ms_trend_total(t), 1 << 30);
		for (i = 0; i < ms_maps_count(m[1]); i++)
			ms_label_mapping(b, ms_maps_get(m[1], i), buf, sizeof(buf));
	}
	ms_trend_free(t);
	ms_diff_free(d);
	ms_snapshot_free(a);
	ms_snapshot_free(b);
	ms_ctx_free(ctx);
	return 0;
}
