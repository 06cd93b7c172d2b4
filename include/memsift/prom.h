/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector: metrics are gathered into an ms_prom, then written
 * in one go, each family's samples together under its "# HELP" and
 * "# TYPE" lines, as the format requires, whatever order they were added in.
 *
 *	# HELP memsift_process_rss_bytes Resident set size of the process.
 *	# TYPE memsift_process_rss_bytes gauge
 *	memsift_process_rss_bytes{pid="4242",comm="leaker"} 69971968
 *
 * Label values are escaped as the format says (backslash, double quote and
 * newline); bytes that are not UTF-8, as a path may hold, become U+FFFD.
 */
#ifndef MEMSIFT_PROM_H
#define MEMSIFT_PROM_H

#include <stdio.h>

#include <memsift/ctx.h>

struct ms_prom;

enum ms_prom_type {
	MS_PROM_GAUGE = 1,
	MS_PROM_COUNTER,
};

/* A new, empty set of metrics; release it with ms_prom_free().  0 or -ENOMEM. */
int ms_prom_new(struct ms_ctx *ctx, struct ms_prom **out);

/* Release P; NULL is accepted. */
void ms_prom_free(struct ms_prom *p);

/*
 * Declare the metric family NAME, of TYPE, with the one-line HELP text.
 * Declaring it again with the same type does nothing.  NAME and HELP are
 * copied.
 * Returns: 0, -EINVAL (NAME is not [a-zA-Z_:][a-zA-Z0-9_:]*, or was declared
 * with another type), or -ENOMEM.
 */
int ms_prom_family(struct ms_ctx *ctx, struct ms_prom *p, const char *name,
		   enum ms_prom_type type, const char *help);

/*
 * Add a sample of family NAME (declared first) with VALUE and the labels
 * LABELS: name, value, name, value..., ending at a NULL name; LABELS may be
 * NULL for none.  Values are any bytes; label names must be
 * [a-zA-Z_][a-zA-Z0-9_]* and not start with "__".  NaN and infinities are
 * written as the format spells them.
 * Returns: 0, -EINVAL (an undeclared family or a bad label name), or -ENOMEM.
 */
int ms_prom_add(struct ms_ctx *ctx, struct ms_prom *p, const char *name,
		const char *const *labels, double value);

/* Write every family, in the order declared, to FP.  0 or -EIO. */
int ms_prom_write(struct ms_ctx *ctx, const struct ms_prom *p, FILE *fp);

/*
 * Write P to PATH atomically, as the textfile collector needs: a temporary
 * file in the same directory renamed over PATH, never written through a
 * symlink, mode 0644 (metrics hold no memory contents, and node_exporter
 * often runs as another user).  FLAGS as for ms_outfile_open(): without
 * MS_OUTFILE_FORCE an existing PATH is refused.
 * Returns: 0 or a negative errno with the message naming PATH.
 */
int ms_prom_write_file(struct ms_ctx *ctx, const struct ms_prom *p, const char *path,
		       unsigned int flags);

#endif
