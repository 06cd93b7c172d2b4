// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * leaker: a process that allocates memory on command, for memsift's tests,
 * demos and fixture captures.
 *
 * It reads one command per line on stdin and answers each with exactly one
 * line on stdout, flushed only once the work is done, so a test waits by
 * reading the reply instead of sleeping.  "report" prints, as one JSON line,
 * every address the leaker holds, so a test can check that a tool found
 * exactly those.  EOF on stdin exits 0, so a test that dies still cleans up.
 *
 *   malloc COUNT SIZE FILL      mmap SIZE [FILL [NAME]]     reserve SIZE
 *   commit ID SIZE [FILL]       struct COUNT                thread COUNT SIZE FILL
 *   mapfile PATH                memfd NAME SIZE             free ID
 *   strdup COUNT                report                      brkwall
 *   quit
 *
 * SIZE takes a K, M or G suffix (KiB units); mapping sizes are rounded up to
 * whole pages, as the kernel does, so replies match /proc exactly.  FILL is
 * 0xa5, 165 or a single non-digit character standing for itself (T is 0x54).
 * A NAME after mmap's FILL, and mapfile's PATH, run to the end of the line.
 * brkwall maps a page just past the program break, so that brk() cannot
 * grow the heap any more.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Debian 12's headers have these; older ones do not. */
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define DEFAULT_FILL	0x5a
#define MAX_COUNT	10000000UL

/* A record a heap scanner should recognise by its pointers into the binary. */
struct leaker_record {
	const char *tag;
	void (*callback)(void);
	uint64_t serial;
	char payload[40];
};

void leaker_record_callback(void);

/* Non-static and never inlined, so a symbolizer can name the address in records. */
__attribute__((noinline)) void leaker_record_callback(void)
{
	__asm__ volatile("");
}

/*
 * A named literal "strdup" copies onto the heap: a tool that finds the copies
 * can tell where they came from (this object, in .rodata).
 */
static const char leaker_config_line[] = "memsift-leaker-config: retain=all";

/* The literal spelled once, so every record and the report share one address. */
static const char *leaker_record_tag(void)
{
	return "memsift-leaker-record";
}

enum group_kind {
	GROUP_NONE,
	GROUP_MALLOC,
	GROUP_MMAP,
	GROUP_RESERVE,
	GROUP_STRUCT,
	GROUP_THREAD,
	GROUP_MAPFILE,
	GROUP_MEMFD,
	GROUP_STRDUP,
};

static const char *const kind_names[] = {
	[GROUP_MALLOC] = "malloc",	[GROUP_MMAP] = "mmap",
	[GROUP_RESERVE] = "reserve",	[GROUP_STRUCT] = "struct",
	[GROUP_THREAD] = "thread",	[GROUP_MAPFILE] = "mapfile",
	[GROUP_MEMFD] = "memfd",	[GROUP_STRDUP] = "strdup",
};

struct leaker;

struct group {
	int id;			/* 0 until the command succeeded */
	enum group_kind kind;
	bool freed;
	size_t count;		/* malloc, struct, thread: number of blocks */
	size_t size;		/* block size, or mapping length */
	int fill;
	void **blocks;
	void *addr;		/* mappings */
	size_t committed;	/* reserve */
	size_t file_size;	/* mapfile */
	char *name;		/* mmap and memfd name, mapfile path */

	struct leaker *lk;	/* thread groups, from here down */
	pthread_t thread;
	pid_t tid;
	bool done;
	int err;
};

struct leaker {
	struct group **groups;	/* pointers, so a running thread's group never moves */
	size_t ngroups;
	int next_id;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a thread finished its work, or stopping was set */
	bool stopping;
};

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

static PRINTF_LIKE(2, 0) void vreply(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	/* A reader of the pipe must never wait for a reply sitting in our buffer. */
	if (fflush(stdout) != 0)
		exit(1);
}

static PRINTF_LIKE(1, 2) void reply(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply("", fmt, ap);
	va_end(ap);
}

/* Reply "error: ..." and return -1, so a command can end with return fail(). */
static PRINTF_LIKE(1, 2) int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply("error: ", fmt, ap);
	va_end(ap);
	return -1;
}

