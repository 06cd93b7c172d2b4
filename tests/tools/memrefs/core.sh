#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The same records from a core gdb wrote: memrefs -c finds the dropped ones
# unreferenced, exactly as the program counts them, with the registers of
# the core's NT_PRSTATUS notes and its [heap] found among anonymous segments.
. "${MS_SRCDIR:-.}/tests/lib.sh"
memrefs=$MS_BUILDDIR/tools/memrefs
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"

cc=${CC_FOR_TESTS:-cc}
command -v "$cc" > /dev/null || ms_skip "no C compiler to build the records program (apt-get install gcc)"
command -v gcore > /dev/null || ms_skip "no gcore to write a core (apt-get install gdb)"
command -v python3 > /dev/null || ms_skip "no python3 to check the JSON (apt-get install python3)"
"$cc" -O1 -g -pthread -o "$tmp/records" "$MS_SRCDIR/tests/tools/memrefs/records.c" ||
	ms_fail "cannot build records.c"

MS_LEAKER=$tmp/records leaker_start
pid=$LEAKER_PID
leaker_cmd keep 400
leaker_cmd drop 123
leaker_cmd thread 50
leaker_cmd dump "$tmp/truth"
gcore -o "$tmp/core" "$pid" > "$tmp/gcore.log" 2>&1 ||
	{ grep -qi "ptrace" "$tmp/gcore.log" && ms_skip "gcore cannot attach: $(tail -1 "$tmp/gcore.log")"; ms_fail "gcore: $(cat "$tmp/gcore.log")"; }
leaker_stop

rc=0
"$memrefs" -c "$tmp/core.$pid" -J --no-chains > "$tmp/out.json" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_fail "exit $rc, want 1: $(cat "$tmp/err")"
python3 - "$tmp/out.json" "$tmp/truth" <<'PY' || ms_fail "the core's unreferenced records do not match"
import json, sys
out = json.load(open(sys.argv[1]))
kept, dropped = set(), set()
for line in open(sys.argv[2]):
    k, a = line.split()
    (kept if k == "kept" else dropped).add(int(a, 16))
assert (len(kept), len(dropped)) == (450, 123), (len(kept), len(dropped))
assert out["threads"] >= 1 and out["pause_ns"] == 0, out
rows = [r for r in out["unreferenced"] if r["what"] == 'magic "RECRD"']
assert len(rows) == 1, out["unreferenced"]
ex = {int(x, 16) for x in rows[0]["examples"].split()}
print("core: %d dropped, %d unreferenced" % (len(dropped), rows[0]["count"]), file=sys.stderr)
assert rows[0]["count"] == len(dropped) and ex <= dropped and not ex & kept, rows[0]
PY

# Not a core: one line, exit 2.
printf 'not a core\n' > "$tmp/junk"
rc=0
"$memrefs" -c "$tmp/junk" 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" = 2 ] || ms_fail "junk: exit $rc, want 2"
[ "$(grep -c . "$tmp/err")" = 1 ] && grep -q "^memrefs: .*junk: not an ELF core file" "$tmp/err" ||
	ms_fail "junk: $(cat "$tmp/err")"
exit 0
