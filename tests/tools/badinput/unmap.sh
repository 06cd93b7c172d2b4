#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults: the target unmaps the region in the middle of a dump.  The test
# hook stops regiondump after its first batch, the leaker frees the mapping,
# and the dump goes on: it completes, the part no longer mapped zero-filled
# and recorded in the manifest, exit 0 (holes are not failures).
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 16M 0x42
id=$(leaker_field id)
addr=$(leaker_field addr)
mkfifo "$tmp/hook"
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" "$addr" 16M -w "$tmp/d" 2> "$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = progress ] || ms_error "hook said \"$ev\""
leaker_cmd free "$id"
grep -q "^${addr#0x}-" /proc/"$pid"/maps && ms_fail "the leaker still maps $addr"
echo go > "$tmp/hook"
rc=0
wait "$rd" || rc=$?
[ "$rc" = 0 ] || ms_error "exit $rc after the region was unmapped mid-dump: $(cat "$tmp/err")"
[ "$(stat -c %s "$tmp/d")" = 16777216 ] || ms_error "dump is $(stat -c %s "$tmp/d") bytes, want 16M"
[ "$(stat -c %a "$tmp/d")" = 600 ] || ms_error "dump mode $(stat -c %a "$tmp/d")"
grep -q "^regiondump: [0-9a-f]*-$(printf '%x' $((addr + 16777216))): not mapped; zero-filled, noted in the manifest$" "$tmp/err" ||
	ms_fail "no warning for the unmapped part: $(cat "$tmp/err")"
python3 - "$tmp/d" "$tmp/d.json" "$addr" <<'PY' || ms_fail "dump or manifest wrong"
import json, sys
data = open(sys.argv[1], "rb").read()
m = json.load(open(sys.argv[2]))
base = int(sys.argv[3], 16)
subs = m["subranges"] if "subranges" in m else m["requested"][0]["subranges"]
read = [s for s in subs if s["status"] == "read"]
gone = [s for s in subs if s["status"] == "not mapped"]
assert read and gone, subs
# What was read before the unmap holds the leaker's bytes; the rest is zeros.
for s in read:
    o = int(s["start"], 16) - base
    assert set(data[o:o + 4096]) == {0x42}, s
for s in gone:
    o, e = int(s["start"], 16) - base, int(s["end"], 16) - base
    assert data[o:e] == bytes(e - o), s
assert m["complete"] is True, m["complete"]
PY
leaker_stop
exit 0
