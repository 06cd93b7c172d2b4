// SPDX-License-Identifier: GPL-2.0-or-later
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/outfile.h>
#include <memsift/prom.h>

#include "internal.h"
#include "util.h"

struct family {
	char *name;
	char *help;
	enum ms_prom_type type;
	char *buf;		/* the samples, formatted */
	size_t len, cap;
};

struct ms_prom {
	struct family *f;
	size_t n;
};

int ms_prom_new(struct ms_ctx *ctx, struct ms_prom **out)
{
	struct ms_prom *p = calloc(1, sizeof(*p));

	if (!p)
		return ms_err(ctx, -ENOMEM, "out of memory");
	*out = p;
	return 0;
}

void ms_prom_free(struct ms_prom *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->f[i].name);
		free(p->f[i].help);
		free(p->f[i].buf);
	}
	free(p->f);
	free(p);
}

static bool valid_name(const char *s, bool colon)
{
	const char *c;

	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || (colon && *c == ':')))
			return false;
	return true;
}

static struct family *find(const struct ms_prom *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->f[i].name, name))
			return &p->f[i];
	return NULL;
}

int ms_prom_family(struct ms_ctx *ctx, struct ms_prom *p, const char *name,
		   enum ms_prom_type type, const char *help)
{
	struct family *f = find(p, name), *nf;

	if (f) {
		if (f->type != type)
			return ms_err(ctx, -EINVAL, "metric %s: declared twice with different types",
				      name);
		return 0;
	}
	if (!valid_name(name, true))
		return ms_err(ctx, -EINVAL, "bad metric name \"%s\"", name);
	nf = realloc(p->f, (p->n + 1) * sizeof(*nf));
	if (!nf)
		return ms_err(ctx, -ENOMEM, "out of memory");
	p->f = nf;
	f = &p->f[p->n];
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	p->n++;
	return 0;
}

static bool grow(struct family *f, size_t more)
{
	/* Room for MORE and the NUL; a length past SIZE_MAX is no room either. */
	return more < SIZE_MAX - f->len && MS_GROW(f->buf, f->cap, f->len + more + 1, 256) == 0;
}

static bool put(struct family *f, const char *s, size_t n)
{
	if (!grow(f, n))
		return false;
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
	return true;
}

/* The exposition format's escapes: \\ and \n always, \" in label values only. */
static bool put_escaped(struct family *f, const char *s, bool quote)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n;
	bool ok = true;

	while (*c && ok) {
		if (*c == '\\') {
			ok = put(f, "\\\\", 2);
			c++;
		} else if (*c == '\n') {
			ok = put(f, "\\n", 2);
			c++;
		} else if (quote && *c == '"') {
			ok = put(f, "\\\"", 2);
			c++;
		} else if ((n = *c < 0x80 ? 1 : ms_utf8_len(c))) {
			ok = put(f, (const char *)c, n);
			c += n;
		} else {
			ok = put(f, "\xef\xbf\xbd", 3);
			c++;
		}
	}
	return ok;
}

int ms_prom_add(struct ms_ctx *ctx, struct ms_prom *p, const char *name,
		const char *const *labels, double value)
{
	struct family *f = find(p, name);
	size_t i, mark;
	char num[40];
	bool ok;

	if (!f)
		return ms_err(ctx, -EINVAL, "metric %s: not declared", name);
	mark = f->len;
	ok = put(f, name, strlen(name));
	for (i = 0; ok && labels && labels[i]; i += 2) {
		if (!valid_name(labels[i], false) || !strncmp(labels[i], "__", 2)) {
			f->len = mark;
			if (f->buf)
				f->buf[mark] = '\0';
			return ms_err(ctx, -EINVAL, "metric %s: bad label name \"%s\"", name,
				      labels[i]);
		}
		ok = put(f, i ? "," : "{", 1) && put(f, labels[i], strlen(labels[i])) &&
		     put(f, "=\"", 2) && put_escaped(f, labels[i + 1] ? labels[i + 1] : "", true) &&
		     put(f, "\"", 1);
	}
	if (ok && labels && labels[0])
		ok = put(f, "}", 1);
	if (isnan(value))
		snprintf(num, sizeof(num), " NaN\n");
	else if (isinf(value))
		snprintf(num, sizeof(num), " %sInf\n", value > 0 ? "+" : "-");
	else if (value == floor(value) && fabs(value) < 1e15)
		snprintf(num, sizeof(num), " %.0f\n", value);
	else
		snprintf(num, sizeof(num), " %.17g\n", value);
	if (ok)
		ok = put(f, num, strlen(num));
	if (!ok) {
		f->len = mark;
		if (f->buf)
			f->buf[mark] = '\0';
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

int ms_prom_write(struct ms_ctx *ctx, const struct ms_prom *p, FILE *fp)
{
	static const char *const types[] = { "", "gauge", "counter" };
	struct family help = { 0 };
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct family *f = &p->f[i];

		help.len = 0;
		if (help.buf)
			help.buf[0] = '\0';
		if (!put_escaped(&help, f->help, false)) {
			free(help.buf);
			return ms_err(ctx, -ENOMEM, "out of memory");
		}
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", f->name, help.buf ? help.buf : "",
			f->name, types[f->type]);
		if (f->len)
			fwrite(f->buf, 1, f->len, fp);
	}
	free(help.buf);
	if (ferror(fp))
		return ms_err(ctx, -EIO, "write error");
	return 0;
}

int ms_prom_write_file(struct ms_ctx *ctx, const struct ms_prom *p, const char *path,
		       unsigned int flags)
{
	struct ms_outfile *of;
	int rc;

	rc = ms_outfile_open(ctx, path, flags | MS_OUTFILE_PUBLIC, &of);
	if (rc < 0)
		return rc;
	rc = ms_prom_write(ctx, p, ms_outfile_fp(of));
	if (rc < 0) {
		ms_outfile_abort(of);
		return ms_err(ctx, rc, "%s: write error", path);
	}
	return ms_outfile_commit(ctx, of);
}
