// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <memsift/memread.h>
#include <memsift/procfs.h>

#include "internal.h"

/*
 * One batch is what the reader holds at a time.  Each remote iovec covers at
 * most IOV_CHUNK, so a batch is one process_vm_readv call of several iovecs
 * (and, with pagemap, one iovec per run of resident pages).
 */
#define BATCH (4u << 20)
#define IOV_CHUNK (1u << 20)
#define MAX_IOV 256

/* /proc/PID/pagemap: Documentation/admin-guide/mm/pagemap.rst */
#define PM_PRESENT (UINT64_C(1) << 63)
#define PM_SWAPPED (UINT64_C(1) << 62)

struct ms_memread {
	pid_t pid;
	pid_t mm_pid;		/* a live thread's, when the main one has exited */
	uint64_t mapped_lo, mapped_hi;	/* still mapped by the live maps: no need to ask again */
	const struct ms_maps *maps;
	unsigned int flags;
	uint64_t page;
	int memfd;		/* /proc/PID/mem; -1 until first needed */
	int memfd_err;		/* 1 once opening it failed */
	int pagemapfd;		/* -1 unless MS_MEMREAD_RESIDENT_ONLY */
	unsigned char *buf;	/* BATCH bytes */
	uint64_t *pm;		/* BATCH / page pagemap entries */
};

const char *ms_mem_status_name(enum ms_mem_status s)
{
	switch (s) {
	case MS_MEM_READ: return "read";
	case MS_MEM_UNMAPPED: return "not mapped";
	case MS_MEM_UNREADABLE: return "unreadable";
	case MS_MEM_NOT_RESIDENT: return "not resident";
	}
	return "?";
}

const char *ms_mem_method_name(enum ms_mem_method m)
{
	switch (m) {
	case MS_MEM_NONE: return "none";
	case MS_MEM_VM_READV: return "process_vm_readv";
	case MS_MEM_PROC_MEM: return "/proc/PID/mem";
	case MS_MEM_PEEKDATA: return "PTRACE_PEEKDATA";
	}
	return "?";
}

int ms_memread_new(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps,
		   unsigned int flags, struct ms_memread **out)
{
	struct ms_memread *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	r->pid = pid;
	r->mm_pid = ms_procfs_mm_task(pid);
	r->maps = maps;
	r->flags = flags;
	r->page = (uint64_t)sysconf(_SC_PAGESIZE);
	r->memfd = -1;
	r->pagemapfd = -1;
	r->buf = malloc(BATCH);
	r->pm = malloc(BATCH / r->page * sizeof(*r->pm));
	if (!r->buf || !r->pm) {
		ms_memread_free(r);
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	}
	if (flags & MS_MEMREAD_RESIDENT_ONLY) {
		rc = ms_procfs_open(ctx, pid, "pagemap", O_RDONLY, &r->pagemapfd);
		if (rc < 0) {
			ms_memread_free(r);
			return rc;
		}
	} else if (!ms_procfs_pid_exists(pid)) {
		ms_memread_free(r);
		return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	}
	*out = r;
	return 0;
}

void ms_memread_free(struct ms_memread *r)
{
	if (!r)
		return;
	if (r->memfd >= 0)
		close(r->memfd);
	if (r->pagemapfd >= 0)
		close(r->pagemapfd);
	free(r->buf);
	free(r->pm);
	free(r);
}

int ms_memread_eperm(struct ms_ctx *ctx, pid_t pid)
{
	uid_t owner;
	FILE *fp;
	int scope = 0;

	fp = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (fp) {
		if (fscanf(fp, "%d", &scope) != 1)
			scope = 0;
		fclose(fp);
	}
	if (ms_procfs_owner(pid, &owner) == 0 && owner != geteuid())
		return ms_err(ctx, -EPERM,
			      "pid %d: ptrace refused (it runs as uid %u, this process as uid %u); run as uid %u or with CAP_SYS_PTRACE",
			      (int)pid, (unsigned)owner, (unsigned)geteuid(), (unsigned)owner);
	if (scope >= 1)
		return ms_err(ctx, -EPERM,
			      "pid %d: ptrace refused (kernel.yama.ptrace_scope=%d); run with CAP_SYS_PTRACE%s",
			      (int)pid, scope, scope == 1 ? " or set kernel.yama.ptrace_scope=0" : "");
	return ms_err(ctx, -EPERM,
		      "pid %d: ptrace refused (no CAP_SYS_PTRACE, or the target is not dumpable); run with CAP_SYS_PTRACE",
		      (int)pid);
}

