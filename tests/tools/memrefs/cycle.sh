#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C++ program's nodes reference each other in rings: one a global points
# at, two nothing else does.  Every node of the unreferenced rings is
# called unreferenced (a cycle keeps nothing alive), none of the kept ring.
. "${MS_SRCDIR:-.}/tests/lib.sh"
memrefs=$MS_BUILDDIR/tools/memrefs
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"

command -v g++ > /dev/null || ms_skip "no g++ to build the C++ program (apt-get install g++)"
command -v python3 > /dev/null || ms_skip "no python3 to check the JSON (apt-get install python3)"
g++ -O1 -g -o "$tmp/cycle" "$MS_SRCDIR/tests/tools/memrefs/cycle.cc" || ms_fail "cannot build cycle.cc"

MS_LEAKER=$tmp/cycle leaker_start
leaker_cmd keep 300
leaker_cmd drop 200
leaker_cmd drop 7
leaker_cmd dump "$tmp/truth"
rc=0
"$memrefs" -p "$LEAKER_PID" -J --no-chains > "$tmp/out.json" 2> "$tmp/err" || rc=$?
grep -q "ptrace refused" "$tmp/err" && ms_skip "cannot freeze pid $LEAKER_PID: $(cat "$tmp/err")"
[ "$rc" = 1 ] || ms_fail "exit $rc, want 1: $(cat "$tmp/err")"
python3 - "$tmp/out.json" "$tmp/truth" <<'PY' || ms_fail "the unreferenced rings are not found whole"
import json, sys
out = json.load(open(sys.argv[1]))
kept, dropped = set(), set()
for line in open(sys.argv[2]):
    k, a = line.split()
    (kept if k == "kept" else dropped).add(int(a, 16))
assert (len(kept), len(dropped)) == (300, 207), (len(kept), len(dropped))
rows = [r for r in out["unreferenced"] if "Node" in r["what"]]
assert len(rows) == 1, out["unreferenced"]
row = rows[0]
print("cycle: %d in dropped rings, %d unreferenced (%s)" % (len(dropped), row["count"], row["what"]), file=sys.stderr)
ex = {int(x, 16) for x in row["examples"].split()}
assert row["count"] == len(dropped) and ex and ex <= dropped and not ex & kept, row
PY
leaker_stop
exit 0
