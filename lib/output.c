// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table: its columns and the -o list that picks them, its rows and
 * their cells, and its JSON.  How a table looks (each value as text, the
 * libsmartcols table, the plain writer, the size and time formatters) is
 * output-format.c's.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include <memsift/jsonwrt.h>
#include <memsift/output.h>

#include "internal.h"
#include "output-private.h"
#include "util.h"

enum val_kind { VAL_STR, VAL_U, VAL_I, VAL_D };

static enum val_kind col_kind(enum ms_col_type t)
{
	switch (t) {
	case MS_COL_STR:
		return VAL_STR;
	case MS_COL_S64:
	case MS_COL_SIZE_DELTA:
		return VAL_I;
	case MS_COL_FLOAT:
	case MS_COL_RATE:
		return VAL_D;
	default:
		return VAL_U;
	}
}

/* "RSS%" -> "rss_pct", "%CPU" -> "pct_cpu", "MAJ:MIN" -> "maj_min" */
static char *json_key(const char *name)
{
	char *key = malloc(strlen(name) * 4 + 1), *p = key;
	bool sep = false;

	if (!key)
		return NULL;
	for (; *name; name++) {
		unsigned char c = *name;

		if (c == '%') {
			if (p > key)
				*p++ = '_';
			p = stpcpy(p, "pct");
			sep = true;
		} else if (isascii(c) && isalnum(c)) {
			if (sep && p > key)
				*p++ = '_';
			*p++ = tolower(c);
			sep = false;
		} else {
			sep = true;
		}
	}
	*p = '\0';
	return key;
}

static void select_defaults(struct ms_out *o)
{
	size_t i;

	o->nsel = 0;
	for (i = 0; i < o->ncols; i++)
		if (o->cols[i].flags & MS_COL_DEFAULT)
			o->sel[o->nsel++] = i;
	if (!o->nsel)
		for (i = 0; i < o->ncols; i++)
			o->sel[o->nsel++] = i;
	memset(o->selected, 0, o->ncols * sizeof(*o->selected));
	for (i = 0; i < o->nsel; i++)
		o->selected[o->sel[i]] = true;
}

int ms_out_new(struct ms_ctx *ctx, const struct ms_out_column *cols, size_t ncols,
	       const char *json_name, struct ms_out **out)
{
	struct ms_out *o;
	size_t i, j;
	int rc = -ENOMEM;

	if (!cols || !ncols || !json_name || !out)
		return ms_err(ctx, -EINVAL, "output: no columns or no JSON name");

	o = calloc(1, sizeof(*o));
	if (!o)
		return ms_err(ctx, -ENOMEM, "out of memory");
	o->ctx = ctx;
	o->cols = cols;
	o->ncols = ncols;
	o->json_name = json_name;
	o->keys = calloc(ncols, sizeof(*o->keys));
	o->sel = calloc(ncols, sizeof(*o->sel));
	o->selected = calloc(ncols, sizeof(*o->selected));
	if (!o->keys || !o->sel || !o->selected)
		goto fail;

	for (i = 0; i < ncols; i++) {
		if (!cols[i].name) {
			rc = ms_err(ctx, -EINVAL, "output: column %zu has no name", i);
			goto fail;
		}
		o->keys[i] = json_key(cols[i].name);
		if (!o->keys[i])
			goto fail;
		for (j = 0; j < i; j++)
			if (!strcmp(o->keys[i], o->keys[j])) {
				rc = ms_err(ctx, -EINVAL,
					    "output: columns \"%s\" and \"%s\" give the same JSON key",
					    cols[j].name, cols[i].name);
				goto fail;
			}
		if (!*o->keys[i]) {
			rc = ms_err(ctx, -EINVAL, "output: column \"%s\" gives an empty JSON key",
				    cols[i].name);
			goto fail;
		}
	}
	select_defaults(o);
	*out = o;
	return 0;
fail:
	ms_out_free(o);
	if (rc == -ENOMEM)
		ms_err(ctx, rc, "out of memory");
	return rc;
}

static void row_free(struct ms_out *o, struct ms_out_row *r)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (r->vals[i].set && col_kind(o->cols[i].type) == VAL_STR)
			free(r->vals[i].s);
	free(r);
}

void ms_out_free(struct ms_out *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->nrows; i++)
		row_free(o, o->rows[i]);
	free(o->rows);
	if (o->keys)
		for (i = 0; i < o->ncols; i++)
			free(o->keys[i]);
	free(o->keys);
	free(o->sel);
	free(o->selected);
	free(o);
}

static int find_column(const struct ms_out *o, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < o->ncols; i++)
		if (strlen(o->cols[i].name) == len && !strncasecmp(o->cols[i].name, name, len))
			return (int)i;
	return -1;
}