/* The process is gone once its address space is: a zombie has none. */
static bool target_gone(const struct ms_memread *r)
{
	ssize_t n;
	int fd;
	char c;

	if (!ms_procfs_pid_exists(r->pid))
		return true;
	/* A zombie's /proc/PID/maps reads empty. */
	if (ms_procfs_open(NULL, r->pid, "maps", O_RDONLY, &fd) < 0)
		return false;
	n = read(fd, &c, 1);
	close(fd);
	return n == 0;
}

static int deliver(ms_memread_cb cb, void *data, uint64_t addr, const void *p, size_t len,
		   enum ms_mem_status st, enum ms_mem_method m)
{
	struct ms_mem_piece piece = {
		.addr = addr, .len = len, .data = p, .status = st, .method = m,
	};

	return len ? cb(&piece, data) : 0;
}

/* process_vm_readv of [ADDR, ADDR+LEN) into BUF, in IOV_CHUNK remote iovecs. */
static ssize_t vm_readv(pid_t pid, void *buf, uint64_t addr, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote[MAX_IOV];
	unsigned long n = 0;
	size_t off = 0, l;

	while (off < len && n < MAX_IOV) {
		l = len - off < IOV_CHUNK ? len - off : IOV_CHUNK;
		remote[n].iov_base = (void *)(uintptr_t)(addr + off);
		remote[n].iov_len = l;
		off += l;
		n++;
	}
	local.iov_len = off;
	return process_vm_readv(pid, &local, 1, remote, n, 0);
}

/* Opened on first need: most ranges never fall back. */
static int memfd_get(struct ms_memread *r)
{
	if (r->memfd >= 0 || r->memfd_err)
		return r->memfd;
	if (ms_procfs_open(NULL, r->pid, "mem", O_RDONLY, &r->memfd) < 0) {
		r->memfd = -1;
		r->memfd_err = 1;
	}
	return r->memfd;
}

/* Word by word; the target must be ptrace-stopped by us.  All or nothing. */
static bool peek_page(struct ms_memread *r, unsigned char *buf, uint64_t addr, size_t len)
{
	uint64_t a = addr & ~(uint64_t)(sizeof(long) - 1);
	long w;

	for (; a < addr + len; a += sizeof(long)) {
		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, r->mm_pid, (void *)(uintptr_t)a, NULL);
		if (w == -1 && errno)
			return false;
		for (size_t i = 0; i < sizeof(long); i++)
			if (a + i >= addr && a + i < addr + len)
				buf[a + i - addr] = ((unsigned char *)&w)[i];
	}
	return true;
}

/* Start of the first mapping above ADDR, or UINT64_MAX. */
static uint64_t next_mapping(const struct ms_maps *maps, uint64_t addr)
{
	size_t i, n = ms_maps_count(maps);

	for (i = 0; i < n; i++)
		if (ms_mapping_start(ms_maps_get(maps, i)) > addr)
			return ms_mapping_start(ms_maps_get(maps, i));
	return UINT64_MAX;
}

/*
 * R->maps is as the dump began.  When a page it says is mapped cannot be
 * read, ask the live maps whether the target has unmapped it since: the end
 * of the hole at ADDR now (the next mapping's start, or UINT64_MAX), or ADDR
 * when it is still mapped or the maps cannot be read.
 */
static uint64_t unmapped_since(struct ms_ctx *ctx, struct ms_memread *r, uint64_t addr)
{
	struct ms_maps *now;
	uint64_t hole = addr;

	if (ms_maps_read_pid(ctx, r->pid, MS_MAPS_SRC_MAPS, &now) < 0)
		return addr;
	if (!ms_maps_find(now, addr))
		hole = next_mapping(now, addr);
	ms_maps_free(now);
	return hole;
}

static int exited(struct ms_ctx *ctx, const struct ms_memread *r, uint64_t a, uint64_t *done)
{
	*done = a;
	return ms_err(ctx, -ESRCH, "pid %d: exited during the read at 0x%llx", (int)r->pid,
		      (unsigned long long)a);
}

