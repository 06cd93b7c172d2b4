#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt's trouble: a pid that is gone, bad usage, a report directory that
# exists, and a process that exits mid-hunt (what was gathered is reported,
# and the status says the hunt is incomplete).  All exit 2.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

expect2() # WHAT CMD...: exits 2 with one line on stderr
{
	local what=$1 rc=0
	shift
	"$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] || ms_error "$what: exit status $rc, not 2"
	[ ! -s "$tmp/out" ] || ms_error "$what: wrote to stdout"
}

# A pid that exists for no process: the kernel's pid_max is the bound.
gone=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
kill -0 "$gone" 2>/dev/null && ms_skip "pid $gone exists"
cd "$tmp"
expect2 "gone pid" "$bin/leakhunt" -p "$gone" -i 10ms
grep -qx "leakhunt: pid $gone: no such process" "$tmp/err" || { cat "$tmp/err" >&2; ms_fail "gone pid: wrong message"; }
[ -z "$(ls "$tmp" | grep leakhunt-)" ] || ms_error "gone pid: a report directory was left"
expect2 "no pid" "$bin/leakhunt"
grep -q "^leakhunt: no process given; use -p PID" "$tmp/err" || ms_error "no pid: wrong message"
expect2 "-n and -d" "$bin/leakhunt" -p $$ --count 5 -d 1m
grep -q "mutually exclusive" "$tmp/err" || ms_error "-n and -d: wrong message"
expect2 "-n below --confirm" "$bin/leakhunt" -p $$ --count 3
expect2 "bad interval" "$bin/leakhunt" -p $$ -i often

leaker_start
pid=$LEAKER_PID
mkdir "$tmp/exists"
expect2 "existing dir" "$bin/leakhunt" -p "$pid" -i 10ms -w "$tmp/exists"
grep -q "exists; a hunt writes into a new directory" "$tmp/err" || ms_error "existing dir: wrong message"

# The leaker grows, then quits after the second snapshot.
mkfifo "$tmp/hook"
(
	read -r line < "$tmp/hook" && leaker_cmd malloc 1000 4096 T && echo go > "$tmp/hook"
	# "ok bye" comes before the exit: wait for EOF on its stdout (the kernel
	# closes files after freeing the memory), or the third snapshot could
	# still see it and leakhunt would wait on a hook nobody answers.
	read -r line < "$tmp/hook" && leaker_cmd quit
	IFS= read -r -t "$MS_LEAKER_TIMEOUT" -u "$LEAKER_IN" line
	echo go > "$tmp/hook"
) &
driver=$!
ms_at_exit "kill $driver 2>/dev/null"
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook expect2 "exit mid-hunt" "$MS_HOOKED/leakhunt" -p "$pid" -i 10ms -w "$tmp/r"
wait "$driver"
cat "$tmp/err" >&2
grep -q "^leakhunt: pid $pid: exited after 2 snapshots; reporting what was gathered" "$tmp/err" ||
	ms_fail "exit mid-hunt: not said"
grep -q "^\*\*Hunt incomplete:\*\* pid $pid exited after 2 snapshots" "$tmp/r/report.md" ||
	ms_fail "exit mid-hunt: the report does not say so"
[ -f "$tmp/r/snapshots/0002.snap" ] || ms_error "exit mid-hunt: snapshots not kept"
exit 0
