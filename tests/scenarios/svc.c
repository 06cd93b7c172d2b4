// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * svc: a small "service" for memsift's scenario tests (tests/scenarios/).
 *
 * Unlike tests/leaker, which allocates whatever a test asks for, svc leaks the
 * way a real program does: from its own code paths, in families of objects
 * that point at each other and at its functions, on whichever thread handles
 * the request.  Built plainly, with musl, or run under a preloaded allocator,
 * it is the same program, so a scenario's truth is the same on each.
 *
 * One command per line on stdin, one reply line per command, written only once
 * the work is done, so a test waits by reading the reply and never sleeps:
 *
 *   threads N        start N workers; each mallocs from its own glibc arena
 *   on K CMD         run CMD (conf, task, log, churn) on worker K (1..N)
 *   conf COUNT       leak COUNT config records, each with a 1 KiB 'C' payload
 *   task COUNT       leak COUNT task records, each with a 1 KiB 'T' payload
 *   log COUNT        keep COUNT access-log lines, each different
 *   churn COUNT      allocate and free COUNT mixed objects (no growth)
 *   report           "ok conf=N task=N log=N threads=N": what it holds
 *   quit             "ok bye", then exit 0 (EOF on stdin exits 0 too)
 *
 * The first line is "ready PID".  conf and task answer with the address of
 * the last record they made, so a test can tell which heap it is in.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WORKERS	64
#define MAX_COUNT	10000000UL
#define PAYLOAD_SIZE	1024
/* Log lines are kept in blocks of pointers, as a ring of log buffers would. */
#define LOG_BLOCK	4096

/*
 * 64 bytes, as a C struct usually starts: a magic word, then a callback one
 * word in, then the payload it owns.  Records chain through next, so every
 * one stays reachable: "kept forever", as a registry that is never pruned.
 */
struct svc_record {
	char magic[8];
	void (*cb)(void);
	char *payload;
	size_t len;
	uint64_t serial;
	struct svc_record *next;
	uint32_t flags;
	uint32_t owner;
	uint64_t stamp;
};

struct svc_log_block {
	struct svc_log_block *prev;
	size_t used;
	char *line[LOG_BLOCK];
};

struct svc_family {
	const char *magic;
	void (*cb)(void);
	int fill;
	struct svc_record *head;
	size_t count;
};

struct svc_worker {
	pthread_t thread;
	unsigned int id;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *cmd;		/* set by the main thread, cleared when done */
	char reply[128];
	void *arena_probe;	/* its first malloc, which binds its arena */
};

static pthread_mutex_t svc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct svc_log_block *svc_logs;
static size_t svc_nlogs;
static struct svc_worker *svc_workers[MAX_WORKERS];
static unsigned int svc_nworkers;
static volatile unsigned long reloads, tasks;

/* Real callbacks, never inlined or merged, so records point at their entries. */
__attribute__((noinline)) void on_reload(void);
__attribute__((noinline)) void on_task(void);

__attribute__((noinline)) void on_reload(void)
{
	reloads++;
}

__attribute__((noinline)) void on_task(void)
{
	tasks += 2;
}

static struct svc_family conf_family = { "CONFREC", on_reload, 'C', NULL, 0 };
static struct svc_family task_family = { "TASKREC", on_task, 'T', NULL, 0 };

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* A reader of the pipe must never wait for a reply sitting in our buffer. */
	if (fflush(stdout) != 0)
		exit(1);
}

static int parse_count(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > MAX_COUNT)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A trace id that differs for every line, as a real one does. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int leak_records(struct svc_family *f, size_t count, unsigned int owner,
			char *out, size_t outlen)
{
	struct svc_record *r = NULL;
	size_t i;

	for (i = 0; i < count; i++) {
		r = malloc(sizeof(*r));
		if (!r)
			return -1;
		memset(r, 0, sizeof(*r));
		memcpy(r->magic, f->magic, sizeof(r->magic));
		r->cb = f->cb;
		r->len = PAYLOAD_SIZE;
		r->payload = malloc(PAYLOAD_SIZE);
		if (!r->payload) {
			free(r);
			return -1;
		}
		memset(r->payload, f->fill, PAYLOAD_SIZE);
		r->owner = owner;
		r->cb();
		pthread_mutex_lock(&svc_lock);
		r->serial = ++f->count;
		r->stamp = mix64(r->serial);
		r->next = f->head;
		f->head = r;
		pthread_mutex_unlock(&svc_lock);
	}
	snprintf(out, outlen, "ok %s=%zu addr=%p", f == &conf_family ? "conf" : "task",
		 count, (void *)r);
	return 0;
}

/*
 * "GET /api/v2/<n>?tenant=acme&trace=<hex16> HTTP/1.1 200 <ms>ms": n has 7
 * digits and ms 2 or 3, so every line is 72 or 73 bytes and its copy lands in
 * one chunk size on each allocator; the lines still differ in length and text.
 */
static int leak_logs(size_t count, char *out, size_t outlen)
{
	char line[160];
	size_t i;

	for (i = 0; i < count; i++) {
		struct svc_log_block *b;
		uint64_t n;
		char *copy;

		pthread_mutex_lock(&svc_lock);
		n = 1000000 + svc_nlogs;
		if (!svc_logs || svc_logs->used == LOG_BLOCK) {
			b = malloc(sizeof(*b));
			if (!b) {
				pthread_mutex_unlock(&svc_lock);
				return -1;
			}
			b->prev = svc_logs;
			b->used = 0;
			svc_logs = b;
		}
		snprintf(line, sizeof(line),
			 "GET /api/v2/%" PRIu64 "?tenant=acme&trace=%016" PRIx64
			 " HTTP/1.1 200 %" PRIu64 "ms", n, mix64(n), 10 + mix64(n ^ 0x55) % 990);
		copy = strdup(line);
		if (!copy) {
			pthread_mutex_unlock(&svc_lock);
			return -1;
		}
		svc_logs->line[svc_logs->used++] = copy;
		svc_nlogs++;
		pthread_mutex_unlock(&svc_lock);
	}
	snprintf(out, outlen, "ok log=%zu", count);
	return 0;
}

