// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What users type: pids, addresses, sizes, ranges, durations and counts.
 *
 * Each kind has a scanner over [s, end) that knows nothing of the context,
 * so a list item or one half of a range is read by the same code as a whole
 * argument.  A scanner that fails says why in a struct why ("unknown suffix
 * \"Q\"; use ..."); the public function puts the argument in front of it.
 *
 * Character classes are spelled out rather than taken from <ctype.h>: a tool
 * that calls setlocale() must not change what a pid or an address is.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <memsift/parse.h>

#include "internal.h"

/* Input characters a message shows; a longer argument is cut with "...". */
#define QUOTE_MAX 64

struct quoted {
	char s[QUOTE_MAX * 4 + 4];	/* every character may become \xNN */
};

struct why {
	char s[640];			/* room for two quoted strings */
};

struct unit {
	const char *name;
	uint64_t mult;
};

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)

/* Matched without regard to case. */
static const struct unit size_units[] = {
	{ "", 1 }, { "b", 1 },
	{ "k", KIB }, { "kb", KIB }, { "kib", KIB },
	{ "m", MIB }, { "mb", MIB }, { "mib", MIB },
	{ "g", GIB }, { "gb", GIB }, { "gib", GIB },
	{ "t", TIB }, { "tb", TIB }, { "tib", TIB },
};

#define USEC_PER_SEC UINT64_C(1000000)

/* Matched exactly, largest first: a duration lists its parts in this order. */
static const struct unit duration_units[] = {
	{ "d", 86400 * USEC_PER_SEC },
	{ "h", 3600 * USEC_PER_SEC },
	{ "m", 60 * USEC_PER_SEC },
	{ "s", USEC_PER_SEC },
	{ "ms", 1000 },
	{ "us", 1 },
};

#define FIX_PID "use a decimal pid from 1 to 4194304"
#define FIX_ADDR "addresses are hex, as in 7f3a1c000000 or 0x7f3a1c000000"
#define FIX_SIZE "use bytes or a K, M, G or T suffix, as in 4096, 0x1000 or 128M"
#define FIX_SUFFIX "use K, M, G or T (binary: 1K = 1024)"
#define FIX_RANGE "use START-END or START+LENGTH, as in 7f3a1c000000-7f3a1c021000 or 0xc000000000+128M"
#define FIX_DURATION "use a number and a unit (d, h, m, s, ms, us), as in 500ms or 1m30s"

/* MS_PID_MAX goes into messages as text. */
_Static_assert(MS_PID_MAX == 4194304, "update FIX_PID");

/*
 * LEN bytes at S as a one-line message may show them: quotes, backslashes
 * and control characters escaped (pgrep output holds newlines), cut short
 * after QUOTE_MAX characters.
 */
static const char *quote(struct quoted *q, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			q->s[o++] = '\\';
			q->s[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(q->s + o, 5, "\\x%02x", c);
			o += 4;
		} else {
			q->s[o++] = (char)c;
		}
	}
	strcpy(q->s + o, i < len ? "..." : "");
	return q->s;
}

static int why_set(struct why *w, int err, const char *fmt, ...) MS_ATTR_PRINTF(3, 4);

/* Say why in W and return ERR, like ms_err(). */
static int why_set(struct why *w, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->s, sizeof(w->s), fmt, ap);
	va_end(ap);
	return err;
}

/*
 * Report a scanner's failure for the argument WHAT was read from:
 * "bad WHAT "ARG": WHY" for nonsense, "WHAT "ARG" WHY" for a value that
 * does not fit ("address "..." overflows 64 bits").
 */
static int fail(struct ms_ctx *ctx, int err, const char *what, const char *arg,
		size_t len, const struct why *w)
{
	struct quoted q;

	if (err == -EINVAL)
		return ms_err(ctx, err, "bad %s \"%s\": %s", what, quote(&q, arg, len), w->s);
	return ms_err(ctx, err, "%s \"%s\" %s", what, quote(&q, arg, len), w->s);
}

static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Value of hex digit C, or -1. */
static int xdigit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read the digits of BASE (10 or 16) at *SP, up to END, and move *SP past
 * them all.  Returns how many there were.  *OVERFLOW says the value did not
 * fit; *OUT is then meaningless.
 */
static size_t scan_digits(const char **sp, const char *end, unsigned int base,
			  uint64_t *out, bool *overflow)
{
	const char *s = *sp;
	uint64_t v = 0;
	size_t n;
	int d;

	*overflow = false;
	for (; s < end && (d = xdigit(*s)) >= 0 && (unsigned int)d < base; s++) {
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			*overflow = true;
	}
	*out = v;
	n = (size_t)(s - *sp);
	*sp = s;
	return n;
}

