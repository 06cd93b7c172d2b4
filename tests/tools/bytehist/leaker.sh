#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist on real dumps of the leaker's memory: a 1 MiB mapping filled with
# 'T' is one 1 MiB 'T' run and 256 fill blocks at the leaker's address, and
# 'T'-filled malloc records in the heap show up as that many 4096-byte runs.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
ms_tmpdir

# dump PID START LENGTH FILE: read the target's memory, as regiondump will.
dump()
{
	python3 - "$@" <<'PY'
import sys
pid, start, length, out = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), sys.argv[4]
with open("/proc/%s/mem" % pid, "rb", buffering=0) as m:
    m.seek(start)
    data = m.read(length)
assert len(data) == length, "short read"
open(out, "wb").write(data)
PY
}

leaker_start
[ -r "/proc/$LEAKER_PID/mem" ] && dump "$LEAKER_PID" "$(awk '{print "0x" substr($1, 1, index($1, "-") - 1); exit}' "/proc/$LEAKER_PID/maps")" 1 "$tmp/probe" 2>/dev/null ||
	ms_skip "cannot read /proc/$LEAKER_PID/mem (ptrace_scope or no CAP_SYS_PTRACE)"

leaker_cmd mmap 1M 0x54
addr=$(leaker_field addr)
size=$(leaker_field size)
[ "$size" = 1048576 ] || ms_error "leaker mapped $size bytes, not 1M"
dump "$LEAKER_PID" "$addr" "$size" "$tmp/t.dump" || ms_fail "cannot read $addr+$size"
printf '{"pid": %d, "start": "%s", "length": %d}\n' "$LEAKER_PID" "$addr" "$size" > "$tmp/t.dump.json"

"$bytehist" -J "$tmp/t.dump" > "$tmp/t.out" || ms_fail "bytehist failed on the dump"
python3 - "$tmp/t.out" "$addr" <<'PY' || ms_fail "the 'T' mapping was not found as it is"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]; addr = int(sys.argv[2], 16)
assert j["bytes"][0x54] == 1048576, "bytes"
assert j["runs"] == [{"byte": 0x54, "length": 1048576, "bucket": False, "count": 1,
                      "bytes": 1048576, "first": hex(addr)}], j["runs"]
assert j["blocks"]["fill"] == {"blocks": 256, "bytes": 1048576}, j["blocks"]
assert j["regions"] == [{"start": hex(addr), "length": 1048576, "class": "fill", "fill": 0x54}], j["regions"]
assert j["strings"] == [], "a run is not a string"
PY
"$bytehist" -s runs "$tmp/t.dump" | grep -Eq "^0x54 'T' +1048576 +1 +1M +$addr$" || ms_fail "report: no 1M 'T' run at $addr"

# 300 malloc'ed records of 4 KiB filled with 'T', in the heap: 300 runs of
# exactly 4096 'T' (glibc puts an 8-byte size word between them).
leaker_cmd malloc 300 4096 T
read -r range _ < <(grep ' \[heap\]$' "/proc/$LEAKER_PID/maps") || ms_fail "leaker has no [heap]"
hstart=0x${range%-*} hend=0x${range#*-}
dump "$LEAKER_PID" "$hstart" $((hend - hstart)) "$tmp/heap.dump" || ms_fail "cannot read the heap"
"$bytehist" -J "$tmp/heap.dump" | python3 -c '
import json, sys
j = json.load(sys.stdin)["files"][0]
r = [x for x in j["runs"] if x["byte"] == 0x54 and x["length"] == 4096]
assert r and r[0]["count"] == 300, r
# glibc chunks of 4096 + 8 rounded to 16: 4112 bytes, their size word 4113 (PREV_INUSE).
rec = j["records"]
assert rec and rec[0]["size"] == 4112 and rec[0]["count"] >= 299 and rec[0]["word"] == "0x1011", rec
' || ms_fail "heap: not exactly 300 runs of 4096 'T', or not seen as 4112-byte records"
"$bytehist" -s records "$tmp/heap.dump" | grep -q "^records: 4112-byte records, [0-9]* times" ||
	ms_fail "no records line in the report"
leaker_stop
exit 0
