// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A target for growtrace's inline frames: touch(), forced inline, writes
 * each page of a new 64 KiB mapping itself (no libc call under it), so
 * every growth fault's pc is in touch's code inlined into one of two
 * callers.  Built -O2.  It speaks the leaker's protocol: "ready PID",
 * then a reply to each command once it is done, with the program's own
 * count of the bytes each caller grew.  The "MARK:" comments name the
 * lines a test looks up in this file.
 *
 *   mix N     3N blocks, each through caller_a() or caller_b() drawn at
 *             random, two to one (as grow.c's mix)
 *   quit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BLOCK (64 * 1024)

static unsigned long long bytes_a, bytes_b;

static inline __attribute__((always_inline)) void touch(volatile char *p, size_t size, char c)
{
	size_t off;

	for (off = 0; off < size; off += 4096)
		p[off] = c;	/* MARK: touch */
}

/* A new mapping each time: its pages are first touched by touch(), not by malloc. */
static volatile char *block(void)
{
	void *p = mmap(NULL, BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

static __attribute__((noinline)) void caller_a(void)
{
	touch(block(), BLOCK, 'a');	/* MARK: caller_a */
	bytes_a += BLOCK;
}

static __attribute__((noinline)) void caller_b(void)
{
	touch(block(), BLOCK, 'b');	/* MARK: caller_b */
	bytes_b += BLOCK;
}

int main(void)
{
	unsigned int seed = 15;
	char line[256];
	unsigned long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "mix %lu", &n) == 1) {
			for (n *= 3; n; n--)
				(rand_r(&seed) % 3 ? caller_a : caller_b)();
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