/* The checks every single value shares: not empty, no sign, no whitespace. */
static int check_plain(const char *s, const char *end, const char *fix, struct why *w)
{
	const char *p;

	if (s == end)
		return why_set(w, -EINVAL, "empty; %s", fix);
	if (*s == '-' || *s == '+')
		return why_set(w, -EINVAL, "no sign allowed; %s", fix);
	for (p = s; p < end; p++)
		if (is_space(*p))
			return why_set(w, -EINVAL, "contains whitespace; remove it");
	return 0;
}

/* Something after the number that should not be there. */
static int trailing(struct why *w, const char *p, const char *end, const char *fix)
{
	struct quoted q;

	return why_set(w, -EINVAL, "unexpected \"%s\" after the number; %s",
		       quote(&q, p, (size_t)(end - p)), fix);
}

/*
 * A fraction's digits FS..FE scaled by MULT and added to IVAL * MULT, rounded
 * down.  Exact without floating point: going from the last digit to the first,
 * floor((d * MULT + floor(y)) / 10) == floor((d * MULT + y) / 10), and the
 * running value stays below MULT, so 10 * MULT fitting in 64 bits is enough.
 * Returns false on overflow.
 */
static bool scale(uint64_t ival, const char *fs, const char *fe, uint64_t mult,
		  uint64_t *out)
{
	uint64_t v, frac = 0;
	const char *p;

	for (p = fe; p > fs; p--)
		frac = ((uint64_t)(p[-1] - '0') * mult + frac) / 10;
	if (__builtin_mul_overflow(ival, mult, &v) || __builtin_add_overflow(v, frac, &v))
		return false;
	*out = v;
	return true;
}

/* Move *SP past a run of decimal digits; returns how many. */
static size_t skip_digits(const char **sp, const char *end)
{
	const char *s = *sp;
	size_t n;

	while (s < end && is_digit(*s))
		s++;
	n = (size_t)(s - *sp);
	*sp = s;
	return n;
}

static const struct unit *find_unit(const struct unit *units, size_t n,
				    const char *s, size_t len, bool icase)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(units[i].name) != len)
			continue;
		if (icase ? !strncasecmp(units[i].name, s, len)
			  : !strncmp(units[i].name, s, len))
			return &units[i];
	}
	return NULL;
}

static int scan_pid(const char *s, const char *end, pid_t *out, struct why *w)
{
	const char *p = s;
	uint64_t v;
	bool ovf;
	int rc;

	rc = check_plain(s, end, FIX_PID, w);
	if (rc < 0)
		return rc;
	if (!scan_digits(&p, end, 10, &v, &ovf))
		return why_set(w, -EINVAL, "not a decimal number; %s", FIX_PID);
	if (p != end)
		return trailing(w, p, end, FIX_PID);
	if (ovf || v < 1 || v > MS_PID_MAX)
		return why_set(w, -ERANGE, "out of range; pids are 1 to %d", MS_PID_MAX);
	*out = (pid_t)v;
	return 0;
}

static int scan_addr(const char *s, const char *end, uint64_t *out, struct why *w)
{
	const char *p = s;
	bool prefix, ovf;
	uint64_t v;
	int rc;

	rc = check_plain(s, end, FIX_ADDR, w);
	if (rc < 0)
		return rc;
	prefix = end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (prefix)
		p += 2;
	if (!scan_digits(&p, end, 16, &v, &ovf)) {
		if (prefix)
			return why_set(w, -EINVAL, "no digits after \"0x\"; %s", FIX_ADDR);
		return why_set(w, -EINVAL, "not a hex number; %s", FIX_ADDR);
	}
	if (p != end)
		return trailing(w, p, end, FIX_ADDR);
	if (ovf)
		return why_set(w, -ERANGE, "overflows 64 bits");
	*out = v;
	return 0;
}

