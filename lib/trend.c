// SPDX-License-Identifier: GPL-2.0-or-later
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/diff.h>
#include <memsift/trend.h>

#include "internal.h"
#include "util.h"

struct ms_series {
	const struct ms_mapping *m;
	size_t n;
	uint64_t *v;		/* one value per snapshot */
	const double *times;	/* NULL: per snapshot */
	double rate, steadiness;
	enum ms_verdict verdict;
};

struct ms_trend {
	size_t n;		/* snapshots */
	const double *times;
	struct ms_series *s;
	size_t ns;
	struct ms_series total;
};

static double t_at(const struct ms_series *s, size_t i)
{
	return s->times ? s->times[i] : (double)i;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Points a slope is taken over at most: the pairs grow as the square. */
#define TS_POINTS 200

/*
 * Median of the slopes between every two points of [from, n); a long series
 * (a day at one snapshot a minute) is thinned evenly to TS_POINTS first.
 */
static double theil_sen(const struct ms_series *s, size_t from, double *tmp)
{
	size_t step = (s->n - from + TS_POINTS - 1) / TS_POINTS, i, j, k = 0;

	if (step < 1)
		step = 1;
	for (i = from; i < s->n; i += step)
		for (j = i + step; j < s->n; j += step)
			tmp[k++] = ((double)s->v[j] - (double)s->v[i]) / (t_at(s, j) - t_at(s, i));
	if (!k)
		return 0;
	qsort(tmp, k, sizeof(*tmp), cmp_double);
	return k % 2 ? tmp[k / 2] : (tmp[k / 2 - 1] + tmp[k / 2]) / 2;
}

/* Growth of less than this over a whole series is a few pages faulted in, never a leak. */
#define NOISE_FLOOR (64 * 1024)
/* Growth must stand this many times above the series' own noise. */
#define NOISE_SIGMAS 3
/* The median absolute deviation times this estimates a normal spread's sigma. */
#define MAD_SIGMA 1.4826

static double median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The series' own noise, in bytes: how far its values stray from the
 * fitted line (a burst, a GC), and, when it ever fell, how far each step
 * strays from the line's step (a service whose RSS jitters up and down),
 * each a robust sigma from the median absolute deviation; the larger.  A
 * leak of a steady rate has little of either however big the process is,
 * which a noise floor of a share of its size never knew (1% of 610 MB
 * hid +320 KiB/s); a process that jitters by megabytes has as much noise.
 */
static double series_noise(const struct ms_series *s, double *tmp)
{
	double icpt, resid, step;
	bool fell = false;
	size_t i;

	for (i = 0; i < s->n; i++)
		tmp[i] = (double)s->v[i] - s->rate * t_at(s, i);
	icpt = median(tmp, s->n);
	for (i = 0; i < s->n; i++)
		tmp[i] = fabs((double)s->v[i] - s->rate * t_at(s, i) - icpt);
	resid = MAD_SIGMA * median(tmp, s->n);
	/*
	 * A series that never fell has no up-and-down to measure; its steps
	 * differ only as the times between snapshots do (a late snapshot), which
	 * is no noise in the bytes.
	 */
	for (i = 1; i < s->n; i++)
		fell |= s->v[i] < s->v[i - 1];
	if (!fell)
		return resid;
	for (i = 1; i < s->n; i++)
		tmp[i - 1] = ((double)s->v[i] - (double)s->v[i - 1]) -
			     s->rate * (t_at(s, i) - t_at(s, i - 1));
	/* Deviations of a step are about their median, which a bursty leak moves. */
	icpt = median(tmp, s->n - 1);
	for (i = 0; i + 1 < s->n; i++)
		tmp[i] = fabs(tmp[i] - icpt);
	/* A step is the difference of two values: its spread is sqrt(2) times theirs. */
	step = MAD_SIGMA * median(tmp, s->n - 1) / M_SQRT2;
	return fmax(resid, step);
}

/*
 * Most mappings never change: their slopes are all 0, so there is nothing to
 * sort, nor room to make for it (mapswatch judges every mapping again at
 * every sample).  Judge S steady and return true when it is flat.
 */
static bool judge_flat(struct ms_series *s)
{
	size_t i;

	for (i = 1; i < s->n; i++)
		if (s->v[i] != s->v[0])
			return false;
	s->steadiness = 0;
	s->rate = 0;
	s->verdict = MS_VERDICT_STEADY;
	return true;
}

static void analyse(struct ms_series *s, double *tmp)
{
	double span = t_at(s, s->n - 1) - t_at(s, 0), late, noise, rise;
	size_t i, grew = 0;
	bool fell = false;

	if (judge_flat(s))
		return;
	for (i = 1; i < s->n; i++) {
		grew += s->v[i] > s->v[i - 1];
		fell |= s->v[i] < s->v[i - 1];
	}
	s->steadiness = (double)grew / (double)(s->n - 1);
	s->rate = theil_sen(s, 0, tmp);
	noise = fmax(NOISE_FLOOR, NOISE_SIGMAS * series_noise(s, tmp));
	if (fabs(s->rate * span) < noise) {
		/*
		 * Flat for most of the series, after growing: it found its level.
		 * A series that never fell has no jitter to hide a rise in; its
		 * "noise" is a line's misfit to its steps (a cache filled in two
		 * steps, with snapshots unevenly apart, measured 8 MiB of it), so
		 * a rise past the floor is a level found, not a steady state.
		 */
		rise = (double)s->v[s->n - 1] - (double)s->v[0];
		s->verdict = rise >= noise || (!fell && rise >= NOISE_FLOOR) ?
			     MS_VERDICT_LEVELLED : MS_VERDICT_STEADY;
		return;
	}
	if (s->rate < 0) {
		s->verdict = MS_VERDICT_SHRINKING;
		return;
	}
	/* The later half on its own: still growing at a good part of the rate? */
	late = theil_sen(s, s->n / 2, tmp);
	s->verdict = late > s->rate * 0.25 ? MS_VERDICT_GROWING : MS_VERDICT_LEVELLED;
}

/* Room for the slopes of theil_sen() over N points, and for series_noise()'s N values. */
static double *slopes_new(size_t n)
{
	size_t p = n < TS_POINTS ? n : TS_POINTS;

	return malloc(((p * p / 2 + 1) > n ? p * p / 2 + 1 : n) * sizeof(double));
}

static int check_times(struct ms_ctx *ctx, const double *times, size_t n, const char *what)
{
	size_t i;

	if (n < 2)
		return ms_err(ctx, -EINVAL, "a trend needs two %ss or more", what);
	for (i = 1; times && i < n; i++)
		if (!(times[i] > times[i - 1]))
			return ms_err(ctx, -EINVAL,
				      "%s %zu is not later than %s %zu; give them oldest first",
				      what, i + 1, what, i);
	return 0;
}

int ms_series_new(struct ms_ctx *ctx, const uint64_t *values, const double *times, size_t n,
		  struct ms_series **out)
{
	struct ms_series *s;
	double *tmp;
	int rc = check_times(ctx, times, n, "sample");

	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s)
		s->v = malloc(n * sizeof(*s->v));
	if (!s || !s->v)
		goto nomem;
	memcpy(s->v, values, n * sizeof(*s->v));
	s->n = n;
	s->times = times;
	if (!judge_flat(s)) {
		tmp = slopes_new(n);
		if (!tmp)
			goto nomem;
		analyse(s, tmp);
		free(tmp);
	}
	*out = s;
	return 0;
nomem:
	ms_series_free(s);
	return ms_err(ctx, -ENOMEM, "out of memory");
}

