#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The articles' Go leak: an HTTP handler keeps a 10000-byte buffer of 'a'
# per request in a global [][]byte.  memrefs' first retention chain of the
# top cluster (the buffers) goes through one backing array to the global
# itself, at the address the program prints for &requests.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need go python3
memrefs_need_ptrace
mkdir -p "$MS_BUILDDIR/tests/leaker/go-cache"
# Pure Go, as the articles build it: without cgo the binary is static, and
# its allocator is told from its own symbols.
HOME=$MS_BUILDDIR/tests/leaker/go-cache GOCACHE=$MS_BUILDDIR/tests/leaker/go-cache \
	GOPATH=$MS_BUILDDIR/tests/leaker/go-cache/path GOFLAGS= GO111MODULE=off CGO_ENABLED=0 \
	go build -o "$tmp/go-http" "$MS_SRCDIR/tests/tools/memrefs/go-http.go" ||
	ms_fail "go build: cannot build go-http"

MS_LEAKER=$tmp/go-http leaker_start
leaker_cmd leak 3000
leaker_cmd report
truth=$LEAKER_REPLY
memrefs_run 0-1 "$tmp/out.json" -p "$LEAKER_PID" -J
python3 - "$tmp/out.json" "$truth" <<'PY' || ms_fail "the chain does not end at the global: $(cat "$tmp/out.json")"
import json, re, sys
out, truth = json.load(open(sys.argv[1])), sys.argv[2]
m = re.match(r"ok count=(\d+) global=0x([0-9a-f]+) array=0x([0-9a-f]+)$", truth)
assert m, truth
n, glob, array = int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)
assert out["chains"], out
c = out["chains"][0]
links = c["links"]
print("go: %d buffers, global 0x%x, array 0x%x; chain: %s" % (n, glob, array, " <- ".join(l["what"] for l in links)), file=sys.stderr)
for l in links:
    l["addr"] = int(l["addr"], 16)
first, last = links[0], links[-1]
# The cluster held: the buffers, as many as the finder sees of them.
assert "fill 0x61" in first["what"] and n * 0.9 <= first["count"] <= n, first
# One backing array holds them, where the program says it is.
assert len(links) == 3 and links[1]["holder"] == "block", links
assert links[1]["addr"] <= array < links[1]["addr"] + links[1]["bytes"], (hex(array), links[1])
# Nearly every buffer through it: a stale copy elsewhere (an older array
# append left to the collector) may hold a few as well.
assert links[1]["count"] >= 0.98 * first["count"], links[1]
# And the global holds it.
assert c["rooted"] and last["holder"] == "data" and last["addr"] == glob, last
assert "main.requests" in last["what"], last
PY
leaker_stop
exit 0
