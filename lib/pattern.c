// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte patterns over a stream: count them (bytehist -e/-E), or replace
 * them (regiondump --redact).
 *
 * Each feed is scanned in a window that starts with the last bytes of the
 * one before (as many as the longest pattern, less one, or the regex
 * window with a regex).  A match is counted in the window where it starts
 * before that carried tail, so every start position is looked at exactly
 * once however the input was cut.  A redactor marks matched bytes in a
 * mask beside the window and hands on only the part before the carry,
 * where no later match can start; the carry goes on with its marks.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/pattern.h>

#include "internal.h"

struct pat {
	struct ms_pattern pub;
	uint8_t *bytes;		/* fixed pattern */
	size_t len;
	pcre2_code *code;	/* regex */
	pcre2_match_data *md;
	int secret;		/* the group named "secret", or 0 for the whole match */
	uint64_t next;		/* regex: matches start here or later */
};

struct ms_patscan {
	struct pat *pats;
	size_t n, max;
	size_t carry_max;	/* bytes carried into the next window */
	uint8_t *win;
	uint8_t *mask;		/* redacting: 1 where win[] is to be replaced */
	size_t wlen, wcap;
	uint64_t woff;		/* offset of win[0] in the input */
	bool fed;
	ms_patscan_emit_cb emit;
	void *emit_data;
	size_t window;
	uint8_t fill;
	uint64_t redacted, matches;
	unsigned int flags;
};

int ms_patscan_new(struct ms_ctx *ctx, size_t max, unsigned int flags,
		   struct ms_patscan **out)
{
	struct ms_patscan *s = calloc(1, sizeof(*s));

	if (!s || !(s->pats = calloc(max ? max : 1, sizeof(*s->pats)))) {
		free(s);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	s->max = max;
	s->flags = flags;
	s->window = MS_PATTERN_REGEX_WINDOW;
	*out = s;
	return 0;
}

void ms_patscan_free(struct ms_patscan *s)
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
	free(s->pats);
	free(s->win);
	free(s->mask);
	free(s);
}

/* The next free pattern slot, its text set; counted in only once complete. */
static int new_pat(struct ms_ctx *ctx, struct ms_patscan *s, const char *text, struct pat **out)
{
	struct pat *p;

	if (s->fed)
		return ms_err(ctx, -EBUSY, "patterns must be added before the data");
	if (s->n == s->max)
		return ms_err(ctx, -EINVAL, "more than %zu patterns", s->max);
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

int ms_patscan_add_hex(struct ms_ctx *ctx, struct ms_patscan *s, const char *hex)
{
	uint8_t buf[MS_PATTERN_HEX_MAX];
	const char *h = hex;
	size_t n = 0;
	struct pat *p;
	int hi, lo, rc;

	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		h += 2;
	while (*h) {
		if (*h == ' ' || *h == ':') {
			h++;
			continue;
		}
		hi = hexval(h[0]);
		lo = hi < 0 ? -1 : hexval(h[1]);
		if (hi < 0 || lo < 0)
			return ms_err(ctx, -EINVAL, "bad hex pattern \"%s\": use pairs of hex digits, as in deadbeef or \"de ad be ef\"", hex);
		if (n == sizeof(buf))
			return ms_err(ctx, -EINVAL, "hex pattern \"%.20s...\" is longer than %d bytes", hex, MS_PATTERN_HEX_MAX);
		buf[n++] = (uint8_t)(hi << 4 | lo);
		h += 2;
	}
	if (!n)
		return ms_err(ctx, -EINVAL, "empty hex pattern \"%s\"", hex);
	rc = new_pat(ctx, s, hex, &p);
	if (rc < 0)
		return rc;
	p->bytes = malloc(n);
	if (!p->bytes) {
		free((char *)p->pub.text);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	memcpy(p->bytes, buf, n);
	p->len = n;
	if (s->carry_max < n - 1)
		s->carry_max = n - 1;
	s->n++;
	return 0;
}

int ms_patscan_add_regex(struct ms_ctx *ctx, struct ms_patscan *s, const char *re)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE erroff;
	struct pat *p;
	int ec, rc;

	rc = new_pat(ctx, s, re, &p);
	if (rc < 0)
		return rc;
	p->pub.regex = true;
	p->code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &erroff, NULL);
	if (!p->code) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		free((char *)p->pub.text);
		if (s->flags & MS_PATSCAN_SECRET)
			return ms_err(ctx, -EINVAL, "bad regex at offset %zu: %s", (size_t)erroff,
				      (char *)msg);
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
	rc = pcre2_substring_number_from_name(p->code, (PCRE2_SPTR) "secret");
	p->secret = rc > 0 ? rc : 0;
	if (s->carry_max < s->window)
		s->carry_max = s->window;
	s->n++;
	return 0;
}

