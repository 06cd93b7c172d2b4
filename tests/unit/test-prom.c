// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Prometheus text format (lib/prom.c), the SVG plot's escaping
 * (lib/plot.c) and the sparkline (lib/output.c): exact output for the values
 * that need escaping, and the errors.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/output.h>
#include <memsift/plot.h>
#include <memsift/prom.h>

#include "tap.h"

static struct ms_ctx *ctx;

/* P written to a string, the caller's to free(). */
static char *prom_text(const struct ms_prom *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ms_prom_write(ctx, p, fp);
	fclose(fp);
	return buf;
}

static void test_prom(void)
{
	const char *lab[] = { "path", "a\"b\\c\nd", "bad", "x\xff" "y", NULL };
	const char *badlab[] = { "__reserved", "v", NULL };
	const char *badlab2[] = { "0x", "v", NULL };
	struct ms_prom *p;
	char *text;

	ok(ms_prom_new(ctx, &p) == 0, "prom: new");
	is_int(ms_prom_family(ctx, p, "m_one", MS_PROM_GAUGE, "help with \\ and\nnewline"), 0,
	       "prom: family");
	is_int(ms_prom_family(ctx, p, "m_two", MS_PROM_COUNTER, "two"), 0, "prom: second family");
	is_int(ms_prom_family(ctx, p, "m_one", MS_PROM_GAUGE, "again"), 0, "prom: declared twice, same type");
	is_int(ms_prom_family(ctx, p, "m_one", MS_PROM_COUNTER, "x"), -EINVAL,
	       "prom: declared again with another type");
	is_int(ms_prom_family(ctx, p, "9bad", MS_PROM_GAUGE, "x"), -EINVAL, "prom: bad metric name");
	is_int(ms_prom_add(ctx, p, "m_nope", NULL, 1), -EINVAL, "prom: undeclared family");
	is_int(ms_prom_add(ctx, p, "m_one", badlab, 1), -EINVAL, "prom: reserved label name");
	is_int(ms_prom_add(ctx, p, "m_one", badlab2, 1), -EINVAL, "prom: bad label name");
	/* Added out of order: written grouped by family all the same. */
	is_int(ms_prom_add(ctx, p, "m_two", NULL, 3), 0, "prom: sample without labels");
	is_int(ms_prom_add(ctx, p, "m_one", lab, 1234567), 0, "prom: sample with labels");
	is_int(ms_prom_add(ctx, p, "m_one", NULL, 0.5), 0, "prom: fraction");
	is_int(ms_prom_add(ctx, p, "m_two", NULL, NAN), 0, "prom: NaN");
	is_int(ms_prom_add(ctx, p, "m_two", NULL, -INFINITY), 0, "prom: -Inf");
	text = prom_text(p);
	is_str(text,
	       "# HELP m_one help with \\\\ and\\nnewline\n"
	       "# TYPE m_one gauge\n"
	       "m_one{path=\"a\\\"b\\\\c\\nd\",bad=\"x\xef\xbf\xbdy\"} 1234567\n"
	       "m_one 0.5\n"
	       "# HELP m_two two\n"
	       "# TYPE m_two counter\n"
	       "m_two 3\n"
	       "m_two NaN\n"
	       "m_two -Inf\n",
	       "prom: escaped, grouped, values as the format spells them");
	free(text);
	ms_prom_free(p);
	ms_prom_free(NULL);
}

static void test_plot(void)
{
	const double t[] = { 10, 20, 30 };
	const uint64_t v[] = { 1 << 20, 2 << 20, 512 << 10 };
	struct ms_plot *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	ok(ms_plot_new(ctx, "a <b> & \"c\"", &p) == 0, "plot: new");
	is_int(ms_plot_write(ctx, p, stdout), -EINVAL, "plot: nothing to plot");
	is_int(ms_plot_add(ctx, p, "x", t, v, 0), -EINVAL, "plot: no values");
	is_int(ms_plot_add(ctx, p, "x", (const double[]){ 2, 1 }, v, 2), -EINVAL,
	       "plot: times not increasing");
	is_int(ms_plot_add(ctx, p, "total", t, v, 3), 0, "plot: add");
	is_int(ms_plot_add(ctx, p, "/tmp/we'ird\x01\xff<path>", t, v, 3), 0, "plot: add odd name");
	is_int(ms_plot_mark(ctx, p, 30, "drop"), 0, "plot: mark");
	is_u64(ms_plot_count(p), 2, "plot: two series");
	fp = open_memstream(&buf, &len);
	is_int(ms_plot_write(ctx, p, fp), 0, "plot: write");
	fclose(fp);
	ok(strstr(buf, "<title>a &lt;b&gt; &amp; &quot;c&quot;</title>") != NULL, "plot: title escaped");
	ok(strstr(buf, "data-name=\"/tmp/we&apos;ird??&lt;path&gt;\"") != NULL,
	   "plot: control and non-UTF-8 bytes replaced, markup escaped");
	ok(strstr(buf, "<desc>0.000:1048576 10.000:2097152 20.000:524288</desc>") != NULL,
	   "plot: the values drawn are recorded");
	ok(strstr(buf, ">drop</text>") != NULL, "plot: the mark is drawn");
	ok(strstr(buf, ">1M</text>") != NULL && strstr(buf, ">20s</text>") != NULL,
	   "plot: axes in binary units and elapsed time");
	free(buf);
	ms_plot_free(p);
}

static void test_sparkline(void)
{
	const uint64_t up[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, flat[] = { 5, 5, 5 };
	char buf[4 * 8 + 1];

	is_str(ms_sparkline_str(up, 8, 8, false, buf, sizeof(buf)), "_.-~=+*#", "sparkline: ASCII ramp");
	is_str(ms_sparkline_str(up, 8, 8, true, buf, sizeof(buf)),
	       "\xe2\x96\x81\xe2\x96\x82\xe2\x96\x83\xe2\x96\x84\xe2\x96\x85\xe2\x96\x86\xe2\x96\x87\xe2\x96\x88",
	       "sparkline: Unicode blocks");
	is_str(ms_sparkline_str(up, 8, 3, false, buf, sizeof(buf)), "_=#", "sparkline: the last WIDTH values, rescaled");
	is_str(ms_sparkline_str(flat, 3, 8, false, buf, sizeof(buf)), "___", "sparkline: flat is lowest");
	is_str(ms_sparkline_str(up, 8, 8, false, buf, 4), "_.-", "sparkline: cut to LEN");
}

int main(void)
{
	ctx = ms_ctx_new();
	test_prom();
	test_plot();
	test_sparkline();
	ms_ctx_free(ctx);
	return tap_done();
}
