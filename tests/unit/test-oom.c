// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/oom.c over real kernel logs: the kills captured on this machine in
 * three forms (tests/fixtures/oom/memcg-v1.*), and other kernels' reports
 * quoted in public bug reports (tests/fixtures/oom/public/).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/oom.h>

#include "tap.h"

static struct ms_ctx *ctx;

static struct ms_oom_log *parse(const char *rel, int *rc)
{
	char path[4096];
	struct ms_oom_log *log = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/oom/%s", getenv("MS_FIXTURES"), rel);
	fp = fopen(path, "r");
	if (!fp) {
		*rc = -errno;
		return NULL;
	}
	*rc = ms_oom_parse(ctx, fp, rel, &log);
	fclose(fp);
	return log;
}

static struct ms_oom_log *parse_str(const char *text, int *rc)
{
	struct ms_oom_log *log = NULL;
	FILE *fp = fmemopen((void *)text, strlen(text), "r");

	*rc = ms_oom_parse(ctx, fp, "text", &log);
	fclose(fp);
	return log;
}

/* The two kills of capture.sh, whichever form the log took. */
static void check_capture(const char *file, const char *time1, const char *time2, bool secs)
{
	const struct ms_oom_report *r;
	const struct ms_oom_stats *st;
	struct ms_oom_log *log;
	int rc;

	log = parse(file, &rc);
	is_int(rc, 0, "%s: parses (%s)", file, ms_ctx_errmsg(ctx));
	if (rc)
		return;
	is_int(ms_oom_count(log), 2, "%s: two kills", file);
	st = ms_oom_stats(log);
	is_int(st->lines, 157, "%s: 157 lines", file);
	is_int(st->skipped, 0, "%s: no line skipped", file);
	is_int(st->truncated, 0, "%s: no report cut short", file);

	r = ms_oom_get(log, 0);
	is_int(r->first_line, 1, "%s: kill 1 begins on line 1", file);
	is_int(r->line, 78, "%s: kill 1 on line 78", file);
	is_str(r->time, time1, "%s: kill 1 time", file);
	is_int(!!(r->have & MS_OOM_HAVE_SECONDS), secs, "%s: seconds since boot or not", file);
	if (secs)
		ok(r->seconds > 8671.5828 && r->seconds < 8671.5829, "%s: kill 1 at 8671.582864 s",
		   file);
	is_str(r->invoker, "leaker", "%s: invoked by leaker", file);
	is_int(r->invoker_pid, 28747, "%s: invoker pid", file);
	is_int(r->pid, 28747, "%s: killed pid", file);
	is_str(r->name, "leaker", "%s: killed name", file);
	is_u64(r->total_vm, 35392 * 1024ULL, "%s: total-vm", file);
	is_u64(r->anon_rss, 32512 * 1024ULL, "%s: anon-rss", file);
	is_u64(r->file_rss, 1476 * 1024ULL, "%s: file-rss", file);
	is_u64(r->shmem_rss, 0, "%s: shmem-rss", file);
	is_int(r->oom_score_adj, 0, "%s: oom_score_adj", file);
	is_str(r->constraint, "MEMCG", "%s: constraint", file);
	ok(!r->global, "%s: not global", file);
	is_str(r->memcg, "/memsift-oom-28728", "%s: oom_memcg", file);
	is_str(r->task_memcg, "/memsift-oom-28728", "%s: task_memcg", file);
	ok(r->have & MS_OOM_HAVE_LIMIT, "%s: has a limit", file);
	is_u64(r->limit, 32ULL << 20, "%s: limit 32 MiB", file);
	is_u64(r->usage, 32ULL << 20, "%s: usage 32 MiB", file);
	is_u64(r->page_size, 4096, "%s: page size", file);
	is_int(r->tasks_listed, 1, "%s: kill 1: one task listed", file);
	is_int(r->tasks[0].pid, 28747, "%s: kill 1: the task", file);
	is_u64(r->tasks[0].rss, 8497 * 4096ULL, "%s: kill 1: its rss", file);
	is_u64(r->tasks[0].total_vm, 8848 * 4096ULL, "%s: kill 1: its total_vm", file);
	ok(r->tasks[0].split, "%s: kill 1: rss split (6.x columns)", file);
	is_u64(r->tasks[0].rss_anon, 8128 * 4096ULL, "%s: kill 1: its rss_anon", file);
	is_u64(r->tasks[0].rss_file, 369 * 4096ULL, "%s: kill 1: its rss_file", file);

	r = ms_oom_get(log, 1);
	is_int(r->first_line, 79, "%s: kill 2 begins on line 79", file);
	is_int(r->line, 157, "%s: kill 2 on line 157", file);
	is_str(r->time, time2, "%s: kill 2 time", file);
	is_int(r->pid, 28751, "%s: kill 2: pid", file);
	is_u64(r->shmem_rss, 12288 * 1024ULL, "%s: kill 2: shmem-rss (the memfd)", file);
	is_u64(r->anon_rss, 16000 * 1024ULL, "%s: kill 2: anon-rss", file);
	is_int(r->tasks_listed, 2, "%s: kill 2: two tasks listed", file);
	is_int(r->ntasks, 2, "%s: kill 2: both kept", file);
	is_int(r->tasks[0].pid, 28751, "%s: kill 2: the leaker first (largest)", file);
	is_u64(r->tasks[0].rss_shmem, 3072 * 4096ULL, "%s: kill 2: its rss_shmem", file);
	is_int(r->tasks[1].pid, 28749, "%s: kill 2: the bystander second", file);
	is_u64(r->tasks[1].rss, 1396 * 4096ULL, "%s: kill 2: the bystander's rss", file);
	ok(ms_oom_get(log, 2) == NULL, "%s: no third kill", file);
	ms_oom_log_free(log);
}

