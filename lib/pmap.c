// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Saved pmap(1) output, rewritten as the smaps text it was printed from and
 * read by ms_maps_parse_buf(), so the library keeps one model of mappings.
 *
 * The layouts are procps-ng src/pmap.c's (4.0.2):
 *   pmap      one_proc():  "%016lx %6luK %s %s\n", then " total %16ldK"
 *   pmap -x   one_proc():  "%0*lx %*lu %*llu %*llu %*s %s\n" under "Address
 *             Kbytes RSS Dirty Mode Mapping", then a "----" rule and
 *             "total kB" with three sums
 *   pmap -X   print_extended_maps(): every column right-aligned to its widest
 *   pmap -XX  value as measured in a first pass over smaps, the mapping name
 *             last; then a "====" rule and the column sums, ending in "KB".
 * Each begins with "%u:   %s\n", the pid and command line.
 *
 * Numbers are re-printed from their parsed values, never copied, so the
 * smaps text is valid whatever the input was; every check on the input
 * happens here, with the pmap output's own line numbers.  Character classes
 * are spelled out rather than taken from <ctype.h>, as in parse.c.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/maps.h>
#include <memsift/pmap.h>

#include "internal.h"
#include "util.h"

enum col_kind {
	COL_ADDRESS,	/* hex start address */
	COL_KBYTES,	/* pmap: "8K", the size; no smaps field */
	COL_SIZE,	/* the size in kB, also written as the Size field */
	COL_FIELD,	/* any other number, written as a smaps field */
	COL_MODE,	/* pmap, pmap -x: "r-xs-" */
	COL_PERM,	/* pmap -X: "r-xs", as the kernel prints it */
	COL_OFFSET,
	COL_DEVICE,
	COL_INODE,
	COL_VMFLAGS,	/* pmap -XX: flags with spaces between, right-aligned */
	COL_MAPPING,	/* the name: the rest of the line */
};

struct col {
	enum col_kind kind;
	const char *name;	/* field name written to smaps; into BUF or a literal */
	size_t nlen;
	bool is_size;		/* written with " kB" */
	size_t width;		/* COL_VMFLAGS: the width from the headings */
};

struct row {
	uint64_t start, kbytes, offset, inode;
	uint64_t major, minor;
	char perms[5];
	const char *name, *vmflags;
	size_t nlen, vlen;
	uint64_t *val;		/* per column */
};

struct pmap {
	struct ms_ctx *ctx;
	const char *file;
	const char *base;	/* the input's first byte, for offsets in messages */
	enum ms_pmap_format format;
	struct col *cols;
	size_t ncols;
	FILE *out;		/* the smaps text */
	uint64_t sum_kbytes;	/* pmap, pmap -x: checked against the totals line */
	size_t nrows;
	struct row row;
};

struct reader {
	const char *p, *end;
	unsigned long lineno;
};

static const struct col plain_cols[] = {
	{ COL_ADDRESS, "Address", 7, false, 0 },
	{ COL_KBYTES, "Kbytes", 6, false, 0 },
	{ COL_MODE, "Mode", 4, false, 0 },
	{ COL_MAPPING, "Mapping", 7, false, 0 },
};

/* pmap -x's Dirty is Shared_Dirty + Private_Dirty: see <memsift/pmap.h>. */
static const struct col extended_cols[] = {
	{ COL_ADDRESS, "Address", 7, false, 0 },
	{ COL_SIZE, "Size", 4, true, 0 },
	{ COL_FIELD, "Rss", 3, true, 0 },
	{ COL_FIELD, "Dirty", 5, true, 0 },
	{ COL_MODE, "Mode", 4, false, 0 },
	{ COL_MAPPING, "Mapping", 7, false, 0 },
};

static const char *const extended_heads[] = {
	"Address", "Kbytes", "RSS", "Dirty", "Mode", "Mapping",
};

