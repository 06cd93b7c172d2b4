#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Go, as the articles memsift comes from leak it: 1 KiB buffers of 'C' and
# 'T' kept in a global [][]byte at 2:1, with GOGC=off and with the GC on.
# The objects are found from the runtime's spans, in Go's 1024-byte size
# class, typed []uint8 by the [][]byte that holds them, counted as the
# program counts them, and their growth between two dumps is 2:1.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v go > /dev/null || ms_skip "no go to build the Go program (apt-get install golang-go)"
mkdir -p "$MS_BUILDDIR/tests/leaker/go-cache"
HOME=$MS_BUILDDIR/tests/leaker/go-cache GOCACHE=$MS_BUILDDIR/tests/leaker/go-cache \
	GOPATH=$MS_BUILDDIR/tests/leaker/go-cache/path GOFLAGS= GO111MODULE=off \
	go build -o "$tmp/go-buffers" "$MS_SRCDIR/tests/scenarios/go-buffers.go" ||
	ms_fail "go build: cannot build go-buffers"

for gogc in off 100; do
	coproc GB { GOGC=$gogc exec "$tmp/go-buffers"; }
	gpid=$GB_PID
	ms_at_exit "kill $gpid 2>/dev/null"
	ask() { echo "$1" >&"${GB[1]}"; read -r reply <&"${GB[0]}" || ms_fail "GOGC=$gogc: no reply to $1"; }
	read -r line <&"${GB[0]}" || ms_fail "go-buffers did not start"
	ms_require_ptrace "$gpid"
	"$bin/mapsnap" -p "$gpid" -w "$tmp/$gogc.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
	ask "leak C 2000"; ask "leak T 1000"
	"$bin/regiondump" -p "$gpid" --grown "$tmp/$gogc.snap" -w "$tmp/$gogc-old.dump" 2> "$tmp/err" ||
		ms_fail "regiondump: $(cat "$tmp/err")"
	ask "leak C 2000"; ask "leak T 1000"
	"$bin/regiondump" -p "$gpid" --grown "$tmp/$gogc.snap" -w "$tmp/$gogc-new.dump" 2> "$tmp/err" ||
		ms_fail "regiondump: $(cat "$tmp/err")"
	ask report
	truth=$reply
	# Alive: the runtime's books are read from it where the dumps lack them.
	"$bin/bytehist" --objects -J --base "$tmp/$gogc-old.dump" "$tmp/$gogc-new.dump" > "$tmp/$gogc.json" \
		2> "$tmp/err" || ms_fail "GOGC=$gogc: bytehist --objects: $(cat "$tmp/err")"
	ask quit
	python3 - "$tmp/$gogc.json" "$truth" "$gogc" <<'PY' || ms_fail "GOGC=$gogc: the buffers are not counted"
import json, re, sys
a, truth, gogc = json.load(open(sys.argv[1]))["files"][0], sys.argv[2], sys.argv[3]
m = re.match(r"ok C=(\d+) T=(\d+)$", truth)
assert m, truth
nc, nt = int(m.group(1)), int(m.group(2))
assert a["objects"]["allocator"] == "go", a["objects"]
def cl(fill):
    x = [c for c in a["clusters"] if c["size"] == 1024 and c["fill"] == fill]
    assert x, ("no 1024-byte cluster of", fill, [(c["size"], c["count"], c["fill"]) for c in a["clusters"][:8]])
    return x[0]
c, t = cl("0x43"), cl("0x54")
# From the runtime's spans, typed by the [][]byte that holds them.
for x in (c, t):
    assert (x["finder"], x["type"], x["holder"]) == ("go-span", "[]uint8", "[][]uint8"), x
print("GOGC=%s truth C=%d T=%d; found C=%d (+%d) T=%d (+%d)" % (gogc, nc, nt, c["count"], c["delta"], t["count"], t["delta"]), file=sys.stderr)
assert abs(c["count"] - nc) <= nc / 100 and abs(t["count"] - nt) <= nt / 100, (c, t)
assert abs(c["delta"] - 2000) <= 20 and abs(t["delta"] - 1000) <= 10, (c, t)
cl0, cl1 = a["verdict"]["clauses"][:2]
assert (cl0["size"], cl0["content"], cl1["size"], cl1["content"]) == (1024, "fill", 1024, "fill"), a["verdict"]
assert abs(cl1["ratio"] - 2.0) <= 0.1, cl1
PY
done
exit 0
