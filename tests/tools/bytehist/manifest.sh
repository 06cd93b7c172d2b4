#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# FILE.json beside a dump turns offsets into addresses; a manifest that
# does not match its dump, or is not JSON, is a clear error, and the bytes
# are then analysed by offset.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
ms_tmpdir

# 8 KiB: 4 KiB of zeros, then "pointer" words and one string at 0x1100.
python3 - "$tmp/d" <<'PY'
import struct, sys
d = bytearray(8192)
for i in range(0x1000, 0x1100, 8):
    d[i:i + 8] = struct.pack('<Q', 0x7f0000001000)
d[0x1100:0x1110] = b'manifest-string\0'
open(sys.argv[1], 'wb').write(d)
PY

# No manifest: offsets.
"$bytehist" -J "$tmp/d" | python3 -c 'import json,sys; j=json.load(sys.stdin)["files"][0]
s=[x for x in j["strings"] if x["text"]=="manifest-string"][0]
assert j["base"] is None and s["first"]=="0x1100", (j["base"], s)' || ms_fail "no manifest: offsets wrong"

# Top-level start and length: addresses.
printf '{"pid": 4242, "start": "0x7f0000000000", "length": 8192}\n' > "$tmp/d.json"
"$bytehist" -J "$tmp/d" | python3 -c 'import json,sys; j=json.load(sys.stdin)["files"][0]
s=[x for x in j["strings"] if x["text"]=="manifest-string"][0]
assert j["base"]=="0x7f0000000000" and s["first"]=="0x7f0000001100", (j["base"], s)
assert j["regions"][0]["start"]=="0x7f0000000000"' || ms_fail "manifest: addresses wrong"
"$bytehist" -s summary,words "$tmp/d" > "$tmp/out"
grep -q "^$tmp/d: 8K (8192 bytes), 2 blocks of 4K, at 0x7f0000000000-0x7f0000002000 (from $tmp/d.json)$" "$tmp/out" ||
	ms_fail "summary: $(head -n 1 "$tmp/out")"
grep -Eq "^0x7f0000001000 +32 +3.12 +0x7f0000001000 +points into this dump \(\+0x1000\)$" "$tmp/out" ||
	ms_fail "words: $(grep -A3 '^words' "$tmp/out")"

# The ranges form.
printf '{"ranges": [{"start": "0x500000000000", "length": 4096}, {"start": "0x500000002000", "length": 4096}]}' > "$tmp/d.json"
"$bytehist" -J "$tmp/d" | python3 -c 'import json,sys; j=json.load(sys.stdin)["files"][0]; assert j["base"]=="0x500000000000"' ||
	ms_fail "ranges: base wrong"

# A manifest of another size: one line says so, the bytes are analysed by
# offset all the same, exit 1.
printf '{"start": "0x7f0000000000", "length": 1048576}' > "$tmp/d.json"
rc=0; "$bytehist" "$tmp/d" > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "size mismatch: exit $rc"
[ "$(head -n 1 "$tmp/err")" = "bytehist: $tmp/d.json: describes 1048576 bytes but $tmp/d has 8192; is it the manifest of another dump?" ] ||
	ms_fail "size mismatch: said $(cat "$tmp/err")"
grep -q "^$tmp/d: 8K (8192 bytes)" "$tmp/out" || ms_error "size mismatch: the bytes were not analysed"
grep -q "0x7f0000000000" "$tmp/out" && ms_fail "size mismatch: the lying manifest's addresses were used"

# Not JSON, and JSON without a start.
printf 'start=0x1000\n' > "$tmp/d.json"
rc=0; "$bytehist" "$tmp/d" > /dev/null 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] && [ "$(head -n 1 "$tmp/err")" = "bytehist: $tmp/d.json: offset 0: not a JSON object; is this a regiondump manifest?" ] ||
	ms_fail "not JSON: exit $rc, $(cat "$tmp/err")"
printf '{"pid": 1, "length": 8192}' > "$tmp/d.json"
rc=0; "$bytehist" "$tmp/d" > /dev/null 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q 'no "start" address' "$tmp/err" || ms_error "no start: exit $rc, $(cat "$tmp/err")"
exit 0
