#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap's catalogue of bad inputs: each refused with one line naming the
# pid, option or file and the fix, exit 1 (mapsnap(1), EXIT STATUS), no
# snapshot left, and the target still running.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

# expect STDERR-LINE -- ARGS...: exit 1, that one line (and a usage
# error's try-help line), no snapshot or temporary file left.
expect() # MSG -- ARGS: mapsnap fails with MSG, leaves no file and prints nothing
{
	local msg=$1
	shift 2
	rm -rf "$tmp/out"
	MS_EXPECT_OUT=$tmp/stdout ms_expect -t -q 1 "$msg" "$mapsnap" "$@" || return
	[ ! -e "$tmp/out" ] || [ -z "$(ls -A "$tmp/out" 2>/dev/null)" ] || ms_error "mapsnap $*: left $(ls -A "$tmp/out")"
	[ -z "$(find "$tmp" -maxdepth 2 -name '.*' -type f)" ] || ms_error "mapsnap $*: left a temporary file"
}

leaker_start
pid=$LEAKER_PID
o=(-w "$tmp/out")

# Pids: none, empty, garbage, signed, zero, past pid_max, gone, extra words.
pidfix="use a decimal pid from 1 to 4194304"
expect "mapsnap: no process given; use -p PID" -- "${o[@]}"
expect "mapsnap: bad pid \"\": empty; $pidfix" -- -p "" "${o[@]}"
expect "mapsnap: bad pid \"x1\": not a decimal number; $pidfix" -- -p x1 "${o[@]}"
expect "mapsnap: bad pid \"-1\": no sign allowed; $pidfix" -- -p -1 "${o[@]}"
expect "mapsnap: pid \"0\" out of range; pids are 1 to 4194304" -- -p 0 "${o[@]}"
expect "mapsnap: pid \"4194305\" out of range; pids are 1 to 4194304" -- -p 4194305 "${o[@]}"
expect "mapsnap: pid \"99999999999999999999\" out of range; pids are 1 to 4194304" -- -p 99999999999999999999 "${o[@]}"
sh -c 'exit 0' &
gone=$!
wait "$gone"
expect "mapsnap: pid $gone: no such process" -- -p "$gone" "${o[@]}"
expect "mapsnap: unexpected argument \"4K\"" -- -p "$pid" 4K "${o[@]}"
# A kernel thread has no mappings (kthreadd is pid 2 where there is one).
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	expect "mapsnap: pid 2: no mappings (a kernel thread, or a zombie)" -- -p 2 "${o[@]}"
fi

# Intervals and counts: zero, signed, unknown units, overflow, garbage.
durfix="use a number and a unit (d, h, m, s, ms, us), as in 500ms or 1m30s"
cntfix="use a decimal number from 1 to 4294967295"
expect "mapsnap: --interval: duration \"0\" is zero; use a TIME above 0, as in 500ms or 1m" -- -p "$pid" -i 0 --count 2 "${o[@]}"
expect "mapsnap: --interval: bad duration \"-1s\": no sign allowed; $durfix" -- -p "$pid" -i -1s --count 2 "${o[@]}"
expect "mapsnap: --interval: bad duration \"5x\": unknown unit \"x\"; $durfix" -- -p "$pid" -i 5x --count 2 "${o[@]}"
expect "mapsnap: --interval: duration \"99999999999999d\" overflows 64 bits of microseconds (about 584,000 years)" -- -p "$pid" -i 99999999999999d --count 2 "${o[@]}"
expect "mapsnap: --count: number \"0\" out of range; $cntfix" -- -p "$pid" -i 1s --count 0 "${o[@]}"
expect "mapsnap: --count: bad number \"-3\": no sign allowed; $cntfix" -- -p "$pid" -i 1s --count -3 "${o[@]}"
expect "mapsnap: --count: number \"4294967296\" out of range; $cntfix" -- -p "$pid" -i 1s --count 4294967296 "${o[@]}"
expect "mapsnap: --count: bad number \"2x\": unexpected \"x\" after the number; $cntfix" -- -p "$pid" -i 1s --count 2x "${o[@]}"
expect "mapsnap: a series needs an interval; use -i TIME" -- -p "$pid" --count 2 "${o[@]}"
expect "mapsnap: a series needs a directory; use -w DIR" -- -p "$pid" -i 1s --count 2

# Output paths: empty, a directory, a missing directory, an existing file or
# symlink without -f, a file where a series wants a directory; with -f a
# symlink is replaced, never followed.
expect "mapsnap: empty output name; give a file, or - for stdout" -- -p "$pid" -w ""
mkdir "$tmp/dir"
expect "mapsnap: $tmp/dir: is a directory" -- -p "$pid" -w "$tmp/dir"
expect "mapsnap: $tmp/none/x: cannot create a file beside it: No such file or directory" -- -p "$pid" -w "$tmp/none/x"
echo keep > "$tmp/exists"
expect "mapsnap: $tmp/exists: file exists; use -f to overwrite it" -- -p "$pid" -w "$tmp/exists"
expect "mapsnap: $tmp/exists: not a directory; a series goes into a directory (-w DIR)" -- -p "$pid" -i 1s --count 2 -w "$tmp/exists"
[ "$(cat "$tmp/exists")" = keep ] || ms_error "an existing file was changed without -f"
ln -s "$tmp/target" "$tmp/link"
expect "mapsnap: $tmp/link: file exists; use -f to overwrite it" -- -p "$pid" -w "$tmp/link"
"$mapsnap" -f -p "$pid" -w "$tmp/link" || ms_fail "-f over a symlink: exit $?"
[ ! -L "$tmp/link" ] && [ -f "$tmp/link" ] && [ ! -e "$tmp/target" ] || ms_error "-f wrote through a symlink"
[ "$(stat -c %a "$tmp/link")" = 600 ] || ms_error "-f over a symlink: mode $(stat -c %a "$tmp/link")"
# A series into a directory that holds one already: the first file is named.
mkdir "$tmp/series"
"$mapsnap" -p "$pid" -w "$tmp/series/0001.snap" || ms_fail "mapsnap: exit $?"
rc=0
"$mapsnap" -p "$pid" -i 1ms --count 2 -w "$tmp/series" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] && [ "$(cat "$tmp/err")" = "mapsnap: $tmp/series/0001.snap: file exists; use -f to overwrite it" ] ||
	ms_fail "series over a snapshot: exit $rc, $(cat "$tmp/err")"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$mapsnap" -p "$pid" -w "$tmp/dir/x" \
		2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] && [ "$(cat "$tmp/err")" = "mapsnap: $tmp/dir/x: cannot create a file beside it: Permission denied" ] ||
		ms_fail "read-only directory: exit $rc, $(cat "$tmp/err")"
	chmod 700 "$tmp"
fi

grep -q '^State:[[:space:]]*[SR]' /proc/"$pid"/status || ms_error "the leaker is $(grep State /proc/"$pid"/status)"
leaker_stop
exit 0
