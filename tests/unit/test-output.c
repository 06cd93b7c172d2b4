// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for lib/output.c: exact text of tables, raw output and JSON
 * for known rows, column selection and the size formatters.  The tools'
 * helpers over it (tools/cli.c) are tests/unit/test-cli.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memsift/ctx.h>
#include <memsift/output.h>

#include "tap.h"

enum { C_START, C_SIZE, C_RSS, C_DELTA, C_PCT, C_DELETED, C_COUNT, C_BALANCE, C_NAME };

static const struct ms_out_column cols[] = {
	[C_START] = { "START", 14, MS_COL_DEFAULT, MS_COL_HEX, "start address" },
	[C_SIZE] = { "SIZE", 5, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "mapping size" },
	[C_RSS] = { "RSS", 5, MS_COL_RIGHT, MS_COL_SIZE, "resident set size" },
	[C_DELTA] = { "RSS-DELTA", 6, MS_COL_RIGHT, MS_COL_SIZE_DELTA, "change in RSS" },
	[C_PCT] = { "RSS%", 5, MS_COL_RIGHT, MS_COL_FLOAT, "share of the total RSS" },
	[C_DELETED] = { "DELETED", 1, 0, MS_COL_BOOL, "mapped file was deleted" },
	[C_COUNT] = { "COUNT", 5, MS_COL_RIGHT, MS_COL_U64, "number of mappings" },
	[C_BALANCE] = { "BALANCE", 5, MS_COL_RIGHT, MS_COL_S64, "allocations minus frees" },
	[C_NAME] = { "NAME", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR, "mapped file" },
};

#define ALL "START,SIZE,RSS,RSS-DELTA,RSS%,DELETED,COUNT,BALANCE,NAME"

static struct ms_ctx *ctx;

static struct ms_out *new_out(void)
{
	struct ms_out *o = NULL;

	if (ms_out_new(ctx, cols, sizeof(cols) / sizeof(cols[0]), "mappings", &o)) {
		printf("Bail out! ms_out_new: %s\n", ms_ctx_errmsg(ctx));
		exit(1);
	}
	ms_out_set_termwidth(o, 80);
	return o;
}

/* Three rows: every type, an unset cell, a name with a space. */
static void add_rows(struct ms_out *o)
{
	struct ms_out_row *r;

	r = ms_out_add_row(o);
	ms_out_set_u64(r, C_START, 0x7f3a1c000000);
	ms_out_set_u64(r, C_SIZE, 134217728);
	ms_out_set_u64(r, C_RSS, 1536);
	ms_out_set_s64(r, C_DELTA, 1536);
	ms_out_set_double(r, C_PCT, 12.5);
	ms_out_set_bool(r, C_DELETED, false);
	ms_out_set_u64(r, C_COUNT, 3);
	ms_out_set_s64(r, C_BALANCE, -2);
	ms_out_set_str(r, C_NAME, "/usr/lib/libc.so.6");

	r = ms_out_add_row(o);
	ms_out_set_u64(r, C_START, 0x55d0c0a00000);
	ms_out_set_u64(r, C_SIZE, 4096);
	ms_out_set_u64(r, C_RSS, 0);
	ms_out_set_s64(r, C_DELTA, -4096);
	ms_out_set_double(r, C_PCT, 87.5);
	ms_out_set_bool(r, C_DELETED, true);
	ms_out_set_u64(r, C_COUNT, 0);
	ms_out_set_s64(r, C_BALANCE, 7);
	ms_out_set_str(r, C_NAME, "[heap]");

	r = ms_out_add_row(o);
	ms_out_set_u64(r, C_START, 0x7ffd12340000);
	ms_out_set_u64(r, C_SIZE, 135168);
	ms_out_set_s64(r, C_DELTA, 0);
	ms_out_set_double(r, C_PCT, NAN);
	ms_out_set_str(r, C_NAME, "/tmp/a b (deleted)");
}

/* Print O to a string; the caller frees it. */
static char *render(struct ms_out *o, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	*rc = ms_out_print(o, fp);
	fclose(fp);
	return buf;
}