int ms_series_sum(struct ms_ctx *ctx, const struct ms_series *const *v, size_t n,
		  struct ms_series **out)
{
	uint64_t *sum;
	size_t i, k;
	int rc;

	if (!n)
		return ms_err(ctx, -EINVAL, "no series to add up");
	sum = calloc(v[0]->n, sizeof(*sum));
	if (!sum)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (k = 0; k < n; k++)
		for (i = 0; i < v[0]->n && i < v[k]->n; i++)
			sum[i] += v[k]->v[i];
	rc = ms_series_new(ctx, sum, v[0]->times, v[0]->n, out);
	free(sum);
	return rc;
}

void ms_series_free(struct ms_series *s)
{
	if (!s)
		return;
	free(s->v);
	free(s);
}

size_t ms_series_count(const struct ms_series *s) { return s->n; }

/* Field F of M, or with GROWN what of it counts as grown (ms_diff_grown_value()); absent is 0. */
static uint64_t value_of(const struct ms_mapping *m, enum ms_field f, bool grown)
{
	uint64_t v = grown ? ms_diff_grown_value(m) : ms_mapping_get_or_size(m, f);

	return v == MS_FIELD_ABSENT ? 0 : v;
}

/*
 * Mapping J of snapshot I, reduced to what the trend needs: its value, and
 * what it was in snapshot I-1.
 */
struct link {
	uint64_t value;		/* value_of() */
	int64_t off;		/* of prev's value, what pieces split off took (less what merged in) */
	uint32_t prev;		/* the same mapping's index in snapshot I-1, kept; NO_PREV: none */
	bool split;		/* a piece split off a kept sibling: there already */
};

#define NO_PREV UINT32_MAX

