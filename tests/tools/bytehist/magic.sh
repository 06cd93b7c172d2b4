#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libmagic names regions, but not regions of pointers: a pointer array whose
# first word is a libc address ending in 0x98 is an "OpenPGP Public Key" to
# file(1)'s weak rules (the truth that the misfire is real), and bytehist
# gives it no type; a gzip stream in the same dump keeps its own.
# libmagic is asked about the 64 largest regions, the first ones on ties,
# not the first 64: after 400 gzip regions of 8 KiB between pointer blocks
# comes one of 64 KiB, and it is named, with the first 63 of the others,
# gzip to file(1) too; the text map shows it with its type.  -j (the calls
# made while the workers end their tables) and a pipe give the same types
# as one thread.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
command -v file > /dev/null || ms_skip "no file(1) to show libmagic's answer (apt-get install file)"
command -v gzip > /dev/null || ms_skip "no gzip for the compressed region (apt-get install gzip)"

python3 - "$tmp/ptrs.bin" <<'PY'
import random, struct, sys
rnd = random.Random(5)
w = [0x00007f3a1c1e0f98]
for k in range(1, 2048):
    w.append(0x000055d2f0000000 | rnd.getrandbits(27) << 4 if k % 3 else rnd.randrange(1, 4096))
open(sys.argv[1], "wb").write(struct.pack("<%dQ" % len(w), *w))
PY
head -c 4096 "$tmp/ptrs.bin" | file -b - | grep -q "OpenPGP" ||
	ms_skip "this libmagic does not take the pointer block for OpenPGP ($(head -c 4096 "$tmp/ptrs.bin" | file -b -)): nothing to show"
head -c 300000 /dev/urandom | gzip -1 > "$tmp/z.gz"
# The gzip stream from a block's start, after the pointers.
cat "$tmp/ptrs.bin" "$tmp/z.gz" > "$tmp/dump.bin"

"$bin/bytehist" -J -s blocks "$tmp/dump.bin" > "$tmp/out.json" || ms_fail "bytehist -J"
python3 - "$tmp/out.json" <<'PY' || ms_error "region types wrong (above)"
import json, sys
regions = json.load(open(sys.argv[1]))["files"][0]["regions"]
bad = []
ptr = [r for r in regions if r["class"] == "pointers"]
if not ptr or int(ptr[0]["start"], 16) != 0:
    bad.append("the first region is not of pointers: %r" % regions[:2])
bad += ["a region of pointers typed %r" % r["type"] for r in ptr if r.get("type")]
gz = [r for r in regions if r["class"] == "random" and int(r["start"], 16) == 16384]
if not gz or not gz[0].get("type", "").startswith("gzip compressed data"):
    bad.append("the gzip stream at 0x4000 is not typed gzip: %r" % gz)
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

python3 - "$tmp/ptrs.bin" "$tmp/many.bin" <<'PY'
import gzip, random, sys
rnd = random.Random(9)
ptrs = open(sys.argv[1], "rb").read()[8:4096 + 8]
with open(sys.argv[2], "wb") as f:
    for k in range(400):
        f.write(ptrs)
        f.write(gzip.compress(rnd.randbytes(20000), compresslevel=1, mtime=k)[:8192])
    f.write(ptrs)
    f.write(gzip.compress(rnd.randbytes(100000), compresslevel=1, mtime=400)[:65536])
PY
head -c $((4096 + 4096)) "$tmp/many.bin" | tail -c 4096 | file -b - | grep -q '^gzip compressed data' ||
	ms_error "file(1) does not take the test's gzip block for gzip"
"$bin/bytehist" -j 1 -J -s blocks "$tmp/many.bin" > "$tmp/m1.json" || ms_fail "bytehist -j 1 -J"
for j in 2 3; do
	"$bin/bytehist" -j $j -J -s blocks "$tmp/many.bin" > "$tmp/m$j.json" || ms_fail "bytehist -j $j -J"
	cmp -s "$tmp/m1.json" "$tmp/m$j.json" ||
		ms_error "-j $j region types differ from -j 1: $(diff "$tmp/m1.json" "$tmp/m$j.json" | head -c 600)"
done
"$bin/bytehist" -j 1 -J -s blocks - < "$tmp/many.bin" > "$tmp/mp1.json" || ms_fail "bytehist -j 1 -J -"
cat "$tmp/many.bin" | "$bin/bytehist" -j 2 -J -s blocks - > "$tmp/mp2.json" || ms_fail "bytehist -j 2 -J -"
cmp -s "$tmp/mp1.json" "$tmp/mp2.json" || ms_error "from a pipe, -j 2 region types differ from -j 1"
big=$((400 * 12288 + 4096))
head -c $((big + 4096)) "$tmp/many.bin" | tail -c 4096 | file -b - | grep -q '^gzip compressed data' ||
	ms_error "file(1) does not take the test's last gzip block for gzip"
python3 - "$tmp/m1.json" "$big" <<'PY' || ms_error "region types of the 401 gzip regions wrong (above)"
import json, sys
regions = json.load(open(sys.argv[1]))["files"][0]["regions"]
big = int(sys.argv[2])
gz = [r for r in regions if int(r["start"], 16) >= 4096 and
      ((int(r["start"], 16) - 4096) % 12288 == 0 or int(r["start"], 16) == big)]
bad = []
if len(gz) != 401 or gz[-1]["length"] != 65536:
    bad.append("%d regions at the gzip blocks, not 400 and one of 64 KiB last" % len(gz))
typed = [r for r in gz if r.get("type", "").startswith("gzip compressed data")]
want = [4096 + 12288 * k for k in range(63)] + [big]
if [int(r["start"], 16) for r in typed] != want:
    bad.append("gzip typed at %d regions, not the first 63 and the large last one: %r" %
               (len(typed), [r["start"] for r in typed][-3:]))
bad += ["region at %s typed %r" % (r["start"], r["type"]) for r in regions if r.get("type") and r not in typed]
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
"$bin/bytehist" -s blocks "$tmp/many.bin" > "$tmp/map.txt" || ms_fail "bytehist -s blocks"
grep -E "^ *0x$(printf %x "$big") .*gzip compressed data" "$tmp/map.txt" > /dev/null ||
	ms_error "the map does not show the 64 KiB region at 0x$(printf %x "$big") as gzip: $(cat "$tmp/map.txt")"
exit 0
