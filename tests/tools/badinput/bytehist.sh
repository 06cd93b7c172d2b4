#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist's catalogue of bad inputs: each with its exact message and status.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
ms_tmpdir

# expect STATUS FIRST-STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect "$want" "$msg" "$bytehist" "$@"; }

# An empty input with patterns: nothing to scan (found by fuzz-hist: the
# pattern scanner used its window before it had one, UB under UBSan).
: > "$tmp/empty"
expect 0 "" -- -e deadbeef -E 'a+' -J "$tmp/empty"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["files"][0]; assert [p["count"] for p in j["patterns"]]==[0,0], j["patterns"]' "$tmp/out" ||
	ms_fail "empty input: patterns not counted as 0"

# --heap on bytes that are no heap: the chain breaks at the first chunk, no
# classes (found by fuzz-heapwalk: qsort() of a NULL table, UB under UBSan).
head -c 100 /dev/zero > "$tmp/zero100"
expect 0 "" -- --heap -s summary "$tmp/zero100"
grep -qx 'chain broken at 0x0: size 0x0 is below 32 or not a multiple of 16; chunks after it not counted' "$tmp/out" ||
	ms_fail "--heap on zeros: $(cat "$tmp/out")"
expect 1 "bytehist: $tmp/empty: --heap needs a non-empty regular file" -- --heap "$tmp/empty"

# Manifests that lie, beside an 8 KiB dump.  Each is refused with one line
# naming the manifest and what is wrong in it, exit 1.
head -c 8192 /dev/urandom > "$tmp/d"
lie()
{
	local msg=$1
	printf '%s\n' "$2" > "$tmp/d.json"
	expect 1 "bytehist: $tmp/d.json: $msg" -- -s summary "$tmp/d"
	# One clear line, then the rest of the analysis, by offset.
	sed -n 2p "$tmp/err" | grep -qx "bytehist: $tmp/d: analysed without its manifest: offsets, not addresses" ||
		ms_fail "a lying manifest: the second line is \"$(sed -n 2p "$tmp/err")\""
	grep -q "^$tmp/d: 8K (8192 bytes), 2 blocks of 4K" "$tmp/out" ||
		ms_fail "a lying manifest: no analysis of the bytes: $(cat "$tmp/out")"
}
lie "describes 4096 bytes but $tmp/d has 8192; is it the manifest of another dump?" \
	'{"start":"0x1000","length":4096}'
lie "describes 12288 bytes but $tmp/d has 8192; is it the manifest of another dump?" \
	'{"ranges":[{"start":"0x1000","length":8192},{"start":"0x4000","length":4096}]}'
lie "ranges 1 and 2 overlap (0x1000-0x2000 and 0x1800-0x2800); is this a regiondump manifest?" \
	'{"ranges":[{"start":"0x1000","length":4096},{"start":"0x1800","length":4096}]}'
lie "ranges 1 and 3 overlap (0x1000-0x2000 and 0x800-0x1800); is this a regiondump manifest?" \
	'{"ranges":[{"start":"0x1000","length":4096},{"start":"0x9000","length":0},{"start":"0x800","length":4096}]}'
lie "range 1, 0xfffffffffffff000 plus 8192 bytes, passes the end of the address space; is this a regiondump manifest?" \
	'{"ranges":[{"start":"0xfffffffffffff000","length":8192}]}'
lie "0xfffffffffffff000 plus 8192 bytes passes the end of the address space; is this a regiondump manifest?" \
	'{"start":"0xfffffffffffff000","length":8192}'
lie "offset 13: \"start\" is not a hex address; is this a regiondump manifest?" '{"start":"-1","length":8192}'
lie "offset 11: \"start\" is not an address; is this a regiondump manifest?" '{"start":-1,"length":8192}'
lie "offset 29: \"length\" is not a whole number; is this a regiondump manifest?" '{"start":"0x1000","length":-5}'
lie "offset 27: number too large for 64 bits; is this a regiondump manifest?" '{"start":"0x1000","length":18446744073709551616}'
# Two lengths whose sum wraps to the dump's size.
lie "offset 92: the ranges add up to more than 2^64 bytes; is this a regiondump manifest?" \
	'{"ranges":[{"start":"0x1000","length":18446744073709543424},{"start":"0x2000","length":16384}]}'
lie "offset 1: not a JSON object; is this a regiondump manifest?" ''
lie "offset 18: \",\" or \"}\" expected; is this a regiondump manifest?" '{"start":"0x1000"'
lie "offset 32: trailing data after the object; is this a regiondump manifest?" '{"start":"0x1000","length":8192}xx'
lie "offset 45: no \"start\" address; is this a regiondump manifest?" '{"ranges":[{"length":4096},{"length":4096}]}'
{ printf '{"a":'; head -c 70000 /dev/zero | tr '\0' '['; } > "$tmp/d.json"
expect 1 "bytehist: $tmp/d.json: offset 69: nested too deep; is this a regiondump manifest?" -- -s summary "$tmp/d"

# Ranges out of address order are the truth about a dump: kept in order.
printf '%s\n' '{"ranges":[{"start":"0x3000","length":4096},{"start":"0x1000","length":4096}]}' > "$tmp/d.json"
expect 0 "" -- -s summary "$tmp/d"
grep -q "^$tmp/d: 8K (8192 bytes), 2 blocks of 4K, 2 ranges from 0x3000 (from $tmp/d.json)$" "$tmp/out" ||
	ms_fail "ranges out of order: $(head -n 1 "$tmp/out")"
exit 0
