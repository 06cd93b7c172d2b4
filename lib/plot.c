// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memsift/label.h>
#include <memsift/outfile.h>
#include <memsift/output.h>
#include <memsift/plot.h>
#include <memsift/trend.h>

#include "internal.h"
#include "util.h"

struct line {
	char *name;
	double *t;
	uint64_t *v;
	size_t n;
};

struct mark {
	double t;
	char *text;
};

struct ms_plot {
	char *title;
	char *subtitle;		/* when the first sample was taken; may be NULL */
	bool by_index;		/* x is snapshot numbers, not seconds */
	double wall0;		/* wall-clock seconds (UTC) at time 0 of the times; 0: unknown */
	uint64_t limit;		/* memory.max or --limit, drawn on the total's panel; 0: none */
	struct line *l;
	size_t nl;
	struct mark *m;
	size_t nm;
};

/* The canvas: the chart on the left, the legend on the right. */
#define W 960
#define H 540
#define LEFT 80
#define RIGHT 300
#define TOP 56
#define BOTTOM 56
#define PW (W - LEFT - RIGHT)
#define PH (H - TOP - BOTTOM)

static const char *const colours[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
	"#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

int ms_plot_new(struct ms_ctx *ctx, const char *title, struct ms_plot **out)
{
	struct ms_plot *p = calloc(1, sizeof(*p));

	if (!p || !(p->title = strdup(title ? title : ""))) {
		free(p);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

void ms_plot_free(struct ms_plot *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nl; i++) {
		free(p->l[i].name);
		free(p->l[i].t);
		free(p->l[i].v);
	}
	for (i = 0; i < p->nm; i++)
		free(p->m[i].text);
	free(p->l);
	free(p->m);
	free(p->title);
	free(p->subtitle);
	free(p);
}

size_t ms_plot_count(const struct ms_plot *p)
{
	return p->nl;
}

int ms_plot_add(struct ms_ctx *ctx, struct ms_plot *p, const char *name, const double *times,
		const uint64_t *values, size_t n)
{
	struct line *nl, *l;
	size_t i;

	if (!n)
		return ms_err(ctx, -EINVAL, "%s: no values to plot", name);
	for (i = 1; i < n; i++)
		if (!(times[i] > times[i - 1]))
			return ms_err(ctx, -EINVAL, "%s: value %zu is not later than value %zu",
				      name, i + 1, i);
	nl = realloc(p->l, (p->nl + 1) * sizeof(*nl));
	if (!nl)
		return ms_err(ctx, -ENOMEM, "out of memory");
	p->l = nl;
	l = &p->l[p->nl];
	l->n = n;
	l->name = strdup(name);
	l->t = malloc(n * sizeof(double));
	l->v = malloc(n * sizeof(uint64_t));
	if (!l->name || !l->t || !l->v) {
		free(l->name);
		free(l->t);
		free(l->v);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	memcpy(l->t, times, n * sizeof(double));
	memcpy(l->v, values, n * sizeof(uint64_t));
	p->nl++;
	return 0;
}

int ms_plot_mark(struct ms_ctx *ctx, struct ms_plot *p, double t, const char *text)
{
	struct mark *nm = realloc(p->m, (p->nm + 1) * sizeof(*nm));

	if (!nm)
		return ms_err(ctx, -ENOMEM, "out of memory");
	p->m = nm;
	if (!(nm[p->nm].text = strdup(text)))
		return ms_err(ctx, -ENOMEM, "out of memory");
	nm[p->nm++].t = t;
	return 0;
}

/*
 * S as XML character data or attribute text: a path may hold any byte.  At
 * most MAX characters, the last of them "…" when S is longer (0: all).
 */
static void xml_strn(FILE *fp, const char *s, size_t max)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n, chars = 0;

	while (*c) {
		n = *c >= 0x80 && ms_utf8_len(c) ? ms_utf8_len(c) : 1;
		if (max && ++chars == max && c[n]) {
			fputs("\xe2\x80\xa6", fp);	/* U+2026, the ellipsis */
			return;
		}
		switch (*c) {
		case '&': fputs("&amp;", fp); c++; continue;
		case '<': fputs("&lt;", fp); c++; continue;
		case '>': fputs("&gt;", fp); c++; continue;
		case '"': fputs("&quot;", fp); c++; continue;
		case '\'': fputs("&apos;", fp); c++; continue;
		}
		if (*c >= 0x20 && *c < 0x7f) {
			fputc(*c++, fp);
		} else if (*c >= 0x80 && (n = ms_utf8_len(c))) {
			fwrite(c, 1, n, fp);
			c += n;
		} else {
			/* Control characters are not allowed in XML 1.0, even escaped. */
			fputc('?', fp);
			c++;
		}
	}
}

static void xml_str(FILE *fp, const char *s)
{
	xml_strn(fp, s, 0);
}

/* A step of 1, 2 or 5 times a power of UNIT (1024 for sizes, 10 for counts) giving about 5 ticks. */
static double nice_step(double span, double unit)
{
	static const double m[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500 };
	double base = 1;
	size_t i;

	if (!(span > 0))
		return 1;
	while (span / base >= unit)
		base *= unit;
	for (i = 0; i < MS_ARRAY_SIZE(m); i++)
		if (span / (m[i] * base) <= 6)
			return m[i] * base;
	return base * unit;
}

/* Steps for elapsed time that read well: seconds, minutes, hours, days. */
static double time_step(double span)
{
	static const double s[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
				    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
				    7200, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400,
				    7 * 86400 };
	size_t i;

	for (i = 0; i < MS_ARRAY_SIZE(s); i++)
		if (span / s[i] <= 8)
			return s[i];
	return nice_step(span / 86400, 10) * 86400;
}

/*
 * A panel: one vertical scale, from LO to HI bytes over Y .. Y + HGT pixels.
 * The total and the mappings get a panel each, each scaled to its own data,
 * not from zero: a leak of 1.5% a day is a flat line on a scale from zero,
 * and the mappings would be a flat line at the bottom of the total's.
 */
struct panel {
	int y, hgt;
	double lo, hi, step;
};

static double panel_y(const struct panel *pn, double v)
{
	return pn->y + (pn->hi - v) / (pn->hi - pn->lo) * pn->hgt;
}

static void panel_scale(struct panel *pn, double lo, double hi)
{
	double pad;

	if (!(hi > lo)) {
		/* One value: a window of 10% around it (1 KiB around zero). */
		pad = fmax(hi * 0.05, 512);
		lo -= pad;
		hi += pad;
	}
	pad = (hi - lo) * 0.08;
	pn->step = nice_step(hi - lo + 2 * pad, 1024);
	pn->lo = fmax(0, floor((lo - pad) / pn->step) * pn->step);
	pn->hi = ceil((hi + pad) / pn->step) * pn->step;
	if (!(pn->hi > pn->lo))
		pn->hi = pn->lo + pn->step;
}

/*
 * A tick's label in the unit of the panel's top value, with as many
 * decimals as the step needs: "1.50G", "1.51G", not "1.5G" twice.
 */
static void size_label(double v, const struct panel *pn, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double unit = 1;
	int k = 0, dec;

	while (pn->hi / unit >= 1024 && k < 6) {
		unit *= 1024;
		k++;
	}
	dec = pn->step / unit >= 1 ? 0 : (int)ceil(-log10(pn->step / unit) - 1e-9);
	if (dec > 3)
		dec = 3;
	if (v == 0)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "%.*f%c", k ? dec : 0, v / unit, k ? units[k] : 'B');
}

static void write_panel(FILE *fp, const struct panel *pn, const char *caption)
{
	char buf[32];
	double v, y;

	fprintf(fp, "<g class=\"panel\" font-size=\"11\" fill=\"#333\" data-lo=\"%.0f\" data-hi=\"%.0f\" data-y=\"%d\" data-height=\"%d\">\n",
		pn->lo, pn->hi, pn->y, pn->hgt);
	for (v = pn->lo; v <= pn->hi * 1.0001 + 1e-9; v += pn->step) {
		y = panel_y(pn, v);
		fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
			LEFT, y, LEFT + PW, y);
		size_label(v, pn, buf, sizeof(buf));
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6,
			y + 4, buf);
	}
	fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
		LEFT, pn->y, PW, pn->hgt);
	fprintf(fp, "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">",
		pn->y + pn->hgt / 2);
	xml_str(fp, caption);
	fprintf(fp, "</text>\n</g>\n");
}

