// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What each way of opening growtrace's page-fault event costs the thread
 * that faults, measured in one process, the ways taken in turns so the
 * machine's other load weighs on each alike (bench/growtrace-modes.sh).
 *
 *	growtrace-modes ROUNDS BURSTS PAGES SLEEP_US [CGROUP_DIR]
 *
 * Each round touches BURSTS x PAGES new pages, PAGES at a time with a sleep
 * between (as a server grows between requests: every sleep switches the
 * thread out and in, which a per-thread event pays for), under each way in
 * turn, and prints per way the median CPU time per fault of the faulting
 * thread and the samples taken.  CGROUP_DIR, a cgroup v2 directory this
 * process is in alone, adds the per-CPU cgroup event.
 */
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define GT_REGS 0xf401c2ULL	/* growtrace's 9 x86_64 registers */
#define MAX_ROUNDS 200
#define MAX_FDS 64

enum target { NONE, THREAD, THREAD_PER_CPU, CGROUP_PER_CPU, SYSTEM_PER_CPU };

struct way {
	const char *name;
	enum target target;
	int sample;		/* 0: count only */
	int stack;
	uint64_t regs;
	int inherit;
	long ring_pages;
	int reader;		/* a thread drains the ring as growtrace does */
};

static const struct way ways[] = {
	{ "no event", NONE, 0, 0, 0, 0, 0, 0 },
	{ "counted only, per thread (perf stat -p)", THREAD, 0, 0, 0, 0, 0, 0 },
	{ "growtrace now: per thread and CPU, inherit, 4096 B + 9 regs, 8 MiB ring", THREAD_PER_CPU, 1, 4096, GT_REGS, 1, 2048, 1 },
	{ "per thread and CPU, no inherit", THREAD_PER_CPU, 1, 4096, GT_REGS, 0, 2048, 1 },
	{ "per thread, any CPU, no inherit", THREAD, 1, 4096, GT_REGS, 0, 2048, 1 },
	{ "per CPU, the target's cgroup", CGROUP_PER_CPU, 1, 4096, GT_REGS, 0, 2048, 1 },
	{ "per CPU, every process (pid filtered by the reader)", SYSTEM_PER_CPU, 1, 4096, GT_REGS, 0, 2048, 1 },
	{ "2048 B of stack", THREAD_PER_CPU, 1, 2048, GT_REGS, 1, 2048, 1 },
	{ "1024 B of stack", THREAD_PER_CPU, 1, 1024, GT_REGS, 1, 2048, 1 },
	{ "no stack, no registers (no unwinding possible)", THREAD_PER_CPU, 1, 0, 0, 1, 2048, 1 },
	{ "256 KiB ring, drained at half", THREAD_PER_CPU, 1, 4096, GT_REGS, 1, 64, 1 },
};
#define NWAYS (sizeof(ways) / sizeof(ways[0]))

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct rings {
	void *base[MAX_FDS];
	int n;
	long pages;
	volatile int stop;
	long samples;
};