/*
 * Bytes from A on, up to END, into P: process_vm_readv first, then
 * /proc/PID/mem.  *GOT is how many (0: neither could read A), *HOW which
 * of the two read them.
 */
static int read_direct(struct ms_ctx *ctx, struct ms_memread *r, uint64_t a, uint64_t end,
		       unsigned char *p, uint64_t *done, size_t *got, enum ms_mem_method *how)
{
	const struct ms_mapping *m;
	size_t want = (size_t)(end - a);
	ssize_t n;
	int fd;

	n = vm_readv(r->mm_pid, p, a, want);
	if (n < 0 && errno == ESRCH)
		return exited(ctx, r, a, done);
	if (n < 0 && errno == EPERM)
		return ms_memread_eperm(ctx, r->pid);
	*got = n > 0 ? (size_t)n : 0;
	*how = MS_MEM_VM_READV;
	if (*got)
		return 0;
	/*
	 * /proc/PID/mem reads on up to the first page it cannot read;
	 * stop it at the end of this mapping, so the next one is tried
	 * with process_vm_readv again.
	 */
	m = r->maps ? ms_maps_find(r->maps, a) : NULL;
	if (m && ms_mapping_end(m) < end)
		want = (size_t)(ms_mapping_end(m) - a);
	fd = memfd_get(r);
	n = fd >= 0 ? pread(fd, p, want, (off_t)a) : -1;
	*got = n > 0 ? (size_t)n : 0;
	*how = MS_MEM_PROC_MEM;
	if (*got)
		return 0;
	/* EOF on /proc/PID/mem: the address space is gone. */
	if ((n == 0 && want) || target_gone(r))
		return exited(ctx, r, a, done);
	return 0;
}

/*
 * The end of the hole at A, when A is unmapped: the dump's maps leave it
 * out, or the target unmapped it since they were read.  A when it is
 * mapped, as far as anyone can tell.
 */
static uint64_t hole_at(struct ms_ctx *ctx, struct ms_memread *r, uint64_t a)
{
	if (!r->maps)
		return a;
	if (!ms_maps_find(r->maps, a))
		return next_mapping(r->maps, a);
	/*
	 * A frozen target unmaps nothing, and a mapping found still
	 * there is not asked about again page by page: each ask
	 * reads the whole of /proc/PID/maps.
	 */
	if (!(r->flags & MS_MEMREAD_PTRACED) && !(a >= r->mapped_lo && a < r->mapped_hi))
		return unmapped_since(ctx, r, a);
	return a;
}

/*
 * The page at A that neither read could: word by word when the target is
 * ours to peek, else zeros that say why (a hole runs on to its end).
 * *NEXT is where the next read starts.
 */
static int fallback_page(struct ms_ctx *ctx, struct ms_memread *r, uint64_t a, uint64_t end,
			 unsigned char *p, ms_memread_cb cb, void *data, uint64_t *next)
{
	const struct ms_mapping *m;
	uint64_t pend, hole;
	enum ms_mem_status st = MS_MEM_UNREADABLE;

	pend = (a & ~(r->page - 1)) + r->page;
	if (pend > end)
		pend = end;
	*next = pend;
	if ((r->flags & MS_MEMREAD_PTRACED) && peek_page(r, p, a, (size_t)(pend - a)))
		return deliver(cb, data, a, p, (size_t)(pend - a), MS_MEM_READ, MS_MEM_PEEKDATA);
	if ((hole = hole_at(ctx, r, a)) > a) {
		if (hole > end)
			hole = end;
		if (hole > pend)
			pend = hole;
		st = MS_MEM_UNMAPPED;
	} else if (r->maps && (m = ms_maps_find(r->maps, a))) {
		r->mapped_lo = ms_mapping_start(m);
		r->mapped_hi = ms_mapping_end(m);
	}
	*next = pend;
	memset(p, 0, (size_t)(pend - a));
	return deliver(cb, data, a, p, (size_t)(pend - a), st, MS_MEM_NONE);
}

/*
 * Read [ADDR, END), at most a batch, all resident (or residency not
 * asked): process_vm_readv first, then the fallbacks from the failing page.
 */