/*
 * The time axis under the last panel: clock times (UTC) at round steps when
 * the wall-clock time of the first sample is known, else time elapsed.
 */
static void write_time_axis(const struct ms_plot *p, FILE *fp, double t0, double tspan, int y0,
			    int y1)
{
	double step, v, first = 0, x;
	char buf[32];
	struct tm tm;
	time_t sec;

	step = p->by_index ? fmax(1, nice_step(tspan, 10)) : time_step(tspan);
	if (p->wall0 > 0 && !p->by_index)
		first = ceil((p->wall0 + t0) / step) * step - (p->wall0 + t0);
	fprintf(fp, "<g class=\"time-axis\" font-size=\"11\" fill=\"#333\">\n");
	for (v = first; v <= tspan * 1.0001; v += step) {
		x = LEFT + v / tspan * PW;
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>\n", x,
			y0, x, y1);
		if (p->by_index) {
			snprintf(buf, sizeof(buf), "%.0f", t0 + v + 1);
		} else if (p->wall0 > 0) {
			double w = p->wall0 + t0 + v;

			sec = (time_t)floor(w + 1e-6);
			gmtime_r(&sec, &tm);
			strftime(buf, sizeof(buf), tspan > 2 * 86400 ? "%m-%d %H:%M" :
				 step < 60 ? "%H:%M:%S" : "%H:%M", &tm);
			/* A step under a second: its tenths or hundredths too. */
			if (step < 1)
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%0*d",
					 step < 0.1 ? 2 : 1,
					 (int)llround((w - (double)sec) * (step < 0.1 ? 100 : 10)) %
					 (step < 0.1 ? 100 : 10));
		} else if (v == 0) {
			snprintf(buf, sizeof(buf), "0s");
		} else {
			ms_duration_str(v, buf, sizeof(buf));
		}
		fprintf(fp, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			x, y1 + 16, buf);
	}
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n</g>\n",
		LEFT + PW / 2, y1 + 38,
		p->by_index ? "snapshot" : p->wall0 > 0 ? "time (UTC)" : "time since the first sample");
}

