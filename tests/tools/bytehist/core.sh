#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ELF cores as input: regiondump --format core and gdb's gcore.  The leaker's
# 1 MiB of 'T' is one fill region at its own address in both; a core cut
# short is refused with a message naming the segment.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 1M 0x54
addr=$(leaker_field addr)
"$bin/regiondump" -p "$pid" --anon --format core -w "$tmp/rd.core" 2>/dev/null || ms_fail "regiondump --format core"
command -v gdb >/dev/null || ms_skip "gdb not installed (./quickstart.sh installs it)"
gdb -batch -nx -p "$pid" -ex "gcore $tmp/gdb.core" >/dev/null 2>&1 || ms_fail "gdb gcore failed"
leaker_stop

for c in rd gdb; do
	"$bin/bytehist" -J "$tmp/$c.core" > "$tmp/$c.json" || ms_fail "bytehist $c.core"
	python3 - "$tmp/$c.json" "$addr" <<'PY' || ms_fail "$c.core: the 1 MiB fill is not where the leaker put it"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]
addr = int(sys.argv[2], 16)
assert int(h["base"], 16) > 0, h["base"]
fills = [g for g in h["regions"] if g["class"] == "fill" and g.get("fill") == 0x54]
assert any(int(g["start"], 16) == addr and g["length"] == 1 << 20 for g in fills), fills
assert h["bytes"][0x54] >= 1 << 20, h["bytes"][0x54]
PY
	"$bin/bytehist" -s summary "$tmp/$c.core" | head -n 1 | grep -q "ranges from 0x.* (from its PT_LOAD segments)$" ||
		ms_fail "$c.core: the summary does not say the addresses come from the segments"
done

# Cut the core in the middle of its last segment.
size=$(stat -c %s "$tmp/rd.core")
head -c $((size - 4096)) "$tmp/rd.core" > "$tmp/cut.core"
rc=0; "$bin/bytehist" "$tmp/cut.core" > /dev/null 2> "$tmp/err" || rc=$?
[ $rc = 1 ] || ms_error "a truncated core: exit $rc"
grep -q "^bytehist: $tmp/cut.core: segment [0-9]* runs past the end of the file; truncated?$" "$tmp/err" ||
	ms_fail "truncated core message: $(cat "$tmp/err")"
exit 0
