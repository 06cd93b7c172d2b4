#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two callers leak 2:1 (interleaved, 64 KiB blocks on the brk heap): the
# resident bytes growtrace gives the stacks through leak_a and leak_b match
# the program's own counts, as a share within 10% and each within 25%, and
# the table says the heap.  MS_GROW picks the build (grow-O2 for -O2 without frame
# pointers: see nofp.sh).
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate

gt_start "${MS_GROW:-grow}"
gt_trace_mix 300 -F 20000

got_a=$(gt_bytes "$tmp/out" leak_a) got_b=$(gt_bytes "$tmp/out" leak_b)
# The split is what the issue asks within 10%.  Each stack's bytes are
# samples times their period, and a kernel that throttles sampling (as it
# may for an unprivileged user) spreads what it counted unsampled: 25%,
# as in the other growtrace tests (an unprivileged run was 20% out).
gt_within "leak_a's share (per mille)" "$((got_a * 1000 / (got_a + got_b)))" \
	"$((GT_A * 1000 / (GT_A + GT_B)))" 10
gt_within "leak_a's bytes" "$got_a" "$GT_A" 25
gt_within "leak_b's bytes" "$got_b" "$GT_B" 25
python3 - "$tmp/out" <<'PY' || ms_fail "the top stack is not leak_a's on the heap"
import json, sys
s = json.load(open(sys.argv[1]))["stacks"][0]
names = [f["function"] for f in s["frames"]]
assert "leak_a" in names and names.index("leak_a") < names.index("main"), names
assert s["mapping"] == "heap (brk)", s["mapping"]
PY
leaker_stop