static void write_line(FILE *fp, const struct line *l, const struct panel *pn, size_t i,
		       double t0, double tspan)
{
	const char *colour = i ? colours[(i - 1) % MS_ARRAY_SIZE(colours)] : "#000";
	size_t j;

	fprintf(fp, "<polyline class=\"series\" data-name=\"");
	xml_str(fp, l->name);
	fprintf(fp, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"", colour,
		i ? "1.5" : "2.5");
	for (j = 0; j < l->n; j++)
		fprintf(fp, "%s%.1f,%.1f", j ? " " : "", LEFT + (l->t[j] - t0) / tspan * PW,
			panel_y(pn, (double)l->v[j]));
	fprintf(fp, "\">\n<desc>");
	for (j = 0; j < l->n; j++)
		fprintf(fp, "%s%.3f:%llu", j ? " " : "", l->t[j] - t0, (unsigned long long)l->v[j]);
	fprintf(fp, "</desc></polyline>\n");
}

/*
 * The total's trend as the verdict sees it (lib/trend.c: its rate and
 * verdict over the same samples), drawn as a dotted line through the last
 * sample with the rate and the verdict beside it.
 */
static void write_trend(struct ms_ctx *ctx, FILE *fp, const struct line *l, const struct panel *pn,
			double t0, double tspan)
{
	struct ms_series *s;
	double rate, x0, x1, v0, v1;
	char a[MS_SIZE_STR_MAX];
	size_t n = l->n;

	if (n < 3 || ms_series_new(ctx, l->v, l->t, n, &s) < 0)
		return;
	rate = ms_series_rate(s);
	v1 = (double)l->v[n - 1];
	v0 = v1 - rate * (l->t[n - 1] - l->t[0]);
	x0 = LEFT + (l->t[0] - t0) / tspan * PW;
	x1 = LEFT + (l->t[n - 1] - t0) / tspan * PW;
	fprintf(fp, "<g class=\"trend\" data-rate=\"%.3f\" data-verdict=\"%s\">"
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>",
		rate, ms_verdict_str(ms_series_verdict(s)), x0,
		fmin(fmax(panel_y(pn, v0), pn->y), pn->y + pn->hgt), x1, panel_y(pn, v1));
	fprintf(fp, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">%s%s/s: %s</text></g>\n",
		LEFT + 6, pn->y + 14, rate < 0 ? "-" : "+",
		ms_size_str((uint64_t)fabs(rate), a, sizeof(a)), ms_verdict_str(ms_series_verdict(s)));
	ms_series_free(s);
}

