// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A target for growtrace's tests: two callers that leak on command, and
 * threads started on command.  Each command is answered on stdout once it is
 * done, with the program's own count of the bytes each caller touched: the
 * truth a test compares growtrace with.
 *
 *   leak a N     leak_a() mallocs and fills N blocks of 64 KiB (below glibc's
 *                mmap threshold: the heap grows)
 *   leak b N     the same through leak_b()
 *   mix N        3N blocks, each through leak_a() or leak_b() drawn at random,
 *                two to one: interleaved, so that any sampling period weighs
 *                both alike, and in no fixed order, which a period could
 *                alias with (always landing in leak_b's blocks)
 *   mix N USEC   the same, USEC microseconds apart: a leak that takes its
 *                time, sampled at the sampling rate all along
 *   big a N      leak_a() mallocs and fills one block of N MiB (an anonymous mapping)
 *   thread a N   a new thread does "leak a N", then ends
 *   deep D N     recurse() D levels deep, each frame holding 1 KiB, then
 *                "leak a N": a stack deeper than a small copy of it
 *   inline N     3N blocks as mix draws them, each a new mapping whose pages
 *                touch(), forced inline into inline_a() or inline_b(), writes
 *                (counted as a's and b's)
 *   free         free every block (munmap, trim)
 *   quit
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

static unsigned long long bytes_a, bytes_b;
static void *blocks[1 << 16];
static size_t nblocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noinline)) void *fill(size_t size)
{
	char *p = malloc(size);

	if (!p)
		abort();
	memset(p, 'a', size);
	pthread_mutex_lock(&lock);
	if (nblocks < sizeof(blocks) / sizeof(blocks[0]))
		blocks[nblocks++] = p;
	pthread_mutex_unlock(&lock);
	return p;
}

static __attribute__((noinline)) void leak_a(size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		fill(size);
	/* After the calls, so -O2 cannot make them tail calls that hide leak_a. */
	pthread_mutex_lock(&lock);
	bytes_a += n * size;
	pthread_mutex_unlock(&lock);
}

static __attribute__((noinline)) void leak_b(size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		fill(size);
	pthread_mutex_lock(&lock);
	bytes_b += n * size;
	pthread_mutex_unlock(&lock);
}

/*
 * Inline frames: touch() writes every page of a block itself (no libc call
 * under it), so each growth fault's pc is in its code inlined into one of
 * two callers.  The "MARK:" comments name the lines inline.sh looks up.
 */
static inline __attribute__((always_inline)) void touch(volatile char *p, size_t size, char c)
{
	size_t off;

	for (off = 0; off < size; off += 4096)
		p[off] = c;	/* MARK: touch */
}

/* A new mapping each time: its pages are first touched by touch(), not by malloc. */
static volatile char *new_mapping(void)
{
	void *p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

static __attribute__((noinline)) void inline_a(void)
{
	touch(new_mapping(), BLOCK, 'a');	/* MARK: inline_a */
	pthread_mutex_lock(&lock);
	bytes_a += BLOCK;
	pthread_mutex_unlock(&lock);
}

static __attribute__((noinline)) void inline_b(void)
{
	touch(new_mapping(), BLOCK, 'b');	/* MARK: inline_b */
	pthread_mutex_lock(&lock);
	bytes_b += BLOCK;
	pthread_mutex_unlock(&lock);
}

/* D frames of 1 KiB each between main and leak_a; noinline and the buffer used, so all stay. */
static __attribute__((noinline)) void recurse(unsigned long d, size_t n)
{
	volatile char frame[1024];

	frame[0] = (char)d;
	if (d)
		recurse(d - 1, n);
	else
		leak_a(n, BLOCK);
	frame[1] = frame[0];
}

static void *thread_main(void *arg)
{
	leak_a((size_t)arg, BLOCK);
	return NULL;
}

int main(void)
{
	unsigned int seed = 15;
	char line[256], who;
	unsigned long n, usec;
	int k;
	pthread_t t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "leak %c %lu", &who, &n) == 2) {
			(who == 'a' ? leak_a : leak_b)(n, BLOCK);
		} else if ((k = sscanf(line, "mix %lu %lu", &n, &usec)) >= 1) {
			for (n *= 3; n; n--) {
				(rand_r(&seed) % 3 ? leak_a : leak_b)(1, BLOCK);
				if (k == 2)
					usleep((useconds_t)usec);
			}
		} else if (sscanf(line, "inline %lu", &n) == 1) {
			for (n *= 3; n; n--)
				(rand_r(&seed) % 3 ? inline_a : inline_b)();
		} else if (sscanf(line, "deep %lu %lu", &usec, &n) == 2) {
			recurse(usec, n);
		} else if (sscanf(line, "big %c %lu", &who, &n) == 2) {
			(who == 'a' ? leak_a : leak_b)(1, n << 20);
		} else if (sscanf(line, "thread %c %lu", &who, &n) == 2) {
			if (pthread_create(&t, NULL, thread_main, (void *)n) || pthread_join(t, NULL)) {
				printf("error thread\n");
				continue;
			}
		} else if (!strcmp(line, "free\n")) {
			while (nblocks)
				free(blocks[--nblocks]);
			malloc_trim(0);
		} else if (!strcmp(line, "quit\n")) {
			printf("ok bye\n");
			return 0;
		} else {
			printf("error unknown command\n");
			continue;
		}
		printf("ok a=%llu b=%llu\n", bytes_a, bytes_b);
	}
	return 0;
}
