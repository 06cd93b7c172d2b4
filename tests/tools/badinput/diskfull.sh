#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults while writing: the disk fills up (a 1 MiB tmpfs), and a directory
# the user may not write to.  Each fails with one clear line, exit 1, and
# leaves no file, final or temporary; the target runs on.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
tmp=$(mktemp -d)
ms_at_exit "umount '$tmp/full' 2>/dev/null; rm -rf '$tmp'"

[ "$(id -u)" = 0 ] || ms_skip "mounting a small tmpfs needs root"
mkdir "$tmp/full"
mount -t tmpfs -o size=1m,mode=0777 memsift-test "$tmp/full" 2>/dev/null ||
	ms_skip "cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container?)"

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 4M 0x5a
addr=$(leaker_field addr)

rc=0
"$regiondump" -p "$pid" "$addr" 4M -w "$tmp/full/d" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "disk full: exit $rc"
[ "$(cat "$tmp/err")" = "regiondump: $tmp/full/d: write error: No space left on device" ] ||
	ms_fail "disk full said: $(cat "$tmp/err")"
[ -z "$(ls -A "$tmp/full")" ] || ms_error "disk full left: $(ls -A "$tmp/full")"
leaker_cmd report

# The dump fits, its manifest does not: neither is left.
head -c $((1024 * 1024 - 8192)) /dev/zero > "$tmp/full/filler" 2>/dev/null || :
rc=0
"$regiondump" -p "$pid" "$addr" 4K -w "$tmp/full/small" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "manifest on a full disk: exit $rc ($(cat "$tmp/err"))"
grep -q "^regiondump: $tmp/full/small\(.json\)\?: write error: No space left on device$" "$tmp/err" ||
	ms_fail "manifest on a full disk said: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/full")" = filler ] || ms_error "full disk left: $(ls -A "$tmp/full")"
rm "$tmp/full/filler"

# mapsnap too: a snapshot bigger than the disk.
head -c $((1024 * 1024 - 4096)) /dev/zero > "$tmp/full/filler" 2>/dev/null || :
rc=0
"$mapsnap" -p "$pid" -w "$tmp/full/s.snap" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "mapsnap on a full disk: exit $rc"
[ "$(cat "$tmp/err")" = "mapsnap: $tmp/full/s.snap: write error: No space left on device" ] ||
	ms_fail "mapsnap on a full disk said: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/full")" = filler ] || ms_error "mapsnap left: $(ls -A "$tmp/full")"
rm "$tmp/full/filler"

# Permission denied: a directory nobody may write to, as uid 65534 dumping
# its own process.
if command -v setpriv >/dev/null; then
	mkdir -m 0555 "$tmp/full/ro"
	chmod 0711 "$tmp"	# mktemp's 0700 would refuse it for another reason
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'exec "$1" -p $$ --anon -w "$2"' \
		sh "$regiondump" "$tmp/full/ro/d" 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] || ms_error "read-only directory: exit $rc ($(cat "$tmp/err"))"
	[ "$(cat "$tmp/err")" = "regiondump: $tmp/full/ro/d: cannot create a file beside it: Permission denied" ] ||
		ms_fail "read-only directory said: $(cat "$tmp/err")"
	[ -z "$(ls -A "$tmp/full/ro")" ] || ms_error "read-only directory got: $(ls -A "$tmp/full/ro")"
fi
leaker_stop
exit 0
