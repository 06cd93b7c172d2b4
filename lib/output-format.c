// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How a table looks: each cell's value as text (sizes, deltas, rates), the
 * table handed to libsmartcols (aligned, raw or JSON), and the plain writer
 * that lays out big tables itself; and the formatters tools and reports
 * use for the same values in prose.  The table itself is output.c's.
 */
#include <inttypes.h>
#include <langinfo.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include <libsmartcols.h>

#include <memsift/output.h>

#include "internal.h"
#include "output-private.h"

/* What goes into the libsmartcols cell; NULL for an empty cell. */
static const char *cell_text(const struct ms_out *o, const struct ms_out_column *col,
			     const struct ms_out_val *v, char *buf, size_t len)
{
	bool json = o->flags & MS_OUT_JSON;
	bool bytes = json || (o->flags & MS_OUT_BYTES);

	if (!v->set)
		return NULL;
	switch (col->type) {
	case MS_COL_STR:
		return v->s;
	case MS_COL_U64:
		snprintf(buf, len, "%" PRIu64, v->u);
		break;
	case MS_COL_S64:
		snprintf(buf, len, "%" PRId64, v->i);
		break;
	case MS_COL_SIZE:
		if (bytes)
			snprintf(buf, len, "%" PRIu64, v->u);
		else
			ms_size_str(v->u, buf, len);
		break;
	case MS_COL_SIZE_DELTA:
		/* JSON has no "+1536" */
		if (json)
			snprintf(buf, len, "%" PRId64, v->i);
		else if (bytes)
			snprintf(buf, len, v->i ? "%+" PRId64 : "0", v->i);
		else
			ms_size_delta_str(v->i, buf, len);
		break;
	case MS_COL_HEX:
		snprintf(buf, len, "0x%" PRIx64, v->u);
		break;
	case MS_COL_BOOL:
		return v->u ? "1" : "0";
	case MS_COL_FLOAT:
		if (!isfinite(v->d))
			return NULL;
		snprintf(buf, len, "%.2f", v->d);
		break;
	case MS_COL_RATE:
		if (!isfinite(v->d))
			return NULL;
		if (bytes)
			snprintf(buf, len, "%.2f", v->d);
		else
			ms_rate_str(v->d, buf, len);
		break;
	}
	return buf;
}

/* The table of O for libsmartcols: with NO_ROWS only its columns. */
struct libscols_table *ms_out_build_table(const struct ms_out *o, FILE *fp, bool no_rows)
{
	struct libscols_table *tb = scols_new_table();
	bool json = o->flags & MS_OUT_JSON;
	char buf[64];
	size_t i, j;

	if (!tb)
		return NULL;
	if (fp)
		scols_table_set_stream(tb, fp);
	scols_table_enable_colors(tb, 0);
	if (json) {
		scols_table_enable_json(tb, 1);
		if (scols_table_set_name(tb, o->json_name))
			goto fail;
	} else if (o->flags & MS_OUT_RAW) {
		scols_table_enable_raw(tb, 1);
	}
	scols_table_enable_noheadings(tb, !!(o->flags & MS_OUT_NOHEADINGS));
	if (o->termwidth) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, o->termwidth);
	}

	for (i = 0; i < o->nsel; i++) {
		const struct ms_out_column *col = &o->cols[o->sel[i]];
		struct libscols_column *cl;
		int fl = 0;

		if (col->flags & MS_COL_RIGHT)
			fl |= SCOLS_FL_RIGHT;
		if (col->flags & MS_COL_TRUNC)
			fl |= SCOLS_FL_TRUNC;
		if (col->flags & MS_COL_WRAP)
			fl |= SCOLS_FL_WRAP;
		/* JSON takes its keys from the headings */
		cl = scols_table_new_column(tb, json ? o->keys[o->sel[i]] : col->name,
					    col->whint, fl);
		if (!cl || (json && scols_column_set_json_type(cl, ms_out_json_type(col->type))))
			goto fail;
	}

	for (j = 0; !no_rows && j < o->nrows; j++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto fail;
		for (i = 0; i < o->nsel; i++) {
			size_t c = o->sel[i];
			const char *text = cell_text(o, &o->cols[c], &o->rows[j]->vals[c],
						     buf, sizeof(buf));

			if (text && scols_line_set_data(ln, i, text))
				goto fail;
		}
	}
	return tb;