/*
 * The time span [*T0, *T0 + *TSPAN] of every line, and the panels: the
 * total's alone, and the mappings' under it when there are any, each
 * scaled to its own data.  Returns the number of panels.
 */
static size_t layout(const struct ms_plot *p, struct panel pn[2], double *t0, double *tspan)
{
	double t1 = -INFINITY, lo[2] = { INFINITY, INFINITY }, hi[2] = { 0, 0 };
	size_t i, j, np = p->nl > 1 ? 2 : 1;

	*t0 = INFINITY;
	for (i = 0; i < p->nl; i++)
		for (j = 0; j < p->l[i].n; j++) {
			*t0 = fmin(*t0, p->l[i].t[j]);
			t1 = fmax(t1, p->l[i].t[j]);
			lo[i > 0] = fmin(lo[i > 0], (double)p->l[i].v[j]);
			hi[i > 0] = fmax(hi[i > 0], (double)p->l[i].v[j]);
		}
	*tspan = t1 > *t0 ? t1 - *t0 : 1;
	/* The limit joins the total's scale when near enough to be read against it. */
	if (p->limit && (double)p->limit <= hi[0] * 1.5)
		hi[0] = fmax(hi[0], (double)p->limit);
	if (np == 1) {
		pn[0].y = TOP;
		pn[0].hgt = PH;
	} else {
		pn[0].y = TOP;
		pn[0].hgt = PH * 45 / 100;
		pn[1].y = TOP + pn[0].hgt + 20;
		pn[1].hgt = PH - pn[0].hgt - 20;
	}
	for (i = 0; i < np; i++)
		panel_scale(&pn[i], lo[i], hi[i]);
	return np;
}

static void write_head(const struct ms_plot *p, FILE *fp)
{
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n", W, H, W, H);
	fprintf(fp, "<title>");
	xml_str(fp, p->title);
	fprintf(fp, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
	fprintf(fp, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", LEFT);
	xml_str(fp, p->title);
	fprintf(fp, "</text>\n");
	if (p->subtitle) {
		fprintf(fp, "<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555\">", LEFT);
		xml_str(fp, p->subtitle);
		fprintf(fp, "</text>\n");
	}
}

/* The limit as a line across the total's panel, or a note when above it. */
static void write_limit(const struct ms_plot *p, const struct panel *pn, FILE *fp)
{
	char buf[32];
	double y;

	if (!p->limit)
		return;
	ms_size_str(p->limit, buf, sizeof(buf));
	if ((double)p->limit <= pn->hi) {
		y = panel_y(pn, (double)p->limit);
		fprintf(fp, "<g class=\"limit\" data-bytes=\"%llu\"><line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" stroke-width=\"1.5\"/>"
			"<text x=\"%d\" y=\"%.1f\" font-size=\"10\" fill=\"#c00\" text-anchor=\"end\">limit %s</text></g>\n",
			(unsigned long long)p->limit, LEFT, y, LEFT + PW, y, LEFT + PW - 4, y - 3, buf);
	} else {
		fprintf(fp, "<g class=\"limit\" data-bytes=\"%llu\"><text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#c00\" text-anchor=\"end\">limit %s, above the chart</text></g>\n",
			(unsigned long long)p->limit, LEFT + PW - 4, pn->y + 12, buf);
	}
}

static void write_marks(const struct ms_plot *p, double t0, double tspan, FILE *fp)
{
	size_t i;
	double x;

	for (i = 0; i < p->nm; i++) {
		x = LEFT + (p->m[i].t - t0) / tspan * PW;
		fprintf(fp, "<g class=\"mark\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#c00\" stroke-dasharray=\"4 3\"/>"
			"<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c00\">", x, TOP, x,
			TOP + PH, x + 3, TOP + 10);
		xml_str(fp, p->m[i].text);
		fprintf(fp, "</text></g>\n");
	}
}

static void write_legend(const struct ms_plot *p, FILE *fp)
{
	char buf[32];
	size_t i;

	fprintf(fp, "<g class=\"legend\" font-size=\"11\">\n");
	for (i = 0; i < p->nl; i++) {
		const struct line *l = &p->l[i];
		int ly = TOP + 8 + (int)i * 18;

		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>",
			LEFT + PW + 14, ly, LEFT + PW + 34, ly,
			i ? colours[(i - 1) % MS_ARRAY_SIZE(colours)] : "#000", i ? "2" : "3");
		fprintf(fp, "<text x=\"%d\" y=\"%d\">", LEFT + PW + 40, ly + 4);
		/* What fits the legend's 260 pixels beside its size; the whole name is the line's data-name. */
		xml_strn(fp, l->name, 30);
		fprintf(fp, " (%s)</text>\n", ms_size_str(l->v[l->n - 1], buf, sizeof(buf)));
	}
	fprintf(fp, "</g>\n");
}

int ms_plot_write(struct ms_ctx *ctx, const struct ms_plot *p, FILE *fp)
{
	struct panel pn[2] = { { 0 } };
	double t0, tspan;
	size_t i, np;

	if (!p->nl)
		return ms_err(ctx, -EINVAL, "nothing to plot");
	np = layout(p, pn, &t0, &tspan);
	write_head(p, fp);
	write_panel(fp, &pn[0], np == 1 ? "RSS (binary units)" : "RSS, process total");
	if (np == 2)
		write_panel(fp, &pn[1], "RSS, fastest growing mappings");
	write_time_axis(p, fp, t0, tspan, TOP, TOP + PH);
	write_limit(p, &pn[0], fp);
	write_marks(p, t0, tspan, fp);
	/* The total last, so it is drawn over its trend. */
	for (i = p->nl; i-- > 0;)
		write_line(fp, &p->l[i], &pn[i > 0], i, t0, tspan);
	write_trend(ctx, fp, &p->l[0], &pn[0], t0, tspan);
	write_legend(p, fp);
	fprintf(fp, "</svg>\n");
	if (ferror(fp))
		return ms_err(ctx, -EIO, "write error");
	return 0;
}

void ms_plot_set_limit(struct ms_plot *p, uint64_t limit)
{
	p->limit = limit;
}

int ms_plot_write_file(struct ms_ctx *ctx, const struct ms_plot *p, const char *path,
		       unsigned int flags)
{
	struct ms_outfile *of;
	int rc;

	rc = ms_outfile_open(ctx, path, flags, &of);
	if (rc < 0)
		return rc;
	rc = ms_plot_write(ctx, p, ms_outfile_fp(of));
	if (rc < 0) {
		ms_outfile_abort(of);
		return ms_err(ctx, rc, "%s: %s", path, rc == -EIO ? "write error" : "nothing to plot");
	}
	return ms_outfile_commit(ctx, of);
}

static bool increasing(const double *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i] < 0 || (i && !(t[i] > t[i - 1])))
			return false;
	return true;
}

