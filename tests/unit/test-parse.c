// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ms_parse_*: what users type.  Each case is one TAP line.  A failing case
 * also checks the output was left untouched (it starts as a sentinel) and,
 * where given, that the message says the right thing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/ctx.h>
#include <memsift/parse.h>

#include "tap.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)
#define PID_SENTINEL ((pid_t)-77)

static struct ms_ctx *ctx;

/* S made fit for a TAP description: one line, no '#'. */
static const char *esc(const char *s)
{
	static char bufs[4][256];
	static int next;
	char *b = bufs[next++ % 4];
	size_t o = 0;

	for (; *s && o < sizeof(bufs[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == '#' || c == 0x7f)
			o += (size_t)snprintf(b + o, 5, "\\x%02x", c);
		else
			b[o++] = (char)c;
	}
	b[o] = '\0';
	return b;
}

static const char *ename(int err)
{
	switch (err) {
	case 0: return "0";
	case -EINVAL: return "-EINVAL";
	case -ERANGE: return "-ERANGE";
	case -ENOMEM: return "-ENOMEM";
	default: return "?";
	}
}

/* The message holds WANT (NULL: anything) and is one line. */
static int msg_has(const char *want)
{
	const char *m = ms_ctx_errmsg(ctx);

	return *m && !strchr(m, '\n') && (!want || strstr(m, want));
}

static void diag(int rc, uint64_t out)
{
	printf("#   rc %s, out 0x%" PRIx64 ", msg \"%s\"\n", ename(rc), out,
	       esc(ms_ctx_errmsg(ctx)));
}

static void pid_ok(const char *arg, pid_t want)
{
	pid_t v = PID_SENTINEL;
	int rc = ms_parse_pid(ctx, arg, &v);

	ok(rc == 0 && v == want, "pid \"%s\" is %d", esc(arg), (int)want);
	if (rc || v != want)
		diag(rc, (uint64_t)v);
}

static void pid_bad(const char *arg, int err, const char *msg)
{
	pid_t v = PID_SENTINEL;
	int rc = ms_parse_pid(ctx, arg, &v);
	int good = rc == err && v == PID_SENTINEL && msg_has(msg);

	ok(good, "pid \"%s\" fails with %s, untouched", esc(arg), ename(err));
	if (!good)
		diag(rc, (uint64_t)v);
}

static void addr_ok(const char *arg, uint64_t want)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_addr(ctx, arg, &v);

	ok(rc == 0 && v == want, "address \"%s\" is 0x%" PRIx64, esc(arg), want);
	if (rc || v != want)
		diag(rc, v);
}

static void addr_bad(const char *arg, int err, const char *msg)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_addr(ctx, arg, &v);
	int good = rc == err && v == SENTINEL && msg_has(msg);

	ok(good, "address \"%s\" fails with %s, untouched", esc(arg), ename(err));
	if (!good)
		diag(rc, v);
}

static void size_ok(const char *arg, uint64_t want)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_size(ctx, arg, &v);

	ok(rc == 0 && v == want, "size \"%s\" is %" PRIu64, esc(arg), want);
	if (rc || v != want)
		diag(rc, v);
}

static void size_bad(const char *arg, int err, const char *msg)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_size(ctx, arg, &v);
	int good = rc == err && v == SENTINEL && msg_has(msg);

	ok(good, "size \"%s\" fails with %s, untouched", esc(arg), ename(err));
	if (!good)
		diag(rc, v);
}

static void range_ok(const char *arg, uint64_t want_s, uint64_t want_e)
{
	uint64_t s = SENTINEL, e = SENTINEL;
	int rc = ms_parse_range(ctx, arg, &s, &e);
	int good = rc == 0 && s == want_s && e == want_e;

	ok(good, "range \"%s\" is 0x%" PRIx64 "-0x%" PRIx64, esc(arg), want_s, want_e);
	if (!good)
		printf("#   rc %s, got 0x%" PRIx64 "-0x%" PRIx64 ", msg \"%s\"\n",
		       ename(rc), s, e, esc(ms_ctx_errmsg(ctx)));
}

