#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt runs growtrace during its watch: the target leaks 64 KiB blocks
# filled with 'a', two through leak_a for one through leak_b, between every
# two snapshots.  The verdict names the code that first touched the pages of
# the blocks' cluster (leak_a, at about two thirds of the heap's growth);
# with --no-trace it does not.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

MS_LEAKER=$MS_BUILDDIR/tests/tools/growtrace/grow
leaker_start
leaker_cmd mix 1

# hunt ARGS...: leakhunt with the leak between snapshots; verdict in $tmp/verdict.
hunt()
{
	rm -rf "$tmp/r"
	ms_hooked "$tmp/hook" 'leaker_cmd mix 40' \
		"$MS_BUILDDIR/tools/leakhunt" -p "$LEAKER_PID" -i 20ms -n 10 -o "$tmp/r" "$@" \
		> "$tmp/verdict" 2> "$tmp/err"
	[ "$MS_RC" -eq 1 ] || { cat "$tmp/err" "$tmp/verdict" >&2; ms_fail "leakhunt $*: exit status $MS_RC, not 1"; }
	cat "$tmp/verdict" >&2
}

hunt
grep -q "no growth stacks" "$tmp/err" && ms_fail "leakhunt could not trace: $(cat "$tmp/err")"
python3 - "$tmp/verdict" "$tmp/r/report.md" <<'PY' || ms_fail "the verdict does not name leak_a's stack"
import re, sys
for f in sys.argv[1:]:
    text = open(f).read()
    m = re.search(r"first touched by ([^,]*), (\d+)% of the growth of heap \(brk\)", text)
    assert m, (f, text[:400])
    assert "leak_a" in m.group(1), m.group(0)
    # Two blocks of three come through leak_a: the program's own split.
    assert abs(int(m.group(2)) - 67) <= 10, m.group(0)
PY

hunt --no-trace
grep -q "first touched" "$tmp/verdict" && ms_fail "--no-trace: the verdict still has growth stacks"
leaker_stop