/* The times to plot snapshots against: boot time, else wall clock, else numbers. */
static double *snapshot_times(const struct ms_snapshot *const *snaps, size_t n, bool *by_index)
{
	double *t = malloc(n * sizeof(double));
	struct timespec ts;
	size_t i;

	if (!t)
		return NULL;
	*by_index = false;
	for (i = 0; i < n; i++)
		t[i] = ms_snapshot_boottime(snaps[i]);
	if (increasing(t, n))
		return t;
	/* Boot times start again after a reboot; the wall clock may still serve. */
	for (i = 0; i < n; i++)
		t[i] = ms_snapshot_time(snaps[i], &ts) == 0 ?
		       (double)ts.tv_sec + ts.tv_nsec / 1e9 : -1;
	if (increasing(t, n))
		return t;
	for (i = 0; i < n; i++)
		t[i] = (double)i;
	*by_index = true;
	return t;
}

static void mapping_name(const struct ms_snapshot *s, const struct ms_mapping *m, char *buf,
			 size_t len)
{
	const char *name = ms_mapping_name(m), *base = strrchr(name, '/');
	char label[96];

	ms_label_mapping(s, m, label, sizeof(label));
	if (*name)
		snprintf(buf, len, "%s%s%s", base && base[1] ? base + 1 : name, *label ? ": " : "",
			 label);
	else
		snprintf(buf, len, "%s at 0x%llx", *label ? label : "anonymous",
			 (unsigned long long)ms_mapping_start(m));
}

struct ranked {
	const struct ms_series *s;
	double rate;
	uint64_t now;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->now > y->now ? -1 : x->now < y->now;
}

