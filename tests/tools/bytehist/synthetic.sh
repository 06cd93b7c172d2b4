#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist on a dump the test writes itself: every count in the JSON must be
# what python3 counts in the same bytes, and the human report must show it.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
ms_tmpdir

# 64 KiB zeros, 32 KiB of 'T', 300 records of 1000 bytes (960 x 0xa5 and a
# 39-character string with its NUL), dots up to a block boundary, 16 KiB random, 8 KiB of UTF-16LE text, 1 byte.
python3 - "$tmp/dump" <<'PY' || ms_fail "python3 could not write the dump"
import random, sys
random.seed(7)
d = bytearray(65536) + b'T' * 32768
for i in range(300):
    d += b'\xa5' * 960 + b'record-payload-%04d-abcdefghijklmnopqrs\0' % (i % 3)
d += b'.' * (-len(d) % 4096)
d += bytes(random.getrandbits(8) for _ in range(16384))
d += ('wide string\0'.encode('utf-16le') * 400)[:8192]
d += b'\xff'
open(sys.argv[1], 'wb').write(d)
PY

"$bytehist" -J "$tmp/dump" > "$tmp/json" || ms_fail "bytehist -J failed"
python3 - "$tmp/dump" "$tmp/json" <<'PY' || ms_fail "JSON does not match the dump"
import collections, json, sys
d = open(sys.argv[1], 'rb').read()
j = json.load(open(sys.argv[2]))["files"][0]
def check(cond, what):
    if not cond:
        print("mismatch:", what, file=sys.stderr)
        sys.exit(1)
check(j["size"] == len(d), "size %d" % j["size"])
c = collections.Counter(d)
check(j["bytes"] == [c.get(i, 0) for i in range(256)], "byte counts")
check(j["zero_pages"] == 16, "zero pages %d" % j["zero_pages"])
runs = {(r["byte"], r["length"]): r for r in j["runs"]}
check(runs[(0, 65536)]["count"] == 1 and runs[(0, 65536)]["first"] == "0x0", "zero run")
check(runs[(ord('T'), 32768)]["count"] == 1, "'T' run")
check(runs[(0xa5, 960)]["count"] == 300, "0xa5 runs: %r" % runs.get((0xa5, 960)))
check(runs[(0xa5, 960)]["first"] == hex(98304), "first 0xa5 run")
strs = {(s["text"], s["encoding"]): s for s in j["strings"]}
for k in range(3):
    s = strs["record-payload-%04d-abcdefghijklmnopqrs" % k, "ascii"]
    check(s["count"] == 100 and s["bytes"] == 3900, "record string %d: %r" % (k, s))
    check(s["first"] == hex(98304 + 960 + 1000 * k), "record string %d first" % k)
w = strs["wide string", "utf16le"]
check(w["count"] == 341 and w["bytes"] == 341 * 22, "utf16 string: %r" % w)
b = j["blocks"]
# fill: 8 of 'T', 73 of the records (96% 0xa5), the last byte alone.
check(b["zero"]["blocks"] == 16 and b["fill"]["blocks"] == 82, "zero and fill blocks")
check(j["regions"][2] == {"start": hex(98304), "length": 73 * 4096, "class": "fill", "fill": 0xa5}, "records region %r" % j["regions"][2])
check(j["regions"][3]["class"] == "binary", "records and dots: binary")
check(b["random"]["blocks"] == 4, "random blocks %r" % b["random"])
check(b["utf16"]["blocks"] == 2, "utf16 blocks %r" % b["utf16"])
check(sum(v["bytes"] for v in b.values()) == len(d), "class bytes add up")
check(j["regions"][1] == {"start": hex(65536), "length": 32768, "class": "fill", "fill": 84}, "fill region %r" % j["regions"][1])
PY

# The human report: one screen, the 'T' run and the top string.
"$bytehist" "$tmp/dump" > "$tmp/out" || ms_fail "bytehist failed"
[ "$(wc -l < "$tmp/out")" -le 80 ] || ms_error "report longer than 80 lines"
grep -Eq "^0x54 'T' +32768 +1 +32K +0x10000$" "$tmp/out" || ms_error "no 'T' run line: $(grep -A4 '^runs' "$tmp/out")"
grep -Eq "^ +100 +3.8K +39 +0x18[0-9a-f]+ +record-payload-000[0-2]-abcdefghijklmnopqrs$" "$tmp/out" ||
	ms_fail "no record string line: $(grep -A4 '^strings' "$tmp/out")"
grep -q "^entropy [0-9.]* bits/byte; 16 of 104 pages zero (15.4%)$" "$tmp/out" || ms_error "summary: $(sed -n 2p "$tmp/out")"

# Sections select; -b shows bytes; raw has no padding.
"$bytehist" -s runs -r -b --noheadings -t 3 "$tmp/dump" > "$tmp/runs"
printf '%s\n' "" "runs of 16 bytes or more, by total bytes (4 kinds):" "0xa5 960 300 288000 0x18000" \
	"0x00 65536 1 65536 0x0" "0x54\\x20'T' 32768 1 32768 0x10000" > "$tmp/want"
