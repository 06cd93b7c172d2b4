# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for growtrace's tests, sourced after tests/lib.sh.  The targets
# (grow, grow-O2, grow-go) speak the leaker's protocol: "ready PID", then a
# reply to each command once it is done, with their own byte counts.
#
#   gt_need_perf            skip unless the page-fault event can be opened here
#   gt_start [TARGET]       start tests/tools/growtrace/TARGET (grow by default),
#                           or the program at path TARGET: LEAKER_PID
#   gt_attach ARGS...       start growtrace -p $LEAKER_PID ARGS, output in
#                           $tmp/out, and wait for its "attached" line
#   gt_detach [SIGNAL]      signal it (INT by default) and wait: GT_RC, $tmp/err
#   gt_trace_mix N ARGS...  trace the target's "mix N" with growtrace -J ARGS:
#                           GT_A and GT_B, the bytes it says each caller
#                           leaked meanwhile; the JSON in $tmp/out
#   gt_bytes JSON FUNC      resident bytes of the stacks with FUNC in them

: "${MS_SRCDIR:=.}"
ms_tmpdir
growtrace=$MS_BUILDDIR/tools/growtrace
GT_PID=

# The tests that hold sampled bytes to the program's own counts need the
# full sample rate: the kernel limits an unprivileged user's perf ring
# buffers to kernel.perf_event_mlock_kb, and the samples lost and throttled
# then make the figures a statistical guess (seen 20% out).  Root, or
# CAP_IPC_LOCK, is not limited.
gt_full_rate()
{
	[ "$(id -u)" -eq 0 ] && return 0
	grep -q '^CapEff:.*[0-9a-f]' /proc/self/status &&
		[ $(( 0x$(awk '/^CapEff:/ { print $2 }' /proc/self/status) >> 14 & 1 )) -eq 1 ]
}

gt_need_full_rate()
{
	gt_full_rate && return 0
	ms_skip "not root, without CAP_IPC_LOCK: perf's buffers are limited to kernel.perf_event_mlock_kb=$(cat /proc/sys/kernel/perf_event_mlock_kb 2>/dev/null) KiB, too few samples to hold them to the program's counts"
}

gt_need_perf()
{
	local p

	p=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null) ||
		ms_skip "no /proc/sys/kernel/perf_event_paranoid: this kernel has no perf events"
	# Root (or CAP_PERFMON) may always; others up to paranoid 2 on their own processes.
	if [ "$(id -u)" -ne 0 ] && [ "$p" -gt 2 ]; then
		ms_skip "kernel.perf_event_paranoid=$p and not root: page-fault sampling refused"
	fi
	case $(uname -m) in
	x86_64) ;;
	*) ms_skip "growtrace unwinds x86_64 samples only" ;;
	esac
}

gt_start()
{
	case ${1:-grow} in
	*/*) MS_LEAKER=$1 ;;
	*) MS_LEAKER=$MS_BUILDDIR/tests/tools/growtrace/${1:-grow} ;;
	esac
	leaker_start
}

gt_attach()
{
	local line

	mkfifo "$tmp/stderr"
	"$growtrace" -p "$LEAKER_PID" "$@" > "$tmp/out" 2> "$tmp/stderr" &
	GT_PID=$!
	ms_at_exit "kill -KILL $GT_PID 2>/dev/null"
	exec {GT_ERR}< "$tmp/stderr"
	IFS= read -r -t 60 -u "$GT_ERR" line || {
		wait "$GT_PID"
		ms_fail "growtrace ended (status $?) before attaching"
	}
	case $line in
	"growtrace: attached to pid $LEAKER_PID "*) ;;
	*) cat <&"$GT_ERR" >&2; ms_fail "growtrace: expected \"attached\", got: $line" ;;
	esac
}

gt_detach()
{
	GT_RC=0
	kill -"${1:-INT}" "$GT_PID" || ms_fail "growtrace (pid $GT_PID) was gone before the signal"
	wait "$GT_PID" || GT_RC=$?
	cat <&"$GT_ERR" > "$tmp/err"
	exec {GT_ERR}<&-
	rm -f "$tmp/stderr"
}

gt_trace_mix()
{
	local n=$1 a0 b0
	shift
	leaker_cmd mix 1
	a0=$(leaker_field a) b0=$(leaker_field b)
	gt_attach -J "$@"
	leaker_cmd mix "$n"
	GT_A=$(($(leaker_field a) - a0)) GT_B=$(($(leaker_field b) - b0))
	gt_detach INT
	[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }
}

gt_bytes()
{
	python3 - "$1" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(sum(s["resident"] for s in j["stacks"]
          if any(f["function"] == sys.argv[2] for f in s["frames"])))
PY
}

# gt_within NAME GOT WANT PCT: GOT is within PCT percent of WANT.
gt_within()
{
	python3 -c 'import sys; g, w, p = map(float, sys.argv[1:4]); sys.exit(abs(g - w) > w * p / 100)' \
		"$2" "$3" "$4" || ms_fail "$1: $2, expected $3 within $4%"
}