/*
 * The built-in sets.  Each names what it hides outside the group "secret",
 * so the dump still shows that a key or a password was there.  A PEM body
 * is base64 and newlines; an encrypted key's Proc-Type and DEK-Info
 * headers come first (RFC 1421).
 */
static const struct {
	const char *name;
	const char *re;
} sets[] = {
	{ "private-key", "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?<secret>\\r?\\n"
			 "(?:[A-Za-z-]+: [^\\r\\n]*\\r?\\n)*[A-Za-z0-9+/=\\s]+)" },
	{ "password", "(?i)(?:pass(?:word|wd|phrase)?|pwd|secret|api[_-]?key|"
		      "(?:access|auth|refresh)?[_-]?token|client[_-]?secret)[\"']?[ \\t]*[:=]"
		      "[ \\t]*[\"']?(?<secret>[^\\s\"'&;,]+)" },
	{ "bearer", "(?i)(?:authorization:[ \\t]*(?:basic|digest|token)|\\bbearer)[ \\t]+"
		    "(?<secret>[A-Za-z0-9\\-._~+/]{8,}=*)" },
};

int ms_patscan_add_set(struct ms_ctx *ctx, struct ms_patscan *s, const char *name)
{
	bool all = !strcmp(name, "all"), any = false;
	size_t i;
	int rc;

	for (i = 0; i < MS_ARRAY_SIZE(sets); i++) {
		if (!all && strcmp(name, sets[i].name))
			continue;
		any = true;
		rc = ms_patscan_add_regex(ctx, s, sets[i].re);
		if (rc < 0)
			return rc;
	}
	if (!any)
		return ms_err(ctx, -EINVAL, "unknown set \"%s\"; use private-key, password, bearer or all", name);
	return 0;
}

int ms_patscan_set_redact(struct ms_ctx *ctx, struct ms_patscan *s, uint8_t fill,
			  size_t window, ms_patscan_emit_cb emit, void *data)
{
	size_t i;

	/* Between two inputs (a LAST fed, nothing held) it may be set again: a new dump. */
	if (s->fed && s->wlen)
		return ms_err(ctx, -EBUSY, "redaction must be set before the data");
	if (s->fed) {
		s->redacted = s->matches = 0;
		for (i = 0; i < s->n; i++)
			s->pats[i].pub.count = 0;
	}
	s->fill = fill;
	s->emit = emit;
	s->emit_data = data;
	s->window = window ? window : MS_PATTERN_REGEX_WINDOW;
	s->carry_max = 0;
	for (i = 0; i < s->n; i++) {
		size_t c = s->pats[i].code ? s->window : s->pats[i].len - 1;

		if (s->carry_max < c)
			s->carry_max = c;
	}
	return 0;
}

/* A match of P at win[START, END): count it, and mark it when redacting. */
static void found(struct ms_patscan *s, struct pat *p, size_t start, size_t end)
{
	if (!p->pub.count)
		p->pub.first = s->woff + start;
	p->pub.count++;
	if (s->mask && end > start) {
		memset(s->mask + start, 1, end - start);
		s->matches++;
	}
}

