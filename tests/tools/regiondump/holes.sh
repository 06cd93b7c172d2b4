#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A range over a PROT_NONE reservation, read-only guard pages and an
# unmapped hole: the dump completes, the hole is zero-filled, and the
# manifest's sub-ranges are exactly what /proc/PID/maps says.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir
page=$(getconf PAGESIZE)

leaker_start
pid=$LEAKER_PID
# Three regions, each between guard pages; freeing the middle one leaves a
# hole of its size plus its two guards.
leaker_cmd reserve 32K
r_addr=$(($(leaker_field addr)))
leaker_cmd mmap 16K 0x22
leaker_cmd mmap 24K 0x33
m_addr=$(($(leaker_field addr)))
m_id=$(leaker_field id)
leaker_cmd mmap 8K 0x44
leaker_cmd free "$m_id"

# From one page below the lowest region to one page above the highest.
lo=$r_addr hi=$((r_addr + 32768))
leaker_cmd report
for a in $(printf '%s\n' "$LEAKER_REPLY" | grep -o '"addr":"0x[0-9a-f]*","size":[0-9]*' | tr -d '"' | sed 's/addr:\(0x[0-9a-f]*\),size:\([0-9]*\)/\1:\2/'); do
	s=$((${a%:*})) e=$((${a%:*} + ${a#*:}))
	((s < lo)) && lo=$s
	((e > hi)) && hi=$e
done
((m_addr < lo)) && lo=$m_addr
((m_addr + 24576 > hi)) && hi=$((m_addr + 24576))
lo=$((lo - page)) hi=$((hi + page))
range=$(printf '%x-%x' "$lo" "$hi")

"$regiondump" -p "$pid" "$range" -w "$tmp/d" 2>"$tmp/err" || ms_fail "regiondump $range: $(cat "$tmp/err")"
[ "$(stat -c %s "$tmp/d")" = $((hi - lo)) ] || ms_error "dump is not the size of $range"
grep -qx '  "complete": true,' "$tmp/d.json" || ms_error "not complete"

# Expected holes: the gaps between the maps lines within the range.
prev=$lo
: > "$tmp/want"
while read -r r _; do
	s=$((0x${r%-*})) e=$((0x${r#*-}))
	((e <= lo || s >= hi)) && continue
	((s > prev)) && printf '0x%x 0x%x\n' "$prev" "$s" >> "$tmp/want"
	prev=$e
done < /proc/"$pid"/maps
((prev < hi)) && printf '0x%x 0x%x\n' "$prev" "$hi" >> "$tmp/want"
[ -s "$tmp/want" ] || ms_error "no hole in $range: the freed region was mapped again?"
grep '"status":"not mapped"' "$tmp/d.json" | sed 's/.*"start":"\(0x[0-9a-f]*\)","end":"\(0x[0-9a-f]*\)".*/\1 \2/' > "$tmp/got"
ms_compare "$tmp/want" "$tmp/got"
# The one-line warning names each hole.
while read -r s e; do
	grep -qx "regiondump: ${s#0x}-${e#0x}: not mapped; zero-filled, noted in the manifest" "$tmp/err" ||
		ms_fail "no warning for the hole $s-$e: $(cat "$tmp/err")"
done < "$tmp/want"

# The hole reads as zeros.
read -r s e < "$tmp/want"
[ "$(od -An -v -tx1 -j $((s - lo)) -N $((e - s)) "$tmp/d" | tr -d ' \n' | tr -d 0)" = "" ] ||
	ms_fail "hole $s-$e is not zero-filled"

# The PROT_NONE reservation is read through /proc/PID/mem, as zeros.
grep -q "{\"start\":\"$(printf 0x%x "$r_addr")\",\"end\":\"$(printf 0x%x $((r_addr + 32768 + page)))\".*\"status\":\"read\",\"method\":\"/proc/PID/mem\"" "$tmp/d.json" ||
	grep -q "{\"start\":\"$(printf 0x%x "$r_addr")\",.*\"status\":\"read\",\"method\":\"/proc/PID/mem\"" "$tmp/d.json" ||
	ms_fail "PROT_NONE region at $(printf 0x%x "$r_addr") not reported read by /proc/PID/mem"
grep -q "\"start\":\"$(printf 0x%x "$r_addr")\",\"end\":\"[^\"]*\",\"size\":32768,\"perms\":\"---p\"" "$tmp/d.json" ||
	ms_fail "manifest mappings lack the ---p reservation"

# Every byte is accounted for once.
sum=$(($(grep -o '"size":[0-9]*,"status"' "$tmp/d.json" | grep -o '[0-9]*' | paste -sd+)))
[ "$sum" = $((hi - lo)) ] || ms_error "sub-ranges add up to $sum, not $((hi - lo))"

# [vvar] cannot be read by any method: unreadable, zero-filled, still exit 0.
vvar=$(awk '$6 == "[vvar]" { print $1; exit }' /proc/"$pid"/maps)
if [ -n "$vvar" ]; then
	"$regiondump" -p "$pid" "$vvar" -w "$tmp/v" 2>"$tmp/err" || ms_fail "[vvar] dump failed: $(cat "$tmp/err")"
	grep -qx "regiondump: $vvar: unreadable; zero-filled, noted in the manifest" "$tmp/err" ||
		ms_fail "no unreadable warning for [vvar]: $(cat "$tmp/err")"
	grep -q '"status":"unreadable","method":"none"' "$tmp/v.json" || ms_error "[vvar] not unreadable in manifest"
fi
leaker_stop
exit 0
