// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cycle: C++ objects that reference each other in a ring, for
 * tests/tools/memrefs.  "keep N" makes a ring of N nodes a global points
 * at, "drop N" a ring of N nodes nothing else points at, "dump FILE"
 * writes "kept ADDR" and "dropped ADDR" lines, "quit".  Each reply is one
 * line, after the work is done.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

struct Node {
	virtual ~Node() {}
	virtual long weight() const { return id; }
	Node *next = nullptr;
	Node *prev = nullptr;
	long id = 0;
	char pad[40] = { 0 };
};

static Node *kept_ring;
static std::vector<unsigned long> kept_at, dropped_at;	/* bit-flipped: point nowhere */

static __attribute__((noinline)) Node *ring(unsigned long n, std::vector<unsigned long> &at)
{
	Node *first = nullptr, *last = nullptr;

	for (unsigned long i = 0; i < n; i++) {
		Node *x = new Node;

		x->id = (long)i;
		x->prev = last;
		if (last)
			last->next = x;
		else
			first = x;
		last = x;
		at.push_back(~(unsigned long)x);
	}
	last->next = first;
	first->prev = last;
	return first;
}

static __attribute__((noinline)) void scrub()
{
	volatile char buf[65536];

	memset((char *)buf, 0, sizeof(buf));
}

int main()
{
	char line[256], file[200];
	unsigned long n;

	setvbuf(stdout, nullptr, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "keep %lu", &n) == 1 && n && !kept_ring) {
			kept_ring = ring(n, kept_at);
		} else if (sscanf(line, "drop %lu", &n) == 1 && n) {
			ring(n, dropped_at);
		} else if (sscanf(line, "dump %199s", file) == 1) {
			FILE *fp = fopen(file, "w");

			if (!fp) {
				printf("error: cannot write %s\n", file);
				continue;
			}
			for (unsigned long a : kept_at)
				fprintf(fp, "kept %p\n", (void *)~a);
			for (unsigned long a : dropped_at)
				fprintf(fp, "dropped %p\n", (void *)~a);
			fclose(fp);
		} else if (!strcmp(line, "quit\n")) {
			printf("ok bye\n");
			return 0;
		} else {
			printf("error: unknown command\n");
			continue;
		}
		scrub();
		printf("ok kept=%zu dropped=%zu\n", kept_at.size(), dropped_at.size());
	}
	return 0;
}