fail:
	scols_unref_table(tb);
	return NULL;
}

/*
 * A table of this many rows or more, printed whole (not to a terminal, not
 * raw nor JSON) and wider than the terminal libsmartcols assumes, is laid
 * out here, not by libsmartcols: mapswatch's 20,000 mappings spent 40% of a
 * sample there (each cell copied into a line object, its width measured
 * with wcwidth()).  The layout is libsmartcols' own for such a table: no
 * room to widen a column to its width hint, none cut (a narrower table
 * goes to libsmartcols, which widens columns to their hints).
 */
#define PLAIN_ROWS 256

/* Columns a cell of TEXT takes, or -1 for what libsmartcols would escape. */
static long plain_width(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	mbstate_t st;
	size_t n;
	long w = 0;
	wchar_t wc;
	int cw;

	for (; *p && *p >= 0x20 && *p < 0x7f; p++)
		w++;
	if (!*p)
		return w;
	memset(&st, 0, sizeof(st));
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		n = mbrtowc(&wc, (const char *)p, MB_CUR_MAX, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || (cw = wcwidth(wc)) < 0)
			return -1;
		w += cw;
		p += n;
	}
	return w;
}

/* The cells of the table, each its text, as ms_out_print() shows them. */
struct plain_cell {
	const char *text;	/* NULL: empty */
	long width;
	size_t off;		/* a number's text: at this offset of the cells' text, + 1 */
};

static bool plain_wanted(const struct ms_out *o, FILE *fp, size_t min_rows)
{
	int fd = fileno(fp);

	/* libsmartcols prints nothing for a table of no rows, not even its headings. */
	return o->nrows && o->nrows >= min_rows && !(o->flags & (MS_OUT_JSON | MS_OUT_RAW)) && !o->termwidth &&
	       o->nsel && (fd < 0 || !isatty(fd));
}

/*
 * The widths libsmartcols gives the columns of O, into WIDTH: a column's
 * width is decided by its widest cell, its heading and its width hint, so
 * a table of the headings and one line of the widest cells, laid out by
 * libsmartcols itself, gives them.  Returns 0, 1 when libsmartcols cannot
 * say, or -ENOMEM.
 */
static int scols_widths(const struct ms_out *o, const struct plain_cell *cells, size_t nr,
			long *width)
{
	struct libscols_table *tb = ms_out_build_table(o, NULL, true);
	struct libscols_line *ln = tb ? scols_table_new_line(tb, NULL) : NULL;
	size_t nc = o->nsel, i, j, widest;
	char *str = NULL;
	int rc = 0;

	if (!ln) {
		rc = ms_err(o->ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nc; i++) {
		for (j = 1, widest = 0; j <= nr; j++)
			if (cells[j * nc + i].text &&
			    (!widest || cells[j * nc + i].width > cells[widest * nc + i].width))
				widest = j;
		if (widest && scols_line_set_data(ln, i, cells[widest * nc + i].text)) {
			rc = ms_err(o->ctx, -ENOMEM, "out of memory");
			goto out;
		}
	}
	if (scols_print_table_to_string(tb, &str)) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < nc; i++) {
		struct libscols_column *cl = scols_table_get_column(tb, i);

		if (!cl) {
			rc = 1;
			goto out;
		}
		width[i] = (long)scols_column_get_width(cl);
	}
out:
	free(str);
	scols_unref_table(tb);
	return rc;
}

static void put_spaces(FILE *fp, long n)
{
	static const char spaces[] = "                                                                ";

	for (; n > 0; n -= (long)sizeof(spaces) - 1)
		fwrite(spaces, 1, n < (long)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1, fp);
}

