#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A non-PIE program's text sits at 0x400000, where ordinary integers fall.
# The program keeps 10,000 integers spread over its own text range and 3,000
# pointers to one of its functions, each array on the heap, and says so.
# bytehist --symbols must name the function 3,000 times and name almost none
# of the integers as code: a word is a pointer into text only at a function's
# start or a return site.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "${MS_KEEP:+:} rm -rf '$tmp'"
bin=$MS_BUILDDIR/tools

cc=${CC:-gcc}
command -v "$cc" > /dev/null || ms_skip "no C compiler ($cc) to build the program (apt-get install gcc)"
command -v objdump > /dev/null || ms_skip "no objdump to find the return sites (apt-get install binutils)"
cat > "$tmp/ints.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern const char etext[];

/* The function the pointers point at, not inlined away. */
__attribute__((noinline)) int on_event(int x)
{
	return x * 3 + 1;
}

int main(void)
{
	enum { NINT = 10000, NPTR = 3000 };	/* under the mmap threshold: in [heap] */
	/* The code's page up to the end of text: all of it code. */
	uint64_t lo = (uintptr_t)on_event & ~(uintptr_t)0xfff, span = (uintptr_t)etext - lo;
	uint64_t *ints = malloc(NINT * sizeof(*ints));
	int (**ptrs)(int) = malloc(NPTR * sizeof(*ptrs));
	char line[64];
	int i, same = 0;

	if (!ints || !ptrs)
		return 1;
	for (i = 0; i < NINT; i++) {
		ints[i] = lo + (uint64_t)i * 2654435761u % span;
		same += ints[i] == (uintptr_t)on_event;
	}
	for (i = 0; i < NPTR; i++)
		ptrs[i] = on_event;
	/* SAME: integers that are on_event's address by chance, pointers as good as any. */
	printf("ready %d ints=%d ptrs=%d fn=%p same=%d lo=%lu span=%lu\n", (int)getpid(), NINT,
	       NPTR, (void *)on_event, same, (unsigned long)lo, (unsigned long)span);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		;
	return ptrs[0](ints[0] & 1);
}
C
# Never the suite's CFLAGS: this stands for a user's program, not sanitized.
"$cc" -g -O1 -no-pie -fno-pie -o "$tmp/ints" "$tmp/ints.c" || ms_skip "$cc cannot link a non-PIE program"
objdump -f "$tmp/ints" | grep -q EXEC_P || ms_fail "the program is PIE after -no-pie"
# The truth of which integers may be code: objdump's return sites (the
# instruction after each call), functions' starts and PLT entries.
objdump -d --no-show-raw-insn "$tmp/ints" > "$tmp/ints.asm" || ms_fail "objdump -d"

coproc P { exec "$tmp/ints"; }
ms_at_exit "kill $P_PID 2>/dev/null"
read -r ready pid ints ptrs fn same lo span <&"${P[0]}" || ms_fail "the program did not start"
[ "$ready" = ready ] || ms_error "the program: $ready $pid"
ints=${ints#ints=} ptrs=${ptrs#ptrs=} fn=${fn#fn=} same=${same#same=} lo=${lo#lo=} span=${span#span=}
heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")
ms_require_ptrace "$pid"
"$bin/regiondump" -p "$pid" --mapping "$heap" -w "$tmp/heap.dump" 2> "$tmp/err" ||
	ms_fail "regiondump: $(cat "$tmp/err")"
"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/s.json" || ms_fail "bytehist --symbols"
python3 - "$tmp/s.json" "$ints" "$((ptrs + same))" "$fn" "$lo" "$span" "$tmp/ints.asm" <<'PY' ||
import json, re, sys
s = json.load(open(sys.argv[1]))["files"][0]["symbols"]
nint, nptr, fn, lo, span = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4], 16), int(sys.argv[5]), int(sys.argv[6])
f = [x for x in s if int(x["addr"], 16) == fn]
assert f and f[0]["kind"] == "text" and f[0]["symbol"] == "on_event", f
assert f[0]["count"] == nptr, f[0]
ok, prev_call = set(), False
for line in open(sys.argv[7]):
    m = re.match(r"([0-9a-f]+) <[^>]+>:$", line)
    if m:
        ok.add(int(m.group(1), 16))
        continue
    m = re.match(r" +([0-9a-f]+):\t(\S+)", line)
    if m:
        if prev_call:
            ok.add(int(m.group(1), 16))
        prev_call = m.group(2).startswith("call")
vals = [lo + (i * 2654435761) % span for i in range(nint)]
truth = sum(v in ok for v in vals if v != fn)
# Named as code: integers that are a function's start or a return site, as
# objdump says, and very few more; before, all of them were.
code = sum(x["count"] for x in s if x["kind"] == "text" and int(x["addr"], 16) != fn)
print("integers named as code: %d of %d; at a return site or a start: %d" % (code, nint, truth), file=sys.stderr)
assert truth * 9 // 10 <= code <= truth + nint // 100, (code, truth)
PY
	ms_fail "integers in the text range are named as code (or real pointers are not)"
exit 0
