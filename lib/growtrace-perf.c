// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * growtrace's events: the perf_event_open(2) attributes, one event per
 * thread and CPU writing to the CPU's ring buffer, and the one line that
 * says why the kernel refused them.  The records are read in growtrace.c.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "growtrace-private.h"
#include "internal.h"

static void fill_attr(const struct ms_growtrace *gt, struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_PAGE_FAULTS;
	/*
	 * Every fault up to FREQ samples a second, then one in a period the
	 * kernel adjusts on each tick to keep that rate (perf's frequency
	 * mode); each sample carries the period it stands for.  The kernel
	 * adjusts only while the thread runs, so a burst after a quiet spell
	 * starts with the last period: the report says the longest one seen.
	 */
	a->freq = 1;
	a->sample_freq = gt->opts.freq;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			 PERF_SAMPLE_ADDR | PERF_SAMPLE_PERIOD | PERF_SAMPLE_REGS_USER |
			 PERF_SAMPLE_STACK_USER;
	a->sample_regs_user = ms_gt_unwind_regs_mask();
	a->sample_stack_user = gt->opts.stack_size;
	/* Threads the thread starts write to this event's ring buffer. */
	a->inherit = 1;
	/* PERF_RECORD_FORK tells which threads inheritance covers. */
	a->task = 1;
	/*
	 * PERF_RECORD_MMAP2 for data mappings, in order with the samples: a
	 * fault in a mapping unmapped before its sample is read is still
	 * classified (see shadow_find()).
	 */
	a->mmap_data = 1;
	a->mmap2 = 1;
	a->exclude_kernel = gt->exclude_kernel;
	a->exclude_hv = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	/* Wake the reader when a quarter of the ring is used. */
	a->watermark = 1;
	a->wakeup_watermark = RING_PAGES * 4096 / 8;
}

static int read_int_file(const char *path, long *v)
{
	FILE *fp = fopen(path, "re");
	int ok;

	if (!fp)
		return -errno;
	ok = fscanf(fp, "%ld", v) == 1;
	fclose(fp);
	return ok ? 0 : -EBADMSG;
}

