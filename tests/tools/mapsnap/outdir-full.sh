#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A series that fails at its first file (the disk is full: a small tmpfs)
# says so in one line naming the file and the reason, and removes the
# directory it created, for mapsnap -i -o DIR and mapswatch -o DIR alike.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapswatch=$MS_BUILDDIR/tools/mapswatch
tmp=$(mktemp -d)
ms_at_exit "umount '$tmp/full' 2>/dev/null; rm -rf '$tmp'"

[ "$(id -u)" = 0 ] || ms_skip "mounting a small tmpfs needs root"
mkdir "$tmp/full"
mount -t tmpfs -o size=64k,mode=0700 memsift-test "$tmp/full" 2>/dev/null ||
	ms_skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container?)"
nospc=$(python3 -c 'import os, errno; print(os.strerror(errno.ENOSPC))')

leaker_start
pid=$LEAKER_PID
# Fill the disk: what is left is less than a snapshot of the leaker.
head -c 1M /dev/zero > "$tmp/full/filler" 2> /dev/null || :
left=$(df -B1 --output=avail "$tmp/full" | tail -n 1)
size=$(wc -c < /proc/"$pid"/smaps)
[ "$left" -lt "$size" ] || ms_error "the disk is not full: $left bytes left, a snapshot needs $size"

rc=0
"$mapsnap" -p "$pid" -i 10ms --count 2 -w "$tmp/full/series" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "mapsnap on a full disk: exit $rc"
[ "$(cat "$tmp/err")" = "mapsnap: $tmp/full/series/0001.snap: write error: $nospc" ] ||
	ms_fail "mapsnap on a full disk said: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/full")" = filler ] || ms_error "mapsnap left: $(ls -A "$tmp/full")"

rc=0
"$mapswatch" -p "$pid" --count 2 -i 10ms -w "$tmp/full/watch" > /dev/null 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "mapswatch on a full disk: exit $rc"
[ "$(cat "$tmp/err")" = "mapswatch: $tmp/full/watch/0001.snap: write error: $nospc" ] ||
	ms_fail "mapswatch on a full disk said: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/full")" = filler ] || ms_error "mapswatch left: $(ls -A "$tmp/full")"

# A directory that was there before is the user's: left as it was.
mkdir "$tmp/full/mine"
rc=0
"$mapsnap" -p "$pid" -i 10ms --count 2 -w "$tmp/full/mine" 2> /dev/null || rc=$?
[ "$rc" = 1 ] && [ -d "$tmp/full/mine" ] || ms_error "mapsnap removed a directory it did not make (exit $rc)"
leaker_stop
exit 0
