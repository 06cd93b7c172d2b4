/*
 * What hist.c and hist-pattern.c share: the pattern scanner, which sees the
 * input as fed, before it is cut into blocks.
 */
#ifndef MEMSIFT_HIST_PRIVATE_H
#define MEMSIFT_HIST_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <memsift/hist.h>

struct ms_hist_scan;

void ms_hist_scan_free(struct ms_hist_scan *s);

/* Add a fixed pattern or a regex to *S, creating it on first use. */
int ms_hist_scan_add_hex(struct ms_ctx *ctx, struct ms_hist_scan **s, const char *hex);
int ms_hist_scan_add_regex(struct ms_ctx *ctx, struct ms_hist_scan **s, const char *re);

/* Scan the next LEN bytes; LAST: the input ends here. */
int ms_hist_scan_feed(struct ms_ctx *ctx, struct ms_hist_scan *s, const uint8_t *buf,
		      size_t len, int last);

size_t ms_hist_scan_count(const struct ms_hist_scan *s);
const struct ms_hist_pattern *ms_hist_scan_get(const struct ms_hist_scan *s, size_t i);

#endif
