/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte patterns looked for in a stream fed piece by piece: bytehist's -e
 * and -E counts, and regiondump's --redact, which replaces what matched.
 *
 *	ms_patscan_new(ctx, 16, &s);
 *	ms_patscan_add_hex(ctx, s, "deadbeef");
 *	ms_patscan_add_regex(ctx, s, "password=(?<secret>\\S+)");
 *	while (...)
 *		ms_patscan_feed(ctx, s, buf, n, 0);
 *	ms_patscan_feed(ctx, s, NULL, 0, 1);
 *	... ms_patscan_get(s, 0)->count ...
 *	ms_patscan_free(s);
 *
 * Every start position is looked at exactly once however the input was
 * cut: each piece is scanned in a window that begins with the last bytes
 * of the one before (the carry: as long as the longest fixed pattern, or
 * the regex window with a regex), and a match belongs to the window where
 * it starts before that carry.  A regex match longer than the window may
 * be cut short or missed where the input was cut.
 */
#ifndef MEMSIFT_PATTERN_H
#define MEMSIFT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>

#define MS_PATTERN_HEX_MAX 256		/* longest fixed pattern, in bytes */
#define MS_PATTERN_REGEX_WINDOW 4096	/* default longest regex match across pieces */

struct ms_patscan;

/* One pattern's matches. */
struct ms_pattern {
	const char *text;	/* as given to ms_patscan_add_hex() or _add_regex() */
	bool regex;
	uint64_t count;
	uint64_t first;		/* offset of the first match; valid when COUNT > 0 */
};

/* Flags for ms_patscan_new(). */
enum {
	/* The patterns are secrets: messages never quote them. */
	MS_PATSCAN_SECRET = 1,
};

/*
 * Create a scanner that takes up to MAX patterns, with FLAGS (a mask of
 * MS_PATSCAN_*).  On success *OUT owns it; release it with
 * ms_patscan_free().
 * Returns: 0 or -ENOMEM.
 */
int ms_patscan_new(struct ms_ctx *ctx, size_t max, unsigned int flags,
		   struct ms_patscan **out);

/* Release S; NULL is accepted. */
void ms_patscan_free(struct ms_patscan *s);

/*
 * Add a byte string given in HEX ("deadbeef", "de ad be ef", "0xdeadbeef";
 * 1 to MS_PATTERN_HEX_MAX bytes); overlapping matches are all counted.
 * Returns: 0, -EINVAL (not hex, odd digits, too long, too many patterns),
 * -EBUSY once feeding started, or -ENOMEM.
 */
int ms_patscan_add_hex(struct ms_ctx *ctx, struct ms_patscan *s, const char *hex);

/*
 * Add a PCRE2 regular expression over bytes (no UTF mode: "." is any
 * byte); matches are counted without overlaps.  When redacting, a pattern
 * with a group named "secret" has only what that group matched replaced.
 * Returns: 0, -EINVAL (does not compile: the message is "bad regex "RE" at
 * offset N: why"), -EBUSY once feeding started, or -ENOMEM.
 */
int ms_patscan_add_regex(struct ms_ctx *ctx, struct ms_patscan *s, const char *re);

/*
 * Add the regexes of a built-in set of secrets, NAME one of:
 *   private-key  the body of PEM private keys (the BEGIN and END lines stay)
 *   password     the value after password=, passwd:, secret=, api_key=,
 *                token= and the like (any case, quoted or not)
 *   bearer       the credentials after "Authorization: Basic|Digest|Token"
 *                or "Bearer" (8 characters or more)
 *   all          all three
 * Each keeps the name of what it hides and replaces only the value.
 * Returns: 0, -EINVAL (unknown NAME: the message lists the names, or too
 * many patterns), -EBUSY, or -ENOMEM.
 */
int ms_patscan_add_set(struct ms_ctx *ctx, struct ms_patscan *s, const char *name);

/*
 * Where redacted bytes go, in order, each exactly once: LEN bytes of the
 * input, matches replaced.  A negative return stops the feed and is
 * returned by it.
 */
typedef int (*ms_patscan_emit_cb)(const uint8_t *buf, size_t len, void *data);

/*
 * Turn S into a redactor: every byte any pattern matches is replaced by
 * FILL and the input is handed on to EMIT, the same length, once no later
 * match can reach it (so up to WINDOW bytes later; WINDOW, the longest
 * regex match found across pieces, 0 for MS_PATTERN_REGEX_WINDOW).
 * Call before the first feed, or between two inputs (after a LAST) to
 * redact another output with the same patterns: the counts start again.
 * Returns: 0, -EBUSY in the middle of an input.
 */
int ms_patscan_set_redact(struct ms_ctx *ctx, struct ms_patscan *s, uint8_t fill,
			  size_t window, ms_patscan_emit_cb emit, void *data);

/*
 * Scan the next LEN bytes of the input; LAST: the input ends here (LEN may
 * be 0), and a redactor hands on all it holds.  After LAST a redactor
 * may be fed a new input, from offset 0: no match joins two inputs, and
 * counts go on.
 * Returns: 0, -ENOMEM, or what the emit callback returned.
 */
int ms_patscan_feed(struct ms_ctx *ctx, struct ms_patscan *s, const void *buf, size_t len,
		    bool last);

/* What a redactor puts in place of a secret's bytes, in every memsift output. */
#define MS_REDACT_FILL '*'

/*
 * Redact LEN bytes at BUF in place with S's patterns (one input of its own:
 * a command line, a name), FILL replacing what they match.  S is left a
 * redactor whose output is BUF; set it again before another input.
 * Returns: 0, -EBUSY (S is in the middle of an input), or -ENOMEM.
 */
int ms_patscan_redact_buf(struct ms_ctx *ctx, struct ms_patscan *s, uint8_t fill, void *buf,
			  size_t len);

/* The patterns, in the order added, and their counts so far. */
size_t ms_patscan_count(const struct ms_patscan *s);
const struct ms_pattern *ms_patscan_get(const struct ms_patscan *s, size_t i);

/* A redactor's totals: bytes replaced (each counted once) and matches. */
uint64_t ms_patscan_redacted(const struct ms_patscan *s);
uint64_t ms_patscan_matches(const struct ms_patscan *s);

#endif
