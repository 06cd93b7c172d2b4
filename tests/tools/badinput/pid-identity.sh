#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A pid is not a process.  When the process watched execs another program,
# or exits and its pid is given to a new process, mapswatch and leakhunt stop
# and say so rather than judge the newcomer on the old one's series;
# mapsdiff judges only the snapshots of the newest process of a series; and
# every snapshot and manifest records which process it was (start time and
# executable), as /proc/PID/stat and the executable's inode say.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

# A target that execs the leaker when told: python reads the line, then execs.
exec_target()
{
	mkfifo "$tmp/in" "$tmp/out"
	python3 -c '
import os, sys
print("ready", os.getpid(), flush=True)
for line in sys.stdin:
    if line.strip() == "exec":
        os.execv(sys.argv[1], [sys.argv[1]])
    print("ok", flush=True)' "$MS_LEAKER" < "$tmp/in" > "$tmp/out" &
	tpid=$!
	ms_at_exit "kill $tpid 2>/dev/null"
	exec {tin}> "$tmp/in" {tout}< "$tmp/out"
	read -r _ tpid <&"$tout" || ms_fail "the python target did not start"
}
# Tell the target to exec, and wait until the kernel says it has.
exec_now()
{
	local exe0
	exe0=$(readlink "/proc/$tpid/exe")
	echo exec >&"$tin"
	read -r line <&"$tout" || ms_fail "the leaker did not start in the exec'd target"
	[ "$(readlink "/proc/$tpid/exe")" != "$exe0" ] || ms_error "the target did not exec"
}
command -v python3 > /dev/null || ms_skip "no python3 for the exec'ing target"

# The snapshot says which process: start time (stat field 22) and exe's inode.
exec_target
"$bin/mapsnap" -p "$tpid" -w "$tmp/1.snap" || ms_fail "mapsnap"
st=$(sed 's/.*) //' "/proc/$tpid/stat" | awk '{ print $20 }')
grep -qx "# starttime: $st" "$tmp/1.snap" || ms_error "the snapshot's start time is not stat's $st"
ino=$(stat -L -c %i "/proc/$tpid/exe")
grep -q "^# exe_id: [0-9a-f]*:$(printf '%x' "$ino")$" "$tmp/1.snap" || ms_error "the snapshot's exe_id is not the inode $ino"

# mapsdiff over a series across an exec: the new program's snapshots only.
mkdir "$tmp/s"
for i in 1 2 3; do "$bin/mapsnap" -p "$tpid" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"; done
exec_now
for i in 4 5; do "$bin/mapsnap" -p "$tpid" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"; done
"$bin/mapsdiff" "$tmp/s" > /dev/null 2> "$tmp/err"
grep -qx "mapsdiff: $tmp/s/4.snap: pid $tpid exec'd another program since $tmp/s/3.snap; judging the 2 snapshots from $tmp/s/4.snap on" "$tmp/err" ||
	ms_fail "mapsdiff across an exec: $(cat "$tmp/err")"
kill "$tpid"
exec {tin}>&- {tout}<&-
rm -f "$tmp/in" "$tmp/out"

# mapswatch: an exec after the second sample ends the watch, and says how.
exec_target
ms_hooked "$tmp/hook" '[ "$line" = "snapshot 2" ] && exec_now' \
	"$MS_HOOKED/mapswatch" -p "$tpid" -i 10ms --count 10 --batch > /dev/null 2> "$tmp/err"
[ "$MS_RC" = 0 ] || ms_error "mapswatch: exit $MS_RC: $(cat "$tmp/err")"
grep -qx "mapswatch: pid $tpid exec'd another program; the watch ends after 2 samples" "$tmp/err" ||
	ms_fail "mapswatch across an exec: $(cat "$tmp/err")"
kill "$tpid"
exec {tin}>&- {tout}<&-
rm -f "$tmp/in" "$tmp/out"

# leakhunt: the same, and the report says the hunt is incomplete, and why.
exec_target
ms_hooked "$tmp/hook" '[ "$line" = "snapshot 2" ] && exec_now' \
	"$MS_HOOKED/leakhunt" -p "$tpid" -i 10ms --count 10 -w "$tmp/r" > /dev/null 2> "$tmp/err"
