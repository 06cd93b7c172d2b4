#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump's catalogue of bad inputs: each refused with one line naming
# the pid, address, size, file or line and the fix, exit 1 (regiondump(1),
# EXIT STATUS), no output file left, and the target still running.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

# expect STDERR-LINE -- ARGS...: exit 1, that one line, no dump or manifest.
expect() # MSG -- ARGS: regiondump fails with MSG, leaves no file and prints nothing
{
	local msg=$1
	shift 2
	rm -f "$tmp/out" "$tmp/out.json"
	MS_EXPECT_OUT=$tmp/stdout ms_expect -t -q 1 "$msg" "$regiondump" "$@" || return
	[ ! -e "$tmp/out" ] && [ ! -e "$tmp/out.json" ] || ms_error "regiondump $*: left an output file"
	[ -z "$(find "$tmp" -maxdepth 2 -name '.*' -type f)" ] || ms_error "regiondump $*: left a temporary file"
}

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 64K 0x11
a=$(leaker_field addr)
o=(-w "$tmp/out")

# Pids: empty, garbage, signed, zero, past pid_max, gone.
pidfix="use a decimal pid from 1 to 4194304"
expect "regiondump: bad pid \"\": empty; $pidfix" -- -p "" "$a" 4K "${o[@]}"
expect "regiondump: bad pid \"12ab\": unexpected \"ab\" after the number; $pidfix" -- -p 12ab "$a" 4K "${o[@]}"
expect "regiondump: bad pid \"-5\": no sign allowed; $pidfix" -- -p -5 "$a" 4K "${o[@]}"
expect "regiondump: pid \"0\" out of range; pids are 1 to 4194304" -- -p 0 "$a" 4K "${o[@]}"
expect "regiondump: pid \"99999999\" out of range; pids are 1 to 4194304" -- -p 99999999 "$a" 4K "${o[@]}"
sh -c 'exit 0' &
gone=$!
wait "$gone"
expect "regiondump: pid $gone: no such process" -- -p "$gone" "$a" 4K "${o[@]}"

# Addresses and sizes: empty, garbage, negative (also where getopt would
# take them for options), overflowing, past the end of the address space,
# unknown suffixes.
addrfix="addresses are hex, as in 7f3a1c000000 or 0x7f3a1c000000"
sizefix="use bytes or a K, M, G or T suffix, as in 4096, 0x1000 or 128M"
expect "regiondump: bad address \"\": empty; $addrfix" -- -p "$pid" "" 4K "${o[@]}"
expect "regiondump: bad address \"zz\": not a hex number; $addrfix" -- -p "$pid" zz 4K "${o[@]}"
expect "regiondump: bad address \"-1\": no sign allowed; $addrfix" -- -p "$pid" -1 4K "${o[@]}"
expect "regiondump: bad address \"-1\": no sign allowed; $addrfix" -- -p "$pid" "${o[@]}" -- -1 4K
expect "regiondump: bad address \"-7f00-7f10\": no sign allowed; $addrfix" -- "${o[@]}" -p "$pid" -7f00-7f10
expect "regiondump: bad address \"-1\": no sign allowed; $addrfix" -- -p "$pid" --mapping -1 "${o[@]}"
expect "regiondump: address \"0x1ffffffffffffffff\" overflows 64 bits" -- -p "$pid" 0x1ffffffffffffffff 4K "${o[@]}"
expect "regiondump: bad size \"\": empty; $sizefix" -- -p "$pid" "$a" "" "${o[@]}"
expect "regiondump: bad size \"-4K\": no sign allowed; $sizefix" -- -p "$pid" "$a" -4K "${o[@]}"
expect "regiondump: bad size \"4Q\": unknown suffix \"Q\"; use K, M, G or T (binary: 1K = 1024)" -- -p "$pid" "$a" 4Q "${o[@]}"
expect "regiondump: bad size \"1E\": unknown suffix \"E\"; use K, M, G or T (binary: 1K = 1024)" -- -p "$pid" "$a" 1E "${o[@]}"
expect "regiondump: size \"99999999999T\" overflows 64 bits" -- -p "$pid" "$a" 99999999999T "${o[@]}"
expect "regiondump: bad size \"0\": nothing to dump" -- -p "$pid" "$a" 0 "${o[@]}"
expect "regiondump: bad size \"4K\": the range passes the end of the address space" -- -p "$pid" 0xfffffffffffff001 4K "${o[@]}"
expect "regiondump: bad range \"$a-0x1000\": end 1000 is not above start ${a#0x}; the end is exclusive, as in /proc/PID/maps" -- -p "$pid" "$a-0x1000" "${o[@]}"
expect "regiondump: bad range \"$a+0\": length is 0; a range holds at least one byte" -- -p "$pid" "$a+0" "${o[@]}"
expect "regiondump: range \"$a+0xffffffffffffffff\" overflows 64 bits" -- -p "$pid" "$a+0xffffffffffffffff" "${o[@]}"
expect "regiondump: ffffffffffff0000-ffffffffffff1000: outside every mapping of pid $pid; nearest below: $(tail -n 1 /proc/"$pid"/maps | awk '{ printf "%s %s %s", $1, $2, $6 }'); above: none" -- -p "$pid" 0xffffffffffff0000 4K "${o[@]}"