static int read_run(struct ms_ctx *ctx, struct ms_memread *r, uint64_t addr, uint64_t end,
		    ms_memread_cb cb, void *data, uint64_t *done)
{
	enum ms_mem_method how = MS_MEM_NONE;
	uint64_t a = addr;
	size_t got = 0;
	int rc;

	while (a < end) {
		unsigned char *p = r->buf + (a - addr);

		if ((rc = read_direct(ctx, r, a, end, p, done, &got, &how)) < 0)
			return rc;
		if (got) {
			rc = deliver(cb, data, a, p, got, MS_MEM_READ, how);
			a += (uint64_t)got;
		} else {
			rc = fallback_page(ctx, r, a, end, p, cb, data, &a);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool resident(uint64_t pm)
{
	return pm & (PM_PRESENT | PM_SWAPPED);
}

/* One batch [ADDR, END): split into runs of resident and not resident pages. */
static int read_batch(struct ms_ctx *ctx, struct ms_memread *r, uint64_t addr, uint64_t end,
		      ms_memread_cb cb, void *data, uint64_t *done)
{
	uint64_t first = addr / r->page, npages = (end - 1) / r->page - first + 1;
	uint64_t a = addr, run_end;
	size_t i, got;
	ssize_t n;
	int rc;

	if (!(r->flags & MS_MEMREAD_RESIDENT_ONLY))
		return read_run(ctx, r, addr, end, cb, data, done);

	n = pread(r->pagemapfd, r->pm, npages * sizeof(*r->pm), (off_t)(first * sizeof(*r->pm)));
	if (n < 0) {
		if (target_gone(r)) {
			*done = addr;
			return ms_err(ctx, -ESRCH, "pid %d: exited during the read at 0x%llx",
				      (int)r->pid, (unsigned long long)addr);
		}
		return ms_err_errno(ctx, -errno, "pid %d: cannot read /proc/%d/pagemap",
				    (int)r->pid, (int)r->pid);
	}
	/* Entries the kernel did not give (beyond the address space) read as absent. */
	got = (size_t)n / sizeof(*r->pm);
	for (i = got; i < npages; i++)
		r->pm[i] = 0;

	while (a < end) {
		i = (size_t)(a / r->page - first);
		bool res = resident(r->pm[i]);

		for (run_end = (a / r->page + 1) * r->page; run_end < end; run_end += r->page)
			if (resident(r->pm[run_end / r->page - first]) != res)
				break;
		if (run_end > end)
			run_end = end;
		if (res) {
			rc = read_run(ctx, r, a, run_end, cb, data, done);
		} else {
			unsigned char *p = r->buf + (a - addr);

			memset(p, 0, (size_t)(run_end - a));
			rc = deliver(cb, data, a, p, (size_t)(run_end - a), MS_MEM_NOT_RESIDENT,
				     MS_MEM_NONE);
		}
		if (rc < 0)
			return rc;
		a = run_end;
	}
	return 0;
}

int ms_memread_range(struct ms_ctx *ctx, struct ms_memread *r, uint64_t start,
		     uint64_t end, ms_memread_cb cb, void *data, uint64_t *done)
{
	uint64_t a = start, bend, reached = start;
	int rc;

	if (end <= start)
		return ms_err(ctx, -EINVAL, "empty range 0x%llx-0x%llx",
			      (unsigned long long)start, (unsigned long long)end);
	while (a < end) {
		/* Batches end on page boundaries, so a page is never split. */
		bend = (a & ~(r->page - 1)) + BATCH;
		if (bend > end || bend < a)
			bend = end;
		rc = read_batch(ctx, r, a, bend, cb, data, &reached);
		if (rc < 0) {
			if (rc == -ESRCH && done)
				*done = reached;
			return rc;
		}
		a = bend;
	}
	if (done)
		*done = end;
	return 0;
}

int ms_memread_peek(struct ms_ctx *ctx, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;
	int fd, rc;

	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == ESRCH)
		return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	/* /proc/PID/mem reads with FOLL_FORCE: PROT_NONE pages too. */
	rc = ms_procfs_open(ctx, pid, "mem", O_RDONLY, &fd);
	if (rc < 0)
		return rc == -EPERM ? ms_memread_eperm(ctx, pid) : rc;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	return ms_err(ctx, -EIO, "pid %d: 0x%llx: %zu bytes unreadable", (int)pid,
		      (unsigned long long)addr, len);
}

void ms_memread_unfrozen(struct ms_memread *r)
{
	r->flags &= ~(unsigned int)MS_MEMREAD_PTRACED;
}