/*
 * Print O as libsmartcols would: each column as wide as its widest cell or
 * heading, one space between, left- or right-aligned, the last column not
 * padded on the right.  Returns 1 when a cell needs libsmartcols'
 * escaping (nothing printed then), 0, or -ENOMEM / -EIO.
 */
static int print_plain(struct ms_out *o, FILE *fp)
{
	size_t nc = o->nsel, nr = o->nrows, i, j;
	struct plain_cell *cells = calloc((nr + 1) * nc, sizeof(*cells));
	long *width = calloc(nc, sizeof(*width));
	bool heads = !(o->flags & MS_OUT_NOHEADINGS);
	char *texts = NULL, buf[64];
	size_t tlen = 0;
	/* Numbers' text, each as long as it is: 64 bytes a cell were 11 MB at 20,000 rows. */
	FILE *tfp = open_memstream(&texts, &tlen);
	int rc = 0;

	if (!cells || !width || !tfp) {
		rc = ms_err(o->ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nc; i++) {
		cells[i].text = o->cols[o->sel[i]].name;
		cells[i].width = (long)strlen(cells[i].text);
		if (heads)
			width[i] = cells[i].width;
	}
	for (j = 0; j < nr; j++)
		for (i = 0; i < nc; i++) {
			size_t c = o->sel[i];
			struct plain_cell *pc = &cells[(j + 1) * nc + i];

			pc->text = cell_text(o, &o->cols[c], &o->rows[j]->vals[c], buf, sizeof(buf));
			if (!pc->text)
				continue;
			pc->width = plain_width(pc->text);
			if (pc->text == buf) {
				pc->off = (size_t)ftell(tfp) + 1;
				fwrite(buf, 1, strlen(buf) + 1, tfp);
			}
			if (pc->width < 0) {
				rc = 1;
				goto out;
			}
			if (pc->width > width[i])
				width[i] = pc->width;
		}
	if (fclose(tfp) != 0) {
		tfp = NULL;
		rc = ms_err(o->ctx, -ENOMEM, "out of memory");
		goto out;
	}
	tfp = NULL;
	for (j = 0; j < (nr + 1) * nc; j++)
		if (cells[j].off)
			cells[j].text = texts + cells[j].off - 1;
	if ((rc = scols_widths(o, cells, nr, width)) != 0)
		goto out;
	for (j = heads ? 0 : 1; j <= nr; j++)
		for (i = 0; i < nc; i++) {
			const struct plain_cell *pc = &cells[j * nc + i];
			bool right = o->cols[o->sel[i]].flags & MS_COL_RIGHT, last = i + 1 == nc;
			long pad = width[i] - (pc->text ? pc->width : 0);

			if (right)
				put_spaces(fp, pad);
			if (pc->text)
				fputs(pc->text, fp);
			if (!right && !last)
				put_spaces(fp, pad);
			putc(last ? '\n' : ' ', fp);
		}
	if (fflush(fp) || ferror(fp))
		rc = ms_err(o->ctx, -EIO, "write error");
out:
	if (tfp)
		fclose(tfp);
	free(texts);
	free(cells);
	free(width);
	return rc;
}

int ms_out_print_plain(struct ms_out *o, FILE *fp)
{
	return plain_wanted(o, fp, PLAIN_ROWS) ? print_plain(o, fp) : 1;
}

char *ms_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned exp = 0;
	uint64_t dec, frac;

	while (exp < 60 && bytes >= (UINT64_C(1) << (exp + 10)))
		exp += 10;
	dec = bytes >> exp;
	frac = exp ? bytes & ((UINT64_C(1) << exp) - 1) : 0;

	if (frac) {
		/* util-linux: three digits, then round to one; avoid overflow */
		if (frac >= UINT64_MAX / 1000)
			frac = ((frac / 1024) * 1000) / (UINT64_C(1) << (exp - 10));
		else
			frac = (frac * 1000) / (UINT64_C(1) << exp);
		frac = (frac + 50) / 100;
		if (frac == 10) {
			dec++;
			frac = 0;
		}
		/* 1023.96K is 1M, not the "1024K" util-linux prints */
		if (dec == 1024 && exp < 60) {
			dec = 1;
			exp += 10;
		}
	}
	if (frac)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%c", dec, frac, units[exp / 10]);
	else
		snprintf(buf, len, "%" PRIu64 "%c", dec, units[exp / 10]);
	return buf;
}

