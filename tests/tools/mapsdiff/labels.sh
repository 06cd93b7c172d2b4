#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Labels need evidence.  Ten 256 KiB buffers, each below a guard page, in a
# process of one thread (/proc/PID/task says so) are not thread stacks;
# memory a C program maps at Go's arena hint is not Go's heap, while a real
# Go program's is (built here with go(1), from the golang-go package).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service

leaker_start
pid=$LEAKER_PID
[ "$(ls "/proc/$pid/task" | wc -l)" -eq 1 ] || ms_error "the service has more than one thread"
"$bin/mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap"
leaker_cmd buffers 10 256
leaker_try mapat c000000000 4096 || ms_skip "cannot map at 0xc000000000 here: $LEAKER_REPLY"
"$bin/mapsnap" -p "$pid" -w "$tmp/2.snap" || ms_fail "mapsnap"
# The truth: maps lists the rw-p mappings of 256 KiB right above a ---p
# page: ten, or nine when the first merged with an anonymous neighbour.
want=$(python3 - "/proc/$pid/maps" <<'PY'
import sys
n, guard_end = 0, None
for line in open(sys.argv[1]):
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    if len(f) == 5 and f[1] == "rw-p" and hi - lo == 262144 and lo == guard_end:
        n += 1
    guard_end = hi if len(f) == 5 and f[1] == "---p" and hi - lo == 4096 else None
print(n)
PY
)
[ "$want" -ge 9 ] || ms_error "maps shows $want buffers below a guard page, not 10"
# They are one row (a group of like new mappings), its label empty.
"$bin/mapsdiff" -J -o START,SIZE,STATUS,LABEL,COUNT "$tmp/1.snap" "$tmp/2.snap" > "$tmp/j" || :
python3 - "$tmp/j" "$want" <<'PY' || ms_fail "labels without evidence: $(cat "$tmp/j")"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
bufs = [r for r in rows if r["size"] == 262144 * r["count"] and r["status"] == "new"]
assert sum(r["count"] for r in bufs) == int(sys.argv[2]), rows
assert not [r for r in rows if "thread stack" in (r["label"] or "")], rows
go = [r for r in rows if r["start"] == "0xc000000000"]
assert go and not go[0]["label"], rows
PY
leaker_stop

command -v go > /dev/null || ms_skip "no go(1) to build a Go program (Debian package golang-go)"
export GOCACHE=$tmp/gocache GOPATH=$tmp/gopath GOFLAGS= GO111MODULE=off CGO_ENABLED=0
go build -o "$tmp/goprog" "$MS_SRCDIR/tests/scenarios/trend-go.go" 2> "$tmp/err" ||
	ms_fail "go build: $(cat "$tmp/err")"
MS_LEAKER=$tmp/goprog
leaker_start
pid=$LEAKER_PID
"$bin/mapsnap" -p "$pid" -w "$tmp/go.snap" || ms_fail "mapsnap of the Go program"
grep -q '^c000000000-' "/proc/$pid/maps" || ms_fail "the Go program has no arena at 0xc000000000"
"$bin/mapsdiff" -a -r -n -o START,LABEL "$tmp/go.snap" "$tmp/go.snap" > "$tmp/t" || :
grep -qx '0xc000000000 Go\\x20heap\\x20arena\\x20(likely)' "$tmp/t" ||
	ms_fail "the Go program's arena is not labelled: $(grep '^0xc0' "$tmp/t")"
leaker_stop
exit 0
