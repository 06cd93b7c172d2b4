/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every library module shares: the context and error plumbing.
 * Nothing else belongs here; modules use each other through <memsift/...>.
 */
#ifndef MEMSIFT_INTERNAL_H
#define MEMSIFT_INTERNAL_H

#include <errno.h>
#include <stdarg.h>

#include <memsift/ctx.h>

#define MS_ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#ifndef MS_ARRAY_SIZE
#define MS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Record a failure: format the message into CTX and return ERR, which must
 * be a negative errno, so a caller writes "return ms_err(ctx, -EBADMSG, ...);".
 */
int ms_err(struct ms_ctx *ctx, int err, const char *fmt, ...) MS_ATTR_PRINTF(3, 4);

/* As ms_err(), appending ": strerror(-ERR)" to the message. */
int ms_err_errno(struct ms_ctx *ctx, int err, const char *fmt, ...) MS_ATTR_PRINTF(3, 4);

/*
 * Report a malformed line of FILE at LINE.  Calls the context's parser
 * callback if one is set and returns what it returns (0: skip the line);
 * otherwise records "FILE:LINE: MSG" and returns -EBADMSG.
 */
int ms_parser_error(struct ms_ctx *ctx, const char *file, unsigned long line,
		    const char *fmt, ...) MS_ATTR_PRINTF(4, 5);

#endif
