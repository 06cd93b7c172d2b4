// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hunt's steps: keep the series, judge it (lib/trend.c), dump what grew
 * (lib/dump.c) and analyse the dump as bytehist --symbols --heap does
 * (lib/hist.c, lib/symbol.c, lib/heapwalk.c).  report.md is lib/hunt-report.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
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
#include <memsift/goheap.h>
#include <memsift/growtrace.h>
#include <memsift/heapwalk.h>
#include <memsift/hist-report.h>
#include <memsift/hist.h>
#include <memsift/hunt.h>
#include <memsift/label.h>
#include <memsift/manifest.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/pattern.h>
#include <memsift/procfs.h>
#include <memsift/refs.h>
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
			ms_err(ctx, rc, "%s: exists; a hunt writes into a new directory", h->dir);
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
	free(h->go_value);
	free(h->go_cycles);
	free(h->go_float);
	ms_manifest_release(&h->mi);
	ms_hist_free(h->hist);
	ms_analysis_free(h->an);
	free(h->dir);
	free(h);
}

void ms_hunt_set_warn_cb(struct ms_hunt *h, ms_hunt_warn_cb cb, void *data)
{
	h->warn = cb;
	h->warn_data = data;
}

void ms_hunt_set_growtrace(struct ms_hunt *h, const struct ms_growtrace *gt)
{
	h->gt = gt;
}