/* Build the three-row output with OPTS applied as getopt would, print it. */
static char *table(const char *columns, unsigned flags, int *rc)
{
	struct ms_out *o = new_out();
	char *s;

	if (columns)
		ms_out_set_columns(o, columns);
	ms_out_set_flags(o, flags);
	add_rows(o);
	s = render(o, rc);
	ms_out_free(o);
	return s;
}

#define is_table(columns, flags, want, ...)                                  \
	do {                                                                 \
		int rc_;                                                     \
		char *got_ = table(columns, flags, &rc_);                    \
		is_str(got_, want, __VA_ARGS__);                             \
		free(got_);                                                  \
	} while (0)

static void test_tables(void)
{
	is_table(NULL, 0,
		 "START           SIZE NAME\n"
		 "0x7f3a1c000000  128M /usr/lib/libc.so.6\n"
		 "0x55d0c0a00000    4K [heap]\n"
		 "0x7ffd12340000  132K /tmp/a b (deleted)\n",
		 "default columns, human sizes, SIZE as wide as its hint");

	is_table(NULL, MS_OUT_NOHEADINGS,
		 "0x7f3a1c000000  128M /usr/lib/libc.so.6\n"
		 "0x55d0c0a00000    4K [heap]\n"
		 "0x7ffd12340000  132K /tmp/a b (deleted)\n",
		 "-n drops the headings");

	is_table("name,Size", 0,
		 "NAME                SIZE\n"
		 "/usr/lib/libc.so.6  128M\n"
		 "[heap]                4K\n"
		 "/tmp/a b (deleted)  132K\n",
		 "-o picks columns in its order, case-insensitively");

	is_table("+RSS,RSS-DELTA,start", 0,
		 "START           SIZE NAME                 RSS RSS-DELTA\n"
		 "0x7f3a1c000000  128M /usr/lib/libc.so.6  1.5K     +1.5K\n"
		 "0x55d0c0a00000    4K [heap]                0B       -4K\n"
		 "0x7ffd12340000  132K /tmp/a b (deleted)               0\n",
		 "-o +LIST appends to the defaults; a repeat is shown once");

	is_table("SIZE,RSS,RSS-DELTA", MS_OUT_BYTES,
		 "     SIZE   RSS RSS-DELTA\n"
		 "134217728  1536     +1536\n"
		 "     4096     0     -4096\n"
		 "   135168               0\n",
		 "-b prints bytes, deltas signed");

	is_table("RSS%,DELETED,COUNT,BALANCE", 0,
		 " RSS% DELETED COUNT BALANCE\n"
		 "12.50 0           3      -2\n"
		 "87.50 1           0       7\n"
		 "                    \n",
		 "float, bool, u64, s64; unset and NaN cells are empty");

	is_table("START,SIZE,NAME", MS_OUT_RAW,
		 "START SIZE NAME\n"
		 "0x7f3a1c000000 128M /usr/lib/libc.so.6\n"
		 "0x55d0c0a00000 4K [heap]\n"
		 "0x7ffd12340000 132K /tmp/a\\x20b\\x20(deleted)\n",
		 "-r raw output escapes spaces");

	is_table("SIZE,RSS", MS_OUT_RAW | MS_OUT_NOHEADINGS | MS_OUT_BYTES,
		 "134217728 1536\n"
		 "4096 0\n"
		 "135168 \n",
		 "-r -n -b together");
}

static const char json_all[] =
	"{\n"
	"   \"mappings\": [\n"
	"      {\n"
	"         \"start\": \"0x7f3a1c000000\",\n"
	"         \"size\": 134217728,\n"
	"         \"rss\": 1536,\n"
	"         \"rss_delta\": 1536,\n"
	"         \"rss_pct\": 12.50,\n"
	"         \"deleted\": false,\n"
	"         \"count\": 3,\n"
	"         \"balance\": -2,\n"
	"         \"name\": \"/usr/lib/libc.so.6\"\n"
	"      },{\n"
	"         \"start\": \"0x55d0c0a00000\",\n"
	"         \"size\": 4096,\n"
	"         \"rss\": 0,\n"
	"         \"rss_delta\": -4096,\n"
	"         \"rss_pct\": 87.50,\n"
	"         \"deleted\": true,\n"
	"         \"count\": 0,\n"
	"         \"balance\": 7,\n"
	"         \"name\": \"[heap]\"\n"
	"      },{\n"
	"         \"start\": \"0x7ffd12340000\",\n"
	"         \"size\": 135168,\n"
	"         \"rss\": null,\n"
	"         \"rss_delta\": 0,\n"
	"         \"rss_pct\": null,\n"
	"         \"deleted\": false,\n"
	"         \"count\": null,\n"
	"         \"balance\": null,\n"
	"         \"name\": \"/tmp/a b (deleted)\"\n"
	"      }\n"
	"   ]\n"
	"}\n";

