#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist -j on heap-like content big enough to fill the string and word
# tables: 48 MiB of bench/mixed-gen.c's records, pointer arrays, text, zero
# and random pages.  The tables read every block, then sample, and on the
# way the stage groups move between threads (lib/hist.c's pipeline), so
# -j 2, 3 and 4 must give the very JSON of -j 1, from a file and from a
# pipe.  That the tables did fill, and the byte counts, are checked against
# Python's reading of the same bytes.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
command -v cc > /dev/null || ms_skip "no C compiler for bench/mixed-gen.c (apt-get install gcc)"
cc -O2 -o "$tmp/mixed-gen" "$MS_SRCDIR/bench/mixed-gen.c" || ms_error "cannot build bench/mixed-gen.c"
"$tmp/mixed-gen" 48 "$tmp/mixed.bin" || ms_error "bench/mixed-gen.c failed"

"$bin/bytehist" -j 1 -J "$tmp/mixed.bin" > "$tmp/j1.json" || ms_fail "bytehist -j 1"
python3 - "$tmp/j1.json" "$tmp/mixed.bin" <<'PY' || ms_error "-j 1 on the mixed bytes: wrong (above)"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]
data = open(sys.argv[2], "rb").read()
bad = []
if h["size"] != len(data):
    bad.append("size %d, not %d" % (h["size"], len(data)))
want = [data.count(bytes([b])) for b in range(256)]
bad += ["byte 0x%02x: %d, not %d" % (b, h["bytes"][b], want[b]) for b in range(256) if h["bytes"][b] != want[b]][:5]
# 48 MiB of these strings and words overflow the tables: the threads hand
# over sampling tables, not only exact ones.
for t in ("strings", "words"):
    if t not in h.get("sampled", {}):
        bad.append("the %s table did not fill and sample: %r" % (t, h.get("sampled")))
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
for j in 2 3 4; do
	"$bin/bytehist" -j "$j" -J "$tmp/mixed.bin" > "$tmp/j$j.json" || ms_fail "bytehist -j $j"
	cmp -s "$tmp/j1.json" "$tmp/j$j.json" ||
		ms_error "-j $j differs from -j 1: $(diff "$tmp/j1.json" "$tmp/j$j.json" | head -c 600)"
done
"$bin/bytehist" -j 1 -J - < "$tmp/mixed.bin" > "$tmp/p1.json" || ms_fail "bytehist -j 1 -"
cat "$tmp/mixed.bin" | "$bin/bytehist" -j 2 -J - > "$tmp/p2.json" || ms_fail "bytehist -j 2 -"
cmp -s "$tmp/p1.json" "$tmp/p2.json" || ms_error "from a pipe, -j 2 differs from -j 1"
exit 0
