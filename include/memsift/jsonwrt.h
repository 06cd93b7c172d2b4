/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one JSON writer, as util-linux's jsonwrt: a document is opened,
 * filled member by member and closed, and the writer puts the commas, the
 * quotes and the escapes, so no module glues keys by hand.  The output is
 * compact (no spaces), as every memsift tool's JSON has always been.
 *
 *	struct ms_jw w;
 *
 *	ms_jw_init(&w, fp);
 *	ms_jw_object_open(&w, NULL);
 *	ms_jw_str(&w, "file", name);
 *	ms_jw_array_open(&w, "gcs");
 *	for (...) {
 *		ms_jw_object_open(&w, NULL);
 *		ms_jw_u64(&w, "gc", g->n);
 *		ms_jw_double(&w, "time", g->t, 3);
 *		ms_jw_object_close(&w);
 *	}
 *	ms_jw_array_close(&w);
 *	ms_jw_object_close(&w);
 *
 * KEY is the member's name inside an object and NULL inside an array (or
 * for the document itself).  Errors are the stream's: check ferror().
 *
 * Documents older than the writer keep their spacing, so a reader's diff or
 * grep of them still holds: ms_jw_spaced() puts ", " and ": " in a
 * container, ms_jw_lines() and ms_jw_break() its line breaks.
 */
#ifndef MEMSIFT_JSONWRT_H
#define MEMSIFT_JSONWRT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MS_JW_DEPTH 32

/* The version of the shape of the tools' JSON documents, "memsift_json". */
#define MS_JSON_VERSION 1

struct ms_jw {
	FILE *fp;
	int depth;
	bool any[MS_JW_DEPTH];	/* a value was written at this depth */
	bool spaced[MS_JW_DEPTH];	/* ", " and ": " at this depth */
	const char *item[MS_JW_DEPTH];	/* before each value at this depth */
	const char *close[MS_JW_DEPTH];	/* before this depth's close */
	const char *brk;	/* written before the next value, after its comma */
};

/* Start a document on FP. */
void ms_jw_init(struct ms_jw *w, FILE *fp);

/*
 * Go on inside an object another writer opened (a report that adds its
 * members to a document it does not own): ANY tells whether the object
 * already holds a member.  Closing is then that writer's business.
 */
void ms_jw_init_in_object(struct ms_jw *w, FILE *fp, bool any);

void ms_jw_object_open(struct ms_jw *w, const char *key);
void ms_jw_object_close(struct ms_jw *w);
void ms_jw_array_open(struct ms_jw *w, const char *key);
void ms_jw_array_close(struct ms_jw *w);

/*
 * Make room for a value another writer writes next on the stream (a report
 * that opens its own document): its comma, any break, and KEY.
 */
void ms_jw_embed(struct ms_jw *w, const char *key);

/*
 * Write S (white space: "\n", "\n ") before the next value, after its comma,
 * or before the close of the container when no value comes first, for
 * documents that put a list's items one a line.
 */
void ms_jw_break(struct ms_jw *w, const char *s);

/*
 * One value a line in the container being written (not in those opened
 * inside it): ITEM before each value, after its comma, and CLOSE before the
 * container's close, as "\n    " and "\n  ".  ms_jw_break() wins over them.
 */
void ms_jw_lines(struct ms_jw *w, const char *item, const char *close);

/*
 * From here on in the container being written, and in those opened inside
 * it unless they say otherwise: ON puts ", " between values (a break takes
 * the space's place) and ": " after keys, as libsmartcols and older memsift
 * documents write them; off (the default) writes them compact.
 */
void ms_jw_spaced(struct ms_jw *w, bool on);

/*
 * The member every memsift document starts with: "memsift_json", the
 * version of the documents' shape (MS_JSON_VERSION), so no tool spells it.
 */
void ms_jw_memsift_json(struct ms_jw *w);

/*
 * Write S to FP as a JSON string, quoted and escaped ("null" for NULL).
 * UTF-8 is kept; control bytes, and each byte that is no UTF-8, are written
 * as \u00XX (the character of the byte's value), so any input gives valid
 * JSON.  The writer's strings are these; a document that is not the
 * writer's (a test's, a tool's table) may call it alone.
 */
void ms_json_str(FILE *fp, const char *s);

/* S as a JSON string (as ms_json_str() escapes it), or null when S is NULL. */
void ms_jw_str(struct ms_jw *w, const char *key, const char *s);
void ms_jw_u64(struct ms_jw *w, const char *key, uint64_t v);
void ms_jw_s64(struct ms_jw *w, const char *key, int64_t v);
void ms_jw_bool(struct ms_jw *w, const char *key, bool v);
void ms_jw_null(struct ms_jw *w, const char *key);
/* V with PREC decimals; null when it is not finite. */
void ms_jw_double(struct ms_jw *w, const char *key, double v, int prec);
/* An address, as the tools write them all: the string "0x" and hex digits. */
void ms_jw_hex(struct ms_jw *w, const char *key, uint64_t v);

#endif
