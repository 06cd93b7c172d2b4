// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hunt's steps: keep the series, judge it (lib/trend.c), dump what grew
 * (lib/dump.c) and analyse the dump as bytehist --symbols --heap does
 * (lib/hist.c, lib/symbol.c, lib/heapwalk.c).  report.md is lib/hunt-report.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <memsift/analyse.h>
#include <memsift/diff.h>
#include <memsift/dump.h>
#include <memsift/heapwalk.h>
#include <memsift/hist-report.h>
#include <memsift/hist.h>
#include <memsift/hunt.h>
#include <memsift/manifest.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/snapshot.h>
#include <memsift/symbol-report.h>
#include <memsift/symbol.h>
#include <memsift/trend.h>

#include "hunt-private.h"
#include "internal.h"

void ms_hunt_warn(const struct ms_hunt *h, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!h->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->warn(msg, h->warn_data);
}

static char *dir_path(const struct ms_hunt *h, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", h->dir, name) < 0 ? NULL : p;
}

int ms_hunt_new(struct ms_ctx *ctx, const struct ms_hunt_opts *opts, const char *dir,
		struct ms_hunt **out)
{
	struct ms_hunt *h;
	char *sub = NULL;
	int rc;

	if (opts->pid <= 0 || opts->confirm < 3)
		return ms_err(ctx, -EINVAL, "a hunt needs a pid and at least 3 snapshots to confirm");
	h = calloc(1, sizeof(*h));
	if (!h)
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->o = *opts;
	if (dir) {
		h->dir = strdup(dir);
	} else {
		char stamp[32];
		time_t now = time(NULL);

		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime(&now));
		if (asprintf(&h->dir, "leakhunt-%d-%s", (int)opts->pid, stamp) < 0)
			h->dir = NULL;
	}
	if (!h->dir || !(sub = dir_path(h, "snapshots"))) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	if (mkdir(h->dir, 0700) < 0) {
		rc = -errno;
		if (rc == -EEXIST)
			ms_err(ctx, rc, "%s: exists; give another with -o DIR", h->dir);
		else
			ms_err_errno(ctx, rc, "%s", h->dir);
		goto fail;
	}
	if (mkdir(sub, 0700) < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", sub);
		goto fail;
	}
	free(sub);
	*out = h;
	return 0;
fail:
	free(sub);
	ms_hunt_free(h);
	return rc;
}

void ms_hunt_free(struct ms_hunt *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++)
		ms_snapshot_free(h->snap[i]);
	free(h->snap);
	free(h->times);
	free(h->maps);
	ms_trend_free(h->trend);
	ms_manifest_release(&h->mi);
	ms_hist_free(h->hist);
	ms_analysis_free(h->an);
	ms_heapwalk_free(h->hw);
	free(h->dir);
	free(h);
}

void ms_hunt_set_warn_cb(struct ms_hunt *h, ms_hunt_warn_cb cb, void *data)
{
	h->warn = cb;
	h->warn_data = data;
}

const char *ms_hunt_dir(const struct ms_hunt *h)
{
	return h->dir;
}

size_t ms_hunt_count(const struct ms_hunt *h)
{
	return h->n;
}

const struct ms_snapshot *ms_hunt_snapshot(const struct ms_hunt *h, size_t i)
{
	return i < h->n ? h->snap[i] : NULL;
}

const struct ms_series *ms_hunt_total(const struct ms_hunt *h)
{
	return h->trend ? ms_trend_total(h->trend) : NULL;
}

bool ms_hunt_confirmed(const struct ms_hunt *h)
{
	return h->confirmed;
}

void ms_hunt_set_gone(struct ms_hunt *h)
{
	h->gone = true;
}

bool ms_hunt_gone(const struct ms_hunt *h)
{
	return h->gone;
}

int ms_hunt_interrupted(const struct ms_hunt *h)
{
	return h->interrupted;
}

static bool grows(const struct ms_hunt *h, const struct ms_series *s)
{
	uint64_t a = ms_series_value(s, 0), b = ms_series_value(s, h->n - 1);

	return ms_series_verdict(s) == MS_VERDICT_GROWING && b > a && b - a >= h->o.threshold;
}

