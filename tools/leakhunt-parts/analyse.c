/*
 * leakhunt's steps after the snapshots: judge the series (lib/trend.c), dump
 * what grew (lib/dump.c), analyse the dump as bytehist --symbols --heap does
 * (lib/hist.c, lib/symbol.c, lib/heapwalk.c) and write the report directory.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/cli.h>
#include <memsift/diff.h>
#include <memsift/dump.h>
#include <memsift/heapwalk.h>
#include <memsift/hist-report.h>
#include <memsift/hist.h>
#include <memsift/manifest.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/snapshot.h>
#include <memsift/symbol-report.h>
#include <memsift/symbol.h>
#include <memsift/trend.h>

#include "leakhunt.h"


static const struct ms_maps **maps_of(const struct leakhunt_ctl *ctl)
{
	const struct ms_maps **maps = calloc(ctl->n, sizeof(*maps));
	size_t i;

	if (!maps)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (i = 0; i < ctl->n; i++)
		maps[i] = ms_snapshot_maps(ctl->snap[i]);
	return maps;
}

static bool grows(const struct leakhunt_ctl *ctl, const struct ms_series *s)
{
	uint64_t a = ms_series_value(s, 0), b = ms_series_value(s, ctl->n - 1);

	return ms_series_verdict(s) == MS_VERDICT_GROWING && b > a && b - a >= ctl->threshold;
}

int lh_assess(struct ms_ctx *ctx, struct leakhunt_ctl *ctl)
{
	const struct ms_maps **maps;
	bool have_times = true;
	size_t i;
	int rc;

	ms_trend_free(ctl->trend);
	ctl->trend = NULL;
	ctl->confirmed = false;
	if (ctl->n < 3)
		return 0;
	for (i = 1; i < ctl->n; i++)
		if (ctl->times[i] <= ctl->times[i - 1])
			have_times = false;
	/* The trend borrows the maps array: keep one for the hunt's life. */
	maps = maps_of(ctl);
	free(ctl->maps);
	ctl->maps = maps;
	rc = ms_trend_new(ctx, maps, have_times ? ctl->times : NULL, ctl->n, MS_F_RSS,
			  &ctl->trend);
	if (rc < 0 || ctl->n < ctl->confirm)
		return rc;
	ctl->confirmed = grows(ctl, ms_trend_total(ctl->trend));
	for (i = 0; i < ms_trend_count(ctl->trend) && !ctl->confirmed; i++)
		ctl->confirmed = grows(ctl, ms_trend_get(ctl->trend, i));
	return 0;
}

/*
 * More grew than --max-dump: the mappings that grew most first, whole while
 * they fit, then the start of the next one.
 */
static int add_capped(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, struct ms_dump *d)
{
	uint64_t left = ctl->max_dump;
	struct ms_diff *diff;
	size_t i;
	int rc;

	rc = ms_diff_new(ctx, ms_snapshot_maps(ctl->snap[0]),
			 ms_snapshot_maps(ctl->snap[ctl->n - 1]), &diff);
	if (rc < 0)
		return rc;
	ms_diff_sort(diff, MS_F_RSS);
	for (i = 0; i < ms_diff_count(diff) && left >= 4096; i++) {
		const struct ms_diff_entry *e = ms_diff_get(diff, i);
		const struct ms_mapping *m = ms_diff_entry_new(e);
		uint64_t start, len;

		if (!m || ms_diff_entry_delta(e, MS_F_RSS) <= 0 || ms_mapping_perms(m)[0] != 'r')
			continue;
		start = ms_mapping_start(m);
		len = ms_mapping_size(m) < left ? ms_mapping_size(m) : left & ~4095ULL;
		rc = ms_dump_add_range(ctx, d, start, start + len);
		if (rc == -ENXIO)	/* unmapped since the snapshot */
			continue;
		if (rc < 0)
			break;
		left -= len;
	}
	ms_diff_free(diff);
	if (rc == 0 && !ms_dump_nranges(d))
		rc = -ENOENT;
	return rc;
}

