#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap on the live leaker: header facts, the smaps body, what it leaks, and
# how the output file is written (0600, no overwrite, no symlink followed).
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

leaker_start
pid=$LEAKER_PID

"$mapsnap" -p "$pid" -w "$tmp/1.snap" || ms_fail "mapsnap -p $pid failed"
[ "$(stat -c %a "$tmp/1.snap")" = 600 ] || ms_error "snapshot mode is $(stat -c %a "$tmp/1.snap"), not 600"
[ "$(head -n 1 "$tmp/1.snap")" = "# memsift snapshot 1" ] || ms_error "first line: $(head -n 1 "$tmp/1.snap")"
grep -qx "# pid: $pid" "$tmp/1.snap" || ms_error "no '# pid: $pid' header"
grep -qx "# comm: leaker" "$tmp/1.snap" || ms_error "no '# comm: leaker' header"
grep -qx "# pagesize: $(getconf PAGESIZE)" "$tmp/1.snap" || ms_error "wrong pagesize header"
grep -q "^# time: [0-9-]*T[0-9:.]*Z$" "$tmp/1.snap" || ms_error "no time header"

# The body is the kernel's smaps: its mapping lines are the process's maps.
# The leaker is idle between commands, so its maps cannot change meanwhile.
grep -E '^[0-9a-f]+-[0-9a-f]+ ' "$tmp/1.snap" > "$tmp/body.maps"
ms_compare /proc/"$pid"/maps "$tmp/body.maps"
[ "$(grep -c '^Rss:' "$tmp/1.snap")" = "$(wc -l < /proc/"$pid"/maps)" ] ||
	ms_fail "not one Rss line per mapping"

# What the leaker maps shows up, resident (and named, where the kernel has
# CONFIG_ANON_VMA_NAME).
named=0
if leaker_try mmap 4M 0xa5 mstest; then named=1; else leaker_cmd mmap 4M 0xa5; fi
addr=$(leaker_field addr)
"$mapsnap" -p "$pid" > "$tmp/2.snap" || ms_fail "mapsnap to stdout failed"
start=${addr#0x}
awk -v s="$start" '$1 ~ "^"s"-" { found = 1 } found && /^Rss:/ { print $2; exit }' "$tmp/2.snap" > "$tmp/rss"
[ "$(cat "$tmp/rss")" = 4096 ] || ms_error "mapping at $addr: Rss $(cat "$tmp/rss") kB, want 4096"
[ $named = 0 ] || grep -q "^$start-.*\[anon:mstest\]$" "$tmp/2.snap" || ms_error "no [anon:mstest] line at $addr"

# No overwrite without -f; the old file stays whole.
cp "$tmp/1.snap" "$tmp/1.copy"
if "$mapsnap" -p "$pid" -w "$tmp/1.snap" 2> "$tmp/err"; then ms_fail "overwrote without -f"; fi
grep -q "^mapsnap: $tmp/1.snap: file exists; use -f to overwrite it$" "$tmp/err" ||
	ms_fail "wrong message: $(cat "$tmp/err")"
cmp -s "$tmp/1.snap" "$tmp/1.copy" || ms_error "refused overwrite still changed the file"
"$mapsnap" -p "$pid" -f -w "$tmp/1.snap" || ms_fail "-f did not overwrite"
grep -q "^$start-" "$tmp/1.snap" || ms_error "-f left the old content"

# A symlink at the output path: refused; with -f the link is replaced, its
# target untouched.
echo secret-target > "$tmp/target"
ln -s "$tmp/target" "$tmp/link.snap"
if "$mapsnap" -p "$pid" -w "$tmp/link.snap" 2>/dev/null; then ms_fail "wrote through a symlink"; fi
"$mapsnap" -p "$pid" -f -w "$tmp/link.snap" || ms_fail "-f over a symlink failed"
[ "$(cat "$tmp/target")" = secret-target ] || ms_error "symlink target was written"
[ -L "$tmp/link.snap" ] && ms_fail "symlink still there after -f"

# No temporary files left behind.
left=$(find "$tmp" -name '.*' -type f)
[ -z "$left" ] || ms_error "temporary files left: $left"

# A write error on stdout is a failure.
if "$mapsnap" -p "$pid" > /dev/full 2> "$tmp/err"; then ms_fail "exit 0 writing to /dev/full"; fi
grep -q "write error" "$tmp/err" || ms_error "no write error message: $(cat "$tmp/err")"

leaker_stop
exit 0
