#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When brk() cannot grow [heap] (a mapping sits just past the break, as a
# JIT's may), glibc's main arena takes its memory from mmap(): segments
# that start with a chunk and end in two fenceposts, merged by the kernel
# with their neighbours into one anonymous mapping.  bytehist --objects
# walks them as the main arena's, not as an unknown heap searched by
# signature (which found none of the leaker's chunks there).  The truth:
# /proc/PID/maps shows [heap] ending at the leaker's wall and the growth
# outside it; the leaker's own counts give the chunks: 'Q' of 1008 bytes
# (malloc 1000), then 'R' of 208 (malloc 200), 2000 more 'Q' between the
# dumps.  The [heap] walk ends at its fenceposts, with no "walk stopped".
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
"$bin/mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap"
leaker_cmd brkwall
wall=${LEAKER_REPLY#ok brkwall }
leaker_cmd malloc 1000 1000 Q
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/old.dump" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "regiondump --grown"; }
leaker_cmd malloc 2000 1000 Q
leaker_cmd malloc 2000 200 R
cp "/proc/$pid/maps" "$tmp/maps"
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/new.dump" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "regiondump --grown"; }
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/o.json" ||
	ms_fail "bytehist --objects --base"

python3 - "$tmp/maps" "$wall" "$tmp/report.json" "$tmp/o.json" <<'PY' || ms_fail "the main arena's mmapped memory is not walked"
import json, sys
maps = [l.split() for l in open(sys.argv[1])]
wall = int(sys.argv[2], 16)
heap = [l for l in maps if l[-1] == "[heap]"]
# The scenario, from the kernel: [heap] stops at the wall.
assert heap and int(heap[0][0].split("-")[1], 16) == wall, (heap, hex(wall))
groups = json.load(open(sys.argv[3]))["groups"]
nq = sum(g["count"] for g in groups if g["kind"] == "malloc" and g["fill"] == ord("Q"))
nr = sum(g["count"] for g in groups if g["kind"] == "malloc" and g["fill"] == ord("R"))
assert (nq, nr) == (3000, 2000), (nq, nr)
a = json.load(open(sys.argv[4]))["files"][0]
rs = a["objects"]["ranges"]
for r in rs:
    print(r, file=sys.stderr)
seg = [r for r in rs if r["note"] and "from mmap()" in r["note"]]
assert seg and all(r["finder"] == "glibc-main" for r in seg), rs
# Outside [heap]: the mappings the arena took.
lo, hi = (int(x, 16) for x in heap[0][0].split("-"))
assert all(not lo <= int(r["start"], 16) < hi for r in seg), seg
assert all("walk stopped" not in (r["note"] or "") for r in rs if r["finder"] == "glibc-main"), rs
def find(size, fill):
    c = [c for c in a["clusters"] if c["size"] == size and c["fill"] == fill]
    assert c, [(c["size"], c["count"], c["fill"]) for c in a["clusters"][:8]]
    return c[0]
q, r = find(1008, "0x51"), find(208, "0x52")
assert q["count"] == nq and q["delta"] == 2000 and q["finder"] == "glibc-main", q
assert r["count"] == nr and r["delta"] == nr, r
assert a["verdict"]["clauses"][0]["size"] == 1008, a["verdict"]
PY
leaker_stop
exit 0