int ms_out_set_columns(struct ms_out *o, const char *list)
{
	const char *p, *end;
	size_t *sel, n = 0, i;
	int rc = 0;

	if (!o || !list)
		return -EINVAL;
	if (o->nrows)
		return ms_err(o->ctx, -EBUSY, "output: columns chosen after the first row");
	sel = malloc(o->ncols * sizeof(*sel));
	if (!sel)
		return ms_err(o->ctx, -ENOMEM, "out of memory");
	if (*list == '+') {
		memcpy(sel, o->sel, o->nsel * sizeof(*sel));
		n = o->nsel;
		list++;
	}
	for (p = list;; p = end + 1) {
		int col;

		end = p + strcspn(p, ",");
		col = find_column(o, p, end - p);
		if (col < 0) {
			rc = ms_err(o->ctx, -EINVAL, "unknown column \"%.*s\"; see --help for the list",
				    (int)(end - p), p);
			goto out;
		}
		for (i = 0; i < n && sel[i] != (size_t)col; i++)
			;
		if (i == n)
			sel[n++] = col;
		if (!*end)
			break;
	}
	memcpy(o->sel, sel, n * sizeof(*sel));
	o->nsel = n;
	memset(o->selected, 0, o->ncols * sizeof(*o->selected));
	for (i = 0; i < n; i++)
		o->selected[sel[i]] = true;
out:
	free(sel);
	return rc;
}

void ms_out_set_flags(struct ms_out *o, unsigned flags)
{
	o->flags = flags;
}

unsigned ms_out_get_flags(const struct ms_out *o)
{
	return o->flags;
}

void ms_out_set_termwidth(struct ms_out *o, size_t width)
{
	o->termwidth = width;
}

struct ms_out_row *ms_out_add_row(struct ms_out *o)
{
	struct ms_out_row *r;

	if (MS_GROW(o->rows, o->rows_alloc, o->nrows + 1, 64) < 0)
		goto nomem;
	r = calloc(1, sizeof(*r) + o->ncols * sizeof(r->vals[0]));
	if (!r)
		goto nomem;
	r->out = o;
	o->rows[o->nrows++] = r;
	return r;
nomem:
	ms_err(o->ctx, -ENOMEM, "out of memory");
	return NULL;
}

/*
 * The cell of COL in R if the column keeps one of KINDS (a mask of
 * 1 << VAL_*), else NULL with *RC set.  Checked whether or not the column is
 * selected, so a tool's bug shows whatever -o the user gives.
 */
static struct ms_out_val *cell(struct ms_out_row *r, int col, unsigned kinds, int *rc)
{
	static const char *const what[] = {
		[VAL_STR] = "a string", [VAL_U] = "an integer",
		[VAL_I] = "an integer", [VAL_D] = "a float",
	};
	const struct ms_out *o;

	*rc = -EINVAL;
	if (!r)
		return NULL;
	o = r->out;
	if (col < 0 || (size_t)col >= o->ncols) {
		*rc = ms_err(o->ctx, -EINVAL, "output: column index %d out of range", col);
		return NULL;
	}
	if (!(kinds & (1u << col_kind(o->cols[col].type)))) {
		*rc = ms_err(o->ctx, -EINVAL, "output: column \"%s\" cannot hold %s",
			     o->cols[col].name, what[ffs(kinds) - 1]);
		return NULL;
	}
	*rc = 0;
	return &r->vals[col];
}

static bool selected(const struct ms_out_row *r, int col)
{
	return r->out->selected[col];
}

int ms_out_set_str(struct ms_out_row *r, int col, const char *s)
{
	struct ms_out_val *v;
	char *copy = NULL;
	int rc;

	v = cell(r, col, 1u << VAL_STR, &rc);
	if (!v)
		return rc;
	if (!selected(r, col))
		return 0;
	if (s) {
		copy = strdup(s);
		if (!copy)
			return ms_err(r->out->ctx, -ENOMEM, "out of memory");
	}
	if (v->set)
		free(v->s);
	v->s = copy;
	v->set = copy != NULL;
	return 0;
}

/* Store the integer NEG ? I : U in whichever of u and i the column keeps. */
static int set_int(struct ms_out_row *r, int col, bool neg, uint64_t u, int64_t i)
{
	const struct ms_out_column *c;
	struct ms_out_val *v;
	int rc;

	v = cell(r, col, 1u << VAL_U | 1u << VAL_I, &rc);
	if (!v)
		return rc;
	c = &r->out->cols[col];
	if (col_kind(c->type) == VAL_U) {
		if (neg)
			return ms_err(r->out->ctx, -ERANGE,
				      "output: column \"%s\": %" PRId64 " is negative", c->name, i);
		v->u = u;
	} else {
		if (!neg && u > INT64_MAX)
			return ms_err(r->out->ctx, -ERANGE,
				      "output: column \"%s\": %" PRIu64 " is above INT64_MAX",
				      c->name, u);
		v->i = neg ? i : (int64_t)u;
	}
	v->set = selected(r, col);
	return 0;
}

int ms_out_set_u64(struct ms_out_row *r, int col, uint64_t v)
{
	return set_int(r, col, false, v, 0);
}

int ms_out_set_s64(struct ms_out_row *r, int col, int64_t v)
{
	return v < 0 ? set_int(r, col, true, 0, v) : set_int(r, col, false, v, 0);
}