static void test_public(void)
{
	const struct ms_oom_report *r;
	const struct ms_oom_stats *st;
	struct ms_oom_log *log;
	int rc;

	log = parse("public/k8s-56891-rhel7-3.10.dmesg-T", &rc);
	is_int(rc, 0, "3.10 dmesg -T: parses");
	is_int(ms_oom_count(log), 1, "3.10: one kill");
	r = ms_oom_get(log, 0);
	is_int(r->pid, 28438, "3.10: the killed child, not the chosen parent");
	is_str(r->name, "java", "3.10: name");
	is_str(r->time, "Thu Dec  7 00:05:15 2017", "3.10: dmesg -T time");
	is_u64(r->anon_rss, 466160 * 1024ULL, "3.10: anon-rss");
	is_u64(r->file_rss, 13684 * 1024ULL, "3.10: file-rss");
	ok(!(r->have & MS_OOM_HAVE_SHMEM_RSS), "3.10: no shmem-rss before 4.9");
	is_str(r->constraint, "MEMCG", "3.10: memcg, from the Kill process line");
	ok(!strncmp(r->memcg, "/kubepods/pod95387fa4", 21), "3.10: cgroup from the stats line");
	is_int(r->tasks_listed, 1, "3.10: one task (nr_ptes columns)");
	is_u64(r->tasks[0].rss, 119961 * 4096ULL, "3.10: task rss");
	is_u64(r->tasks[0].swap, 136409 * 4096ULL, "3.10: task swap");
	is_int(r->tasks[0].oom_score_adj, -998, "3.10: negative oom_score_adj");
	ok(!r->tasks[0].split, "3.10: no rss split");
	st = ms_oom_stats(log);
	is_int(st->truncated, 1, "3.10: the second report is cut short");
	is_int(st->truncated_line, 6, "3.10: it began on line 6");
	ms_oom_log_free(log);

	log = parse("public/reportportal-k8s-203-ubuntu-5.4.dmesg", &rc);
	is_int(rc, 0, "5.4: parses");
	is_int(ms_oom_count(log), 1, "5.4: one kill");
	r = ms_oom_get(log, 0);
	is_int(r->pid, 63214, "5.4: pid");
	is_str(r->time, "7063.247407", "5.4: dmesg time");
	is_u64(r->shmem_rss, 92 * 1024ULL, "5.4: shmem-rss");
	is_int(r->oom_score_adj, 986, "5.4: oom_score_adj");
	ok(r->reaped, "5.4: reaped by oom_reaper");
	is_int(ms_oom_stats(log)->truncated, 1, "5.4: the next report is cut short");
	ms_oom_log_free(log);

	log = parse("public/reportportal-2103-global.dmesg", &rc);
	is_int(rc, 0, "global: parses");
	r = ms_oom_get(log, 0);
	is_int(r->pid, 13592, "global: pid");
	ok(r->global, "global: global_oom");
	is_str(r->constraint, "NONE", "global: CONSTRAINT_NONE");
	is_str(r->memcg, "", "global: no oom_memcg");
	ok(!strncmp(r->task_memcg, "/system.slice/docker-88625dd7", 29), "global: task_memcg");
	is_u64(r->anon_rss, 6827320 * 1024ULL, "global: anon-rss");
	ms_oom_log_free(log);

	log = parse("public/ltp-1080-rhel7-3.10-kills.syslog", &rc);
	is_int(rc, 0, "syslog: parses");
	is_int(ms_oom_count(log), 5, "syslog: five kills");
	r = ms_oom_get(log, 0);
	is_int(r->pid, 42452, "syslog: first kill, no report before it");
	is_str(r->time, "Aug 16 20:29:54", "syslog: time");
	ok((r->have & MS_OOM_HAVE_UID) && r->uid == 0, "syslog: \", UID 0,\" form");
	is_u64(r->file_rss, 164 * 1024ULL, "syslog: file-rss");
	r = ms_oom_get(log, 4);
	is_int(r->pid, 42468, "syslog: fifth kill");
	is_str(r->constraint, "MEMCG", "syslog: memcg from the Kill process line");
	ms_oom_log_free(log);

	log = parse("public/ltp-1080-rhel7-3.10-header.syslog", &rc);
	is_int(rc, 0, "syslog header only: parses");
	is_int(ms_oom_count(log), 0, "syslog header only: no kill");
	ms_oom_log_free(log);

	log = parse("public/ecs-4508-4.14.dmesg-T", &rc);
	is_int(rc, 0, "4.14: parses");
	is_int(ms_oom_count(log), 0, "4.14: the quote stops before the kill");
	is_int(ms_oom_stats(log)->skipped, 0, "4.14: nothing skipped");
	ms_oom_log_free(log);

	log = parse("public/moby-38352-4.19.syslog", &rc);
	is_int(rc, 0, "4.19: parses");
	is_int(ms_oom_count(log), 0, "4.19: no kill");
	is_int(ms_oom_stats(log)->truncated, 1, "4.19: one report cut short");
	ms_oom_log_free(log);
}

