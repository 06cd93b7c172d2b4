#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff over a series of the live leaker: a region that keeps growing, one
# that grows and stops, their verdicts, and the labels of anonymous memory.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
ms_tmpdir
mkdir "$tmp/s"

leaker_start
pid=$LEAKER_PID
leaker_cmd thread 200 1024 0x43
tid=$(leaker_field tid)
leaker_cmd reserve 64M
res=$(leaker_field addr)
rid=$(leaker_field id)
# Six snapshots, named so that name order and version order differ (2 < 10).
names=(1 2 3 5 10 11)
for i in 0 1 2 3 4 5; do
	"$mapsnap" -p "$pid" -w "$tmp/s/${names[$i]}.snap" || ms_fail "mapsnap $i"
	leaker_cmd malloc 500 4096 0x54		# the heap grows every time
	[ $i -lt 2 ] && leaker_cmd commit "$rid" $(( (i + 1) * 4 ))M 0x22	# then stops
done

"$mapsdiff" -J -o START,STATUS,RSS-DELTA,VERDICT,STEADY,LABEL,NAME -a "$tmp/s" > "$tmp/j"
rc=$?
[ $rc = 1 ] || ms_error "exit $rc after growth, want 1"
python3 - "$tmp/j" "$res" "$tid" <<'PY' || ms_fail "trend JSON wrong: $(cat "$tmp/j")"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
by_start = {r["start"]: r for r in rows}
heap = [r for r in rows if r["name"] == "[heap]"][0]
assert heap["verdict"] == "grows with no steady state", heap
assert heap["steady"] == 100, heap
assert heap["label"] == "heap (brk)", heap
assert heap["rss_delta"] >= 5 * 500 * 4096, heap
res = by_start[sys.argv[2]]
assert res["verdict"] == "levelled off", res
assert res["rss_delta"] == 8 << 20, res
assert res["status"] == "kept", res
split = [r for r in rows if r["status"] == "split"]
assert split and all(r["rss_delta"] == 0 for r in split), split
labels = [r["label"] for r in rows]
assert "stack of thread %s (leaker)" % sys.argv[3] in labels, labels
assert "main thread stack" in labels, labels
assert "glibc malloc arena (likely)" in labels, labels
PY

# The table ends with the process's verdict and, given a limit, a projection.
"$mapsdiff" --limit 64G "$tmp/s" > "$tmp/t"
grep -q "^process: .* over 6 snapshots, +.*/.*: grows with no steady state$" "$tmp/t" || ms_error "no process line: $(tail -n 3 "$tmp/t")"
grep -q "^reaches the limit of 64G in about " "$tmp/t" || ms_error "no projection: $(tail -n 2 "$tmp/t")"
"$mapsdiff" --limit 1K "$tmp/s" | grep -q "^already at the limit of 1K$" || ms_fail "limit already reached not said"
# -J carries the same: the process's first and last RSS (the snapshots' own
# Rss lines), its verdict and the projection.
"$mapsdiff" -J --limit 64G "$tmp/s" > "$tmp/tj" || :
python3 - "$tmp/tj" "$tmp/s/1.snap" "$tmp/s/11.snap" <<'PY' || ms_fail "-J lacks the process line: $(head -c 400 "$tmp/tj")"
import json, re, sys
p = json.load(open(sys.argv[1]))
rss = lambda f: sum(int(x) * 1024 for x in re.findall(r"^Rss:\s+(\d+) kB", open(f).read(), re.M))
assert p["memsift_json"] == 1, p.keys()
q = p["process"]
assert (q["rss_first"], q["rss_last"], q["snapshots"]) == (rss(sys.argv[2]), rss(sys.argv[3]), 6), q
assert q["verdict"] == "grows with no steady state" and q["rate"] > 0, q
assert q["limit"] == 64 << 30 and q["limit_in_seconds"] > 0, q
PY

# Name order is version order: the same as listing the files by hand.
"$mapsdiff" -b "$tmp/s" > "$tmp/dir"
"$mapsdiff" -b "$tmp"/s/{1,2,3,5,10,11}.snap > "$tmp/files"
ms_compare "$tmp/files" "$tmp/dir"

# --sort by name puts [heap] before [stack]; --top keeps the first rows.
"$mapsdiff" -r -n -o NAME --sort NAME --top 2 "$tmp/s/1.snap" "$tmp/s/11.snap" > "$tmp/sorted"
[ "$(head -n 1 "$tmp/sorted")" = "" ] || [ "$(head -n 1 "$tmp/sorted")" = "[heap]" ] || ms_error "sort by name: $(cat "$tmp/sorted")"
leaker_stop

# Go's heap arena, from a real capture: its binary is not on this machine
# and no libgo is mapped, so nothing says it is Go's (labels.sh shows a live
# Go program's).
"$mapsdiff" -a -r -n -o START,LABEL "$MS_FIXTURES/smaps/go-heap.smaps" "$MS_FIXTURES/smaps/go-heap.smaps" |
	grep -qx "0xc000000000 " || ms_error "Go arena labelled without evidence of Go, or not listed"
exit 0