/* The [heap] mapping, when a range of the dump starts there. */
static uint64_t find_heap(const struct ms_dump *d)
{
	const struct ms_maps *maps = ms_dump_maps(d);
	uint64_t start, end;
	size_t i;

	for (i = 0; i < ms_maps_count(maps); i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);

		if (strcmp(ms_mapping_name(m), "[heap]"))
			continue;
		for (size_t r = 0; r < ms_dump_nranges(d); r++) {
			ms_dump_range(d, r, &start, &end);
			if (start == ms_mapping_start(m))
				return start;
		}
	}
	return 0;
}

static char *dir_path(const struct leakhunt_ctl *ctl, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", ctl->dir, name) < 0)
		err(MS_EXIT_TROUBLE, "out of memory");
	return p;
}

int lh_dump(struct ms_ctx *ctx, struct leakhunt_ctl *ctl)
{
	char *path = dir_path(ctl, "grown.dump"), *mpath = dir_path(ctl, "grown.dump.json");
	struct ms_outfile *of = NULL, *mf = NULL;
	struct ms_dump *d = NULL;
	int rc;

	rc = ms_dump_new(ctx, ctl->pid, &d);
	if (rc == 0)
		rc = ms_dump_add_grown(ctx, d, ms_snapshot_maps(ctl->snap[0]));
	if (rc == 0 && (ctl->grown_total = ms_dump_total(d)) > ctl->max_dump) {
		ms_dump_free(d);
		d = NULL;
		ctl->capped = true;
		rc = ms_dump_new(ctx, ctl->pid, &d);
		if (rc == 0)
			rc = add_capped(ctx, ctl, d);
	}
	if (rc == 0)
		rc = ms_outfile_open(ctx, path, 0, &of);
	if (rc == 0)
		rc = ms_outfile_open(ctx, mpath, 0, &mf);
	if (rc < 0)
		goto out;
	if (ctl->capped) {
		char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];

		warnx("dumping %s of the %s of mappings that grew (--max-dump)",
		      ms_size_str(ms_dump_total(d), a, sizeof(a)),
		      ms_size_str(ctl->grown_total, b, sizeof(b)));
	}
	rc = ms_dump_run(ctx, d, 0, MS_DUMP_RAW, ms_outfile_fp(of));
	if (rc == -ESRCH) {
		warnx("pid %d: exited during the dump; keeping what was read", (int)ctl->pid);
		ctl->gone = ctl->incomplete = true;
	} else if (rc < 0) {
		goto out;
	}
	rc = ms_dump_write_manifest(ctx, d, "grown.dump", ms_outfile_fp(mf));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	of = NULL;
	if (rc == 0)
		rc = ms_outfile_commit(ctx, mf);
	mf = NULL;
	if (rc == 0) {
		ctl->dumped = true;
		ctl->dump_total = ms_dump_total(d);
		ctl->dump_nranges = ms_dump_nranges(d);
		ctl->heap_start = find_heap(d);
	}
out:
	if (rc < 0)
		ms_cli_warn_ctx(ctx, NULL);
	ms_outfile_abort(of);
	ms_outfile_abort(mf);
	ms_dump_free(d);
	free(path);
	free(mpath);
	return rc < 0 ? -1 : 0;
}

static int extra_json(struct ms_ctx *ctx, FILE *fp, void *data)
{
	struct leakhunt_ctl *ctl = data;
	struct ms_symbols_report_opts so = { .top = 0 };
	int rc = 0;

	if (ctl->syms)
		rc = ms_symbols_report_json(ctx, ctl->syms, &so, fp);
	if (!rc && ctl->hw)
		rc = ms_heapwalk_json(ctx, ctl->hw, ctl->syms, 0, fp);
	return rc;
}