static int scan_size(const char *s, const char *end, uint64_t *out, struct why *w)
{
	const char *p = s, *fs, *fe;
	const struct unit *u;
	struct quoted q;
	bool hex, ovf;
	uint64_t v;
	int rc;

	rc = check_plain(s, end, FIX_SIZE, w);
	if (rc < 0)
		return rc;
	hex = end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex)
		p += 2;
	if (!scan_digits(&p, end, hex ? 16 : 10, &v, &ovf)) {
		if (hex)
			return why_set(w, -EINVAL, "no digits after \"0x\"; %s", FIX_SIZE);
		return why_set(w, -EINVAL, "not a number; %s", FIX_SIZE);
	}
	fs = fe = p;
	if (!hex && p < end && *p == '.') {
		fs = ++p;
		if (!skip_digits(&p, end))
			return why_set(w, -EINVAL, "no digits after \".\"; %s", FIX_SIZE);
		fe = p;
	}
	u = find_unit(size_units, MS_ARRAY_SIZE(size_units), p, (size_t)(end - p), true);
	if (!u)
		return why_set(w, -EINVAL, "unknown suffix \"%s\"; %s",
			       quote(&q, p, (size_t)(end - p)), FIX_SUFFIX);
	if (ovf || !scale(v, fs, fe, u->mult, &v))
		return why_set(w, -ERANGE, "overflows 64 bits");
	*out = v;
	return 0;
}

static int scan_duration(const char *s, const char *end, uint64_t *out, struct why *w)
{
	const struct unit *u, *prev = NULL;
	const char *p = s, *fs, *fe, *name;
	uint64_t total = 0, v;
	bool ovf, too_big = false;
	struct quoted q;
	int rc;

	rc = check_plain(s, end, FIX_DURATION, w);
	if (rc < 0)
		return rc;
	while (p < end) {
		if (!scan_digits(&p, end, 10, &v, &ovf))
			return why_set(w, -EINVAL, "expected a number at \"%s\"; %s",
				       quote(&q, p, (size_t)(end - p)), FIX_DURATION);
		fs = fe = p;
		if (p < end && *p == '.') {
			fs = ++p;
			if (!skip_digits(&p, end))
				return why_set(w, -EINVAL, "no digits after \".\"; %s",
					       FIX_DURATION);
			fe = p;
		}
		for (name = p; p < end && is_alpha(*p); p++)
			;
		if (name != p) {
			u = find_unit(duration_units, MS_ARRAY_SIZE(duration_units), name,
				      (size_t)(p - name), false);
			if (!u)
				return why_set(w, -EINVAL, "unknown unit \"%s\"; %s",
					       quote(&q, name, (size_t)(p - name)), FIX_DURATION);
		} else if (!prev && p == end) {
			/* A plain number is seconds, as sleep(1) reads it. */
			u = find_unit(duration_units, MS_ARRAY_SIZE(duration_units), "s", 1,
				      false);
		} else {
			return why_set(w, -EINVAL, "no unit after \"%s\"; %s",
				       quote(&q, s, (size_t)(p - s)), FIX_DURATION);
		}
		if (prev && u->mult >= prev->mult)
			return why_set(w, -EINVAL, "unit \"%s\" out of order or repeated; write the largest unit first, as in 1h30m",
				       u->name);
		prev = u;
		if (ovf || !scale(v, fs, fe, u->mult, &v) ||
		    __builtin_add_overflow(total, v, &total))
			too_big = true;
	}
	if (too_big)
		return why_set(w, -ERANGE, "overflows 64 bits of microseconds (about 584,000 years)");
	*out = total;
	return 0;
}

int ms_parse_pid(struct ms_ctx *ctx, const char *arg, pid_t *out)
{
	size_t len = strlen(arg);
	struct why w;
	int rc;

	rc = scan_pid(arg, arg + len, out, &w);
	return rc < 0 ? fail(ctx, rc, "pid", arg, len, &w) : 0;
}

/* The next item of a pid list at *SP: [*ITEM, *SP); false at the end. */
static bool next_item(const char **sp, const char **item)
{
	const char *s = *sp;

	while (*s == ',' || is_space(*s))
		s++;
	if (!*s)
		return false;
	*item = s;
	while (*s && *s != ',' && !is_space(*s))
		s++;
	*sp = s;
	return true;
}

int ms_parse_pids(struct ms_ctx *ctx, const char *arg, pid_t **pids, size_t *n)
{
	const char *p = arg, *item;
	struct quoted q;
	size_t count = 0, i;
	struct why w;
	pid_t *v;
	pid_t pid;
	int rc;

	/* Check every item before touching the array, so failure leaves it be. */
	while (next_item(&p, &item)) {
		rc = scan_pid(item, p, &pid, &w);
		if (rc < 0)
			return fail(ctx, rc, "pid", item, (size_t)(p - item), &w);
		count++;
	}
	if (!count)
		return ms_err(ctx, -EINVAL, "bad pid list \"%s\": no pids in it; give one or more pids separated by spaces or commas",
			      quote(&q, arg, strlen(arg)));

	if (count > SIZE_MAX / sizeof(pid_t) - *n)
		return ms_err(ctx, -ENOMEM, "pid list: out of memory");
	v = realloc(*pids, (*n + count) * sizeof(pid_t));
	if (!v)
		return ms_err(ctx, -ENOMEM, "pid list: out of memory");

	p = arg;
	for (i = *n; next_item(&p, &item); i++)
		scan_pid(item, p, &v[i], &w);
	*pids = v;
	*n = i;
	return 0;
}

