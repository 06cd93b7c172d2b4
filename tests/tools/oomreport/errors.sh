#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# oomreport on bad input: one line naming the file (and line) and the fix,
# exit 2, nothing on stdout; a log cut short is read, with a warning.
. "${MS_SRCDIR:-.}/tests/lib.sh"
oomreport=$MS_BUILDDIR/tools/oomreport
bad=$MS_FIXTURES/bad
oom=$MS_FIXTURES/oom
ms_tmpdir

# expect STATUS STDERR -- ARGS...: the whole of stderr, and stdout empty.
expect() { local want=$1 msg=$2; shift 3; ms_expect -a -q "$want" "$msg" "$oomreport" "$@"; }

expect 2 "oomreport: $bad/empty: empty; is this dmesg or journalctl -k output?" -- "$bad/empty"
expect 2 "oomreport: $bad/garbage.bin:5: binary data (a NUL byte); is this a kernel log?" -- "$bad/garbage.bin"
expect 2 "oomreport: $MS_FIXTURES/README: none of its $(wc -l <"$MS_FIXTURES/README") lines is a kernel log line; is this dmesg or journalctl -k output?" -- "$MS_FIXTURES/README"
expect 2 "oomreport: $tmp/missing: No such file or directory" -- "$tmp/missing"
expect 2 "oomreport: $oom: cannot read it; is it a file?" -- "$oom"
expect 2 "oomreport: unknown column \"BOGUS\"; see --help for the list" -- -o BOGUS "$oom/memcg-v1.dmesg"
expect 2 "oomreport: unknown column \"CGROUP\"; see --help for the list" -- --tasks -o PID,CGROUP "$oom/memcg-v1.dmesg"
expect 2 "oomreport: options --json and --raw are mutually exclusive
Try 'oomreport --help' for more information." -- -J -r "$oom/memcg-v1.dmesg"
expect 2 "oomreport: unexpected argument \"b\"; give one log file at most
Try 'oomreport --help' for more information." -- a b
expect 2 "oomreport: unrecognized option '--bogus'
Try 'oomreport --help' for more information." -- --bogus

# Cut short: the report that never names its victim is not shown, but said.
expect 0 "oomreport: $oom/public/moby-38352-4.19.syslog: 1 report cut short (from line 1): no line names the process killed; is the log cut?
oomreport: $oom/public/moby-38352-4.19.syslog: no OOM kill in it" -- "$oom/public/moby-38352-4.19.syslog"
# A real capture cut mid-line inside the second kill's line: the first kill
# only, and the second report said to be cut.
head -c "$(( $(head -n 156 "$oom/memcg-v1.dmesg" | wc -c) + 60 ))" "$oom/memcg-v1.dmesg" >"$tmp/cut.dmesg"
rc=0; "$oomreport" -n -r -o PID "$tmp/cut.dmesg" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$tmp/out")" = 28747 ] || ms_error "cut capture: exit $rc, $(cat "$tmp/out")"
[ "$(cat "$tmp/err")" = "oomreport: $tmp/cut.dmesg: 1 report cut short (from line 79): no line names the process killed; is the log cut?" ] ||
	ms_fail "cut capture: said $(cat "$tmp/err")"
# Lines from elsewhere in a log are skipped, counted, and the kills still read.
{ echo "not a kernel line"; cat "$oom/memcg-v1.dmesg"; printf 'x\0y\n' | tr -d '\0'; } >"$tmp/mixed"
rc=0; "$oomreport" -n -r -o PID "$tmp/mixed" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && [ "$(tr '\n' ' ' <"$tmp/out")" = "28747 28751 " ] || ms_error "mixed: exit $rc, $(cat "$tmp/out")"
[ "$(cat "$tmp/err")" = "oomreport: $tmp/mixed: 2 lines not from the kernel log, skipped" ] ||
	ms_fail "mixed: said $(cat "$tmp/err")"
# A write error on stdout is trouble, not success.
rc=0; "$oomreport" "$oom/memcg-v1.dmesg" >/dev/full 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] || ms_error "/dev/full: exit $rc ($(cat "$tmp/err"))"
exit 0