# Output paths: empty, a directory, a missing directory, an existing file
# or symlink without -f; with -f a symlink is replaced, never followed.
expect "regiondump: empty output name; give a file, or - for stdout" -- -p "$pid" "$a" 4K -w ""
mkdir "$tmp/dir"
expect "regiondump: $tmp/dir: is a directory" -- -p "$pid" "$a" 4K -w "$tmp/dir"
expect "regiondump: $tmp/none/x: cannot create a file beside it: No such file or directory" -- -p "$pid" "$a" 4K -w "$tmp/none/x"
echo keep > "$tmp/exists"
expect "regiondump: $tmp/exists: file exists; use -f to overwrite it" -- -p "$pid" "$a" 4K -w "$tmp/exists"
[ "$(cat "$tmp/exists")" = keep ] || ms_error "an existing file was changed without -f"
ln -s "$tmp/target" "$tmp/link"
expect "regiondump: $tmp/link: file exists; use -f to overwrite it" -- -p "$pid" "$a" 4K -w "$tmp/link"
"$regiondump" -f -p "$pid" "$a" 4K -w "$tmp/link" 2>/dev/null || ms_fail "-f over a symlink: exit $?"
[ ! -L "$tmp/link" ] && [ -f "$tmp/link" ] && [ ! -e "$tmp/target" ] || ms_error "-f wrote through a symlink"
[ "$(stat -c %a "$tmp/link")" = 600 ] || ms_error "-f over a symlink: mode $(stat -c %a "$tmp/link")"
rm -f "$tmp/link" "$tmp/link.json"

