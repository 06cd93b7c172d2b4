#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Node: a script that keeps Buffers of 256 bytes of 'C' (Buffer.alloc(256,
# 67)) in a global array.  Their backing stores are glibc chunks of 272
# bytes, each owned by a C++ shared-pointer deleter named from its vtable;
# between two dumps the growth is what the script says it kept.  V8's own
# pages are no glibc heap: they are recognised by their MemoryChunk headers
# and never walked as malloc's, and the strings the script keeps in them are
# named by their text.  Then the script keeps JS objects: mapsdiff
# sums V8's pages into one "V8 heap" row, which grows as much as V8 itself
# says its heap did (v8.getHeapStatistics().total_physical_size), and
# mapswatch shows it as one row, as resident as V8 and the kernel say.  A
# verdict between two dumps says first that V8's heap grew, and by how much.
# Node runs with --single-threaded-gc and is dumped with --freeze, so that
# no collector thread moves or sweeps strings while a dump is read.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v node > /dev/null || ms_skip "no node (apt-get install nodejs)"
cat > "$tmp/keep.js" <<'JS'
const v8 = require('v8');
const rl = require('readline').createInterface({ input: process.stdin });
const keep = [], objs = [], strs = [];
class Session { constructor(i) { this.id = i; this.name = 'session-' + i; this.tags = [i, i + 1]; } }
console.log('ready ' + process.pid);
rl.on('line', (l) => {
  const [cmd, arg] = l.split(' ');
  if (cmd === 'objs') {
    for (let i = 0; i < parseInt(arg, 10); i++) objs.push(new Session(objs.length));
    console.log('ok ' + objs.length);
  } else if (cmd === 'strs') {
    // Sequential one-byte strings of the script's own text, written into a
    // buffer piece by piece and made a string once: no flattened copy of a
    // concatenation is left dead in the heap with the same text.
    for (let i = 0; i < parseInt(arg, 10); i++) {
      const num = String(strs.length), head = 'user:', tail = ':abcdefghij';
      const b = Buffer.allocUnsafe(head.length + num.length + tail.length);
      b.write(head, 0, 'latin1');
      b.write(num, head.length, 'latin1');
      b.write(tail, head.length + num.length, 'latin1');
      strs.push(b.toString('latin1'));
    }
    global.gc();
    console.log('ok ' + strs.length);
  } else if (cmd === 'heap') {
    console.log('ok ' + v8.getHeapStatistics().total_physical_size);
  } else {
    const n = parseInt(cmd, 10);
    for (let i = 0; i < n; i++) keep.push(Buffer.alloc(256, 67));
    console.log('ok ' + keep.length);
  }
});
JS
coproc ND { exec node --expose-gc --single-threaded-gc "$tmp/keep.js"; }
npid=$ND_PID
ms_at_exit "kill $npid 2>/dev/null"
read -r line <&"${ND[0]}" || ms_fail "node did not start"
ask() { echo "$1" >&"${ND[1]}"; read -r reply <&"${ND[0]}" || ms_fail "node: no reply to $1"; }
ms_require_ptrace "$npid"
"$bin/mapsnap" -p "$npid" -w "$tmp/1.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
ask 20000
n0=${reply#ok }
ask "strs 40000"
s0=${reply#ok }
"$bin/regiondump" -p "$npid" --freeze --grown "$tmp/1.snap" -w "$tmp/old.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
ask 10000
n1=${reply#ok }
ask "strs 20000"
s1=${reply#ok }
"$bin/regiondump" -p "$npid" --freeze --grown "$tmp/1.snap" -w "$tmp/new.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/n.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
python3 - "$tmp/n.json" "$n1" $((n1 - n0)) <<'PY' || ms_fail "node's buffers are not counted"
import json, sys
a, total, grew = json.load(open(sys.argv[1]))["files"][0], int(sys.argv[2]), int(sys.argv[3])
o = a["objects"]
assert o["allocator"] == "glibc", o
assert any(r["finder"] == "glibc-main" for r in o["ranges"]), o["ranges"]
v8 = [r for r in o["ranges"] if r["finder"] == "v8"]
assert v8, "V8's pages are not recognised"
assert all("V8 heap page" in r["note"] for r in v8), v8[:3]
buf = [c for c in a["clusters"] if c["size"] == 272 and c["fill"] == "0x43"]
assert buf, [(c["size"], c["count"], c["fill"]) for c in a["clusters"][:8]]
b = buf[0]
print("truth: %d buffers (+%d); found %d (+%d)" % (total, grew, b["count"], b["delta"]), file=sys.stderr)
assert abs(b["count"] - total) <= total / 100 and abs(b["delta"] - grew) <= grew / 100, b
dl = [c for c in a["clusters"] if c["name"] and "BackingStore" in c["name"]]
assert dl and abs(sum(c["delta"] for c in dl) - grew) <= grew / 100, [(c["name"], c["delta"]) for c in dl]
assert a["verdict"]["clauses"][0]["size"] == 272, a["verdict"]
PY
python3 - "$tmp/n.json" "$s1" $((s1 - s0)) <<'PY' || ms_fail "V8's strings are not named by their text"
import json, sys
a, total, grew = json.load(open(sys.argv[1]))["files"][0], int(sys.argv[2]), int(sys.argv[3])
st = [c for c in a["clusters"] if c["finder"] == "v8" and c["shape"] == "user:#:abcdefghij"]
print("truth: %d strings (+%d); found %s" % (total, grew, [(c["size"], c["count"], c["delta"]) for c in st]), file=sys.stderr)
# Named by their text: those the script kept since the first dump, to 5%;
# of all it keeps, less those that live in pages that did not grow and so
# are not in a dump of what grew (about 1 in 12).
assert st and st[0]["size"] == 40, st
assert total * 0.85 <= st[0]["count"] <= total * 1.05 and abs(st[0]["delta"] - grew) <= grew * 0.05, st[0]
PY

# JS objects: V8's pages are one heap that grows as V8 says it did.
ask heap
h0=${reply#ok }
"$bin/mapsnap" -p "$npid" -w "$tmp/2.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
ask "objs 300000"
ask heap
h1=${reply#ok }
"$bin/mapsnap" -p "$npid" -w "$tmp/3.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
"$bin/mapsdiff" -J -b "$tmp/2.snap" "$tmp/3.snap" > "$tmp/d.json" 2> "$tmp/err" ||
	[ $? -eq 1 ] || ms_error "mapsdiff: $(cat "$tmp/err")"
python3 - "$tmp/d.json" $((h1 - h0)) <<'PY' || ms_fail "V8's heap is not one row that grows as V8 says"
import json, sys
d, grew = json.load(open(sys.argv[1])), int(sys.argv[2])
rows = d["mappings"]
v8 = [r for r in rows if r["label"] == "V8 heap (likely)"]
print("truth: V8 heap +%d; V8 rows %s" % (grew, [(r["count"], r["rss_delta"]) for r in v8]), file=sys.stderr)
assert len(v8) == 1 and v8[0]["count"] > 1, v8
assert max(rows, key=lambda r: r["rss_delta"]) is v8[0], rows[:3]
assert abs(v8[0]["rss_delta"] - grew) <= grew / 4, (v8[0], grew)
PY
# Two dumps of what grew, JS objects kept between them: the verdict says
# first that V8's heap grew, by no more than V8 says it did.
"$bin/regiondump" -p "$npid" --freeze --grown "$tmp/2.snap" -w "$tmp/j1.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
ask "objs 200000"
ask heap
h2=${reply#ok }
"$bin/regiondump" -p "$npid" --freeze --grown "$tmp/2.snap" -w "$tmp/j2.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
"$bin/bytehist" --objects -J --base "$tmp/j1.dump" "$tmp/j2.dump" > "$tmp/j.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
python3 - "$tmp/j.json" $((h2 - h1)) <<'PY' || ms_fail "the verdict does not say V8's heap grew as V8 says"
import json, sys
v, grew = json.load(open(sys.argv[1]))["files"][0]["verdict"], int(sys.argv[2])
print("truth: V8 heap +%d; verdict v8_growth %s: %s" % (grew, v["v8_growth"], v["text"][:90]), file=sys.stderr)
assert v["text"].startswith("V8's heap, +"), v["text"]
# Pages V8 pooled when it freed them, resident all along, are in no dump of
# what grew when it takes them back: the dumps see less than V8 counts.
assert grew / 3 <= v["v8_growth"] <= grew * 1.25, (v["v8_growth"], grew)
PY

# mapswatch ranks the same heap as one row: at least as resident as V8 says
# it is (V8 keeps freed pages pooled, uncounted), and as the kernel's smaps
# say V8's 256 KiB-aligned read-write anonymous mappings are, read after.
"$bin/mapswatch" -p "$npid" -i 100ms --count 2 -J > "$tmp/w.json" 2> "$tmp/err" || ms_fail "mapswatch: $(cat "$tmp/err")"
cp "/proc/$npid/smaps" "$tmp/smaps" || ms_fail "cannot read /proc/$npid/smaps"
python3 - "$tmp/w.json" "$h1" "$tmp/smaps" <<'PY' || ms_fail "mapswatch: V8's heap is not one row as resident as V8 says"
import json, sys
rows, phys = json.load(open(sys.argv[1]))["mappings"], int(sys.argv[2])
# A thread's stack sits right above its 4 KiB guard page, a glibc arena on
# a 64 MiB boundary: neither is V8's.
pages, cur, guard = 0, None, None
for line in open(sys.argv[3]):
    f = line.split()
    if "-" in f[0] and len(f) >= 5:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        cur = (len(f) == 5 and f[1] == "rw-p" and lo % (256 << 10) == 0 and
               hi - lo >= 256 << 10 and guard != lo and lo % (64 << 20) != 0)
        guard = hi if f[1] == "---p" and hi - lo == 4096 else None
    elif f[0] == "Rss:" and cur:
        pages += int(f[1]) << 10
v8 = [r for r in rows if r["label"] == "V8 heap (likely)"]
print("truth: V8 heap %d resident (V8), %d (smaps); mapswatch %s" % (phys, pages, [(r["name"], r["rss"]) for r in v8]), file=sys.stderr)
assert len(v8) == 1 and v8[0]["name"].endswith("mappings of one heap"), v8
assert v8[0]["rss"] >= phys * 0.9 and abs(v8[0]["rss"] - pages) <= pages / 20, (v8[0], phys, pages)
PY
exit 0