static void range_bad(const char *arg, int err, const char *msg)
{
	uint64_t s = SENTINEL, e = SENTINEL;
	int rc = ms_parse_range(ctx, arg, &s, &e);
	int good = rc == err && s == SENTINEL && e == SENTINEL && msg_has(msg);

	ok(good, "range \"%s\" fails with %s, untouched", esc(arg), ename(err));
	if (!good)
		printf("#   rc %s, got 0x%" PRIx64 "-0x%" PRIx64 ", msg \"%s\"\n",
		       ename(rc), s, e, esc(ms_ctx_errmsg(ctx)));
}

static void dur_ok(const char *arg, uint64_t want)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_duration(ctx, arg, &v);

	ok(rc == 0 && v == want, "duration \"%s\" is %" PRIu64 "us", esc(arg), want);
	if (rc || v != want)
		diag(rc, v);
}

static void dur_bad(const char *arg, int err, const char *msg)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_duration(ctx, arg, &v);
	int good = rc == err && v == SENTINEL && msg_has(msg);

	ok(good, "duration \"%s\" fails with %s, untouched", esc(arg), ename(err));
	if (!good)
		diag(rc, v);
}

static void count_ok(const char *arg, uint64_t min, uint64_t max, uint64_t want)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_count(ctx, arg, min, max, &v);

	ok(rc == 0 && v == want, "count \"%s\" in %" PRIu64 "..%" PRIu64 " is %" PRIu64,
	   esc(arg), min, max, want);
	if (rc || v != want)
		diag(rc, v);
}

static void count_bad(const char *arg, uint64_t min, uint64_t max, int err,
		      const char *msg)
{
	uint64_t v = SENTINEL;
	int rc = ms_parse_count(ctx, arg, min, max, &v);
	int good = rc == err && v == SENTINEL && msg_has(msg);

	ok(good, "count \"%s\" in %" PRIu64 "..%" PRIu64 " fails with %s, untouched",
	   esc(arg), min, max, ename(err));
	if (!good)
		diag(rc, v);
}

static void msg_is(const char *want)
{
	is_str(ms_ctx_errmsg(ctx), want, "message: %s", esc(want));
}

static void test_pid(void)
{
	pid_ok("1", 1);
	pid_ok("4242", 4242);
	pid_ok("4194304", MS_PID_MAX);
	pid_ok("00042", 42);
	pid_ok("010", 10);

	pid_bad("0", -ERANGE, "1 to 4194304");
	msg_is("pid \"0\" out of range; pids are 1 to 4194304");
	pid_bad("4194305", -ERANGE, NULL);
	pid_bad("99999999999999999999999", -ERANGE, NULL);
	pid_bad("-1", -EINVAL, "no sign");
	msg_is("bad pid \"-1\": no sign allowed; use a decimal pid from 1 to 4194304");
	pid_bad("+1", -EINVAL, "no sign");
	pid_bad("", -EINVAL, "empty");
	msg_is("bad pid \"\": empty; use a decimal pid from 1 to 4194304");
	pid_bad(" 42", -EINVAL, "whitespace");
	pid_bad("42 ", -EINVAL, "whitespace");
	pid_bad("42\n", -EINVAL, "\"42\\x0a\"");
	pid_bad("42a", -EINVAL, NULL);
	msg_is("bad pid \"42a\": unexpected \"a\" after the number; use a decimal pid from 1 to 4194304");
	pid_bad("0x10", -EINVAL, "unexpected \"x10\"");
	pid_bad("1.0", -EINVAL, NULL);
	pid_bad("abc", -EINVAL, "not a decimal number");
	pid_bad("1,2", -EINVAL, NULL);
}

