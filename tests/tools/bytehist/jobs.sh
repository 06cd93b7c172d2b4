#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist -j: the scan shared by threads gives the very tables of one
# thread, on real dumps: a leaker's heap of some 15 MiB (more chunks than
# the pipeline has slots), a dump of several ranges (the manifest's breaks),
# and the same bytes from a pipe; with patterns, another block size and
# another string length, and --symbols --heap (its words counted in the
# same pass).  The byte counts are checked against Python's own.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
"$bin/mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap"
leaker_cmd struct 20000
leaker_cmd strdup 20000
leaker_cmd malloc 3000 4096 0x54
leaker_cmd malloc 5000 200 0
leaker_cmd malloc 2000 512 0x52
leaker_cmd mmap 3M 0x5a
heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")
"$bin/regiondump" -p "$pid" --mapping "$heap" -w "$tmp/heap.dump" 2>/dev/null ||
	ms_fail "regiondump --mapping $heap"
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/g.dump" 2>/dev/null ||
	ms_fail "regiondump --grown"
leaker_stop
size=$(stat -c %s "$tmp/heap.dump")
[ "$size" -gt $((8 << 20)) ] || ms_error "heap dump of $size bytes: want more than 8 MiB"

same()	# DESC ARGS...: -j 1 and -j 2, 3, 4 print the same JSON
{
	local desc=$1 j
	shift
	"$bin/bytehist" -j 1 -J "$@" > "$tmp/j1.json" || ms_fail "bytehist -j 1 $desc"
	for j in 2 3 4; do
		"$bin/bytehist" -j "$j" -J "$@" > "$tmp/j$j.json" || ms_fail "bytehist -j $j $desc"
		cmp -s "$tmp/j1.json" "$tmp/j$j.json" ||
			ms_fail "$desc: -j $j differs from -j 1: $(diff "$tmp/j1.json" "$tmp/j$j.json" | head -c 600)"
	done
}

same "heap dump" "$tmp/heap.dump"
python3 - "$tmp/j4.json" "$tmp/heap.dump" <<'PY' || ms_fail "-j 4: byte counts wrong"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]
data = open(sys.argv[2], "rb").read()
want = [0] * 256
for b in range(256):
    want[b] = data.count(bytes([b]))
assert h["size"] == len(data), (h["size"], len(data))
assert h["bytes"] == want, [(b, h["bytes"][b], want[b]) for b in range(256) if h["bytes"][b] != want[b]][:5]
# The leaker's 3000 blocks of 'T' are there, as runs of 4096 or longer.
assert sum(r["bytes"] for r in h["runs"] if r["byte"] == 0x54) >= 3000 * 4096, h["runs"][:5]
PY
same "heap dump, -e -E -B 64K -n 4" -e 54545454 -E 'key[0-9]' -B 64K --min-length 4 "$tmp/heap.dump"
same "grown dump" "$tmp/g.dump"
# --symbols counts the words from the scan's own reads, on the calling thread.
same "heap dump, --symbols --heap" --symbols --heap "$tmp/heap.dump"
"$bin/bytehist" -j 1 -J - < "$tmp/heap.dump" > "$tmp/p1.json" || ms_fail "bytehist -j 1 -"
cat "$tmp/heap.dump" | "$bin/bytehist" -j 3 -J - > "$tmp/p3.json" || ms_fail "bytehist -j 3 -"
cmp -s "$tmp/p1.json" "$tmp/p3.json" || ms_error "from a pipe, -j 3 differs from -j 1"
"$bin/bytehist" -j 0 "$tmp/heap.dump" > /dev/null 2>&1 && ms_fail "-j 0 accepted"
exit 0
