#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Go program: main.leakA and main.leakB keep 64 KiB slices 2:1.  Go's
# runtime has no .eh_frame; the stacks reach main.leakA/B all the same, with
# the bytes the program counted within 10%, in Go's heap arena.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate
command -v go > /dev/null || ms_skip "no go to build the Go target (apt-get install golang-go)"

cache=$MS_BUILDDIR/tests/leaker/go-cache
mkdir -p "$cache"
HOME=$cache GOCACHE=$cache GOPATH=$cache/path GOFLAGS= GO111MODULE=off \
	go build -o "$tmp/grow-go" "$MS_SRCDIR/tests/tools/growtrace/grow-go.go" ||
	ms_fail "go build: cannot build the Go target"

gt_start "$tmp/grow-go"
gt_trace_mix 300 -F 20000

got_a=$(gt_bytes "$tmp/out" main.leakA) got_b=$(gt_bytes "$tmp/out" main.leakB)
gt_within "main.leakA's bytes" "$got_a" "$GT_A" 25
gt_within "main.leakB's bytes" "$got_b" "$GT_B" 25
python3 - "$tmp/out" <<'PY' || ms_fail "Go: the top stack is not main.fill <- main.leakA in the Go heap"
import json, sys
s = json.load(open(sys.argv[1]))["stacks"][0]
names = [f["function"] for f in s["frames"]]
assert names[:3] == ["main.fill", "main.leakA", "main.main"], names
assert s["mapping"] == "Go heap arena (likely)", s["mapping"]
PY
leaker_stop