static void test_pids(void)
{
	pid_t *pids = NULL, *before;
	size_t n = 0;
	int rc;

	rc = ms_parse_pids(ctx, "42", &pids, &n);
	ok(rc == 0 && n == 1 && pids && pids[0] == 42, "pids \"42\" gives one pid");

	rc = ms_parse_pids(ctx, "1 2,3, 4 ,5\t6\n7", &pids, &n);
	ok(rc == 0 && n == 8 && pids[0] == 42 && pids[1] == 1 && pids[4] == 4 &&
	   pids[7] == 7, "pids with spaces, commas, tabs and newlines append after the first");

	rc = ms_parse_pids(ctx, "  9 9 , ,4194304\n", &pids, &n);
	ok(rc == 0 && n == 11 && pids[8] == 9 && pids[9] == 9 && pids[10] == MS_PID_MAX,
	   "pids keep duplicates; separator runs and padding are fine");

	before = pids;
	rc = ms_parse_pids(ctx, "5 6x 7", &pids, &n);
	ok(rc == -EINVAL && pids == before && n == 11 && pids[10] == MS_PID_MAX,
	   "pids with a bad item fail with -EINVAL, array untouched");
	is_str(ms_ctx_errmsg(ctx),
	       "bad pid \"6x\": unexpected \"x\" after the number; use a decimal pid from 1 to 4194304",
	       "pids: message names the bad item only");

	rc = ms_parse_pids(ctx, "5 0", &pids, &n);
	ok(rc == -ERANGE && pids == before && n == 11, "pids \"5 0\" fail with -ERANGE, untouched");
	rc = ms_parse_pids(ctx, "5,4194305", &pids, &n);
	ok(rc == -ERANGE && pids == before && n == 11,
	   "pids \"5,4194305\" fail with -ERANGE, untouched");
	rc = ms_parse_pids(ctx, "5,-1", &pids, &n);
	ok(rc == -EINVAL && pids == before && n == 11, "pids \"5,-1\" fail with -EINVAL, untouched");

	rc = ms_parse_pids(ctx, "", &pids, &n);
	ok(rc == -EINVAL && pids == before && n == 11, "pids \"\" (pidof found none) fail, untouched");
	is_str(ms_ctx_errmsg(ctx),
	       "bad pid list \"\": no pids in it; give one or more pids separated by spaces or commas",
	       "pids: message for an empty list");
	rc = ms_parse_pids(ctx, " ,\n, ", &pids, &n);
	ok(rc == -EINVAL && pids == before && n == 11 && msg_has("\" ,\\x0a, \""),
	   "pids of separators only fail, untouched, message on one line");
	free(pids);

	pids = NULL;
	n = 0;
	rc = ms_parse_pids(ctx, "", &pids, &n);
	ok(rc == -EINVAL && pids == NULL && n == 0, "pids \"\" into a NULL array leave it NULL");
}

static void test_addr(void)
{
	addr_ok("7f3a1c000000", UINT64_C(0x7f3a1c000000));
	addr_ok("0x7f3a1c000000", UINT64_C(0x7f3a1c000000));
	addr_ok("0X7F3A1C000000", UINT64_C(0x7f3a1c000000));
	addr_ok("1000", 0x1000);
	addr_ok("0", 0);
	addr_ok("0x0", 0);
	addr_ok("ffffffffffffffff", UINT64_MAX);
	addr_ok("0xffffffffffffffff", UINT64_MAX);
	addr_ok("0x0000000000000000ffffffffffffffff", UINT64_MAX);
	addr_ok("ffffffffff600000", UINT64_C(0xffffffffff600000));
	addr_ok("0b1", 0xb1);

	addr_bad("0x1ffffffffffffffff", -ERANGE, NULL);
	msg_is("address \"0x1ffffffffffffffff\" overflows 64 bits");
	addr_bad("ffffffffffffffffff", -ERANGE, "overflows 64 bits");
	addr_bad("10000000000000000", -ERANGE, NULL);
	addr_bad("", -EINVAL, "empty");
	addr_bad("0x", -EINVAL, NULL);
	msg_is("bad address \"0x\": no digits after \"0x\"; addresses are hex, as in 7f3a1c000000 or 0x7f3a1c000000");
	addr_bad("0X", -EINVAL, "no digits");
	addr_bad("x10", -EINVAL, "not a hex number");
	addr_bad("zz", -EINVAL, "not a hex number");
	addr_bad("-1", -EINVAL, "no sign");
	addr_bad("+1000", -EINVAL, "no sign");
	addr_bad("0x-1", -EINVAL, NULL);
	addr_bad(" 1000", -EINVAL, "whitespace");
	addr_bad("1000 ", -EINVAL, "whitespace");
	addr_bad("7f3a1c00000g", -EINVAL, "unexpected \"g\"");
	addr_bad("0x0x10", -EINVAL, NULL);
	addr_bad("1.5", -EINVAL, NULL);
	addr_bad("7f3a1c000000-7f3a1c021000", -EINVAL, "unexpected \"-7f3a1c021000\"");
}

