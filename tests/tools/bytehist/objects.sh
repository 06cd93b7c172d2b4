#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist --objects finds glibc's objects in every heap of a dump of what
# grew (the main [heap] and a thread's arena), clusters them by size and
# signature, and with --base counts their growth.  The truth is the leaker's
# own counters: 'C' chunks of 1008 bytes (malloc 1000) in the main heap,
# records (chunk of their size, first word a string literal, callback at 8)
# named leaker_record_callback, and 'A' chunks of 112 bytes (malloc 100) in
# a thread's arena; between the two dumps, 300 more 'C' chunks and 100 more
# records, 3 : 1.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
"$bin/mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap"
leaker_cmd malloc 500 1000 0x43
leaker_cmd struct 300
leaker_cmd thread 200 100 0x41
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/old.dump" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "regiondump --grown"; }
leaker_cmd malloc 300 1000 0x43
leaker_cmd struct 100
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/new.dump" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "regiondump --grown"; }
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"

"$bin/bytehist" --objects -J "$tmp/new.dump" > "$tmp/one.json" || ms_fail "bytehist --objects"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/two.json" ||
	ms_fail "bytehist --objects --base"
"$bin/bytehist" --objects -s summary --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/two.txt" ||
	ms_fail "bytehist --objects --base (text)"
cat "$tmp/two.txt" >&2
python3 - "$tmp/report.json" "$tmp/one.json" "$tmp/two.json" <<'PY' || ms_fail "wrong objects or clusters"
import json, sys
groups = json.load(open(sys.argv[1]))["groups"]
one, two = json.load(open(sys.argv[2]))["files"][0], json.load(open(sys.argv[3]))["files"][0]
def total(kind, **kw):
    return sum(g["count"] for g in groups if g["kind"] == kind and all(g.get(k) == v for k, v in kw.items()))
nc = total("malloc")
nrec = total("struct")
rec = (next(g for g in groups if g["kind"] == "struct")["record_size"] + 8 + 15) // 16 * 16
nthr = total("thread")
assert (nc, nrec, nthr) == (800, 400, 200), (nc, nrec, nthr)

o = one["objects"]
assert o["allocator"] == "glibc", o
finders = {r["finder"] for r in o["ranges"]}
assert {"glibc-main", "glibc-arena"} <= finders, o["ranges"]

def find(doc, size, **kw):
    for c in doc["clusters"]:
        if c["size"] == size and all(c.get(k) == v for k, v in kw.items()):
            return c
    raise AssertionError("no cluster of %d bytes %s in %s" % (size, kw, [(c["size"], c["count"], c["content"], c["name"]) for c in doc["clusters"][:12]]))
c = find(one, 1008, content="fill", fill="0x43")
assert c["count"] == nc and c["finder"] == "glibc-main", c
r = find(one, rec, name="leaker_record_callback")
assert r["count"] == nrec and r["name_kind"] == "text" and r["name_offset"] == 8, r
a = find(one, 112, content="fill", fill="0x41")
assert a["count"] == nthr and a["finder"] == "glibc-arena", a
assert one["verdict"]["status"] == "dump", one["verdict"]

# Growth: 300 'C' chunks and 100 records between the dumps; the thread's did not grow.
assert find(two, 1008, content="fill", fill="0x43")["delta"] == 300
assert find(two, rec, name="leaker_record_callback")["delta"] == 100
assert find(two, 112, content="fill", fill="0x41")["delta"] == 0
cl = two["verdict"]["clauses"]
assert two["verdict"]["status"] == "growth", two["verdict"]
assert cl[0]["size"] == 1008 and cl[0]["delta"] == 300, cl
assert cl[1]["name"] == "leaker_record_callback" and cl[1]["delta"] == 100, cl
assert abs(cl[1]["ratio"] - 3.0) < 0.01, cl
assert all(c["size"] != 112 for c in cl), cl
# Never a clause of untouched memory.
assert all(c["content"] != "zero" for c in cl), cl
PY
grep -q "^Verdict: 800 × 1008-byte objects filled with 'C', +300 in one interval; 400 × [0-9]*-byte objects → leaker_record_callback at .*leaker.c:[0-9]* (word at offset 8 in each), +100 in one interval (3.0 : 1)\.$" "$tmp/two.txt" ||
	ms_fail "the text verdict does not give both families and their ratio"

# --heap on a dump of several ranges walks each with its finder, and says so.
"$bin/bytehist" --heap -s summary "$tmp/new.dump" > "$tmp/heap.txt" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "bytehist --heap on a --grown dump"; }
grep -q "new.dump: [0-9]* ranges, not one heap mapping: each range is walked by the object finder that fits it (--objects)$" "$tmp/err" ||
	ms_fail "--heap on several ranges: not said: $(cat "$tmp/err")"
grep -q "glibc-arena" "$tmp/heap.txt" || ms_error "--heap on several ranges: the arena is not walked"

# A heap cut short (the first 64 KiB of it): walked as far as it goes, where
# it stopped said, the rest of the report printed.
heap=$(awk '$NF == "[heap]" { sub(/-.*/, "", $1); print "0x" $1 }' "/proc/$pid/maps")
"$bin/regiondump" -p "$pid" "$heap" 64K -w "$tmp/cut.dump" 2>/dev/null || ms_fail "regiondump of 64K"
"$bin/bytehist" --heap --objects "$tmp/cut.dump" > "$tmp/cut.txt" 2> "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "bytehist --heap --objects on a cut heap"; }
grep -q "glibc-main .*walk stopped at 0x[0-9a-f]*: .* not walked$" "$tmp/cut.txt" ||
	ms_fail "the cut heap: where the walk stopped is not said: $(grep -A3 '^Objects' "$tmp/cut.txt")"
grep -q "^Clusters" "$tmp/cut.txt" && grep -q "^bytes by value\|^Bytes\|entropy" "$tmp/cut.txt" ||
	ms_fail "the cut heap: the rest of the report is missing"
leaker_stop
exit 0
