/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memsift library context: error messages and parser callbacks.
 *
 * Every fallible library call takes a struct ms_ctx and returns 0 or a
 * negative errno.  The human-readable detail of the last failure ("file:line:
 * what") is kept in the context and read back with ms_ctx_errmsg().
 *
 * Codes that keep one meaning across the library:
 *   -EBADMSG          malformed input
 *   -ESRCH            process gone
 *   -EPERM            ptrace or /proc access refused
 *   -EPROTONOSUPPORT  unknown snapshot or file format
 *   -EIO              unreadable page
 *   -EINVAL           a bad argument from the user (see ms_parse_*)
 *   -ERANGE           a number that overflows
 *   -ENOMEM           out of memory
 */
#ifndef MEMSIFT_CTX_H
#define MEMSIFT_CTX_H

#include <stddef.h>

struct ms_ctx;

/*
 * Create a context.  Returns NULL only when out of memory.
 * Release it with ms_ctx_free().
 */
struct ms_ctx *ms_ctx_new(void);

/* Release CTX; NULL is accepted. */
void ms_ctx_free(struct ms_ctx *ctx);

/*
 * The message of the last failure, e.g. "before.txt:17: bad address range
 * \"7f3a1c000000-zz\"".  Never NULL: "" when no call has failed yet.
 * The string is owned by CTX and valid until the next failing call.
 */
const char *ms_ctx_errmsg(const struct ms_ctx *ctx);

/* The negative errno that came with the last message (0 if none). */
int ms_ctx_errno(const struct ms_ctx *ctx);

/*
 * The callback a parser calls on a malformed line.  FILE and LINE locate the
 * line, MSG says what is wrong with it (without the location).
 * Return 0 to skip the line and go on, or a negative errno to stop parsing
 * with that code.
 */
typedef int (*ms_parser_errcb)(struct ms_ctx *ctx, const char *file,
			       unsigned long line, const char *msg, void *data);

/*
 * Set the callback parsers call on a malformed line.  Without one (the
 * default, or CB == NULL) the first malformed line fails the parse with
 * -EBADMSG and a "FILE:LINE: MSG" message in CTX.
 */
void ms_ctx_set_parser_errcb(struct ms_ctx *ctx, ms_parser_errcb cb, void *data);

#endif
