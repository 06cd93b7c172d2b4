// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mixed-gen MIB OUT: MIB MiB of heap-like content for the benchmarks, the
 * same bytes on every run (a fixed seed).  Pages come in short streaks of
 * one kind, as a heap's do: malloc'd records (size word, heap pointers, a
 * callback, a small string), pointer arrays (heap and module addresses),
 * text (log lines and key=value strings, NUL-separated), zero pages and
 * random bytes.  A uniform fill alone would flatter every table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

static uint64_t s = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static uint64_t heap_ptr(void)
{
	return 0x55d2ef7c0000ULL + (rnd() % (256u << 20) & ~15ULL);
}

static uint64_t mod_ptr(void)
{
	static uint64_t targets[2048];

	if (!targets[0])
		for (int i = 0; i < 2048; i++)
			targets[i] = 0x7f3a1c000000ULL + (rnd() % (8u << 20) & ~7ULL);
	return targets[rnd() % 2048];
}

static void records(uint8_t *p)
{
	static const char *const names[] = { "session", "request", "buffer", "conn", "cache-entry" };
	size_t size = 16 * (2 + rnd() % 6), off;

	for (off = 0; off + size <= PAGE; off += size) {
		uint64_t w[2] = { size | 1, heap_ptr() };

		memcpy(p + off, w, 16);
		if (size >= 48) {
			uint64_t f[2] = { mod_ptr(), rnd() % 1000 };

			memcpy(p + off + 16, f, 16);
			snprintf((char *)p + off + 32, size - 32, "%s-%u", names[rnd() % 5],
				 (unsigned)(rnd() % 100000));
		}
	}
}

static void pointers(uint8_t *p)
{
	for (size_t i = 0; i < PAGE / 8; i++) {
		uint64_t w = rnd() % 4 == 0 ? rnd() % 4096 : rnd() % 3 ? heap_ptr() : mod_ptr();

		memcpy(p + 8 * i, &w, 8);
	}
}

static void text(uint8_t *p)
{
	static const char *const verbs[] = { "GET", "POST", "PUT", "DELETE" };
	size_t off = 0;
	int n;

	while (off < PAGE) {
		if (rnd() % 3)
			n = snprintf((char *)p + off, PAGE - off,
				     "2026-11-23 19:%02u:%02u worker-%u %s /api/v1/items/%u 200 %u us\n",
				     (unsigned)(rnd() % 60), (unsigned)(rnd() % 60),
				     (unsigned)(rnd() % 8), verbs[rnd() % 4],
				     (unsigned)(rnd() % 50000), (unsigned)(rnd() % 977));
		else
			n = snprintf((char *)p + off, PAGE - off, "key.%u=value-%u", (unsigned)(rnd() % 300),
				     (unsigned)(rnd() % 20));
		if (n < 0 || (size_t)n >= PAGE - off)
			break;
		off += (size_t)n + 1;	/* and the NUL snprintf wrote */
	}
}

static void randpage(uint8_t *p)
{
	for (size_t i = 0; i < PAGE / 8; i++) {
		uint64_t w = rnd();

		memcpy(p + 8 * i, &w, 8);
	}
}

int main(int argc, char **argv)
{
	static uint8_t page[PAGE];
	unsigned long pages, i = 0;
	FILE *f;

	if (argc != 3 || !(f = fopen(argv[2], "wb"))) {
		fprintf(stderr, "usage: mixed-gen MIB OUT\n");
		return 2;
	}
	pages = strtoul(argv[1], NULL, 10) * 256;
	while (i < pages) {
		unsigned kind = (unsigned)(rnd() % 100), streak = 1 + (unsigned)(rnd() % 16);

		for (; streak && i < pages; streak--, i++) {
			memset(page, 0, PAGE);
			if (kind < 30)
				records(page);
			else if (kind < 55)
				pointers(page);
			else if (kind < 75)
				text(page);
			else if (kind < 90)
				;	/* zero */
			else
				randpage(page);
			if (fwrite(page, PAGE, 1, f) != 1)
				return 1;
		}
	}
	return fclose(f) ? 1 : 0;
}
