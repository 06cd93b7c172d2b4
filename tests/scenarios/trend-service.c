// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for a big service, for the trend tests: it reads one command a
 * line on stdin and answers one line on stdout once done, so a test waits by
 * reading, never by sleeping.  Its counters are the tests' truth.
 *
 *   fill MB          malloc MB of 4 KiB blocks on the brk heap, touched
 *   keep KB          malloc KB of 1 KiB records, touched, never freed
 *   jitter           touch a 4 MiB mapping, or give its pages back, in turn
 *   buffers N SIZE   N mappings of SIZE KiB, each below a PROT_NONE guard page
 *   split            mprotect the upper half of a 16 MiB touched mapping
 *   mapat ADDR KB    map KB touched at ADDR (hex), where Go puts its heap
 *   code PATH        map file PATH read-execute, as a library's text is
 *   pagein KB        read the next KB of it: clean pages of the file
 *   data PATH        map file PATH read-write, private, as a library's data is
 *   cow KB           write the next KB of it: pages copied on write
 *   quit
 *
 * Replies: "ready PID" on start, "ok KEY=VALUE..." or "error WHY".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define JITTER_SIZE (4UL << 20)
#define SPLIT_SIZE (16UL << 20)

static uint64_t filled, kept;
static char *jitter_map, *split_map;
static int jitter_on;

/* A file mapped as code (read) or as data (written), and how far each was touched. */
struct filemap {
	char *p;
	size_t size, done;
};
static struct filemap code_map, data_map;

static int fill(unsigned long mb)
{
	unsigned long i, n = mb * 256;

	for (i = 0; i < n; i++) {
		char *p = malloc(4096 - 16);

		if (!p)
			return -1;
		memset(p, 0x5a, 4096 - 16);
	}
	filled += (uint64_t)mb << 20;
	printf("ok filled=%llu\n", (unsigned long long)filled);
	return 0;
}

static int keep(unsigned long kb)
{
	unsigned long i;

	for (i = 0; i < kb; i++) {
		char *p = malloc(1024 - 16);

		if (!p)
			return -1;
		memset(p, 'K', 1024 - 16);
	}
	kept += (uint64_t)kb << 10;
	printf("ok kept=%llu\n", (unsigned long long)kept);
	return 0;
}

static int jitter(void)
{
	if (!jitter_map) {
		jitter_map = mmap(NULL, JITTER_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (jitter_map == MAP_FAILED)
			return -1;
	}
	jitter_on = !jitter_on;
	if (jitter_on)
		memset(jitter_map, 0x11, JITTER_SIZE);
	else if (madvise(jitter_map, JITTER_SIZE, MADV_DONTNEED) < 0)
		return -1;
	printf("ok addr=%p resident=%lu\n", (void *)jitter_map, jitter_on ? JITTER_SIZE : 0);
	return 0;
}

static int buffers(unsigned long n, unsigned long kb)
{
	unsigned long i, size = kb << 10, page = (unsigned long)sysconf(_SC_PAGESIZE);

	for (i = 0; i < n; i++) {
		char *p = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect(p, page, PROT_NONE) < 0)
			return -1;
		memset(p + page, 'B', size);
	}
	printf("ok buffers=%lu size=%lu\n", n, size);
	return 0;
}

static int map_at(unsigned long addr, unsigned long kb)
{
	char *p = mmap((void *)addr, kb << 10, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (p != (char *)addr) {
		munmap(p, kb << 10);
		return -1;
	}
	memset(p, 'G', kb << 10);
	printf("ok addr=%p\n", (void *)p);
	return 0;
}

static int split(void)
{
	if (!split_map) {
		split_map = mmap(NULL, SPLIT_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (split_map == MAP_FAILED)
			return -1;
		memset(split_map, 0x33, SPLIT_SIZE);
		printf("ok addr=%p size=%lu\n", (void *)split_map, SPLIT_SIZE);
		return 0;
	}
	if (mprotect(split_map + SPLIT_SIZE / 2, SPLIT_SIZE / 2, PROT_READ) < 0)
		return -1;
	printf("ok addr=%p split=%p\n", (void *)split_map, (void *)(split_map + SPLIT_SIZE / 2));
	return 0;
}

static int map_file(struct filemap *f, const char *path, int prot)
{
	int fd = open(path, O_RDONLY);
	off_t size;

	if (fd < 0)
		return -1;
	size = lseek(fd, 0, SEEK_END);
	f->p = size > 0 ? mmap(NULL, (size_t)size, prot, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (f->p == MAP_FAILED)
		return -1;
	f->size = (size_t)size;
	f->done = 0;
	printf("ok addr=%p size=%zu\n", (void *)f->p, f->size);
	return 0;
}

/* Touch the next KB of F: read a byte a page, or write one. */
static int touch_file(struct filemap *f, unsigned long kb, int write)
{
	size_t end = f->done + (kb << 10), page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char sum = 0;

	if (!f->p || end > f->size)
		return -1;
	for (; f->done < end; f->done += page) {
		if (write)
			f->p[f->done] = 'W';
		else
			sum += f->p[f->done];
	}
	(void)sum;
	printf("ok touched=%zu\n", f->done);
	return 0;
}

int main(void)
{
	char line[4200], cmd[32], path[4096];
	unsigned long a, b;
	int n, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		n = sscanf(line, "%31s %lu %lu", cmd, &a, &b);
		if (n < 1)
			continue;
		if (!strcmp(cmd, "fill") && n == 2)
			rc = fill(a);
		else if (!strcmp(cmd, "keep") && n == 2)
			rc = keep(a);
		else if (!strcmp(cmd, "jitter"))
			rc = jitter();
		else if (!strcmp(cmd, "buffers") && n == 3)
			rc = buffers(a, b);
		else if (!strcmp(cmd, "split"))
			rc = split();
		else if (!strcmp(cmd, "mapat") && sscanf(line, "%*s %lx %lu", &a, &b) == 2)
			rc = map_at(a, b);
		else if (!strcmp(cmd, "code") && sscanf(line, "%*s %4095s", path) == 1)
			rc = map_file(&code_map, path, PROT_READ | PROT_EXEC);
		else if (!strcmp(cmd, "data") && sscanf(line, "%*s %4095s", path) == 1)
			rc = map_file(&data_map, path, PROT_READ | PROT_WRITE);
		else if (!strcmp(cmd, "pagein") && n == 2)
			rc = touch_file(&code_map, a, 0);
		else if (!strcmp(cmd, "cow") && n == 2)
			rc = touch_file(&data_map, a, 1);
		else if (!strcmp(cmd, "quit"))
			break;
		else {
			printf("error unknown command: %s", line);
			continue;
		}
		if (rc < 0)
			printf("error %s: %m\n", cmd);
	}
	printf("ok bye\n");
	return 0;
}
