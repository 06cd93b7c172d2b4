#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist reads regiondump -z dumps (zstd, known by their first bytes), from
# a file with its manifest and from a pipe: the bytes counted are those that
# zstd -d gives back, counted here by Python; the leaker's 1 MiB fill is a
# region at the address it reports.  A cut-short stream fails, saying so.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
bin=$MS_BUILDDIR/tools
command -v zstd >/dev/null || ms_skip "no zstd command (Debian package zstd) to check the dump against"

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 1M 0x54
addr=$(leaker_field addr)
leaker_cmd malloc 200 4096 0x41
leaker_cmd struct 400
leaker_cmd report
first=$(printf '%s\n' "$LEAKER_REPLY" | grep -o '"addrs":\[[^]]*\]' | grep -o '0x[0-9a-f]*' | head -n 1)
"$bin/regiondump" -p "$pid" -z --mapping "$first" --write "$tmp/heap.zst" 2>"$tmp/err" ||
	ms_fail "regiondump -z --mapping: $(cat "$tmp/err")"
"$bin/regiondump" -p "$pid" -z "$addr" 1M --write "$tmp/fill.zst" 2>"$tmp/err" ||
	ms_fail "regiondump -z: $(cat "$tmp/err")"
leaker_stop
zstd -q -d -c "$tmp/heap.zst" > "$tmp/heap" || ms_fail "zstd cannot read the dump"

"$bin/bytehist" -J "$tmp/heap.zst" > "$tmp/z.json" || ms_fail "bytehist on the -z dump"
"$bin/bytehist" -J - < "$tmp/heap.zst" > "$tmp/p.json" || ms_fail "bytehist on the -z dump from a pipe"
"$bin/bytehist" -J "$tmp/fill.zst" > "$tmp/f.json" || ms_fail "bytehist on the -z fill"
python3 - "$tmp/heap" "$tmp/z.json" "$tmp/p.json" "$tmp/heap.zst.json" "$tmp/f.json" "$addr" <<'PY' ||
import json, sys

def report(path):
    return json.load(open(path))["files"][0]

raw = open(sys.argv[1], "rb").read()
want = [0] * 256
for b in raw:
    want[b] += 1
z, p, m, f = report(sys.argv[2]), report(sys.argv[3]), json.load(open(sys.argv[4])), report(sys.argv[5])
for name, h in ("file", z), ("pipe", p):
    assert h["size"] == len(raw), (name, h["size"], len(raw))
    assert h["bytes"] == want, name
# The manifest's addresses apply to the file, not to the pipe.
assert int(z["base"], 16) == int(m["requested"][0]["start"], 16), (z["base"], m["requested"])
assert p["base"] is None, p["base"]
runs = [r for r in z["runs"] if r["byte"] == 0x41 and r["length"] == 4096]
assert runs and runs[0]["count"] == 200, z["runs"][:5]
addr = int(sys.argv[6], 16)
assert f["size"] == 1 << 20 and f["bytes"][0x54] == 1 << 20, (f["size"], f["bytes"][0x54])
assert any(g["class"] == "fill" and g["fill"] == 0x54 and int(g["start"], 16) == addr and g["length"] == 1 << 20
           for g in f["regions"]), f["regions"]
PY
	ms_fail "the -z dump's report differs from its bytes"

# A stream cut short, and a dump to walk: one line each, exit 1.
head -c "$(($(stat -c %s "$tmp/heap.zst") / 2))" "$tmp/heap.zst" > "$tmp/cut.zst"
"$bin/bytehist" "$tmp/cut.zst" > /dev/null 2> "$tmp/err" && ms_fail "a cut-short stream passed"
[ $? = 1 ] || ms_error "exit status $? on a cut-short stream"
grep -qx "bytehist: $tmp/cut.zst: the zstd stream is cut short; is the dump complete?" "$tmp/err" ||
	ms_fail "cut short: $(cat "$tmp/err")"
"$bin/bytehist" --heap "$tmp/heap.zst" > /dev/null 2> "$tmp/err" && ms_fail "--heap on a -z dump passed"
grep -qx "bytehist: $tmp/heap.zst: --symbols, --heap and --objects read a raw dump; decompress it first (zstd -d)" "$tmp/err" ||
	ms_fail "--heap: $(cat "$tmp/err")"
exit 0