static void test_size(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("010", 10);
	size_ok("1B", 1);
	size_ok("1b", 1);
	size_ok("1K", 1024);
	size_ok("1k", 1024);
	size_ok("1KB", 1024);
	size_ok("1kb", 1024);
	size_ok("1KiB", 1024);
	size_ok("1kib", 1024);
	size_ok("1KIB", 1024);
	size_ok("131072K", 134217728);
	size_ok("131072kB", 134217728);
	size_ok("128M", 134217728);
	size_ok("128MiB", 134217728);
	size_ok("128mb", 134217728);
	size_ok("1G", UINT64_C(1) << 30);
	size_ok("2GiB", UINT64_C(2) << 30);
	size_ok("1T", UINT64_C(1) << 40);
	size_ok("3tb", UINT64_C(3) << 40);
	size_ok("0x1000", 4096);
	size_ok("0X1000", 4096);
	size_ok("0x10K", 16384);
	size_ok("0x10kib", 16384);
	size_ok("0x10B", 0x10b);
	size_ok("1.5M", 1572864);
	size_ok("0.5K", 512);
	size_ok("0.25G", UINT64_C(1) << 28);
	size_ok("0.1K", 102);
	size_ok("1.5", 1);
	size_ok("1.999999999999b", 1);
	size_ok("15.99999999999999999999T", (UINT64_C(16) << 40) - 1);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("18446744073709551615.999B", UINT64_MAX);
	size_ok("0xffffffffffffffff", UINT64_MAX);
	size_ok("16777215T", UINT64_MAX - ((UINT64_C(1) << 40) - 1));
	size_ok("16777215.99999999999999999999T", UINT64_MAX);
	size_ok("17179869183G", UINT64_MAX - ((UINT64_C(1) << 30) - 1));

	size_bad("12Q", -EINVAL, NULL);
	msg_is("bad size \"12Q\": unknown suffix \"Q\"; use K, M, G or T (binary: 1K = 1024)");
	size_bad("18446744073709551616", -ERANGE, NULL);
	msg_is("size \"18446744073709551616\" overflows 64 bits");
	size_bad("16777216T", -ERANGE, NULL);
	size_bad("17179869184G", -ERANGE, NULL);
	size_bad("16777216.0T", -ERANGE, NULL);
	size_bad("0x10000000000000000", -ERANGE, NULL);
	size_bad("0x1000000000000000K", -ERANGE, NULL);
	size_bad("", -EINVAL, "empty");
	size_bad("-1", -EINVAL, "no sign");
	size_bad("+1K", -EINVAL, "no sign");
	size_bad(" 1K", -EINVAL, "whitespace");
	size_bad("1K ", -EINVAL, "whitespace");
	size_bad("1 K", -EINVAL, "whitespace");
	size_bad("K", -EINVAL, "not a number");
	size_bad("0x", -EINVAL, "no digits after \"0x\"");
	size_bad("1.K", -EINVAL, "no digits after \".\"");
	size_bad(".5M", -EINVAL, "not a number");
	size_bad("1..5M", -EINVAL, NULL);
	size_bad("0x1.5K", -EINVAL, "unknown suffix \".5K\"");
	size_bad("1KK", -EINVAL, "unknown suffix \"KK\"");
	size_bad("1KiBs", -EINVAL, NULL);
	size_bad("1e6", -EINVAL, "unknown suffix \"e6\"");
	size_bad("1P", -EINVAL, NULL);
	size_bad("1i", -EINVAL, NULL);
	size_bad("1Q\"\\\x01", -EINVAL, "unknown suffix \"Q\\\"\\\\\\x01\"");
}

