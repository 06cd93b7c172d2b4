#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# oomreport on real kernel logs: the same two kills read from dmesg, dmesg -T
# and /dev/kmsg give the same rows; other kernels' reports; --tasks; JSON.
. "${MS_SRCDIR:-.}/tests/lib.sh"
oomreport=$MS_BUILDDIR/tools/oomreport
oom=$MS_FIXTURES/oom
expected=$MS_SRCDIR/tests/expected/oomreport
ms_tmpdir

# run STATUS ARGS...: oomreport's stdout into $tmp/out, stderr into $tmp/err.
run()
{
	local want=$1 rc=0
	shift
	"$oomreport" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = "$want" ] || ms_error "oomreport $*: exit $rc, want $want ($(cat "$tmp/err"))"
}

cols=PID,NAME,ANON-RSS,FILE-RSS,SHMEM-RSS,TOTAL-VM,CGROUP,LIMIT,CONSTRAINT,INVOKER,UID,SCORE-ADJ,LINE
for form in dmesg dmesg-T kmsg; do
	run 1 -r -b -o "$cols" "$oom/memcg-v1.$form"
	ms_compare "$expected/memcg-v1" "$tmp/out"
	[ ! -s "$tmp/err" ] || ms_error "$form: unexpected warnings: $(cat "$tmp/err")"
done
# Each form's own time, in the TIME column.
run 1 -n -r -o TIME "$oom/memcg-v1.dmesg-T"
[ "$(cat "$tmp/out")" = "Mon\x20Nov\x2023\x2021:20:51\x202026
Mon\x20Nov\x2023\x2021:20:51\x202026" ] || ms_fail "dmesg -T times: $(cat "$tmp/out")"
run 1 -n -r -o TIME "$oom/memcg-v1.kmsg"
[ "$(cat "$tmp/out")" = "8671.582864
8671.619816" ] || ms_fail "kmsg times: $(cat "$tmp/out")"

# The default table, as the man page shows it.
run 1 "$oom/memcg-v1.dmesg"
ms_compare "$expected/memcg-v1.table" "$tmp/out"
run 1 --tasks "$oom/memcg-v1.dmesg"
ms_compare "$expected/memcg-v1.tasks" "$tmp/out"
run 1 --tasks -b -r -o KILLED,PID,RSS,ANON,FILE,SHMEM,SWAP,TOTAL-VM,SCORE-ADJ,VICTIM "$oom/memcg-v1.kmsg"
ms_compare "$expected/memcg-v1.tasks-bytes" "$tmp/out"

# The same log on standard input.
run 1 -r -b -o "$cols" - <"$oom/memcg-v1.dmesg"
ms_compare "$expected/memcg-v1" "$tmp/out"

# JSON: valid, numbers as numbers, null for what the log did not say.
run 1 -J "$oom/public/reportportal-2103-global.dmesg"
python3 - "$tmp/out" <<'PY' || ms_fail "global OOM JSON: $(cat "$tmp/out")"
import json, sys
k = json.load(open(sys.argv[1]))["kills"]
assert len(k) == 1, k
k = k[0]
assert k["pid"] == 13592 and k["name"] == "uwsgi", k
assert k["anon_rss"] == 6827320 * 1024 and k["shmem_rss"] == 16 * 1024, k
assert k["cgroup"] is None and k["limit"] is None and k["constraint"] == "NONE", k
PY

# Older kernels: the 3.10 two-line kill, and a report cut short (warned).
run 1 -r -b -o "$cols" "$oom/public/k8s-56891-rhel7-3.10.dmesg-T"
ms_compare "$expected/rhel7-3.10" "$tmp/out"
[ "$(cat "$tmp/err")" = "oomreport: $oom/public/k8s-56891-rhel7-3.10.dmesg-T: 1 report cut short (from line 6): no line names the process killed; is the log cut?" ] ||
	ms_fail "3.10: warning: $(cat "$tmp/err")"
run 1 -r -b -o "$cols" "$oom/public/ltp-1080-rhel7-3.10-kills.syslog"
ms_compare "$expected/syslog" "$tmp/out"
exit 0
