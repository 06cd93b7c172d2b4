#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff over real captures of the leaker before and after it leaked
# (malloc 4000 4096 0x54, mmap 8M): golden output, and the numbers checked
# against a second reading of the same files.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
fx=$MS_FIXTURES/pmap
exp=$MS_SRCDIR/tests/expected/mapsdiff
ms_tmpdir
cols=START,END,PERMS,STATUS,SIZE,RSS-OLD,RSS-NEW,RSS-DELTA,NAME

for fmt in smaps maps pmap pmap-x pmap-X pmap-XX; do
	rc=0
	"$mapsdiff" -b -o "$cols" "$fx/leaker-before.$fmt" "$fx/leaker-after.$fmt" > "$tmp/$fmt" || rc=$?
	[ "$rc" = 1 ] || ms_error "$fmt: exit $rc, want 1 (something grew)"
	ms_compare "$exp/leaker-$fmt" "$tmp/$fmt"
done

# The heap holds the 4000 blocks of 4 KiB and is first; the 8 MiB mmap,
# all of it resident, is second.
addr=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([g for g in r["groups"] if g["kind"]=="mmap"][0]["addr"])' "$fx/leaker-after.report")
"$mapsdiff" -r -n -b -o START,RSS-DELTA,NAME --top 2 "$fx/leaker-before.smaps" "$fx/leaker-after.smaps" > "$tmp/top2"
{ read -r _ heap name; read -r start delta _; } < "$tmp/top2"
[ "$name" = "[heap]" ] || ms_error "first row is \"$name\", not [heap]"
[ "${heap#+}" -ge $((4000 * 4096)) ] || ms_error "heap grew ${heap}, less than the 4000 x 4 KiB leaked"
[ "$start $delta" = "$addr +8388608" ] || ms_error "second row \"$start $delta\", want the 8 MiB mmap at $addr"

# The total is the difference of the Rss sums, as awk reads the files.
sum() { awk '/^Rss:/ { s += $2 } END { print s * 1024 }' "$1"; }
want=$(( $(sum "$fx/leaker-after.smaps") - $(sum "$fx/leaker-before.smaps") ))
got=$(awk '$NF == "total" { print $(NF - 1) }' "$tmp/smaps")
[ "$got" = "+$want" ] || ms_error "total \"$got\", want +$want"

# Every pmap format finds the heap first, at the same address as smaps, and
# those with an RSS column the same growth.
read -r hstart hdelta < <("$mapsdiff" -r -n -b -o START,RSS-DELTA --top 1 "$fx/leaker-before.smaps" "$fx/leaker-after.smaps")
for fmt in pmap-x pmap-X pmap-XX; do
	got=$("$mapsdiff" -r -n -b -o START,RSS-DELTA --top 1 "$fx/leaker-before.$fmt" "$fx/leaker-after.$fmt" | head -n 1)
	[ "$got" = "$hstart $hdelta" ] || ms_error "$fmt: top row \"$got\", smaps says \"$hstart $hdelta\""
done

# Mixed formats: compared, with a warning naming both.
rc=0
"$mapsdiff" "$fx/leaker-before.smaps" "$fx/leaker-after.pmap-x" > "$tmp/mixed" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "mixed formats: exit $rc"
[ "$(cat "$tmp/err")" = "mapsdiff: $fx/leaker-before.smaps is a copy of smaps but $fx/leaker-after.pmap-x is pmap -x output; comparing what both have" ] ||
	ms_fail "mixed formats warning: $(cat "$tmp/err")"
head -n 2 "$tmp/mixed" | tail -n 1 | grep -q "^$hstart " || ms_fail "mixed formats: heap not first"

# A snapshot against itself: nothing grew.
rc=0
"$mapsdiff" "$fx/leaker-after.smaps" "$fx/leaker-after.smaps" > /dev/null || rc=$?
[ "$rc" = 0 ] || ms_error "a capture against itself: exit $rc, want 0"
exit 0
