// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel OOM-killer reports from the kernel log (see <memsift/oom.h>).
 * The messages come from mm/oom_kill.c (dump_header, dump_task,
 * dump_oom_summary, __oom_kill_process) and mm/memcontrol.c
 * (mem_cgroup_print_oom_meminfo, mem_cgroup_print_oom_context).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include <memsift/oom.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "util.h"

struct ms_oom_log {
	struct ms_oom_report *v;
	size_t n, cap;
	struct ms_oom_stats st;
};

/* Task list columns we use; the others are read past. */
enum { C_UID, C_TGID, C_TOTAL_VM, C_RSS, C_RSS_ANON, C_RSS_FILE, C_RSS_SHMEM,
       C_SWAPENTS, C_ADJ, C_OTHER };
#define MAX_COLS 24

struct parser {
	struct ms_ctx *ctx;
	const char *name;
	unsigned long lineno;
	struct ms_oom_log *log;
	struct ms_oom_report cur;
	bool open;		/* cur began with "invoked oom-killer" */
	bool memcg_kill;	/* "Memory cgroup out of memory: Kill process" seen */
	int cols[MAX_COLS];	/* the task list's numeric columns, in order */
	int ncols;		/* 0: no header seen for this report */
	bool recognised;	/* some line was a kernel log line */
	char time[MS_OOM_TIME_MAX];
	double seconds;
	bool have_seconds;
};

/* Copy at most LEN bytes of S into DST of SIZE, cut to fit, always terminated;
 * control bytes become '?' so a table or terminal never gets them. */
static void copy_str(char *dst, size_t size, const char *s, size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	dst[len] = '\0';
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Digits at *P into *V; false on none or overflow.  Advances *P. */
static bool get_u64(const char **p, uint64_t *v)
{
	return ms_scan_u64(p, NULL, v);
}

static bool get_s64(const char **p, int64_t *v)
{
	bool neg = **p == '-';
	const char *s = *p + neg;
	uint64_t x;

	if (!get_u64(&s, &x) || x > (uint64_t)INT64_MAX)
		return false;
	*p = s;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return true;
}

/* "KEYNkB" somewhere in S (KEY includes its ':' or ' '): bytes into *V. */
static bool get_kb(const char *s, const char *key, uint64_t *v)
{
	const char *p = strstr(s, key);
	uint64_t kb;

	if (!p)
		return false;
	p += strlen(key);
	if (!get_u64(&p, &kb) || strncmp(p, "kB", 2) != 0 || kb > UINT64_MAX / 1024)
		return false;
	*v = kb * 1024;
	return true;
}

static bool is_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t i;

	for (i = 0; i < 36; i += 3)
		if (strncmp(s, months + i, 3) == 0)
			return true;
	return false;
}

/* "[ 8671.582864]": seconds since boot into the parser's time. */
static const char *strip_boot_stamp(struct parser *ps, const char *s)
{
	const char *p = s + 1, *start;
	uint64_t sec, usec;

	while (*p == ' ')
		p++;
	start = p;
	if (!get_u64(&p, &sec) || *p != '.')
		return NULL;
	p++;
	if (!get_u64(&p, &usec) || *p != ']')
		return NULL;
	copy_str(ps->time, sizeof(ps->time), start, (size_t)(p - start));
	ps->seconds = strtod(start, NULL);
	ps->have_seconds = true;
	p++;
	return *p == ' ' ? p + 1 : p;
}

/*
 * Take off whatever the log's form put before the kernel's message and keep
 * the time it gave.  Returns the message, or NULL when the line has no
 * prefix of a known form (then it may still be a bare message).
 */
