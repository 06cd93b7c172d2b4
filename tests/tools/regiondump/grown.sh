#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --grown SNAPSHOT dumps what grew since the snapshot: the region the leaker
# mapped after it, whole and with its fill byte; nothing when nothing grew.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

leaker_start
pid=$LEAKER_PID
"$mapsnap" -p "$pid" -w "$tmp/before.snap" || ms_fail "mapsnap failed"

# The leaker is idle: nothing grew yet.
rc=0; "$regiondump" -p "$pid" --grown "$tmp/before.snap" -w "$tmp/none" 2> "$tmp/err" || rc=$?
[ $rc = 1 ] || ms_error "nothing grew: exit $rc"
grep -q "^regiondump: pid $pid: no readable mapping grew since the snapshot$" "$tmp/err" || ms_error "message: $(cat "$tmp/err")"
[ ! -e "$tmp/none" ] || ms_error "a dump was left when nothing grew"

leaker_cmd mmap 1M 0x77
addr=$(leaker_field addr)
"$regiondump" -p "$pid" --grown "$tmp/before.snap" -w "$tmp/grown" 2> "$tmp/err" || ms_fail "--grown: $(cat "$tmp/err")"
off=$(python3 - "$tmp/grown.json" "$addr" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
r = [r for r in m["requested"] if r["start"] == sys.argv[2]]
assert r and r[0]["size"] == 1 << 20, m["requested"]
print(r[0]["file_offset"])
PY
) || ms_fail "the new region $addr is not among the dumped ranges: $(cat "$tmp/grown.json")"
for o in 0 $((1 << 19)) $(((1 << 20) - 1)); do
	b=$(od -An -tx1 -j $((off + o)) -N 1 "$tmp/grown" | tr -d ' \n')
	[ "$b" = 77 ] || ms_error "byte $o of the region is $b, not 77"
done

# A snapshot of another process is used, with a warning.
sed "s/^# pid: $pid$/# pid: 1/" "$tmp/before.snap" > "$tmp/other.snap"
"$regiondump" -p "$pid" --grown "$tmp/other.snap" -w "$tmp/other" 2> "$tmp/err" || ms_fail "other pid: $(cat "$tmp/err")"
grep -q "^regiondump: $tmp/other.snap is a snapshot of pid 1, not $pid; comparing anyway$" "$tmp/err" || ms_error "no warning: $(cat "$tmp/err")"
leaker_stop
exit 0