/* The TOP fastest-growing mappings, followed back through every snapshot. */
static int add_mappings(struct ms_ctx *ctx, struct ms_plot *p, const struct ms_snapshot *const *snaps,
			size_t n, const double *t, size_t top, uint64_t *v)
{
	const struct ms_maps **maps = calloc(n, sizeof(*maps));
	struct ms_trend *tr = NULL;
	struct ranked *r = NULL;
	size_t i, j, cnt;
	char name[256];
	int rc;

	if (!maps)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		maps[i] = ms_snapshot_maps(snaps[i]);
	rc = ms_trend_new(ctx, maps, t, n, MS_F_RSS, &tr);
	if (rc < 0)
		goto out;
	cnt = ms_trend_count(tr);
	r = calloc(cnt ? cnt : 1, sizeof(*r));
	if (!r) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		r[i].s = ms_trend_get(tr, i);
		r[i].rate = ms_series_rate(r[i].s);
		r[i].now = ms_series_value(r[i].s, n - 1);
	}
	qsort(r, cnt, sizeof(*r), cmp_ranked);
	for (i = 0; i < cnt && i < top && rc == 0; i++) {
		mapping_name(snaps[n - 1], ms_series_mapping(r[i].s), name, sizeof(name));
		for (j = 0; j < n; j++)
			v[j] = ms_series_value(r[i].s, j);
		rc = ms_plot_add(ctx, p, name, t, v, n);
	}
out:
	free(r);
	ms_trend_free(tr);
	free(maps);
	return rc;
}

static uint64_t snapshot_total(const struct ms_snapshot *s)
{
	const struct ms_maps *maps = ms_snapshot_maps(s);
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < ms_maps_count(maps); i++)
		sum += ms_mapping_get_or_size(ms_maps_get(maps, i), MS_F_RSS);
	return sum;
}

/* The cgroup's memory.max a snapshot recorded; 0 for none or "max". */
static uint64_t snapshot_limit(const struct ms_snapshot *s)
{
	const char *v = ms_snapshot_get(s, "memory.max");
	char *end;
	unsigned long long x;

	if (!v || !isdigit((unsigned char)*v))
		return 0;
	x = strtoull(v, &end, 10);
	return *end ? 0 : (uint64_t)x;
}

/*
 * A mark where the process restarted (another pid, or the same pid reused
 * or exec'd) and where its total fell by half: a line that drops there is
 * explained on the chart.  0 or -ENOMEM.
 */
static int mark_restarts(struct ms_ctx *ctx, struct ms_plot *p,
			 const struct ms_snapshot *const *snaps, size_t n, const double *t,
			 const uint64_t *v)
{
	char text[64];
	size_t i;
	int rc = 0;

	for (i = 1; i < n && rc == 0; i++) {
		pid_t a = ms_snapshot_pid(snaps[i - 1]), b = ms_snapshot_pid(snaps[i]);
		char why[96];

		if (a && b && a != b) {
			snprintf(text, sizeof(text), "restart: pid %d", (int)b);
			rc = ms_plot_mark(ctx, p, t[i], text);
		} else if (!ms_snapshot_same_process(snaps[i - 1], snaps[i], why, sizeof(why))) {
			/* The same pid, another process: reused, or an exec. */
			snprintf(text, sizeof(text), "restart: pid %d %s", (int)b,
				 strstr(why, "exec") ? "exec'd" : "reused");
			rc = ms_plot_mark(ctx, p, t[i], text);
		} else if (v[i] < v[i - 1] / 2) {
			rc = ms_plot_mark(ctx, p, t[i], "drop");
		}
	}
	return rc;
}