int ms_parse_addr(struct ms_ctx *ctx, const char *arg, uint64_t *out)
{
	size_t len = strlen(arg);
	struct why w;
	int rc;

	rc = scan_addr(arg, arg + len, out, &w);
	return rc < 0 ? fail(ctx, rc, "address", arg, len, &w) : 0;
}

int ms_parse_size(struct ms_ctx *ctx, const char *arg, uint64_t *out)
{
	size_t len = strlen(arg);
	struct why w;
	int rc;

	rc = scan_size(arg, arg + len, out, &w);
	return rc < 0 ? fail(ctx, rc, "size", arg, len, &w) : 0;
}

int ms_parse_range(struct ms_ctx *ctx, const char *arg, uint64_t *start,
		   uint64_t *end)
{
	size_t len = strlen(arg);
	const char *argend = arg + len, *sep = arg + strcspn(arg, "-+");
	const char *part = "start", *ps = arg, *pe = sep;
	uint64_t s, e = 0, l;
	struct quoted q;
	struct why w, sub;
	int rc;

	rc = check_plain(arg, argend, FIX_RANGE, &w);
	if (rc < 0)
		return fail(ctx, rc, "range", arg, len, &w);
	if (sep == argend) {
		why_set(&w, -EINVAL, "no \"-\" or \"+\"; %s", FIX_RANGE);
		return fail(ctx, -EINVAL, "range", arg, len, &w);
	}
	if (sep + 1 == argend) {
		why_set(&w, -EINVAL, "nothing after \"%c\"; %s", *sep, FIX_RANGE);
		return fail(ctx, -EINVAL, "range", arg, len, &w);
	}

	rc = scan_addr(arg, sep, &s, &sub);
	if (rc == 0) {
		ps = sep + 1;
		pe = argend;
	}
	if (rc == 0 && *sep == '-') {
		part = "end";
		rc = scan_addr(ps, pe, &e, &sub);
	} else if (rc == 0) {
		part = "length";
		rc = scan_size(ps, pe, &l, &sub);
		if (rc == 0 && __builtin_add_overflow(s, l, &e))
			rc = why_set(&sub, -ERANGE, "overflows 64 bits");
	}
	if (rc == -ERANGE)
		return fail(ctx, rc, "range", arg, len, &sub);
	if (rc < 0) {
		why_set(&w, rc, "%s \"%s\": %s", part, quote(&q, ps, (size_t)(pe - ps)), sub.s);
		return fail(ctx, rc, "range", arg, len, &w);
	}

	if (e <= s) {
		if (*sep == '+')
			why_set(&w, -EINVAL, "length is 0; a range holds at least one byte");
		else
			why_set(&w, -EINVAL, "end %" PRIx64 " is not above start %" PRIx64 "; the end is exclusive, as in /proc/PID/maps",
				e, s);
		return fail(ctx, -EINVAL, "range", arg, len, &w);
	}
	*start = s;
	*end = e;
	return 0;
}

int ms_parse_duration(struct ms_ctx *ctx, const char *arg, uint64_t *usec)
{
	size_t len = strlen(arg);
	struct why w;
	int rc;

	rc = scan_duration(arg, arg + len, usec, &w);
	return rc < 0 ? fail(ctx, rc, "duration", arg, len, &w) : 0;
}

int ms_parse_count(struct ms_ctx *ctx, const char *arg, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	size_t len = strlen(arg);
	const char *p = arg, *end = arg + len;
	char fix[96];
	struct why w;
	uint64_t v = 0;
	bool ovf = false;
	int rc;

	snprintf(fix, sizeof(fix), "use a decimal number from %" PRIu64 " to %" PRIu64,
		 min, max);
	rc = check_plain(arg, end, fix, &w);
	if (rc == 0 && !scan_digits(&p, end, 10, &v, &ovf))
		rc = why_set(&w, -EINVAL, "not a decimal number; %s", fix);
	else if (rc == 0 && p != end)
		rc = trailing(&w, p, end, fix);
	else if (rc == 0 && (ovf || v < min || v > max))
		rc = why_set(&w, -ERANGE, "out of range; %s", fix);
	if (rc < 0)
		return fail(ctx, rc, "number", arg, len, &w);
	*out = v;
	return 0;
}
