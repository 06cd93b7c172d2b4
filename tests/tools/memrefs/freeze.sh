#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memrefs freezes every thread only while it copies the image: killed with
# SIGKILL during the freeze, it leaves the target running and untraced, and
# no temporary file behind; a target killed during the freeze makes memrefs
# fail with one line, and exit 2, not hang or crash.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need_ptrace
# The installed memrefs has no hook: no environment holds its freeze open.
grep -q MEMSIFT_TEST_HOOK "$memrefs" && ms_fail "tools/memrefs reads MEMSIFT_TEST_HOOK"
grep -q MEMSIFT_TEST_HOOK "$MS_HOOKED/memrefs" || ms_fail "the test build $MS_HOOKED/memrefs has no hook"
mkdir "$tmp/t"
export TMPDIR=$tmp/t

leaker_start
pid=$LEAKER_PID
leaker_cmd thread 10 1024 0x71
leaker_cmd thread 10 1024 0x72
leaker_cmd malloc 100 4096 0x5e
[ "$(ls /proc/"$pid"/task | wc -l)" = 3 ] || ms_fail "leaker has not 3 threads"
tracer() { awk '/^TracerPid:/ { print $2 }' /proc/"$pid"/task/"$1"/status; }

# A whole run leaves every thread untraced.
memrefs_run 0-1 "$tmp/out" -p "$pid"
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = 0 ] || ms_error "thread $t still traced after memrefs"
done
leaker_cmd report

mkfifo "$tmp/hook"
MEMSIFT_TEST_HOOK=frozen:$tmp/hook "$MS_HOOKED/memrefs" -p "$pid" > /dev/null 2>&1 &
mr=$!
read -r ev < "$tmp/hook"
[ "$ev" = frozen ] || ms_error "hook said \"$ev\""
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = "$mr" ] || ms_error "thread $t not traced by memrefs ($mr) while frozen"
	grep -q '^State:.*t (tracing stop)' /proc/"$pid"/task/"$t"/status || ms_error "thread $t not stopped"
done
[ -z "$(ls -A "$tmp/t")" ] || ms_error "the image has a name: $(ls -A "$tmp/t")"
kill -KILL "$mr"
wait "$mr" 2>/dev/null || :
# The kernel detached on memrefs's death: the leaker answers again.
leaker_cmd malloc 1 4096 0x01
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = 0 ] || ms_error "thread $t still traced after memrefs was killed"
	grep -q '^State:.*[RS] (' /proc/"$pid"/task/"$t"/status || ms_error "thread $t left stopped: $(grep State /proc/"$pid"/task/"$t"/status)"
done
leaker_stop

# The target dies while frozen: memrefs says so and exits 2.
leaker_start
pid=$LEAKER_PID
MEMSIFT_TEST_HOOK=frozen:$tmp/hook "$MS_HOOKED/memrefs" -p "$pid" > /dev/null 2> "$tmp/err" &
mr=$!
read -r ev < "$tmp/hook"
[ "$ev" = frozen ] || ms_error "hook said \"$ev\""
kill -KILL "$pid"
echo go > "$tmp/hook"
rc=0
wait "$mr" || rc=$?
[ "$rc" = 2 ] || ms_error "target killed while frozen: exit $rc, want 2: $(cat "$tmp/err")"
[ "$(grep -c . "$tmp/err")" -le 3 ] || ms_error "more than one line of trouble: $(cat "$tmp/err")"
grep -q "^memrefs: .*$pid" "$tmp/err" || ms_error "the message does not name pid $pid: $(cat "$tmp/err")"
ms_leaker_cpid=
[ -z "$(ls -A "$tmp/t")" ] || ms_error "files left in TMPDIR: $(ls -A "$tmp/t")"
exit 0
