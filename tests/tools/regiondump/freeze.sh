#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --freeze stops every thread for the dump and lets them go; a regiondump
# killed with SIGKILL while the target is frozen leaves the target running.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd thread 10 1024 0x71
leaker_cmd thread 10 1024 0x72
leaker_cmd mmap 1M 0x5e
addr=$(leaker_field addr)
nthreads=$(ls /proc/"$pid"/task | wc -l)
[ "$nthreads" = 3 ] || ms_error "leaker has $nthreads threads, want 3"

tracer() { awk '/^TracerPid:/ { print $2 }' /proc/"$pid"/task/"$1"/status; }

"$regiondump" --freeze -p "$pid" "$addr" 1M -w "$tmp/f" 2>"$tmp/err" || ms_fail "--freeze: $(cat "$tmp/err")"
grep -qx '  "target_stopped": true,' "$tmp/f.json" || ms_error "manifest: target_stopped not true"
grep -q '^  "pause_ns": [0-9][0-9]*,$' "$tmp/f.json" || ms_error "manifest: no pause_ns"
grep -q "^regiondump: pid $pid: stopped for [0-9.]* ms$" "$tmp/err" || ms_error "pause not reported: $(cat "$tmp/err")"
[ "$(od -An -tx1 -j 4095 -N 1 "$tmp/f" | tr -d ' ')" = 5e ] || ms_error "--freeze dump content"
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = 0 ] || ms_error "thread $t still traced after --freeze"
done
leaker_cmd report

# The test hook holds regiondump once every thread is stopped.
mkfifo "$tmp/hook"
MEMSIFT_TEST_HOOK=frozen:$tmp/hook "$MS_HOOKED/regiondump" --freeze -p "$pid" "$addr" 1M -w "$tmp/k" 2>"$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = frozen ] || ms_error "hook said \"$ev\""
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = "$rd" ] || ms_error "thread $t not traced by regiondump ($rd) while frozen"
	grep -q '^State:.*t (tracing stop)' /proc/"$pid"/task/"$t"/status || ms_error "thread $t not stopped"
done
kill -KILL "$rd"
wait "$rd" 2>/dev/null || :
# The kernel detached on regiondump's death: the leaker answers again.
leaker_cmd mmap 4K 0x01
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = 0 ] || ms_error "thread $t still traced after regiondump was killed"
done
[ ! -e "$tmp/k" ] || ms_error "a killed dump left a file under its final name"
leaker_stop
exit 0
