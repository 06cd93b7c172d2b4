#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt runs growtrace during its watch: the target leaks 64 KiB blocks
# filled with 'a', about two through leak_a for one through leak_b, between
# every two snapshots.  The verdict names the code that first touched the
# pages of the blocks' cluster, leak_a, with its share of the heap's growth
# within 10 points of the program's own count; growtrace.json is in the
# report directory; with --no-trace neither is.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

gt_start
leaker_cmd mix 1
a0=$(leaker_field a) b0=$(leaker_field b)

# hunt ARGS...: leakhunt with the leak between snapshots; verdict in $tmp/verdict.
hunt()
{
	rm -rf "$tmp/r"
	# 120 blocks over about 25 ms each time: at the default rate that is
	# some 100 samples, not the few of a burst.
	ms_hooked "$tmp/hook" 'leaker_cmd mix 40 200' \
		"$MS_HOOKED/leakhunt" -p "$LEAKER_PID" -i 20ms --count 10 -w "$tmp/r" "$@" \
		> "$tmp/verdict" 2> "$tmp/err"
	[ "$MS_RC" -eq 1 ] || { cat "$tmp/err" "$tmp/verdict" >&2; ms_fail "leakhunt $*: exit status $MS_RC, not 1"; }
	cat "$tmp/verdict" >&2
}

hunt
grep -q "no growth stacks" "$tmp/err" && ms_fail "leakhunt could not trace: $(cat "$tmp/err")"
leaker_cmd mix 0
a=$(($(leaker_field a) - a0)) b=$(($(leaker_field b) - b0))
python3 - "$((a * 100 / (a + b)))" "$tmp/verdict" "$tmp/r/report.md" <<'PY' || ms_fail "the verdict does not name leak_a's stack"
import re, sys
truth = int(sys.argv[1])
for f in sys.argv[2:]:
    text = open(f).read()
    m = re.search(r"first touched by ([^,]*), (\d+)% of the growth of heap \(brk\)", text)
    assert m, (f, text[:400])
    assert "leak_a" in m.group(1), m.group(0)
    assert abs(int(m.group(2)) - truth) <= 10, (truth, m.group(0))
PY

[ "$(stat -c %a "$tmp/r/growtrace.json")" = 600 ] || ms_fail "no growtrace.json, mode 0600, in the report"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["summary"]["samples"] > 0' \
	"$tmp/r/growtrace.json" || ms_fail "growtrace.json has no samples"

hunt --no-trace
grep -q "first touched" "$tmp/verdict" && ms_fail "--no-trace: the verdict still has growth stacks"
[ ! -e "$tmp/r/growtrace.json" ] || ms_fail "--no-trace: growtrace.json written"
leaker_stop
