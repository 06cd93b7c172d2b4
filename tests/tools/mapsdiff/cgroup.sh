#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The leaker in a memory cgroup with a limit: mapsnap records the limit, and
# mapsdiff projects when the process reaches it without being told.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
ms_tmpdir

# cgroup v2 if it has the memory controller, else v1's memory hierarchy.
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	cg=/sys/fs/cgroup/memsift-test-$$ limitfile=memory.max
elif [ -d /sys/fs/cgroup/memory ]; then
	cg=/sys/fs/cgroup/memory/memsift-test-$$ limitfile=memory.limit_in_bytes
else
	ms_skip "no memory cgroup controller mounted"
fi
mkdir "$cg" 2>/dev/null || ms_skip "cannot create a cgroup at $cg (not root, or delegated cgroups only)"
ms_at_exit "rmdir '$cg'"
echo $((512 << 20)) > "$cg/$limitfile" || ms_fail "cannot set $cg/$limitfile"

leaker_start
echo "$LEAKER_PID" > "$cg/cgroup.procs" || ms_fail "cannot move the leaker into $cg"
mkdir "$tmp/s"
for i in 1 2 3 4; do
	"$mapsnap" -p "$LEAKER_PID" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"
	leaker_cmd malloc 1000 4096 0x54
done
grep -qx "# memory.max: $((512 << 20))" "$tmp/s/4.snap" || ms_error "limit not recorded: $(grep '^# [cm]' "$tmp/s/4.snap")"
grep -q "^# cgroup: .*memsift-test-$$$" "$tmp/s/4.snap" || ms_error "cgroup not recorded"

"$mapsdiff" "$tmp/s" > "$tmp/out"
grep -q "^reaches the limit of 512M in about .* at this rate$" "$tmp/out" || ms_error "no projection: $(tail -n 3 "$tmp/out")"
# --limit wins over the recorded one.
"$mapsdiff" --limit 1G "$tmp/s" | grep -q "^reaches the limit of 1G in about " || ms_fail "--limit ignored"
leaker_stop
exit 0