/* Build the trend of the snapshots so far and decide h->confirmed. */
static int assess(struct ms_ctx *ctx, struct ms_hunt *h, size_t need)
{
	bool have_times = true;
	size_t i;
	int rc;

	ms_trend_free(h->trend);
	h->trend = NULL;
	h->confirmed = false;
	if (h->n < 3)
		return 0;
	for (i = 1; i < h->n; i++)
		if (h->times[i] <= h->times[i - 1])
			have_times = false;
	rc = ms_trend_new(ctx, h->maps, have_times ? h->times : NULL, h->n, MS_F_RSS, &h->trend);
	if (rc < 0 || h->n < need)
		return rc;
	h->confirmed = grows(h, ms_trend_total(h->trend));
	for (i = 0; i < ms_trend_count(h->trend) && !h->confirmed; i++)
		h->confirmed = grows(h, ms_trend_get(h->trend, i));
	return 0;
}

int ms_hunt_add(struct ms_ctx *ctx, struct ms_hunt *h, struct ms_snapshot *s)
{
	struct ms_outfile *of;
	char path[PATH_MAX];
	void *p;
	int rc;

	snprintf(path, sizeof(path), "%s/snapshots/%04zu.snap", h->dir, h->n + 1);
	rc = ms_outfile_open(ctx, path, 0, &of);
	if (rc == 0)
		rc = ms_snapshot_write(ctx, s, ms_outfile_fp(of));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	else
		ms_outfile_abort(of);
	if (rc < 0)
		goto fail;
	/* The trend borrows the maps and times: they live as long as the hunt. */
	if (!(p = realloc(h->snap, (h->n + 1) * sizeof(*h->snap))))
		goto nomem;
	h->snap = p;
	if (!(p = realloc(h->times, (h->n + 1) * sizeof(*h->times))))
		goto nomem;
	h->times = p;
	if (!(p = realloc(h->maps, (h->n + 1) * sizeof(*h->maps))))
		goto nomem;
	h->maps = p;
	h->snap[h->n] = s;
	h->maps[h->n] = ms_snapshot_maps(s);
	h->times[h->n++] = ms_snapshot_boottime(s);
	return assess(ctx, h, h->o.confirm);
nomem:
	rc = ms_err(ctx, -ENOMEM, "out of memory");
fail:
	ms_snapshot_free(s);
	return rc;
}

int ms_hunt_interrupt(struct ms_ctx *ctx, struct ms_hunt *h, int sig)
{
	h->interrupted = sig;
	return assess(ctx, h, 3);
}

/*
 * More grew than max_dump: the mappings that grew most first, whole while
 * they fit, then the start of the next one.
 */
static int add_capped(struct ms_ctx *ctx, struct ms_hunt *h, struct ms_dump *d)
{
	uint64_t left = h->o.max_dump;
	struct ms_diff *diff;
	size_t i;
	int rc;

	rc = ms_diff_new(ctx, h->maps[0], h->maps[h->n - 1], &diff);
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
		rc = ms_err(ctx, -ENOENT, "pid %d: nothing that grew is readable", (int)h->o.pid);
	return rc;
}

/* The [heap] mapping, when a range of the dump starts there. */
static uint64_t find_heap(const struct ms_dump *d)
{
	const struct ms_maps *maps = ms_dump_maps(d);
	uint64_t start, end;
	size_t i, r;

	for (i = 0; i < ms_maps_count(maps); i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);

		if (strcmp(ms_mapping_name(m), "[heap]"))
			continue;
		for (r = 0; r < ms_dump_nranges(d); r++) {
			ms_dump_range(d, r, &start, &end);
			if (start == ms_mapping_start(m))
				return start;
		}
	}
	return 0;
}

/* The dumps' names: the earlier one, then the one analysed in full. */
static const char *const dump_names[] = { "base.dump", "grown.dump" };

