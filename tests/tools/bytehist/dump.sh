#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The hunt's middle: regiondump --grown then bytehist.  The dump holds
# several ranges back to back; bytehist maps offsets through the manifest,
# so the 1 MiB the leaker filled is one region at its own address.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
"$bin/mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap"
leaker_cmd mmap 1M 0x54
addr=$(leaker_field addr)
leaker_cmd malloc 300 4096 0x41
leaker_cmd struct 400
"$bin/regiondump" -p "$pid" --grown "$tmp/1.snap" -w "$tmp/g.dump" 2>/dev/null || ms_fail "regiondump"
"$bin/bytehist" -J "$tmp/g.dump" > "$tmp/h.json" || ms_fail "bytehist"
python3 - "$tmp/h.json" "$tmp/g.dump.json" "$addr" <<'PY' || ms_fail "regions or addresses wrong"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]
m = json.load(open(sys.argv[2]))
addr = int(sys.argv[3], 16)
ranges = [(int(r["start"], 16), int(r["end"], 16)) for r in m["requested"]]
assert len(ranges) > 1, "want a multi-range dump, got %s" % ranges
inside = lambda a: any(s <= a < e for s, e in ranges)
fills = [g for g in h["regions"] if g["class"] == "fill" and g["fill"] == 0x54]
assert any(g["start"] == addr and g["length"] == 1 << 20 for g in fills), fills
# No region runs from one range into the next.
for g in h["regions"]:
    assert inside(g["start"]) and inside(g["start"] + g["length"] - 1), g
    assert [s <= g["start"] < e for s, e in ranges] == [s <= g["start"] + g["length"] - 1 < e for s, e in ranges], g
# The 300 blocks of 'A' are 300 runs of 4096, found in the heap range.
runs = [r for r in h["runs"] if r["byte"] == 0x41 and r["length"] == 4096]
assert runs and runs[0]["count"] == 300, h["runs"][:5]
for s in h["strings"][:20]:
    assert inside(s["first"]), s
PY
# With the manifest's maps, words that point outside the dump say where: the
# records' pointers to their string literal and callback, into the leaker.
# Under ASan the allocator's own words crowd the top, so look past 40.
"$bin/bytehist" -s words -t 100 "$tmp/g.dump" > "$tmp/words" || ms_fail "bytehist -s words"
grep -Eq "^0x[0-9a-f]+ +[0-9]+ .* points into .*/leaker/leaker \(r--p\)$" "$tmp/words" ||
	ms_fail "no word noted as pointing into the leaker's rodata: $(cat "$tmp/words")"
grep -Eq "^0x[0-9a-f]+ +[0-9]+ .* points into .*/leaker/leaker \(r-xp\)$" "$tmp/words" ||
	ms_fail "no word noted as pointing into the leaker's text"
leaker_stop
exit 0
