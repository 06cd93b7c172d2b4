// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memsift/diff.h>
#include <memsift/label.h>
#include <memsift/procfs.h>
#include <memsift/watch.h>

#include "internal.h"

struct ms_watch_item {
	const struct ms_watch *w;
	pid_t pid;
	char *comm;			/* owned by process items; else NULL */
	const struct ms_mapping *m;	/* in w->last; NULL for processes and totals */
	/* A runtime heap's row: its label (owned) and its mappings now; M the lowest. */
	char *heap;
	size_t members;
	uint64_t v_now[MS_WATCH__NVALUES];	/* the newest values */
	uint64_t v_sum[MS_WATCH__NVALUES];	/* a heap's sums in the sample being added */
	bool member;			/* a mapping summed into a heap's row */
	bool judged;			/* RATE and VERDICT hold: two values or more */
	enum ms_verdict verdict;
	double rate;
	/*
	 * RSS at the watch's grid samples (struct ms_watch.grid), the newest
	 * last: at most MS_WATCH_POINTS + 1 values, whatever the length of
	 * the watch.  The total's are every sample kept, up to MS_WATCH_KEEP.
	 */
	size_t n, cap;
	uint64_t *rss;
	struct ms_series *series;	/* the total's only */
};

/*
 * The samples whose values a mapping (or process) keeps.  Every STRIDE-th
 * sample of the last MS_WATCH_KEEP is on the grid; the stride doubles when
 * more than MS_WATCH_POINTS would be, so a mapping's memory is bounded
 * whatever the length of the watch (40,000 mappings kept 600 values of
 * three kinds each, and a copy in their series: about 1 GB).  The newest
 * sample is always the last entry, off the grid when PROVISIONAL: the next
 * sample replaces it.  Theil-Sen thins a long series anyway (trend.c).
 */
struct watch_grid {
	size_t stride;
	size_t n;
	bool provisional;
	size_t idx[MS_WATCH_POINTS + 2];	/* sample numbers, from 0 */
	double t[MS_WATCH_POINTS + 2];
	/* Of the previous entries, those kept in the sample being added. */
	bool keep[MS_WATCH_POINTS + 2];
	size_t old_n;
	bool changed;			/* some entry dropped, not only one added */
};

struct ms_watch {
	pid_t pid;			/* 0: every process */
	size_t samples;
	double times[MS_WATCH_KEEP];	/* of the samples kept, oldest first */
	size_t ntimes;
	double first_time;
	struct ms_snapshot *last;
	struct ms_watch_item **items;	/* address order (mappings) or pid order */
	size_t nitems;
	struct ms_watch_item **heaps;	/* runtime heaps over many mappings (V8's, pymalloc's) */
	size_t nheaps;
	struct ms_watch_item **ranked;	/* items not in a heap, and the heaps */
	size_t nranked;
	struct ms_watch_item total;
	size_t skipped;
	bool keep_text;			/* the newest sample's smaps text, to write it out */
	struct watch_grid grid;
};

static void item_clear(struct ms_watch_item *it)
{
	free(it->rss);
	ms_series_free(it->series);
	free(it->comm);
	free(it->heap);
}

static void item_free(struct ms_watch_item *it)
{
	if (!it)
		return;
	item_clear(it);
	free(it);
}

static struct ms_watch_item *item_new(const struct ms_watch *w, pid_t pid)
{
	struct ms_watch_item *it = calloc(1, sizeof(*it));

	if (it) {
		it->w = w;
		it->pid = pid;
	}
	return it;
}

