// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A C++ target for growtrace: a member function in a namespace grows the
 * heap, so its frame has a mangled symbol (_ZN6ledger7Journal6appendEm)
 * that the report must show demangled.  It speaks the leaker's protocol:
 * "ready PID", then a reply to each command once it is done.
 *
 *   grow N    Journal::append() news and fills N blocks of 64 KiB
 *   push N    Journal::record() pushes N numbers onto a std::vector: the
 *             pages its copy on reallocation does not reach are first
 *             touched by push_back's store, inlined into record()
 *   quit
 *
 * The "MARK:" comment names the line a test looks up in this file.
 */
#include <cstdio>
#include <cstring>
#include <vector>
#include <unistd.h>

namespace ledger {

class Journal {
public:
	__attribute__((noinline)) void append(std::size_t n);
	__attribute__((noinline)) void record(std::size_t n);
	unsigned long long bytes = 0;

private:
	std::vector<char *> pages_;
	std::vector<unsigned long> log_;
};

void Journal::append(std::size_t n)
{
	for (std::size_t i = 0; i < n; i++) {
		char *p = new char[64 * 1024];

		std::memset(p, 'j', 64 * 1024);
		pages_.push_back(p);
	}
	/* After the loop, so that -O2 makes no tail call that hides this frame. */
	bytes += n * 64 * 1024;
}

void Journal::record(std::size_t n)
{
	for (std::size_t i = 0; i < n; i++)
		log_.push_back(i);	/* MARK: record */
	bytes += n * sizeof(unsigned long);
}

}

int main()
{
	ledger::Journal j;
	char line[256];
	unsigned long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	std::printf("ready %d\n", (int)getpid());
	while (std::fgets(line, sizeof(line), stdin)) {
		if (std::sscanf(line, "grow %lu", &n) == 1) {
			j.append(n);
		} else if (std::sscanf(line, "push %lu", &n) == 1) {
			j.record(n);
		} else if (!std::strcmp(line, "quit\n")) {
			std::printf("ok bye\n");
			return 0;
		} else {
			std::printf("error unknown command\n");
			continue;
		}
		std::printf("ok bytes=%llu\n", j.bytes);
	}
	return 0;
}