int ms_hunt_dump(struct ms_ctx *ctx, struct ms_hunt *h)
{
	/* An interrupted hunt takes one dump only: it is the one analysed. */
	const char *name = dump_names[h->ndumps || h->interrupted ? 1 : 0];
	char *path = dir_path(h, name), *mpath = NULL;
	struct ms_outfile *of = NULL, *mf = NULL;
	struct ms_dump *d = NULL;
	int rc;

	if (h->ndumps >= MS_ARRAY_SIZE(dump_names) || (h->ndumps && h->dump_name == dump_names[1]))
		return ms_err(ctx, -EINVAL, "%s: dumped twice already", h->dir);
	if (path && asprintf(&mpath, "%s.json", path) < 0)
		mpath = NULL;
	if (!path || !mpath) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	rc = ms_dump_new(ctx, h->o.pid, &d);
	if (rc == 0)
		rc = ms_dump_add_grown(ctx, d, h->maps[0]);
	if (rc == 0 && (h->grown_total = ms_dump_total(d)) > h->o.max_dump) {
		ms_dump_free(d);
		d = NULL;
		h->capped = true;
		rc = ms_dump_new(ctx, h->o.pid, &d);
		if (rc == 0)
			rc = add_capped(ctx, h, d);
	}
	if (rc == 0)
		rc = ms_outfile_open(ctx, path, 0, &of);
	if (rc == 0)
		rc = ms_outfile_open(ctx, mpath, 0, &mf);
	if (rc < 0)
		goto out;
	if (h->capped && !h->ndumps) {
		char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];

		ms_hunt_warn(h, "dumping %s of the %s of mappings that grew (--max-dump)",
			     ms_size_str(ms_dump_total(d), a, sizeof(a)),
			     ms_size_str(h->grown_total, b, sizeof(b)));
	}
	rc = ms_dump_run(ctx, d, 0, MS_DUMP_RAW, ms_outfile_fp(of));
	if (rc == -ESRCH) {
		ms_hunt_warn(h, "pid %d: exited during the dump; keeping what was read",
			     (int)h->o.pid);
		h->gone = h->incomplete = true;
	} else if (rc < 0) {
		goto out;
	}
	rc = ms_dump_write_manifest(ctx, d, name, ms_outfile_fp(mf));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	of = NULL;
	if (rc == 0)
		rc = ms_outfile_commit(ctx, mf);
	mf = NULL;
	if (rc == 0) {
		h->dumped = true;
		h->dump_name = name;
		h->ndumps++;
		h->dump_total = ms_dump_total(d);
		h->dump_nranges = ms_dump_nranges(d);
		h->heap_start = find_heap(d);
	}
out:
	ms_outfile_abort(of);
	ms_outfile_abort(mf);
	ms_dump_free(d);
	free(path);
	free(mpath);
	return rc;
}

size_t ms_hunt_dumps(const struct ms_hunt *h)
{
	return h->ndumps;
}

static int extra_json(struct ms_ctx *ctx, FILE *fp, void *data)
{
	struct ms_hunt *h = data;
	struct ms_symbols_report_opts so = { .top = 0 };
	struct ms_symbols *syms = h->an ? ms_analysis_symbols(h->an) : NULL;
	int rc = 0;

	if (syms)
		rc = ms_symbols_report_json(ctx, syms, &so, fp);
	if (!rc && h->hw)
		rc = ms_heapwalk_json(ctx, h->hw, syms, 0, fp);
	if (!rc && h->an)
		rc = ms_analysis_json(ctx, h->an, ms_hunt_status(h), 0, fp);
	return rc;
}

/* The glibc heap walk over the [heap] range of the dump open at FD. */
static void walk_heap(struct ms_ctx *ctx, struct ms_hunt *h, int fd)
{
	const struct ms_manifest_range *r = NULL;
	struct stat st;
	void *p;
	size_t i;

	for (i = 0; i < h->mi.nranges; i++)
		if (h->mi.ranges[i].start == h->heap_start)
			r = &h->mi.ranges[i];
	if (!r || fstat(fd, &st) < 0 || (uint64_t)st.st_size < r->offset + r->length)
		return;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		ms_hunt_warn(h, "%s: %s", h->dump_name, strerror(errno));
		return;
	}
	if (ms_heapwalk_run(ctx, (const char *)p + r->offset, (size_t)r->length, r->start,
			    &h->hw) < 0)
		ms_hunt_warn(h, "[heap] walk: %s", ms_ctx_errmsg(ctx));
	munmap(p, (size_t)st.st_size);
}

/*
 * The objects and clusters of the earlier dump, for growth: a failure only
 * costs the growth column, and is said.
 */