static const char *strip_prefix(struct parser *ps, const char *s)
{
	const char *p, *q;
	bool prio = false;
	uint64_t x, usec;

	ps->time[0] = '\0';
	ps->have_seconds = false;

	/* /dev/kmsg: "PRIO,SEQ,USEC,FLAGS;message" */
	p = s;
	if (get_u64(&p, &x) && *p++ == ',' && get_u64(&p, &x) && *p++ == ',' &&
	    get_u64(&p, &usec) && *p == ',' && (q = strchr(p, ';')) != NULL) {
		snprintf(ps->time, sizeof(ps->time), "%llu.%06llu",
			 (unsigned long long)(usec / 1000000),
			 (unsigned long long)(usec % 1000000));
		ps->seconds = (double)usec / 1e6;
		ps->have_seconds = true;
		return q + 1;
	}

	/* klogctl and dmesg -r: "<4>" before the rest */
	p = s;
	if (*p == '<') {
		p++;
		if (get_u64(&p, &x) && *p == '>') {
			s = p + 1;
			prio = true;
		}
	}

	if (*s == '[') {
		/* dmesg: "[ 8671.582864] " */
		p = strip_boot_stamp(ps, s);
		if (p)
			return p;
		/* dmesg -T: "[Thu Dec  7 00:05:15 2017] " */
		q = strchr(s, ']');
		if (q && q - s >= 20 && q - s < MS_OOM_TIME_MAX && isalpha((unsigned char)s[1]) &&
		    is_month(s + 5) && memchr(s, ':', (size_t)(q - s))) {
			copy_str(ps->time, sizeof(ps->time), s + 1, (size_t)(q - s - 1));
			return q[1] == ' ' ? q + 2 : q + 1;
		}
		return prio ? s : NULL;
	}

	/* syslog and journalctl -k: "Dec 11 10:49:37 host kernel: ", or with
	 * journalctl -o short-iso "2026-11-23T21:19:22+0000 host kernel: " */
	if (is_month(s) && s[3] == ' ' && strnlen(s, 16) == 16 && s[9] == ':' && s[12] == ':')
		copy_str(ps->time, sizeof(ps->time), s, 15);
	else if (isdigit((unsigned char)s[0]) && strnlen(s, 11) == 11 && s[4] == '-' &&
		 s[10] == 'T')
		copy_str(ps->time, sizeof(ps->time), s, strcspn(s, " "));
	else
		return prio ? s : NULL;
	p = strstr(s, " kernel: ");
	if (!p) {
		ps->time[0] = '\0';
		return NULL;
	}
	p += strlen(" kernel: ");
	/* Some syslog daemons keep printk's stamp too: keep the wall-clock time
	 * the user reads in TIME, and the seconds since boot beside it. */
	if (*p == '[') {
		char wall[MS_OOM_TIME_MAX];

		memcpy(wall, ps->time, sizeof(wall));
		q = strip_boot_stamp(ps, p);
		memcpy(ps->time, wall, sizeof(wall));
		if (q)
			return q;
	}
	return p;
}

static void report_reset(struct parser *ps)
{
	memset(&ps->cur, 0, sizeof(ps->cur));
	ps->open = false;
	ps->memcg_kill = false;
	ps->ncols = 0;
}

static void begin_report(struct parser *ps, const char *msg, const char *at)
{
	if (ps->open) {
		ps->log->st.truncated++;
		if (!ps->log->st.truncated_line)
			ps->log->st.truncated_line = ps->cur.first_line;
	}
	report_reset(ps);
	ps->open = true;
	ps->cur.first_line = ps->lineno;
	copy_str(ps->cur.invoker, sizeof(ps->cur.invoker), msg, (size_t)(at - msg));
}

/* "CPU: 1 UID: 0 PID: 28747 Comm: leaker ..." */
static void parse_cpu(struct parser *ps, const char *msg)
{
	const char *p = strstr(msg, " PID: ");
	uint64_t pid;

	if (p) {
		p += 6;
		if (get_u64(&p, &pid))
			ps->cur.invoker_pid = pid;
	}
}

/* The task list's header: "[  pid  ]   uid  tgid total_vm      rss ... name". */
static bool parse_header(struct parser *ps, const char *msg)
{
	static const struct { const char *name; int col; } known[] = {
		{ "uid", C_UID }, { "tgid", C_TGID }, { "total_vm", C_TOTAL_VM },
		{ "rss", C_RSS }, { "rss_anon", C_RSS_ANON }, { "rss_file", C_RSS_FILE },
		{ "rss_shmem", C_RSS_SHMEM }, { "swapents", C_SWAPENTS },
		{ "oom_score_adj", C_ADJ },
	};
	const char *p = strchr(msg, ']');
	int n = 0;
	bool rss = false;

	if (!p)
		return false;
	p++;
	for (;;) {
		size_t len, i;
		int col = C_OTHER;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (!len)
			break;
		if (len == 4 && !strncmp(p, "name", 4) && p[4] == '\0')
			break;
		for (i = 0; i < MS_ARRAY_SIZE(known); i++)
			if (strlen(known[i].name) == len && !strncmp(p, known[i].name, len))
				col = known[i].col;
		if (n == MAX_COLS)
			return false;
		rss |= col == C_RSS;
		ps->cols[n++] = col;
		p += len;
	}
	if (!rss || strcmp(p, "name") != 0)
		return false;
	ps->ncols = n;
	return true;
}