static void test_json(void)
{
	is_table(ALL, MS_OUT_JSON, json_all,
		 "JSON: numbers bare, sizes in bytes, hex quoted, keys as identifiers");
	is_table(ALL, MS_OUT_JSON | MS_OUT_BYTES | MS_OUT_RAW | MS_OUT_NOHEADINGS, json_all,
		 "JSON ignores -b, -r and -n");
	is_table("size", MS_OUT_JSON,
		 "{\n"
		 "   \"mappings\": [\n"
		 "      {\n"
		 "         \"size\": 134217728\n"
		 "      },{\n"
		 "         \"size\": 4096\n"
		 "      },{\n"
		 "         \"size\": 135168\n"
		 "      }\n"
		 "   ]\n"
		 "}\n",
		 "JSON holds only the selected columns");
}

static void test_keys(void)
{
	static const struct ms_out_column kcols[] = {
		{ "%CPU", 1, 0, MS_COL_FLOAT, NULL },
		{ "MAJ:MIN", 1, 0, MS_COL_STR, NULL },
		{ "PSS_ANON", 1, 0, MS_COL_U64, NULL },
		{ "A--B%", 1, 0, MS_COL_U64, NULL },
	};
	static const struct ms_out_column dup[] = {
		{ "RSS-DELTA", 1, 0, MS_COL_U64, NULL },
		{ "rss_delta", 1, 0, MS_COL_U64, NULL },
	};
	struct ms_out *o = NULL;
	struct ms_out_row *r;
	char *s;
	int rc;

	ms_out_new(ctx, kcols, 4, "x", &o);
	ms_out_set_flags(o, MS_OUT_JSON);
	r = ms_out_add_row(o);
	ms_out_set_double(r, 0, 0.125);
	ms_out_set_str(r, 1, "8:1");
	ms_out_set_u64(r, 2, 42);
	ms_out_set_u64(r, 3, UINT64_MAX);
	s = render(o, &rc);
	is_int(rc, 0, "JSON keys: print returns 0");
	is_str(s,
	       "{\n"
	       "   \"x\": [\n"
	       "      {\n"
	       "         \"pct_cpu\": 0.12,\n"
	       "         \"maj_min\": \"8:1\",\n"
	       "         \"pss_anon\": 42,\n"
	       "         \"a_b_pct\": 18446744073709551615\n"
	       "      }\n"
	       "   ]\n"
	       "}\n",
	       "JSON keys: %% becomes pct, other punctuation one _; no default flag shows all");
	free(s);
	ms_out_free(o);

	o = (struct ms_out *)&rc;
	is_int(ms_out_new(ctx, dup, 2, "x", &o), -EINVAL, "two names with one JSON key fail");
	is_str(ms_ctx_errmsg(ctx),
	       "output: columns \"RSS-DELTA\" and \"rss_delta\" give the same JSON key",
	       "and the message names both");
	ok(o == (struct ms_out *)&rc, "and *out is untouched");
	is_int(ms_out_new(ctx, dup, 0, "x", &o), -EINVAL, "an empty column table fails");
}

static void test_empty(void)
{
	struct ms_out *o = new_out();
	char *s;
	int rc;

	s = render(o, &rc);
	is_int(rc, 0, "no rows: print returns 0");
	is_str(s, "", "no rows: a table prints nothing, as util-linux tools do");
	free(s);
	ms_out_set_flags(o, MS_OUT_JSON);
	s = render(o, &rc);
	is_str(s, "{\n   \"mappings\": [\n\n   ]\n}\n", "no rows: JSON prints an empty array");
	free(s);
	ms_out_free(o);
	ms_out_free(NULL);
}

