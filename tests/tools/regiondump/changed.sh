#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap --pages, then regiondump --changed-since: only the pages the
# leaker wrote after the snapshot are dumped, with their bytes.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 100 4096 0x41
"$mapsnap" --pages -p "$pid" -w "$tmp/base.snap" || ms_fail "mapsnap --pages failed"
# One hash per page of each anonymous mapping, as the kernel sizes them.
python3 - "$tmp/base.snap" <<'PY' || ms_fail "pages lines wrong"
import sys
for line in open(sys.argv[1]):
    if line.startswith("# pages: "):
        rng, *hashes = line[9:].split()
        s, e = (int(x, 16) for x in rng.split("-"))
        assert len(hashes) == (e - s) // 4096, (rng, len(hashes))
        assert all(len(h) == 16 for h in hashes)
PY
"$mapsnap" -p "$pid" -w "$tmp/nopages.snap"

leaker_cmd mmap 64K 0x77
maddr=$(leaker_field addr)
leaker_cmd malloc 10 4096 0x42
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report"

"$regiondump" -p "$pid" --changed-since "$tmp/base.snap" -w "$tmp/changed" 2> "$tmp/err" ||
	ms_fail "--changed-since: $(cat "$tmp/err")"
python3 - "$tmp/changed.json" "$tmp/report" "$maddr" "$tmp/changed" <<'PY' || ms_fail "wrong pages dumped"
import json, sys
m = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
dump = open(sys.argv[4], "rb").read()
ranges = [(int(r["start"], 16), int(r["end"], 16), r["file_offset"]) for r in m["requested"]]
def where(a):
    for s, e, off in ranges:
        if s <= a < e:
            return off + a - s
    return None
# The new region, every byte, with its fill.
maddr = int(sys.argv[3], 16)
for a in (maddr, maddr + 32768, maddr + 65535):
    off = where(a)
    assert off is not None, "new region byte %x not dumped" % a
    assert dump[off] == 0x77, "byte at %x is %x" % (a, dump[off])
old, new = [g for g in rep["groups"] if g["kind"] == "malloc"]
# Every block written after the snapshot, with its fill.
for a in (int(x, 16) for x in new["addrs"]):
    off = where(a)
    assert off is not None and dump[off] == 0x42 and dump[off + 4095] == 0x42, "new block %x" % a
# The blocks written before it stay out, but for a page or two that malloc's
# own bookkeeping shares with them.
kept = [a for a in (int(x, 16) for x in old["addrs"]) if where(a) is not None]
assert len(kept) <= 2, "%d old blocks dumped" % len(kept)
assert len(dump) < 100 * 4096, "dump of %d bytes" % len(dump)
PY

rc=0; "$regiondump" -p "$pid" --changed-since "$tmp/nopages.snap" -w "$tmp/x" 2> "$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "^regiondump: $tmp/nopages.snap: no page hashes in it; take it with mapsnap --pages$" "$tmp/err" ||
	ms_fail "no hashes: exit $rc, $(cat "$tmp/err")"
[ ! -e "$tmp/x" ] || ms_error "a dump was left"
leaker_stop
exit 0