/* The columns pmap -X prints first, and the fields only -XX shows (is_unimportant()). */
static const struct {
	const char *head;
	enum col_kind kind;
} more_heads[] = {
	{ "Address", COL_ADDRESS }, { "Perm", COL_PERM }, { "Offset", COL_OFFSET },
	{ "Device", COL_DEVICE }, { "Inode", COL_INODE },
};

static const char *const all_only[] = {
	"KernelPageSize", "MMUPageSize", "Shared_Clean", "Shared_Dirty",
	"Private_Clean", "Private_Dirty", "AnonHugePages", "VmFlags",
};

/* smaps fields that are plain numbers, not "N kB" (fs/proc/task_mmu.c). */
static const char *const unitless[] = { "THPeligible", "ProtectionKey" };

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool tok_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && !memcmp(s, word, n);
}

/* Next token at *P (before END), separated by blanks; advances *P past it. */
static bool next_tok(const char **p, const char *end, const char **s, const char **e)
{
	const char *q = *p;

	while (q < end && is_blank(*q))
		q++;
	if (q == end)
		return false;
	*s = q;
	while (q < end && !is_blank(*q))
		q++;
	*e = q;
	*p = q;
	return true;
}

/* The whole of [S, E) as a number: no sign, no prefix, nothing after it. */
static bool parse_hex(const char *s, const char *e, uint64_t *out)
{
	return ms_scan_x64(&s, e, out) && s == e;
}

static bool parse_dec(const char *s, const char *e, uint64_t *out)
{
	return ms_scan_u64(&s, e, out) && s == e;
}

/* A field name as smaps prints one: [A-Za-z_][A-Za-z0-9_]*. */
static bool is_field_name(const char *s, const char *e)
{
	const char *q;

	for (q = s; q < e; q++) {
		bool alpha = (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z');

		if (!alpha && *q != '_' && (q == s || !is_digit(*q)))
			return false;
	}
	return s < e;
}

static bool in_list(const char *s, const char *e, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tok_is(s, e, list[i]))
			return true;
	return false;
}

/*
 * The offset in the input of P, for messages: they name the place of what
 * is wrong, never its text, since the file may be anything (a password
 * file given by mistake).
 */
static unsigned long long at(const struct pmap *pm, const char *p)
{
	return (unsigned long long)(p - pm->base);
}

/* Next line, without its "\n" or "\r\n"; false at the end of the input. */
static bool next_line(struct reader *r, const char **s, const char **e)
{
	const char *nl;

	if (r->p >= r->end)
		return false;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*s = r->p;
	*e = nl ? nl : r->end;
	r->p = nl ? nl + 1 : r->end;
	if (*e > *s && (*e)[-1] == '\r')
		(*e)--;
	r->lineno++;
	return true;
}

static bool line_blank(const char *s, const char *e)
{
	while (s < e && is_blank(*s))
		s++;
	return s == e;
}

/* Next line that is not blank; pmap prints none, but a saved file may have some. */
static bool next_content(struct reader *r, const char **s, const char **e)
{
	while (next_line(r, s, e))
		if (!line_blank(*s, *e))
			return true;
	return false;
}

/* pmap's first line, "%u:   %s": the pid and the command line. */
static bool pid_line(const char *s, const char *e, pid_t *pid)
{
	const char *q = s;
	uint64_t v;

	while (q < e && is_digit(*q))
		q++;
	if (q == s || q == e || *q != ':' || (q + 1 < e && q[1] != ' '))
		return false;
	if (!parse_dec(s, q, &v) || v == 0 || v > INT32_MAX)
		return false;
	if (pid)
		*pid = (pid_t)v;
	return true;
}

/* A line of only CH and blanks: pmap -x's "----" rule, -X's "====". */
static bool rule_line(const char *s, const char *e, char ch)
{
	bool any = false;

	for (; s < e; s++) {
		if (*s == ch)
			any = true;
		else if (!is_blank(*s))
			return false;
	}
	return any;
}