int ms_out_set_bool(struct ms_out_row *r, int col, bool v)
{
	if (r && col >= 0 && (size_t)col < r->out->ncols && r->out->cols[col].type != MS_COL_BOOL)
		return ms_err(r->out->ctx, -EINVAL, "output: column \"%s\" cannot hold a boolean",
			      r->out->cols[col].name);
	return set_int(r, col, false, v, 0);
}

int ms_out_set_double(struct ms_out_row *r, int col, double d)
{
	struct ms_out_val *v;
	int rc;

	v = cell(r, col, 1u << VAL_D, &rc);
	if (!v)
		return rc;
	v->d = d;
	v->set = selected(r, col);
	return 0;
}

/* The JSON type of a column of type T (the writers in output-format.c set it). */
int ms_out_json_type(enum ms_col_type t)
{
	switch (t) {
	case MS_COL_U64:
	case MS_COL_S64:
	case MS_COL_SIZE:
	case MS_COL_SIZE_DELTA:
	case MS_COL_FLOAT:
	case MS_COL_RATE:
		return SCOLS_JSON_NUMBER;
	case MS_COL_BOOL:
		return SCOLS_JSON_BOOLEAN;
	default:
		return SCOLS_JSON_STRING;
	}
}

int ms_out_print(struct ms_out *o, FILE *fp)
{
	struct libscols_table *tb;
	int rc;

	if (!fp)
		fp = stdout;
	if ((rc = ms_out_print_plain(o, fp)) <= 0)
		return rc;
	tb = ms_out_build_table(o, fp, false);
	if (!tb)
		return ms_err(o->ctx, -ENOMEM, "out of memory");
	rc = scols_print_table(tb);
	scols_unref_table(tb);
	if (rc == -ENOMEM)
		return ms_err(o->ctx, rc, "out of memory");
	if (rc || fflush(fp) || ferror(fp))
		return ms_err(o->ctx, -EIO, "write error");
	return 0;
}

/*
 * S, with each byte that is no UTF-8 as the character of its value, as
 * ms_json_str() writes one: libsmartcols copies such bytes (a file name's)
 * into its JSON as they are, which no JSON reader takes.  Outside strings
 * its JSON is ASCII, so only strings change.
 */
static void put_utf8(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p < 0x80) {
			putc(*p++, fp);
		} else if ((n = ms_utf8_len(p))) {
			fwrite(p, 1, n, fp);
			p += n;
		} else {
			putc(0xc0 | *p >> 6, fp);
			putc(0x80 | (*p++ & 0x3f), fp);
		}
	}
}

int ms_out_print_json_with(struct ms_out *o, FILE *fp, ms_out_json_fn *members,
			   const void *data)
{
	char *buf = NULL, *brace;
	size_t len = 0;
	struct ms_jw w;
	FILE *mem;
	int rc;

	if (!fp)
		fp = stdout;
	if (!(o->flags & MS_OUT_JSON))
		return ms_out_print(o, fp);
	mem = open_memstream(&buf, &len);
	if (!mem)
		return ms_err(o->ctx, -ENOMEM, "out of memory");
	rc = ms_out_print(o, mem);
	if (fclose(mem) != 0 && rc == 0)
		rc = ms_err(o->ctx, -ENOMEM, "out of memory");
	/* libsmartcols writes "{\n   "NAME": [...]\n}": the members go after the brace. */
	brace = rc == 0 && buf ? strchr(buf, '{') : NULL;
	if (rc == 0 && !brace)
		rc = ms_err(o->ctx, -EIO, "no JSON object from the table");
	if (rc == 0) {
		fwrite(buf, 1, (size_t)(brace - buf) + 1, fp);
		ms_jw_init_in_object(&w, fp, false);
		ms_jw_spaced(&w, true);
		ms_jw_lines(&w, "\n   ", NULL);
		ms_jw_memsift_json(&w);
		if (members)
			members(&w, data);
		fputc(',', fp);
		put_utf8(fp, brace + 1);
		if (fflush(fp) || ferror(fp))
			rc = ms_err(o->ctx, -EIO, "write error");
	}
	free(buf);
	return rc;
}

void ms_out_list_columns(const struct ms_out_column *cols, size_t ncols, FILE *fp)
{
	size_t i;
	int w = 0;

	for (i = 0; i < ncols; i++)
		if ((int)strlen(cols[i].name) > w)
			w = strlen(cols[i].name);
	for (i = 0; i < ncols; i++)
		fprintf(fp, "%-*s  %s\n", w, cols[i].name, cols[i].help ? cols[i].help : "");
}

void ms_out_help_columns(const struct ms_out_column *cols, size_t ncols, FILE *fp)
{
	size_t i;
	int w = 0;

	for (i = 0; i < ncols; i++)
		if ((int)strlen(cols[i].name) > w)
			w = strlen(cols[i].name);
	fputs("\nAvailable output columns:\n", fp);
	for (i = 0; i < ncols; i++)
		fprintf(fp, " %*s  %s\n", w, cols[i].name, cols[i].help ? cols[i].help : "");
}
