#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump writes byte for byte what gdb's "dump binary memory" writes for
# the same range: an mmap region, a range inside the heap, and an unaligned
# range, each in one of the argument forms.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir
command -v gdb >/dev/null || ms_skip "gdb not installed (Debian package gdb)"

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 1M 0xa5
maddr=$(leaker_field addr)
leaker_cmd malloc 64 1000 0x3c
leaker_cmd struct 20

# gdb stops the leaker, dumps and detaches; the leaker is idle between
# commands, so its memory is the same for both.
gdbdump() # FILE START END
{
	gdb -nx -p "$pid" -batch -ex "dump binary memory $1 $2 $3" >/dev/null 2>"$tmp/gdb.err" ||
		ms_fail "gdb failed: $(cat "$tmp/gdb.err")"
	[ -f "$1" ] || ms_error "gdb wrote no $1: $(cat "$tmp/gdb.err")"
}

# ADDR SIZE
"$regiondump" -p "$pid" "$maddr" 1M -w "$tmp/rd1" 2>"$tmp/err" || ms_fail "regiondump: $(cat "$tmp/err")"
gdbdump "$tmp/gdb1" "$maddr" "$maddr+0x100000"
cmp "$tmp/gdb1" "$tmp/rd1" || ms_error "mmap region differs from gdb's dump"
[ "$(stat -c %s "$tmp/rd1")" = 1048576 ] || ms_error "mmap dump is not 1 MiB"

# START-END over the heap, as /proc/PID/maps prints it.
heap=$(awk '$6 == "[heap]" { print $1; exit }' /proc/"$pid"/maps)
[ -n "$heap" ] || ms_fail "leaker has no [heap]"
"$regiondump" -p "$pid" "$heap" -w "$tmp/rd2" 2>"$tmp/err" || ms_fail "regiondump $heap: $(cat "$tmp/err")"
gdbdump "$tmp/gdb2" "0x${heap%-*}" "0x${heap#*-}"
cmp "$tmp/gdb2" "$tmp/rd2" || ms_error "heap $heap differs from gdb's dump"

# START+LEN, unaligned at both ends.
start=$(printf '0x%x' $((maddr + 4097)))
"$regiondump" -p "$pid" "$start+0x2001" -w "$tmp/rd3" 2>"$tmp/err" || ms_fail "regiondump $start+0x2001: $(cat "$tmp/err")"
gdbdump "$tmp/gdb3" "$start" "$start+0x2001"
cmp "$tmp/gdb3" "$tmp/rd3" || ms_error "unaligned range differs from gdb's dump"
[ "$(stat -c %s "$tmp/rd3")" = 8193 ] || ms_error "unaligned dump is not 8193 bytes"

# The leaker was only paused by gdb: it still answers.
leaker_cmd report
leaker_stop
exit 0
