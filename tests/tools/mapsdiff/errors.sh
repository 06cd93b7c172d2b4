#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff on bad input: one line naming the file and line, exit 2.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
bad=$MS_FIXTURES/bad
good=$MS_FIXTURES/pmap/leaker-after.smaps
ms_tmpdir

# expect STATUS FIRST-STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect "$want" "$msg" "$mapsdiff" "$@"; }

expect 2 "mapsdiff: $bad/empty: no mappings in it; is this a maps or smaps capture?" -- "$bad/empty" "$good"
# Places, not contents: the byte offset of line 3 is what its first two lines take.
expect 2 "mapsdiff: $bad/bad-range.maps:3: byte $(head -n 2 "$bad/bad-range.maps" | wc -c): bad address range" -- "$good" "$bad/bad-range.maps"
expect 2 "mapsdiff: $bad/field-first.smaps:1: byte 0: a field line before any mapping line" -- "$bad/field-first.smaps" "$good"
expect 2 "mapsdiff: $tmp/missing: No such file or directory" -- "$tmp/missing" "$good"
expect 2 "mapsdiff: two snapshots needed: OLD NEW, or a directory of them" -- "$good"
mkdir "$tmp/one"; cp "$good" "$tmp/one/1"
expect 2 "mapsdiff: $tmp/one: fewer than two snapshots in it" -- "$tmp/one"
expect 2 "mapsdiff: --sort: unknown column \"bogus\"; see --help for the list" -- --sort bogus "$good" "$good"
expect 2 "mapsdiff: --limit: bad size \"lots\": not a number; use bytes or a K, M, G or T suffix, as in 4096, 0x1000 or 128M" -- --limit lots "$good" "$good"
expect 2 "mapsdiff: --top: number \"0\" out of range; use a decimal number from 1 to 4294967295" -- --top 0 "$good" "$good"
expect 2 "mapsdiff: options --json and --raw are mutually exclusive" -- -J -r "$good" "$good"
expect 2 "mapsdiff: unknown column \"BOGUS\"; see --help for the list" -- -o BOGUS "$good" "$good"

# Binary garbage and a truncated capture are refused, naming a line.
rc=0; "$mapsdiff" "$bad/garbage.bin" "$good" 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" = 2 ] && grep -q "^mapsdiff: $bad/garbage.bin:[0-9]*: " "$tmp/err" || ms_error "garbage: exit $rc, $(cat "$tmp/err")"
rc=0; "$mapsdiff" "$good" "$bad/truncated.smaps" 2> "$tmp/err" > /dev/null || rc=$?
[ "$rc" = 2 ] && grep -q "^mapsdiff: $bad/truncated.smaps:[0-9]*: " "$tmp/err" || ms_error "truncated: exit $rc, $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] || ms_error "more than one line of error: $(cat "$tmp/err")"

# Snapshots of two different processes: compared, with a warning.
printf '# memsift snapshot 1\n# pid: 100\n' | cat - "$good" > "$tmp/a.snap"
printf '# memsift snapshot 1\n# pid: 200\n' | cat - "$good" > "$tmp/b.snap"
expect 0 "mapsdiff: $tmp/a.snap is of pid 100 but $tmp/b.snap of pid 200; comparing anyway" -- "$tmp/a.snap" "$tmp/b.snap"
exit 0