/* Keep the MS_OOM_TASKS_MAX largest by rss, largest first. */
static void keep_task(struct ms_oom_report *r, const struct ms_oom_task *t)
{
	size_t i = r->ntasks;

	r->tasks_listed++;
	if (i == MS_OOM_TASKS_MAX) {
		if (t->rss <= r->tasks[i - 1].rss)
			return;
		i--;
	} else {
		r->ntasks++;
	}
	while (i > 0 && r->tasks[i - 1].rss < t->rss) {
		r->tasks[i] = r->tasks[i - 1];
		i--;
	}
	r->tasks[i] = *t;
}

/* A row: "[  28747]     0 28747     8848     8497 ... leaker".  Sizes in pages
 * until the report ends and the page size is known. */
static bool parse_task(struct parser *ps, const char *msg)
{
	struct ms_oom_task t = { 0 };
	const char *p = msg + 1;
	int i;

	while (*p == ' ')
		p++;
	if (!get_u64(&p, &t.pid) || *p != ']')
		return false;
	p++;
	for (i = 0; i < ps->ncols; i++) {
		int64_t v;

		if (*p != ' ')
			return false;
		while (*p == ' ')
			p++;
		if (!get_s64(&p, &v))
			return false;
		if (v < 0 && ps->cols[i] != C_ADJ)
			return false;
		switch (ps->cols[i]) {
		case C_UID:		t.uid = (uint64_t)v; break;
		case C_TOTAL_VM:	t.total_vm = (uint64_t)v; break;
		case C_RSS:		t.rss = (uint64_t)v; break;
		case C_RSS_ANON:	t.rss_anon = (uint64_t)v; t.split = true; break;
		case C_RSS_FILE:	t.rss_file = (uint64_t)v; break;
		case C_RSS_SHMEM:	t.rss_shmem = (uint64_t)v; break;
		case C_SWAPENTS:	t.swap = (uint64_t)v; break;
		case C_ADJ:		t.oom_score_adj = v; break;
		default:		break;
		}
	}
	if (*p != ' ')
		return false;
	while (*p == ' ')
		p++;
	copy_str(t.name, sizeof(t.name), p, strlen(p));
	keep_task(&ps->cur, &t);
	return true;
}

/* VALUE of ",KEY=VALUE" in an oom-kill: line, up to the next comma. */
static void kv(const char *msg, const char *key, char *dst, size_t size)
{
	const char *p = strstr(msg, key);

	if (!p)
		return;
	p += strlen(key);
	copy_str(dst, size, p, strcspn(p, ","));
}

/* "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,
 *  oom_memcg=/x,task_memcg=/x,task=leaker,pid=28747,uid=0" (4.19 and later) */
static void parse_summary(struct parser *ps, const char *msg)
{
	struct ms_oom_report *r = &ps->cur;
	char c[40] = "";
	size_t len;

	kv(msg, "constraint=", c, sizeof(c));
	copy_str(r->constraint, sizeof(r->constraint), c + (starts(c, "CONSTRAINT_") ? 11 : 0),
		 strlen(c + (starts(c, "CONSTRAINT_") ? 11 : 0)));
	kv(msg, ",oom_memcg=", r->memcg, sizeof(r->memcg));
	kv(msg, ",task_memcg=", r->task_memcg, sizeof(r->task_memcg));
	len = strlen(msg);
	if (strstr(msg, ",global_oom,") ||
	    (len >= 11 && !strcmp(msg + len - 11, ",global_oom")))
		r->global = true;
	ps->ncols = 0;
}

/* Infer the task list's page size from the victim's row and its kill line
 * ("memory values in pages"; not always 4 KiB: arm64 and ppc64 use 64 KiB). */