static bool mode_ok(const char *s, const char *e)
{
	return e - s == 5 && (s[0] == 'r' || s[0] == '-') && (s[1] == 'w' || s[1] == '-') &&
	       (s[2] == 'x' || s[2] == '-') && (s[3] == 's' || s[3] == '-') &&
	       (s[4] == '-' || s[4] == 'R');
}

static bool perm_ok(const char *s, const char *e)
{
	return e - s == 4 && (s[0] == 'r' || s[0] == '-') && (s[1] == 'w' || s[1] == '-') &&
	       (s[2] == 'x' || s[2] == '-') && (s[3] == 'p' || s[3] == 's');
}

/* A pmap row, "%016lx %6luK %s %s": address, size with K, mode, name. */
static bool plain_row(const char *s, const char *e)
{
	const char *ts, *te;
	uint64_t v;

	if (!next_tok(&s, e, &ts, &te) || !parse_hex(ts, te, &v))
		return false;
	if (!next_tok(&s, e, &ts, &te) || te[-1] != 'K' || !parse_dec(ts, te - 1, &v))
		return false;
	return next_tok(&s, e, &ts, &te) && mode_ok(ts, te);
}

/*
 * The headings of pmap -X or -XX: "Address Perm Offset Device Inode", the
 * smaps fields (Size among them), maybe VmFlags, then Mapping.  With COLS,
 * fill in the columns (room for one per heading); *NCOLS gets their number.
 */
static enum ms_pmap_format more_heads_cols(const char *s, const char *e, struct col *cols,
					   size_t *ncols)
{
	enum ms_pmap_format fmt = MS_PMAP_MORE;
	const char *p = s, *ts, *te, *prev_end = s;
	bool size = false, mapping = false, vmflags = false;
	size_t n = 0;

	while (next_tok(&p, e, &ts, &te)) {
		struct col c = { COL_FIELD, ts, (size_t)(te - ts), true, 0 };

		/* Mapping comes last, VmFlags only just before it. */
		if (mapping || (vmflags && !tok_is(ts, te, "Mapping")))
			return MS_PMAP_NONE;
		if (n < MS_ARRAY_SIZE(more_heads)) {
			if (!tok_is(ts, te, more_heads[n].head))
				return MS_PMAP_NONE;
			c.kind = more_heads[n].kind;
		} else if (tok_is(ts, te, "Mapping")) {
			c.kind = COL_MAPPING;
			mapping = true;
		} else if (tok_is(ts, te, "VmFlags")) {
			c.kind = COL_VMFLAGS;
			vmflags = true;
			/* Right-aligned: the heading ends where the flags end. */
			c.width = (size_t)(te - prev_end) - 1;
			fmt = MS_PMAP_ALL;
		} else if (is_field_name(ts, te)) {
			if (tok_is(ts, te, "Size")) {
				c.kind = COL_SIZE;
				size = true;
			}
			c.is_size = !in_list(ts, te, unitless, MS_ARRAY_SIZE(unitless));
			if (in_list(ts, te, all_only, MS_ARRAY_SIZE(all_only)))
				fmt = MS_PMAP_ALL;
		} else {
			return MS_PMAP_NONE;
		}
		if (cols)
			cols[n] = c;
		n++;
		prev_end = te;
	}
	if (!mapping || !size)
		return MS_PMAP_NONE;
	if (ncols)
		*ncols = n;
	return fmt;
}

/* What the line after pmap's pid line (or the first line) says the format is. */
static enum ms_pmap_format classify(const char *s, const char *e, bool after_pid)
{
	const char *p = s, *ts, *te;
	size_t i;

