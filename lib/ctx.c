// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct ms_ctx {
	char errmsg[1024];
	int err;		/* the negative errno that went with errmsg */
	ms_parser_errcb errcb;
	void *errcb_data;
};

struct ms_ctx *ms_ctx_new(void)
{
	return calloc(1, sizeof(struct ms_ctx));
}

void ms_ctx_free(struct ms_ctx *ctx)
{
	free(ctx);
}

const char *ms_ctx_errmsg(const struct ms_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

int ms_ctx_errno(const struct ms_ctx *ctx)
{
	return ctx ? ctx->err : 0;
}

void ms_ctx_set_parser_errcb(struct ms_ctx *ctx, ms_parser_errcb cb, void *data)
{
	ctx->errcb = cb;
	ctx->errcb_data = data;
}

static void set_msg(struct ms_ctx *ctx, const char *fmt, va_list ap)
{
	if (!ctx)
		return;
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
}

int ms_err(struct ms_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(ctx, fmt, ap);
	va_end(ap);
	if (ctx)
		ctx->err = err;
	return err;
}

int ms_err_errno(struct ms_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	set_msg(ctx, fmt, ap);
	va_end(ap);
	if (ctx) {
		ctx->err = err;
		len = strlen(ctx->errmsg);
		snprintf(ctx->errmsg + len, sizeof(ctx->errmsg) - len, ": %s",
			 strerror(-err));
	}
	return err;
}

int ms_parser_error(struct ms_ctx *ctx, const char *file, unsigned long line,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (ctx && ctx->errcb)
		return ctx->errcb(ctx, file, line, msg, ctx->errcb_data);
	return ms_err(ctx, -EBADMSG, "%s:%lu: %s", file ? file : "-", line, msg);
}