static void analyse_base(struct ms_ctx *ctx, struct ms_hunt *h)
{
	const struct ms_analysis_opts ao = { .pid = h->o.pid };
	struct ms_manifest_info mi = { 0 };
	struct ms_analysis *base = NULL;
	char *path = dir_path(h, dump_names[0]), *mpath = NULL;

	if (path && asprintf(&mpath, "%s.json", path) < 0)
		mpath = NULL;
	if (!path || !mpath || ms_manifest_load(ctx, mpath, &mi) < 0 ||
	    ms_analysis_run(ctx, &ao, path, &mi, &base) < 0)
		ms_hunt_warn(h, "%s: %s; growth between the dumps not known", dump_names[0],
			     path && mpath ? ms_ctx_errmsg(ctx) : "out of memory");
	else
		ms_analysis_diff(h->an, base);
	ms_analysis_free(base);
	ms_manifest_release(&mi);
	free(path);
	free(mpath);
}

int ms_hunt_analyse(struct ms_ctx *ctx, struct ms_hunt *h)
{
	const struct ms_analysis_opts ao = { .count_words = true, .pid = h->o.pid };
	char *path = NULL, *mpath = NULL, *jpath = dir_path(h, "analysis.json");
	struct ms_hist_opts ho = { .magic = true };
	struct ms_hist_report_opts ro = {
		.json_extra = extra_json, .json_extra_data = h,
	};
	const struct ms_objrange *arena = NULL;
	struct ms_outfile *of = NULL;
	uint64_t *breaks = NULL;
	int fd = -1, rc;
	size_t i;

	if (!h->dumped)
		return ms_err(ctx, -EINVAL, "%s: nothing was dumped to analyse", h->dir);
	path = dir_path(h, h->dump_name);
	if (path && asprintf(&mpath, "%s.json", path) < 0)
		mpath = NULL;
	if (!path || !mpath || !jpath) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	ro.name = h->dump_name;
	ro.manifest = &h->mi;
	ro.base_from = mpath + strlen(h->dir) + 1;
	rc = ms_manifest_load(ctx, mpath, &h->mi);
	if (rc < 0)
		goto out;
	/* A region of like blocks must not run from one range into the next. */
	breaks = calloc(h->mi.nranges + 1, sizeof(*breaks));
	if (!breaks) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 1; i < h->mi.nranges; i++)
		breaks[ho.nbreaks++] = h->mi.ranges[i].offset;
	ho.breaks = breaks;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		goto out;
	}
	rc = ms_hist_new(ctx, &ho, &h->hist);
	if (rc == 0)
		rc = ms_hist_scan_fd(ctx, h->hist, fd, path);
	if (rc < 0)
		goto out;
	/* Objects, clusters and symbols add to the analysis; without them it still stands. */
	if (ms_analysis_run(ctx, &ao, path, &h->mi, &h->an) < 0)
		ms_hunt_warn(h, "objects: %s", ms_ctx_errmsg(ctx));
	for (i = 0; h->an && ms_analysis_note(h->an, i); i++)
		ms_hunt_warn(h, "%s", ms_analysis_note(h->an, i));
	if (h->an && h->ndumps > 1)
		analyse_base(ctx, h);
	else if (h->an && h->dump_name == dump_names[0])
		ms_hunt_warn(h, "one dump only: clusters are ranked by size, not by growth");
	/* No [heap] grew: the busiest thread arena is the heap to show chunk by chunk. */
	for (i = 0; !h->heap_start && h->an && i < ms_analysis_range_count(h->an); i++) {
		const struct ms_objrange *r = ms_analysis_range(h->an, i);

		if (r->finder == MS_FIND_GLIBC_ARENA && (!arena || r->objects > arena->objects))
			arena = r;
	}
	if (!h->heap_start && arena)
		h->heap_start = arena->start;
	if (h->heap_start)
		walk_heap(ctx, h, fd);
	rc = ms_outfile_open(ctx, jpath, 0, &of);
	if (rc == 0)
		rc = ms_hist_report_json(ctx, h->hist, &ro, ms_outfile_fp(of));
	if (rc == 0)
		rc = ms_outfile_commit(ctx, of);
	else
		ms_outfile_abort(of);
out:
	if (fd >= 0)
		close(fd);
	free(breaks);
	free(path);
	free(mpath);
	free(jpath);
	return rc;
}