ms_compare "$tmp/want" "$tmp/runs"

# The same bytes through a pipe in odd pieces: the same analysis.
python3 -c 'import sys,time
d=open(sys.argv[1],"rb").read()
for i in range(0,len(d),777): sys.stdout.buffer.write(d[i:i+777]); sys.stdout.flush()' "$tmp/dump" |
	"$bytehist" -J > "$tmp/json2" || ms_fail "bytehist on a pipe failed"
sed 1,2d "$tmp/json" > "$tmp/a"; sed 1,2d "$tmp/json2" > "$tmp/b"
ms_compare "$tmp/a" "$tmp/b"

# UTF-16 strings among (character, 0) pairs that are no string: small
# integers of records, at every place in the 64-byte windows the scan
# passes over, some next to a string (they are then part of it) and some
# strings going on into the next window or block.  Counted here as maximal
# runs of such pairs at even offsets.
python3 - "$tmp/wide" "$tmp/wide.want" <<'PY' || ms_fail "python3 could not write the UTF-16 dump"
import collections, json, random, struct, sys
random.seed(3)
vocab = ["wide", "widening", "C:\\Windows\\System32", "Config\tvalue", "x%d" % 7, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"]
d = bytearray()
while len(d) < 1 << 20:
    r = random.random()
    if r < 0.2:
        d += random.choice(vocab).encode('utf-16le')
    elif r < 0.7:
        d += struct.pack('<I', random.choice([random.randint(0x20, 0x7e), random.randint(0x80, 0xffff), 0x7e7e0041]))
    else:
        d += struct.pack('<H', random.randint(1, 0xffff)) * random.randint(1, 3)
d += b'\0' * (-len(d) % 4096)
ok = lambda c: 0x20 <= c < 0x7f or c == 9
runs, i = collections.Counter(), 0
while i < len(d):
    j = i
    while j < len(d) and ok(d[j]) and d[j + 1] == 0:
        j += 2
    t = d[i:j:2].decode()
    if len(t) >= 6 and len(set(t)) > 1:
        runs[t] += 1
    i = j + 2 if j > i else i + 2
open(sys.argv[1], 'wb').write(d)
json.dump(runs, open(sys.argv[2], 'w'))
PY
for j in 1 2; do
	"$bytehist" -J -j $j -s strings "$tmp/wide" > "$tmp/widejson" || ms_fail "bytehist on the UTF-16 dump failed"
	python3 - "$tmp/widejson" "$tmp/wide.want" <<'PY' || ms_fail "UTF-16 strings (-j $j) are not the dump's"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
want = json.load(open(sys.argv[2]))
got = {s["text"]: s["count"] for s in j["strings"] if s["encoding"] == "utf16le"}
assert len(want) > 50 and sum(want.values()) > 5000, (len(want), sum(want.values()))
assert got == want, sorted(set(got.items()) ^ set(want.items()))[:6]
PY
done

# Strings longer than a 64-byte window, each beginning one: --min-length
# 200 must count them, whole windows of text with none open before.
python3 - "$tmp/long" <<'PY' || ms_fail "python3 could not write the long-text dump"
import sys
line = b'The quick brown fox jumps over the lazy dog; ' * 6
d = bytearray()
for i in range(50):
    d += b'\x01' * (-len(d) % 64) + line + b'\x01'
open(sys.argv[1], 'wb').write(bytes(d))
PY
"$bytehist" -J --min-length 200 -s strings "$tmp/long" > "$tmp/longjson" || ms_fail "bytehist --min-length 200 failed"
python3 - "$tmp/longjson" <<'PY' || ms_fail "the 270-character strings are not counted 50 times"
import json, sys
s = json.load(open(sys.argv[1]))["files"][0]["strings"]
assert [(x["count"], x["bytes"], x["truncated"]) for x in s] == [(50, 50 * 270, True)], s
PY

# Blocks of 1M: a byte at one place in every word of a block is counted
# 131,072 times there (more than a 16-bit counter holds), and exactly.
python3 - "$tmp/big" <<'PY' || ms_fail "python3 could not write the big dump"
import random, struct, sys
random.seed(11)
d = b''.join(struct.pack('<Q', 0x55d2ef000000 + random.getrandbits(24) * 16) for _ in range(3 * 131072))
open(sys.argv[1], 'wb').write(d + b'tail')
PY
"$bytehist" -J -B 1M "$tmp/big" > "$tmp/bigjson" || ms_fail "bytehist -B 1M failed"
python3 - "$tmp/big" "$tmp/bigjson" <<'PY' || ms_fail "byte counts of 1M blocks do not match the dump"
import collections, json, sys
d = open(sys.argv[1], 'rb').read()
j = json.load(open(sys.argv[2]))["files"][0]
c = collections.Counter(d)
assert c[0] > 3 * 131072, c[0]
assert j["bytes"] == [c.get(i, 0) for i in range(256)], [(i, j["bytes"][i], c.get(i, 0)) for i in range(256) if j["bytes"][i] != c.get(i, 0)][:5]
PY
exit 0
