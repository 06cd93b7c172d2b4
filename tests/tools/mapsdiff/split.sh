#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A mapping split in two is one memory, not a new mapping that grew beside
# one that shrank: a service touches 16 MiB, then mprotects its upper half
# read-only (/proc/PID/maps then shows two mappings where there was one).
# mapsdiff over the series must net the piece against its sibling: both
# steady, no growth, exit 0; leakhunt finds nothing leaking.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service

leaker_start
pid=$LEAKER_PID
leaker_cmd split
addr=$(leaker_field addr)
mkdir "$tmp/s"
for i in 1 2 3 4 5; do
	"$bin/mapsnap" -p "$pid" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"
	if [ "$i" -eq 2 ]; then
		leaker_cmd split
		piece=$(leaker_field split)
	fi
done
# The truth, from maps: two mappings now, meeting at the piece's start.
grep -q "^${addr#0x}-${piece#0x} rw-p" "/proc/$pid/maps" && grep -q "^${piece#0x}-[0-9a-f]* r--p" "/proc/$pid/maps" ||
	ms_fail "the mapping at $addr was not split at $piece"
rc=0
"$bin/mapsdiff" -a -J -o START,STATUS,RSS-DELTA,VERDICT "$tmp/s" > "$tmp/j" || rc=$?
[ "$rc" -eq 0 ] || ms_error "mapsdiff: exit status $rc after a split alone, not 0: $(cat "$tmp/j")"
python3 - "$tmp/j" "$addr" "$piece" <<'PY' || ms_fail "the split is not netted: $(cat "$tmp/j")"
import json, sys
rows = {r["start"]: r for r in json.load(open(sys.argv[1]))["mappings"]}
kept, piece = rows[sys.argv[2]], rows[sys.argv[3]]
assert piece["status"] == "split", piece
assert piece["rss_delta"] == 0 and kept["rss_delta"] == 0, (kept, piece)
assert piece["verdict"] == "steady" and kept["verdict"] == "steady", (kept, piece)
PY
# Without -a the split shows no growth at all.
"$bin/mapsdiff" -r -n -o START,RSS-DELTA "$tmp/s" | grep -q "^$piece +" && ms_fail "the piece is listed as growth"

# leakhunt, a new service split between its first two snapshots.
leaker_stop
leaker_start
pid=$LEAKER_PID
leaker_cmd split
mkfifo "$tmp/hook"
(
	n=0
	while read -r line < "$tmp/hook"; do
		n=$((n + 1))
		[ "$n" -eq 1 ] && leaker_cmd split
		echo go > "$tmp/hook"
	done
) &
driver=$!
ms_at_exit "kill $driver 2>/dev/null"
rc=0
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/leakhunt" -p "$pid" -i 10ms --count 5 -w "$tmp/r" \
	2> "$tmp/err" || rc=$?
kill "$driver" 2>/dev/null
wait "$driver" 2>/dev/null
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || { cat "$tmp/r/report.md" >&2; ms_fail "leakhunt: exit status $rc after a split, not 0"; }
grep -q '^\*\*Nothing is leaking:\*\*' "$tmp/r/report.md" || ms_error "leakhunt: $(head -n 3 "$tmp/r/report.md")"
grep -q '(no mapping grew)' "$tmp/r/report.md" || { cat "$tmp/r/report.md" >&2; ms_fail "leakhunt: the split is shown as growth"; }
leaker_stop
exit 0
