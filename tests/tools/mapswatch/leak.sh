#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch on a leaker whose heap grows between every two samples while a
# 1 MiB mapping holds steady.  The test hook (MEMSIFT_TEST_HOOK=snapshot:FIFO)
# reports each sample and waits for the leak to be done, so growth never races
# the interval.  The heap must rank first, flagged "grows with no steady
# state"; the 1 MiB mapping must be "steady"; DIR must hold every sample as a
# snapshot mapsdiff reads; the plot must draw the totals of those snapshots.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 1M 0xa5
steady=$(leaker_field addr)
ms_hooked "$tmp/hook" 'leaker_cmd malloc 200 4096 T' \
	"$MS_HOOKED/mapswatch" -p "$pid" -i 10ms --count 8 -w "$tmp/d" \
	--plot "$tmp/p.svg" -J > "$tmp/out.json" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc, not 0"
python3 - "$tmp/out.json" "$steady" <<'PY' || ms_fail "the heap is not flagged first, or the steady mapping is not steady"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
top = rows[0]
assert top["name"] == "[heap]" and top["verdict"] == "grows with no steady state", top
assert top["growth"] >= 7 * 200 * 4096, top
steady = [r for r in rows if r["start"] == sys.argv[2]]
assert len(steady) == 1 and steady[0]["verdict"] == "steady" and steady[0]["rss"] == 1 << 20, steady
assert not [r for r in rows[1:] if r["verdict"] == "grows with no steady state"], rows[1:]
PY

# DIR: eight whole mapsnap snapshots, 0600 in a 0700 directory, that mapsdiff reads.
[ "$(ls "$tmp/d" | wc -l)" -eq 8 ] || ms_error "not eight snapshots in DIR: $(ls -A "$tmp/d")"
[ "$(stat -c %a "$tmp/d")" = 700 ] || ms_error "DIR is not 0700"
bad=$(find "$tmp/d" -type f ! -perm 0600)
[ -z "$bad" ] || ms_error "snapshots not 0600: $bad"
grep -q "^# pid: $pid$" "$tmp/d/0008.snap" || ms_error "0008.snap is not a snapshot of pid $pid"
rc=0
"$bin/mapsdiff" "$tmp/d" > "$tmp/diff" || rc=$?
[ "$rc" -eq 1 ] || ms_error "mapsdiff on DIR: exit status $rc, not 1"
grep -Eq 'grows with no steady state +heap \(brk\) +\[heap\]$' "$tmp/diff" || ms_error "mapsdiff does not see the heap growing"

# The plot: well-formed SVG whose total line is the snapshots' totals.
[ "$(stat -c %a "$tmp/p.svg")" = 600 ] || ms_error "the plot is not 0600"
python3 - "$tmp/p.svg" "$tmp/d" <<'PY' || ms_fail "the plot does not draw the samples in DIR"
import os, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
lines = {p.get("data-name"): p for p in root.iter("{http://www.w3.org/2000/svg}polyline")}
assert "process total" in lines, list(lines)
assert any(n.startswith("[heap]") for n in lines), list(lines)
drawn = [int(v.split(":")[1]) for v in lines["process total"].find("s:desc", ns).text.split()]
want = []
for f in sorted(os.listdir(sys.argv[2])):
    rss = [int(l.split()[1]) * 1024 for l in open(os.path.join(sys.argv[2], f)) if l.startswith("Rss:")]
    want.append(sum(rss))
assert drawn == want, (drawn, want)
assert len(lines["process total"].get("points").split()) == 8
PY
# The same plot from the saved DIR.
"$bin/mapswatch" --plot "$tmp/q.svg" "$tmp/d" || ms_fail "--plot from DIR failed"
python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/q.svg" || ms_fail "--plot from DIR: not XML"
grep -c '<polyline' "$tmp/q.svg" | grep -qx 6 || ms_error "--plot from DIR: not the total and five mappings"
leaker_stop
exit 0
