// SPDX-License-Identifier: GPL-2.0-or-later
// symbols-ledger: a C++ service for the symbol tests, on tests/leaker's line
// protocol (one reply line per command, flushed once the work is done):
//
//   entry COUNT    box COUNT    local COUNT    plain COUNT    report    quit
//
// entry, box and local make polymorphic objects (a class in a namespace, a
// template instance, a class of internal linkage), so each object's first
// word is its class's vtable.  plain makes objects whose first word points
// into a table of pointers, data that is no vtable.  "report" gives the
// counts and the first word of one object of each kind, read by the
// program itself, and the address of ledger_post, each entry's callback.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace ledger {

struct Entry;
void ledger_post(Entry *e);

struct Entry {
	virtual ~Entry() = default;
	virtual long amount() const { return id * 100; }
	long id = 0;
	void (*on_post)(Entry *) = ledger_post;
	char memo[40] = "ledger entry";
};

__attribute__((noinline)) void ledger_post(Entry *e)
{
	e->id++;
}

template <typename T> struct Box {
	virtual ~Box() = default;
	virtual T get() const { return v; }
	T v{};
};

} // namespace ledger

namespace {

struct Local {
	virtual ~Local() = default;
	virtual int get() const { return x; }
	int x = 7;
};

} // namespace

static const char *const plain_table[] = { "alpha", "beta", "gamma", "delta", "epsilon" };

struct Plain {
	const char *const *where = &plain_table[2];
	long n = 5;
};

template <typename T> static uintptr_t first_word(const T *o)
{
	uintptr_t w;

	std::memcpy(&w, static_cast<const void *>(o), sizeof(w));
	return w;
}

int main()
{
	// Kept to the end, so the objects stay reachable.
	static std::vector<ledger::Entry *> entries;
	static std::vector<ledger::Box<int> *> boxes;
	static std::vector<Local *> locals;
	static std::vector<Plain *> plains;
	std::string line;

	std::cout << "ready " << getpid() << std::endl;
	while (std::getline(std::cin, line)) {
		std::istringstream in(line);
		std::string cmd;
		size_t n = 0;

		in >> cmd;
		if (cmd == "quit") {
			std::cout << "ok bye" << std::endl;
			break;
		} else if (cmd == "report") {
			std::cout << std::hex << std::showbase << "entries=" << std::dec << entries.size()
				  << " boxes=" << boxes.size() << " locals=" << locals.size()
				  << " plains=" << plains.size() << std::hex
				  << " vt_entry=" << (entries.empty() ? 0 : first_word(entries[0]))
				  << " vt_box=" << (boxes.empty() ? 0 : first_word(boxes[0]))
				  << " vt_local=" << (locals.empty() ? 0 : first_word(locals[0]))
				  << " plain=" << (plains.empty() ? 0 : first_word(plains[0]))
				  << " post=" << reinterpret_cast<uintptr_t>(&ledger::ledger_post)
				  << std::dec << std::endl;
		} else if ((in >> n) && cmd == "entry") {
			for (size_t i = 0; i < n; i++) {
				entries.push_back(new ledger::Entry);
				entries.back()->on_post(entries.back());
			}
			std::cout << "ok entry=" << n << std::endl;
		} else if (cmd == "box") {
			for (size_t i = 0; i < n; i++)
				boxes.push_back(new ledger::Box<int>);
			std::cout << "ok box=" << n << std::endl;
		} else if (cmd == "local") {
			for (size_t i = 0; i < n; i++)
				locals.push_back(new Local);
			std::cout << "ok local=" << n << std::endl;
		} else if (cmd == "plain") {
			for (size_t i = 0; i < n; i++)
				plains.push_back(new Plain);
			std::cout << "ok plain=" << n << std::endl;
		} else {
			std::cout << "error: unknown command \"" << line << "\"" << std::endl;
		}
	}
	for (auto *o : entries)
		delete o;
	for (auto *o : boxes)
		delete o;
	for (auto *o : locals)
		delete o;
	for (auto *o : plains)
		delete o;
	return 0;
}