	if (memchr(s, '\0', (size_t)(e - s)))
		return MS_PMAP_NONE;
	if (!next_tok(&p, e, &ts, &te))
		return MS_PMAP_NONE;
	if (tok_is(ts, te, "Address")) {
		p = s;
		for (i = 0; i < MS_ARRAY_SIZE(extended_heads); i++) {
			if (!next_tok(&p, e, &ts, &te) ||
			    !tok_is(ts, te, extended_heads[i]))
				break;
		}
		if (i == MS_ARRAY_SIZE(extended_heads) && !next_tok(&p, e, &ts, &te))
			return MS_PMAP_EXTENDED;
		return more_heads_cols(s, e, NULL, NULL);
	}
	if (plain_row(s, e))
		return MS_PMAP_PLAIN;
	/* A process with no mappings: its pid line, then " total 0K". */
	if (after_pid && tok_is(ts, te, "total") && next_tok(&p, e, &ts, &te) &&
	    te[-1] == 'K' && !next_tok(&p, e, &ts, &te))
		return MS_PMAP_PLAIN;
	return MS_PMAP_NONE;
}

enum ms_pmap_format ms_pmap_detect(const char *buf, size_t len)
{
	struct reader r = { buf, buf + len, 0 };
	const char *s, *e;
	bool had_pid;

	if (!buf || !next_content(&r, &s, &e) || memchr(s, '\0', (size_t)(e - s)))
		return MS_PMAP_NONE;
	had_pid = pid_line(s, e, NULL);
	if (had_pid && !next_content(&r, &s, &e))
		return MS_PMAP_NONE;
	return classify(s, e, had_pid);
}

/* Report a malformed row: the callback may skip it (0), else -EBADMSG. */
static int row_error(struct pmap *pm, unsigned long lineno, const char *fmt, ...)
	MS_ATTR_PRINTF(3, 4);
static int row_error(struct pmap *pm, unsigned long lineno, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ms_parser_error(pm->ctx, pm->file, lineno, "%s", msg);
}

/* A malformed whole: no callback can skip it. */
static int fatal(struct pmap *pm, unsigned long lineno, const char *fmt, ...)
	MS_ATTR_PRINTF(3, 4);
static int fatal(struct pmap *pm, unsigned long lineno, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ms_err(pm->ctx, -EBADMSG, "%s:%lu: %s", pm->file, lineno, msg);
}

/*
 * pmap -XX's VmFlags, right-aligned in the width of its heading, after the
 * blank at *P; flags hold blanks, so only the width tells them from the
 * name.  (A mapping whose flags grew between pmap's two passes over smaps
 * overflows that width and cannot be told apart; pmap gives no way.)
 */
static int vmflags_col(struct pmap *pm, const struct col *c, const char **p, const char *e,
		       unsigned long lineno)
{
	const char *s = *p + 1, *ve = *p + 1 + c->width, *q;

	if (*p >= e || e - (*p + 1) < (ptrdiff_t)c->width)
		return row_error(pm, lineno, "truncated row: no VmFlags column");
	if (!is_blank(**p) || (ve < e && !is_blank(*ve)))
		return row_error(pm, lineno, "byte %llu: bad VmFlags", at(pm, s));
	while (s < ve && *s == ' ')
		s++;
	for (q = s; q < ve; q++)
		if (!((*q >= 'a' && *q <= 'z') || *q == ' '))
			return row_error(pm, lineno, "byte %llu: bad VmFlags", at(pm, s));
	pm->row.vmflags = s;
	pm->row.vlen = (size_t)(ve - s);
	*p = ve;
	return 1;
}

/* The name: the rest of the line after one blank, without pmap's "  " before "[ anon ]". */
static int mapping_col(struct pmap *pm, const char *p, const char *e, unsigned long lineno)
{
	struct row *r = &pm->row;

	while (p < e && is_blank(*p))
		p++;
	r->name = p;
	r->nlen = (size_t)(e - p);
	if (pm->format != MS_PMAP_PLAIN && pm->format != MS_PMAP_EXTENDED)
		return 1;
	/* pmap and pmap -x always print a name; "[ anon ]" is theirs for none. */
	if (!r->nlen)
		return row_error(pm, lineno, "truncated row: no Mapping column");
	if (tok_is(p, e, "[ anon ]")) {
		r->nlen = 0;
	} else if (tok_is(p, e, "[ stack ]")) {
		r->name = "[stack]";
		r->nlen = 7;
	}
	return 1;
}

