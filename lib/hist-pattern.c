/*
 * -e HEX and -E REGEX: count matches over the input as it is fed.
 *
 * Each feed is scanned in a window that starts with the last bytes of the
 * one before (as many as the longest pattern, less one, or
 * MS_HIST_REGEX_WINDOW with a regex).  A match is counted in the window
 * where it starts before that carried tail, so every start position is
 * looked at exactly once however the input was cut.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "hist-private.h"
#include "internal.h"

struct pat {
	struct ms_hist_pattern pub;
	uint8_t *bytes;		/* fixed pattern */
	size_t len;
	pcre2_code *code;	/* regex */
	pcre2_match_data *md;
	uint64_t next;		/* regex: matches start here or later */
};

struct ms_hist_scan {
	struct pat pats[MS_HIST_MAX_PATTERNS];
	size_t n;
	size_t carry_max;	/* bytes carried into the next window */
	uint8_t *win;
	size_t wlen, wcap;
	uint64_t woff;		/* offset of win[0] in the input */
};

void ms_hist_scan_free(struct ms_hist_scan *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free((char *)s->pats[i].pub.text);
		free(s->pats[i].bytes);
		pcre2_match_data_free(s->pats[i].md);
		pcre2_code_free(s->pats[i].code);
	}
	free(s->win);
	free(s);
}

/* The next free pattern slot, its text set; counted in only once complete. */
static int new_pat(struct ms_ctx *ctx, struct ms_hist_scan **sp, const char *text,
		   struct pat **out)
{
	struct ms_hist_scan *s = *sp;
	struct pat *p;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ms_err(ctx, -ENOMEM, "out of memory");
		*sp = s;
	}
	if (s->n == MS_HIST_MAX_PATTERNS)
		return ms_err(ctx, -EINVAL, "more than %d patterns", MS_HIST_MAX_PATTERNS);
	p = &s->pats[s->n];
	memset(p, 0, sizeof(*p));
	p->pub.text = strdup(text);
	if (!p->pub.text)
		return ms_err(ctx, -ENOMEM, "out of memory");
	*out = p;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int ms_hist_scan_add_hex(struct ms_ctx *ctx, struct ms_hist_scan **sp, const char *hex)
{
	uint8_t buf[MS_HIST_PATTERN_MAX];
	const char *s = hex;
	size_t n = 0;
	struct pat *p;
	int hi, lo, rc;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		if (*s == ' ' || *s == ':') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (hi < 0 || lo < 0)
			return ms_err(ctx, -EINVAL, "bad hex pattern \"%s\": use pairs of hex digits, as in deadbeef or \"de ad be ef\"", hex);
		if (n == sizeof(buf))
			return ms_err(ctx, -EINVAL, "hex pattern \"%.20s...\" is longer than %d bytes", hex, MS_HIST_PATTERN_MAX);
		buf[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	if (!n)
		return ms_err(ctx, -EINVAL, "empty hex pattern \"%s\"", hex);
	rc = new_pat(ctx, sp, hex, &p);
	if (rc < 0)
		return rc;
	p->bytes = malloc(n);
	if (!p->bytes) {
		free((char *)p->pub.text);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	memcpy(p->bytes, buf, n);
	p->len = n;
	if ((*sp)->carry_max < n - 1)
		(*sp)->carry_max = n - 1;
	(*sp)->n++;
	return 0;
}

int ms_hist_scan_add_regex(struct ms_ctx *ctx, struct ms_hist_scan **sp, const char *re)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE erroff;
	struct pat *p;
	int ec, rc;

	rc = new_pat(ctx, sp, re, &p);
	if (rc < 0)
		return rc;
	p->pub.regex = true;
	p->code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &erroff, NULL);
	if (!p->code) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		free((char *)p->pub.text);
		return ms_err(ctx, -EINVAL, "bad regex \"%s\" at offset %zu: %s", re,
			      (size_t)erroff, (char *)msg);
	}
	/* JIT is an optimisation; without it matching still works. */
	pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
	p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
	if (!p->md) {
		pcre2_code_free(p->code);
		free((char *)p->pub.text);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	(*sp)->carry_max = MS_HIST_REGEX_WINDOW;
	(*sp)->n++;
	return 0;
}

static void found(struct pat *p, uint64_t off)
{
	if (!p->pub.count)
		p->pub.first = off;
	p->pub.count++;
}

/* Count matches of P starting in win[0, LIMIT). */
static void scan_fixed(struct ms_hist_scan *s, struct pat *p, size_t limit)
{
	const uint8_t *w = s->win, *end = s->win + s->wlen, *q;

	while (w < s->win + limit && (size_t)(end - w) >= p->len) {
		q = memmem(w, (size_t)(end - w), p->bytes, p->len);
		if (!q || q >= s->win + limit)
			break;
		found(p, s->woff + (uint64_t)(q - s->win));
		w = q + 1;
	}
}

static void scan_regex(struct ms_hist_scan *s, struct pat *p, size_t limit)
{
	size_t from = p->next > s->woff ? (size_t)(p->next - s->woff) : 0;
	PCRE2_SIZE *ov;
	int rc;

	while (from < limit) {
		rc = pcre2_match(p->code, s->win, s->wlen, from, 0, p->md, NULL);
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(p->md);
		if (ov[0] >= limit)
			break;
		found(p, s->woff + ov[0]);
		from = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	if (from > limit)
		p->next = s->woff + from;
	else
		p->next = s->woff + limit;
}

int ms_hist_scan_feed(struct ms_ctx *ctx, struct ms_hist_scan *s, const uint8_t *buf,
		      size_t len, int last)
{
	size_t limit, i, keep;

	if (s->wlen + len > s->wcap) {
		size_t nc = s->wlen + len;
		uint8_t *nw = realloc(s->win, nc);

		if (!nw)
			return ms_err(ctx, -ENOMEM, "out of memory");
		s->win = nw;
		s->wcap = nc;
	}
	if (len)
		memcpy(s->win + s->wlen, buf, len);
	s->wlen += len;
	/* Nothing fed yet (an empty input): no window, which may still be NULL. */
	if (!s->wlen)
		return 0;
	if (last)
		limit = s->wlen;
	else
		limit = s->wlen > s->carry_max ? s->wlen - s->carry_max : 0;
	for (i = 0; i < s->n; i++) {
		if (s->pats[i].code)
			scan_regex(s, &s->pats[i], limit);
		else
			scan_fixed(s, &s->pats[i], limit);
	}
	keep = s->wlen - limit;
	memmove(s->win, s->win + limit, keep);
	s->woff += limit;
	s->wlen = keep;
	return 0;
}

size_t ms_hist_scan_count(const struct ms_hist_scan *s)
{
	return s->n;
}

const struct ms_hist_pattern *ms_hist_scan_get(const struct ms_hist_scan *s, size_t i)
{
	return i < s->n ? &s->pats[i].pub : NULL;
}