static void test_narrow(void)
{
	struct ms_out *o = new_out();
	char *s;
	int rc;

	ms_out_set_termwidth(o, 30);
	add_rows(o);
	s = render(o, &rc);
	is_str(s,
	       "START           SIZE NAME\n"
	       "0x7f3a1c000000  128M /usr/lib/\n"
	       "0x55d0c0a00000    4K [heap]\n"
	       "0x7ffd12340000  132K /tmp/a b \n",
	       "a 30-column terminal truncates the TRUNC column");
	free(s);
	s = render(o, &rc);
	ok(s && !strncmp(s, "START", 5), "print can be called twice");
	free(s);
	ms_out_free(o);
}

static void test_columns(void)
{
	struct ms_out *o = new_out();
	struct ms_out_row *r;
	char *s;
	int rc;

	is_int(ms_out_set_columns(o, "SIZE,bogus"), -EINVAL, "unknown column: -EINVAL");
	is_str(ms_ctx_errmsg(ctx), "unknown column \"bogus\"; see --help for the list",
	       "unknown column: message");
	is_int(ms_out_set_columns(o, "SIZE,,NAME"), -EINVAL, "empty name in the list: -EINVAL");
	is_str(ms_ctx_errmsg(ctx), "unknown column \"\"; see --help for the list",
	       "empty name: message");
	is_int(ms_out_set_columns(o, "SIZ"), -EINVAL, "a prefix is not a name");
	is_int(ms_out_set_columns(o, "+"), -EINVAL, "a bare + is an error");
	is_int(ms_out_set_columns(o, "name"), 0, "a name in any case");


	r = ms_out_add_row(o);
	ok(r != NULL, "add_row");
	is_int(ms_out_set_u64(r, C_SIZE, 1), 0, "setting an unselected column is a no-op");
	is_int(ms_out_set_str(r, C_NAME, "first"), 0, "set_str");
	is_int(ms_out_set_str(r, C_NAME, "second"), 0, "set_str twice keeps the last");
	is_int(ms_out_set_str(r, C_SIZE, "x"), -EINVAL, "set_str on a SIZE column: -EINVAL");
	is_str(ms_ctx_errmsg(ctx), "output: column \"SIZE\" cannot hold a string",
	       "type mismatch message names the column");
	is_int(ms_out_set_u64(r, C_NAME, 1), -EINVAL, "set_u64 on a STR column: -EINVAL");
	is_int(ms_out_set_double(r, C_COUNT, 1), -EINVAL, "set_double on a U64 column: -EINVAL");
	is_int(ms_out_set_bool(r, C_COUNT, true), -EINVAL, "set_bool on a U64 column: -EINVAL");
	is_int(ms_out_set_s64(r, C_SIZE, -1), -ERANGE, "negative into SIZE: -ERANGE");
	is_str(ms_ctx_errmsg(ctx), "output: column \"SIZE\": -1 is negative", "and says why");
	is_int(ms_out_set_u64(r, C_BALANCE, UINT64_MAX), -ERANGE,
	       "UINT64_MAX into S64: -ERANGE");
	is_int(ms_out_set_u64(r, 99, 1), -EINVAL, "column index out of range: -EINVAL");
	is_int(ms_out_set_str(r, -1, "x"), -EINVAL, "negative column index: -EINVAL");
	is_int(ms_out_set_str(NULL, C_NAME, "x"), -EINVAL, "NULL row: -EINVAL");
	is_int(ms_out_set_columns(o, "SIZE"), -EBUSY, "columns after the first row: -EBUSY");

	s = render(o, &rc);
	is_str(s, "NAME\nsecond\n", "the selection survived the failed calls");
	free(s);
	ms_out_free(o);

	o = new_out();
	ms_out_set_columns(o, "COUNT,BALANCE,SIZE,RSS-DELTA");
	ms_out_set_flags(o, MS_OUT_NOHEADINGS | MS_OUT_BYTES);
	r = ms_out_add_row(o);
	is_int(ms_out_set_s64(r, C_COUNT, 5), 0, "set_s64 of a positive value into U64");
	is_int(ms_out_set_u64(r, C_BALANCE, INT64_MAX), 0, "set_u64 of INT64_MAX into S64");
	is_int(ms_out_set_s64(r, C_SIZE, INT64_MAX), 0, "set_s64 into SIZE");
	is_int(ms_out_set_s64(r, C_DELTA, INT64_MIN), 0, "INT64_MIN into SIZE-DELTA");
	s = render(o, &rc);
	is_str(s, "    5 9223372036854775807 9223372036854775807 -9223372036854775808\n",
	       "integers crossed between setters keep their value");
	free(s);
	ms_out_free(o);
}

