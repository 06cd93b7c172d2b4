#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff DIR over a long series (500 snapshots of 2,000 mappings, a day at
# one snapshot every three minutes) holds two snapshots whole and 24 bytes
# per mapping of each other (man/mapsdiff.1), not every snapshot: its peak
# RSS, as /usr/bin/time measures it, grows from 3 snapshots to 500 by less
# than twice 500 x 2,000 x 24 bytes.  The series is written here, so its
# leak is known: mapping 0 grows one page a snapshot, a minute apart.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
[ -x /usr/bin/time ] || ms_skip "/usr/bin/time not installed (Debian package time)"
command -v python3 >/dev/null || ms_skip "python3 not installed"

# Copies of maps (sizes only, the smallest snapshot that parses), each with
# the header mapsnap writes: pid, start time, boot time a minute apart.
python3 - "$tmp" <<'PY'
import os, sys
top = sys.argv[1]
for d, n in (("long", 500), ("short", 3)):
    os.mkdir(f"{top}/{d}")
    for i in range(n):
        with open(f"{top}/{d}/{i:03d}.snap", "w") as f:
            f.write("# memsift snapshot 1\n# pid: 4242\n# comm: grow\n# starttime: 1000\n")
            f.write(f"# boottime: {1000 + 60 * i}.000000000\n# pagesize: 4096\n")
            f.write("# source: /proc/4242/maps\n")
            base = 0x7f0000000000
            for j in range(2000):
                size = 4096 * (1 + j % 7) + (4096 * i if j == 0 else 0)
                f.write(f"{base:x}-{base + size:x} rw-p 00000000 00:00 0 \n")
                base += 0x100000
PY

peak() # DIR: mapsdiff's peak RSS in KiB; its JSON in $tmp/DIR.json
{
	local rc=0
	# Under ASan (CI's second run), freed memory waits in a quarantine of
	# 256 MiB: none here, so what is held is what mapsdiff holds.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
		/usr/bin/time -f '%M' -o "$tmp/$1.kb" "$mapsdiff" -J "$tmp/$1" > "$tmp/$1.json" 2> "$tmp/$1.err" || rc=$?
	[ "$rc" = 1 ] || ms_error "mapsdiff $1: exit $rc, want 1 (grew): $(cat "$tmp/$1.err")"
	tail -n 1 "$tmp/$1.kb"
}
short=$(peak short)
long=$(peak long)
bound=$((2 * 500 * 2000 * 24 / 1024))
echo "peak RSS: $short KiB over 3 snapshots, $long KiB over 500 (bound: +$bound KiB)"
((long - short < bound)) || ms_fail "peak RSS $long KiB over 500 snapshots, $short KiB over 3: more than $bound KiB apart"

# And the verdict is the series': mapping 0 grew 499 pages, one a minute.
python3 - "$tmp/long.json" <<'PY' || ms_fail "wrong verdict over the long series: $(head -c 2000 "$tmp/long.json")"
import json, sys
j = json.load(open(sys.argv[1]))
p = j["process"]
assert p["snapshots"] == 500 and p["per_snapshot"] is False, p
assert p["verdict"] == "grows with no steady state", p
m = [r for r in j["mappings"] if r["start"] == "0x7f0000000000"][0]
assert m["rss_delta"] == 499 * 4096, m
assert m["verdict"] == "grows with no steady state", m
assert abs(m["rate"] - 4096 / 60) < 0.01, m
PY
exit 0
