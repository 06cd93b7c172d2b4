#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# growtrace never stops its target and leaves nothing behind: during the
# trace and after SIGINT, SIGTERM or SIGKILL of growtrace, the target is
# running or sleeping (never stopped), untraced (TracerPid 0), and answers.
# SIGINT and SIGTERM print the report and exit 0.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

gt_start

untouched()
{
	local state tracer
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$LEAKER_PID/status")
	tracer=$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$LEAKER_PID/status")
	case $state in
	R|S) ;;
	*) ms_fail "$1: the target is in state $state" ;;
	esac
	[ "$tracer" = 0 ] || ms_fail "$1: the target is traced by pid $tracer"
	leaker_cmd leak b 1
}

for sig in INT TERM KILL; do
	gt_attach
	untouched "attached"
	leaker_cmd leak a 20
	gt_detach "$sig"
	untouched "after SIG$sig"
	if [ "$sig" = KILL ]; then
		[ "$GT_RC" -eq 137 ] || ms_fail "SIGKILL: status $GT_RC"
		continue
	fi
	[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "SIG$sig: exit status $GT_RC"; }
	grep -q "^pid $LEAKER_PID: .* traced for" "$tmp/out" || ms_fail "SIG$sig: no report"
	grep -q "leak_a" "$tmp/out" || ms_fail "SIG$sig: no leak_a in the report"
done
leaker_stop
