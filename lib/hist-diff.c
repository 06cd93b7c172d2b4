// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include <memsift/hist-diff.h>

#include "internal.h"

struct ms_hist_diff {
	struct ms_hist_delta *v[MS_DELTA_NKINDS];
	size_t n[MS_DELTA_NKINDS];
};

/* Keys compare by kind: text and encoding, byte and length, value. */
static int cmp_key(enum ms_hist_delta_kind k, const struct ms_hist_delta *a,
		   const struct ms_hist_delta *b)
{
	int c;

	switch (k) {
	case MS_DELTA_STRING:
		c = strcmp(a->text, b->text);
		return c ? c : (int)a->utf16 - (int)b->utf16;
	case MS_DELTA_RUN:
		if (a->byte != b->byte)
			return a->byte < b->byte ? -1 : 1;
		return a->length < b->length ? -1 : a->length > b->length;
	default:
		return a->value < b->value ? -1 : a->value > b->value;
	}
}

static int cmp_sort_key(const void *a, const void *b, void *kind)
{
	return cmp_key(*(const enum ms_hist_delta_kind *)kind, a, b);
}

static int cmp_growth(const void *a, const void *b)
{
	const struct ms_hist_delta *x = a, *y = b;
	double dx = (double)x->bytes_new - (double)x->bytes_old;
	double dy = (double)y->bytes_new - (double)y->bytes_old;

	return dx > dy ? -1 : dx < dy;
}

/* The deltas of one analysis' list, new side if NEW_SIDE, sorted by key. */
static struct ms_hist_delta *collect(const struct ms_hist *h, enum ms_hist_delta_kind k,
				     bool new_side, size_t *n)
{
	size_t cnt = k == MS_DELTA_STRING ? ms_hist_string_count(h) :
		     k == MS_DELTA_RUN ? ms_hist_run_count(h) : ms_hist_word_count(h), i;
	struct ms_hist_delta *v = calloc(cnt + 1, sizeof(*v)), *d;

	if (!v)
		return NULL;
	for (i = 0; i < cnt; i++) {
		d = &v[i];
		if (k == MS_DELTA_STRING) {
			const struct ms_hist_string *s = ms_hist_string(h, i);

			d->text = s->text;
			d->utf16 = s->utf16;
			*(new_side ? &d->count_new : &d->count_old) = s->count;
			*(new_side ? &d->bytes_new : &d->bytes_old) = s->bytes;
			d->first = s->first;
		} else if (k == MS_DELTA_RUN) {
			const struct ms_hist_run *r = ms_hist_run(h, i);

			d->byte = r->byte;
			d->length = r->length;
			*(new_side ? &d->count_new : &d->count_old) = r->count;
			*(new_side ? &d->bytes_new : &d->bytes_old) = r->bytes;
			d->first = r->first;
		} else {
			const struct ms_hist_word *w = ms_hist_word(h, i);

			d->value = w->value;
			*(new_side ? &d->count_new : &d->count_old) = w->count;
			*(new_side ? &d->bytes_new : &d->bytes_old) = w->count * 8;
			d->first = w->first;
		}
	}
	qsort_r(v, cnt, sizeof(*v), cmp_sort_key, &k);
	*n = cnt;
	return v;
}

/* Merge the two sorted lists into one of what changed. */
static int merge(struct ms_hist_diff *d, enum ms_hist_delta_kind k, struct ms_hist_delta *o,
		 size_t no, struct ms_hist_delta *n, size_t nn)
{
	struct ms_hist_delta *v = calloc(no + nn + 1, sizeof(*v)), e;
	size_t i = 0, j = 0, m = 0;
	int c;

	if (!v)
		return -ENOMEM;
	while (i < no || j < nn) {
		c = i >= no ? 1 : j >= nn ? -1 : cmp_key(k, &o[i], &n[j]);
		if (c < 0) {
			e = o[i++];		/* gone */
		} else if (c > 0) {
			e = n[j++];		/* new */
		} else {
			e = n[j++];
			e.count_old = o[i].count_old;
			e.bytes_old = o[i++].bytes_old;
		}
		if (e.count_old != e.count_new)
			v[m++] = e;
	}
	qsort(v, m, sizeof(*v), cmp_growth);
	d->v[k] = v;
	d->n[k] = m;
	return 0;
}

int ms_hist_diff_new(struct ms_ctx *ctx, const struct ms_hist *old, const struct ms_hist *new,
		     struct ms_hist_diff **out)
{
	struct ms_hist_diff *d = calloc(1, sizeof(*d));
	struct ms_hist_delta *o, *n;
	size_t no, nn;
	int k, rc = 0;

	if (!d)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (k = 0; k < MS_DELTA_NKINDS && rc == 0; k++) {
		o = collect(old, k, false, &no);
		n = collect(new, k, true, &nn);
		rc = o && n ? merge(d, k, o, no, n, nn) : -ENOMEM;
		free(o);
		free(n);
	}
	if (rc < 0) {
		ms_hist_diff_free(d);
		return ms_err(ctx, rc, "out of memory");
	}
	*out = d;
	return 0;
}

void ms_hist_diff_free(struct ms_hist_diff *d)
{
	int k;

	if (!d)
		return;
	for (k = 0; k < MS_DELTA_NKINDS; k++)
		free(d->v[k]);
	free(d);
}

size_t ms_hist_diff_count(const struct ms_hist_diff *d, enum ms_hist_delta_kind k)
{
	return (unsigned)k < MS_DELTA_NKINDS ? d->n[k] : 0;
}

const struct ms_hist_delta *ms_hist_diff_get(const struct ms_hist_diff *d,
					     enum ms_hist_delta_kind k, size_t i)
{
	return (unsigned)k < MS_DELTA_NKINDS && i < d->n[k] ? &d->v[k][i] : NULL;
}
