#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ^C during the watch: leakhunt stops watching and reports what it gathered,
# saying it was interrupted and after how many snapshots; a second ^C aborts
# at once and leaves no report; SIGKILL leaves no file named like a finished
# one.  The test hook reports each snapshot ("snapshot N") and the stop
# ("stopped N") and waits for an answer, so every signal arrives at a known
# point.  The leaker is never left stopped.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
hook=$tmp/hook
mkfifo "$hook"

leaker_start
pid=$LEAKER_PID

# Start leakhunt in the background with SIGINT at its default: bash makes a
# background job ignore it otherwise, and leakhunt leaves an ignored SIGINT alone.
hunt() # DIR
{
	(trap - INT; MEMSIFT_TEST_HOOK=snapshot:$hook exec "$MS_HOOKED/leakhunt" -p "$pid" -i 10ms \
		--count 20 -w "$1" 2> "$tmp/err") &
	lh=$!
	ms_at_exit "kill -KILL $lh 2>/dev/null"
}
expect() # LINE: the hook's next line
{
	local line
	read -r line < "$hook"
	[ "$line" = "$1" ] || ms_error "hook said \"$line\", not \"$1\""
}
go() { echo go > "$hook"; }
finish() # STATUS: leakhunt's exit status
{
	local rc=0
	wait "$lh" || rc=$?
	cat "$tmp/err" >&2
	[ "$rc" -eq "$1" ] || ms_error "exit status $rc, not $1"
}
not_stopped()
{
	local state
	state=$(awk '{ print $3 }' "/proc/$pid/stat")
	[ "$state" != T ] && [ "$state" != t ] || ms_error "the leaker was left stopped ($state)"
	leaker_cmd report
}

# SIGINT after two snapshots: too few to judge; the report says so.  They
# grew by 1,000 blocks of 4 KiB, so it also says it grew, not yet
# confirmed, and exits 3 (not 2: growth seen is an answer of its own).
hunt "$tmp/two"
expect "snapshot 1"; leaker_cmd malloc 1000 4096 T; go
expect "snapshot 2"; kill -INT "$lh"; go
expect "stopped 2"; go
finish 3
grep -q "^leakhunt: interrupted after 2 snapshots; reporting what was gathered" "$tmp/err" ||
	ms_fail "two: the interruption is not said"
grep -q '^\*\*Hunt interrupted:\*\* by SIGINT after 2 snapshots, too few to judge growth on (it needs 3); it grew, not yet confirmed: \[heap\] grew +3\.9M and the process +' "$tmp/two/report.md" ||
	{ cat "$tmp/two/report.md" >&2; ms_fail "two: the report does not say it was interrupted after growth"; }
[ -f "$tmp/two/snapshots/0002.snap" ] && [ ! -e "$tmp/two/snapshots/0003.snap" ] ||
	ms_fail "two: not two snapshots"
[ ! -e "$tmp/two/grown.dump" ] || ms_error "two: a dump without a verdict"
not_stopped

# SIGTERM after three snapshots that grew (1,000 chunks from above, 2,000
# more now): judged on those three (--confirm
# asks for four), dumped and reported, exit 1.
hunt "$tmp/three"
expect "snapshot 1"; leaker_cmd malloc 1000 4096 T; go
expect "snapshot 2"; leaker_cmd malloc 1000 4096 T; go
expect "snapshot 3"; kill -TERM "$lh"; go
expect "stopped 3"; go
finish 1
grep -q "^leakhunt: growth seen after 3 snapshots; dumping what grew" "$tmp/err" ||
	ms_fail "three: growth not seen"
r=$tmp/three/report.md
grep -Eq "^\*\*Likely leaking:\*\* 3,00[0-9] × 4112-byte objects filled with 'T'" "$r" ||
	{ cat "$r" >&2; ms_fail "three: the verdict does not name the 'T' chunks"; }
grep -q '^The hunt was interrupted by SIGTERM after 3 snapshots' "$r" ||
	ms_fail "three: the report does not say it was interrupted"
for f in grown.dump grown.dump.json analysis.json; do
	[ -f "$tmp/three/$f" ] || ms_error "three: no $f"
done
not_stopped

# A second SIGINT aborts: dies of the signal, no report, no temporaries.
hunt "$tmp/abort"
expect "snapshot 1"; kill -INT "$lh"; go
expect "stopped 1"; kill -INT "$lh"
finish 130
[ ! -e "$tmp/abort/report.md" ] || ms_error "abort: a report after the second SIGINT"
left=$(find "$tmp/abort" -name '.*')
[ -z "$left" ] || ms_error "abort: temporaries left: $left"
not_stopped

# SIGKILL mid-watch: only the finished snapshots carry final names.
hunt "$tmp/kill"
expect "snapshot 1"; leaker_cmd malloc 1000 4096 T; go
expect "snapshot 2"; kill -KILL "$lh"
finish 137
left=$(cd "$tmp/kill" && find . -type f ! -name '.*' | sort | tr '\n' ' ')
[ "$left" = "./snapshots/0001.snap ./snapshots/0002.snap " ] ||
	ms_fail "kill: files with final names: $left"
not_stopped
leaker_stop
exit 0
