#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Strings of one shape are grouped: 3,000 access-log lines that each differ
# (ids, trace ids, latencies) and 1,000 lines of another format are two
# shapes, not 4,000 strings of one occurrence each, and each is counted.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

python3 - "$tmp/log.bin" <<'PY'
import random, sys
rnd = random.Random(7)
out = bytearray()
for i in range(3000):
    out += b"GET /api/v2/%d?tenant=acme&trace=%016x HTTP/1.1 200 %dms\0" % (
        rnd.randrange(1, 10**6), rnd.getrandbits(64) | 1 << 60, rnd.randrange(1, 900))
    out += bytes(rnd.randrange(1, 40))
for i in range(1000):
    out += b"user %d logged in from 10.%d.%d.%d\0\0\0" % (i, i % 250, 7, i % 200)
open(sys.argv[1], "wb").write(out)
PY
"$bin/bytehist" -s strings -t 5 "$tmp/log.bin" > "$tmp/out" || ms_fail "bytehist -s strings"
cat "$tmp/out" >&2
grep -Eq '^ *3000 +3000 +[0-9.]+K GET /api/v2/#\?tenant=acme&trace=# HTTP/#\.# # #ms$' "$tmp/out" ||
	ms_fail "the access-log lines are not one shape of 3,000"
grep -Eq '^ *1000 +1000 +[0-9.]+K user # logged in from #\.#\.#\.#$' "$tmp/out" ||
	ms_fail "the login lines are not one shape of 1,000"
# One string repeated is its own row in the strings table, no shape of one.
printf 'only-this-one-string\0%.0s' $(seq 50) > "$tmp/one.bin"
"$bin/bytehist" -s strings "$tmp/one.bin" > "$tmp/out" || ms_fail "bytehist on one string"
grep -q '^strings by shape' "$tmp/out" && ms_fail "a shape table for a single distinct string"
# More shapes than the shape table keeps (4,096 of the strings a full table
# gives way to): 200,000 strings of letters alone, each its own shape.  The
# lightest shapes are lost, and the summary and JSON say so; the small input
# above lost none.
python3 - "$tmp/many.bin" <<'PY'
import random, sys
rnd = random.Random(11)
words = {"".join(rnd.choice("ghijklmnopqrstuvwxyz") for _ in range(10)) for _ in range(200000)}
assert len(words) > 4096 + 65536
open(sys.argv[1], "wb").write(b"".join(w.encode() + b"\0" for w in sorted(words)))
PY
"$bin/bytehist" -J "$tmp/log.bin" > "$tmp/few.json" || ms_fail "bytehist -J"
"$bin/bytehist" -J "$tmp/many.bin" > "$tmp/many.json" || ms_fail "bytehist -J, many shapes"
"$bin/bytehist" -s summary,strings "$tmp/many.bin" > "$tmp/many.txt" || ms_fail "bytehist, many shapes"
python3 - "$tmp/few.json" "$tmp/many.json" <<'PY' || ms_fail "JSON does not say whether shapes were lost"
import json, sys
few, many = (json.load(open(f))["files"][0]["approximate"] for f in sys.argv[1:])
assert few["shapes"] is False and many["shapes"] is True and many["strings"] is True, (few, many)
PY
grep -q '^approximate:.* shapes' "$tmp/many.txt" ||
	ms_fail "the report does not say light shapes were lost: $(grep -E '^approximate' "$tmp/many.txt")"
exit 0
