// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON writer (lib/jsonwrt.c): the exact text of documents written
 * member by member, and that Python's json module reads them back as the
 * values written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/jsonwrt.h>

#include "tap.h"

static char *doc(void (*fn)(struct ms_jw *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct ms_jw w;

	if (!fp)
		exit(99);
	ms_jw_init(&w, fp);
	fn(&w);
	fclose(fp);
	return buf;
}

static void nested(struct ms_jw *w)
{
	ms_jw_object_open(w, NULL);
	ms_jw_str(w, "s", "a\"b\\c\n\x01é");
	ms_jw_str(w, "none", NULL);
	ms_jw_u64(w, "u", UINT64_MAX);
	ms_jw_s64(w, "s64", INT64_MIN);
	ms_jw_bool(w, "t", true);
	ms_jw_bool(w, "f", false);
	ms_jw_null(w, "n");
	ms_jw_double(w, "d", 1.23456, 3);
	ms_jw_double(w, "nan", NAN, 3);
	ms_jw_hex(w, "addr", 0x7f00deadbeefULL);
	ms_jw_array_open(w, "empty");
	ms_jw_array_close(w);
	ms_jw_array_open(w, "list");
	ms_jw_u64(w, NULL, 1);
	ms_jw_object_open(w, NULL);
	ms_jw_object_close(w);
	ms_jw_array_open(w, NULL);
	ms_jw_str(w, NULL, "x");
	ms_jw_array_close(w);
	ms_jw_array_close(w);
	ms_jw_object_open(w, "obj");
	ms_jw_u64(w, "k", 2);
	ms_jw_object_close(w);
	ms_jw_object_close(w);
}

static const char nested_want[] =
	"{\"s\":\"a\\\"b\\\\c\\u000a\\u0001é\",\"none\":null,\"u\":18446744073709551615,"
	"\"s64\":-9223372036854775808,\"t\":true,\"f\":false,\"n\":null,\"d\":1.235,"
	"\"nan\":null,\"addr\":\"0x7f00deadbeef\",\"empty\":[],\"list\":[1,{},[\"x\"]],"
	"\"obj\":{\"k\":2}}";

static void inside(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct ms_jw w;

	fputs("{\"first\":0", fp);
	ms_jw_init_in_object(&w, fp, true);
	ms_jw_u64(&w, "second", 1);
	ms_jw_array_open(&w, "third");
	ms_jw_u64(&w, NULL, 3);
	ms_jw_array_close(&w);
	fputc('}', fp);
	fclose(fp);
	is_str(buf, "{\"first\":0,\"second\":1,\"third\":[3]}", "in an object another writer opened");
	free(buf);

	fp = open_memstream(&buf, &len);
	fputc('{', fp);
	ms_jw_init_in_object(&w, fp, false);
	ms_jw_u64(&w, "only", 1);
	fputc('}', fp);
	fclose(fp);
	is_str(buf, "{\"only\":1}", "in an empty object: no comma first");
	free(buf);
}

/* Spacing is inherited and may be undone inside; breaks take a space's place. */
static void spaced(struct ms_jw *w)
{
	ms_jw_object_open(w, NULL);
	ms_jw_spaced(w, true);
	ms_jw_break(w, "\n  ");
	ms_jw_memsift_json(w);
	ms_jw_object_open(w, "a");
	ms_jw_u64(w, "x", 1);
	ms_jw_array_open(w, "l");
	ms_jw_u64(w, NULL, 2);
	ms_jw_u64(w, NULL, 3);
	ms_jw_array_close(w);
	ms_jw_object_close(w);
	ms_jw_break(w, "\n  ");
	ms_jw_object_open(w, "c");
	ms_jw_spaced(w, false);
	ms_jw_u64(w, "y", 4);
	ms_jw_u64(w, "z", 5);
	ms_jw_object_close(w);
	ms_jw_break(w, "\n  ");
	ms_jw_array_open(w, "items");
	ms_jw_break(w, "\n  ");
	ms_jw_array_close(w);
	ms_jw_u64(w, "after", 6);
	ms_jw_array_open(w, "rows");
	ms_jw_lines(w, "\n    ", "\n  ");
	ms_jw_u64(w, NULL, 7);
	ms_jw_object_open(w, NULL);
	ms_jw_u64(w, "k", 8);
	ms_jw_u64(w, "l", 9);
	ms_jw_object_close(w);
	ms_jw_array_close(w);
	ms_jw_break(w, "\n");
	ms_jw_object_close(w);
}

static const char spaced_want[] =
	"{\n  \"memsift_json\": 1, \"a\": {\"x\": 1, \"l\": [2, 3]},\n  \"c\": {\"y\":4,\"z\":5},"
	"\n  \"items\": [\n  ], \"after\": 6, \"rows\": [\n    7,\n    {\"k\": 8, \"l\": 9}\n  ]\n}";

/* Another writer's document as a value: the comma and the key are this writer's. */
static void embedded(struct ms_jw *w)
{
	struct ms_jw inner;
	int i;

	ms_jw_object_open(w, NULL);
	ms_jw_array_open(w, "files");
	ms_jw_break(w, "\n");
	for (i = 0; i < 2; i++) {
		ms_jw_embed(w, NULL);
		ms_jw_init(&inner, w->fp);
		ms_jw_object_open(&inner, NULL);
		ms_jw_s64(&inner, "i", i);
		ms_jw_object_close(&inner);
	}
	ms_jw_array_close(w);
	ms_jw_embed(w, "k");
	fputs("null", w->fp);
	ms_jw_object_close(w);
}

int main(void)
{
	char *s = doc(nested), cmd[2048];
	FILE *p;
	char got[64] = "";

	is_str(s, nested_want, "nested values, escapes, null for NULL and NaN, hex addresses");
	/* Python reads it back: the writer wrote JSON, not something like it. */
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; d=json.loads(sys.argv[1]); "
		 "print(d[\"u\"], d[\"list\"][2][0], d[\"s\"][-1] == \"\\xe9\")' '%s'", s);
	p = popen(cmd, "r");
	if (p && fgets(got, sizeof(got), p))
		is_str(got, "18446744073709551615 x True\n", "json.loads reads it back");
	else
		ok(0, "json.loads reads it back");
	if (p)
		pclose(p);
	free(s);
	s = doc(spaced);
	is_str(s, spaced_want, "spaced containers, inherited; lines; a break before a close");
	free(s);
	s = doc(embedded);
	is_str(s, "{\"files\":[\n{\"i\":0},{\"i\":1}],\"k\":null}", "embedded documents");
	free(s);
	inside();
	return tap_done();
}
