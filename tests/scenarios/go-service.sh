#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The articles' HTTP service with the default GC: each request appends
# bytes.Repeat([]byte("a"), 10000) to a global slice.  The verdict names
# the objects from the runtime's spans: the []uint8 type (from the slice
# that holds them), the 10240-byte size class, the 'a' fill and the
# [][]uint8 backing array, counted as the service counts them; the live
# heap the spans give is the runtime's own HeapAlloc, and the go version
# is the toolchain's: with Debian's Go 1.19 and a newer one when installed
# (1.22's malloc headers and 16-bit span fields).
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

check()
{
	go_build "$tmp/svc" "$MS_SRCDIR/tests/scenarios/go-service.go"
	go_start "$tmp/svc"
	go_two_dumps 'go_ask "get 300"; go_ask stats; old=$reply' 'go_ask "get 2700"; go_ask stats; new=$reply'
	python3 - "$tmp/a.json" "$old" "$new" "$(go_toolchain)" "$tmp/maps" <<-'PY' || ms_fail "the service's leak is not told as the service counts it"
	import json, re, sys
	a = json.load(open(sys.argv[1]))["files"][0]
	def st(s):
	    m = re.match(r"ok kept=(\d+) heap_alloc=(\d+)$", s)
	    assert m, s
	    return int(m.group(1)), int(m.group(2))
	(k0, _), (k1, heap) = st(sys.argv[2]), st(sys.argv[3])
	go = a["objects"]["go"]
	print("notes:", a["objects"]["notes"], file=sys.stderr)
	print("truth kept %d -> %d, HeapAlloc %d; spans say live %d, %d spans" % (k0, k1, heap, go["live_bytes"], go["spans"]), file=sys.stderr)
	assert go["version"] == sys.argv[4] and go["layout"] == "DWARF", go
	# The spans count what the runtime counts: allocated bytes, by size class.
	assert abs(go["live_bytes"] - heap) <= heap * 0.02, (go, heap)
	assert any(r["finder"] == "go-span" for r in a["objects"]["ranges"]), a["objects"]["ranges"]
	c = a["verdict"]["clauses"][0]
	cl = a["clusters"][c["cluster"]]
	assert (cl["size"], cl["fill"], cl["type"], cl["holder"]) == (10240, "0x61", "[]uint8", "[][]uint8"), cl
	# To 1%: once in a CI run the first dump of what grew held 297 of the
	# 300 (a delta of 2,703 for 2,700), frozen, on an idle machine; the
	# cause is not found yet (a span in pages resident before the hunt?).
	assert abs(cl["count"] - k1) <= k1 / 100 and abs(cl["delta"] - (k1 - k0)) <= (k1 - k0) / 100, (cl, k0, k1)
	text = "%s × `[]uint8` of 10240 bytes filled with 'a', held by a `[][]uint8` backing array, +%s in one interval" % (
	    format(cl["count"], ","), format(cl["delta"], ","))
	assert a["verdict"]["text"].startswith(text), (a["verdict"]["text"], text)
	# The Go heap, one however many mappings: the readable ones of its 64 MiB
	# arenas from Go's first hint (0xc000000000) to the last read-write one.
	maps = [(int(l.split()[0].split("-")[0], 16), int(l.split()[0].split("-")[1], 16), l.split()[1])
	        for l in open(sys.argv[5])]
	arena = [m for m in maps if 0xc000000000 <= m[0] < 0x10000000000]
	top = max(e for s, e, p in arena if p == "rw-p")
	top = (top + (64 << 20) - 1) & ~((64 << 20) - 1)
	want = [m for m in arena if m[0] < top and m[2][0] == "r"]
	assert (go["mappings"], go["mapped"]) == (len(want), sum(e - s for s, e, p in want)), (go, want)
	assert "[in the Go heap: %d mapping%s, " % (len(want), "" if len(want) == 1 else "s") in a["verdict"]["text"], a["verdict"]["text"]
	PY
}

for GO in $(go_toolchains); do
	echo "== with $(go_toolchain)" >&2
	check
done
exit 0
