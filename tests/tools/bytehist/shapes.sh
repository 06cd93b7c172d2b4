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
exit 0