/*
 * The token [TS, TE) of column I, one of the fixed columns, into the row.
 * Returns 1, or what row_error() says (0: skip the row).
 */
static int field_col(struct pmap *pm, size_t i, const char *ts, const char *te,
		     unsigned long lineno)
{
	const struct col *c = &pm->cols[i];
	struct row *r = &pm->row;

	switch (c->kind) {
	case COL_ADDRESS:
		if (!parse_hex(ts, te, &r->start))
			return row_error(pm, lineno, "byte %llu: bad address", at(pm, ts));
		break;
	case COL_KBYTES:
		if (te[-1] != 'K' || !parse_dec(ts, te - 1, &r->kbytes))
			return row_error(pm, lineno, "byte %llu: bad size", at(pm, ts));
		break;
	case COL_SIZE:
	case COL_FIELD:
		if (!parse_dec(ts, te, &r->val[i]) ||
		    (c->is_size && r->val[i] > UINT64_MAX / 1024)) {
			if (c->kind == COL_SIZE)
				return row_error(pm, lineno, "byte %llu: bad size", at(pm, ts));
			return row_error(pm, lineno, "byte %llu: bad %.*s value", at(pm, ts),
					 (int)c->nlen, c->name);
		}
		if (c->kind == COL_SIZE)
			r->kbytes = r->val[i];
		break;
	case COL_MODE:
		if (!mode_ok(ts, te))
			return row_error(pm, lineno, "byte %llu: bad permissions", at(pm, ts));
		/* pmap turned the kernel's 'p' into '-' and kept 's'. */
		memcpy(r->perms, ts, 3);
		r->perms[3] = ts[3] == 's' ? 's' : 'p';
		break;
	case COL_PERM:
		if (!perm_ok(ts, te))
			return row_error(pm, lineno, "byte %llu: bad permissions", at(pm, ts));
		memcpy(r->perms, ts, 4);
		break;
	case COL_OFFSET:
		if (!parse_hex(ts, te, &r->offset))
			return row_error(pm, lineno, "byte %llu: bad offset", at(pm, ts));
		break;
	case COL_DEVICE: {
		const char *colon = memchr(ts, ':', (size_t)(te - ts));

		if (!colon || !parse_hex(ts, colon, &r->major) ||
		    !parse_hex(colon + 1, te, &r->minor) ||
		    r->major > UINT32_MAX || r->minor > UINT32_MAX)
			return row_error(pm, lineno, "byte %llu: bad device", at(pm, ts));
		break;
	}
	case COL_INODE:
		if (!parse_dec(ts, te, &r->inode))
			return row_error(pm, lineno, "byte %llu: bad inode", at(pm, ts));
		break;
	case COL_VMFLAGS:
	case COL_MAPPING:
		break;
	}
	return 1;
}

/*
 * One row of the table into PM->row, column by column as the header named
 * them.  Returns 1, or what row_error() says (0: skip the row).
 */
static int parse_row(struct pmap *pm, const char *s, const char *e, unsigned long lineno)
{
	struct row *r = &pm->row;
	const char *p = s, *ts, *te;
	size_t i;
	int rc;

	memset(r->perms, 0, sizeof(r->perms));
	r->offset = r->inode = r->major = r->minor = 0;
	r->vmflags = NULL;
	r->vlen = 0;
	for (i = 0; i < pm->ncols; i++) {
		const struct col *c = &pm->cols[i];

		if (c->kind == COL_MAPPING)
			return mapping_col(pm, p, e, lineno);
		if (c->kind == COL_VMFLAGS) {
			rc = vmflags_col(pm, c, &p, e, lineno);
			if (rc <= 0)
				return rc;
			continue;
		}
		if (!next_tok(&p, e, &ts, &te))
			return row_error(pm, lineno, "truncated row: no %.*s column",
					 (int)c->nlen, c->name);
		if ((rc = field_col(pm, i, ts, te, lineno)) <= 0)
			return rc;
	}
	return 1;
}

