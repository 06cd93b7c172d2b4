#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --redact: the leaker maps a file holding known secrets (one across the
# 4 MiB line where memread's reads meet); after --redact they are gone,
# every other byte equals an unredacted dump's, sizes and offsets too, in
# raw, -z, --format core, stdout and multi-range (--anon) output.  The
# manifest counts what was replaced and never holds a pattern.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

# Words, and four secrets at known offsets; VALUE offsets and lengths in spans.
python3 - "$tmp/mem" > "$tmp/spans" <<'PY'
import sys
words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do ".split()
buf = bytearray()
i = 0
while len(buf) < 6 << 20:
    buf += words[(i * 7) % len(words)] + b" "
    i += 1
del buf[6 << 20:]
def put(off, text, value):
    buf[off:off + len(text)] = text
    print(off + text.index(value), len(value))
put(1000, b"password=hunter2-SECRET-1 ", b"hunter2-SECRET-1")
key = b"MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nKUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm\n"
put(2 << 20, b"-----BEGIN RSA PRIVATE KEY-----\n" + key + b"-----END RSA PRIVATE KEY-----\n", b"\n" + key)
# Across the 4 MiB read boundary (lib/memread.c reads 4 MiB batches).
put((4 << 20) - 40, b"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.SECRETTOKEN ", b"eyJhbGciOiJIUzI1NiJ9.SECRETTOKEN")
put(5 << 20, b" CANARY-0123456789abcdef ", b"CANARY-0123456789abcdef")
open(sys.argv[1], "wb").write(buf)
PY
[ "$(wc -l < "$tmp/spans")" = 4 ] || ms_error "no spans written"
awk '$1 < 4194304 && $1 + $2 > 4194304 { found = 1 } END { exit !found }' "$tmp/spans" ||
	ms_fail "no secret straddles the 4 MiB boundary: $(cat "$tmp/spans")"
secret_bytes=$(awk '{ n += $2 } END { print n }' "$tmp/spans")

leaker_start
pid=$LEAKER_PID
leaker_cmd mapfile "$tmp/mem"
addr=$(leaker_field addr)
redact=(--redact-set all --redact 'CANARY-[0-9a-f]{16}')

# check_redacted PLAIN REDACTED BASE: the same size; they differ exactly
# at the secrets' bytes (BASE: where the region starts in the files), all '*'.
check_redacted()
{
	local plain=$1 red=$2 base=$3 want

	[ "$(stat -c %s "$plain")" = "$(stat -c %s "$red")" ] ||
		ms_fail "$red: $(stat -c %s "$red") bytes, unredacted $(stat -c %s "$plain")"
	awk -v b="$base" '{ for (i = 0; i < $2; i++) print b + $1 + i + 1, 52 }' "$tmp/spans" > "$tmp/want"
	cmp -l "$plain" "$red" | awk '{ print $1, $3 }' > "$tmp/got"
	diff -u "$tmp/want" "$tmp/got" > "$tmp/diff" ||
		ms_fail "$red: other bytes changed than the secrets' ($(grep -c '^[-+][0-9]' "$tmp/diff") lines differ)"
	for want in hunter2 SECRET CANARY MIIBOgIBAAJBAKj34; do
		! grep -q "$want" "$red" || ms_error "$red: \"$want\" still there"
	done
}

"$regiondump" -p "$pid" --mapping "$addr" -w "$tmp/plain" 2>/dev/null || ms_fail "regiondump: exit $?"
grep -q SECRETTOKEN "$tmp/plain" || ms_error "the unredacted dump lacks the secrets: the test proves nothing"
"$regiondump" -p "$pid" --mapping "$addr" "${redact[@]}" -w "$tmp/red" 2>"$tmp/err" ||
	ms_fail "--redact: $(cat "$tmp/err")"
check_redacted "$tmp/plain" "$tmp/red" 0

# The manifest: applied, 4 matches, every byte counted; the checksum is the file's.
m=$tmp/red.json
grep -qx '  "redaction": {"applied":true,"patterns":4,"matches":4,"bytes":'"$secret_bytes"',"fill":"0x2a"},' "$m" ||
	ms_fail "manifest: $(grep redaction "$m")"
grep -q '"redaction": {"applied":false}' "$tmp/plain.json" || ms_error "unredacted manifest: $(grep redaction "$tmp/plain.json")"
! grep -q -e CANARY -e '0-9a-f' -e secret "$m" || ms_error "the manifest holds a pattern"
[ "$(grep -c '"bytes": {"requested":6291456,"read":6291456' "$m")" = 1 ] || ms_error "manifest sizes: $(grep '"bytes"' "$m")"

