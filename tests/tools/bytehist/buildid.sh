#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A binary replaced after the dump: the manifest records each file's
# build-id, and when the file now at that path has another one, bytehist
# --symbols names nothing from it (module+offset, one note for the module)
# rather than symbols of the wrong file.  Before the swap, the same dump
# names the callback and the literal.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

cp "$MS_BUILDDIR/tests/leaker/leaker" "$tmp/leaker-copy" || ms_fail "cannot copy the leaker"
MS_LEAKER=$tmp/leaker-copy
leaker_start
pid=$LEAKER_PID
leaker_cmd struct 100
leaker_cmd strdup 10
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
"$bin/regiondump" -p "$pid" --mapping "$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")" \
	-w "$tmp/heap.dump" 2> "$tmp/rd.err" || { ms_require_ptrace "$pid"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }
leaker_stop
grep -q '"name": *"[^"]*/leaker-copy", *"build_id": *"[0-9a-f]\{40\}"' "$tmp/heap.dump.json" ||
	grep -q '/leaker-copy","build_id":"[0-9a-f]\{40\}"' "$tmp/heap.dump.json" ||
	ms_skip "the leaker has no build-id to compare (linked without --build-id?)"

check()
{
	python3 - "$1" "$tmp/report.json" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
g = [x for x in json.load(open(sys.argv[2]))["groups"] if x["kind"] == "struct"][0]
replaced = sys.argv[3] == "replaced"
by = {int(x["addr"], 16): x for x in j["symbols"]}
fn, lit = by[int(g["callback"], 16)], by[int(g["tag"], 16)]
assert fn["count"] == 100 and lit["count"] == 100, (fn, lit)
if not replaced:
    assert fn["symbol"] == "leaker_record_callback" and lit["symbol"] == "memsift-leaker-record", (fn, lit)
    assert fn["note"] is None and j["string_origins"], (fn, j["string_origins"])
else:
    for x in (fn, lit):
        assert x["symbol"].startswith("leaker-copy+0x") and x["file"] is None, x
        assert "another build-id" in x["note"], x
    assert fn["kind"] == "text" and lit["kind"] == "rodata", (fn, lit)
    assert not j["string_origins"], j["string_origins"]
PY
}
"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/before.json" || ms_fail "bytehist --symbols"
check "$tmp/before.json" same || ms_fail "the binary as dumped: wrong names"

# Another ELF file at the same path: a different build-id.
cp "$bin/bytehist" "$tmp/leaker-copy" || ms_fail "cannot replace the copy"
"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/after.json" || ms_fail "bytehist --symbols (replaced)"
check "$tmp/after.json" replaced || ms_fail "replaced binary: names from the wrong file"
"$bin/bytehist" --symbols -s summary "$tmp/heap.dump" > "$tmp/t.out" || ms_fail "bytehist --symbols table (replaced)"
[ "$(grep -c '^note: .*/leaker-copy: the file now at this path has another build-id' "$tmp/t.out")" = 1 ] ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: not one note for the replaced module"; }
exit 0