/* Write the parsed row as smaps: the mapping line, then one line per field. */
static int emit_row(struct pmap *pm, unsigned long lineno)
{
	struct row *r = &pm->row;
	size_t i;

	if (r->kbytes > (UINT64_MAX - r->start) / 1024)
		return row_error(pm, lineno, "%" PRIu64 " kB at %" PRIx64 " runs past the end of the address space",
				 r->kbytes, r->start);
	fprintf(pm->out, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02" PRIx64 ":%02" PRIx64
		" %" PRIu64, r->start, r->start + r->kbytes * 1024, r->perms, r->offset,
		r->major, r->minor, r->inode);
	if (r->nlen) {
		fputc(' ', pm->out);
		fwrite(r->name, 1, r->nlen, pm->out);
	}
	fputc('\n', pm->out);
	for (i = 0; i < pm->ncols; i++) {
		const struct col *c = &pm->cols[i];

		if (c->kind != COL_SIZE && c->kind != COL_FIELD)
			continue;
		fprintf(pm->out, "%.*s: %" PRIu64 "%s\n", (int)c->nlen, c->name, r->val[i],
			c->is_size ? " kB" : "");
	}
	if (r->vlen) {
		fputs("VmFlags: ", pm->out);
		fwrite(r->vmflags, 1, r->vlen, pm->out);
		fputc('\n', pm->out);
	}
	pm->sum_kbytes += r->kbytes;
	pm->nrows++;
	return 1;
}

/*
 * pmap's totals line: " total 2492K" (pmap), "total kB 26656 25832 24412"
 * (-x), or one sum per field and "KB" (-X, -XX).  pmap and pmap -x print
 * the size total from the same read as the rows, so it must match them;
 * -X and -XX sum a first pass over smaps and print a second.
 */
static int totals_line(struct pmap *pm, const char *s, const char *e, unsigned long lineno)
{
	const char *p = s, *ts, *te;
	size_t i, nsums = 0, nfields = 0;
	uint64_t total = 0, v;
	bool ok;

	next_tok(&p, e, &ts, &te);
	if (pm->format == MS_PMAP_PLAIN) {
		ok = next_tok(&p, e, &ts, &te) && te[-1] == 'K' &&
		     parse_dec(ts, te - 1, &total) && !next_tok(&p, e, &ts, &te);
	} else if (pm->format == MS_PMAP_EXTENDED) {
		ok = next_tok(&p, e, &ts, &te) && tok_is(ts, te, "kB");
		for (i = 0; ok && i < 3; i++)
			ok = next_tok(&p, e, &ts, &te) &&
			     parse_dec(ts, te, i ? &v : &total);
		ok = ok && !next_tok(&p, e, &ts, &te);
	} else {
		for (i = 0; i < pm->ncols; i++)
			if (pm->cols[i].kind == COL_SIZE || pm->cols[i].kind == COL_FIELD)
				nfields++;
		for (p = s; next_tok(&p, e, &ts, &te) && parse_dec(ts, te, &v);)
			nsums++;
		ok = tok_is(ts, te, "KB") && nsums == nfields && !next_tok(&p, e, &ts, &te);
		if (ok)
			return 1;
	}
	if (!ok)
		return row_error(pm, lineno, "byte %llu: bad totals line", at(pm, s));
	if (total != pm->sum_kbytes)
		return row_error(pm, lineno, "total %" PRIu64 " kB is not the sum of the rows, %" PRIu64 " kB; rows lost?",
				 total, pm->sum_kbytes);
	return 1;
}

enum stage { ST_ROWS, ST_RULE, ST_DONE };

