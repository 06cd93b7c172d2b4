#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist --heap walks glibc's chunks.  The leaker's "malloc 500 1000 0x43"
# is a class of exactly 500 chunks of 1008 bytes (1000 + 8, rounded to 16),
# all in use, filled with 'C'; "struct 300" is 300 chunks of 80 whose first
# word is the literal's address, named; a thread's 200 mallocs of 100 are
# 200 chunks of 112 in its arena.  A size corrupted in a copy stops the walk
# there, and says so.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 500 1000 0x43
leaker_cmd struct 300
leaker_cmd thread 200 100 0x41
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")
"$bin/regiondump" -p "$pid" --mapping "$heap" -w "$tmp/heap.dump" 2> "$tmp/rd.err" ||
	{ ms_require_ptrace "$pid"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }
# The thread's arena: the 64 MiB-aligned anonymous mapping holding its blocks.
arena=$(python3 - "$tmp/report.json" "/proc/$pid/maps" <<'PY'
import json, sys
g = [x for x in json.load(open(sys.argv[1]))["groups"] if x["kind"] == "thread"][0]
a = int(g["addrs"][0], 16)
for l in open(sys.argv[2]):
    s, e = (int(x, 16) for x in l.split()[0].split("-"))
    if s <= a < e:
        assert s % (64 << 20) == 0, "block 0x%x not in a 64 MiB-aligned heap" % a
        print("0x%x" % s)
PY
) || ms_fail "the thread's blocks are not in a glibc thread heap"
"$bin/regiondump" -p "$pid" --mapping "$arena" -w "$tmp/arena.dump" 2>/dev/null || ms_fail "regiondump arena"

"$bin/bytehist" --heap -J "$tmp/heap.dump" > "$tmp/h.json" || ms_fail "bytehist --heap"
"$bin/bytehist" --heap -J "$tmp/arena.dump" > "$tmp/a.json" || ms_fail "bytehist --heap (arena)"
python3 - "$tmp/h.json" "$tmp/a.json" "$tmp/report.json" <<'PY' || ms_fail "wrong chunk classes"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]["heap"]
a = json.load(open(sys.argv[2]))["files"][0]["heap"]
g = json.load(open(sys.argv[3]))["groups"]
st = [x for x in g if x["kind"] == "struct"][0]
assert h["form"] == "main heap" and not h["broken"], h
cls = {c["size"]: c for c in h["classes"]}
c = cls[(1000 + 8 + 15) & ~15]
assert c["count"] == 500 and c["inuse"] == 500 and c["fill"] == 0x43 and c["fill_count"] == 500, c
r = cls[(st["record_size"] + 8 + 15) & ~15]
assert r["count"] == 300 and int(r["word"], 16) == int(st["tag"], 16), r
assert r["word_kind"] == "string" and r["word_symbol"] == "memsift-leaker-record", r
assert h["bytes"] == json.load(open(sys.argv[1]))["files"][0]["size"], "the walk does not cover the heap"
assert a["form"] == "thread arena (first heap)" and not a["broken"], a
t = {c["size"]: c for c in a["classes"]}[(100 + 8 + 15) & ~15]
assert t["count"] == 200 and t["fill"] == 0x41 and t["fill_count"] == 200, t
PY
"$bin/bytehist" --heap -s summary "$tmp/heap.dump" | grep -Eq "^ *1008 +500 .* 'C' 100% *$" ||
	ms_fail "table: no row of 500 chunks of 1008 with 'C' fill"

# Break the chain: the size of the first 1008-byte chunk becomes 0x13.
cp "$tmp/heap.dump" "$tmp/bad.dump"
cp "$tmp/heap.dump.json" "$tmp/bad.dump.json"
at=$(python3 - "$tmp/bad.dump" "$tmp/report.json" "$heap" <<'PY'
import json, sys
g = [x for x in json.load(open(sys.argv[2]))["groups"] if x["kind"] == "malloc"][0]
chunk = int(g["addrs"][0], 16) - 16
off = chunk - int(sys.argv[3], 16)
with open(sys.argv[1], "r+b") as f:
    f.seek(off + 8)
    f.write((0x13).to_bytes(8, "little"))
print("0x%x" % chunk)
PY
)
"$bin/bytehist" --heap -s summary "$tmp/bad.dump" > "$tmp/bad.out" || ms_fail "bytehist --heap on a broken heap"
grep -q "^chain broken at $at: size 0x13 " "$tmp/bad.out" || { cat "$tmp/bad.out" >&2; ms_fail "no break reported at $at"; }
leaker_stop
exit 0