/* Split off the next blank-separated word of *P; NULL at the end of the line. */
static char *next_word(char **p)
{
	char *s = *p + strspn(*p, " \t");
	char *e;

	if (!*s) {
		*p = s;
		return NULL;
	}
	e = s + strcspn(s, " \t");
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

/* The rest of the line, so names and paths may hold spaces; NULL if empty. */
static char *rest_of_line(char **p)
{
	char *s = *p + strspn(*p, " \t");

	*p = s + strlen(s);
	return *s ? s : NULL;
}

/* Decimal, or hex with 0x; never octal, so "010" is ten. */
static int parse_u64(const char *s, uint64_t *out, char **end)
{
	int base = 10;

	if (!s || !(*s >= '0' && *s <= '9'))
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	*out = strtoull(s, end, base);
	return errno || *end == s ? -1 : 0;
}

static int parse_size(const char *s, size_t *out)
{
	uint64_t v;
	char *end;
	int shift = 0;

	if (parse_u64(s, &v, &end) < 0)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (shift && strcmp(end, "iB") == 0)
		end += 2;
	if (*end || v == 0 || v > (SIZE_MAX >> shift))
		return -1;
	*out = (size_t)v << shift;
	return 0;
}

static int parse_count(const char *s, size_t *out)
{
	size_t v;

	if (parse_size(s, &v) < 0 || v > MAX_COUNT)
		return -1;
	*out = v;
	return 0;
}

static int parse_fill(const char *s, int *out)
{
	uint64_t v;
	char *end;

	if (s && s[0] && !s[1] && !(s[0] >= '0' && s[0] <= '9')) {
		*out = (unsigned char)s[0];
		return 0;
	}
	if (parse_u64(s, &v, &end) < 0 || *end || v > 0xff)
		return -1;
	*out = (int)v;
	return 0;
}

static size_t page_round(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (size + page - 1) & ~(page - 1);
}

/* Make room for the group first, so numbering it can no longer fail. */
static struct group *group_new(struct leaker *lk, enum group_kind kind)
{
	struct group **tmp = realloc(lk->groups, (lk->ngroups + 1) * sizeof(*tmp));
	struct group *g;

	if (!tmp)
		return NULL;
	lk->groups = tmp;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->kind = kind;
	g->fill = DEFAULT_FILL;
	g->lk = lk;
	return g;
}

/* Ids count only groups that hold memory: a failed command uses none. */
static int group_add(struct leaker *lk, struct group *g)
{
	g->id = ++lk->next_id;
	lk->groups[lk->ngroups++] = g;
	return g->id;
}

static struct group *group_find(struct leaker *lk, const char *s)
{
	uint64_t id;
	char *end;
	size_t i;

	if (parse_u64(s, &id, &end) < 0 || *end)
		return NULL;
	for (i = 0; i < lk->ngroups; i++)
		if ((uint64_t)lk->groups[i]->id == id && !lk->groups[i]->freed)
			return lk->groups[i];
	return NULL;
}

/*
 * Anonymous memory between two read-only guard pages.  Without them the
 * kernel merges a new region into a neighbour of the same protection (an
 * ASan shadow, an earlier reservation), and tests could not find "the
 * region the leaker just mapped" as a mapping of its own.
 */
static void *map_guarded(size_t size, int prot, int flags)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *base;

	base = mmap(NULL, size + 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | flags,
		    -1, 0);
	if (base == MAP_FAILED)
		return MAP_FAILED;
	if (mprotect(base + page, size, prot) < 0) {
		munmap(base, size + 2 * page);
		return MAP_FAILED;
	}
	return base + page;
}

static bool is_guarded(const struct group *g)
{
	return g->kind == GROUP_MMAP || g->kind == GROUP_RESERVE;
}

static void group_release(struct group *g)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t i;

	if (g->addr && is_guarded(g))
		munmap((char *)g->addr - page, g->size + 2 * page);
	else if (g->addr)
		munmap(g->addr, g->size);
	g->addr = NULL;
	for (i = 0; g->blocks && i < g->count; i++)
		free(g->blocks[i]);
	free(g->blocks);
	g->blocks = NULL;
}