/* Parse the lines after the headings into pm->out. */
static int parse_body(struct pmap *pm, struct reader *r)
{
	bool more = pm->format == MS_PMAP_MORE || pm->format == MS_PMAP_ALL;
	/* The rule above the totals: pmap -x's "----", -X's "====", none in pmap. */
	char rule = pm->format == MS_PMAP_EXTENDED ? '-' : more ? '=' : 0;
	enum stage st = ST_ROWS;
	const char *s, *e, *ts, *te, *p;
	unsigned long last = r->lineno;
	pid_t pid;
	int rc = 0;

	while (next_content(r, &s, &e)) {
		last = r->lineno;
		p = s;
		next_tok(&p, e, &ts, &te);
		if (memchr(s, '\0', (size_t)(e - s)))
			rc = row_error(pm, r->lineno, "byte %llu: binary data (a NUL byte); is this a pmap capture?",
				       at(pm, memchr(s, '\0', (size_t)(e - s))));
		else if (pid_line(s, e, &pid))
			return fatal(pm, r->lineno, "a second process (pid %d) starts here; save one process per file",
				     (int)pid);
		else if (st == ST_DONE)
			rc = row_error(pm, r->lineno, "byte %llu: text after pmap's totals line", at(pm, s));
		else if (rule && rule_line(s, e, rule))
			st = ST_RULE;
		else if (tok_is(ts, te, "total") || (st == ST_RULE && more)) {
			rc = totals_line(pm, s, e, r->lineno);
			st = ST_DONE;
		} else if (st == ST_RULE) {
			rc = row_error(pm, r->lineno, "byte %llu: not pmap's totals line", at(pm, s));
		} else {
			rc = parse_row(pm, s, e, r->lineno);
			if (rc > 0)
				rc = emit_row(pm, r->lineno);
		}
		if (rc < 0)
			return rc;
	}
	if (!pm->nrows)
		return fatal(pm, last, "no mappings in this pmap output (a kernel thread, or cut short?)");
	if (st != ST_DONE)
		return fatal(pm, last, "no totals line after it: cut short, or saved with pmap -q (not read)?");
	return 0;
}

static int setup_cols(struct pmap *pm, const char *s, const char *e)
{
	const char *p = s, *ts, *te;
	size_t n = 0;

	if (pm->format == MS_PMAP_PLAIN) {
		pm->ncols = MS_ARRAY_SIZE(plain_cols);
		pm->cols = malloc(sizeof(plain_cols));
		if (pm->cols)
			memcpy(pm->cols, plain_cols, sizeof(plain_cols));
	} else if (pm->format == MS_PMAP_EXTENDED) {
		pm->ncols = MS_ARRAY_SIZE(extended_cols);
		pm->cols = malloc(sizeof(extended_cols));
		if (pm->cols)
			memcpy(pm->cols, extended_cols, sizeof(extended_cols));
	} else {
		while (next_tok(&p, e, &ts, &te))
			n++;
		pm->cols = calloc(n, sizeof(*pm->cols));
		if (pm->cols)
			more_heads_cols(s, e, pm->cols, &pm->ncols);
	}
	if (!pm->cols)
		return -ENOMEM;
	pm->row.val = calloc(pm->ncols, sizeof(*pm->row.val));
	return pm->row.val ? 0 : -ENOMEM;
}

/* Hand the smaps text to the one smaps parser; it must take it whole. */
static int read_smaps(struct pmap *pm, const char *text, size_t len, struct ms_maps **out)
{
	char sname[256], msg[512];
	int rc;

	struct ms_maps_parser *ps;

	snprintf(sname, sizeof(sname), "%s (as smaps)", pm->file);
	rc = ms_maps_parser_new(pm->ctx, sname, &ps);
	if (rc < 0)
		return rc;
	/* Rows rewritten as smaps parse into more than they take: bound what is kept. */
	ms_maps_parser_set_max(ps, MS_INPUT_MAX);
	rc = ms_maps_parser_feed(ps, text, len);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
	ms_maps_parser_free(ps);
	if (rc == -EFBIG)
		return rc;
	if (rc == -EBADMSG) {
		snprintf(msg, sizeof(msg), "%s", ms_ctx_errmsg(pm->ctx));
		rc = ms_err(pm->ctx, -EBADMSG, "%s: memsift bug: pmap output rewritten as bad smaps: %s",
			    pm->file, msg);
	}
	return rc;
}