static void finish_pages(struct ms_oom_report *r)
{
	const unsigned mask = MS_OOM_HAVE_ANON_RSS | MS_OOM_HAVE_FILE_RSS;
	uint64_t ps = 4096, kb;
	size_t i;

	for (i = 0; i < r->ntasks; i++) {
		const struct ms_oom_task *t = &r->tasks[i];

		if (t->pid != r->pid || !t->rss || (r->have & mask) != mask)
			continue;
		kb = r->anon_rss + r->file_rss + r->shmem_rss;
		if (kb % t->rss == 0) {
			uint64_t guess = kb / t->rss;

			if (guess >= 4096 && guess <= 65536 && !(guess & (guess - 1)))
				ps = guess;
		}
	}
	r->page_size = ps;
	for (i = 0; i < r->ntasks; i++) {
		struct ms_oom_task *t = &r->tasks[i];

		/* Page counts come from the kernel's unsigned long: no overflow at 64 KiB
		 * below 2^48 pages; beyond that saturate rather than wrap. */
		t->total_vm = t->total_vm > UINT64_MAX / ps ? UINT64_MAX : t->total_vm * ps;
		t->rss = t->rss > UINT64_MAX / ps ? UINT64_MAX : t->rss * ps;
		t->rss_anon = t->rss_anon > UINT64_MAX / ps ? UINT64_MAX : t->rss_anon * ps;
		t->rss_file = t->rss_file > UINT64_MAX / ps ? UINT64_MAX : t->rss_file * ps;
		t->rss_shmem = t->rss_shmem > UINT64_MAX / ps ? UINT64_MAX : t->rss_shmem * ps;
		t->swap = t->swap > UINT64_MAX / ps ? UINT64_MAX : t->swap * ps;
	}
}

static int push_report(struct parser *ps)
{
	struct ms_oom_log *log = ps->log;

	if (MS_GROW(log->v, log->cap, log->n + 1, 8) < 0)
		return ms_err(ps->ctx, -ENOMEM, "%s: out of memory", ps->name);
	finish_pages(&ps->cur);
	log->v[log->n++] = ps->cur;
	report_reset(ps);
	return 0;
}

/*
 * "Killed process 28747 (leaker) total-vm:35392kB, anon-rss:32512kB,
 *  file-rss:1476kB, shmem-rss:0kB, UID:0 pgtables:108kB oom_score_adj:0";
 * before 5.1 ", UID 0, total-vm:", before 4.9 no shmem-rss.  The name may hold
 * spaces and parentheses: it ends at the last ')' before total-vm.
 */
static int parse_kill(struct parser *ps, const char *msg, const char *killed)
{
	struct ms_oom_report *r = &ps->cur;
	const char *p = killed + strlen("Killed process "), *name, *end, *q;
	uint64_t v;

	if (!get_u64(&p, &r->pid) || strncmp(p, " (", 2) != 0)
		return 1;
	name = p + 2;
	end = strstr(name, "total-vm:");
	if (!end)
		return 1;
	while (end > name && end[-1] != ')')
		end--;
	if (end == name)
		return 1;
	copy_str(r->name, sizeof(r->name), name, (size_t)(end - 1 - name));

	if (!r->first_line)
		r->first_line = ps->lineno;
	r->line = ps->lineno;
	memcpy(r->time, ps->time, sizeof(r->time));
	if (ps->have_seconds) {
		r->seconds = ps->seconds;
		r->have |= MS_OOM_HAVE_SECONDS;
	}
	if (get_kb(end, "total-vm:", &r->total_vm))
		r->have |= MS_OOM_HAVE_TOTAL_VM;
	if (get_kb(end, "anon-rss:", &r->anon_rss))
		r->have |= MS_OOM_HAVE_ANON_RSS;
	if (get_kb(end, "file-rss:", &r->file_rss))
		r->have |= MS_OOM_HAVE_FILE_RSS;
	if (get_kb(end, "shmem-rss:", &r->shmem_rss))
		r->have |= MS_OOM_HAVE_SHMEM_RSS;
	q = strstr(end, "UID:");
	if (!q)
		q = strstr(end, "UID ");
	if (q) {
		q += 4;
		if (get_u64(&q, &v)) {
			r->uid = v;
			r->have |= MS_OOM_HAVE_UID;
		}
	}
	q = strstr(end, "oom_score_adj:");
	if (q) {
		q += strlen("oom_score_adj:");
		if (get_s64(&q, &r->oom_score_adj))
			r->have |= MS_OOM_HAVE_SCORE_ADJ;
	}
	if (!r->constraint[0]) {
		if (starts(msg, "Memory cgroup out of memory") || ps->memcg_kill)
			strcpy(r->constraint, "MEMCG");
		else if (starts(msg, "Out of memory"))
			strcpy(r->constraint, "NONE");
	}
	if (!strcmp(r->constraint, "NONE") && !r->memcg[0])
		r->global = true;
	return push_report(ps);
}

/* "oom_reaper: reaped process 63214 (uwsgi), now anon-rss:0kB, ..." */
static void parse_reaped(struct parser *ps, const char *msg)
{
	const char *p = msg + strlen("oom_reaper: reaped process ");
	uint64_t pid;

	if (get_u64(&p, &pid) && ps->log->n && ps->log->v[ps->log->n - 1].pid == pid)
		ps->log->v[ps->log->n - 1].reaped = true;
}

