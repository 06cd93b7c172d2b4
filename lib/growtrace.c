// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * growtrace: page faults on private writable memory, sampled with their
 * user stacks through perf_event_open(2), unwound offline and summed by
 * stack.  See <memsift/growtrace.h>.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <memsift/growtrace.h>
#include <memsift/label.h>
#include <memsift/maps.h>
#include <memsift/procfs.h>
#include <memsift/symbol.h>

#include "growtrace-private.h"
#include "internal.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int ms_gt_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	void **p = pp;
	size_t ncap = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*p, ncap * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

static bool is_opened(const struct ms_growtrace *gt, pid_t tid)
{
	size_t i;

	for (i = 0; i < gt->ntids; i++)
		if (gt->tids[i] == tid)
			return true;
	return false;
}

static bool is_child(const struct ms_growtrace *gt, pid_t tid)
{
	size_t i;

	for (i = 0; i < gt->nchild; i++)
		if (gt->child[i].tid == tid)
			return true;
	return false;
}

/* Label index of NAME, added if new. */
static int label_index(struct ms_growtrace *gt, const char *name)
{
	size_t i;
	char **n;

	for (i = 0; i < gt->nlabels; i++)
		if (!strcmp(gt->labels[i], name))
			return (int)i;
	n = realloc(gt->labels, (gt->nlabels + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	gt->labels = n;
	n[gt->nlabels] = strdup(name);
	if (!n[gt->nlabels])
		return -ENOMEM;
	return (int)gt->nlabels++;
}

static int read_maps(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	struct ms_maps *m;
	int *ml;
	size_t i;
	int rc;

	rc = ms_maps_read_pid(ctx, gt->pid, MS_MAPS_SRC_MAPS, &m);
	if (rc < 0)
		return rc;
	ml = malloc((ms_maps_count(m) + 1) * sizeof(*ml));
	if (!ml) {
		ms_maps_free(m);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < ms_maps_count(m); i++)
		ml[i] = -1;
	ms_maps_free(gt->maps);
	free(gt->maplabel);
	gt->maps = m;
	gt->maplabel = ml;
	gt->last_maps = now_ns();
	return 0;
}

/* Private writable memory: the only kind a first touch makes the process's own. */
static bool grows(const struct ms_mapping *m)
{
	const char *p = ms_mapping_perms(m);

	return p[1] == 'w' && p[3] == 'p';
}

/* A cursor over a record that may wrap around the end of the ring. */
struct rd {
	const unsigned char *data;
	size_t size, pos, left;
};

static bool rd_get(struct rd *r, void *out, size_t n)
{
	size_t i;

	if (n > r->left)
		return false;
	for (i = 0; i < n; i++)
		((unsigned char *)out)[i] = r->data[(r->pos + i) & (r->size - 1)];
	r->pos += n;
	r->left -= n;
	return true;
}

static bool rd_u64(struct rd *r, uint64_t *v)
{
	return rd_get(r, v, sizeof(*v));
}

/*
 * A fault in a mapping gone from the maps by the time its sample is read
 * (mapped and unmapped in between): the latest PERF_RECORD_MMAP2 holding
 * ADDR says what it was.  -1 not growth, -2 none seen.
 */
static int shadow_find(const struct ms_growtrace *gt, uint64_t addr)
{
	size_t i;

	for (i = gt->nshadow; i-- > 0;) {
		const struct gt_shadow *sh = &gt->shadow[i];

		if (addr < sh->start || addr >= sh->end)
			continue;
		return (sh->prot & PROT_WRITE) && (sh->flags & MAP_PRIVATE) ? sh->label : -1;
	}
	return -2;
}

/* Keep a PERF_RECORD_MMAP2 of the target's for shadow_find(). */
static int note_mmap(struct ms_ctx *ctx, struct ms_growtrace *gt, struct rd *r)
{
	uint32_t pt[2], maj_min[2], prot_flags[2];
	uint64_t addr, len, pgoff, ino, gen;
	char name[256] = "", label[300];
	size_t i;
	int l;

	if (!rd_get(r, pt, sizeof(pt)) || !rd_u64(r, &addr) || !rd_u64(r, &len) ||
	    !rd_u64(r, &pgoff) || !rd_get(r, maj_min, sizeof(maj_min)) || !rd_u64(r, &ino) ||
	    !rd_u64(r, &gen) || !rd_get(r, prot_flags, sizeof(prot_flags)))
		return 0;
	for (i = 0; i + 1 < sizeof(name) && rd_get(r, &name[i], 1) && name[i]; i++)
		;
	name[i] = '\0';
	if ((pid_t)pt[0] != gt->pid)
		return 0;
	/* The kernel names anonymous memory "//anon"; a heap grown by brk "[heap]". */
	if (!strcmp(name, "//anon") || !name[0])
		snprintf(label, sizeof(label), "anon (unmapped since)");
	else if (!strcmp(name, "[heap]"))
		snprintf(label, sizeof(label), "heap (brk)");
	else
		snprintf(label, sizeof(label), "%s (unmapped since)", name);
	l = label_index(gt, label);
	if (l < 0 || ms_gt_grow(&gt->shadow, &gt->cap_shadow, gt->nshadow + 1, sizeof(*gt->shadow)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	gt->shadow[gt->nshadow++] = (struct gt_shadow){ addr, addr + len, prot_flags[0],
							prot_flags[1], l };
	return 0;
}

/*
 * The label of ADDR's mapping, -1 for a fault that is not growth, -2 when
 * no mapping holds it even after re-reading the maps.
 */
static int classify(struct ms_ctx *ctx, struct ms_growtrace *gt, uint64_t addr, uint64_t time)
{
	const struct ms_mapping *m = gt->maps ? ms_maps_find(gt->maps, addr) : NULL;
	char buf[128];
	const char *l;
	size_t i;

	/*
	 * Maps read before the fault may lack its mapping (a new mmap, the
	 * heap's new end) or show it before an mprotect (Go reserves its arenas
	 * PROT_NONE); maps read after it have it unless it was unmapped since.
	 */
	if ((!m || !grows(m)) && time >= gt->last_maps && read_maps(ctx, gt) == 0)
		m = ms_maps_find(gt->maps, addr);
	if (!m)
		return shadow_find(gt, addr);
	if (!grows(m))
		return -1;
	i = ms_mapping_index(m);
	if (gt->maplabel[i] >= 0)
		return gt->maplabel[i];
	l = ms_label_mapping(NULL, m, buf, sizeof(buf));
	if (!*l) {
		switch (ms_mapping_kind(m)) {
		case MS_MAPPING_FILE:
			l = "file (copy-on-write)";
			break;
		case MS_MAPPING_STACK:
			l = "main thread stack";
			break;
		default:
			l = "anon";
		}
	}
	gt->maplabel[i] = label_index(gt, l);
	return gt->maplabel[i];
}

static uint64_t hash_stack(const uint64_t *pcs, size_t n, uint32_t label)
{
	uint64_t h = 1469598103934665603ULL ^ label;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= pcs[i];
		h *= 1099511628211ULL;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

static int rehash(struct ms_growtrace *gt)
{
	size_t ncap = gt->hcap ? gt->hcap * 2 : 1024, i, j;
	size_t *t = calloc(ncap, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (i = 0; i < gt->nstacks; i++) {
		for (j = gt->stacks[i].hash & (ncap - 1); t[j]; j = (j + 1) & (ncap - 1))
			;
		t[j] = i + 1;
	}
	free(gt->htab);
	gt->htab = t;
	gt->hcap = ncap;
	return 0;
}

/* The index of the stack PCS into LABEL, added if new; -ENOMEM. */
static long stack_index(struct ms_growtrace *gt, const uint64_t *pcs, size_t n, uint32_t label)
{
	uint64_t h = hash_stack(pcs, n, label);
	struct gt_stack *s;
	size_t j;

	if ((gt->nstacks + 1) * 2 > gt->hcap && rehash(gt) < 0)
		return -ENOMEM;
	for (j = h & (gt->hcap - 1); gt->htab[j]; j = (j + 1) & (gt->hcap - 1)) {
		s = &gt->stacks[gt->htab[j] - 1];
		if (s->hash == h && s->npcs == n && s->label == label &&
		    !memcmp(s->pcs, pcs, n * sizeof(*pcs)))
			return (long)(gt->htab[j] - 1);
	}
	if (ms_gt_grow(&gt->stacks, &gt->cap_stacks, gt->nstacks + 1, sizeof(*gt->stacks)) < 0)
		return -ENOMEM;
	s = &gt->stacks[gt->nstacks];
	memset(s, 0, sizeof(*s));
	s->pcs = malloc(n * sizeof(*pcs));
	if (!s->pcs)
		return -ENOMEM;
	memcpy(s->pcs, pcs, n * sizeof(*pcs));
	s->npcs = (uint32_t)n;
	s->label = label;
	s->hash = h;
	gt->htab[j] = gt->nstacks + 1;
	return (long)gt->nstacks++;
}

struct sample_buf {
	uint64_t regs[64];
	unsigned char *stack;
	size_t stack_cap;
};

/*
 * The user stack copied with the sample (PERF_SAMPLE_STACK_USER): its size,
 * the bytes and the dynamic size actually filled.  sb keeps the largest
 * buffer so a run does not allocate per sample.  1 read, 0 record cut short
 * (the caller drops the sample, as for any truncated record), <0 error.
 */
static int read_user_stack(struct ms_ctx *ctx, struct rd *r, struct sample_buf *sb,
			   uint64_t *size, uint64_t *dyn)
{
	/* A record without the size field is taken as one with no stack. */
	if (!rd_u64(r, size) || !*size)
		return 1;
	if (*size > sb->stack_cap) {
		unsigned char *ns = realloc(sb->stack, *size);

		if (!ns)
			return ms_err(ctx, -ENOMEM, "out of memory");
		sb->stack = ns;
		sb->stack_cap = *size;
	}
	if (!rd_get(r, sb->stack, *size) || !rd_u64(r, dyn))
		return 0;
	return 1;
}

/* Bytes grown per second since the start, for the rate column. */
static int add_rate(struct ms_ctx *ctx, struct ms_growtrace *gt, uint64_t time, uint64_t period)
{
	uint64_t sec = time > gt->start ? (time - gt->start) / 1000000000ULL : 0;

	if (sec >= gt->nrate) {
		size_t cap = gt->nrate;
		uint64_t *nr = realloc(gt->rate, (sec + 1) * sizeof(*nr));

		if (!nr)
			return ms_err(ctx, -ENOMEM, "out of memory");
		memset(nr + cap, 0, (sec + 1 - cap) * sizeof(*nr));
		gt->rate = nr;
		gt->nrate = sec + 1;
	}
	gt->rate[sec] += period * gt->sum.page_size;
	return 0;
}

/*
 * Count one growth fault against its stack si and keep it as a sample, whose
 * index goes to *sample_index so the caller can attach the thread to it.
 */
static int record_sample(struct ms_ctx *ctx, struct ms_growtrace *gt, long si, uint64_t addr,
			 uint64_t time, uint64_t period, long *sample_index)
{
	struct gt_stack *s = &gt->stacks[si];

	if (!s->samples || time < s->first)
		s->first = time;
	if (time > s->last)
		s->last = time;
	s->samples++;
	s->faults += period;
	gt->sum.growth_faults += period;
	gt->sum.samples++;
	if (ms_gt_grow(&gt->samples, &gt->cap_samples, gt->nsamples + 1, sizeof(*gt->samples)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	*sample_index = (long)gt->nsamples;
	gt->samples[gt->nsamples] = (struct gt_sample){
		.page = addr & ~(gt->sum.page_size - 1), .weight = period, .period = period,
		.stack = (uint32_t)si, .seq = (uint32_t)gt->nsamples };
	gt->nsamples++;
	return add_rate(ctx, gt, time, period);
}

static int take_sample(struct ms_ctx *ctx, struct ms_growtrace *gt, struct rd *r,
		       struct sample_buf *sb, long *sample_index)
{
	uint64_t ip, time, addr, period, abi, size = 0, dyn = 0, pcs[GT_MAX_FRAMES];
	uint32_t pt[2];
	struct gt_regs regs = { 0, sb->regs };
	size_t nregs = 0, n;
	bool unknown, cut = false;
	int label, rc;
	long si;

	if (!rd_u64(r, &ip) || !rd_get(r, pt, sizeof(pt)) || !rd_u64(r, &time) ||
	    !rd_u64(r, &addr) || !rd_u64(r, &period) || !rd_u64(r, &abi))
		return 0;
	if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
		regs.mask = ms_gt_unwind_regs_mask();
		nregs = (size_t)__builtin_popcountll(regs.mask);
		if (!rd_get(r, sb->regs, nregs * sizeof(uint64_t)))
			return 0;
	}
	rc = read_user_stack(ctx, r, sb, &size, &dyn);
	if (rc <= 0)
		return rc;
	gt->sum.faults += period;
	label = classify(ctx, gt, addr, time);
	if (label < 0) {
		gt->sum.other_faults += period;
		return 0;
	}
	if (period > gt->sum.max_period)
		gt->sum.max_period = period;
	n = nregs ? ms_gt_unwind(gt->uw, (pid_t)pt[1], &regs, sb->stack, dyn, size, pcs,
			      GT_MAX_FRAMES, &unknown, &cut) : 0;
	if (!n) {
		pcs[0] = ip;
		n = 1;
		unknown = false;
	}
	if (unknown) {
		ms_gt_unwind_refresh(gt->uw);
	}
	if (n == 1)
		gt->sum.unwind_failed++;
	if (cut)
		gt->sum.cut++;
	si = stack_index(gt, pcs, n, (uint32_t)label);
	if (si < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	return record_sample(ctx, gt, si, addr, time, period, sample_index);
}

static int note_child(struct ms_ctx *ctx, struct ms_growtrace *gt, struct rd *r)
{
	uint32_t ids[4];
	uint64_t time;

	if (!rd_get(r, ids, sizeof(ids)) || !rd_u64(r, &time))
		return 0;
	/* ids: pid, ppid, tid, ptid */
	if ((pid_t)ids[0] != gt->pid || is_child(gt, (pid_t)ids[2]))
		return 0;
	if (ms_gt_grow(&gt->child, &gt->cap_child, gt->nchild + 1, sizeof(*gt->child)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	gt->child[gt->nchild++] = (struct gt_child){ (pid_t)ids[2], time };
	gt->sum.threads++;
	return 0;
}

/* Read every record in EV's ring buffer. */
/*
 * Copy every record of RING into the queue, at memcpy's speed: the kernel
 * drops what finds the ring full, and unwinding is far slower than the
 * copy.  Each record is put behind the index of its ring.  Returns how many
 * bytes were copied, or -ENOMEM.
 */
static long copy_ring(struct ms_growtrace *gt, uint32_t ri)
{
	struct gt_ring *ring = &gt->ring[ri];
	struct perf_event_mmap_page *mp = ring->base;
	const unsigned char *data = (const unsigned char *)ring->base + getpagesize();
	uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = mp->data_tail, start = tail;

	while (tail < head) {
		struct perf_event_header h;
		struct rd r = { data, ring->data_size, (size_t)tail, sizeof(h) };
		size_t at;

		if (!rd_get(&r, &h, sizeof(h)) || h.size < sizeof(h) || tail + h.size > head)
			break;
		if (ms_gt_grow(&gt->q, &gt->cap_q, gt->nq + sizeof(ri) + h.size, 1) < 0)
			return -ENOMEM;
		at = gt->nq;
		memcpy(gt->q + at, &ri, sizeof(ri));
		r.pos = (size_t)tail;
		r.left = h.size;
		rd_get(&r, gt->q + at + sizeof(ri), h.size);
		gt->nq += sizeof(ri) + h.size;
		tail += h.size;
	}
	__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
	return (long)(tail - start);
}

/*
 * Count LOST samples dropped on ring RI (it was full) as the samples taken
 * from it just before: the same code is likely still running.  Spread over
 * the last RECENT of them, so one sample does not take a whole burst.
 */
static void lost_samples(struct ms_growtrace *gt, uint32_t ri, uint64_t lost)
{
	struct gt_ring *ring = &gt->ring[ri];
	size_t i, n = ring->nrecent < RECENT ? ring->nrecent : RECENT;

	gt->sum.lost += lost;
	for (i = 0; i < n; i++) {
		struct gt_sample *smp = &gt->samples[ring->recent[i]];
		uint64_t w = lost * smp->period / n + (i < lost * smp->period % n);

		smp->weight += w;
		gt->stacks[smp->stack].faults += w;
		gt->sum.growth_faults += w;
		gt->sum.faults += w;
	}
}

/* Unwind and count up to MAX queued records; returns 0 or -ENOMEM. */
static int process_queue(struct ms_ctx *ctx, struct ms_growtrace *gt, size_t max,
			 struct sample_buf *sb)
{
	int rc = 0;

	while (gt->qhead < gt->nq && max-- && rc == 0) {
		struct perf_event_header h;
		uint32_t ri;
		struct rd r;

		memcpy(&ri, gt->q + gt->qhead, sizeof(ri));
		memcpy(&h, gt->q + gt->qhead + sizeof(ri), sizeof(h));
		/* A linear record: any power of two past its end will do as the mask. */
		r = (struct rd){ gt->q + gt->qhead + sizeof(ri) + sizeof(h), SIZE_MAX / 2 + 1, 0,
				 h.size - sizeof(h) };
		switch (h.type) {
		case PERF_RECORD_SAMPLE: {
			long si = -1;

			rc = take_sample(ctx, gt, &r, sb, &si);
			if (si >= 0)
				gt->ring[ri].recent[gt->ring[ri].nrecent++ % RECENT] = si;
			break;
		}
		case PERF_RECORD_FORK:
			rc = note_child(ctx, gt, &r);
			break;
		case PERF_RECORD_MMAP2:
			rc = note_mmap(ctx, gt, &r);
			break;
		case PERF_RECORD_LOST: {
			uint64_t id, lost;

			if (rd_u64(&r, &id) && rd_u64(&r, &lost))
				lost_samples(gt, ri, lost);
			break;
		}
		default:
			break;
		}
		gt->qhead += sizeof(ri) + h.size;
	}
	if (gt->qhead == gt->nq)
		gt->qhead = gt->nq = 0;
	return rc;
}

static int drain_all(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	struct sample_buf sb = { .stack = NULL };
	long copied;
	size_t i;
	int rc = 0;

	/* Empty the rings between small batches of unwinding. */
	do {
		copied = 0;
		for (i = 0; i < gt->nring; i++)
			if (gt->ring[i].base) {
				long c = copy_ring(gt, (uint32_t)i);

				if (c < 0) {
					rc = ms_err(ctx, -ENOMEM, "out of memory");
					break;
				}
				copied += c;
			}
		if (rc == 0)
			rc = process_queue(ctx, gt, 32, &sb);
	} while (rc == 0 && (copied || gt->qhead < gt->nq));
	free(sb.stack);
	return rc;
}

/* Open events on threads neither opened nor followed by inheritance. */
static int scan_tasks(struct ms_ctx *ctx, struct ms_growtrace *gt, bool first)
{
	pid_t *tids = NULL;
	size_t n = 0, i;
	bool drained = first;
	int rc;

	gt->last_scan = now_ns();
	rc = ms_procfs_tasks(ctx, gt->pid, &tids, &n);
	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (is_opened(gt, tids[i]) || is_child(gt, tids[i]))
			continue;
		if (!drained) {
			/* Its fork record may be waiting in a buffer. */
			rc = drain_all(ctx, gt);
			if (rc < 0)
				break;
			drained = true;
			if (is_child(gt, tids[i]))
				continue;
		}
		rc = ms_gt_open_thread(ctx, gt, tids[i]);
		if (rc == -ESRCH) {	/* it exited meanwhile */
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		gt->sum.threads++;
	}
	free(tids);
	return rc;
}

static int anon_bytes(struct ms_ctx *ctx, pid_t pid, uint64_t *out)
{
	struct ms_maps *m;
	int rc = ms_maps_read_pid(ctx, pid, MS_MAPS_SRC_ROLLUP, &m);

	if (rc < 0)
		return rc;
	*out = ms_maps_total(m, MS_F_ANONYMOUS);
	if (*out == MS_FIELD_ABSENT)
		*out = 0;
	ms_maps_free(m);
	return 0;
}

/*
 * A symbolizer of the target as it maps now, replacing the one before.
 * Only -ENOMEM fails: without one (the maps unreadable, the process gone)
 * the unwinder's libdwfl names the frames.
 */
static int new_symbols(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	struct ms_ctx *quiet = ms_ctx_new();
	struct ms_symbols *s = NULL;
	int rc;

	if (!quiet)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rc = ms_symbols_new_pid(quiet, gt->pid, &s);
	ms_ctx_free(quiet);
	if (rc == -ENOMEM)
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (rc == 0) {
		ms_symbols_free(gt->sym);
		gt->sym = s;
	}
	return 0;
}

/*
 * Have the symbolizer open each module's file now, while the process lives
 * to check it by (its build-id in memory, /proc/PID/map_files): if it
 * exits before the end, these name its frames.  A lookup opens the file.
 */
static int open_modules(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	const struct ms_sym *y;
	size_t i;

	for (i = 0; gt->sym && i < ms_maps_count(gt->maps); i++) {
		const struct ms_mapping *m = ms_maps_get(gt->maps, i);

		if (ms_mapping_kind(m) == MS_MAPPING_FILE && ms_mapping_perms(m)[2] == 'x' &&
		    ms_symbols_lookup_code(ctx, gt->sym, ms_mapping_start(m), &y) < 0)
			return -ENOMEM;
	}
	return 0;
}

int ms_growtrace_new(struct ms_ctx *ctx, pid_t pid, const struct ms_growtrace_opts *opts,
		     struct ms_growtrace **out)
{
	struct ms_growtrace *gt;
	long max_rate;
	int rc;

	gt = calloc(1, sizeof(*gt));
	if (!gt)
		return ms_err(ctx, -ENOMEM, "out of memory");
	gt->pid = pid;
	if (opts)
		gt->opts = *opts;
	if (!gt->opts.freq)
		gt->opts.freq = MS_GROWTRACE_FREQ;
	/* Past the kernel's limit perf_event_open() fails with EINVAL: keep under it. */
	max_rate = ms_gt_max_sample_rate();
	if (max_rate > 0 && gt->opts.freq > (uint64_t)max_rate)
		gt->opts.freq = (uint64_t)max_rate;
	if (!gt->opts.stack_size)
		gt->opts.stack_size = MS_GROWTRACE_STACK_SIZE;
	/* The kernel wants a multiple of 8 below 64 KiB (u16 size, the header's too). */
	gt->opts.stack_size = (gt->opts.stack_size + 7) & ~7U;
	if (gt->opts.stack_size > 65528)
		gt->opts.stack_size = 65528;
	gt->sum.pid = pid;
	gt->sum.freq = gt->opts.freq;
	gt->sum.stack_size = gt->opts.stack_size;
	gt->sum.page_size = (uint64_t)getpagesize();
	/* The events first: when the kernel refuses them, that is the reason to give. */
	rc = ms_gt_rings_new(ctx, gt);
	if (rc < 0)
		goto fail;
	gt->start = now_ns();
	rc = scan_tasks(ctx, gt, true);
	if (rc == 0 && !gt->ntids)
		rc = ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	if (rc < 0)
		goto fail;
	rc = ms_gt_unwind_new(ctx, pid, &gt->uw);
	if (rc < 0)
		goto fail;
	rc = read_maps(ctx, gt);
	if (rc < 0)
		goto fail;
	rc = new_symbols(ctx, gt);
	if (rc < 0)
		goto fail;
	rc = open_modules(ctx, gt);
	if (rc < 0)
		goto fail;
	rc = anon_bytes(ctx, pid, &gt->sum.anon_before);
	if (rc < 0)
		goto fail;
	/* Threads started while the first ones were opened. */
	rc = scan_tasks(ctx, gt, false);
	if (rc < 0)
		goto fail;
	*out = gt;
	return 0;
fail:
	if (rc == -ESRCH && !ms_procfs_pid_exists(pid))
		ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	ms_growtrace_free(gt);
	return rc;
}

size_t ms_growtrace_threads(const struct ms_growtrace *gt)
{
	return gt->sum.threads;
}

/* The target is alive: not gone, not a zombie. */
static bool alive(struct ms_ctx *ctx, pid_t pid)
{
	char *buf = NULL, *p;
	size_t len;
	bool ok;

	if (ms_procfs_read(ctx, pid, "stat", &buf, &len) < 0)
		return false;
	/* "PID (COMM) STATE ...": COMM may hold ')' itself. */
	p = memrchr(buf, ')', len);
	ok = p && p + 2 < buf + len && p[2] != 'Z' && p[2] != 'X';
	free(buf);
	return ok;
}

int ms_growtrace_poll(struct ms_ctx *ctx, struct ms_growtrace *gt, int timeout_ms)
{
	size_t i, n = 0;
	int rc;

	if (gt->exited)
		return MS_GROWTRACE_EXITED;
	if (ms_gt_grow(&gt->pfd, &gt->cap_pfd, gt->nring, sizeof(*gt->pfd)) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < gt->nring; i++)
		if (gt->ring[i].base)
			gt->pfd[n++] = (struct pollfd){ gt->ring[i].fd, POLLIN, 0 };
	if (poll(gt->pfd, n, timeout_ms) < 0 && errno != EINTR)
		return ms_err_errno(ctx, -errno, "poll");
	rc = drain_all(ctx, gt);
	if (rc < 0)
		return rc;
	if (!alive(ctx, gt->pid)) {
		/* Its last samples were written before it died. */
		rc = drain_all(ctx, gt);
		gt->exited = true;
		gt->sum.exited = true;
		return rc < 0 ? rc : MS_GROWTRACE_EXITED;
	}
	if (now_ns() - gt->last_scan >= TASKS_RESCAN_NS) {
		rc = scan_tasks(ctx, gt, false);
		if (rc == -ESRCH) {
			gt->exited = true;
			gt->sum.exited = true;
			return MS_GROWTRACE_EXITED;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_sample_page(const void *a, const void *b)
{
	const struct gt_sample *x = a, *y = b;

	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Net the pages freed since their fault: a sampled page no longer present
 * (nor swapped) in /proc/PID/pagemap was unmapped or madvise()d away.  A
 * page sampled twice (freed and touched again) counts once, for its last
 * sample.
 */
static int net_freed(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	struct gt_sample *s = gt->samples;
	size_t i, n = gt->nsamples;
	int fd, rc;

	rc = ms_procfs_open(ctx, gt->pid, "pagemap", O_RDONLY, &fd);
	if (rc < 0)
		return rc;
	if (n)	/* qsort(3) wants a pointer even for nothing */
		qsort(s, n, sizeof(*s), cmp_sample_page);
	for (i = 0; i < n; i++) {
		uint64_t e;

		if (i + 1 < n && s[i + 1].page == s[i].page)
			continue;
		if (pread(fd, &e, sizeof(e), (off_t)(s[i].page / gt->sum.page_size * sizeof(e))) !=
		    (ssize_t)sizeof(e))
			continue;
		/* Bit 63 present, bit 62 swapped (Documentation/admin-guide/mm/pagemap.rst). */
		if (e & (3ULL << 62)) {
			gt->stacks[s[i].stack].resident_faults += s[i].weight;
			s[i].resident = true;
		}
	}
	close(fd);
	return 0;
}

static uint64_t scaled(uint64_t v, double f)
{
	return (uint64_t)((double)v * f + 0.5);
}

/*
 * The kernel stops sampling an event for the rest of a tick once it passes
 * kernel.perf_event_max_sample_rate (the start of a burst, before the
 * period adapts): the faults counted then are in no sample's period.  They
 * are spread over the stacks in proportion, and the report says how many.
 */
static void spread_unsampled(struct ms_growtrace *gt, uint64_t counted)
{
	double f;
	size_t i;

	if (counted <= gt->sum.faults || !gt->sum.faults)
		return;
	gt->sum.unsampled = counted - gt->sum.faults;
	f = (double)counted / (double)gt->sum.faults;
	for (i = 0; i < gt->nstacks; i++) {
		gt->stacks[i].faults = scaled(gt->stacks[i].faults, f);
		gt->stacks[i].resident_faults = scaled(gt->stacks[i].resident_faults, f);
	}
	for (i = 0; i < gt->nrate; i++)
		gt->rate[i] = scaled(gt->rate[i], f);
	gt->sum.growth_faults = scaled(gt->sum.growth_faults, f);
	gt->sum.other_faults = scaled(gt->sum.other_faults, f);
	gt->sum.faults = counted;
}

static const struct ms_growtrace *rank_gt;

static int cmp_rank(const void *a, const void *b)
{
	const struct gt_stack *x = &rank_gt->stacks[*(const size_t *)a];
	const struct gt_stack *y = &rank_gt->stacks[*(const size_t *)b];

	if (x->resident_faults != y->resident_faults)
		return x->resident_faults > y->resident_faults ? -1 : 1;
	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

int ms_growtrace_finish(struct ms_ctx *ctx, struct ms_growtrace *gt)
{
	uint64_t end = now_ns(), counted;
	size_t i;
	int rc;

	if (gt->finished)
		return 0;
	gt->finished = true;
	rc = drain_all(ctx, gt);
	counted = ms_gt_counted_faults(gt);
	ms_gt_close_all(gt);
	if (rc < 0)
		return rc;
	gt->sum.duration = (double)(end - gt->start) / 1e9;
	gt->sum.every_fault = gt->sum.max_period <= 1;
	/* Modules mapped since attach (dlopen) are named only by maps read now. */
	if (!gt->exited && (rc = new_symbols(ctx, gt)) < 0)
		return rc;
	if (!gt->exited && net_freed(ctx, gt) == 0 &&
	    anon_bytes(ctx, gt->pid, &gt->sum.anon_after) == 0) {
		gt->sum.netted = true;
		gt->sum.have_after = true;
	}
	if (!gt->sum.netted) {
		for (i = 0; i < gt->nstacks; i++)
			gt->stacks[i].resident_faults = gt->stacks[i].faults;
		for (i = 0; i < gt->nsamples; i++)
			gt->samples[i].resident = true;
	}
	spread_unsampled(gt, counted);
	gt->rank = malloc((gt->nstacks + 1) * sizeof(*gt->rank));
	if (!gt->rank)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rc = ms_gt_name_stacks(ctx, gt);
	if (rc < 0)
		return rc;
	for (i = 0; i < gt->nstacks; i++) {
		gt->rank[i] = i;
		gt->sum.resident += gt->stacks[i].resident_faults * gt->sum.page_size;
	}
	rank_gt = gt;
	qsort(gt->rank, gt->nstacks, sizeof(*gt->rank), cmp_rank);
	gt->out = calloc(gt->nstacks + 1, sizeof(*gt->out));
	if (!gt->out)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < gt->nstacks; i++) {
		const struct gt_stack *s = &gt->stacks[gt->rank[i]];
		struct ms_growtrace_stack *o = &gt->out[i];

		o->nframes = s->nframes;
		o->frames = s->frames;
		o->mapping = gt->labels[s->label];
		o->faults = s->faults;
		o->samples = s->samples;
		o->grown = s->faults * gt->sum.page_size;
		o->resident = s->resident_faults * gt->sum.page_size;
		o->first = s->first > gt->start ? (double)(s->first - gt->start) / 1e9 : 0;
		o->last = s->last > gt->start ? (double)(s->last - gt->start) / 1e9 : 0;
	}
	gt->sum.grown = gt->sum.growth_faults * gt->sum.page_size;
	gt->sum.rate = gt->rate;
	gt->sum.nrate = gt->nrate;
	return 0;
}

const struct ms_growtrace_summary *ms_growtrace_summary(const struct ms_growtrace *gt)
{
	return &gt->sum;
}

size_t ms_growtrace_stack_count(const struct ms_growtrace *gt)
{
	return gt->finished ? gt->nstacks : 0;
}

const struct ms_growtrace_stack *ms_growtrace_stack(const struct ms_growtrace *gt, size_t i)
{
	return gt->finished && gt->out && i < gt->nstacks ? &gt->out[i] : NULL;
}

/* The culprit's two frame names: ms_growtrace_culprit_str() without file:line. */
static void culprit_key(const struct ms_growtrace_stack *st, char *buf, size_t len)
{
	/* The same two functions at other lines are the same culprit. */
	ms_growtrace_culprit_str(st, buf, len);
	buf[strcspn(buf, "(")] = '\0';
}

long ms_growtrace_top_in(const struct ms_growtrace *gt, const uint64_t *starts,
			 const uint64_t *ends, size_t n, double *share)
{
	uint64_t *by, *group, total = 0;
	size_t i, j, best = SIZE_MAX;
	char (*key)[256] = NULL;
	long rank = -ENOENT;

	if (!gt->finished || !gt->nstacks)
		return -ENOENT;
	by = calloc(gt->nstacks, sizeof(*by));
	group = calloc(gt->nstacks, sizeof(*group));
	key = calloc(gt->nstacks, sizeof(*key));
	if (!by || !group || !key) {
		rank = -ENOMEM;
		goto out;
	}
	for (i = 0; i < gt->nsamples; i++) {
		const struct gt_sample *smp = &gt->samples[i];

		if (!smp->resident)
			continue;
		for (j = 0; j < n; j++)
			if (smp->page < ends[j] && smp->page + gt->sum.page_size > starts[j])
				break;
		if (j == n)
			continue;
		by[smp->stack] += smp->weight;
		total += smp->weight;
	}
	if (!total)
		goto out;
	/*
	 * By culprit, not by stack: the allocator's own touches (malloc's
	 * header writes) and the caller's memset are the same code growing.
	 */
	for (i = 0; i < gt->nstacks; i++) {
		const struct ms_growtrace_stack *st = &gt->out[i];
		size_t sidx = gt->rank[i];

		if (!by[sidx])
			continue;
		culprit_key(st, key[i], sizeof(key[i]));
		for (j = 0; j < i && strcmp(key[j], key[i]); j++)
			;
		group[j] += by[sidx];
		if (best == SIZE_MAX || group[j] > group[best])
			best = j;
	}
	*share = (double)group[best] / (double)total;
	/* Its heaviest stack stands for it: ranks are heaviest first. */
	rank = (long)best;
out:
	free(by);
	free(group);
	free(key);
	return rank;
}

void ms_growtrace_free(struct ms_growtrace *gt)
{
	size_t i;

	if (!gt)
		return;
	ms_gt_close_all(gt);
	free(gt->ring);
	free(gt->q);
	free(gt->ev);
	free(gt->tids);
	free(gt->pfd);
	free(gt->child);
	free(gt->shadow);
	ms_gt_unwind_free(gt->uw);
	ms_symbols_free(gt->sym);
	ms_maps_free(gt->maps);
	free(gt->maplabel);
	for (i = 0; i < gt->nlabels; i++)
		free(gt->labels[i]);
	free(gt->labels);
	for (i = 0; i < gt->nstacks; i++) {
		free(gt->stacks[i].pcs);
		free(gt->stacks[i].frames);
	}
	free(gt->stacks);
	free(gt->named);
	free(gt->pool);
	free(gt->htab);
	free(gt->samples);
	free(gt->rate);
	free(gt->rank);
	free(gt->out);
	free(gt);
}