/* Copy every record out, as growtrace's copy_ring() does; count the samples. */
static void *reader(void *arg)
{
	static unsigned char sink[65536];
	struct rings *r = arg;
	size_t mask = (size_t)r->pages * 4096 - 1;

	for (;;) {
		int stop = r->stop, i;

		for (i = 0; i < r->n; i++) {
			struct perf_event_mmap_page *mp = r->base[i];
			const unsigned char *d = (const unsigned char *)r->base[i] + 4096;
			uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
			uint64_t tail = mp->data_tail;

			while (tail < head) {
				struct perf_event_header h;
				size_t k;

				for (k = 0; k < sizeof(h); k++)
					((unsigned char *)&h)[k] = d[(tail + k) & mask];
				for (k = 0; k < h.size && k < sizeof(sink); k++)
					sink[k] = d[(tail + k) & mask];
				if (h.type == PERF_RECORD_SAMPLE)
					r->samples++;
				tail += h.size;
			}
			__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
		}
		if (stop)
			return NULL;
		usleep(1000);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static double us[NWAYS][MAX_ROUNDS];
	static long samples[NWAYS];
	int rounds, bursts, pages, sleep_us, cgfd = -1, ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	size_t w;
	int r;

	if (argc < 5)
		return fprintf(stderr, "usage: growtrace-modes ROUNDS BURSTS PAGES SLEEP_US [CGROUP_DIR]\n"), 2;
	rounds = atoi(argv[1]);
	bursts = atoi(argv[2]);
	pages = atoi(argv[3]);
	sleep_us = atoi(argv[4]);
	if (rounds < 1 || rounds > MAX_ROUNDS || ncpu > MAX_FDS)
		return 2;
	if (argc > 5 && (cgfd = open(argv[5], O_RDONLY | O_DIRECTORY)) < 0)
		return perror(argv[5]), 2;
	for (r = 0; r < rounds; r++)
		for (w = 0; w < NWAYS; w++) {
			const struct way *k = &ways[w];
			struct timespec pause = { 0, sleep_us * 1000L };
			struct perf_event_attr a;
			struct rings rg = { .pages = k->ring_pages };
			int fds[MAX_FDS], n = 0, i, j;
			pthread_t th;
			double t = 0;
			char *p;

			if (k->target == CGROUP_PER_CPU && cgfd < 0)
				continue;
			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.type = PERF_TYPE_SOFTWARE;
			a.config = PERF_COUNT_SW_PAGE_FAULTS;
			a.exclude_hv = 1;
			if (k->sample) {
				/* growtrace's attributes (lib/growtrace-perf.c) */
				a.freq = 1;
				a.sample_freq = 10000;
				a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
						PERF_SAMPLE_ADDR | PERF_SAMPLE_PERIOD;
				if (k->regs) {
					a.sample_type |= PERF_SAMPLE_REGS_USER;
					a.sample_regs_user = k->regs;
				}
				if (k->stack) {
					a.sample_type |= PERF_SAMPLE_STACK_USER;
					a.sample_stack_user = k->stack;
				}
				a.inherit = k->inherit;
				a.task = 1;
				a.mmap_data = 1;
				a.mmap2 = 1;
				a.use_clockid = 1;
				a.clockid = CLOCK_MONOTONIC;
				a.watermark = 1;
				a.wakeup_watermark = (unsigned)(k->ring_pages * 4096 / (k->ring_pages < 256 ? 2 : 8));
			}
			if (k->target == THREAD)
				fds[n++] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
			else if (k->target != NONE)
				for (i = 0; i < ncpu; i++)
					fds[n++] = (int)syscall(SYS_perf_event_open, &a,
							k->target == THREAD_PER_CPU ? 0 :
							k->target == CGROUP_PER_CPU ? cgfd : -1, i, -1,
							k->target == CGROUP_PER_CPU ? PERF_FLAG_PID_CGROUP : 0);
			for (i = 0; i < n; i++) {
				if (fds[i] < 0)
					return perror(k->name), 1;
				if (!k->sample)
					continue;
				rg.base[rg.n] = mmap(NULL, (k->ring_pages + 1) * 4096L, PROT_READ | PROT_WRITE,
						     MAP_SHARED, fds[i], 0);
				if (rg.base[rg.n] == MAP_FAILED)
					return perror("mmap"), 1;
				rg.n++;
			}
			if (k->reader && pthread_create(&th, NULL, reader, &rg))
				return 1;
			p = mmap(NULL, (size_t)bursts * pages * 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				return perror("mmap"), 1;
			for (j = 0; j < bursts; j++) {
				double t0 = cpu_now();

				for (i = 0; i < pages; i++)
					p[((size_t)j * pages + i) * 4096] = 1;
				t += cpu_now() - t0;
				nanosleep(&pause, NULL);
			}
			munmap(p, (size_t)bursts * pages * 4096);
			if (k->reader) {
				rg.stop = 1;
				pthread_join(th, NULL);
			}
			for (i = 0; i < rg.n; i++)
				munmap(rg.base[i], (k->ring_pages + 1) * 4096L);
			for (i = 0; i < n; i++)
				close(fds[i]);
			us[w][r] = t / bursts / pages * 1e6;
			samples[w] += rg.samples;
		}
	for (w = 0; w < NWAYS; w++) {
		if (ways[w].target == CGROUP_PER_CPU && cgfd < 0)
			continue;
		qsort(us[w], rounds, sizeof(double), cmp_double);
		printf("%s|%.3f|%.3f|%ld\n", ways[w].name, us[w][rounds / 2],
		       us[w][rounds / 2] / us[0][rounds / 2], samples[w] / rounds);
	}
	return 0;
}
