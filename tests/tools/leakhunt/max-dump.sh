#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --max-dump keeps what grew: a service with 600 MiB of heap (filled with
# 'Z') keeps 2 MiB of 1 KiB records filled with 'K' between every two
# snapshots; growth lands at the top of its [heap].  With --max-dump 16M the
# dump must hold those records, all of them, not the bottom 16 MiB of the
# heap, which is all 'Z'.  The truth is the service's own counter and
# /proc/PID/maps; the snapshot test hook paces the hunt (no sleep).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service

leaker_start
pid=$LEAKER_PID
leaker_cmd fill 600
ms_hooked "$tmp/hook" 'leaker_cmd keep 2048' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 100ms --count 10 --max-dump 16M \
	-w "$tmp/r" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1"
grep -q '^leakhunt: growth confirmed after 4 snapshots' "$tmp/err" || ms_error "growth not confirmed after 4 snapshots"
grep -q '^leakhunt: dumping 16M of the [0-9.]*M of mappings that grew (--max-dump)$' "$tmp/err" ||
	ms_fail "the cap is not said"
leaker_cmd keep 0
kept=$(leaker_field kept)
heap_end=$(awk '$NF == "[heap]" { split($1, r, "-"); print "0x" r[2] }' "/proc/$pid/maps")
# Rounds of 2 MiB of records of 1008 'K' bytes each (1 KiB chunks): three
# before growth was confirmed, one more before the second dump (grown.dump,
# one interval after the first; the hook runs before it too).
python3 - "$tmp/r/grown.dump" "$tmp/r/grown.dump.json" "$kept" "$heap_end" <<'PY' ||
import json, sys
dump, man, kept, heap_end = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4], 16)
data = open(dump, "rb").read()
assert len(data) <= 16 << 20, len(data)
assert kept >= 3 * 2048 * 1024, kept
want = kept // 1024 * 1008
got = data.count(b"K")
assert got >= want, (got, want)
ranges = json.load(open(man))["requested"]
assert any(int(r["start"], 16) + r["size"] == heap_end for r in ranges), (ranges, hex(heap_end))
PY
	ms_fail "the capped dump does not hold what grew at the top of the heap"
# The first dump, at confirmation, holds the three rounds before it.
if [ -f "$tmp/r/base.dump" ]; then
	python3 - "$tmp/r/base.dump" <<'PY' || ms_fail "base.dump does not hold the three rounds that grew"
import sys
data = open(sys.argv[1], "rb").read()
assert len(data) <= 16 << 20 and data.count(b"K") >= 3 * 2048 * 1008, (len(data), data.count(b"K"))
PY
fi
leaker_stop
exit 0
