#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# oomreport on this machine's own kernel log, after a real OOM kill of the
# leaker in a memory cgroup of its own limited to 32 MiB: the row must name
# the leaker's pid, the cgroup and the limit.  Needs root and a writable
# cgroup v1 memory hierarchy; skips, saying why, otherwise.
. "${MS_SRCDIR:-.}/tests/lib.sh"
oomreport=$MS_BUILDDIR/tools/oomreport
cgroot=/sys/fs/cgroup/memory
cg=$cgroot/memsift-test-oom-$$
ms_tmpdir

[ "$(id -u)" -eq 0 ] || ms_skip "needs root to make a memory cgroup for the kill"
[ -w "$cgroot/cgroup.procs" ] || ms_skip "no writable cgroup v1 memory hierarchy at $cgroot"
[ -r /dev/kmsg ] || ms_skip "/dev/kmsg is not readable"
mkdir "$cg" || ms_skip "cannot create $cg"
# shellcheck disable=SC2016 # expanded at exit
ms_at_exit 'for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done; rmdir "$cg" 2>/dev/null'
echo 32M >"$cg/memory.limit_in_bytes" || ms_fail "cannot limit $cg"
echo 32M >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null || :

# The leaker moves itself into the cgroup before it starts.
printf '#!/bin/sh\necho $$ >"%s/cgroup.procs" || exit 1\nexec "%s"\n' "$cg" "$MS_LEAKER" >"$tmp/leaker"
chmod +x "$tmp/leaker"
MS_LEAKER=$tmp/leaker leaker_start
pid=$LEAKER_PID
[ "$(cat "$cg/cgroup.procs")" = "$pid" ] || ms_error "leaker $pid is not in $cg"
(trap '' PIPE; echo "malloc 100 1M 0xa5" >&"$LEAKER_OUT") 2>/dev/null
if ms_leaker_read; then
	ms_fail "leaker survived 100 MiB in a 32 MiB cgroup: \"$LEAKER_REPLY\""
fi
rc=0; wait "$ms_leaker_cpid" || rc=$?
ms_leaker_cpid=
[ "$rc" = 137 ] || ms_error "leaker ended with status $rc, not killed"

rc=0; "$oomreport" -r -b -o PID,NAME,CGROUP,LIMIT,CONSTRAINT >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "oomreport: exit $rc ($(cat "$tmp/err"))"
row=$(awk -v p="$pid" '$1 == p' "$tmp/out")
[ "$row" = "$pid leaker /${cg#"$cgroot"/} 33554432 MEMCG" ] ||
	ms_fail "no row for the kill of $pid: \"$row\"; got: $(cat "$tmp/out")"
anon=$("$oomreport" -n -r -b -o PID,ANON-RSS | awk -v p="$pid" '$1 == p { print $2 }')
[ "$anon" -gt $((24 << 20)) ] && [ "$anon" -le $((32 << 20)) ] ||
	ms_fail "anon-rss of the kill: $anon, want 24-32 MiB"
exit 0