static void test_help(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ms_out_help_columns(cols, 3, fp);
	fclose(fp);
	is_str(buf,
	       "\n"
	       "Available output columns:\n"
	       " START  start address\n"
	       "  SIZE  mapping size\n"
	       "   RSS  resident set size\n",
	       "help: column names right-aligned to the longest");
	free(buf);

}

static void test_sizes(void)
{
	static const struct {
		uint64_t v;
		const char *want;
	} sizes[] = {
		{ 0, "0B" },
		{ 1, "1B" },
		{ 512, "512B" },
		{ 1023, "1023B" },
		{ 1024, "1K" },
		{ 1075, "1K" },		/* 1.0498K rounds down */
		{ 1076, "1.1K" },	/* 1.0508K rounds up */
		{ 1536, "1.5K" },
		{ 4096, "4K" },
		{ 10752, "10.5K" },	/* one decimal at any magnitude, as lsblk */
		{ 135168, "132K" },
		{ 1048575, "1M" },	/* not util-linux's "1024K" */
		{ 1048576, "1M" },
		{ 134217728, "128M" },
		{ 1073741824, "1G" },
		{ 1610612736, "1.5G" },
		{ UINT64_C(1) << 40, "1T" },
		{ UINT64_C(1) << 50, "1P" },
		{ UINT64_C(1) << 60, "1E" },
		{ UINT64_MAX, "16E" },
	};
	static const struct {
		int64_t v;
		const char *want;
	} deltas[] = {
		{ 0, "0" },
		{ 1, "+1B" },
		{ -1, "-1B" },
		{ 1536, "+1.5K" },
		{ -4096, "-4K" },
		{ -1048575, "-1M" },
		{ INT64_MAX, "+8E" },
		{ INT64_MIN, "-8E" },
	};
	char buf[MS_SIZE_STR_MAX], small[3];
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		is_str(ms_size_str(sizes[i].v, buf, sizeof(buf)), sizes[i].want,
		       "ms_size_str(%" PRIu64 ") = %s", sizes[i].v, sizes[i].want);
	for (i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++)
		is_str(ms_size_delta_str(deltas[i].v, buf, sizeof(buf)), deltas[i].want,
		       "ms_size_delta_str(%" PRId64 ") = %s", deltas[i].v, deltas[i].want);
	is_str(ms_size_str(1536, small, sizeof(small)), "1.", "a short buffer truncates");
	is_str(ms_size_delta_str(-1536, small, sizeof(small)), "-1", "and so for deltas");
	ok(ms_size_str(1536, buf, sizeof(buf)) == buf, "returns its buffer");
}

/* Bytes as bytehist's tables and leakhunt's verdict write them. */
static void test_bytes(void)
{
	char buf[MS_BYTE_STR_MAX];

	is_str(ms_byte_str('T', 0, buf, sizeof(buf)), "0x54 'T'", "a printable byte in a table");
	is_str(ms_byte_str('T', MS_BYTE_SHORT, buf, sizeof(buf)), "'T'", "and in a sentence");
	is_str(ms_byte_str(' ', MS_BYTE_SHORT, buf, sizeof(buf)), "' '", "a space is printable");
	is_str(ms_byte_str('\'', MS_BYTE_SHORT, buf, sizeof(buf)), "0x27", "a quote is not shown quoted");
	is_str(ms_byte_str(0, 0, buf, sizeof(buf)), "0x00", "NUL");
	is_str(ms_byte_str(0xa5, MS_BYTE_SHORT, buf, sizeof(buf)), "0xa5", "high bytes in hex");
	is_str(ms_byte_str(0x7f, 0, buf, sizeof(buf)), "0x7f", "DEL in hex");
}