static void test_range(void)
{
	range_ok("7f3a1c000000-7f3a1c021000", UINT64_C(0x7f3a1c000000),
		 UINT64_C(0x7f3a1c021000));
	range_ok("0x7f3a1c000000-0x7f3a1c021000", UINT64_C(0x7f3a1c000000),
		 UINT64_C(0x7f3a1c021000));
	range_ok("0xc000000000+128M", UINT64_C(0xc000000000), UINT64_C(0xc008000000));
	range_ok("7f3a1c000000+0x21000", UINT64_C(0x7f3a1c000000),
		 UINT64_C(0x7f3a1c021000));
	range_ok("1000+4096", 0x1000, 0x2000);
	range_ok("0-1", 0, 1);
	range_ok("0+1", 0, 1);
	range_ok("0-ffffffffffffffff", 0, UINT64_MAX);
	range_ok("fffffffffffffffe-ffffffffffffffff", UINT64_MAX - 1, UINT64_MAX);
	range_ok("fffffffffffff000+0xfff", UINT64_C(0xfffffffffffff000), UINT64_MAX);
	range_ok("ffffffffff600000-ffffffffff601000", UINT64_C(0xffffffffff600000),
		 UINT64_C(0xffffffffff601000));

	range_bad("10-5", -EINVAL, NULL);
	msg_is("bad range \"10-5\": end 5 is not above start 10; the end is exclusive, as in /proc/PID/maps");
	range_bad("10-10", -EINVAL, "not above");
	range_bad("10+0", -EINVAL, "length is 0");
	range_bad("fffffffffffff000+0x1000", -ERANGE, NULL);
	msg_is("range \"fffffffffffff000+0x1000\" overflows 64 bits");
	range_bad("ffffffffffffffff+1", -ERANGE, NULL);
	range_bad("1+16777216T", -ERANGE, NULL);
	range_bad("1ffffffffffffffff-2ffffffffffffffff", -ERANGE, NULL);
	range_bad("0-10000000000000000", -ERANGE, NULL);
	range_bad("", -EINVAL, "empty");
	range_bad("10", -EINVAL, NULL);
	msg_is("bad range \"10\": no \"-\" or \"+\"; use START-END or START+LENGTH, as in 7f3a1c000000-7f3a1c021000 or 0xc000000000+128M");
	range_bad("10-", -EINVAL, "nothing after \"-\"");
	range_bad("10+", -EINVAL, "nothing after \"+\"");
	range_bad("-10", -EINVAL, "no sign");
	range_bad("+10", -EINVAL, "no sign");
	range_bad("7f3a1c000000-zz", -EINVAL, NULL);
	msg_is("bad range \"7f3a1c000000-zz\": end \"zz\": not a hex number; addresses are hex, as in 7f3a1c000000 or 0x7f3a1c000000");
	range_bad("zz-10", -EINVAL, "start \"zz\": not a hex number");
	range_bad("10+12Q", -EINVAL, "length \"12Q\": unknown suffix \"Q\"");
	range_bad("0x-10", -EINVAL, "start \"0x\": no digits");
	range_bad("10--20", -EINVAL, "end \"-20\": no sign");
	range_bad("10-+20", -EINVAL, "end \"+20\": no sign");
	range_bad("10-20-30", -EINVAL, "unexpected \"-30\"");
	range_bad(" 10-20", -EINVAL, "whitespace");
	range_bad("10-20 ", -EINVAL, "whitespace");
	range_bad("10 - 20", -EINVAL, "whitespace");
	range_bad("10-20\n30-40", -EINVAL, "\"10-20\\x0a30-40\"");
}

