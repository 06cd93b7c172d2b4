#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The event refused: under a seccomp filter that returns EPERM for
# perf_event_open (a container's default profile), and as an unprivileged
# user tracing another user's process with kernel.perf_event_paranoid >= 2.
# Each gives one line on stderr naming the pid and the cause, nothing on
# stdout, exit status 2; and the target runs on.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"

gt_start

# check_refusal WHAT WORD COMMAND...: one line with WORD and the pid, exit 2.
check_refusal()
{
	local what=$1 word=$2 rc=0
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] || { cat "$tmp/err" >&2; ms_fail "$what: exit status $rc, expected 2"; }
	[ ! -s "$tmp/out" ] || ms_fail "$what: output on stdout: $(cat "$tmp/out")"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || { cat "$tmp/err" >&2; ms_fail "$what: not one line on stderr"; }
	grep -q "^growtrace: pid $LEAKER_PID: perf_event_open refused .*$word" "$tmp/err" ||
		ms_fail "$what: the line does not say $word: $(cat "$tmp/err")"
}

"$MS_BUILDDIR/tests/tools/growtrace/noperf" true ||
	ms_skip "cannot install a seccomp filter here"
check_refusal "seccomp" "seccomp" \
	"$MS_BUILDDIR/tests/tools/growtrace/noperf" "$growtrace" -p "$LEAKER_PID"

paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo -)
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null && [ "$paranoid" != - ] &&
   [ "$paranoid" -ge 2 ]; then
	# nobody must be able to run the binary: the build tree may be private.
	if setpriv --reuid=nobody --regid=nogroup --clear-groups "$growtrace" --version \
		> /dev/null 2>&1; then
		check_refusal "unprivileged" "perf_event_paranoid=$paranoid" \
			setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
			"$growtrace" -p "$LEAKER_PID"
	else
		echo "refused.sh: unprivileged case not run: nobody cannot run $growtrace" >&2
	fi
else
	echo "refused.sh: unprivileged case not run: needs root, setpriv and perf_event_paranoid >= 2 (is $paranoid)" >&2
fi
leaker_cmd mix 1
leaker_stop
