// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * symbols-deploy: a small service for the symbol tests, on tests/leaker's
 * line protocol (one reply line per command, flushed once the work is done):
 *
 *   records COUNT    report    quit
 *
 * Each record holds a magic, a pointer to a callback and one to a literal,
 * so a dump's words point into the program's text and .rodata.  Built with
 * -DVERSION=N, each version is another file with another build-id (and
 * version 2 has its callback elsewhere): the tests deploy version 2 over a
 * running version 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef VERSION
#define VERSION 1
#endif
#define STR2(x) #x
#define STR(x) STR2(x)

struct record {
	uint64_t magic;
	void (*callback)(struct record *);
	const char *tag;
	char note[40];
};

static const char deploy_tag[] = "symbols-deploy-record-v" STR(VERSION);
static unsigned long fired;

#if VERSION > 1
/* Version 2's code before the callback: its addresses are not version 1's. */
__attribute__((noinline)) unsigned long deploy_v2_checksum(const struct record *r, size_t n)
{
	unsigned long sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum = sum * 31 + r[i].magic + (unsigned long)(uintptr_t)r[i].tag;
	return sum;
}
#endif

__attribute__((noinline)) void deploy_record_callback(struct record *r)
{
	fired += r->magic == 0x5245434f52440a00ULL;
}

int main(void)
{
	static struct record **keep;
	size_t n = 0, cap = 0, i, k;
	char line[256];

	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "quit")) {
			printf("ok bye\n");
			break;
		} else if (!strcmp(line, "report")) {
			printf("callback=%p tag=%p records=%zu version=%d fired=%lu\n",
			       (void *)deploy_record_callback, (const void *)deploy_tag, n, VERSION,
			       fired);
		} else if (sscanf(line, "records %zu", &k) == 1 && k <= 1000000) {
			for (i = 0; i < k; i++) {
				struct record *r = calloc(1, sizeof(*r));

				if (!r)
					break;
				if (n == cap) {
					cap = cap ? cap * 2 : 1024;
					keep = realloc(keep, cap * sizeof(*keep));
					if (!keep)
						return 1;
				}
				r->magic = 0x5245434f52440a00ULL;
				r->callback = deploy_record_callback;
				r->tag = deploy_tag;
				keep[n++] = r;
				r->callback(r);
			}
			printf("ok records=%zu\n", i);
		} else {
			printf("error: unknown command \"%s\"\n", line);
		}
		fflush(stdout);
	}
	fflush(stdout);
	return 0;
}