/* Steady-state work: everything allocated here is freed before the reply. */
static int churn(size_t count, char *out, size_t outlen)
{
	static const size_t sizes[] = { 24, 40, 72, 136, 264, 520, 1032, 2056, 4104 };
	size_t batch = count < 256 ? count : 256, done = 0, i;
	void *p[256];

	while (done < count) {
		size_t n = count - done < batch ? count - done : batch;

		for (i = 0; i < n; i++) {
			p[i] = malloc(sizes[(done + i) % (sizeof(sizes) / sizeof(sizes[0]))]);
			if (!p[i])
				break;
			memset(p[i], (int)(i & 0xff), 16);
		}
		while (i > 0)
			free(p[--i]);
		done += n;
	}
	snprintf(out, outlen, "ok churn=%zu", count);
	return 0;
}

/* The commands a worker may run too; 0, or -1 with the error reply in OUT. */
static int run_work(char *cmd, unsigned int owner, char *out, size_t outlen)
{
	char *save = NULL, *verb = strtok_r(cmd, " \t", &save);
	char *arg = strtok_r(NULL, " \t", &save);
	size_t count;
	int rc;

	if (!verb || parse_count(arg, &count) < 0 || strtok_r(NULL, " \t", &save)) {
		snprintf(out, outlen, "error: usage: conf|task|log|churn COUNT");
		return -1;
	}
	if (strcmp(verb, "conf") == 0)
		rc = leak_records(&conf_family, count, owner, out, outlen);
	else if (strcmp(verb, "task") == 0)
		rc = leak_records(&task_family, count, owner, out, outlen);
	else if (strcmp(verb, "log") == 0)
		rc = leak_logs(count, out, outlen);
	else if (strcmp(verb, "churn") == 0)
		rc = churn(count, out, outlen);
	else {
		snprintf(out, outlen, "error: unknown command \"%s\"", verb);
		return -1;
	}
	if (rc < 0)
		snprintf(out, outlen, "error: %s: out of memory", verb);
	return rc;
}

static void *worker_main(void *arg)
{
	struct svc_worker *w = arg;

	/* glibc gives a thread its arena at its first malloc: take it now. */
	w->arena_probe = malloc(32);
	pthread_mutex_lock(&w->lock);
	w->reply[0] = w->arena_probe ? 'k' : 'e';
	pthread_cond_broadcast(&w->cond);
	for (;;) {
		while (!w->cmd)
			pthread_cond_wait(&w->cond, &w->lock);
		run_work(w->cmd, w->id, w->reply, sizeof(w->reply));
		w->cmd = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	return NULL;
}

static int start_threads(size_t n)
{
	size_t i;

	if (svc_nworkers + n > MAX_WORKERS)
		return -1;
	for (i = 0; i < n; i++) {
		struct svc_worker *w = calloc(1, sizeof(*w));

		if (!w)
			return -1;
		w->id = svc_nworkers + 1;
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->cond, NULL);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
			return -1;
		/* Wait for its arena, so "ok" means every worker has one. */
		pthread_mutex_lock(&w->lock);
		while (!w->reply[0])
			pthread_cond_wait(&w->cond, &w->lock);
		pthread_mutex_unlock(&w->lock);
		if (w->reply[0] != 'k')
			return -1;
		svc_workers[svc_nworkers++] = w;
	}
	return 0;
}

static void run_on(unsigned long k, char *cmd)
{
	struct svc_worker *w;

	if (k < 1 || k > svc_nworkers) {
		reply("error: on %lu: no such worker (threads: %u)", k, svc_nworkers);
		return;
	}
	w = svc_workers[k - 1];
	pthread_mutex_lock(&w->lock);
	w->cmd = cmd;
	pthread_cond_broadcast(&w->cond);
	while (w->cmd)
		pthread_cond_wait(&w->cond, &w->lock);
	reply("%s", w->reply);
	pthread_mutex_unlock(&w->lock);
}

static void run_line(char *line)
{
	char out[128];
	size_t n;

	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "on ", 3) == 0) {
		char *end;
		unsigned long k = strtoul(line + 3, &end, 10);

		if (end == line + 3 || *end != ' ')
			reply("error: usage: on K CMD");
		else
			run_on(k, end + 1);
	} else if (strncmp(line, "threads ", 8) == 0) {
		if (parse_count(line + 8, &n) < 0 || start_threads(n) < 0)
			reply("error: threads: cannot start \"%s\" workers", line + 8);
		else
			reply("ok threads=%u", svc_nworkers);
	} else if (strcmp(line, "report") == 0) {
		pthread_mutex_lock(&svc_lock);
		reply("ok conf=%zu task=%zu log=%zu threads=%u", conf_family.count,
		      task_family.count, svc_nlogs, svc_nworkers);
		pthread_mutex_unlock(&svc_lock);
	} else if (strcmp(line, "quit") == 0) {
		reply("ok bye");
		exit(0);
	} else {
		run_work(line, 0, out, sizeof(out));
		reply("%s", out);
	}
}

int main(void)
{
	char line[256];

	reply("ready %d", (int)getpid());
	while (fgets(line, sizeof(line), stdin))
		run_line(line);
	return 0;
}