[ "$MS_RC" = 2 ] || ms_error "leakhunt: exit $MS_RC, not 2 (trouble): $(cat "$tmp/err")"
grep -q "^leakhunt: pid $tpid exec'd another program after 2 snapshots; reporting what was gathered on the first$" "$tmp/err" ||
	ms_fail "leakhunt across an exec: $(cat "$tmp/err")"
grep -q "^\*\*Hunt incomplete:\*\* pid $tpid exec'd another program after 2 snapshots" "$tmp/r/report.md" ||
	ms_fail "the report does not say the pid became another program: $(sed -n 6p "$tmp/r/report.md")"
kill "$tpid"
exec {tin}>&- {tout}<&-
rm -f "$tmp/in" "$tmp/out"

# regiondump: an exec mid-dump leaves a manifest that says it is not whole.
exec_target
heap=$(awk '$NF == "[heap]" { split($1, r, "-"); print "0x" r[1]; exit }' "/proc/$tpid/maps")
[ -n "$heap" ] || ms_fail "the python target has no [heap]"
mkfifo "$tmp/dhook"
MEMSIFT_TEST_HOOK=progress:$tmp/dhook "$MS_HOOKED/regiondump" -p "$tpid" --mapping "$heap" \
	-o "$tmp/d" 2> "$tmp/err" &
rd=$!
read -r ev < "$tmp/dhook"
exec_now
echo go > "$tmp/dhook"
rc=0
wait "$rd" || rc=$?
python3 - "$tmp/d.json" <<'PY' || ms_fail "regiondump across an exec (exit $rc): $(cat "$tmp/err")"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["complete"] is False and m["process_changed"] == "exec'd another program", m
PY
grep -q "pid $tpid exec'd another program during the dump; kept the [0-9]* bytes read, marked incomplete" "$tmp/err" ||
	ms_fail "regiondump does not say the process changed: $(cat "$tmp/err")"
kill "$tpid"
exec {tin}>&- {tout}<&-
rm -f "$tmp/in" "$tmp/out"

# A reused pid, made in a pid namespace of our own (ns_last_pid), root only.
[ "$(id -u)" = 0 ] && command -v unshare > /dev/null ||
	ms_skip "pid reuse needs root and unshare(1) for a pid namespace of its own"
sleep=$(readlink -f "$(command -v sleep)")
unshare --pid --fork --mount-proc bash -c '
	started() { until [ "$(readlink "/proc/$1/exe")" = "$2" ]; do :; done; }
	"$2" 1000 &
	a=$!
	started "$a" "$2"
	"$1" -p "$a" -o "$3/a.snap" || exit 3
	sa=$(sed "s/.*) //" "/proc/$a/stat" | cut -d" " -f20)
	kill -9 "$a"; wait "$a" 2>/dev/null
	st() { sed "s/.*) //" "/proc/$1/stat" | cut -d" " -f20; }
	# The start time counts clock ticks: the newcomer must start a tick later
	# than its namesake, as any pid reuse outside a test does.
	while :; do
		echo $((a - 1)) > /proc/sys/kernel/ns_last_pid
		"$2" 1000 &
		b=$!
		[ "$a" = "$b" ] || { echo "pid $b, not $a again" >&2; exit 4; }
		started "$b" "$2"
		[ "$(st "$b")" != "$sa" ] && break
		kill -9 "$b"; wait "$b" 2>/dev/null
	done
	"$1" -p "$b" -o "$3/b.snap" || exit 3
	kill -9 "$b"' reuse "$bin/mapsnap" "$sleep" "$tmp" 2> "$tmp/err" ||
	ms_fail "making a reused pid: $(cat "$tmp/err")"
mkdir "$tmp/reuse"
cp "$tmp/a.snap" "$tmp/reuse/1.snap"
cp "$tmp/b.snap" "$tmp/reuse/2.snap"
cp "$tmp/b.snap" "$tmp/reuse/3.snap"
"$bin/mapsdiff" "$tmp/reuse" > /dev/null 2> "$tmp/err"
grep -q "^mapsdiff: $tmp/reuse/2.snap: pid [0-9]* was reused: another process started with it since $tmp/reuse/1.snap" "$tmp/err" ||
	ms_fail "mapsdiff across a reused pid: $(cat "$tmp/err")"
exit 0