/* A line "KEY:\tVALUE" of /proc/self/status. */
static bool self_status(const char *key, char *val, size_t len)
{
	char line[256];
	size_t kl = strlen(key);
	bool found = false;
	FILE *fp = fopen("/proc/self/status", "re");

	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			snprintf(val, len, "%s", line + kl + 1 + strspn(line + kl + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			found = true;
			break;
		}
	fclose(fp);
	return found;
}

/* CAP_PERFMON (38) or CAP_SYS_ADMIN (21) in our effective set. */
static bool can_perfmon(void)
{
	char v[64];
	unsigned long long caps;

	if (!self_status("CapEff", v, sizeof(v)) || sscanf(v, "%llx", &caps) != 1)
		return false;
	return caps & ((1ULL << 38) | (1ULL << 21));
}

/* The one line that says why the kernel refused the event, and the fix. */
static int refused(struct ms_ctx *ctx, pid_t pid, int e)
{
	char seccomp[16] = "";
	long paranoid = -100;
	bool perfmon = can_perfmon();

	read_int_file("/proc/sys/kernel/perf_event_paranoid", &paranoid);
	self_status("Seccomp", seccomp, sizeof(seccomp));
	if (e == ENOSYS || (seccomp[0] == '2' && (e == EPERM || e == EACCES)))
		return ms_err(ctx, e == ENOSYS ? -EPERM : -e,
			      "pid %d: perf_event_open refused (%s) under a seccomp filter (Seccomp: %s); a container's profile blocks it: allow perf_event_open (e.g. docker --cap-add PERFMON, or a seccomp profile that permits it)",
			      (int)pid, strerror(e), seccomp[0] ? seccomp : "?");
	if (e == ENOENT || e == EOPNOTSUPP || e == EINVAL)
		return ms_err(ctx, -EOPNOTSUPP,
			      "pid %d: this kernel has no page-fault software event with user stacks (%s); it needs CONFIG_PERF_EVENTS",
			      (int)pid, strerror(e));
	if (!perfmon && paranoid > 2)
		return ms_err(ctx, -e,
			      "pid %d: perf_event_open refused (kernel.perf_event_paranoid=%ld, no CAP_PERFMON); run as root or with CAP_PERFMON, or sysctl kernel.perf_event_paranoid=2",
			      (int)pid, paranoid);
	if (!perfmon)
		return ms_err(ctx, -e,
			      "pid %d: perf_event_open refused (%s; kernel.perf_event_paranoid=%ld, no CAP_PERFMON): tracing another user's process needs CAP_PERFMON or ptrace rights over it; run as its user or as root",
			      (int)pid, strerror(e), paranoid);
	return ms_err(ctx, -e,
		      "pid %d: perf_event_open refused (%s) despite CAP_PERFMON (kernel.perf_event_paranoid=%ld); a container or an LSM (SELinux, AppArmor) forbids it",
		      (int)pid, strerror(e), paranoid);
}

static size_t ring_map_size(const struct gt_ring *r)
{
	return r->data_size + (size_t)getpagesize();
}

static int map_ring(struct ms_ctx *ctx, struct ms_growtrace *gt, struct gt_ring *r, int fd)
{
	size_t pages;
	void *base = MAP_FAILED;

	for (pages = RING_PAGES; pages >= RING_PAGES_MIN; pages /= 2) {
		base = mmap(NULL, (pages + 1) * (size_t)getpagesize(), PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
		if (base != MAP_FAILED)
			break;
	}
	if (base == MAP_FAILED)
		return ms_err_errno(ctx, -errno, "pid %d: cannot map a perf ring buffer (raise kernel.perf_event_mlock_kb, or run with CAP_IPC_LOCK)",
				    (int)gt->pid);
	r->base = base;
	r->data_size = pages * (size_t)getpagesize();
	r->fd = fd;
	return 0;
}

/* Open thread TID's events, one per CPU, each writing to its CPU's ring. */
int ms_gt_open_thread(struct ms_ctx *ctx, struct ms_growtrace *gt, pid_t tid)
{
	struct perf_event_attr a;
	size_t c;
	long fd;
	int rc;

	if (ms_gt_grow(&gt->ev, &gt->cap_ev, gt->nev + gt->nring, sizeof(*gt->ev)) < 0 ||
	    ms_gt_grow(&gt->tids, &gt->cap_tids, gt->ntids + 1, sizeof(*gt->tids)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (c = 0; c < gt->nring; c++) {
		struct gt_ring *r = &gt->ring[c];

		if (r->cpu < 0)
			continue;
		fill_attr(gt, &a);
		fd = syscall(SYS_perf_event_open, &a, tid, r->cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0 && (errno == EACCES || errno == EPERM) && !gt->exclude_kernel) {
			/*
			 * Unprivileged (perf_event_paranoid 2) may see user-mode
			 * faults only: faults in a system call writing to fresh
			 * memory (read(2) into a new buffer) are not seen then.
			 */
			gt->exclude_kernel = true;
			fill_attr(gt, &a);
			fd = syscall(SYS_perf_event_open, &a, tid, r->cpu, -1, PERF_FLAG_FD_CLOEXEC);
		}
		if (fd < 0 && errno == ENODEV && r->fd < 0) {	/* an offline CPU */
			r->cpu = -1;
			continue;
		}
		if (fd < 0)
			return errno == ESRCH ? -ESRCH : refused(ctx, gt->pid, errno);
		gt->ev[gt->nev++] = (struct gt_event){ tid, (int)fd };
		if (r->fd < 0)
			rc = map_ring(ctx, gt, r, (int)fd);
		else if (ioctl((int)fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0)
			rc = ms_err_errno(ctx, -errno, "pid %d: thread %d: cannot share the CPU's perf ring buffer",
					  (int)gt->pid, (int)tid);
		else
			rc = 0;
		if (rc < 0)
			return rc;
	}
	gt->tids[gt->ntids++] = tid;
	return 0;
}

int ms_gt_rings_new(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	size_t c;

	if (n < 1)
		n = 1;
	gt->ring = calloc((size_t)n, sizeof(*gt->ring));
	if (!gt->ring)
		return ms_err(ctx, -ENOMEM, "out of memory");
	gt->nring = (size_t)n;
	for (c = 0; c < gt->nring; c++)
		gt->ring[c] = (struct gt_ring){ .cpu = (int)c, .fd = -1 };
	return 0;
}

void ms_gt_close_all(struct ms_growtrace *gt)
{
	size_t i;

	for (i = 0; i < gt->nring; i++)
		if (gt->ring[i].base) {
			munmap(gt->ring[i].base, ring_map_size(&gt->ring[i]));
			gt->ring[i].base = NULL;
		}
	for (i = 0; i < gt->nev; i++)
		close(gt->ev[i].fd);
	gt->nev = 0;
}

/* Faults the kernel counted on all events, inherited ones included. */
uint64_t ms_gt_counted_faults(const struct ms_growtrace *gt)
{
	uint64_t total = 0, v;
	size_t i;

	for (i = 0; i < gt->nev; i++)
		if (read(gt->ev[i].fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			total += v;
	return total;
}

long ms_gt_max_sample_rate(void)
{
	long v;

	return read_int_file("/proc/sys/kernel/perf_event_max_sample_rate", &v) == 0 ? v : 0;
}
