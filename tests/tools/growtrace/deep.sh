#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A stack deeper than the copy: leak_a under 20 frames of recurse() of
# 1 KiB each.  With the default 4 KiB copy the stacks stop inside recurse(),
# before main, and the report counts the samples cut and says to raise
# --stack-size; with 32 KiB every frame is there: 21 recurse() (the
# program's own depth, 20, plus the first call) between leak_a and main,
# and none cut.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

depth=20
gt_start grow-O2
# trace ARGS...: the JSON of "deep $depth 100" traced with growtrace -J ARGS
trace()
{
	gt_attach -J "$@"
	leaker_cmd deep "$depth" 100
	gt_detach INT
	[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace $* exited with $GT_RC"; }
}

trace
python3 - "$tmp/out" <<'PY' || ms_fail "stacks cut at the default copy, not counted so"
import json, sys
j = json.load(open(sys.argv[1]))
s = j["summary"]
mine = [st for st in j["stacks"] if any(f["function"] == "leak_a" for f in st["frames"])]
assert mine, "no stack through leak_a"
cut = [st for st in mine if not any(f["function"] == "main" for f in st["frames"])]
assert cut and s["cut"] > 0 and s["stack_size"] == 4096, (s["cut"], s["stack_size"], len(cut))
PY
# The table's summary says so too.
gt_attach
leaker_cmd deep "$depth" 100
gt_detach INT
grep -q "^stacks: .* went on past the 4096 bytes copied, cut there (raise --stack-size)$" "$tmp/out" ||
	ms_fail "the summary does not say the stacks were cut: $(head -5 "$tmp/out")"
trace --stack-size 32768
python3 - "$tmp/out" "$depth" <<'PY' || ms_fail "stacks of a 32 KiB copy not whole"
import json, sys
j, depth = json.load(open(sys.argv[1])), int(sys.argv[2])
assert j["summary"]["cut"] == 0, j["summary"]["cut"]
mine = [st for st in j["stacks"] if any(f["function"] == "leak_a" for f in st["frames"])]
whole = 0
for st in mine:
    names = [f["function"] for f in st["frames"]]
    if "main" in names:
        between = names[names.index("leak_a") + 1:names.index("main")]
        assert between == ["recurse"] * (depth + 1), between
        whole += st["samples"]
assert whole >= 0.9 * sum(st["samples"] for st in mine), (whole, [st["samples"] for st in mine])
PY
leaker_stop