/*
 * One message.  Returns 1 if it belongs to OOM reporting, 0 if it is some
 * other message, < 0 on failure.
 */
static int parse_msg(struct parser *ps, const char *msg)
{
	struct ms_oom_report *r = &ps->cur;
	const char *p;
	uint64_t v;

	if ((p = strstr(msg, " invoked oom-killer: ")) != NULL) {
		begin_report(ps, msg, p);
		return 1;
	}
	if ((p = strstr(msg, "Killed process ")) != NULL &&
	    (p == msg || starts(msg, "Memory cgroup out of memory: ") ||
	     starts(msg, "Out of memory")))
		return parse_kill(ps, msg, p) < 0 ? -ENOMEM : 1;
	if (starts(msg, "oom_reaper: reaped process ")) {
		parse_reaped(ps, msg);
		return 1;
	}
	if (starts(msg, "Memory cgroup out of memory: Kill process ")) {
		ps->memcg_kill = true;
		return 1;
	}
	if (starts(msg, "Out of memory: Kill process "))
		return 1;
	if (starts(msg, "oom-kill:")) {
		parse_summary(ps, msg);
		return 1;
	}
	if (starts(msg, "Task in ") && (p = strstr(msg, " killed as a result of limit of "))) {
		copy_str(r->task_memcg, sizeof(r->task_memcg), msg + 8, (size_t)(p - msg - 8));
		p += strlen(" killed as a result of limit of ");
		copy_str(r->memcg, sizeof(r->memcg), p, strlen(p));
		return 1;
	}
	if (starts(msg, "memory: usage ")) {
		/* An unlimited cgroup shows PAGE_COUNTER_MAX, 2^63 bytes less a page:
		 * anything from 2^62 up is no limit. */
		if (get_kb(msg, "memory: usage ", &r->usage))
			r->have |= MS_OOM_HAVE_USAGE;
		if (get_kb(msg, ", limit ", &v) && v < (UINT64_C(1) << 62)) {
			r->limit = v;
			r->have |= MS_OOM_HAVE_LIMIT;
		}
		return 1;
	}
	if (starts(msg, "Memory cgroup stats for ")) {
		p = msg + strlen("Memory cgroup stats for ");
		if (!r->memcg[0]) {
			size_t len = 0;

			while (p[len] && !(p[len] == ':' && (p[len + 1] == ' ' || !p[len + 1])))
				len++;
			copy_str(r->memcg, sizeof(r->memcg), p, len);
		}
		return 1;
	}
	if (starts(msg, "Tasks state (memory values in pages)"))
		return 1;
	if (msg[0] == '[' && strstr(msg, "pid") && strstr(msg, "] ") &&
	    strstr(msg, " name"))
		return parse_header(ps, msg) ? 1 : 0;
	if (msg[0] == '[' && ps->ncols)
		return parse_task(ps, msg) ? 1 : 0;
	if (ps->open && starts(msg, "CPU: ")) {
		parse_cpu(ps, msg);
		return 1;
	}
	return 0;
}

/* A /dev/kmsg continuation line: " KEY=value" after a record. */
static bool kmsg_dict(const char *s)
{
	const char *eq;

	if (s[0] != ' ' || !isupper((unsigned char)s[1]))
		return false;
	eq = strchr(s, '=');
	return eq && (size_t)(eq - s) == strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") + 1;
}

static int parse_line(struct parser *ps, char *line, size_t len)
{
	const char *msg;
	int rc;

	if (memchr(line, '\0', len)) {
		rc = ms_parser_error(ps->ctx, ps->name, ps->lineno,
				     "binary data (a NUL byte); is this a kernel log?");
		ps->log->st.skipped++;
		return rc;
	}
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	if (kmsg_dict(line)) {
		ps->recognised = true;
		return 0;
	}
	msg = strip_prefix(ps, line);
	if (msg)
		ps->recognised = true;
	rc = parse_msg(ps, msg ? msg : line);
	if (rc < 0)
		return rc;
	if (rc > 0)
		ps->recognised = true;
	else if (!msg)
		ps->log->st.skipped++;
	return 0;
}

static int read_line(void *data, char *line, size_t len, unsigned long lineno)
{
	struct parser *ps = data;

	ps->lineno = lineno;
	ps->log->st.lines = lineno;
	return parse_line(ps, line, len);
}

