// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * growtrace's words for a stack with inline frames: the STACK column marks
 * them, and the culprit a verdict names is the program's own code, past
 * what the system's headers inlined into it (std::vector's push_back).
 * The frames are as growtrace read them from grow-cxx and grow-O2
 * (tests/tools/growtrace/cxx.sh and inline.sh check those against
 * addr2line -i).
 */
#include <memsift/growtrace.h>

#include "tap.h"

#define HDR "/usr/include/c++/12/bits/"

static const struct ms_growtrace_frame cxx[] = {
	{ 0x1440, "void std::__new_allocator<unsigned long>::construct<unsigned long, unsigned long const&>(unsigned long*, unsigned long const&)",
	  "/tmp/grow-cxx", HDR "new_allocator.h", 175, NULL, true },
	{ 0x1440, "void std::allocator_traits<std::allocator<unsigned long> >::construct<unsigned long, unsigned long const&>(std::allocator<unsigned long>&, unsigned long*, unsigned long const&)",
	  "/tmp/grow-cxx", HDR "alloc_traits.h", 516, NULL, true },
	{ 0x1440, "std::vector<unsigned long, std::allocator<unsigned long> >::push_back(unsigned long const&)",
	  "/tmp/grow-cxx", HDR "stl_vector.h", 1281, NULL, true },
	{ 0x1440, "ledger::Journal::record(unsigned long)", "/tmp/grow-cxx", "/src/grow-cxx.cc", 49,
	  NULL, false },
	{ 0x1281, "main", "/tmp/grow-cxx", "/src/grow-cxx.cc", 67, NULL, false },
};

static const struct ms_growtrace_frame c[] = {
	{ 0x1338, "touch", "/tmp/grow-O2", "/src/grow.c", 89, NULL, true },
	{ 0x1338, "inline_a", "/tmp/grow-O2", "/src/grow.c", 104, NULL, false },
	{ 0x11d8, "main", "/tmp/grow-O2", "/src/grow.c", 166, NULL, false },
};

int main(void)
{
	struct ms_growtrace_stack s = { .nframes = sizeof(c) / sizeof(c[0]), .frames = c };
	char buf[1024];

	is_str(ms_growtrace_stack_str(&s, 0, buf, sizeof(buf)),
	       "touch (inlined) (grow.c:89) \u2190 inline_a \u2190 main", "STACK marks the inlined frame");
	is_str(ms_growtrace_culprit_str(&s, buf, sizeof(buf)), "touch \u2190 inline_a (grow.c:89)",
	       "the program's own inlined function is the culprit");
	s = (struct ms_growtrace_stack){ .nframes = sizeof(cxx) / sizeof(cxx[0]), .frames = cxx };
	is_str(ms_growtrace_culprit_str(&s, buf, sizeof(buf)),
	       "ledger::Journal::record(unsigned long) \u2190 main (grow-cxx.cc:49)",
	       "std::vector's code inlined from the headers is not");
	is_str(ms_growtrace_stack_str(&s, 1, buf, sizeof(buf)),
	       "void std::__new_allocator<unsigned long>::construct<unsigned long, unsigned long const&>(unsigned long*, unsigned long const&) (inlined) (new_allocator.h:175)",
	       "STACK of one frame: the innermost, inlined");
	return tap_done();
}
