#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Series directories (mapsnap -i -o DIR, mapswatch -o DIR): a symlink at DIR
# is never followed, another user's directory is never written into, even
# with -f, and a series that fails before its first file leaves no empty
# directory behind.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
mapswatch=$MS_BUILDDIR/tools/mapswatch
ms_tmpdir

# expect STATUS STDERR -- CMD...: the one line said and the status.
expect() { local want=$1 msg=$2; shift 3; ms_expect -a "$want" "$msg" "$@"; }

leaker_start
pid=$LEAKER_PID

# A symlink at DIR, pointing at a directory someone else chose.
mkdir "$tmp/target"
ln -s "$tmp/target" "$tmp/link"
expect 1 "mapsnap: $tmp/link: a symlink; give the directory itself, not a link to it" -- \
	"$mapsnap" -p "$pid" -i 10ms --count 2 -w "$tmp/link"
expect 1 "mapsnap: $tmp/link: a symlink; give the directory itself, not a link to it" -- \
	"$mapsnap" -p "$pid" -f -i 10ms --count 2 -w "$tmp/link"
expect 1 "mapswatch: $tmp/link: a symlink; give the directory itself, not a link to it" -- \
	"$mapswatch" -p "$pid" --count 1 -w "$tmp/link"
expect 1 "mapswatch: $tmp/link: a symlink; give the directory itself, not a link to it" -- \
	"$mapswatch" -p "$pid" -f --count 1 -w "$tmp/link"
[ -z "$(ls -A "$tmp/target")" ] || ms_error "written through the symlink: $(ls -A "$tmp/target")"
[ -L "$tmp/link" ] || ms_error "the symlink was replaced"

# Another user's directory: as root, one given away to nobody; otherwise
# /tmp-like: a directory of root's that anyone may write.
if [ "$(id -u)" = 0 ]; then
	mkdir "$tmp/theirs"
	chmod 0777 "$tmp/theirs"
	chown 65534 "$tmp/theirs"
	theirs=$tmp/theirs
	owner=65534
else
	theirs=$(find / -maxdepth 1 -type d -perm -0002 -user 0 2> /dev/null | head -n 1)
	[ -n "$theirs" ] || ms_skip "no directory of another user that this user may write"
	owner=0
fi
[ "$(stat -c %u "$theirs")" = "$owner" ] || ms_error "$theirs: not owned by uid $owner"
me=$(id -u)
expect 1 "mapsnap: $theirs: owned by uid $owner, not by this user (uid $me), who could read or replace what is written; give a directory of your own" -- \
	"$mapsnap" -p "$pid" -i 10ms --count 2 -w "$theirs"
expect 1 "mapsnap: $theirs: owned by uid $owner, not by this user (uid $me), who could read or replace what is written; give a directory of your own" -- \
	"$mapsnap" -p "$pid" -f -i 10ms --count 2 -w "$theirs"
expect 1 "mapswatch: $theirs: owned by uid $owner, not by this user (uid $me), who could read or replace what is written; give a directory of your own" -- \
	"$mapswatch" -p "$pid" -f --count 1 -w "$theirs"
[ -z "$(find "$theirs" -maxdepth 1 -name '*.snap' -user "$me")" ] || ms_error "snapshots written into $theirs"

# A file at DIR.
: > "$tmp/file"
expect 1 "mapsnap: $tmp/file: not a directory; a series goes into a directory (-w DIR)" -- \
	"$mapsnap" -p "$pid" -i 10ms --count 2 -w "$tmp/file"

# Our own directory: mapsnap writes into it (each file refused without -f),
# and what it makes is 0700.
mkdir "$tmp/mine"
"$mapsnap" -p "$pid" -i 10ms --count 1 -w "$tmp/mine" || ms_fail "mapsnap into an existing directory of ours"
[ -s "$tmp/mine/0001.snap" ] || ms_error "no snapshot in $tmp/mine"
(umask 000 && "$mapsnap" -p "$pid" -i 10ms --count 1 -w "$tmp/new") || ms_fail "mapsnap into a new directory"
[ "$(stat -c %a "$tmp/new")" = 700 ] || ms_error "$tmp/new: mode $(stat -c %a "$tmp/new") under umask 000"

# A series that fails before its first file takes back the directory it made.
leaker_stop
expect 1 "mapsnap: pid $pid: no such process" -- "$mapsnap" -p "$pid" -i 10ms --count 2 -w "$tmp/failed"
[ ! -e "$tmp/failed" ] || ms_error "a failed series left $tmp/failed"
exit 0
