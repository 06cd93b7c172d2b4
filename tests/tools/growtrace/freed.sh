#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Netting: leak_a touches a 40 MiB block (its own anonymous mapping) and
# leak_b 10 MiB; then both are freed (munmap).  GROWN keeps what each made
# resident, RESIDENT nets what was freed: 0 for both, and the summary says
# the process did not grow.  Then a block that stays: resident again.
# The figures are held to the program's own, so the full sample rate is
# needed (an unprivileged user's perf buffers lose whole callers' samples).
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate

gt_start
gt_attach -F 20000 -J
leaker_cmd big a 40
leaker_cmd big b 10
leaker_cmd free
leaker_cmd big b 8
gt_detach INT
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }

python3 - "$tmp/out" <<'PY' || ms_fail "freed pages not netted"
import json, sys
j = json.load(open(sys.argv[1]))
def total(func, key):
    return sum(s[key] for s in j["stacks"] if any(f["function"] == func for f in s["frames"]))
MiB = 1 << 20
ga, gb = total("leak_a", "grown"), total("leak_b", "grown")
ra, rb = total("leak_a", "resident"), total("leak_b", "resident")
assert abs(ga - 40 * MiB) <= 4 * MiB, ("leak_a grown", ga)
assert abs(gb - 18 * MiB) <= 1.8 * MiB, ("leak_b grown", gb)
assert ra <= MiB // 10, ("leak_a resident after free", ra)
assert abs(rb - 8 * MiB) <= 0.8 * MiB, ("leak_b resident", rb)
assert j["summary"]["netted"] is True, j["summary"]
PY
leaker_stop
