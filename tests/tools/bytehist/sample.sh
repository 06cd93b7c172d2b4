#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Once the word and string tables are full they sample (--sample, default
# 1 block in 8), and their counts become estimates that say so.  On 48 MiB
# of pointer-rich blocks (millions of distinct words, each block with a
# record's header word every 64 bytes, a request line, and a string that
# runs over into the next block), with the truth counted by Python:
# - the report and the JSON say both tables sampled, and from where;
# - the header word's and the request line's counts are within 10% of the
#   truth (the words table reads some 1,300 blocks once full: the
#   sampling's standard error is 2.6%);
# - the zero words, one byte over, are counted in every block: within 0.1%
#   (what the full table's Misra-Gries rule takes), never above;
# - the shape sess-# counts every session id, those the full table gave way
#   to too: exactly with --sample 1, within 10% sampled;
# - every string reported is a whole string of the input: none is the tail
#   of one that began in a block the table did not read;
# - -j 2 and -j 4 (the strings on a thread of their own) give the very
#   tables of -j 1;
# - --sample 1 reads every block: no table samples, and the full word table's
#   count is a lower bound.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

python3 - "$tmp/ptrs.bin" "$tmp/truth.json" <<'PY'
import json, random, re, struct, sys
rnd = random.Random(17)
HDR = 0x00007f3a1c2b0041
nblocks = 12288
out = bytearray()
for b in range(nblocks):
    blk = bytearray(4096)
    # The tail of the string begun at the end of the block before.
    if b:
        blk[0:30] = b"%030d" % b
    req = b"GET /api/v1/heavy HTTP/1.1"
    blk[64:64 + len(req)] = req
    # Session ids that differ, enough to fill the string table.
    for k in range(12):
        blk[96 + 16 * k:96 + 16 * k + 13] = b"sess-%08x" % rnd.getrandbits(32)
    words = struct.unpack("<%dQ" % ((4056 - 288) // 8), rnd.randbytes(4056 - 288))
    w = []
    for k, v in enumerate(words):
        if k % 8 == 0:
            w.append(HDR)
        elif k % 3 == 0:
            w.append(0)
        else:
            w.append(0x7f0000000000 | (v & 0xfffffffff8))
    blk[288:4056] = struct.pack("<%dQ" % len(w), *w)
    # A string to the end of the block, going on in the next one.
    if b + 1 < nblocks:
        blk[4056:4096] = b"cross-%06d-" % b + b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"[:27]
    out += blk
open(sys.argv[1], "wb").write(out)

words = struct.unpack("<%dQ" % (len(out) // 8), out)
strings, strings_all = set(), []
for m in re.finditer(rb"[\x20-\x7e\t]{6,}", out):
    t = m.group()
    if t != t[:1] * len(t):
        strings.add(t.decode())
        strings_all.append(t.decode())
# Session ids of the shape sess-#: hex with a digit among them (all letters is a word).
sess = sum(1 for t in strings_all if re.fullmatch(r"sess-[0-9a-f]*[0-9][0-9a-f]*", t))
json.dump({"hdr": "0x%x" % HDR, "hdr_count": words.count(HDR), "zero": words.count(0),
           "req": out.count(req + b"\0"), "strings": sorted(strings), "sess": sess},
          open(sys.argv[2], "w"))
PY

"$bin/bytehist" -j 1 --no-magic "$tmp/ptrs.bin" > "$tmp/text" || ms_fail "bytehist -j 1"
for t in strings words; do
	grep -Eq "^sampled: $t, full at 0x[0-9a-f]+, then read in 1 block of 8, each found counted 8 times: estimates$" \
		"$tmp/text" || ms_error "the summary does not say the $t table sampled: $(head -8 "$tmp/text")"
done
grep -q 'most frequent first (table full, then sampled: counts are estimates)' "$tmp/text" ||
	ms_error "the words table's heading does not say its counts are estimates"
grep -q '^strings by shape.*, counted whole; DISTINCT as strings entered the full table):$' "$tmp/text" ||
	ms_error "the shapes' heading does not say how they are counted"

# Shapes count every string found, those the full table gave way to too:
# exactly with every block read, an estimate when sampling.
shape_count()	# ARGS...: the count of the shape sess-#
{
	"$bin/bytehist" -j 1 --no-magic -s strings -r -t 1000 "$@" "$tmp/ptrs.bin" |
		awk '$4 == "sess-#" { print $1 }'
}
want=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sess"])' "$tmp/truth.json")
got=$(shape_count --sample 1)
[ "$got" = "$want" ] || ms_error "--sample 1: sess-# counted $got times, $want in the file"
got=$(shape_count)
[ -n "$got" ] && [ $((got * 10)) -ge $((want * 9)) ] && [ $((got * 10)) -le $((want * 11)) ] ||
	ms_error "sampled: sess-# counted ${got:-no} times, $want in the file (10% allowed)"

"$bin/bytehist" -j 1 -J --no-magic "$tmp/ptrs.bin" > "$tmp/j1.json" || ms_fail "bytehist -j 1 -J"
for j in 2 4; do
	"$bin/bytehist" -j $j -J --no-magic "$tmp/ptrs.bin" > "$tmp/j$j.json" || ms_fail "bytehist -j $j -J"
	cmp -s "$tmp/j1.json" "$tmp/j$j.json" ||
		ms_error "-j $j differs from -j 1: $(diff "$tmp/j1.json" "$tmp/j$j.json" | head -c 600)"
done

python3 - "$tmp/j1.json" "$tmp/truth.json" <<'PY' || ms_error "sampled tables wrong (above)"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
t = json.load(open(sys.argv[2]))
bad = []
s = f["sampled"]
for k in ("words", "strings"):
    if k not in s or s[k]["one_in"] != 8 or int(s[k]["from"], 16) <= 0:
        bad.append("sampled.%s: %r" % (k, s.get(k)))
    elif int(s[k]["from"], 16) % 4096:
        bad.append("sampled.%s.from %s: not a block's start" % (k, s[k]["from"]))
words = {w["value"]: w["count"] for w in f["words"]}
hdr = words.get(t["hdr"], 0)
if abs(hdr - t["hdr_count"]) > t["hdr_count"] / 10:
    bad.append("header word %s: %d counted, %d in the file" % (t["hdr"], hdr, t["hdr_count"]))
# Counted in every block, less what the full table's Misra-Gries rule takes.
if not t["zero"] * 0.999 <= words.get("0x0", 0) <= t["zero"]:
    bad.append("zero words: %r counted, %d in the file (they are counted in every block)"
               % (words.get("0x0"), t["zero"]))
req = [x["count"] for x in f["strings"] if x["text"] == "GET /api/v1/heavy HTTP/1.1"]
if not req or abs(req[0] - t["req"]) > t["req"] / 10:
    bad.append("request line: %r counted, %d in the file" % (req, t["req"]))
whole = set(t["strings"])
tails = [x["text"] for x in f["strings"] if x["encoding"] == "ascii" and x["text"] not in whole]
if tails:
    bad.append("%d strings are not whole strings of the input, e.g. %r" % (len(tails), tails[:3]))
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

"$bin/bytehist" -j 1 -J --no-magic --sample 1 "$tmp/ptrs.bin" > "$tmp/s1.json" ||
	ms_fail "bytehist --sample 1"
python3 - "$tmp/s1.json" "$tmp/truth.json" <<'PY' || ms_error "--sample 1 wrong (above)"
import json, sys
f = json.load(open(sys.argv[1]))["files"][0]
t = json.load(open(sys.argv[2]))
bad = []
if f["sampled"] != {}:
    bad.append("--sample 1 sampled: %r" % f["sampled"])
if not f["approximate"]["words"]:
    bad.append("the word table was not full: this input does not test what it should")
hdr = {w["value"]: w["count"] for w in f["words"]}.get(t["hdr"], 0)
if not 0 < hdr <= t["hdr_count"]:
    bad.append("header word: %d counted, %d in the file: not a lower bound" % (hdr, t["hdr_count"]))
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
exit 0