static void test_bad(void)
{
	struct ms_oom_log *log;
	char big[MS_OOM_LINE_MAX + 100];
	int rc;

	log = parse_str("", &rc);
	is_int(rc, -EBADMSG, "empty: -EBADMSG");
	is_str(ms_ctx_errmsg(ctx), "text: empty; is this dmesg or journalctl -k output?",
	       "empty: says so");
	ok(log == NULL, "empty: no log");

	log = parse_str("hello\nworld\n", &rc);
	is_int(rc, -EBADMSG, "prose: -EBADMSG");
	is_str(ms_ctx_errmsg(ctx),
	       "text: none of its 2 lines is a kernel log line; is this dmesg or journalctl -k output?",
	       "prose: says so");

	{
		FILE *fp = fmemopen((void *)"[ 1.0] a\nab\0cd\n", 15, "r");

		rc = ms_oom_parse(ctx, fp, "bin", &log);
		fclose(fp);
		is_int(rc, -EBADMSG, "NUL byte: -EBADMSG");
		is_str(ms_ctx_errmsg(ctx), "bin:2: binary data (a NUL byte); is this a kernel log?",
		       "NUL byte: names the line");
	}

	/* A kill line with an overflowing size keeps the rest and drops that field. */
	log = parse_str("[ 1.000000] Out of memory: Killed process 7 (a) b) total-vm:99999999999999999999kB, anon-rss:4kB, file-rss:0kB\n",
			&rc);
	is_int(rc, 0, "overflow: parses");
	if (!rc) {
		const struct ms_oom_report *r = ms_oom_get(log, 0);

		is_str(r->name, "a) b", "name with a parenthesis and a space");
		ok(!(r->have & MS_OOM_HAVE_TOTAL_VM), "overflowing total-vm dropped");
		is_u64(r->anon_rss, 4096, "anon-rss kept");
		ok(r->global, "Out of memory: global");
		ms_oom_log_free(log);
	}

	memset(big, 'x', sizeof(big) - 2);
	memcpy(big, "[ 1.000000] ", 12);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	{
		char *text = malloc(sizeof(big) + 200);

		snprintf(text, sizeof(big) + 200, "%s[ 2.000000] Killed process 9 (z) total-vm:4kB\n",
			 big);
		log = parse_str(text, &rc);
		free(text);
	}
	is_int(rc, 0, "long line: parses");
	if (!rc) {
		is_int(ms_oom_stats(log)->long_lines, 1, "long line: counted");
		is_int(ms_oom_count(log), 1, "long line: the next line still read");
		is_int(ms_oom_get(log, 0)->line, 2, "long line: line numbers still right");
		ms_oom_log_free(log);
	}

	/* More tasks than kept: the largest, in order. */
	{
		char text[4096];
		size_t n = 0;
		int i;

		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[ 1.0] x invoked oom-killer: gfp_mask=0x0\n"
				      "[ 1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n");
		for (i = 1; i <= 14; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "[ 1.0] [ %5d]     0 %5d     100 %8d    4096 0 0 t%d\n",
					      i, i, (i * 37) % 15, i);
		snprintf(text + n, sizeof(text) - n,
			 "[ 1.0] Memory cgroup out of memory: Killed process 3 (t3) total-vm:400kB, anon-rss:4kB, file-rss:0kB\n");
		log = parse_str(text, &rc);
		is_int(rc, 0, "14 tasks: parses");
		if (!rc) {
			const struct ms_oom_report *r = ms_oom_get(log, 0);

			is_int(r->tasks_listed, 14, "14 tasks listed");
			is_int(r->ntasks, MS_OOM_TASKS_MAX, "the largest kept");
			is_int(r->tasks[0].pid, 2, "largest first (rss 14 pages)");
			is_u64(r->tasks[0].rss, 14 * 4096ULL, "its rss");
			is_int(r->tasks[9].pid, 5, "tenth largest (rss 5 pages) last");
			ms_oom_log_free(log);
		}
	}
}

int main(void)
{
	ctx = ms_ctx_new();
	if (!getenv("MS_FIXTURES")) {
		printf("1..0 # SKIP MS_FIXTURES not set; run through make check\n");
		return 0;
	}
	check_capture("memcg-v1.dmesg", "8671.582864", "8671.619816", true);
	check_capture("memcg-v1.kmsg", "8671.582864", "8671.619816", true);
	check_capture("memcg-v1.dmesg-T", "Mon Nov 23 21:20:51 2026", "Mon Nov 23 21:20:51 2026",
		      false);
	test_public();
	test_bad();
	ms_ctx_free(ctx);
	return tap_done();
}
