#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An in-place deploy under a running target: another build is renamed over
# the path of the running one before growtrace attaches.  The stacks are
# still named from the file the process runs, read through
# /proc/PID/map_files (or /proc/PID/exe), and the frames say so in their
# note; never from the new file at the path.  Also when the process exits
# during the trace, before its frames are named: the files were opened,
# and checked, while it lived.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

cp "$MS_BUILDDIR/tests/tools/growtrace/grow-O2" "$tmp/grow"
gt_start "$tmp/grow"
# The deploy: a build of other code (the same program -O0 with frame pointers).
cp "$MS_BUILDDIR/tests/tools/growtrace/grow" "$tmp/grow.new"
mv "$tmp/grow.new" "$tmp/grow"
grep -q "$tmp/grow (deleted)$" "/proc/$LEAKER_PID/maps" || ms_fail "the running file was not replaced"
gt_attach -J
leaker_cmd leak a 100
gt_detach INT
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }
# check WHAT: leak_a's frames are named, from the file the process ran.
check()
{
	python3 - "$tmp/out" "$tmp/grow" <<'PY' || ms_fail "$1: frames of the replaced program not named from the file it ran"
import json, sys
j, path = json.load(open(sys.argv[1])), sys.argv[2]
frames = [f for s in j["stacks"] for f in s["frames"] if f["module"] and f["module"].startswith(path)]
named = [f for f in frames if f["function"] == "leak_a"]
assert named, sorted({f["function"] for f in frames})
assert all("replaced since" in (f.get("note") or "") for f in named), named[0]
PY
}
check "traced while it ran"
leaker_stop

# Again, but the process quits during the trace: growtrace ends by itself.
cp "$MS_BUILDDIR/tests/tools/growtrace/grow-O2" "$tmp/grow"
gt_start "$tmp/grow"
cp "$MS_BUILDDIR/tests/tools/growtrace/grow" "$tmp/grow.new"
mv "$tmp/grow.new" "$tmp/grow"
gt_attach -J
leaker_cmd leak a 100
leaker_stop
GT_RC=0
wait "$GT_PID" || GT_RC=$?
cat <&"$GT_ERR" > "$tmp/err"
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC after the target"; }
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["summary"]["exited"]' "$tmp/out" ||
	ms_fail "growtrace did not see the target exit"
check "the process exited during the trace"
