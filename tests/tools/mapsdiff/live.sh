#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff on the live leaker: whatever it is made to leak is ranked first,
# with exactly the bytes it leaked.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
ms_tmpdir

leaker_start
pid=$LEAKER_PID
n=0
snap() { n=$((n + 1)); "$mapsnap" -p "$pid" -w "$tmp/$n.snap" || ms_fail "mapsnap $n failed"; }
# top OLD NEW: the first row, raw, in bytes, into $got; exit status in $rc.
top() {
	rc=0
	"$mapsdiff" -r -n -b -o START,STATUS,RSS-DELTA,NAME --top 1 "$tmp/$1.snap" "$tmp/$2.snap" > "$tmp/top" || rc=$?
	got=$(head -n 1 "$tmp/top")
}

snap
# Named where the kernel can (CONFIG_ANON_VMA_NAME), else anonymous.
gname="[anon:grow]"
leaker_try mmap 16M 0x11 grow || { leaker_cmd mmap 16M 0x11; gname=; }
addr=$(leaker_field addr)
snap
top 1 2
[ "$got" = "$addr new +16777216 $gname" ] || ms_error "new region: got \"$got\", want \"$addr new +16777216 $gname\""
[ "$rc" = 1 ] || ms_error "exit $rc after growth, want 1"

# A reservation committed in place (as Go and glibc arenas grow): the VMA
# splits, and the part at the same start is followed, not reported as new.
leaker_cmd reserve 64M
res=$(leaker_field addr)
id=$(leaker_field id)
snap
leaker_cmd commit "$id" 4M 0x22
snap
top 3 4
[ "$got" = "$res kept +4194304 " ] || ms_error "committed reservation: got \"$got\", want \"$res kept +4194304 \""

# malloc'd blocks below the mmap threshold grow the heap.
leaker_cmd malloc 4000 4096 0x54
snap
"$mapsdiff" -r -n -b -o NAME,RSS-DELTA --top 1 "$tmp/4.snap" "$tmp/5.snap" > "$tmp/heap" && ms_fail "exit 0 after heap growth"
read -r name delta < "$tmp/heap"
delta=${delta#+}
[ "$name" = "[heap]" ] || ms_error "heap growth: top is \"$name\""
[ "$delta" -ge $((4000 * 4096)) ] && [ "$delta" -lt $((4000 * 4096 + 4000 * 64 + 1048576)) ] ||
	ms_fail "heap grew $delta bytes for 4000 x 4 KiB"

# The total line is the difference of the two snapshots' Rss sums.
sum() { awk '/^Rss:/ { s += $2 } END { print s * 1024 }' "$1"; }
want=$(( $(sum "$tmp/5.snap") - $(sum "$tmp/1.snap") ))
got=$("$mapsdiff" -r -n -b -o NAME,RSS-DELTA "$tmp/1.snap" "$tmp/5.snap" | awk '$1 == "total" { print $2 }')
[ "$got" = "+$want" ] || ms_error "total line +$want wanted, got \"$got\""

# JSON carries the same numbers as numbers.
"$mapsdiff" -J --top 1 "$tmp/1.snap" "$tmp/2.snap" > "$tmp/j" && ms_fail "exit 0 with -J after growth"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = d["mappings"][0]
assert m["start"] == sys.argv[2], m
assert m["rss_delta"] == 16777216 and m["rss_old"] == 0 and m["rss_new"] == 16777216, m
assert m["name"] == (sys.argv[3] or None), m  # null for anonymous
' "$tmp/j" "$addr" "$gname" || ms_fail "JSON wrong: $(cat "$tmp/j")"

# Nothing changed: exit 0, only the total line.
rc=0
"$mapsdiff" "$tmp/5.snap" "$tmp/5.snap" > "$tmp/same" || rc=$?
[ "$rc" = 0 ] || ms_error "same snapshot twice: exit $rc"
[ "$(wc -l < "$tmp/same")" = 2 ] || ms_error "same snapshot twice printed rows: $(cat "$tmp/same")"

leaker_stop
exit 0
