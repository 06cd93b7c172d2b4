#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt on a leaker that allocated once and then holds steady: every
# snapshot is the same, so after -n 5 it exits 0 and the report says nothing
# is leaking, with no dump.  A cache that fills once and stops (levelled off)
# is not a leak either.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 1000 4096 T
leaker_cmd struct 500
rc=0
"$bin/leakhunt" -p "$pid" -i 10ms --count 5 -w "$tmp/r" 2> "$tmp/err" || rc=$?
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc on a steady process, not 0"
grep -q '^\*\*Nothing is leaking:\*\* over 5 snapshots' "$tmp/r/report.md" ||
	{ cat "$tmp/r/report.md" >&2; ms_fail "the report does not say nothing is leaking"; }
[ -f "$tmp/r/snapshots/0005.snap" ] || ms_error "not five snapshots"
[ ! -e "$tmp/r/grown.dump" ] || ms_error "a dump although nothing leaks"
grep -q 'growth confirmed' "$tmp/err" && ms_fail "growth confirmed on a steady process"

# -d instead of -n: slots at 0, 10 ... 50ms, none after the duration; each
# slot a snapshot, or skipped (and counted) when the one before overran it,
# as a loaded machine makes them.
rc=0
"$bin/leakhunt" -p "$pid" -i 10ms -d 50ms -w "$tmp/d" 2> "$tmp/err" || rc=$?
[ "$rc" -eq 0 ] || ms_error "-d: exit status $rc, not 0"
taken=$(ls "$tmp/d/snapshots" | grep -c '\.snap$')
skipped=$(sed -n 's/^leakhunt: \([0-9]*\) snapshots skipped: .*/\1/p' "$tmp/err")
[ $((taken + ${skipped:-0})) -eq 6 ] ||
	ms_fail "-d 50ms -i 10ms: $taken snapshots and ${skipped:-no} skipped, not six slots: $(cat "$tmp/err")"

# One 16 MiB fill between the first two snapshots, then nothing: levelled off.
mkfifo "$tmp/hook"
(
	read -r line < "$tmp/hook" && leaker_cmd mmap 16M 0xa5 && echo go > "$tmp/hook"
	while read -r line < "$tmp/hook"; do echo go > "$tmp/hook"; done
) &
driver=$!
ms_at_exit "kill $driver 2>/dev/null"
rc=0
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/leakhunt" -p "$pid" -i 10ms --count 6 -w "$tmp/c" \
	2> "$tmp/err" || rc=$?
kill "$driver" 2>/dev/null
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc for a cache filled once, not 0"
grep -q 'levelled off' "$tmp/c/report.md" || ms_error "the filled cache is not shown levelled off"
# Above the verdict: the host, kernel, version, command and window, each as
# uname, --version and the snapshots' own headers say.
line=$(sed -n 3p "$tmp/c/report.md")
version=$("$MS_BUILDDIR/tools/leakhunt" --version | awk '{ print $NF }')
t0=$(sed -n 's/^# time: \(....-..-..\)T\(..:..:..\).*/\1 \2/p' "$tmp/c/snapshots/0001.snap")
case $line in
"host \`$(uname -n)\`, Linux $(uname -r), memsift $version, $t0 to "*" UTC ("*", 6 snapshots)  ") ;;
*) ms_fail "report.md's line 3 is not the host, kernel, version and window: \"$line\"" ;;
esac
grep -qx "command: \`$MS_HOOKED/leakhunt -p $pid -i 10ms --count 6 -w $tmp/c\`" "$tmp/c/report.md" ||
	ms_fail "report.md does not give the command: $(sed -n 4p "$tmp/c/report.md")"
leaker_stop
exit 0