static int alloc_blocks(struct group *g)
{
	size_t i;

	g->blocks = calloc(g->count, sizeof(*g->blocks));
	if (!g->blocks)
		return -ENOMEM;
	for (i = 0; i < g->count; i++) {
		g->blocks[i] = malloc(g->size);
		if (!g->blocks[i])
			return -ENOMEM;
		memset(g->blocks[i], g->fill, g->size);
	}
	return 0;
}

static int reply_mapping(struct leaker *lk, struct group *g)
{
	reply("ok id=%d addr=0x%" PRIxPTR " size=%zu", group_add(lk, g),
	      (uintptr_t)g->addr, g->size);
	return 0;
}

static int cmd_malloc(struct leaker *lk, struct group *g, char *args)
{
	if (parse_count(next_word(&args), &g->count) < 0 ||
	    parse_size(next_word(&args), &g->size) < 0 ||
	    parse_fill(next_word(&args), &g->fill) < 0 || next_word(&args))
		return fail("malloc: usage: malloc COUNT SIZE FILLBYTE");
	if (alloc_blocks(g) < 0)
		return fail("malloc: out of memory");
	reply("ok id=%d", group_add(lk, g));
	return 0;
}

static int cmd_mmap(struct leaker *lk, struct group *g, char *args)
{
	const char *fill;
	char *name;
	void *p;
	int err;

	if (parse_size(next_word(&args), &g->size) < 0 ||
	    ((fill = next_word(&args)) && parse_fill(fill, &g->fill) < 0))
		return fail("mmap: usage: mmap SIZE [FILLBYTE] [NAME]");
	g->size = page_round(g->size);
	name = rest_of_line(&args);
	if (name && !(g->name = strdup(name)))
		return fail("mmap: out of memory");
	p = map_guarded(g->size, PROT_READ | PROT_WRITE, 0);
	if (p == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	g->addr = p;
	/*
	 * /proc then shows [anon:NAME].  Needs 5.17+ with CONFIG_ANON_VMA_NAME;
	 * without it, as with a bad character in NAME, the kernel says EINVAL.
	 */
	if (name && prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, g->size,
			  (unsigned long)g->name) < 0) {
		err = errno;
		return fail("mmap: cannot name the region \"%s\": %s%s", name,
			    strerror(err), err == EINVAL ?
			    " (bad name, or kernel without CONFIG_ANON_VMA_NAME)" : "");
	}
	/* Written, not just mapped, so every page is resident and counts in Rss. */
	memset(p, g->fill, g->size);
	return reply_mapping(lk, g);
}

static int cmd_reserve(struct leaker *lk, struct group *g, char *args)
{
	void *p;

	if (parse_size(next_word(&args), &g->size) < 0 || next_word(&args))
		return fail("reserve: usage: reserve SIZE");
	g->size = page_round(g->size);
	/* Address space only, as a Go arena or a glibc thread heap starts out. */
	p = map_guarded(g->size, PROT_NONE, MAP_NORESERVE);
	if (p == MAP_FAILED)
		return fail("reserve: %s", strerror(errno));
	g->addr = p;
	return reply_mapping(lk, g);
}

static int cmd_commit(struct leaker *lk, struct group *unused, char *args)
{
	struct group *g = group_find(lk, next_word(&args));
	const char *fill;
	size_t size;
	int val = DEFAULT_FILL;

	(void)unused;
	if (!g || g->kind != GROUP_RESERVE)
		return fail("commit: no such reserve group");
	if (parse_size(next_word(&args), &size) < 0 ||
	    ((fill = next_word(&args)) && parse_fill(fill, &val) < 0) || next_word(&args))
		return fail("commit: usage: commit ID SIZE [FILLBYTE]");
	size = page_round(size);
	if (size > g->size)
		return fail("commit: %zu bytes exceed the %zu reserved", size, g->size);
	/* The kernel splits the VMA: rw-p up to SIZE, ---p after it. */
	if (mprotect(g->addr, size, PROT_READ | PROT_WRITE) < 0)
		return fail("commit: %s", strerror(errno));
	memset(g->addr, val, size);
	if (size > g->committed)
		g->committed = size;
	g->fill = val;
	reply("ok id=%d addr=0x%" PRIxPTR " committed=%zu", g->id, (uintptr_t)g->addr,
	      g->committed);
	return 0;
}