static void json_str_case(const char *in, const char *want, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ms_json_str(fp, in);
	fclose(fp);
	is_str(buf, want, "ms_json_str: %s", what);
	free(buf);
}

static void test_json_str(void)
{
	json_str_case(NULL, "null", "NULL is null");
	json_str_case("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	json_str_case("a\nb\x01", "\"a\\u000ab\\u0001\"", "control characters as \\u00XX");
	json_str_case("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"", "UTF-8 kept as it is");
	json_str_case("x\xffy", "\"x\\u00ffy\"", "a byte that is no UTF-8 escaped");
	json_str_case("\xc0\x80", "\"\\u00c0\\u0080\"", "an overlong form escaped");
	json_str_case("\xe2\x82", "\"\\u00e2\\u0082\"", "a cut sequence escaped");
}

/*
 * A table of hundreds of rows is laid out without libsmartcols' lines
 * (lib/output.c, print_plain()), with libsmartcols' widths: the same three
 * rows a hundred times must print as the three-row table libsmartcols lays
 * out, its rows repeated, with headings and without.
 */
static void test_long_table(void)
{
	static const unsigned flags[] = { 0, MS_OUT_NOHEADINGS, MS_OUT_BYTES };
	struct ms_out *o3, *o300;
	char *three, *many, *want;
	size_t i, k, len, head, fourth, at;
	int rc3, rc300;

	/*
	 * UTF-8 is measured by the locale's wcwidth(), as libsmartcols measures
	 * it (Debian always has C.UTF-8; in "C" the table is libsmartcols').
	 */
	setlocale(LC_CTYPE, "C.UTF-8");
	for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
		ms_out_new(ctx, cols, sizeof(cols) / sizeof(cols[0]), "mappings", &o3);
		ms_out_new(ctx, cols, sizeof(cols) / sizeof(cols[0]), "mappings", &o300);
		ms_out_set_columns(o3, ALL);
		ms_out_set_columns(o300, ALL);
		ms_out_set_flags(o3, flags[k]);
		ms_out_set_flags(o300, flags[k]);
		add_rows(o3);
		for (i = 0; i < 100; i++)
			add_rows(o300);
		/* A name in UTF-8, a sparkline's characters: one column each. */
		ms_out_set_str(ms_out_add_row(o3), C_NAME, "\u2581\u2583\u2588 tr\u00e8s");
		for (i = 0; i < 3; i++)
			ms_out_set_str(ms_out_add_row(o300), C_NAME, "\u2581\u2583\u2588 tr\u00e8s");
		three = render(o3, &rc3);
		many = render(o300, &rc300);
		/*
		 * Offsets in THREE: its rows start after the headings; the
		 * fourth, the UTF-8 one, after the third's newline.
		 */
		len = strlen(three);
		head = flags[k] & MS_OUT_NOHEADINGS ? 0 : strcspn(three, "\n") + 1;
		for (fourth = len - 1; fourth > head && three[fourth - 1] != '\n'; fourth--)
			;
		want = malloc(head + 100 * (fourth - head) + 3 * (len - fourth) + 1);
		memcpy(want, three, head);
		at = head;
		for (i = 0; i < 100; i++, at += fourth - head)
			memcpy(want + at, three + head, fourth - head);
		for (i = 0; i < 3; i++, at += len - fourth)
			memcpy(want + at, three + fourth, len - fourth);
		want[at] = '\0';
		ok(rc3 == 0 && rc300 == 0, "long table %zu: printed", k);
		is_str(many, want, "long table %zu: libsmartcols' layout, row for row", k);
		free(want);
		free(three);
		free(many);
		ms_out_free(o3);
		ms_out_free(o300);
	}
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	unsetenv("LIBSMARTCOLS_DEBUG");
	unsetenv("LIBSMARTCOLS_DEBUG_PADDING");
	unsetenv("LIBSMARTCOLS_JSON");
	ctx = ms_ctx_new();

	test_tables();
	test_json();
	test_json_str();
	test_long_table();
	test_keys();
	test_empty();
	test_narrow();
	test_columns();
	test_help();
	test_sizes();
	test_bytes();

	ms_ctx_free(ctx);
	return tap_done();
}
