#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch's memory is bounded, as mapswatch(1) states: a mapping keeps at
# most 129 values of RSS however long the watch runs, so 400 samples of a
# process of about 2,000 mappings peak where 10 samples do, give or take
# what those values take (2 KiB a mapping); before, each sample added 32
# bytes a mapping, 400 samples 12 MiB more here, 1 GB at 40,000 mappings.
# Peaks are the kernel's (GNU time's maximum resident set size).
. "${MS_SRCDIR:-.}/tests/lib.sh"
[ -x /usr/bin/time ] || ms_skip "GNU time is not installed (Debian package time)"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
mw=$MS_BUILDDIR/tools/mapswatch
# AddressSanitizer's quarantine and shadow memory, not mapswatch, would set the peaks.
if ldd "$mw" 2>/dev/null | grep -q libasan; then
	ms_skip "mapswatch is built with AddressSanitizer: its peaks are the sanitizer's"
fi

leaker_start
pid=$LEAKER_PID
for ((i = 0; i < 1000; i++)); do
	leaker_cmd mmap 8K 0x5a
done
maps=$(wc -l < /proc/"$pid"/maps)
[ "$maps" -ge 2000 ] || ms_error "the leaker has $maps mappings, not 2,000 or more"

peak()
{
	/usr/bin/time -f %M -o "$tmp/kb" "$mw" --batch --count "$1" -i 1ms --top 1 -p "$pid" > "$tmp/out" 2>/dev/null ||
		ms_fail "mapswatch -n $1 failed"
	grep -q "^pid $pid (leaker): $1 samples" "$tmp/out" || ms_error "-n $1: $(head -1 "$tmp/out")"
	cat "$tmp/kb"
}
short=$(peak 10)
long=$(peak 400)
echo "peak: $short KiB after 10 samples, $long KiB after 400, $maps mappings"
[ "$long" -le $((short + 2 * maps + 2048)) ] ||
	ms_fail "400 samples peak at $long KiB, 10 at $short KiB: more than 2 KiB a mapping apart"
# mapswatch(1): about 2.7 KiB a mapping in all, the program's own included.
[ "$long" -le $((3 * maps + 4096)) ] || ms_error "peak $long KiB for $maps mappings: past 3 KiB a mapping and 4 MiB"
leaker_stop
exit 0
