#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Messages that say what happened, once: a write error names the file and
# the reason in one line; a 250-byte output name works (its temporary must
# fit NAME_MAX too); mapsnap's ptrace refusal names the rule and the fix;
# snapshots given out of time order are reported as such, not as untimed.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
mapswatch=$MS_BUILDDIR/tools/mapswatch
good=$MS_FIXTURES/pmap/leaker-after.smaps
ms_tmpdir

# expect STATUS STDERR -- CMD...: all it says, and the status.
expect() { local want=$1 msg=$2; shift 3; ms_expect -a "$want" "$msg" "$@"; }

leaker_start
pid=$LEAKER_PID
nospc=$(python3 -c 'import os, errno; print(os.strerror(errno.ENOSPC))')

# Write errors: once, with the file and the reason.
[ -c /dev/full ] || ms_skip "no /dev/full"
full() { "$@" > /dev/full; }
expect 1 "mapsnap: standard output: write error: $nospc" -- full "$mapsnap" -p "$pid"
expect 1 "mapsnap: /dev/full: write error: $nospc" -- "$mapsnap" -p "$pid" -w /dev/full
expect 2 "mapsdiff: standard output: write error: $nospc" -- full "$mapsdiff" "$good" "$good"
expect 1 "mapswatch: standard output: write error: $nospc" -- full "$mapswatch" -p "$pid" --count 1

# A 250-byte name, the longest a user would give (NAME_MAX is 255).
long=$(printf 'a%.0s' $(seq 250))
"$mapsnap" -p "$pid" -w "$tmp/$long" 2> "$tmp/err" || ms_fail "a 250-byte name: $(cat "$tmp/err")"
[ -s "$tmp/$long" ] && head -n 1 "$tmp/$long" | grep -qx "# memsift snapshot 1" ||
	ms_fail "no snapshot under the 250-byte name"
[ "$(ls -A "$tmp" | grep -c '^\.')" = 0 ] || ms_error "temporaries left: $(ls -A "$tmp")"
"$mapsnap" -p "$pid" -i 10ms --count 1 -w "$tmp/${long:0:245}" || ms_fail "a series into a 245-byte directory"

# Out of time order: a series whose names run against its times.
mkdir "$tmp/rev"
for i in 3 2 1; do
	leaker_cmd malloc 100 4096 0x11
	"$mapsnap" -p "$pid" -w "$tmp/rev/$i.snap" || ms_fail "snapshot $i"
done
bt() { sed -n 's/^# boottime: //p' "$1"; }
gap=$(awk -v a="$(bt "$tmp/rev/2.snap")" -v b="$(bt "$tmp/rev/1.snap")" 'BEGIN { printf "%.3f", b - a }')
rc=0
"$mapsdiff" "$tmp/rev" > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 1 ] || ms_error "mapsdiff reversed: exit $rc ($(cat "$tmp/err"))"
[ "$(cat "$tmp/err")" = "mapsdiff: $tmp/rev/2.snap was taken $gap s before $tmp/rev/1.snap, not after; rates are per snapshot, in the order given" ] ||
	ms_fail "reversed order said: $(cat "$tmp/err")"
grep -q "^process: .* per snapshot (snapshot times go backwards): " "$tmp/out" ||
	ms_fail "the summary does not say the times go backwards: $(grep ^process "$tmp/out")"
cp "$tmp/rev/3.snap" "$tmp/1.snap"
cp "$tmp/rev/2.snap" "$tmp/2.snap"
# A reboot between two snapshots: boot time starts again, the wall clock goes on.
sed -e 's/^# boottime: .*/# boottime: 1.000000000/' -e 's/^# time: 20/# time: 30/' "$tmp/2.snap" > "$tmp/3.snap"
rc=0
"$mapsdiff" "$tmp/1.snap" "$tmp/3.snap" > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$(cat "$tmp/err")" = "mapsdiff: $tmp/3.snap was taken after a reboot since $tmp/1.snap; rates are per snapshot" ] ||
	ms_fail "a reboot between said: $(cat "$tmp/err")"
# In order, nothing is said.
expect 1 "" -- "$mapsdiff" "$tmp/1.snap" "$tmp/2.snap"

# ptrace refused: which rule, and the fix.
command -v setpriv > /dev/null || ms_skip "setpriv (util-linux) is needed to run mapsnap as another user"
if [ "$(id -u)" = 0 ]; then
	target=$pid
	as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	me=65534
else
	target=1
	as=()
	me=$(id -u)
fi
owner=$(stat -c %u "/proc/$target")
[ "$owner" != "$me" ] || ms_error "the target is this user's"
expect 1 "mapsnap: pid $target: ptrace refused (it runs as uid $owner, this process as uid $me); run as uid $owner or with CAP_SYS_PTRACE" -- \
	"${as[@]}" "$mapsnap" -p "$target" -w /dev/null
leaker_stop
exit 0
