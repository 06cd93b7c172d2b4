#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist --base: two dumps of the leaker's anonymous memory, before and
# after it leaked 500 more blocks; the diff says exactly that, first.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 100 1024 0x54
"$bin/regiondump" -p "$pid" --anon -w "$tmp/old.dump" 2>/dev/null || ms_fail "regiondump old"
leaker_cmd malloc 500 1024 0x54
"$bin/regiondump" -p "$pid" --anon -w "$tmp/new.dump" 2>/dev/null || ms_fail "regiondump new"
leaker_stop

"$bin/bytehist" -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/d.json" || ms_fail "bytehist --base"
python3 - "$tmp/d.json" <<'PY' || ms_fail "the diff does not show the 500 blocks: $(head -c 600 "$tmp/d.json")"
import json, sys
d = json.load(open(sys.argv[1]))["files"][0]
assert d["size"] > d["size_old"], (d["size"], d["size_old"])
top = d["runs"][0]
assert (top["byte"], top["length"], top["count_old"], top["count"]) == (0x54, 1024, 100, 600), top
assert top["bytes"] - top["bytes_old"] == 500 * 1024, top
words = {w["value"]: w for w in d["words"]}
# glibc's size word of a 1024-byte block: 1040 | PREV_INUSE.
assert words["0x411"]["count_old"] == 100 and words["0x411"]["count"] == 600, words["0x411"]
assert d["blocks"]["fill"]["blocks"] > d["blocks"]["fill"]["blocks_old"], d["blocks"]
PY
"$bin/bytehist" --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/d.txt" || ms_fail "bytehist --base text"
head -n 1 "$tmp/d.txt" | grep -q "^$tmp/new.dump against $tmp/old.dump: .* -> .* (+" || ms_fail "header: $(head -n 1 "$tmp/d.txt")"
grep -A2 '^runs that changed' "$tmp/d.txt" | grep -q "^1024 x 0x54 'T' *100 *600 *+500 *+500K " || ms_error "runs table: $(cat "$tmp/d.txt")"

rc=0; "$bin/bytehist" --base "$tmp/missing" "$tmp/new.dump" > /dev/null 2> "$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "^bytehist: $tmp/missing: No such file or directory$" "$tmp/err" || ms_error "missing base: $rc $(cat "$tmp/err")"
exit 0