void ms_hunt_trace_clause(const struct ms_hunt *h, size_t nclauses, FILE *fp)
{
	const struct ms_growtrace_stack *st;
	uint64_t *starts, *ends;
	struct ms_clause cl;
	size_t i, n = 0, nr;
	char buf[512];
	double share = 0;
	long rank;

	if (!h->gt || !h->an || ms_analysis_clauses(h->an, &cl, 1) < 1)
		return;
	/* The pages its objects lie in: the ranges of the finder that found them. */
	nr = ms_analysis_range_count(h->an);
	starts = calloc(nr + 1, sizeof(*starts));
	ends = calloc(nr + 1, sizeof(*ends));
	for (i = 0; starts && ends && i < nr; i++) {
		const struct ms_objrange *r = ms_analysis_range(h->an, i);

		if (r->finder == cl.cluster->finder) {
			starts[n] = r->start;
			ends[n++] = r->end;
		}
	}
	rank = starts && ends ? ms_growtrace_top_in(h->gt, starts, ends, n, &share) : -ENOMEM;
	free(starts);
	free(ends);
	st = rank >= 0 ? ms_growtrace_stack(h->gt, (size_t)rank) : NULL;
	/* Code with no name (a stripped interpreter) names nothing: say nothing. */
	if (!st || !*ms_growtrace_culprit_str(st, buf, sizeof(buf)))
		return;
	fprintf(fp, "%s first touched by %s, %.0f%% of the growth of %s",
		nclauses > 1 ? "; the first one's pages" : ",", buf, share * 100, st->mapping);
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

bool ms_hunt_unconfirmed(const struct ms_hunt *h)
{
	return h->seen && !h->confirmed;
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
	uint64_t a = ms_series_value(s, 0), b = ms_series_value(s, ms_series_count(s) - 1);

	return ms_series_verdict(s) == MS_VERDICT_GROWING && b > a && b - a >= h->o.threshold;
}

/* A mapping, or the process, grew by the threshold from the first snapshot to the last. */
static bool grew_between(struct ms_ctx *ctx, const struct ms_hunt *h)
{
	struct ms_diff *d;
	int64_t total = 0, delta;
	bool grew = false;
	size_t i;

	if (ms_diff_new(ctx, h->maps[0], h->maps[h->n - 1], &d) < 0)
		return false;
	for (i = 0; i < ms_diff_count(d) && !grew; i++) {
		delta = ms_diff_entry_grown(ms_diff_get(d, i));
		total += delta;
		grew = delta > 0 && (uint64_t)delta >= h->o.threshold;
	}
	ms_diff_free(d);
	return grew || (total > 0 && (uint64_t)total >= h->o.threshold);
}

/*
 * A Go process's anonymous memory is its runtime's: arenas whose pages
 * garbage touches and the scavenger returns, split by madvise, and the
 * metadata that follows them.  Judged on pages, a service that makes only
 * garbage grows until its GC paces, and the scavenger's returns split
 * and shrink what the next GC's garbage grows again; the bytes in use
 * saw-tooth between two GCs.  Its growth is judged on what each GC found
 * alive instead (ms_goheap_marked_bytes(), less its floating garbage:
 * go_judge()), one value per GC the snapshots saw finish: the warm-up
 * before the first not counted, and no trend before six.  With GOGC=off,
 * on the bytes in use, as nothing is ever freed.
 */
static bool go_owned(const struct ms_hunt *h, const struct ms_mapping *m)
{
	char label[64];

	/* A cgo program's malloc arenas are glibc's, judged on pages as ever. */
	return m && ms_mapping_kind(m) == MS_MAPPING_ANON &&
	       strncmp(ms_label_mapping(h->snap[h->n - 1], m, label, sizeof(label)), "glibc", 5);
}

/* Sample the Go heap of the process at its newest snapshot S (the Nth). */
static int go_sample(struct ms_ctx *ctx, struct ms_hunt *h, const struct ms_snapshot *s)
{
	struct ms_goheap *g;
	uint64_t *v, *f, start, end;
	uint32_t *c;
	char *env = NULL;
	size_t len, i;
	int rc;

	if (h->go_state < 0)
		return 0;
	if (!(v = realloc(h->go_value, h->n * sizeof(*v))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->go_value = v;
	if (!(c = realloc(h->go_cycles, h->n * sizeof(*c))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->go_cycles = c;
	if (!(f = realloc(h->go_float, h->n * sizeof(*f))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	h->go_float = f;
	v[h->n - 1] = f[h->n - 1] = UINT64_MAX;
	c[h->n - 1] = 0;
	rc = ms_goheap_new_pid(ctx, h->o.pid, ms_snapshot_maps(s), 0, &g);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		/* Not Go, or its heap unread from the start: pages, as for any process. */
		if (!h->go_state)
			h->go_state = -1;
		return 0;
	}
	if (!h->go_state && ms_procfs_read(ctx, h->o.pid, "environ", &env, &len) == 0) {
		for (i = 0; i < len; i += strlen(env + i) + 1)
			h->go_off |= !strcmp(env + i, "GOGC=off");
		free(env);
	}
	h->go_state = 1;
	v[h->n - 1] = h->go_off ? ms_goheap_live_bytes(g) : ms_goheap_marked_bytes(g);
	c[h->n - 1] = ms_goheap_gc_cycles(g);
	if (ms_goheap_last_gc(g, &start, &end) == 0)
		f[h->n - 1] = end - start;
	ms_goheap_free(g);
	return 0;
}

/* What the Go heap says: nothing (not Go, a sample missing), not enough yet, or its answer. */
enum go_answer { GO_NONE, GO_UNDECIDED, GO_DECIDED };

/* GCs seen before the Go heap's growth is judged: a test of halves on fewer is chance. */
#define GO_MIN_GCS 6
/* Beyond so many GCs (a long hunt with GOGC=off), their order is not tested: it costs k². */
#define GO_MAX_RANKED 400

/*
 * The chance that K values in random order show INV or fewer inversions
 * (pairs where a later one is not above an earlier one): the one-sided
 * p-value of Mann-Kendall's test for a rising trend, exact (the
 * inversions of a random permutation) up to 40 values, from the normal
 * law beyond.
 */
static double rising_p(size_t k, size_t inv)
{
	size_t max = k * (k - 1) / 2, i, j, m;
	double *d, *e, p = 0;

	if (k < 2)
		return 1;
	if (k > 40) {
		double var = (double)k * (k - 1) * (2 * k + 5) / 18, s = (double)max - 2.0 * inv;

		return s <= 1 ? 0.5 : 0.5 * erfc((s - 1) / sqrt(2 * var));
	}
	d = calloc(max + 1, sizeof(*d));
	e = calloc(max + 1, sizeof(*e));
	if (!d || !e) {
		free(d);
		free(e);
		return 1;
	}
	/* The m-th value inserted adds 0 to m-1 inversions, each as likely. */
	d[0] = 1;
	for (m = 2; m <= k; m++) {
		memset(e, 0, (max + 1) * sizeof(*e));
		for (i = 0; i <= (m - 1) * (m - 2) / 2; i++)
			for (j = 0; j < m; j++)
				e[i + j] += d[i] / (double)m;
		memcpy(d, e, (max + 1) * sizeof(*d));
	}
	for (i = 0; i <= inv && i <= max; i++)
		p += d[i];
	free(d);
	free(e);
	return p < 1 ? p : 1;
}

/* Whether snapshot I is the first to see a GC (with GOGC=off, every snapshot counts). */
static bool go_new_gc(const struct ms_hunt *h, size_t i)
{
	return h->go_off || (h->go_cycles[i] && (!i || h->go_cycles[i] > h->go_cycles[i - 1]));
}

/*
 * Whether the Go heap grows, into *SEEN.  What a GC marks is what was
 * alive when it began plus all that was allocated while it marked
 * (floating garbage: the runtime marks new objects at once).  Under
 * load a GC marks for longer, and a steady service's marks rise with
 * the load, by up to what it allocates in a cycle.  The runtime says
 * how much the heap grew while each GC marked (runtime.work, as
 * gctrace prints it): at the least, the live heap when a GC began is
 * its marks less that.  Growth is the later half of the GCs' least live
 * heap above the earlier half's marks (the most it can have been) by
 * the threshold and by more than the marks ever fell back, and three in
 * four GCs' marks above the one before.  Where the runtime did not say
 * (a GC marking as it was read), the most any other GC allocated while
 * marking stands in; where it never said, the marks alone are judged.
 * With GOGC=off, on the bytes in use: nothing is freed, nothing floats.
 */
static enum go_answer go_judge(struct ms_hunt *h, bool *seen)
{
	uint64_t lo = UINT64_MAX, hi = 0, prev = 0, top = 0, drop = 0, fmax = 0, *val, *flt;
	size_t k = 0, rises = 0, inv = 0, i, j, g;

	*seen = false;
	h->go_k = 0;
	h->go_bounded = false;
	if (h->go_state <= 0)
		return GO_NONE;
	for (i = 0; i < h->n; i++)
		if (h->go_value[i] == UINT64_MAX)
			return GO_NONE;
	/* One value per GC finished between two snapshots (every snapshot with GOGC=off). */
	/* Bounded as the judgement below is: by a record read once a GC was seen. */
	for (i = 0; i < h->n; i++) {
		k += go_new_gc(h, i);
		h->go_bounded |= k && !h->go_off && h->go_float[i] != UINT64_MAX;
	}
	if (k < GO_MIN_GCS)
		return GO_UNDECIDED;
	val = calloc(k, sizeof(*val));
	flt = calloc(k, sizeof(*flt));
	if (!val || !flt) {
		free(val);
		free(flt);
		return GO_UNDECIDED;
	}
	/* A GC's floating garbage from any snapshot that read it before the next GC. */
	for (i = 0, g = 0; i < h->n; i++) {
		if (go_new_gc(h, i)) {
			val[g] = h->go_value[i];
			flt[g++] = h->go_off ? 0 : UINT64_MAX;
		}
		if (g && flt[g - 1] == UINT64_MAX && h->go_float[i] != UINT64_MAX)
			flt[g - 1] = h->go_float[i];
	}
	for (g = 0; g < k; g++)
		if (flt[g] != UINT64_MAX && flt[g] > fmax)
			fmax = flt[g];
	for (g = 0; g < k; g++) {
		uint64_t v = val[g], f = flt[g] != UINT64_MAX ? flt[g] : fmax;

		if (g < k / 2 && v > hi)
			hi = v;
		if (g >= k - k / 2 && (v > f ? v - f : 0) < lo)
			lo = v > f ? v - f : 0;
		rises += g && v > prev;
		prev = v;
		top = v > top ? v : top;
		drop = top - v > drop ? top - v : drop;
		for (j = 0; j < g && k <= GO_MAX_RANKED; j++)
			inv += val[j] >= v;
	}
	free(val);
	free(flt);
	h->go_k = k;
	h->go_gain = (int64_t)lo - (int64_t)hi;
	h->go_p = k <= GO_MAX_RANKED ? rising_p(k, inv) : NAN;
	*seen = lo >= hi && lo - hi >= h->o.threshold && lo - hi > drop &&
		rises * 4 >= (k - 1) * 3;
	return GO_DECIDED;
}

/*
 * Say how the Go heap is judged (GO, go_judge()'s answer), so that the
 * last thing said is what the last judgement was based on.  The runtime's
 * record of a GC may be unread in the first snapshots (a GC marking as the
 * heap was read) and read in a later one, and once read it counts for the
 * rest of the hunt.  Said at the first answer, as pages that grow are then
 * no longer what confirms: less what was allocated while it marked if a
 * record is read, else that it will be once one is; the marks alone when
 * they are judged (from GO_MIN_GCS GCs on) with none read; and corrected
 * if one is read after that.
 */
static void go_say(struct ms_hunt *h, enum go_answer go)
{
	if (go == GO_NONE || h->go_said == GO_SAID_FINAL)
		return;
	if (h->go_off) {
		ms_hunt_warn(h, "a Go program with GOGC=off: its heap is judged on the bytes it holds in use, not on its pages");
		h->go_said = GO_SAID_FINAL;
	} else if (h->go_bounded && h->go_said == GO_SAID_MARKS) {
		ms_hunt_warn(h, "a Go program: its heap is now judged on what each GC found alive less what was allocated while it marked, the runtime's record of a GC read at snapshot %zu",
			     h->n);
		h->go_said = GO_SAID_FINAL;
	} else if (h->go_bounded) {
		ms_hunt_warn(h, "a Go program: its heap is judged on what each GC found alive less what was allocated while it marked, from %d GCs on, not on its pages",
			     GO_MIN_GCS);
		h->go_said = GO_SAID_FINAL;
	} else if (go == GO_DECIDED && h->go_said < GO_SAID_MARKS) {
		ms_hunt_warn(h, "a Go program: its heap is judged on what each GC found alive (what was allocated while it marked not known: less sure), from %d GCs on, not on its pages",
			     GO_MIN_GCS);
		h->go_said = GO_SAID_MARKS;
	} else if (h->go_said == GO_SAID_NOTHING) {
		ms_hunt_warn(h, "a Go program: its heap is judged on what each GC found alive, from %d GCs on, not on its pages (less what was allocated while it marked, once a snapshot reads the runtime's record of it)",
			     GO_MIN_GCS);
		h->go_said = GO_SAID_PLAN;
	}
}

/*
 * Build the trend of the snapshots so far; decide h->seen (growth with no
 * steady state, or growth between two snapshots) and h->confirmed (seen
 * over NEED snapshots or more).
 */
static int assess(struct ms_ctx *ctx, struct ms_hunt *h, size_t need)
{
	bool have_times = true, go_seen;
	enum go_answer go;
	size_t i;
	int rc;

	ms_trend_free(h->trend);
	h->trend = NULL;
	h->confirmed = h->seen = false;
	/* Two snapshots are no trend, but growth between them is worth saying. */
	if (h->n == 2)
		h->seen = grew_between(ctx, h);
	if (h->n < 3)
		return 0;
	for (i = 1; i < h->n; i++)
		if (h->times[i] <= h->times[i - 1])
			have_times = false;
	rc = ms_trend_new_grown(ctx, h->maps, have_times ? h->times : NULL, h->n, &h->trend);
	if (rc < 0)
		return rc;
	go = go_judge(h, &go_seen);
	go_say(h, go);
	/* Go's heap judged on its own: the total and its anonymous mappings are its pages. */
	h->seen = go == GO_DECIDED ? go_seen : grows(h, ms_trend_total(h->trend));
	for (i = 0; i < ms_trend_count(h->trend) && !h->seen; i++)
		if (go == GO_NONE || !go_owned(h, ms_series_mapping(ms_trend_get(h->trend, i))))
			h->seen = grows(h, ms_trend_get(h->trend, i));
	h->confirmed = h->seen && h->n >= need;
	/* Pages that grow before enough GCs say so are growth seen, never confirmed. */
	if (go == GO_UNDECIDED && h->confirmed) {
		h->confirmed = false;
		for (i = 0; i < ms_trend_count(h->trend) && !h->confirmed; i++)
			if (!go_owned(h, ms_series_mapping(ms_trend_get(h->trend, i))))
				h->confirmed = grows(h, ms_trend_get(h->trend, i)) && h->n >= need;
	}
	return 0;
}

int ms_hunt_add(struct ms_ctx *ctx, struct ms_hunt *h, struct ms_snapshot *s)
{
	struct ms_outfile *of;
	char path[PATH_MAX];
	void *p;
	int rc;

	/* A reused pid or an exec is another process: its series starts anew. */
	if (h->n && !ms_snapshot_same_process(h->snap[0], s, h->gone_why, sizeof(h->gone_why))) {
		h->gone = true;
		rc = ms_err(ctx, -ESTALE, "pid %d %s after %zu snapshots; reporting what was gathered on the first",
			    (int)h->o.pid, h->gone_why, h->n);
		ms_snapshot_free(s);
		return rc;
	}
	/* A command line holds secrets as often as memory does. */
	if (h->o.redact && (rc = ms_snapshot_redact(ctx, s, h->o.redact)) < 0) {
		ms_snapshot_free(s);
		return rc;
	}
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
	if ((rc = go_sample(ctx, h, s)) < 0)
		return rc;
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

/* A mapping that grew, and the part of it a capped dump takes: [lo, hi). */
struct grown_window {
	const struct ms_diff_entry *e;
	const struct ms_mapping *m;
	int64_t grown;
	uint64_t lo, hi;
	bool down;		/* grows downward: a stack; else upward */
};

static int cmp_window(const void *a, const void *b)
{
	const struct grown_window *x = a, *y = b;

	return x->grown > y->grown ? -1 : x->grown < y->grown;
}

#define PAGE_DOWN(x) ((x) & ~4095ULL)
#define PAGE_UP(x) (((x) + 4095) & ~4095ULL)

/*
 * Where growth landed in W's mapping, as much of it as LEFT allows: all of
 * a new mapping; else the part added to its size and as much again as its
 * resident set grew, at its top, where brk and arena growth land (a heap
 * grows up; glibc carves new chunks from the top chunk), or at the bottom
 * of a stack.  Returns the bytes taken.
 */
static uint64_t window_first(struct grown_window *w, uint64_t left)
{
	const struct ms_mapping *old = ms_diff_entry_old(w->e), *m = w->m;
	uint64_t start = ms_mapping_start(m), end = ms_mapping_end(m), want;

	w->down = ms_mapping_kind(m) == MS_MAPPING_STACK ||
		  (old && ms_mapping_start(m) < ms_mapping_start(old));
	if (!old) {
		want = end - start;
	} else {
		want = ms_mapping_size(m) > ms_mapping_size(old) ?
		       ms_mapping_size(m) - ms_mapping_size(old) : 0;
		want = PAGE_UP(want + (uint64_t)w->grown);
	}
	want = want < end - start ? want : end - start;
	want = want < left ? want : PAGE_DOWN(left);
	if (w->down) {
		w->lo = start;
		w->hi = start + want;
	} else {
		w->lo = end - want;
		w->hi = end;
	}
	return want;
}

/* Widen W away from where growth landed by up to LEFT bytes; returns the bytes taken. */
static uint64_t window_widen(struct grown_window *w, uint64_t left)
{
	uint64_t room = w->down ? ms_mapping_end(w->m) - w->hi : w->lo - ms_mapping_start(w->m);
	uint64_t take = room < left ? room : PAGE_DOWN(left);

	if (w->down)
		w->hi += take;
	else
		w->lo -= take;
	return take;
}

/*
 * More grew than max_dump: keep what grew, not the bottom of the biggest
 * mapping (a 607 MiB heap whose 6.8 MiB of growth sat at its top).  First
 * where each mapping grew, the mappings that grew most first (window_first());
 * then, with room left, more of each next to it: the top of the heap before
 * its bottom.
 */
static int add_capped(struct ms_ctx *ctx, struct ms_hunt *h, struct ms_dump *d)
{
	uint64_t left = h->o.max_dump;
	struct grown_window *w = NULL;
	struct ms_diff *diff = NULL;
	struct ms_maps *now;
	size_t i, n = 0;
	int rc;

	/* As it is now, as ms_dump_add_grown() sees it: it grew on since the last snapshot. */
	rc = ms_maps_read_pid(ctx, h->o.pid, MS_MAPS_SRC_SMAPS, &now);
	if (rc < 0)
		return rc;
	rc = ms_diff_new(ctx, h->maps[0], now, &diff);
	if (rc == 0 && !(w = calloc(ms_diff_count(diff) + 1, sizeof(*w))))
		rc = ms_err(ctx, -ENOMEM, "out of memory");
	if (rc < 0) {
		ms_diff_free(diff);
		ms_maps_free(now);
		return rc;
	}
	for (i = 0; i < ms_diff_count(diff); i++) {
		const struct ms_diff_entry *e = ms_diff_get(diff, i);
		const struct ms_mapping *m = ms_diff_entry_new(e);

		if (!m || ms_diff_entry_grown(e) <= 0 || ms_mapping_perms(m)[0] != 'r')
			continue;
		w[n].e = e;
		w[n].m = m;
		w[n++].grown = ms_diff_entry_grown(e);
	}
	qsort(w, n, sizeof(*w), cmp_window);
	for (i = 0; i < n; i++)
		left -= window_first(&w[i], left);
	for (i = 0; i < n && left >= 4096; i++)
		left -= window_widen(&w[i], left);
	for (i = 0; i < n && rc == 0; i++) {
		if (w[i].hi <= w[i].lo)
			continue;
		rc = ms_dump_add_range(ctx, d, w[i].lo, w[i].hi);
		if (rc == -ENXIO)	/* unmapped since the snapshot */
			rc = 0;
	}
	free(w);
	ms_diff_free(diff);
	ms_maps_free(now);
	if (rc == 0 && !ms_dump_nranges(d))
		rc = ms_err(ctx, -ENOENT, "pid %d: nothing that grew is readable", (int)h->o.pid);
	return rc;
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
	/* Redacted as they are written: the analysis never sees the secret either. */
	if (rc == 0 && h->o.redact)
		rc = ms_dump_set_redact(ctx, d, h->o.redact, MS_REDACT_FILL);
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
	if (rc == 0) {
		rc = ms_outfile_commit_pair(ctx, of, mf);
		of = NULL;
		mf = NULL;
	}
	if (rc == 0) {
		h->dumped = true;
		h->dump_name = name;
		h->ndumps++;
		h->dump_total = ms_dump_total(d);
		h->dump_nranges = ms_dump_nranges(d);
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
	if (!rc && h->an && ms_analysis_heapwalk(h->an))
		rc = ms_heapwalk_json(ctx, ms_analysis_heapwalk(h->an), syms, 0, fp);
	if (!rc && h->an)
		rc = ms_analysis_json(ctx, h->an, ms_hunt_status(h), 0, fp);
	return rc;
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
	const struct ms_analysis_opts ao = {
		.count_words = true, .heap_walk = true, .pid = h->o.pid,
	};
	char *path = NULL, *mpath = NULL, *jpath = dir_path(h, "analysis.json");
	struct ms_hist_opts ho = { .magic = true };
	struct ms_hist_report_opts ro = {
		/* analysis.json is a document of its own: it says its shape's version. */
		.document = true, .json_extra = extra_json, .json_extra_data = h,
	};
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

/* The holder a chain ends at, and what it goes through, in a few words. */
static void held_by(const struct ms_refs_chain *c, char *buf, size_t len)
{
	const struct ms_refs_link *l = &c->links[c->nlinks - 1];
	char s[MS_SIZE_STR_MAX];

	if (c->nlinks > 2 && c->links[1].holder == MS_REFS_BLOCK)
		snprintf(buf, len, "held through one block of %s (%" PRIu64 " pointers) ",
			 ms_size_str(c->links[1].bytes, s, sizeof(s)), c->links[1].count);
	else if (c->nlinks > 2 && c->links[1].holder == MS_REFS_OBJECTS)
		snprintf(buf, len, "held through %" PRIu64 " object%s of %" PRIu64 " bytes ",
			 c->links[1].count, c->links[1].count == 1 ? "" : "s",
			 c->links[1].cluster ? c->links[1].cluster->size : 0);
	else
		snprintf(buf, len, "held ");
	if (l->holder == MS_REFS_BLOCK || l->holder == MS_REFS_ROOT_ANON || l->holder == MS_REFS_OBJECTS)
		snprintf(buf + strlen(buf), len - strlen(buf), "by memory at 0x%" PRIx64 " nothing else points at",
			 l->addr);
	else
		snprintf(buf + strlen(buf), len - strlen(buf), "by %s", l->name);
}

int ms_hunt_refs(struct ms_ctx *ctx, struct ms_hunt *h, ms_refs_event_cb cb, void *data)
{
	struct ms_refs_image *img = NULL;
	struct ms_refs *r = NULL;
	struct ms_clause cl;
	uint64_t lost = 0, key;
	size_t i;
	int rc;

	if (!h->an || !ms_analysis_clauses(h->an, &cl, 1))
		return 0;
	key = cl.cluster->key;
	if ((rc = ms_refs_image_live(ctx, h->o.pid, cb, data, &img)) < 0 ||
	    (rc = ms_refs_run(ctx, img, &r)) < 0)
		goto out;
	for (i = 0; i < ms_refs_leak_count(r); i++)
		if (ms_refs_leak(r, i)->cluster && ms_refs_leak(r, i)->cluster->key == key)
			lost += ms_refs_leak(r, i)->count;
	ms_refs_select(r, key);
	if (lost) {
		char n[32];

		snprintf(h->refs, sizeof(h->refs), "%s of them unreferenced (nothing reachable points to them)",
			 ms_count_str(lost, n, sizeof(n)));
	}
	else if (ms_refs_chain_count(ctx, r) && ms_refs_chain(r, 0)->rooted)
		held_by(ms_refs_chain(r, 0), h->refs, sizeof(h->refs));
out:
	ms_refs_free(r);
	ms_refs_image_free(img);
	return rc;
}
