// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tools' shared helpers (lib/cli.c): the watch clock, which skips the
 * slots a slow sample overran rather than chase them back to back, and the
 * command line quoted as a shell takes it back.  The truth is the clock
 * itself, read here, and sh(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <memsift/cli.h>

#include "tap.h"

static struct timespec ago(double s)
{
	struct timespec t;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &t);
	ns = (long long)t.tv_sec * 1000000000 + t.tv_nsec - (long long)(s * 1e9);
	t.tv_sec = (time_t)(ns / 1000000000);
	t.tv_nsec = (long)(ns % 1000000000);
	return t;
}

static void next_slot(void)
{
	const uint64_t sec = 1000000;
	struct timespec start = ago(10.5), next = start, now;
	uint64_t skipped;

	/* On time: the slot one interval on, none skipped. */
	start = ago(0);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, 10 * sec, 0);
	is_int((int)skipped, 0, "a sample on time skips no slot");
	is_int((int)ms_cli_usec_between(&start, &next), (int)(10 * sec), "the next slot is one interval on");

	/* 10.5 intervals behind: slots 1 to 10 are gone, slot 11 is next. */
	start = ago(10.5);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, sec, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	is_int((int)skipped, 10, "a sample 10.5 intervals late skips 10 slots");
	ok(ms_cli_usec_between(&now, &next) > 0, "the next slot is ahead of now");
	is_int((int)(ms_cli_usec_between(&start, &next) % (int64_t)sec), 0, "and on the grid");
	ok(ms_cli_usec_between(&now, &next) <= (int64_t)sec, "and at most one interval ahead");

	/* A duration of 5 intervals: slots 1 to 5 count as skipped, not 6 to 10. */
	start = ago(10.5);
	next = start;
	skipped = ms_cli_next_slot(&start, &next, sec, 5 * sec);
	is_int((int)skipped, 5, "only the slots within the duration count as skipped");
}

static void cmdline(void)
{
	char *const argv[] = { "leakhunt", "-p", "42", "-o", "a dir/it's", "--redact", "x|y", "" };
	char *s = ms_cli_cmdline(8, argv), cmd[512], got[512] = "";
	FILE *p;

	is_str(s, "leakhunt -p 42 -o 'a dir/it'\\''s' --redact 'x|y' ''", "quoted for a shell");
	/* sh gives the arguments back as they were. */
	snprintf(cmd, sizeof(cmd), "set -- %s; printf '[%%s]' \"$@\"", s);
	p = popen(cmd, "r");
	if (p && fgets(got, sizeof(got), p))
		is_str(got, "[leakhunt][-p][42][-o][a dir/it's][--redact][x|y][]", "sh reads it back");
	else
		ok(0, "sh reads it back");
	if (p)
		pclose(p);
	free(s);
}

int main(void)
{
	next_slot();
	cmdline();
	return tap_done();
}