int ms_pmap_parse_buf(struct ms_ctx *ctx, const char *buf, size_t len,
		      const char *name, pid_t *pid, struct ms_maps **out)
{
	struct pmap pm = { .ctx = ctx, .file = name ? name : "-", .base = buf };
	struct reader r = { buf, buf + len, 0 };
	const char *s = NULL, *e = NULL;
	struct ms_maps *maps = NULL;
	char *text = NULL;
	size_t tlen = 0;
	pid_t p = 0;
	int rc;

	pm.format = ms_pmap_detect(buf, len);
	if (pm.format == MS_PMAP_NONE) {
		if (buf && next_content(&r, &s, &e) && pid_line(s, e, NULL)) {
			if (!next_content(&r, &s, &e))
				return fatal(&pm, r.lineno, "only pmap's \"PID:   command\" line, no mappings (a kernel thread, or cut short?)");
			return ms_err(ctx, -EPROTONOSUPPORT,
				      "%s:%lu: byte %llu: not the headings or a row of pmap, pmap -x, -X or -XX",
				      pm.file, r.lineno, at(&pm, s));
		}
		return ms_err(ctx, -EPROTONOSUPPORT,
			      "%s: not pmap output (memsift reads pmap, pmap -x, -X and -XX)", pm.file);
	}

	next_content(&r, &s, &e);
	if (pid_line(s, e, &p))
		next_content(&r, &s, &e);
	rc = setup_cols(&pm, s, e);
	if (rc < 0)
		goto out;
	/* Plain pmap has no headings: its first row is that line. */
	if (pm.format == MS_PMAP_PLAIN) {
		r.p = s;
		r.lineno--;
	}
	pm.out = open_memstream(&text, &tlen);
	if (!pm.out) {
		rc = -ENOMEM;
		goto out;
	}
	rc = parse_body(&pm, &r);
	if (fclose(pm.out) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc < 0)
		goto out;
	rc = read_smaps(&pm, text, tlen, &maps);
	if (rc < 0)
		goto out;
	if (pid)
		*pid = p;
	*out = maps;
out:
	if (rc == -ENOMEM)
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", pm.file);
	free(text);
	free(pm.cols);
	free(pm.row.val);
	return rc;
}

int ms_pmap_parse(struct ms_ctx *ctx, FILE *fp, const char *name, pid_t *pid,
		  struct ms_maps **out)
{
	return ms_pmap_parse_rest(ctx, "", 0, fp, name, pid, out);
}

int ms_pmap_parse_rest(struct ms_ctx *ctx, const char *first, size_t flen, FILE *fp,
		       const char *name, pid_t *pid, struct ms_maps **out)
{
	const char *file = name ? name : "-";
	size_t cap = 64 * 1024, len = flen, n;
	char *buf, *nb;
	int rc;

	while (cap < flen + 1)
		cap *= 2;
	buf = malloc(cap);
	if (!buf)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", file);
	memcpy(buf, first, flen);
	/* Read whole, as the columns are judged on the headings, but bounded. */
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len < cap)
			continue;
		if (len > MS_PMAP_INPUT_MAX) {
			free(buf);
			return ms_err(ctx, -EFBIG,
				      "%s: larger than %llu MiB, more than memsift reads of pmap output; is this pmap output?",
				      file, (unsigned long long)(MS_PMAP_INPUT_MAX >> 20));
		}
		/* One byte past the limit tells a file of exactly the limit from a larger one. */
		cap = cap * 2 > MS_PMAP_INPUT_MAX ? MS_PMAP_INPUT_MAX + 1 : cap * 2;
		nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			return ms_err(ctx, -ENOMEM, "%s: out of memory", file);
		}
		buf = nb;
	}
	if (ferror(fp)) {
		free(buf);
		return ms_err_errno(ctx, -EIO, "%s: read failed", file);
	}
	rc = ms_pmap_parse_buf(ctx, buf, len, name, pid, out);
	free(buf);
	return rc;
}
