#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump --changed-since reads each page once: hashed and, when changed,
# written from the same read.  strace counts the bytes process_vm_readv(2)
# and pread(2) of /proc/PID/mem return, which must stay within the anonymous memory the
# snapshot's hashes cover (summed here from /proc/PID/maps), where reading
# the 8 MiB written since twice would pass it.  The pages written are those
# of a core dump of the same (which still hashes first and reads after),
# byte for byte.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
command -v strace >/dev/null || ms_skip "strace not installed (Debian package strace)"
command -v readelf >/dev/null || ms_skip "readelf not installed (Debian package binutils)"
strace -f -o /dev/null true 2>/dev/null || ms_skip "strace cannot trace here (ptrace refused)"

leaker_start
pid=$LEAKER_PID
ms_require_ptrace "$pid"
leaker_cmd malloc 100 4096 0x41
"$mapsnap" --pages -p "$pid" --write "$tmp/base.snap" 2>/dev/null || ms_fail "mapsnap --pages failed"
leaker_cmd mmap 8M 0x77
maddr=$(leaker_field addr)
leaker_cmd malloc 10 4096 0x42

# Readable private anonymous memory: what the hashes cover (the leaker is idle now).
anon=$(python3 - /proc/"$pid"/maps <<'PY'
import sys
s = 0
for line in open(sys.argv[1]):
    f = line.split()
    name = f[5] if len(f) > 5 else ""
    if f[1][0] == "r" and f[1][3] == "p" and (name in ("", "[heap]", "[stack]") or name.startswith("[anon:")):
        a, b = (int(x, 16) for x in f[0].split("-"))
        s += b - a
print(s)
PY
)
((anon > 8 * 1048576)) || ms_fail "anonymous memory of $anon bytes: the 8 MiB mapping not counted"

# LeakSanitizer (CI's sanitizer run) cannot work under ptrace: off for this run.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -y -e trace=process_vm_readv,pread64 -o "$tmp/trace" \
	"$regiondump" -p "$pid" --changed-since "$tmp/base.snap" --write "$tmp/raw" 2> "$tmp/err" ||
	ms_fail "--changed-since: $(cat "$tmp/err")"
# The target's pages only: process_vm_readv, and pread of /proc/PID/mem (-y
# names it), of whole pages (the manifest's build-ids are read from ELF
# headers in memory, a few dozen bytes at a time).
read=$(awk '(/^[0-9]+ +process_vm_readv\(/ || /^[0-9]+ +pread64\([0-9]+<\/proc\/[0-9]+\/mem>/) &&
	$NF ~ /^[0-9]+$/ && $NF % 4096 == 0 { s += $NF } END { print s + 0 }' "$tmp/trace")
echo "read $read bytes for $anon bytes of anonymous memory"
((read > 0)) || ms_fail "strace saw no read: $(head -5 "$tmp/trace")"
((read <= anon)) || ms_fail "read $read bytes: more than the $anon bytes of anonymous memory, pages read twice"

# The 8 MiB written since is in the dump, whole, with its fill.
python3 - "$tmp/raw.json" "$tmp/raw" "$maddr" <<'PY' || ms_fail "the new mapping is not in the dump"
import json, sys
m = json.load(open(sys.argv[1]))
dump = open(sys.argv[2], "rb").read()
a = int(sys.argv[3], 16)
for r in m["requested"]:
    s, e, off = int(r["start"], 16), int(r["end"], 16), r["file_offset"]
    if s <= a and a + (8 << 20) <= e:
        assert dump[off + a - s:off + a - s + (8 << 20)] == b"\x77" * (8 << 20)
        break
else:
    raise SystemExit("no range holds %x" % a)
PY

# The same pages as a core: its segments back to back are the raw dump.
"$regiondump" -p "$pid" --changed-since "$tmp/base.snap" --format core --write "$tmp/core" 2> "$tmp/err" ||
	ms_fail "--changed-since --format core: $(cat "$tmp/err")"
readelf -lW "$tmp/core" | awk '$1 == "LOAD" { print $2, $5 }' | while read -r off size; do
	tail -c +$((off + 1)) "$tmp/core" | head -c $((size))
done > "$tmp/segments"
cmp "$tmp/raw" "$tmp/segments" || ms_error "the raw dump differs from the core's segments"
leaker_stop
exit 0