struct ms_trend_builder {
	enum ms_field f;
	bool grown;
	const struct ms_maps *last;	/* the snapshot added last, the caller's */
	struct link **l;		/* per snapshot, one per mapping */
	uint64_t *total;		/* per snapshot */
	size_t n, cap;
};

static int builder_new(struct ms_ctx *ctx, enum ms_field f, bool grown,
		       struct ms_trend_builder **out)
{
	struct ms_trend_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return ms_err(ctx, -ENOMEM, "out of memory");
	b->f = f;
	b->grown = grown;
	*out = b;
	return 0;
}

int ms_trend_builder_new_grown(struct ms_ctx *ctx, struct ms_trend_builder **out)
{
	return builder_new(ctx, MS_F_RSS, true, out);
}

void ms_trend_builder_free(struct ms_trend_builder *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->l[i]);
	free(b->l);
	free(b->total);
	free(b);
}

size_t ms_trend_builder_count(const struct ms_trend_builder *b)
{
	return b->n;
}

int ms_trend_builder_add(struct ms_ctx *ctx, struct ms_trend_builder *b,
			 const struct ms_maps *maps)
{
	size_t nm = ms_maps_count(maps), j;
	enum ms_field f = b->f;
	bool grown = b->grown;
	struct ms_diff *d = NULL;
	struct link *l;
	uint64_t sum;
	int rc;

	/* Two arrays of one length: B->cap moves only once both have grown. */
	if (b->n == b->cap) {
		size_t lcap = b->cap;

		if (MS_GROW(b->l, lcap, b->n + 1, 64) < 0 ||
		    MS_GROW(b->total, b->cap, b->n + 1, 64) < 0)
			return ms_err(ctx, -ENOMEM, "out of memory");
	}
	if (nm >= NO_PREV)
		return ms_err(ctx, -E2BIG, "%zu mappings in one snapshot: too many to follow", nm);
	l = calloc(nm + 1, sizeof(*l));
	if (!l)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (j = 0; j < nm; j++) {
		l[j].value = value_of(ms_maps_get(maps, j), f, grown);
		l[j].prev = NO_PREV;
	}
	/*
	 * What mapping j of this snapshot was in the one before.  A split is
	 * netted against its sibling as ms_diff does: the piece was there
	 * already, and its sibling was what the pieces did not take; a mapping
	 * merged into a kept one was part of it already.
	 */
	if (b->n) {
		rc = ms_diff_new(ctx, b->last, maps, &d);
		if (rc < 0) {
			free(l);
			return rc;
		}
		for (j = 0; j < ms_diff_count(d); j++) {
			const struct ms_diff_entry *e = ms_diff_get(d, j);
			const struct ms_mapping *old;
			struct link *k;
			int64_t delta;

			if (!ms_diff_entry_new(e))
				continue;
			k = &l[ms_mapping_index(ms_diff_entry_new(e))];
			if (ms_diff_entry_status(e) == MS_DIFF_SPLIT) {
				k->split = ms_diff_entry_netted(e);
				continue;
			}
			if (ms_diff_entry_status(e) != MS_DIFF_KEPT)
				continue;
			old = ms_diff_entry_old(e);
			k->prev = (uint32_t)ms_mapping_index(old);
			delta = grown ? ms_diff_entry_grown(e) : ms_diff_entry_delta(e, f);
			/* In unsigned arithmetic: absurd values (fuzz-snapshot) wrap, never overflow. */
			k->off = (int64_t)(value_of(old, f, grown) -
					   (value_of(ms_diff_entry_new(e), f, grown) - (uint64_t)delta));
		}
		ms_diff_free(d);
	}
	sum = grown ? 0 : ms_maps_total(maps, f);
	for (j = 0; grown && j < nm; j++)
		sum += l[j].value;
	if (sum == MS_FIELD_ABSENT && f == MS_F_RSS)
		for (sum = 0, j = 0; j < nm; j++)
			sum += ms_mapping_size(ms_maps_get(maps, j));
	b->total[b->n] = sum == MS_FIELD_ABSENT ? 0 : sum;
	b->l[b->n++] = l;
	b->last = maps;
	return 0;
}

int ms_trend_builder_finish(struct ms_ctx *ctx, struct ms_trend_builder *b, const double *times,
			    struct ms_trend **out)
{
	const struct ms_maps *newest = b->last;
	size_t n = b->n, i, j, k, nm;
	struct ms_trend *t;
	double *tmp = NULL;
	int rc;