static int cmd_struct(struct leaker *lk, struct group *g, char *args)
{
	struct leaker_record *rec;
	size_t i;

	if (parse_count(next_word(&args), &g->count) < 0 || next_word(&args))
		return fail("struct: usage: struct COUNT");
	g->size = sizeof(*rec);
	g->blocks = calloc(g->count, sizeof(*g->blocks));
	if (!g->blocks)
		return fail("struct: out of memory");
	for (i = 0; i < g->count; i++) {
		rec = calloc(1, sizeof(*rec));
		if (!rec)
			return fail("struct: out of memory");
		rec->tag = leaker_record_tag();
		rec->callback = leaker_record_callback;
		rec->serial = i + 1;
		snprintf(rec->payload, sizeof(rec->payload), "record %u of %u",
			 (unsigned int)i + 1, (unsigned int)g->count);
		g->blocks[i] = rec;
	}
	reply("ok id=%d", group_add(lk, g));
	return 0;
}

static int cmd_strdup(struct leaker *lk, struct group *g, char *args)
{
	size_t i;

	if (parse_count(next_word(&args), &g->count) < 0 || next_word(&args))
		return fail("strdup: usage: strdup COUNT");
	g->size = sizeof(leaker_config_line);
	g->fill = -1;
	g->blocks = calloc(g->count, sizeof(*g->blocks));
	if (!g->blocks)
		return fail("strdup: out of memory");
	for (i = 0; i < g->count; i++)
		if (!(g->blocks[i] = strdup(leaker_config_line)))
			return fail("strdup: out of memory");
	reply("ok id=%d", group_add(lk, g));
	return 0;
}

static void *thread_main(void *arg)
{
	struct group *g = arg;
	struct leaker *lk = g->lk;
	int err = alloc_blocks(g);

	pthread_mutex_lock(&lk->lock);
	g->tid = gettid();
	g->err = err;
	g->done = true;
	pthread_cond_broadcast(&lk->cond);
	/* Stay alive, blocked, so the thread's stack and arena stay mapped. */
	while (!err && !lk->stopping)
		pthread_cond_wait(&lk->cond, &lk->lock);
	pthread_mutex_unlock(&lk->lock);
	return NULL;
}

static int cmd_thread(struct leaker *lk, struct group *g, char *args)
{
	int err;

	if (parse_count(next_word(&args), &g->count) < 0 ||
	    parse_size(next_word(&args), &g->size) < 0 ||
	    parse_fill(next_word(&args), &g->fill) < 0 || next_word(&args))
		return fail("thread: usage: thread COUNT SIZE FILLBYTE");
	/* The new thread mallocs itself, so glibc gives it an arena of its own. */
	err = pthread_create(&g->thread, NULL, thread_main, g);
	if (err)
		return fail("thread: %s", strerror(err));
	pthread_mutex_lock(&lk->lock);
	while (!g->done)
		pthread_cond_wait(&lk->cond, &lk->lock);
	pthread_mutex_unlock(&lk->lock);
	if (g->err) {
		pthread_join(g->thread, NULL);
		return fail("thread: out of memory");
	}
	reply("ok id=%d tid=%d", group_add(lk, g), (int)g->tid);
	return 0;
}

static int cmd_mapfile(struct leaker *lk, struct group *g, char *args)
{
	char *path = rest_of_line(&args);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off;
	struct stat st;
	void *p;
	int fd, ret;

	if (!path)
		return fail("mapfile: usage: mapfile PATH");
	if (!(g->name = strdup(path)))
		return fail("mapfile: out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("mapfile: %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = fail("mapfile: %s: %s", path, strerror(errno));
		goto out;
	}
	if (st.st_size == 0) {
		ret = fail("mapfile: %s: empty file", path);
		goto out;
	}
	g->file_size = (size_t)st.st_size;
	g->size = page_round(g->file_size);
	p = mmap(NULL, g->size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = fail("mapfile: %s: %s", path, strerror(errno));
		goto out;
	}
	g->addr = p;
	/* A byte a page, so the file's pages are resident and count in Rss. */
	for (off = 0; off < g->file_size; off += page)
		(void)((volatile const unsigned char *)p)[off];
	ret = reply_mapping(lk, g);
out:
	/* The mapping keeps the file; the descriptor is no longer needed. */
	close(fd);
	return ret;
}

