// SPDX-License-Identifier: GPL-2.0-or-later
/* The JSON writer (see <memsift/jsonwrt.h>). */
#include <inttypes.h>
#include <math.h>

#include <memsift/jsonwrt.h>

#include "util.h"

void ms_json_str(FILE *fp, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fprintf(fp, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(fp, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, fp);
		} else if ((n = ms_utf8_len(p))) {
			/* Paths and strings in UTF-8 stay readable. */
			fwrite(p, 1, n, fp);
			p += n;
		} else {
			/* A byte that is no UTF-8: kept as its value, still valid JSON. */
			fprintf(fp, "\\u%04x", *p++);
		}
	}
	fputc('"', fp);
}

void ms_jw_init(struct ms_jw *w, FILE *fp)
{
	w->fp = fp;
	w->depth = 0;
	w->any[0] = false;
	w->spaced[0] = false;
	w->item[0] = w->close[0] = NULL;
	w->brk = NULL;
}

void ms_jw_init_in_object(struct ms_jw *w, FILE *fp, bool any)
{
	w->fp = fp;
	w->depth = 1;
	w->any[1] = any;
	w->spaced[1] = false;
	w->item[1] = w->close[1] = NULL;
	w->brk = NULL;
}

void ms_jw_break(struct ms_jw *w, const char *s)
{
	w->brk = s;
}

void ms_jw_spaced(struct ms_jw *w, bool on)
{
	w->spaced[w->depth] = on;
}

void ms_jw_lines(struct ms_jw *w, const char *item, const char *close)
{
	w->item[w->depth] = item;
	w->close[w->depth] = close;
}

/* The white space due before a value (or a close: DFLT), if any. */
static bool flush_break(struct ms_jw *w, const char *dflt)
{
	const char *s = w->brk ? w->brk : dflt;

	if (!s)
		return false;
	fputs(s, w->fp);
	w->brk = NULL;
	return true;
}

/* The comma before a value and its key: what every value starts with. */
static void member(struct ms_jw *w, const char *key)
{
	bool sp = w->spaced[w->depth];

	if (w->any[w->depth]) {
		fputc(',', w->fp);
		if (!flush_break(w, w->item[w->depth]) && sp)
			fputc(' ', w->fp);
	} else {
		flush_break(w, w->item[w->depth]);
	}
	w->any[w->depth] = true;
	if (key) {
		ms_json_str(w->fp, key);
		fputs(sp ? ": " : ":", w->fp);
	}
}

void ms_jw_embed(struct ms_jw *w, const char *key)
{
	member(w, key);
}

static void jw_open(struct ms_jw *w, const char *key, char c)
{
	member(w, key);
	fputc(c, w->fp);
	/* Deeper than any document of ours: keep writing, commas may be off. */
	if (w->depth < MS_JW_DEPTH - 1) {
		w->depth++;
		w->spaced[w->depth] = w->spaced[w->depth - 1];
		w->item[w->depth] = w->close[w->depth] = NULL;
	}
	w->any[w->depth] = false;
}

static void jw_close(struct ms_jw *w, char c)
{
	flush_break(w, w->close[w->depth]);
	fputc(c, w->fp);
	if (w->depth > 0)
		w->depth--;
}

void ms_jw_object_open(struct ms_jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void ms_jw_object_close(struct ms_jw *w)
{
	jw_close(w, '}');
}

void ms_jw_array_open(struct ms_jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void ms_jw_array_close(struct ms_jw *w)
{
	jw_close(w, ']');
}

void ms_jw_str(struct ms_jw *w, const char *key, const char *s)
{
	member(w, key);
	if (s)
		ms_json_str(w->fp, s);
	else
		fputs("null", w->fp);
}

void ms_jw_u64(struct ms_jw *w, const char *key, uint64_t v)
{
	member(w, key);
	fprintf(w->fp, "%" PRIu64, v);
}

void ms_jw_s64(struct ms_jw *w, const char *key, int64_t v)
{
	member(w, key);
	fprintf(w->fp, "%" PRId64, v);
}

void ms_jw_bool(struct ms_jw *w, const char *key, bool v)
{
	member(w, key);
	fputs(v ? "true" : "false", w->fp);
}

void ms_jw_null(struct ms_jw *w, const char *key)
{
	member(w, key);
	fputs("null", w->fp);
}

void ms_jw_double(struct ms_jw *w, const char *key, double v, int prec)
{
	member(w, key);
	if (isfinite(v))
		fprintf(w->fp, "%.*f", prec, v);
	else
		fputs("null", w->fp);
}

void ms_jw_memsift_json(struct ms_jw *w)
{
	ms_jw_u64(w, "memsift_json", MS_JSON_VERSION);
}

void ms_jw_hex(struct ms_jw *w, const char *key, uint64_t v)
{
	member(w, key);
	fprintf(w->fp, "\"0x%" PRIx64 "\"", v);
}