/* Count matches of P starting in win[0, LIMIT). */
static void scan_fixed(struct ms_patscan *s, struct pat *p, size_t limit)
{
	const uint8_t *w = s->win, *end = s->win + s->wlen, *q;

	while (w < s->win + limit && (size_t)(end - w) >= p->len) {
		q = memmem(w, (size_t)(end - w), p->bytes, p->len);
		if (!q || q >= s->win + limit)
			break;
		found(s, p, (size_t)(q - s->win), (size_t)(q - s->win) + p->len);
		w = q + 1;
	}
}

static void scan_regex(struct ms_patscan *s, struct pat *p, size_t limit)
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
		/* An unset group is PCRE2_UNSET in both: nothing to replace. */
		if (p->secret && rc > p->secret && ov[2 * p->secret] != PCRE2_UNSET)
			found(s, p, ov[2 * p->secret], ov[2 * p->secret + 1]);
		else if (p->secret)
			found(s, p, ov[0], ov[0]);
		else
			found(s, p, ov[0], ov[1]);
		from = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	if (from > limit)
		p->next = s->woff + from;
	else
		p->next = s->woff + limit;
}

/* Replace the marked bytes of win[0, LEN) and hand them on. */
static int emit(struct ms_patscan *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (s->mask[i]) {
			s->win[i] = s->fill;
			s->redacted++;
		}
	return s->emit(s->win, len, s->emit_data);
}

static int grow(struct ms_ctx *ctx, struct ms_patscan *s, size_t need)
{
	uint8_t *nw, *nm;

	if (need <= s->wcap)
		return 0;
	nw = realloc(s->win, need);
	if (!nw)
		return ms_err(ctx, -ENOMEM, "out of memory");
	s->win = nw;
	if (s->emit) {
		nm = realloc(s->mask, need);
		if (!nm)
			return ms_err(ctx, -ENOMEM, "out of memory");
		s->mask = nm;
	}
	s->wcap = need;
	return 0;
}

int ms_patscan_feed(struct ms_ctx *ctx, struct ms_patscan *s, const void *buf, size_t len,
		    bool last)
{
	size_t limit, i, keep;
	int rc;

	s->fed = true;
	rc = grow(ctx, s, s->wlen + len);
	if (rc < 0)
		return rc;
	if (len) {
		memcpy(s->win + s->wlen, buf, len);
		if (s->mask)
			memset(s->mask + s->wlen, 0, len);
	}
	s->wlen += len;
	/* Nothing fed yet (an empty input): no window, which may still be NULL. */
	if (!s->wlen)
		goto out;
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
	if (s->emit && (rc = emit(s, limit)) < 0)
		return rc;
	keep = s->wlen - limit;
	memmove(s->win, s->win + limit, keep);
	if (s->mask)
		memmove(s->mask, s->mask + limit, keep);
	s->woff += limit;
	s->wlen = keep;
out:
	/* A redactor's inputs are the ranges of a dump: no match joins two. */
	if (last && s->emit) {
		s->woff = 0;
		for (i = 0; i < s->n; i++)
			s->pats[i].next = 0;
	}
	return 0;
}

struct redact_buf {
	uint8_t *p;
	size_t off;
};

static int copy_back(const uint8_t *buf, size_t len, void *data)
{
	struct redact_buf *b = data;

	memcpy(b->p + b->off, buf, len);
	b->off += len;
	return 0;
}

int ms_patscan_redact_buf(struct ms_ctx *ctx, struct ms_patscan *s, uint8_t fill, void *buf,
			  size_t len)
{
	struct redact_buf b = { buf, 0 };
	int rc = ms_patscan_set_redact(ctx, s, fill, 0, copy_back, &b);

	return rc < 0 ? rc : ms_patscan_feed(ctx, s, buf, len, true);
}

size_t ms_patscan_count(const struct ms_patscan *s)
{
	return s->n;
}

const struct ms_pattern *ms_patscan_get(const struct ms_patscan *s, size_t i)
{
	return i < s->n ? &s->pats[i].pub : NULL;
}

uint64_t ms_patscan_redacted(const struct ms_patscan *s)
{
	return s->redacted;
}

uint64_t ms_patscan_matches(const struct ms_patscan *s)
{
	return s->matches;
}