static int item_room(struct ms_watch_item *it, size_t max)
{
	size_t cap;
	uint64_t *nv;

	if (it->n < it->cap)
		return 0;
	cap = it->cap ? it->cap * 2 : 8;
	if (cap > max)
		cap = max;
	nv = realloc(it->rss, cap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	it->rss = nv;
	it->cap = cap;
	return 0;
}

/* The total: one more sample; the oldest is dropped past MS_WATCH_KEEP. */
static int total_push(struct ms_watch_item *it, const uint64_t val[MS_WATCH__NVALUES])
{
	if (it->n == MS_WATCH_KEEP) {
		memmove(it->rss, it->rss + 1, (it->n - 1) * sizeof(uint64_t));
		it->n--;
	} else if (item_room(it, MS_WATCH_KEEP) < 0) {
		return -ENOMEM;
	}
	memcpy(it->v_now, val, sizeof(it->v_now));
	it->rss[it->n++] = val[MS_WATCH_RSS];
	return 0;
}

/*
 * A mapping or process: the values of the sample being added, its RSS
 * history brought onto the new grid (grid_advance()) first.  IT was in the
 * previous sample unless it is new (n == 0).
 */
static int item_push(struct ms_watch_item *it, const uint64_t val[MS_WATCH__NVALUES])
{
	const struct watch_grid *g = &it->w->grid;
	size_t i, k, first;

	if (it->n && g->changed) {
		/* Its values are those of the old grid's last N entries. */
		first = g->old_n - it->n;
		for (i = 0, k = 0; i < it->n; i++)
			if (g->keep[first + i])
				it->rss[k++] = it->rss[i];
		it->n = k;
	}
	if (item_room(it, MS_WATCH_POINTS + 2) < 0)
		return -ENOMEM;
	memcpy(it->v_now, val, sizeof(it->v_now));
	it->rss[it->n++] = val[MS_WATCH_RSS];
	return 0;
}

/* Put sample number K, at time T, on the grid; mark which old entries stay. */
static void grid_advance(struct watch_grid *g, size_t k, double t)
{
	size_t i, j, on;

	if (!g->stride)
		g->stride = 1;
	g->old_n = g->n;
	g->changed = false;
	for (i = 0; i < g->n; i++)
		g->keep[i] = true;
	/* The provisional newest is replaced by this one. */
	if (g->provisional && g->n) {
		g->keep[g->n - 1] = false;
		g->changed = true;
	}
	for (;;) {
		/* On the grid and in the window: the entries that stay, and this one. */
		on = 1;
		for (i = 0; i < g->old_n; i++) {
			if (!g->keep[i])
				continue;
			if (g->idx[i] % g->stride || g->idx[i] + MS_WATCH_KEEP <= k) {
				g->keep[i] = false;
				g->changed = true;
				continue;
			}
			on++;
		}
		if (on - (k % g->stride != 0) <= MS_WATCH_POINTS)
			break;
		g->stride *= 2;
	}
	for (i = 0, j = 0; i < g->old_n; i++)
		if (g->keep[i]) {
			g->idx[j] = g->idx[i];
			g->t[j++] = g->t[i];
		}
	g->idx[j] = k;
	g->t[j++] = t;
	g->n = j;
	g->provisional = k % g->stride != 0;
}

int ms_watch_new(struct ms_ctx *ctx, pid_t pid, struct ms_watch **out)
{
	struct ms_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return ms_err(ctx, -ENOMEM, "out of memory");
	w->pid = pid;
	w->total.w = w;
	w->total.pid = pid;
	*out = w;
	return 0;
}

static void free_items(struct ms_watch_item **items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		item_free(items[i]);
	free(items);
}

void ms_watch_free(struct ms_watch *w)
{
	if (!w)
		return;
	free_items(w->items, w->nitems);
	free_items(w->heaps, w->nheaps);
	free(w->ranked);
	item_clear(&w->total);
	ms_snapshot_free(w->last);
	free(w);
}

static int check_time(struct ms_ctx *ctx, const struct ms_watch *w, double t)
{
	if (w->ntimes && !(t > w->times[w->ntimes - 1]))
		return ms_err(ctx, -EINVAL, "sample %zu is not later than the one before",
			      w->samples + 1);
	return 0;
}

static int push_time(struct ms_ctx *ctx, struct ms_watch *w, double t)
{
	int rc = check_time(ctx, w, t);

	if (rc < 0)
		return rc;
	if (!w->samples)
		w->first_time = t;
	if (w->ntimes == MS_WATCH_KEEP) {
		memmove(w->times, w->times + 1, (MS_WATCH_KEEP - 1) * sizeof(double));
		w->ntimes--;
	}
	w->times[w->ntimes++] = t;
	grid_advance(&w->grid, w->samples, t);
	w->samples++;
	return 0;
}

static uint64_t value_or_0(const struct ms_mapping *m, enum ms_field f)
{
	uint64_t v = ms_mapping_get(m, f);

	return v == MS_FIELD_ABSENT ? 0 : v;
}

static void mapping_values(const struct ms_mapping *m, uint64_t val[MS_WATCH__NVALUES])
{
	val[MS_WATCH_RSS] = ms_mapping_get_or_size(m, MS_F_RSS);
	val[MS_WATCH_ANON] = value_or_0(m, MS_F_ANONYMOUS);
	val[MS_WATCH_SWAP] = value_or_0(m, MS_F_SWAP);
}

static int cmp_rank(const void *a, const void *b)
{
	const struct ms_watch_item *x = *(const struct ms_watch_item *const *)a;
	const struct ms_watch_item *y = *(const struct ms_watch_item *const *)b;
	uint64_t vx, vy;

	if (x->judged != y->judged)
		return x->judged ? -1 : 1;
	if (x->judged && x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	vx = x->v_now[MS_WATCH_RSS];
	vy = y->v_now[MS_WATCH_RSS];
	return vx > vy ? -1 : vx < vy;
}

/*
 * Rate and verdict over the values kept.  Most mappings never change: they
 * are steady without a series made (mapswatch judges every mapping at every
 * sample).  Only the total keeps its series, for the time to the limit.
 */
static int judge(struct ms_ctx *ctx, struct ms_watch_item *it, bool keep)
{
	struct ms_series *s;
	size_t i;
	int rc;

	ms_series_free(it->series);
	it->series = NULL;
	it->judged = it->n >= 2;
	it->rate = 0;
	it->verdict = MS_VERDICT_STEADY;
	if (!it->judged)
		return 0;
	for (i = 1; i < it->n && it->rss[i] == it->rss[0]; i++)
		;
	if (i == it->n && !keep)
		return 0;
	rc = ms_series_new(ctx, it->rss, ms_watch_item_times(it), it->n, &s);
	if (rc < 0)
		return rc;
	it->rate = ms_series_rate(s);
	it->verdict = ms_series_verdict(s);
	if (keep)
		it->series = s;
	else
		ms_series_free(s);
	return 0;
}

/* Give every item its rate and verdict, then rank them. */
static int rank(struct ms_ctx *ctx, struct ms_watch *w)
{
	struct ms_watch_item **r;
	size_t i;
	int rc;

	for (i = 0; i < w->nitems; i++)
		if ((rc = judge(ctx, w->items[i], false)) < 0)
			return rc;
	for (i = 0; i < w->nheaps; i++)
		if ((rc = judge(ctx, w->heaps[i], false)) < 0)
			return rc;
	if ((rc = judge(ctx, &w->total, true)) < 0)
		return rc;
	r = realloc(w->ranked, (w->nitems + w->nheaps + 1) * sizeof(*r));
	if (!r)
		return ms_err(ctx, -ENOMEM, "out of memory");
	w->ranked = r;
	w->nranked = 0;
	for (i = 0; i < w->nitems; i++)
		if (!w->items[i]->member)
			r[w->nranked++] = w->items[i];
	for (i = 0; i < w->nheaps; i++)
		r[w->nranked++] = w->heaps[i];
	qsort(r, w->nranked, sizeof(*r), cmp_rank);
	return 0;
}

/*
 * The mappings of one runtime heap (ms_label_one_heap(): V8's pages,
 * pymalloc's arenas) are one row, whose values are their sums: pages come
 * and go, the heap grows as one.  Each label's row is kept from sample to
 * sample while it has mappings; ITEMS are this sample's, S its snapshot.
 * Returns: 0 or -ENOMEM.
 */
static int sum_heaps(struct ms_watch *w, struct ms_watch_item **items, size_t n,
		     const struct ms_snapshot *s)
{
	uint64_t val[MS_WATCH__NVALUES];
	struct ms_watch_item *h, **nh;
	char label[128];
	size_t i, k, v;

	for (k = 0; k < w->nheaps; k++)
		w->heaps[k]->members = 0;
	for (i = 0; i < n; i++) {
		const struct ms_mapping *m = items[i]->m;

		items[i]->member = false;
		if (ms_mapping_kind(m) != MS_MAPPING_ANON ||
		    !ms_label_one_heap(ms_label_mapping(s, m, label, sizeof(label))))
			continue;
		for (k = 0; k < w->nheaps && strcmp(w->heaps[k]->heap, label); k++)
			;
		if (k == w->nheaps) {
			if (!(nh = realloc(w->heaps, (k + 1) * sizeof(*nh))))
				return -ENOMEM;
			w->heaps = nh;
			if (!(h = item_new(w, w->pid)) || !(h->heap = strdup(label))) {
				item_free(h);
				return -ENOMEM;
			}
			w->heaps[w->nheaps++] = h;
		}
		h = w->heaps[k];
		if (!h->members++) {
			h->m = m;
			memset(h->v_sum, 0, sizeof(h->v_sum));
		}
		items[i]->member = true;
		for (v = 0; v < MS_WATCH__NVALUES; v++)
			h->v_sum[v] += items[i]->v_now[v];
	}
	/* A heap none of whose mappings is left is gone, as a mapping would be. */
	for (k = 0; k < w->nheaps;) {
		h = w->heaps[k];
		if (!h->members) {
			item_free(h);
			w->heaps[k] = w->heaps[--w->nheaps];
			continue;
		}
		memcpy(val, h->v_sum, sizeof(val));
		if (item_push(h, val) < 0)
			return -ENOMEM;
		k++;
	}
	return 0;
}

int ms_watch_add_snapshot(struct ms_ctx *ctx, struct ms_watch *w, struct ms_snapshot *s)
{
	const struct ms_maps *maps = ms_snapshot_maps(s);
	size_t n = ms_maps_count(maps), i;
	struct ms_watch_item **items;
	struct ms_diff *d = NULL;
	uint64_t val[MS_WATCH__NVALUES], tot[MS_WATCH__NVALUES] = { 0 };
	double t = ms_snapshot_boottime(s);
	int rc;

	if (t < 0) {
		ms_snapshot_free(s);
		return ms_err(ctx, -EINVAL, "sample %zu: the snapshot has no time", w->samples + 1);
	}
	if ((rc = check_time(ctx, w, t)) < 0) {
		ms_snapshot_free(s);
		return rc;
	}
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items) {
		ms_snapshot_free(s);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	if (w->last && (rc = ms_diff_new(ctx, ms_snapshot_maps(w->last), maps, &d)) < 0)
		goto fail;
	/* A mapping the diff follows keeps its series; the rest start afresh. */
	for (i = 0; d && i < ms_diff_count(d); i++) {
		const struct ms_diff_entry *e = ms_diff_get(d, i);
		size_t oi, ni;

		if (ms_diff_entry_status(e) != MS_DIFF_KEPT)
			continue;
		oi = ms_mapping_index(ms_diff_entry_old(e));
		ni = ms_mapping_index(ms_diff_entry_new(e));
		if (oi < w->nitems && w->items[oi] && !items[ni]) {
			items[ni] = w->items[oi];
			w->items[oi] = NULL;
		}
	}
	ms_diff_free(d);
	if ((rc = push_time(ctx, w, t)) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);

		if (!items[i] && !(items[i] = item_new(w, w->pid))) {
			rc = ms_err(ctx, -ENOMEM, "out of memory");
			goto fail;
		}
		items[i]->m = m;
		mapping_values(m, val);
		for (size_t k = 0; k < MS_WATCH__NVALUES; k++)
			tot[k] += val[k];
		if (item_push(items[i], val) < 0) {
			rc = ms_err(ctx, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (total_push(&w->total, tot) < 0) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	if (sum_heaps(w, items, n, s) < 0) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	free_items(w->items, w->nitems);
	w->items = items;
	w->nitems = n;
	ms_snapshot_free(w->last);
	w->last = s;
	return rank(ctx, w);
fail:
	free_items(items, n);
	ms_snapshot_free(s);
	return rc;
}

/* The name in /proc/PID/comm, without its newline; NULL when unreadable. */
static char *read_comm(pid_t pid)
{
	char *buf;
	size_t len;

	if (ms_procfs_read(NULL, pid, "comm", &buf, &len) < 0)
		return NULL;
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return buf;
}

/* One process's rollup: 0, 1 when it is to be skipped, or -ENOMEM. */
static int read_rollup(struct ms_watch *w, pid_t pid, uint64_t val[MS_WATCH__NVALUES])
{
	struct ms_maps *maps;
	int rc;

	rc = ms_maps_read_pid(NULL, pid, MS_MAPS_SRC_ROLLUP, &maps);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		/* Gone meanwhile, or a kernel thread (no mappings): not the user's concern. */
		if (rc == -EPERM || rc == -EACCES)
			w->skipped++;
		return 1;
	}
	mapping_values(ms_maps_get(maps, 0), val);
	ms_maps_free(maps);
	return 0;
}

static int sample_all(struct ms_ctx *ctx, struct ms_watch *w)
{
	struct ms_watch_item **items = NULL, *it;
	uint64_t val[MS_WATCH__NVALUES], tot[MS_WATCH__NVALUES] = { 0 };
	struct timespec ts;
	pid_t *pids, self = getpid();
	size_t npids, i, k, n = 0, old = 0;
	char *comm;
	int rc;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	if ((rc = ms_procfs_pids(ctx, &pids, &npids)) < 0)
		return rc;
	if (npids && !(items = calloc(npids, sizeof(*items)))) {
		free(pids);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	if ((rc = push_time(ctx, w, (double)ts.tv_sec + ts.tv_nsec / 1e9)) < 0)
		goto fail;
	w->skipped = 0;
	for (i = 0; i < npids; i++) {
		if (pids[i] == self)
			continue;
		rc = read_rollup(w, pids[i], val);
		if (rc < 0)
			goto fail_nomem;
		if (rc > 0 || !(comm = read_comm(pids[i])))
			continue;
		/* Both lists are in pid order: a merge.  A new name is a new program (exec). */
		while (old < w->nitems && w->items[old]->pid < pids[i])
			old++;
		it = NULL;
		if (old < w->nitems && w->items[old]->pid == pids[i] &&
		    !strcmp(w->items[old]->comm, comm)) {
			it = w->items[old];
			w->items[old++] = NULL;
			free(comm);
		} else if ((it = item_new(w, pids[i]))) {
			it->comm = comm;
		} else {
			free(comm);
			goto fail_nomem;
		}
		items[n++] = it;
		for (k = 0; k < MS_WATCH__NVALUES; k++)
			tot[k] += val[k];
		if (item_push(it, val) < 0)
			goto fail_nomem;
	}
	free(pids);
	if (total_push(&w->total, tot) < 0) {
		free_items(items, n);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	/* Kept pid order but for the NULLs of those claimed: drop the rest. */
	for (i = 0; i < w->nitems; i++)
		item_free(w->items[i]);
	free(w->items);
	w->items = items;
	w->nitems = n;
	return rank(ctx, w);
fail_nomem:
	rc = ms_err(ctx, -ENOMEM, "out of memory");
fail:
	free(pids);
	free_items(items, n);
	return rc;
}

int ms_watch_sample(struct ms_ctx *ctx, struct ms_watch *w)
{
	struct ms_snapshot *s;
	char why[96];
	int rc;

	if (!w->pid)
		return sample_all(ctx, w);
	/* A sample not written out needs no text: 14 MB less to fault in at 20,000 mappings. */
	rc = ms_snapshot_take_flags(ctx, w->pid, w->keep_text ? 0 : MS_SNAP_NO_TEXT, &s);
	/* A process that had mappings and has none exited: a zombie not yet reaped. */
	if (rc == -ENODATA && w->samples)
		return ms_err(ctx, -ESRCH, "pid %d: exited", (int)w->pid);
	if (rc < 0)
		return rc;
	/* A reused pid or an exec is another process: not one more sample of this one. */
	if (w->last && !ms_snapshot_same_process(w->last, s, why, sizeof(why))) {
		ms_snapshot_free(s);
		return ms_err(ctx, -ESTALE, "pid %d %s", (int)w->pid, why);
	}
	return ms_watch_add_snapshot(ctx, w, s);
}

void ms_watch_keep_text(struct ms_watch *w, bool keep)
{
	w->keep_text = keep;
}

pid_t ms_watch_pid(const struct ms_watch *w)
{
	return w->pid;
}

size_t ms_watch_samples(const struct ms_watch *w)
{
	return w->samples;
}

const struct ms_snapshot *ms_watch_last(const struct ms_watch *w)
{
	return w->last;
}

double ms_watch_elapsed(const struct ms_watch *w)
{
	return w->ntimes ? w->times[w->ntimes - 1] - w->first_time : 0;
}

size_t ms_watch_skipped(const struct ms_watch *w)
{
	return w->skipped;
}

uint64_t ms_watch_limit(const struct ms_watch *w)
{
	const char *mm = w->last ? ms_snapshot_get(w->last, "memory.max") : NULL;

	/* cgroup v2 writes "max" for no limit. */
	return mm && strcmp(mm, "max") ? strtoull(mm, NULL, 10) : 0;
}

size_t ms_watch_count(const struct ms_watch *w)
{
	return w->nranked;
}

const struct ms_watch_item *ms_watch_get(const struct ms_watch *w, size_t i)
{
	return i < w->nranked ? w->ranked[i] : NULL;
}

size_t ms_watch_item_heap(const struct ms_watch_item *it)
{
	return it->heap ? it->members : 0;
}

const struct ms_watch_item *ms_watch_total(const struct ms_watch *w)
{
	return w->total.n ? &w->total : NULL;
}

pid_t ms_watch_item_pid(const struct ms_watch_item *it)
{
	return it->pid;
}

const char *ms_watch_item_comm(const struct ms_watch_item *it)
{
	if (it->comm)
		return it->comm;
	return it->w->last ? ms_snapshot_get(it->w->last, "comm") : NULL;
}

const struct ms_mapping *ms_watch_item_mapping(const struct ms_watch_item *it)
{
	return it->m;
}

size_t ms_watch_item_count(const struct ms_watch_item *it)
{
	return it->n;
}

const uint64_t *ms_watch_item_values(const struct ms_watch_item *it)
{
	return it->rss;
}

const double *ms_watch_item_times(const struct ms_watch_item *it)
{
	const struct ms_watch *w = it->w;

	/* An item present now has a value at each of the last N samples (or grid entries). */
	if (it == &w->total)
		return w->times + w->ntimes - it->n;
	return w->grid.t + w->grid.n - it->n;
}

uint64_t ms_watch_item_now(const struct ms_watch_item *it, enum ms_watch_value v)
{
	return it->n ? it->v_now[v] : 0;
}

int ms_watch_item_trend(const struct ms_watch_item *it, double *rate, enum ms_verdict *verdict)
{
	if (!it->judged)
		return -ENODATA;
	if (rate)
		*rate = it->rate;
	if (verdict)
		*verdict = it->verdict;
	return 0;
}

const struct ms_series *ms_watch_item_series(const struct ms_watch_item *it)
{
	return it->series;
}

/* Prometheus label values: short words, easier in alert rules than the sentences. */
static const char *const verdict_names[] = {
	[MS_VERDICT_STEADY] = "steady",
	[MS_VERDICT_GROWING] = "growing",
	[MS_VERDICT_LEVELLED] = "levelled",
	[MS_VERDICT_SHRINKING] = "shrinking",
};

static const struct {
	const char *name, *help;
} families[] = {
	{ "memsift_process_rss_bytes", "Resident set size of the process, from smaps." },
	{ "memsift_process_anonymous_bytes", "Anonymous memory of the process, from smaps." },
	{ "memsift_process_swap_bytes", "Swapped-out memory of the process, from smaps." },
	{ "memsift_process_rss_growth_bytes_per_second",
	  "Growth rate of the resident set (Theil-Sen slope over the samples kept)." },
	{ "memsift_process_verdict",
	  "1 for the current verdict on the resident set (growing: grows with no steady state), 0 for the others." },
	{ "memsift_mapping_rss_bytes", "Resident set size of the mapping, from smaps." },
	{ "memsift_mapping_anonymous_bytes", "Anonymous memory of the mapping, from smaps." },
	{ "memsift_mapping_swap_bytes", "Swapped-out memory of the mapping, from smaps." },
	{ "memsift_mapping_rss_growth_bytes_per_second",
	  "Growth rate of the mapping's resident set (Theil-Sen slope over the samples kept)." },
	{ "memsift_mapping_verdict",
	  "1 for the current verdict on the mapping's resident set, 0 for the others." },
};

/* The samples of one item, under the families from FIRST on (process or mapping). */
static int prom_item(struct ms_ctx *ctx, const struct ms_watch_item *it, size_t first,
		     const char **labels, size_t nl, struct ms_prom *p)
{
	size_t v;
	int rc = 0;

	for (v = 0; v < MS_WATCH__NVALUES && rc == 0; v++)
		rc = ms_prom_add(ctx, p, families[first + v].name, labels,
				 (double)ms_watch_item_now(it, v));
	if (rc < 0 || !it->judged)
		return rc;
	rc = ms_prom_add(ctx, p, families[first + 3].name, labels, it->rate);
	labels[nl] = "verdict";
	labels[nl + 2] = NULL;
	for (v = MS_VERDICT_STEADY; v <= MS_VERDICT_SHRINKING && rc == 0; v++) {
		labels[nl + 1] = verdict_names[v];
		rc = ms_prom_add(ctx, p, families[first + 4].name, labels,
				 it->verdict == v ? 1 : 0);
	}
	labels[nl] = NULL;
	return rc;
}

static const struct {
	const char *name, *help;
} group_families[] = {
	{ "memsift_group_rss_bytes", "Resident set size of the group's processes, summed, from smaps_rollup." },
	{ "memsift_group_anonymous_bytes", "Anonymous memory of the group's processes, summed." },
	{ "memsift_group_swap_bytes", "Swapped-out memory of the group's processes, summed." },
	{ "memsift_group_rss_growth_bytes_per_second",
	  "Growth rate of the group's resident set: its processes' Theil-Sen slopes, summed." },
	{ "memsift_group_processes", "Processes in the group at the sample." },
	{ "memsift_group_growing_processes",
	  "Processes of the group whose resident set grows with no steady state." },
	{ "memsift_groups_omitted",
	  "Groups not exported: below --min-rss, or past the --top largest." },
};

struct group {
	char *key;
	uint64_t v[MS_WATCH__NVALUES];
	double rate;
	size_t n, growing;
};

static int cmp_group_rss(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->v[MS_WATCH_RSS] != y->v[MS_WATCH_RSS])
		return x->v[MS_WATCH_RSS] < y->v[MS_WATCH_RSS] ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int regex_compile(struct ms_ctx *ctx, const char *regex, pcre2_code **re)
{
	PCRE2_SIZE off;
	int errc;

	*re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &errc, &off, NULL);
	if (!*re) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(errc, msg, sizeof(msg));
		return ms_err(ctx, -EINVAL, "\"%s\": %s at offset %zu", regex, (char *)msg,
			      (size_t)off);
	}
	return 0;
}

int ms_watch_group_regex_check(struct ms_ctx *ctx, const char *regex)
{
	pcre2_code *re;
	int rc = regex_compile(ctx, regex, &re);

	pcre2_code_free(re);
	return rc;
}

/* The group of process IT, a new string; NULL and 0 when it is in none. */
static int group_key(struct ms_ctx *ctx, const struct ms_watch_item *it,
		     const struct ms_watch_prom_opts *o, pcre2_code *re, pcre2_match_data *md,
		     char **key)
{
	const char *comm = it->comm ? it->comm : "";
	char *v2 = NULL, *v1 = NULL;

	*key = NULL;
	switch (o->by) {
	case MS_WATCH_BY_COMM:
		*key = strdup(comm);
		break;
	case MS_WATCH_BY_CGROUP:
		/* A process gone since the sample is in no group. */
		if (ms_procfs_cgroup(NULL, it->pid, &v2, &v1) < 0)
			return 0;
		/* Where its memory is accounted: v1's memory controller on a hybrid system. */
		if (v1) {
			free(v2);
			*key = v1;
		} else {
			*key = v2 ? v2 : strdup("");
		}
		break;
	case MS_WATCH_BY_REGEX: {
		PCRE2_SIZE *ov;
		int n = pcre2_match(re, (PCRE2_SPTR)comm, strlen(comm), 0, 0, md, NULL);
		size_t g;

		if (n < 0)
			return 0;
		ov = pcre2_get_ovector_pointer(md);
		g = n > 1 && ov[2] != PCRE2_UNSET ? 1 : 0;
		*key = strndup(comm + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		break;
	}
	}
	return *key ? 0 : ms_err(ctx, -ENOMEM, "out of memory");
}

/* --all: one series per group, the largest first, never one per pid. */
static int prom_groups(struct ms_ctx *ctx, const struct ms_watch *w,
		       const struct ms_watch_prom_opts *o, struct ms_prom *p)
{
	struct group *g = calloc(w->nitems ? w->nitems : 1, sizeof(*g));
	pcre2_match_data *md = NULL;
	pcre2_code *re = NULL;
	const char *labels[8] = { "by", NULL, "group", NULL, NULL };
	static const char *const by[] = { "comm", "cgroup", "regex" };
	size_t i, j, ng = 0, shown = 0;
	double v;
	int rc = 0;

	if (!g)
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (o->by == MS_WATCH_BY_REGEX) {
		rc = regex_compile(ctx, o->regex ? o->regex : "", &re);
		if (rc == 0 && !(md = pcre2_match_data_create_from_pattern(re, NULL)))
			rc = ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < w->nitems && rc == 0; i++) {
		const struct ms_watch_item *it = w->items[i];
		char *key;

		/* w->items are the processes of the newest sample, no others. */
		if ((rc = group_key(ctx, it, o, re, md, &key)) < 0 || !key)
			continue;
		for (j = 0; j < ng && strcmp(g[j].key, key); j++)
			;
		if (j == ng)
			g[ng++].key = key;
		else
			free(key);
		for (size_t k = 0; k < MS_WATCH__NVALUES; k++)
			g[j].v[k] += ms_watch_item_now(it, k);
		g[j].n++;
		if (it->judged) {
			g[j].rate += it->rate;
			g[j].growing += it->verdict == MS_VERDICT_GROWING;
		}
	}
	qsort(g, ng, sizeof(*g), cmp_group_rss);
	labels[1] = by[o->by];
	for (i = 0; i < ng && rc == 0; i++) {
		if (g[i].v[MS_WATCH_RSS] < o->min_rss || (o->top && shown >= o->top))
			continue;
		shown++;
		labels[3] = g[i].key;
		for (j = 0; j < MS_WATCH__NVALUES && rc == 0; j++)
			rc = ms_prom_add(ctx, p, group_families[j].name, labels, (double)g[i].v[j]);
		if (rc == 0)
			rc = ms_prom_add(ctx, p, group_families[3].name, labels, g[i].rate);
		if (rc == 0)
			rc = ms_prom_add(ctx, p, group_families[4].name, labels, (double)g[i].n);
		if (rc == 0)
			rc = ms_prom_add(ctx, p, group_families[5].name, labels, (double)g[i].growing);
	}
	labels[2] = NULL;
	v = (double)(ng - shown);
	if (rc == 0)
		rc = ms_prom_add(ctx, p, group_families[6].name, labels, v);
	for (i = 0; i < ng; i++)
		free(g[i].key);
	free(g);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc;
}

int ms_watch_prom(struct ms_ctx *ctx, const struct ms_watch *w,
		  const struct ms_watch_prom_opts *o, struct ms_prom *p)
{
	const char *labels[16] = { 0 };
	char pid[16], start[24], label[128];
	struct timespec now;
	const char *comm;
	size_t i;
	int rc = 0;

	rc = ms_prom_family(ctx, p, "memsift_sample_timestamp_seconds", MS_PROM_GAUGE,
			    "When the sample was taken (Unix time): a file older than a few intervals is stale.");
	if (rc < 0)
		return rc;
	if (!w->pid) {
		for (i = 0; i < MS_ARRAY_SIZE(group_families) && rc == 0; i++)
			rc = ms_prom_family(ctx, p, group_families[i].name, MS_PROM_GAUGE,
					    group_families[i].help);
	} else {
		for (i = 0; i < MS_ARRAY_SIZE(families) && rc == 0; i++)
			rc = ms_prom_family(ctx, p, families[i].name, MS_PROM_GAUGE, families[i].help);
	}
	if (rc < 0 || !w->total.n)
		return rc;
	clock_gettime(CLOCK_REALTIME, &now);
	rc = ms_prom_add(ctx, p, "memsift_sample_timestamp_seconds", labels,
			 (double)now.tv_sec + now.tv_nsec / 1e9);
	if (rc < 0)
		return rc;
	if (!w->pid)
		return prom_groups(ctx, w, o, p);
	labels[0] = "pid";
	labels[1] = pid;
	labels[2] = "comm";
	snprintf(pid, sizeof(pid), "%d", (int)w->pid);
	comm = ms_watch_item_comm(&w->total);
	labels[3] = comm ? comm : "";
	rc = prom_item(ctx, &w->total, 0, labels, 4, p);
	for (i = 0; i < o->top && i < w->nranked && rc == 0; i++) {
		const struct ms_mapping *m = w->ranked[i]->m;

		snprintf(start, sizeof(start), "0x%llx", (unsigned long long)ms_mapping_start(m));
		labels[4] = "start";
		labels[5] = start;
		labels[6] = "perms";
		labels[7] = ms_mapping_perms(m);
		labels[8] = "mapping";
		labels[9] = ms_mapping_name(m);
		labels[10] = "label";
		labels[11] = ms_label_mapping(w->last, m, label, sizeof(label));
		rc = prom_item(ctx, w->ranked[i], 5, labels, 12, p);
	}
	return rc;
}