static void test_duration(void)
{
	const uint64_t s = 1000000;

	dur_ok("0", 0);
	dur_ok("0s", 0);
	dur_ok("0ms", 0);
	dur_ok("5", 5 * s);
	dur_ok("90", 90 * s);
	dur_ok("5s", 5 * s);
	dur_ok("500ms", 500000);
	dur_ok("250us", 250);
	dur_ok("2m", 120 * s);
	dur_ok("1h", 3600 * s);
	dur_ok("1d", 86400 * s);
	dur_ok("1m30s", 90 * s);
	dur_ok("1h30m", 5400 * s);
	dur_ok("1s500ms", 1500000);
	dur_ok("1d2h3m4s5ms6us", (86400 + 7200 + 180 + 4) * s + 5006);
	dur_ok("1.5s", 1500000);
	dur_ok("0.5", 500000);
	dur_ok("1.5ms", 1500);
	dur_ok("1.0000009s", 1000000);
	dur_ok("0.5us", 0);
	dur_ok("1.5h", 5400 * s);
	dur_ok("18446744073709551615us", UINT64_MAX);
	dur_ok("213503982d", UINT64_C(213503982) * 86400 * s);
	dur_ok("213503982d8h", UINT64_C(213503982) * 86400 * s + 8 * 3600 * s);

	dur_bad("18446744073709551616us", -ERANGE, NULL);
	msg_is("duration \"18446744073709551616us\" overflows 64 bits of microseconds (about 584,000 years)");
	dur_bad("18446744073709551615", -ERANGE, NULL);
	dur_bad("18446744073709551615s", -ERANGE, NULL);
	dur_bad("213503983d", -ERANGE, NULL);
	dur_bad("213503982d9h", -ERANGE, NULL);
	dur_bad("", -EINVAL, "empty");
	dur_bad(" 5s", -EINVAL, "whitespace");
	dur_bad("5s ", -EINVAL, "whitespace");
	dur_bad("1m 30s", -EINVAL, "whitespace");
	dur_bad("-5s", -EINVAL, "no sign");
	dur_bad("+5", -EINVAL, "no sign");
	dur_bad("5x", -EINVAL, NULL);
	msg_is("bad duration \"5x\": unknown unit \"x\"; use a number and a unit (d, h, m, s, ms, us), as in 500ms or 1m30s");
	dur_bad("5S", -EINVAL, "unknown unit \"S\"");
	dur_bad("5M", -EINVAL, "unknown unit \"M\"");
	dur_bad("5min", -EINVAL, "unknown unit \"min\"");
	dur_bad("5sm", -EINVAL, "unknown unit \"sm\"");
	dur_bad("1m30", -EINVAL, "no unit after \"1m30\"");
	dur_bad("30s1m", -EINVAL, "out of order");
	dur_bad("1s1s", -EINVAL, "repeated");
	dur_bad("500ms1s", -EINVAL, "out of order");
	dur_bad("s", -EINVAL, "expected a number at \"s\"");
	dur_bad("ms", -EINVAL, NULL);
	dur_bad("1.s", -EINVAL, "no digits after \".\"");
	dur_bad(".5s", -EINVAL, NULL);
	dur_bad("1m.5s", -EINVAL, "expected a number at \".5s\"");
	dur_bad("0x10s", -EINVAL, "unknown unit \"x\"");
}

static void test_count(void)
{
	count_ok("1", 1, 100, 1);
	count_ok("100", 1, 100, 100);
	count_ok("42", 1, 100, 42);
	count_ok("007", 1, 100, 7);
	count_ok("0", 0, 0, 0);
	count_ok("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);

	count_bad("0", 1, 100, -ERANGE, NULL);
	msg_is("number \"0\" out of range; use a decimal number from 1 to 100");
	count_bad("101", 1, 100, -ERANGE, "from 1 to 100");
	count_bad("18446744073709551616", 0, UINT64_MAX, -ERANGE,
		  "from 0 to 18446744073709551615");
	count_bad("99999999999999999999999", 1, 100, -ERANGE, NULL);
	count_bad("", 1, 100, -EINVAL, "empty");
	count_bad("-1", 1, 100, -EINVAL, NULL);
	msg_is("bad number \"-1\": no sign allowed; use a decimal number from 1 to 100");
	count_bad("+5", 1, 100, -EINVAL, "no sign");
	count_bad(" 5", 1, 100, -EINVAL, "whitespace");
	count_bad("5 ", 1, 100, -EINVAL, "whitespace");
	count_bad("5k", 1, 100, -EINVAL, "unexpected \"k\"");
	count_bad("0x10", 1, 100, -EINVAL, NULL);
	count_bad("1.5", 1, 100, -EINVAL, NULL);
	count_bad("ten", 1, 100, -EINVAL, "not a decimal number");
	count_bad("5", 10, 1, -ERANGE, NULL);
}

/* A long argument is cut short in the message, which stays one line. */
static void test_messages(void)
{
	char arg[300];
	uint64_t v = SENTINEL;
	const char *m;

	memset(arg, '7', sizeof(arg) - 2);
	arg[sizeof(arg) - 2] = 'Q';
	arg[sizeof(arg) - 1] = '\0';
	ms_parse_size(ctx, arg, &v);
	m = ms_ctx_errmsg(ctx);
	ok(v == SENTINEL && strlen(m) < 200 && strstr(m, "...\": unknown suffix \"Q\""),
	   "a long argument is cut with ... in the message");
	if (strlen(m) >= 200 || !strstr(m, "..."))
		printf("#   msg \"%s\"\n", esc(m));
}

int main(void)
{
	ctx = ms_ctx_new();
	if (!ctx) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	test_pid();
	test_pids();
	test_addr();
	test_size();
	test_range();
	test_duration();
	test_count();
	test_messages();
	ms_ctx_free(ctx);
	return tap_done();
}