int ms_plot_snapshots(struct ms_ctx *ctx, const struct ms_snapshot *const *snaps, size_t n,
		      size_t top, struct ms_plot **out)
{
	const char *comm = NULL;
	struct ms_plot *p = NULL;
	uint64_t *v = NULL;
	double *t = NULL;
	struct timespec ts;
	char title[256], text[64];
	bool by_index;
	size_t i;
	int rc;

	if (!n)
		return ms_err(ctx, -EINVAL, "no snapshots to plot");
	comm = ms_snapshot_get(snaps[n - 1], "comm");
	if (ms_snapshot_pid(snaps[n - 1]))
		snprintf(title, sizeof(title), "RSS of %s (pid %d)", comm ? comm : "process",
			 (int)ms_snapshot_pid(snaps[n - 1]));
	else
		snprintf(title, sizeof(title), "RSS over %zu snapshots", n);
	if ((rc = ms_plot_new(ctx, title, &p)) < 0)
		return rc;
	t = snapshot_times(snaps, n, &by_index);
	v = malloc(n * sizeof(*v));
	if (!t || !v) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	p->by_index = by_index;
	p->limit = snapshot_limit(snaps[n - 1]);
	if (ms_snapshot_time(snaps[0], &ts) == 0) {
		struct tm tm;

		if (!by_index)
			p->wall0 = (double)ts.tv_sec + ts.tv_nsec / 1e9 - t[0];

		strftime(title, sizeof(title), "from %Y-%m-%d %H:%M:%S UTC",
			 gmtime_r(&ts.tv_sec, &tm));
		snprintf(text, sizeof(text), ", %zu samples", n);
		if (strlen(title) + strlen(text) < sizeof(title))
			strcat(title, text);
		if (!(p->subtitle = strdup(title))) {
			rc = ms_err(ctx, -ENOMEM, "out of memory");
			goto fail;
		}
	}
	for (i = 0; i < n; i++)
		v[i] = snapshot_total(snaps[i]);
	if ((rc = ms_plot_add(ctx, p, "process total", t, v, n)) < 0)
		goto fail;
	if ((rc = mark_restarts(ctx, p, snaps, n, t, v)) == 0 && n >= 2 && top)
		rc = add_mappings(ctx, p, snaps, n, t, top, v);
	if (rc < 0)
		goto fail;
	free(t);
	free(v);
	*out = p;
	return 0;
fail:
	free(t);
	free(v);
	ms_plot_free(p);
	return rc;
}

int ms_plot_snapshot_paths(struct ms_ctx *ctx, const char *const *paths, size_t n, size_t top,
			   struct ms_plot **out)
{
	struct ms_snapshot **s = calloc(n ? n : 1, sizeof(*s));
	size_t i;
	int rc = 0;

	if (!s)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++)
		rc = ms_snapshot_load_path(ctx, paths[i], &s[i]);
	if (rc == 0)
		rc = ms_plot_snapshots(ctx, (const struct ms_snapshot *const *)s, n, top, out);
	for (i = 0; i < n; i++)
		ms_snapshot_free(s[i]);
	free(s);
	return rc;
}

int ms_plot_watch(struct ms_ctx *ctx, const struct ms_watch *w, size_t top,
		  struct ms_plot **out)
{
	const struct ms_watch_item *tot = ms_watch_total(w), *it;
	struct timespec ts;
	const uint64_t *v;
	const double *t;
	struct ms_plot *p;
	char title[256];
	const char *comm;
	size_t i, n;
	int rc;

	if (!tot)
		return ms_err(ctx, -EINVAL, "no sample to plot yet");
	comm = ms_watch_item_comm(tot);
	if (ms_watch_pid(w))
		snprintf(title, sizeof(title), "RSS of %s (pid %d)", comm ? comm : "process",
			 (int)ms_watch_pid(w));
	else
		snprintf(title, sizeof(title), "RSS of every process, and of the fastest growing");
	if ((rc = ms_plot_new(ctx, title, &p)) < 0)
		return rc;
	n = ms_watch_item_count(tot);
	t = ms_watch_item_times(tot);
	v = ms_watch_item_values(tot);
	p->limit = ms_watch_limit(w);
	if (ms_watch_last(w) && ms_snapshot_time(ms_watch_last(w), &ts) == 0 && n)
		p->wall0 = (double)ts.tv_sec + ts.tv_nsec / 1e9 - t[n - 1];
	rc = ms_plot_add(ctx, p, ms_watch_pid(w) ? "process total" : "all processes", t, v, n);
	for (i = 1; i < n && rc == 0; i++)
		if (v[i] < v[i - 1] / 2)
			rc = ms_plot_mark(ctx, p, t[i], "drop");
	for (i = 0; i < top && (it = ms_watch_get(w, i)) && rc == 0; i++) {
		const struct ms_mapping *m = ms_watch_item_mapping(it);
		char name[256];

		if (m)
			mapping_name(ms_watch_last(w), m, name, sizeof(name));
		else
			snprintf(name, sizeof(name), "%s (pid %d)", ms_watch_item_comm(it),
				 (int)ms_watch_item_pid(it));
		rc = ms_plot_add(ctx, p, name, ms_watch_item_times(it),
				 ms_watch_item_values(it), ms_watch_item_count(it));
	}
	if (rc < 0) {
		ms_plot_free(p);
		return rc;
	}
	*out = p;
	return 0;
}