# -z, stdout, --redact-file, --format core: the same bytes.
"$regiondump" -p "$pid" --mapping "$addr" "${redact[@]}" -z -w "$tmp/red.zst" 2>/dev/null || ms_fail "-z: exit $?"
zstd -q -d -c "$tmp/red.zst" | cmp - "$tmp/red" || ms_fail "-z --redact differs from raw --redact"
"$regiondump" -p "$pid" --mapping "$addr" "${redact[@]}" -w - 2>/dev/null | cmp - "$tmp/red" ||
	ms_fail "-o - --redact differs"
printf '# secrets for regiondump\n\nCANARY-[0-9a-f]{16}\n' > "$tmp/patterns"
"$regiondump" -p "$pid" --mapping "$addr" --redact-set all --redact-file "$tmp/patterns" -w "$tmp/file" \
	2>/dev/null || ms_fail "--redact-file: exit $?"
cmp "$tmp/file" "$tmp/red" || ms_error "--redact-file differs from --redact"
"$regiondump" -p "$pid" --mapping "$addr" --format core -w "$tmp/plain.core" 2>/dev/null || ms_fail "core: exit $?"
"$regiondump" -p "$pid" --mapping "$addr" --format core "${redact[@]}" -w "$tmp/red.core" 2>/dev/null ||
	ms_fail "core --redact: exit $?"
off=$(grep -o '"file_offset":[0-9]*' "$tmp/red.core.json" | cut -d: -f2)
check_redacted "$tmp/plain.core" "$tmp/red.core" "$off"

# Several ranges (--anon): each 'T' of the leaker's blocks replaced, nothing else.
leaker_cmd malloc 4 3000 T
"$regiondump" -p "$pid" --anon -w "$tmp/anon" 2>/dev/null || ms_fail "--anon: exit $?"
"$regiondump" -p "$pid" --anon --redact 'T+' -w "$tmp/anon.red" 2>/dev/null || ms_fail "--anon --redact: exit $?"
[ "$(grep -c '"file_offset"' "$tmp/anon.red.json")" -gt 1 ] || ms_error "--anon gave one range: not a multi-range test"
[ "$(stat -c %s "$tmp/anon")" = "$(stat -c %s "$tmp/anon.red")" ] || ms_error "--anon --redact: size changed"
ts=$(tr -cd T < "$tmp/anon" | wc -c)
[ "$ts" -ge 12000 ] || ms_error "only $ts bytes 'T' in the --anon dump"
[ "$(tr -cd T < "$tmp/anon.red" | wc -c)" = 0 ] || ms_error "--anon --redact: a 'T' left"
# The stack of a leaker that has just replied moves on under the first dump
# (it returns to read()): its bytes may differ between the two dumps for
# that reason alone, so only the other ranges are compared byte for byte.
stack=$(python3 -c '
import json, sys
m, off = json.load(open(sys.argv[1])), 0
names = {x["start"]: x["name"] for x in m["mappings"]}
for r in m["subranges"]:
    if names.get(r["start"]) == "[stack]":
        print(off + 1, off + r["size"])
    off += r["size"]' "$tmp/anon.red.json")
! cmp -l "$tmp/anon" "$tmp/anon.red" | awk -v s="${stack:-0 0}" 'BEGIN { split(s, r, " ") }
	($1 < r[1] || $1 > r[2]) && ($2 != 124 || $3 != 52)' | grep -q . ||
	ms_fail "--anon --redact changed other bytes than 'T'"
grep -q "\"bytes\":$ts," "$tmp/anon.red.json" || ms_error "--anon manifest: $(grep redaction "$tmp/anon.red.json"), want $ts bytes"

# Bad patterns: one line naming the pattern's place, never its text; no file.
expect_err()
{
	local msg=$1 rc=0
	shift
	"$regiondump" -p "$pid" --mapping "$addr" -w "$tmp/bad" "$@" 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] || ms_error "$*: exit $rc, want 1"
	[ "$(cat "$tmp/err")" = "$msg" ] || ms_error "$*: said \"$(cat "$tmp/err")\", want \"$msg\""
	[ ! -e "$tmp/bad" ] && [ ! -e "$tmp/bad.json" ] || ms_error "$*: left an output file"
}
expect_err "regiondump: --redact pattern 2: bad regex at offset 8: missing closing parenthesis" \
	--redact ok --redact 'hunter2('
expect_err "regiondump: --redact pattern 1: bad regex at offset 0: quantifier does not follow a repeatable item" \
	--redact '*secret'
printf 'good\n# a comment\n\n[hunter2\n' > "$tmp/badfile"
expect_err "regiondump: $tmp/badfile:4: bad regex at offset 8: missing terminating ] for character class" \
	--redact-file "$tmp/badfile"
printf '# only a comment\n\n' > "$tmp/empty"
expect_err "regiondump: $tmp/empty: no pattern in the file; one regex a line" --redact-file "$tmp/empty"
expect_err "regiondump: $tmp/none: No such file or directory" --redact-file "$tmp/none"
expect_err "regiondump: --redact-set: unknown set \"keys\"; use private-key, password, bearer or all" \
	--redact-set keys
leaker_stop
exit 0
