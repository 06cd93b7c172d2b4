/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing pprof profiles: profile.proto (github.com/google/pprof,
 * proto/profile.proto), gzipped, which `go tool pprof` reads (-top, -list,
 * -diff_base).  A hand-written protobuf encoder for the one message: the
 * profile is built in memory, then written at once.
 *
 *	ms_pprof_new(ctx, &p);
 *	ms_pprof_add_type(p, "growth", "bytes");
 *	loc = ms_pprof_location(p, pc, "main", "leak.c", 42);
 *	ms_pprof_add_sample(p, locs, n, values, "mapping", "heap");
 *	ms_pprof_write(ctx, p, fp);
 *	ms_pprof_free(p);
 */
#ifndef MEMSIFT_PPROF_H
#define MEMSIFT_PPROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/ctx.h>

struct ms_pprof;

/* A new, empty profile in *OUT; release with ms_pprof_free().  Returns: 0 or -ENOMEM. */
int ms_pprof_new(struct ms_ctx *ctx, struct ms_pprof **out);

/* Release P; NULL is accepted. */
void ms_pprof_free(struct ms_pprof *p);

/*
 * Add a sample value type ("faults", "count"), in the order of each
 * sample's values; the last added is pprof's default.  Add every type
 * before the first sample.  Returns: 0 or -ENOMEM.
 */
int ms_pprof_add_type(struct ms_pprof *p, const char *type, const char *unit);

/* When the profile was taken (ns since the epoch) and over how long (ns). */
void ms_pprof_set_time(struct ms_pprof *p, int64_t time_ns, int64_t duration_ns);

/*
 * Name the program's executable FILE (pprof calls it the main binary and
 * says "Main binary filename not available" without it).  Its functions,
 * files and lines are in the profile: pprof is told not to look for them.
 * Call once, before writing.  Returns: 0 or -ENOMEM.
 */
int ms_pprof_set_binary(struct ms_pprof *p, const char *file);

/*
 * The location of program counter ADDR in function NAME (FILE and LINE
 * may be NULL and 0): a location id for ms_pprof_add_sample(), the same
 * for the same ADDR.  Returns: the id (>= 1), or 0 when out of memory.
 */
uint64_t ms_pprof_location(struct ms_pprof *p, uint64_t addr, const char *name,
			   const char *file, int line);

/* One function of a location, and its line there (FILE may be NULL, LINE 0). */
struct ms_pprof_line {
	const char *name;
	const char *file;
	int line;
};

/*
 * As ms_pprof_location(), for code where functions were inlined: LINES
 * holds N functions at ADDR, innermost first, the last the function that
 * holds the code (profile.proto's Location.line is in that order), so
 * pprof shows each as its own frame.  The first call for an ADDR decides
 * its lines.  Returns: the id (>= 1), or 0 when out of memory or N is 0.
 */
uint64_t ms_pprof_location_lines(struct ms_pprof *p, uint64_t addr,
				 const struct ms_pprof_line *lines, size_t n);

/*
 * A sample: the stack LOCS (N location ids, innermost first) and one value
 * per type added.  LABEL_KEY and LABEL, when not NULL, tag it with a string
 * label (pprof -tagfocus).  Returns: 0 or -ENOMEM.
 */
int ms_pprof_add_sample(struct ms_pprof *p, const uint64_t *locs, size_t n,
			const int64_t *values, const char *label_key, const char *label);

/*
 * Write the profile, gzipped, to FP.  Returns: 0, -EIO when writing failed
 * (the message says so), or -ENOMEM.
 */
int ms_pprof_write(struct ms_ctx *ctx, struct ms_pprof *p, FILE *fp);

#endif
