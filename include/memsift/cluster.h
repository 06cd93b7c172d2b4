/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Clusters: the objects of a dump (<memsift/objects.h>) grouped by size
 * and signature, the second step of the analysis pipeline.
 *
 * An object's signature is, first found first: the code, type, string or
 * data pointer in its first 64 bytes that names it best (a vtable, ob_type,
 * a callback, a Go type; for a CPython object from pymalloc, its ob_type
 * whatever it points at), a magic word (ASCII then NULs), the
 * shape of its text (digit and hex runs folded to '#'), its fill byte, or
 * only its content class.  Objects of one size and one signature are one
 * cluster, so a name is only ever the cluster's own words.  A cluster also
 * knows which other cluster's objects point at its objects' starts (the
 * record that owns a payload).
 *
 *	ms_clusters_new(ctx, syms, &c);
 *	ms_objects_find(..., ms_clusters_add_cb, c, &range);	(each range)
 *	ms_clusters_finish(ctx, c);
 *	ms_clusters_diff(c, older);	(optional: growth between two dumps)
 *	for (i = 0; i < ms_clusters_count(c); i++) ... ms_clusters_get(c, i) ...
 *
 * Memory is bounded: at most MS_CLUSTERS_MAX clusters (more objects go
 * uncounted and ms_clusters_approximate() says so), and the objects kept
 * for the pointer links are capped at 8M.
 */
#ifndef MEMSIFT_CLUSTER_H
#define MEMSIFT_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/ctx.h>
#include <memsift/objects.h>
#include <memsift/symbol.h>

#define MS_CLUSTERS_MAX 65536
#define MS_SHAPE_MAX 96

enum ms_content {
	MS_CONTENT_ZERO = 0,	/* never written: all zero */
	MS_CONTENT_FILL,	/* 90% or more one non-zero byte */
	MS_CONTENT_TEXT,	/* a string */
	MS_CONTENT_POINTERS,	/* a quarter or more of its words point into mapped memory */
	MS_CONTENT_BINARY,
};

/* "zero", "fill", "text", "pointers", "binary". */
const char *ms_content_str(enum ms_content c);

struct ms_cluster {
	uint64_t key;		/* the same size and signature give the same key in any dump of a process */
	uint64_t size;		/* the allocator's size of each object */
	uint64_t count, bytes;
	int64_t delta;		/* count growth since the older dump, when HAS_DELTA */
	bool has_delta;
	enum ms_finder finder;	/* of its first object */
	enum ms_content content;
	int fill;		/* the fill byte, or -1 */
	char shape[MS_SHAPE_MAX];	/* the text's shape, or "" */
	char magic[16];		/* the magic word as text, or "" */
	/* The naming pointer: at NAME_OFFSET (-1: none), the word NAME_WORD, which is NAME. */
	int name_offset;
	uint64_t name_word;
	const struct ms_sym *name;	/* NAME_SYM, or NULL; set by ms_clusters_finish() */
	struct ms_sym name_sym;		/* its strings are the symbolizer's */
	/*
	 * The runtime's name for the type NAME_WORD points at when it is no
	 * symbol (a CPython class: its type object's tp_name), from the
	 * namer (ms_clusters_set_namer()), or the objects' own type when
	 * their finder tells it (ms_obj.type); "" when none.
	 */
	char type_name[64];
	/* What holds objects of a runtime type (a Go "[][]uint8": its backing array), or "". */
	char holder[64];
	/*
	 * Of all objects of this size, the share in this cluster (every object
	 * of a cluster carries its signature, by construction).
	 */
	double share;
	/*
	 * The cluster whose objects point at this one's starts (-1: none;
	 * ms_clusters_referrer() gives it), at which offset, for what share.
	 */
	int referrer;
	int ref_offset;
	double ref_share;
};

struct ms_clusters;

/*
 * New, empty clusters.  SYMS (may be NULL: no object is named) is borrowed
 * and must outlive them: names point into it.
 * Returns: 0 or -ENOMEM.
 */
int ms_clusters_new(struct ms_ctx *ctx, struct ms_symbols *syms, struct ms_clusters **out);

/* Release C; NULL is accepted. */
void ms_clusters_free(struct ms_clusters *c);

/*
 * Name the type at WORD, an object's pointer to its type that no symbol
 * covers (a CPython heap type), into BUF of LEN bytes; true when named.
 */
typedef bool (*ms_cluster_namer)(struct ms_ctx *ctx, uint64_t word, char *buf, size_t len,
				 void *data);

/* Called by ms_clusters_finish() once per cluster that needs it; none by default. */
void ms_clusters_set_namer(struct ms_clusters *c, ms_cluster_namer fn, void *data);

/*
 * Add one object: its features are computed here, from its own bytes.  In
 * the form of an ms_obj_cb, DATA being the clusters.
 * Returns: 0 or -ENOMEM.
 */
int ms_clusters_add_cb(struct ms_ctx *ctx, const struct ms_obj *o, void *data);

/* The key of the cluster the last object added went to; 0 when it went uncounted. */
uint64_t ms_clusters_last_key(const struct ms_clusters *c);

/*
 * After the last object: link referrers and rank, most bytes first.
 * Returns: 0 or -ENOMEM.
 */
int ms_clusters_finish(struct ms_ctx *ctx, struct ms_clusters *c);

/*
 * Growth: each cluster's count less that of the same key in OLDER (both
 * finished), then rank by the bytes that growth holds, most first; those
 * that did not grow follow, by bytes.
 */
void ms_clusters_diff(struct ms_clusters *c, const struct ms_clusters *older);

size_t ms_clusters_count(const struct ms_clusters *c);
/* Cluster I in rank order, borrowed; NULL when out of range. */
const struct ms_cluster *ms_clusters_get(const struct ms_clusters *c, size_t i);
/* The cluster whose objects point at CL's objects, or NULL; and CL's rank. */
const struct ms_cluster *ms_clusters_referrer(const struct ms_clusters *c,
					      const struct ms_cluster *cl);
size_t ms_clusters_rank(const struct ms_clusters *c, const struct ms_cluster *cl);

/* Objects added, and whether some went uncounted (the table was full). */
uint64_t ms_clusters_objects(const struct ms_clusters *c);
bool ms_clusters_approximate(const struct ms_clusters *c);

/*
 * The shape of text, what lines of one format share: a word (a run of
 * letters and digits) made only of hex digits with a digit among them
 * becomes '#' (with its 0x, if any), and so do digits that begin a word
 * ("12ms" gives "#ms");
 * digits after a letter stay, as names keep them ("v2", "md5").  So
 * "GET /api/v2/17?trace=3fa9 200 12ms" gives "GET /api/v2/#?trace=# # #ms".  Reads at most LEN bytes of S or up to a NUL;
 * writes at most OUTLEN bytes, NUL included; returns OUT.
 */
char *ms_text_shape(const char *s, size_t len, char *out, size_t outlen);

/*
 * A hash of the shape ms_text_shape() writes of S with OUTLEN
 * MS_SHAPE_MAX, without writing it: strings of one shape, and only they
 * (bar collisions), hash alike.
 */
uint64_t ms_text_shape_hash(const char *s, size_t len);

/*
 * Both at once: the shape into OUT, MS_SHAPE_MAX bytes, and its hash, for
 * a caller that keeps the text only when the hash is new (one shaping, not two).
 */
uint64_t ms_text_shape_keyed(const char *s, size_t len, char *out);

#endif