int ms_oom_parse(struct ms_ctx *ctx, FILE *fp, const char *name, struct ms_oom_log **out)
{
	struct parser ps = { .ctx = ctx, .name = name };
	unsigned long nlong = 0;
	int rc = 0;

	ps.log = calloc(1, sizeof(*ps.log));
	if (!ps.log) {
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	rc = ms_read_lines(ctx, fp, name, MS_OOM_LINE_MAX, read_line, &ps, &ps.log->st.lines, &nlong);
	ps.log->st.long_lines = nlong;
	ps.log->st.skipped += nlong;
	if (rc < 0)
		goto out;
	if (ps.open) {
		ps.log->st.truncated++;
		if (!ps.log->st.truncated_line)
			ps.log->st.truncated_line = ps.cur.first_line;
	}
	if (!ps.log->st.lines) {
		rc = ms_err(ctx, -EBADMSG, "%s: empty; is this dmesg or journalctl -k output?",
			    name);
		goto out;
	}
	if (!ps.recognised) {
		rc = ms_err(ctx, -EBADMSG,
			    "%s: none of its %lu lines is a kernel log line; is this dmesg or journalctl -k output?",
			    name, ps.log->st.lines);
		goto out;
	}
	*out = ps.log;
	ps.log = NULL;
out:
	ms_oom_log_free(ps.log);
	return rc;
}

/* Every record /dev/kmsg holds now, into FP; -EAGAIN at the end. */
static int read_kmsg(struct ms_ctx *ctx, FILE *fp)
{
	char rec[MS_OOM_LINE_MAX + 1024];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int e = -errno;

		/* Refused or absent: the caller tries klogctl(2) instead. */
		if (e == -EPERM || e == -EACCES || e == -ENOENT)
			return e;
		return ms_err_errno(ctx, e, "/dev/kmsg");
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec));

		if (n < 0 && errno == EPIPE)	/* overwritten while we read: go on */
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			int e = -errno;

			close(fd);
			return ms_err_errno(ctx, e, "/dev/kmsg: read");
		}
		if (n == 0)
			break;
		fwrite(rec, 1, (size_t)n, fp);
	}
	close(fd);
	return 0;
}

int ms_oom_read_kernel(struct ms_ctx *ctx, struct ms_oom_log **out)
{
	char *text = NULL;
	size_t size = 0;
	const char *name = "/dev/kmsg";
	FILE *fp = open_memstream(&text, &size);
	int rc;

	if (!fp)
		return ms_err(ctx, -ENOMEM, "kernel log: out of memory");
	rc = read_kmsg(ctx, fp);
	if (rc == -EPERM || rc == -EACCES || rc == -ENOENT) {
		/* No /dev/kmsg for us (a container, an old kernel): try syslog(2). */
		int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
		char *klog;

		name = "kernel log";
		rc = 0;
		if (len <= 0 || !(klog = malloc((size_t)len))) {
			rc = len <= 0 ? -errno : -ENOMEM;
		} else {
			len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, klog, len);
			if (len < 0)
				rc = -errno;
			else
				fwrite(klog, 1, (size_t)len, fp);
			free(klog);
		}
		if (rc == -EPERM || rc == -EACCES)
			rc = ms_err(ctx, -EPERM,
				    "kernel log: reading it is not permitted (kernel.dmesg_restrict=1?); run as root or with CAP_SYSLOG, or save dmesg output and give the file");
		else if (rc < 0)
			rc = ms_err_errno(ctx, rc, "kernel log: klogctl");
	}
	if (fclose(fp) != 0 && !rc)
		rc = ms_err(ctx, -ENOMEM, "kernel log: out of memory");
	if (!rc) {
		fp = fmemopen(text, size, "r");
		if (!fp) {
			rc = ms_err(ctx, -ENOMEM, "kernel log: out of memory");
		} else {
			rc = ms_oom_parse(ctx, fp, name, out);
			fclose(fp);
		}
	}
	free(text);
	return rc;
}

void ms_oom_log_free(struct ms_oom_log *log)
{
	if (!log)
		return;
	free(log->v);
	free(log);
}

size_t ms_oom_count(const struct ms_oom_log *log)
{
	return log->n;
}

const struct ms_oom_report *ms_oom_get(const struct ms_oom_log *log, size_t i)
{
	return i < log->n ? &log->v[i] : NULL;
}

const struct ms_oom_stats *ms_oom_stats(const struct ms_oom_log *log)
{
	return &log->st;
}
