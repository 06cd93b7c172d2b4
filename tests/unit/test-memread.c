// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ms_memread on a forked child: five pages laid out as
 *   [0] rw 'A'  [1] PROT_NONE  [2] unmapped  [3] rw 'D'  [4] rw, never touched
 * and a 9 MiB region, larger than a batch, with a pattern.  Each case is one
 * TAP line.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>
#include <memsift/memread.h>

#include "tap.h"

#define BIG (9u << 20)

struct layout {
	uint64_t five, big;
};

struct seen {
	struct ms_mem_piece p[64];
	size_t n;
	uint64_t next;		/* pieces must be contiguous */
	bool gap;
	unsigned char *copy;	/* where the bytes go, or NULL */
	uint64_t base;
	uint64_t sum;		/* of bytes, for the big region */
};

static int collect(const struct ms_mem_piece *p, void *data)
{
	struct seen *s = data;
	size_t i;

	if (s->next && p->addr != s->next)
		s->gap = true;
	s->next = p->addr + p->len;
	/* Merge runs as a dump's manifest would. */
	if (s->n && s->p[s->n - 1].status == p->status && s->p[s->n - 1].method == p->method)
		s->p[s->n - 1].len += p->len;
	else if (s->n < 64)
		s->p[s->n++] = *p;
	if (s->copy)
		memcpy(s->copy + (p->addr - s->base), p->data, p->len);
	for (i = 0; i < p->len; i++)
		s->sum += ((const unsigned char *)p->data)[i];
	return 0;
}

static int stop_early(const struct ms_mem_piece *p, void *data)
{
	(void)p;
	(void)data;
	return -ECANCELED;
}

