#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGKILL leaves a hidden temporary (.NAME.XXXXXX): no handler runs.  The
# next run writing NAME in that directory removes it once it is a minute
# old, and never one a live writer still holds, nor another user's, nor a
# symlink.  The leftover is made for real: regiondump killed mid-dump at
# its test hook; "a minute old" is set with touch, not waited for.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir
# A writer left waiting at its hook when a check fails must not outlive the test.
rd=
ms_at_exit '[ -z "$rd" ] || kill -KILL "$rd" 2> /dev/null'
mkdir "$tmp/out"
mkfifo "$tmp/hook"

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 16M 0x42
addr=$(leaker_field addr)

# temps: the hidden temporaries of "d" in $tmp/out, by name.
temps() { (cd "$tmp/out" && ls -A | grep -E '^\.d\.[A-Za-z0-9]{6}$' | sort); }

# A dump killed with SIGKILL while writing: its temporary stays.
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" "$addr" 16M -w "$tmp/out/d" 2> /dev/null &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = progress ] || ms_error "hook said \"$ev\""
kill -KILL "$rd"
wait "$rd" 2> /dev/null || :
rd=
killed=$(temps)
[ "$(echo "$killed" | grep -c .)" = 1 ] || ms_error "want one leftover after SIGKILL, have: $killed"

# Fresh, it may still be a writer's: kept.
"$mapsnap" -p "$pid" -w "$tmp/out/d" || ms_fail "mapsnap: exit $?"
[ "$(temps)" = "$killed" ] || ms_error "a leftover under a minute old was touched: $(temps)"
rm "$tmp/out/d"

# A live writer, stopped at its hook, holding its own temporary.
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" "$addr" 16M -w "$tmp/out/d" 2> /dev/null &
rd=$!
read -r ev < "$tmp/hook"
live=$(temps | grep -vx "$killed")
[ "$(echo "$live" | grep -c .)" = 1 ] || ms_error "want the live writer's temporary, have: $(temps)"

# Other hidden files of the same shape that are not ours to remove.
ln -s /etc/hostname "$tmp/out/.d.Symlnk"
if [ "$(id -u)" = 0 ]; then
	: > "$tmp/out/.d.Others"
	chown 65534 "$tmp/out/.d.Others"
fi
: > "$tmp/out/.d.json.Abcdef"
: > "$tmp/out/.e.Abcdef"
# A minute passes (as far as the files can tell).
touch -h -d '2 minutes ago' "$tmp/out"/.[de].*

"$mapsnap" -p "$pid" -w "$tmp/out/d" || ms_fail "mapsnap: exit $?"
[ ! -e "$tmp/out/$killed" ] || ms_error "the leftover of the killed run was not removed"
[ -e "$tmp/out/$live" ] || ms_error "the live writer's temporary was removed"
[ -L "$tmp/out/.d.Symlnk" ] || ms_error "a symlink was removed"
[ "$(id -u)" != 0 ] || [ -e "$tmp/out/.d.Others" ] || ms_error "another user's file was removed"
[ -e "$tmp/out/.d.json.Abcdef" ] && [ -e "$tmp/out/.e.Abcdef" ] || ms_error "temporaries of other names were removed"

# The live writer finishes (its name is taken meanwhile: it fails) and removes its own.
echo go > "$tmp/hook"
wait "$rd" 2> /dev/null || :
rd=
[ ! -e "$tmp/out/$live" ] || ms_error "the live writer left its temporary"
leaker_stop
exit 0