	rc = check_times(ctx, times, n, "snapshot");
	if (rc < 0)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ms_err(ctx, -ENOMEM, "out of memory");
	t->n = n;
	t->times = times;
	nm = ms_maps_count(newest);
	t->s = calloc(nm + 1, sizeof(*t->s));
	t->total.v = calloc(n, sizeof(uint64_t));
	tmp = slopes_new(n);
	if (!t->s || !t->total.v || !tmp)
		goto nomem;
	t->ns = nm;
	t->total.n = n;
	t->total.times = times;
	for (k = 0; k < nm; k++) {
		struct ms_series *s = &t->s[k];
		uint32_t m = (uint32_t)k;
		int64_t off = 0, v;

		s->m = ms_maps_get(newest, k);
		s->n = n;
		s->times = times;
		s->v = calloc(n, sizeof(uint64_t));
		if (!s->v)
			goto nomem;
		/* Walk back: the old side of the kept entry whose new side is M. */
		for (i = n; i-- > 0 && m != NO_PREV;) {
			const struct link *l = &b->l[i][m];

			/* Wrapping, not overflowing, on absurd values; the same on sane ones. */
			v = (int64_t)(l->value - (uint64_t)off);
			s->v[i] = v > 0 ? (uint64_t)v : 0;
			if (i && l->split)
				for (j = i; j-- > 0;)
					s->v[j] = s->v[i];
			off = (int64_t)((uint64_t)off + (uint64_t)(i ? l->off : 0));
			m = i ? l->prev : NO_PREV;
		}
	}
	memcpy(t->total.v, b->total, n * sizeof(uint64_t));
	for (k = 0; k < nm; k++)
		analyse(&t->s[k], tmp);
	analyse(&t->total, tmp);
	free(tmp);
	*out = t;
	return 0;
nomem:
	free(tmp);
	ms_trend_free(t);
	return ms_err(ctx, -ENOMEM, "out of memory");
}

static int trend_new(struct ms_ctx *ctx, const struct ms_maps *const *maps, const double *times,
		     size_t n, enum ms_field f, bool grown, struct ms_trend **out)
{
	struct ms_trend_builder *b = NULL;
	size_t i;
	int rc;

	/* Times are checked first, as they were before the builder: the same message. */
	rc = check_times(ctx, times, n, "snapshot");
	if (rc < 0)
		return rc;
	rc = builder_new(ctx, f, grown, &b);
	for (i = 0; i < n && rc == 0; i++)
		rc = ms_trend_builder_add(ctx, b, maps[i]);
	if (rc == 0)
		rc = ms_trend_builder_finish(ctx, b, times, out);
	ms_trend_builder_free(b);
	return rc;
}

int ms_trend_new(struct ms_ctx *ctx, const struct ms_maps *const *maps, const double *times,
		 size_t n, enum ms_field f, struct ms_trend **out)
{
	return trend_new(ctx, maps, times, n, f, false, out);
}

int ms_trend_new_grown(struct ms_ctx *ctx, const struct ms_maps *const *maps,
		       const double *times, size_t n, struct ms_trend **out)
{
	return trend_new(ctx, maps, times, n, MS_F_RSS, true, out);
}

void ms_trend_free(struct ms_trend *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; t->s && i < t->ns; i++)
		free(t->s[i].v);
	free(t->s);
	free(t->total.v);
	free(t);
}

size_t ms_trend_count(const struct ms_trend *t) { return t->ns; }

const struct ms_series *ms_trend_get(const struct ms_trend *t, size_t i)
{
	return i < t->ns ? &t->s[i] : NULL;
}

const struct ms_series *ms_trend_total(const struct ms_trend *t) { return &t->total; }
const struct ms_mapping *ms_series_mapping(const struct ms_series *s) { return s->m; }
double ms_series_rate(const struct ms_series *s) { return s->rate; }
double ms_series_steadiness(const struct ms_series *s) { return s->steadiness; }
enum ms_verdict ms_series_verdict(const struct ms_series *s) { return s->verdict; }

uint64_t ms_series_value(const struct ms_series *s, size_t i)
{
	return i < s->n ? s->v[i] : 0;
}

double ms_series_eta(const struct ms_series *s, uint64_t limit)
{
	uint64_t now = s->v[s->n - 1];

	if (now >= limit)
		return 0;
	if (s->verdict != MS_VERDICT_GROWING && s->verdict != MS_VERDICT_LEVELLED)
		return -1;
	if (s->rate <= 0)
		return -1;
	return (double)(limit - now) / s->rate;
}

const char *ms_verdict_str(enum ms_verdict v)
{
	switch (v) {
	case MS_VERDICT_GROWING:
		return "grows with no steady state";
	case MS_VERDICT_LEVELLED:
		return "levelled off";
	case MS_VERDICT_SHRINKING:
		return "shrinking";
	case MS_VERDICT_STEADY:
		return "steady";
	}
	return "";
}