static pid_t start_child(struct layout *lay, int *go)
{
	long page = sysconf(_SC_PAGESIZE);
	int up[2], down[2];
	pid_t pid;

	if (pipe(up) < 0 || pipe(down) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char *m = mmap(NULL, 5 * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		unsigned char *big = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct layout l;
		char c;

		close(up[0]);
		close(down[1]);
		if (m == MAP_FAILED || big == MAP_FAILED)
			_exit(1);
		memset(m, 'A', page);
		memset(m + 3 * page, 'D', page);
		mprotect(m + page, page, PROT_NONE);
		munmap(m + 2 * page, page);
		for (size_t i = 0; i < BIG; i++)
			big[i] = (unsigned char)(i * 7 + (i >> 12));
		l.five = (uintptr_t)m;
		l.big = (uintptr_t)big;
		if (write(up[1], &l, sizeof(l)) != sizeof(l))
			_exit(1);
		/* Wait for the parent to finish reading: EOF on the pipe. */
		while (read(down[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (pid < 0 || read(up[0], lay, sizeof(*lay)) != sizeof(*lay))
		return -1;
	close(up[0]);
	*go = down[1];
	return pid;
}

int main(void)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), done = 0, want_sum = 0;
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_memread *r = NULL;
	struct ms_maps *maps = NULL;
	struct layout lay;
	struct seen s;
	unsigned char *buf;
	int go, rc, status;
	pid_t pid;

	pid = start_child(&lay, &go);
	ok(pid > 0, "child started");
	if (pid <= 0)
		return tap_done();
	is_int(ms_maps_read_pid(ctx, pid, MS_MAPS_SRC_MAPS, &maps), 0, "read the child's maps");
	/*
	 * Residency first: the untouched page 4 is skipped.  Reading it would
	 * map the zero page, which pagemap shows as present.
	 */
	is_int(ms_memread_new(ctx, pid, maps, MS_MEMREAD_RESIDENT_ONLY, &r), 0,
	       "resident-only reader made");
	memset(&s, 0, sizeof(s));
	rc = ms_memread_range(ctx, r, lay.five + 3 * page, lay.five + 5 * page, collect, &s, NULL);
	ok(rc == 0 && s.n == 2 && s.p[0].status == MS_MEM_READ &&
	   s.p[1].status == MS_MEM_NOT_RESIDENT, "untouched page is not resident");
	ms_memread_free(r);
	is_int(ms_memread_new(ctx, pid, maps, 0, &r), 0, "reader made");

	memset(&s, 0, sizeof(s));
	buf = calloc(5, page);
	s.copy = buf;
	s.base = lay.five;
	rc = ms_memread_range(ctx, r, lay.five, lay.five + 5 * page, collect, &s, &done);
	is_int(rc, 0, "a range with PROT_NONE and a hole reads to its end");
	is_u64(done, lay.five + 5 * page, "done is the end");
	ok(!s.gap, "pieces are contiguous");
	is_int(s.n, 4, "four runs: vm_readv, /proc/PID/mem, hole, vm_readv");
	is_int(s.p[0].status, MS_MEM_READ, "page 0 read");
	is_int(s.p[0].method, MS_MEM_VM_READV, "page 0 by process_vm_readv");
	is_u64(s.p[0].len, page, "page 0 alone");
	is_int(s.p[1].status, MS_MEM_READ, "PROT_NONE page read");
	is_int(s.p[1].method, MS_MEM_PROC_MEM, "PROT_NONE page by /proc/PID/mem");
	is_int(s.p[2].status, MS_MEM_UNMAPPED, "hole not mapped");
	is_u64(s.p[2].addr, lay.five + 2 * page, "hole at page 2");
	is_u64(s.p[2].len, page, "hole one page");
	is_int(s.p[3].status, MS_MEM_READ, "pages 3-4 read");
	is_int(s.p[3].method, MS_MEM_VM_READV, "pages 3-4 by process_vm_readv");
	ok(buf[0] == 'A' && buf[page - 1] == 'A', "page 0 holds 'A'");
	ok(buf[page] == 0 && buf[2 * page] == 0, "PROT_NONE and hole are zeros");
	ok(buf[3 * page] == 'D' && buf[4 * page - 1] == 'D', "page 3 holds 'D'");
	ok(buf[4 * page] == 0, "untouched page 4 reads zero");

	/* Unaligned, inside one page. */
	memset(&s, 0, sizeof(s));
	s.copy = buf;
	s.base = lay.five + 3 * page + 5;
	rc = ms_memread_range(ctx, r, s.base, s.base + 10, collect, &s, NULL);
	ok(rc == 0 && s.n == 1 && s.p[0].len == 10 && buf[9] == 'D', "10 unaligned bytes");

	/* Larger than a batch: every byte arrives once, in order. */
	memset(&s, 0, sizeof(s));
	rc = ms_memread_range(ctx, r, lay.big, lay.big + BIG, collect, &s, NULL);
	for (size_t i = 0; i < BIG; i++)
		want_sum += (unsigned char)(i * 7 + (i >> 12));
	ok(rc == 0 && !s.gap && s.n == 1, "9 MiB in one run of reads");
	is_u64(s.sum, want_sum, "9 MiB: the bytes are the child's");

	is_int(ms_memread_range(ctx, r, lay.big, lay.big + page, stop_early, NULL, NULL),
	       -ECANCELED, "a callback's error stops the read");
	is_int(ms_memread_range(ctx, r, lay.big, lay.big, collect, &s, NULL), -EINVAL,
	       "an empty range is refused");
	ms_memread_free(r);


	/* The child exits: the next read says so. */
	is_int(ms_memread_new(ctx, pid, maps, 0, &r), 0, "reader made again");
	close(go);
	waitpid(pid, &status, 0);
	memset(&s, 0, sizeof(s));
	is_int(ms_memread_range(ctx, r, lay.big, lay.big + page, collect, &s, NULL), -ESRCH,
	       "a gone process is -ESRCH");
	ok(strstr(ms_ctx_errmsg(ctx), "exited") != NULL, "message says exited: %s",
	   ms_ctx_errmsg(ctx));
	ms_memread_free(r);
	is_int(ms_memread_new(ctx, pid, maps, 0, &r), -ESRCH, "no reader for a gone pid");

	is_str(ms_mem_status_name(MS_MEM_UNMAPPED), "not mapped", "status name");
	is_str(ms_mem_method_name(MS_MEM_PROC_MEM), "/proc/PID/mem", "method name");
	ms_maps_free(maps);
	free(buf);
	ms_ctx_free(ctx);
	return tap_done();
}
