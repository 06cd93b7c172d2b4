#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the leaker wrote is in the dump at the addresses it reports: malloc'd
# blocks in the heap (--mapping), an mmap region (--anon), through -o -, -z
# and --resident-only; the manifest's facts are the process's.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 8 3000 0x5c
leaker_cmd report
blocks=$(printf '%s\n' "$LEAKER_REPLY" | grep -o '"addrs":\[[^]]*\]' | grep -o '0x[0-9a-f]*')
first=$(printf '%s\n' "$blocks" | head -n 1)
leaker_cmd mmap 256K 0x7e
maddr=$(leaker_field addr)

# mapping_of ADDR: the line of /proc/PID/maps holding ADDR, as START-END.
mapping_of()
{
	local a=$(($1)) r

	while read -r r _; do
		if ((0x${r%-*} <= a && a < 0x${r#*-})); then echo "$r"; return; fi
	done < /proc/"$pid"/maps
}

# byte_at FILE OFFSET: the byte as two hex digits.
byte_at() { od -An -tx1 -j "$2" -N 1 "$1" | tr -d ' \n'; }

# --mapping: the whole heap mapping holding the first block.
"$regiondump" -p "$pid" --mapping "$first" -w "$tmp/heap" 2>"$tmp/err" || ms_fail "--mapping $first: $(cat "$tmp/err")"
line=$(mapping_of "$first")
[ -n "$line" ] || ms_fail "no mapping holds $first"
hstart=$((0x${line%-*}))
[ "$(stat -c %s "$tmp/heap")" = $((0x${line#*-} - hstart)) ] || ms_error "--mapping dump is not the size of $line"
for b in $blocks; do
	off=$((b - hstart))
	for o in 0 1499 2999; do
		[ "$(byte_at "$tmp/heap" $((off + o)))" = 5c ] || ms_error "block $b+$o: not 0x5c in the dump"
	done
done
grep -q "\"start\":\"0x${line%-*}\",\"end\":\"0x${line#*-}\".*\"name\":\"\[heap\]\"" "$tmp/heap.json" ||
	ms_fail "manifest does not list the heap mapping $line"

# --anon to stdout: the mmap region is in there, at the offset the manifest gives.
"$regiondump" -p "$pid" --anon -w - > "$tmp/anon" 2>"$tmp/err" || ms_fail "--anon -w -: $(cat "$tmp/err")"
[ ! -e "$tmp/anon.json" ] || ms_error "a manifest beside stdout"
"$regiondump" -p "$pid" --anon -w "$tmp/anon2" 2>"$tmp/err" || ms_fail "--anon: $(cat "$tmp/err")"
cmp "$tmp/anon" "$tmp/anon2" || ms_error "--anon to stdout and to a file differ"
moff=$(grep -o "{\"start\":\"$maddr\",[^}]*\"file_offset\":[0-9]*" "$tmp/anon2.json" | grep -o '[0-9]*$')
[ -n "$moff" ] || ms_fail "manifest has no range at $maddr"
[ "$(byte_at "$tmp/anon" "$moff")" = 7e ] || ms_error "mmap region not at file offset $moff"
[ "$(byte_at "$tmp/anon" $((moff + 262143)))" = 7e ] || ms_error "mmap region ends early"

# The manifest names the process and the time of the dump.
m=$tmp/anon2.json
grep -qx "  \"pid\": $pid," "$m" || ms_error "manifest pid"
grep -qx '  "comm": "leaker",' "$m" || ms_error "manifest comm"
grep -qx "  \"exe\": \"$(readlink /proc/"$pid"/exe)\"," "$m" || ms_error "manifest exe"
grep -q '^  "time": "[0-9-]*T[0-9:.]*Z",$' "$m" || ms_error "manifest time"
grep -qx '  "target_stopped": false,' "$m" || ms_error "manifest target_stopped"
grep -qx '  "complete": true,' "$m" || ms_error "manifest complete"
# Every line of /proc/PID/maps is in "maps".
[ "$(grep -c '^    {"start":.*"name":' "$m")" -ge "$(wc -l < /proc/"$pid"/maps)" ] || ms_error "maps incomplete"
# The exe's build-id is the one in the file.
want=$(LC_ALL=C readelf -n "$(readlink /proc/"$pid"/exe)" 2>/dev/null | awk '/Build ID/ { print $3 }')
[ -z "$want" ] || grep -qx "  \"exe_build_id\": \"$want\"" "$m" || ms_error "exe build-id is not $want"

# -z: zstd decompresses to the same bytes.
"$regiondump" -p "$pid" -z "$maddr" 256K -w "$tmp/z.zst" 2>"$tmp/err" || ms_fail "-z: $(cat "$tmp/err")"
if command -v zstd >/dev/null; then
	zstd -q -d -c "$tmp/z.zst" > "$tmp/z" || ms_fail "zstd cannot read the -z output"
	"$regiondump" -p "$pid" "$maddr" 256K -w "$tmp/plain" 2>/dev/null || ms_fail "plain dump"
	cmp "$tmp/z" "$tmp/plain" || ms_error "-z output decompresses to other bytes"
fi
[ "$(stat -c %s "$tmp/z.zst")" -lt 10000 ] || ms_error "-z output of a filled region is not small"
grep -qx '  "compression": "zstd",' "$tmp/z.zst.json" || ms_error "manifest compression"

# --resident-only: a reserved region that was never touched is all skipped,
# the committed part of it read.
leaker_cmd reserve 64K
raddr=$(leaker_field addr)
id=$(leaker_field id)
leaker_cmd commit "$id" 16K 0x11
"$regiondump" -p "$pid" --resident-only "$raddr" 64K -w "$tmp/res" 2>"$tmp/err" || ms_fail "--resident-only: $(cat "$tmp/err")"
grep -q "{\"start\":\"$raddr\",\"end\":\"0x[0-9a-f]*\",\"size\":16384,\"status\":\"read\"" "$tmp/res.json" ||
	ms_fail "committed 16K not read"
grep -q '"size":49152,"status":"not resident","method":"none"' "$tmp/res.json" ||
	ms_fail "untouched 48K not reported not resident"
[ "$(byte_at "$tmp/res" 0)" = 11 ] && [ "$(byte_at "$tmp/res" 20000)" = 00 ] || ms_error "--resident-only content"

leaker_stop
exit 0