# Snapshots for --grown and --changed-since that are not, lie, or are cut.
"$mapsnap" -p "$pid" -w "$tmp/good.snap" || ms_fail "mapsnap: exit $?"
"$mapsnap" -p "$pid" --pages -w "$tmp/pages.snap" || ms_fail "mapsnap --pages: exit $?"
: > "$tmp/empty.snap"
expect "regiondump: $tmp/empty.snap: no mappings in it; is this a maps or smaps capture?" -- -p "$pid" --grown "$tmp/empty.snap" "${o[@]}"
# By its place, never its bytes.
expect "regiondump: $MS_FIXTURES/bad/garbage.bin:1: byte 0: not a maps or smaps line; is this a maps or smaps capture?" -- -p "$pid" --grown "$MS_FIXTURES/bad/garbage.bin" "${o[@]}"
expect "regiondump: $tmp/missing.snap: No such file or directory" -- -p "$pid" --grown "$tmp/missing.snap" "${o[@]}"
expect "regiondump: $tmp/dir: is a directory; give a snapshot file" -- -p "$pid" --changed-since "$tmp/dir" "${o[@]}"
# Cut inside the first path: every line still parses, only the missing
# newline tells.
n=$(grep -n -m 1 '^[0-9a-f]*-[0-9a-f]* .* /' "$tmp/good.snap" | cut -d: -f1)
{ head -n $((n - 1)) "$tmp/good.snap"; sed -n "${n}p" "$tmp/good.snap" | head -c -4; } > "$tmp/cut.snap"
expect "regiondump: $tmp/cut.snap:$n: cut short (the last line has no newline); is the file whole?" -- -p "$pid" --grown "$tmp/cut.snap" "${o[@]}"
{ head -n 20 "$tmp/good.snap"; echo "2000-1000 rw-p 00000000 00:00 0"; } > "$tmp/rev.snap"
expect "regiondump: $tmp/rev.snap:21: byte $(head -n 20 "$tmp/rev.snap" | wc -c): address range ends before it starts" -- -p "$pid" --grown "$tmp/rev.snap" "${o[@]}"
printf '1000-2000 rw-p 00000000 00:00 0\nRss: 18014398509481984 kB\n' > "$tmp/big.smaps"
expect "regiondump: $tmp/big.smaps:2: byte $(($(head -n 1 "$tmp/big.smaps" | wc -c) + 5)): field value overflows 64 bits" -- -p "$pid" --grown "$tmp/big.smaps" "${o[@]}"
expect "regiondump: $tmp/good.snap: no page hashes in it; take it with mapsnap --pages" -- -p "$pid" --changed-since "$tmp/good.snap" "${o[@]}"
# A pages line that lies about its range: one hash short.
sed '0,/^# pages: /s/^\(# pages: .*\) [0-9a-f]*$/\1/' "$tmp/pages.snap" > "$tmp/short.snap"
r=$(grep -m 1 '^# pages: ' "$tmp/pages.snap" | awk '{ print $3 }')
first=$(((0x${r#*-} - 0x${r%-*}) / $(getconf PAGESIZE)))
expect "regiondump: $tmp/short.snap: bad \"pages\" line 1: $first hashes expected" -- -p "$pid" --changed-since "$tmp/short.snap" "${o[@]}"

# Another uid: a read-only directory, and a snapshot it may not read, are
# named before the target is looked at.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	chmod 755 "$tmp"
	mkdir -m 1777 "$tmp/pub"
	rc=0
	nobody "$regiondump" -p "$pid" "$a" 4K -w "$tmp/dir/x" 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] && [ "$(cat "$tmp/err")" = "regiondump: $tmp/dir/x: cannot create a file beside it: Permission denied" ] ||
		ms_fail "read-only directory: exit $rc, $(cat "$tmp/err")"
	chmod 600 "$tmp/good.snap"
	rc=0
	nobody "$regiondump" -p "$pid" --grown "$tmp/good.snap" -w "$tmp/pub/x" 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] && [ "$(cat "$tmp/err")" = "regiondump: $tmp/good.snap: Permission denied" ] ||
		ms_fail "unreadable snapshot: exit $rc, $(cat "$tmp/err")"
	[ -z "$(ls -A "$tmp/pub")" ] || ms_error "unreadable snapshot: left $(ls -A "$tmp/pub")"
	chmod 700 "$tmp"
fi

# A range that is mostly holes fills a disk with zeros: refused without -f,
# with how much of it is mapped, and nothing written.
rc=0
"$regiondump" -p "$pid" 0 0xffffffffffffffff -w "$tmp/holes" 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "0 0xffffffffffffffff: exit $rc, not 1"
grep -q "^regiondump: 0-ffffffffffffffff: [0-9.]*[KMG] of it mapped, the other 16E holes that would be zero-filled; ask for the mappings (--mapping, --anon) or give -f to dump it anyway$" "$tmp/err" ||
	ms_fail "0 0xffffffffffffffff: $(cat "$tmp/err")"
[ ! -e "$tmp/holes" ] && [ -z "$(find "$tmp" -maxdepth 1 -name '.holes*')" ] || ms_error "0 0xffffffffffffffff: a file was left"

# The target went through all of that untouched.
grep -q '^State:[[:space:]]*[SR]' /proc/"$pid"/status || ms_error "the leaker is $(grep State /proc/"$pid"/status)"
leaker_stop
exit 0
