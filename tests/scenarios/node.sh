#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Node: a script that keeps Buffers of 256 bytes of 'C' (Buffer.alloc(256,
# 67)) in a global array.  Their backing stores are glibc chunks of 272
# bytes, each owned by a C++ shared-pointer deleter named from its vtable;
# between two dumps the growth is what the script says it kept.  V8's own
# pages are no glibc heap and are said to be searched by signature.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
bin=$MS_BUILDDIR/tools

command -v node > /dev/null || ms_skip "no node (apt-get install nodejs)"
cat > "$tmp/keep.js" <<'JS'
const rl = require('readline').createInterface({ input: process.stdin });
const keep = [];
console.log('ready ' + process.pid);
rl.on('line', (l) => {
  const n = parseInt(l, 10);
  for (let i = 0; i < n; i++) keep.push(Buffer.alloc(256, 67));
  console.log('ok ' + keep.length);
});
JS
coproc ND { exec node "$tmp/keep.js"; }
npid=$ND_PID
ms_at_exit "kill $npid 2>/dev/null"
read -r line <&"${ND[0]}" || ms_fail "node did not start"
ask() { echo "$1" >&"${ND[1]}"; read -r reply <&"${ND[0]}" || ms_fail "node: no reply to $1"; }
"$bin/mapsnap" -p "$npid" -o "$tmp/1.snap" 2> "$tmp/err" ||
	{ grep -q ptrace "$tmp/err" && ms_skip "cannot read pid $npid: $(cat "$tmp/err")"; ms_fail "mapsnap: $(cat "$tmp/err")"; }
ask 20000
n0=${reply#ok }
"$bin/regiondump" -p "$npid" --grown "$tmp/1.snap" -o "$tmp/old.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
ask 10000
n1=${reply#ok }
"$bin/regiondump" -p "$npid" --grown "$tmp/1.snap" -o "$tmp/new.dump" 2> "$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/n.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
python3 - "$tmp/n.json" "$n1" $((n1 - n0)) <<'PY' || ms_fail "node's buffers are not counted"
import json, sys
a, total, grew = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
o = a["objects"]
assert o["allocator"] == "glibc", o
assert any(r["finder"] == "glibc-main" for r in o["ranges"]), o["ranges"]
assert any(r["finder"] == "signature" for r in o["ranges"]), "V8's pages are not said to be searched by signature"
buf = [c for c in a["clusters"] if c["size"] == 272 and c["fill"] == "0x43"]
assert buf, [(c["size"], c["count"], c["fill"]) for c in a["clusters"][:8]]
b = buf[0]
print("truth: %d buffers (+%d); found %d (+%d)" % (total, grew, b["count"], b["delta"]), file=sys.stderr)
assert abs(b["count"] - total) <= total / 100 and abs(b["delta"] - grew) <= grew / 100, b
dl = [c for c in a["clusters"] if c["name"] and "BackingStore" in c["name"]]
assert dl and abs(sum(c["delta"] for c in dl) - grew) <= grew / 100, [(c["name"], c["delta"]) for c in dl]
assert a["verdict"]["clauses"][0]["size"] == 272, a["verdict"]
PY
exit 0
