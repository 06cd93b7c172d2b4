#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C program keeps records in a global list (some made by a thread, in a
# glibc thread arena) and drops others, linked only to each other.  memrefs
# finds exactly the dropped ones unreferenced, and none of those listed:
# the truth is the program's own list of addresses.
. "${MS_SRCDIR:-.}/tests/lib.sh"
memrefs=$MS_BUILDDIR/tools/memrefs
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"

cc=${CC_FOR_TESTS:-cc}
command -v "$cc" > /dev/null || ms_skip "no C compiler to build the records program (apt-get install gcc)"
command -v python3 > /dev/null || ms_skip "no python3 to check the JSON (apt-get install python3)"
# Never sanitized: it stands for the user's process, with glibc's malloc.
"$cc" -O1 -g -pthread -o "$tmp/records" "$MS_SRCDIR/tests/tools/memrefs/records.c" ||
	ms_fail "cannot build records.c"

MS_LEAKER=$tmp/records leaker_start
pid=$LEAKER_PID
leaker_cmd keep 500
leaker_cmd drop 300
leaker_cmd thread 200
leaker_cmd keep 100
leaker_cmd drop 77
leaker_cmd dump "$tmp/truth"

rc=0
"$memrefs" -p "$pid" -J --no-chains > "$tmp/out.json" 2> "$tmp/err" || rc=$?
grep -q "ptrace refused" "$tmp/err" && ms_skip "cannot freeze pid $pid: $(cat "$tmp/err")"
[ "$rc" = 1 ] || ms_fail "exit $rc, want 1 (unreferenced objects found): $(cat "$tmp/err")"
grep -q "^memrefs: pid $pid: stopped for [0-9.]* ms$" "$tmp/err" || ms_fail "pause not reported: $(cat "$tmp/err")"
grep -q "^memrefs: pid $pid: frozen to copy .* of writable memory$" "$tmp/err" ||
	ms_fail "pause not announced: $(cat "$tmp/err")"
python3 - "$tmp/out.json" "$tmp/truth" <<'PY' || ms_fail "unreferenced records do not match the program's own"
import json, sys
out = json.load(open(sys.argv[1]))
kept, dropped = set(), set()
for line in open(sys.argv[2]):
    k, a = line.split()
    (kept if k == "kept" else dropped).add(int(a, 16))
assert (len(kept), len(dropped)) == (800, 377), (len(kept), len(dropped))
rows = [r for r in out["unreferenced"] if r["what"] == 'magic "RECRD"']
assert len(rows) == 1, out["unreferenced"]
row = rows[0]
ex = [int(x, 16) for x in row["examples"].split()]
print("records: %d dropped, %d unreferenced; examples %s" % (len(dropped), row["count"], row["examples"]), file=sys.stderr)
assert row["count"] == len(dropped), row
assert ex and all(a in dropped for a in ex) and not any(a in kept for a in ex), row
# No other cluster holds a record, kept or dropped.
for r in out["unreferenced"]:
    if r is not row:
        assert not {int(x, 16) for x in r["examples"].split()} & (kept | dropped), r
assert out["unreferenced_objects"] >= len(dropped) and out["reached"] >= len(kept), out
PY

# Nothing dropped: nothing of the records unreferenced, and the count says 0.
MS_LEAKER=$tmp/records
leaker_stop
MS_LEAKER=$tmp/records leaker_start
leaker_cmd keep 300
rc=0
"$memrefs" -p "$LEAKER_PID" -r -o COUNT,WHAT --no-chains > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" -le 1 ] || ms_fail "exit $rc: $(cat "$tmp/err")"
! grep -q RECRD "$tmp/out" || ms_fail "kept records called unreferenced: $(cat "$tmp/out")"
leaker_stop
exit 0
