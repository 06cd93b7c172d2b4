#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# libmagic names regions, but not regions of pointers: a pointer array whose
# first word is a libc address ending in 0x98 is an "OpenPGP Public Key" to
# file(1)'s weak rules (the truth that the misfire is real), and bytehist
# gives it no type; a gzip stream in the same dump keeps its own.
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
exit 0