static int cmd_memfd(struct leaker *lk, struct group *g, char *args)
{
	const char *name = next_word(&args);
	void *p;
	int fd, ret;

	if (!name || parse_size(next_word(&args), &g->size) < 0 || next_word(&args))
		return fail("memfd: usage: memfd NAME SIZE");
	g->size = page_round(g->size);
	if (!(g->name = strdup(name)))
		return fail("memfd: out of memory");
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return fail("memfd: %s", strerror(errno));
	if (ftruncate(fd, (off_t)g->size) < 0) {
		ret = fail("memfd: %s", strerror(errno));
		goto out;
	}
	p = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = fail("memfd: %s", strerror(errno));
		goto out;
	}
	g->addr = p;
	memset(p, g->fill, g->size);
	ret = reply_mapping(lk, g);
out:
	/* The mapping keeps the memfd alive; /proc shows it "(deleted)". */
	close(fd);
	return ret;
}

static int cmd_free(struct leaker *lk, struct group *unused, char *args)
{
	struct group *g = group_find(lk, next_word(&args));

	(void)unused;
	if (!g || next_word(&args))
		return fail("free: no such group");
	/* A thread group's thread keeps running; only its blocks go. */
	group_release(g);
	g->freed = true;
	reply("ok id=%d", g->id);
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_group(const struct group *g)
{
	size_t i;

	printf("{\"id\":%d,\"kind\":\"%s\"", g->id, kind_names[g->kind]);
	if (g->kind == GROUP_THREAD)
		printf(",\"tid\":%d", (int)g->tid);
	if (g->kind == GROUP_STRUCT)
		printf(",\"count\":%zu,\"record_size\":%zu,\"tag\":\"0x%" PRIxPTR
		       "\",\"callback\":\"0x%" PRIxPTR "\"", g->count, g->size,
		       (uintptr_t)(const void *)leaker_record_tag(),
		       (uintptr_t)leaker_record_callback);
	else if (g->kind == GROUP_STRDUP)
		printf(",\"count\":%zu,\"size\":%zu,\"literal\":\"0x%" PRIxPTR "\",\"text\":\"%s\"",
		       g->count, g->size, (uintptr_t)leaker_config_line, leaker_config_line);
	else if (g->blocks)
		printf(",\"count\":%zu,\"size\":%zu,\"fill\":%d,\"bytes\":%zu",
		       g->count, g->size, g->fill, g->count * g->size);
	if (g->blocks) {
		printf(",\"addrs\":[");
		for (i = 0; i < g->count; i++)
			printf("%s\"0x%" PRIxPTR "\"", i ? "," : "", (uintptr_t)g->blocks[i]);
		putchar(']');
	}
	if (g->addr)
		printf(",\"addr\":\"0x%" PRIxPTR "\",\"size\":%zu", (uintptr_t)g->addr,
		       g->size);
	if (g->kind == GROUP_RESERVE)
		printf(",\"committed\":%zu", g->committed);
	if (g->kind == GROUP_MMAP || g->kind == GROUP_MEMFD ||
	    (g->kind == GROUP_RESERVE && g->committed))
		printf(",\"fill\":%d", g->fill);
	if (g->kind == GROUP_MAPFILE)
		printf(",\"file_size\":%zu", g->file_size);
	if (g->name) {
		printf(",\"%s\":", g->kind == GROUP_MAPFILE ? "path" : "name");
		json_string(g->name);
	}
	putchar('}');
}

static int cmd_report(struct leaker *lk, struct group *unused, char *args)
{
	const char *sep = "";
	size_t i;

	(void)unused;
	if (next_word(&args))
		return fail("report: takes no arguments");
	printf("{\"pid\":%d,\"groups\":[", (int)getpid());
	for (i = 0; i < lk->ngroups; i++) {
		if (lk->groups[i]->freed)
			continue;
		fputs(sep, stdout);
		sep = ",";
		json_group(lk->groups[i]);
	}
	reply("]}");
	return 0;
}

/*
 * A page mapped just past the program break: brk() cannot grow [heap] any
 * more, and glibc's main arena takes its memory from mmap() instead, as in
 * a process whose break ran into another mapping (a JIT's pages, say).
 */
static int cmd_brkwall(struct leaker *lk, struct group *g, char *args)
{
	uintptr_t at = ((uintptr_t)sbrk(0) + 4095) & ~(uintptr_t)4095;

	(void)lk;
	(void)g;
	if (next_word(&args))
		return fail("brkwall: usage: brkwall");
	if (mmap((void *)at, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0) == MAP_FAILED)
		return fail("brkwall: 0x%" PRIxPTR ": %s", at, strerror(errno));
	reply("ok brkwall 0x%" PRIxPTR, at);
	return 0;
}

static const struct command {
	const char *name;
	enum group_kind kind;	/* the group it creates, or GROUP_NONE */
	int (*run)(struct leaker *lk, struct group *g, char *args);
} commands[] = {
	{ "malloc", GROUP_MALLOC, cmd_malloc },	{ "mmap", GROUP_MMAP, cmd_mmap },
	{ "reserve", GROUP_RESERVE, cmd_reserve }, { "commit", GROUP_NONE, cmd_commit },
	{ "struct", GROUP_STRUCT, cmd_struct },	{ "thread", GROUP_THREAD, cmd_thread },
	{ "mapfile", GROUP_MAPFILE, cmd_mapfile }, { "memfd", GROUP_MEMFD, cmd_memfd },
	{ "free", GROUP_NONE, cmd_free },	{ "report", GROUP_NONE, cmd_report },
	{ "strdup", GROUP_STRDUP, cmd_strdup },	{ "brkwall", GROUP_NONE, cmd_brkwall },
};

/*
 * A creating command fills a group handed to it and numbers it on success;
 * whatever it left half done is undone here, in one place.
 */
static bool run_line(struct leaker *lk, char *line)
{
	const struct command *cmd = NULL;
	char *word = next_word(&line);
	struct group *g = NULL;
	size_t i;

	if (!word) {
		reply("error: empty command");
		return true;
	}
	if (strcmp(word, "quit") == 0 && !next_word(&line)) {
		reply("ok bye");
		return false;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(word, commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		reply("error: unknown command \"%.40s\"", word);
		return true;
	}
	if (cmd->kind != GROUP_NONE && !(g = group_new(lk, cmd->kind))) {
		reply("error: %s: out of memory", cmd->name);
		return true;
	}
	if (cmd->run(lk, g, line) < 0 && g) {
		group_release(g);
		free(g->name);
		free(g);
	}
	return true;
}

/* Wake the parked threads and wait for them, so exit never races a thread. */
static void stop_threads(struct leaker *lk)
{
	size_t i;

	pthread_mutex_lock(&lk->lock);
	lk->stopping = true;
	pthread_cond_broadcast(&lk->cond);
	pthread_mutex_unlock(&lk->lock);
	for (i = 0; i < lk->ngroups; i++)
		if (lk->groups[i]->kind == GROUP_THREAD)
			pthread_join(lk->groups[i]->thread, NULL);
}

int main(void)
{
	/* Static, so all the leaker holds stays reachable for LeakSanitizer. */
	static struct leaker lk = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	static char inbuf[BUFSIZ];
	size_t cap = 4096;
	char *line = malloc(cap);

	/*
	 * Settle before saying "ready": the first malloc creates the heap and
	 * stdio allocates its buffer on first use, and a test that snapshots
	 * the leaker right after "ready" must not see either happen later.
	 */
	if (!line)
		return 1;
	setvbuf(stdin, inbuf, _IOFBF, sizeof(inbuf));
	reply("ready %d", (int)getpid());
	while (getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!run_line(&lk, line))
			break;
	}
	stop_threads(&lk);
	free(line);
	return 0;
}