char *ms_byte_str(unsigned char b, unsigned flags, char *buf, size_t len)
{
	bool show = b >= 0x20 && b < 0x7f && b != '\'';

	if (show && (flags & MS_BYTE_SHORT))
		snprintf(buf, len, "'%c'", b);
	else if (show)
		snprintf(buf, len, "0x%02x '%c'", b, b);
	else
		snprintf(buf, len, "0x%02x", b);
	return buf;
}

char *ms_size_delta_str(int64_t delta, char *buf, size_t len)
{
	/* -(uint64_t) so that INT64_MIN does not overflow */
	uint64_t mag = delta < 0 ? -(uint64_t)delta : (uint64_t)delta;

	if (!delta) {
		snprintf(buf, len, "0");
		return buf;
	}
	if (len < 2) {
		if (len)
			*buf = '\0';
		return buf;
	}
	buf[0] = delta < 0 ? '-' : '+';
	ms_size_str(mag, buf + 1, len - 1);
	return buf;
}

char *ms_rate_str(double bytes_per_sec, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		double secs;
	} per[] = { { "s", 1 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 } };
	double a = fabs(bytes_per_sec);
	char size[MS_SIZE_STR_MAX];
	size_t i = 0;

	/* The smallest unit of time in which the rate is at least 1 KiB. */
	while (i + 1 < MS_ARRAY_SIZE(per) && a * per[i].secs < 1024)
		i++;
	if (a * per[i].secs < 1) {
		snprintf(buf, len, "0");
		return buf;
	}
	ms_size_str((uint64_t)llround(a * per[i].secs), size, sizeof(size));
	snprintf(buf, len, "%s%s/%s", bytes_per_sec < 0 ? "-" : "+", size, per[i].unit);
	return buf;
}

char *ms_duration_str(double secs, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		double secs;
	} u[] = { { "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 } };
	size_t i;
	double big, small;

	if (!(secs >= 1)) {
		snprintf(buf, len, secs > 0 ? "under a second" : "0s");
		return buf;
	}
	/* Two units at most: "3h 20m", "5d 4h", "45s". */
	for (i = 0; i + 1 < MS_ARRAY_SIZE(u) && secs < u[i].secs; i++)
		;
	big = floor(secs / u[i].secs);
	if (i + 1 < MS_ARRAY_SIZE(u)) {
		small = floor((secs - big * u[i].secs) / u[i + 1].secs);
		if (small > 0) {
			snprintf(buf, len, "%.0f%s %.0f%s", big, u[i].unit, small, u[i + 1].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%.0f%s", big, u[i].unit);
	return buf;
}

char *ms_sparkline_str(const uint64_t *v, size_t n, size_t width, bool utf8, char *buf,
		       size_t len)
{
	static const char ascii[] = "_.-~=+*#";
	size_t first = n > width ? n - width : 0, i, used = 0, cell;
	uint64_t lo = UINT64_MAX, hi = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = first; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	for (i = first; i < n; i++) {
		cell = hi > lo ? (size_t)((double)(v[i] - lo) * 7.0 / (double)(hi - lo) + 0.5) : 0;
		if (utf8) {
			/* U+2581..U+2588, LOWER ONE EIGHTH BLOCK to FULL BLOCK: E2 96 81+. */
			if (used + 4 > len)
				break;
			buf[used++] = (char)0xe2;
			buf[used++] = (char)0x96;
			buf[used++] = (char)(0x81 + cell);
		} else {
			if (used + 2 > len)
				break;
			buf[used++] = ascii[cell];
		}
	}
	buf[used] = '\0';
	return buf;
}

bool ms_locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}

char *ms_count_str(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	size_t n, i, o = 0;

	if (!len)
		return buf;
	n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}