/* The glibc heap walk over the [heap] range of the dump open at FD. */
static void walk_heap(struct ms_ctx *ctx, struct leakhunt_ctl *ctl, int fd)
{
	const struct ms_manifest_range *r = NULL;
	struct stat st;
	void *p;
	size_t i;

	for (i = 0; i < ctl->mi.nranges; i++)
		if (ctl->mi.ranges[i].start == ctl->heap_start)
			r = &ctl->mi.ranges[i];
	if (!r || fstat(fd, &st) < 0 || (uint64_t)st.st_size < r->offset + r->length)
		return;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		warn("grown.dump");
		return;
	}
	if (ms_heapwalk_run(ctx, (const char *)p + r->offset, (size_t)r->length, r->start,
			    &ctl->hw) < 0)
		ms_cli_warn_ctx(ctx, "[heap] walk");
	munmap(p, (size_t)st.st_size);
}

static struct ms_hist_report_opts report_opts(struct leakhunt_ctl *ctl)
{
	return (struct ms_hist_report_opts){
		.name = "grown.dump", .manifest = &ctl->mi, .base_from = "grown.dump.json",
		.json_extra = extra_json, .json_extra_data = ctl,
	};
}

int lh_analyse(struct ms_ctx *ctx, struct leakhunt_ctl *ctl)
{
	char *path = dir_path(ctl, "grown.dump"), *mpath = dir_path(ctl, "grown.dump.json");
	char *jpath = dir_path(ctl, "analysis.json");
	struct ms_hist_opts ho = { .magic = true };
	struct ms_hist_report_opts ro;
	struct ms_outfile *of = NULL;
	uint64_t *breaks = NULL;
	int fd = -1, rc;
	size_t i;

	rc = ms_manifest_load(ctx, mpath, &ctl->mi);
	if (rc < 0)
		goto out;
	/* A region of like blocks must not run from one range into the next. */
	breaks = calloc(ctl->mi.nranges + 1, sizeof(*breaks));
	if (!breaks)
		err(MS_EXIT_TROUBLE, "out of memory");
	for (i = 1; i < ctl->mi.nranges; i++)
		breaks[ho.nbreaks++] = ctl->mi.ranges[i].offset;
	ho.breaks = breaks;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		warn("%s", path);
		rc = 1;	/* said */
		goto out;
	}
	rc = ms_hist_new(ctx, &ho, &ctl->hist);
	if (rc == 0)
		rc = ms_hist_scan_fd(ctx, ctl->hist, fd, path);
	if (rc < 0)
		goto out;
	/* Symbols and the heap walk add to the analysis; without them it still stands. */
	if (ctl->mi.maps && (ms_symbols_new(ctx, ctl->mi.maps, strlen(ctl->mi.maps), mpath,
					    &ctl->syms) < 0 ||
			     ms_symbols_scan_fd(ctx, ctl->syms, fd, path) < 0)) {
		ms_cli_warn_ctx(ctx, "symbols");
		ms_symbols_free(ctl->syms);
		ctl->syms = NULL;
	}
	if (ctl->syms)
		ms_symbols_rank(ctl->syms);
	if (ctl->heap_start)
		walk_heap(ctx, ctl, fd);
	ro = report_opts(ctl);
	rc = ms_outfile_open(ctx, jpath, 0, &of);
	if (rc == 0)
		rc = ms_hist_report_json(ctx, ctl->hist, &ro, ms_outfile_fp(of));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	else
		ms_outfile_abort(of);
out:
	if (rc < 0)
		ms_cli_warn_ctx(ctx, NULL);
	if (fd >= 0)
		close(fd);
	free(breaks);
	free(path);
	free(mpath);
	free(jpath);
	return rc ? -1 : 0;
}

void lh_ctl_release(struct leakhunt_ctl *ctl)
{
	size_t i;

	for (i = 0; i < ctl->n; i++)
		ms_snapshot_free(ctl->snap[i]);
	free(ctl->snap);
	free(ctl->times);
	free(ctl->maps);
	ms_trend_free(ctl->trend);
	ms_manifest_release(&ctl->mi);
	ms_hist_free(ctl->hist);
	ms_symbols_free(ctl->syms);
	ms_heapwalk_free(ctl->hw);
	free(ctl->dir_alloc);
}
