#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff's catalogue of bad inputs: each refused with one line naming the
# file and line, exit 2 (trouble, as diff(1)).
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
good=$MS_FIXTURES/pmap/leaker-after.smaps
ms_tmpdir

# expect STATUS FIRST-STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect -1 "$want" "$msg" "$mapsdiff" "$@"; }

# Truncated inside a value: "Pss:  1" is a cut "Pss:  12 kB", not 1 byte.
# The message names the byte where the value starts (the last of the 1000
# bytes kept), not the value.
head -c 1000 "$good" > "$tmp/cut"
[ "$(tail -n 1 "$tmp/cut")" = "Pss:                  1" ] || ms_error "the fixture changed: $(tail -n 1 "$tmp/cut")"
expect 2 "mapsdiff: $tmp/cut:31: byte 999: bad value for Pss" -- "$tmp/cut" "$good"
head -c 1001 "$good" > "$tmp/cut"
expect 2 "mapsdiff: $tmp/cut:31: byte 999: bad value for Pss" -- "$tmp/cut" "$good"
head -c 990 "$good" > "$tmp/cut"
expect 2 "mapsdiff: $tmp/cut:31: byte 990: bad value for Pss" -- "$tmp/cut" "$good"
# Cut at a line's end: what is there is a valid smaps.
head -n 30 "$good" > "$tmp/cut"
expect 1 "" -- "$tmp/cut" "$good"

# Huge lines: refused by place, never quoted.
head -c 10000000 /dev/zero | tr '\0' a > "$tmp/huge"
expect 2 "mapsdiff: $tmp/huge:1: byte 0: a line longer than 1 MiB; is this a maps or smaps capture?" -- "$tmp/huge" "$good"
{ head -n 3 "$good"; head -c 5000000 /dev/zero | tr '\0' b; echo; } > "$tmp/huge"
expect 2 "mapsdiff: $tmp/huge:4: byte $(head -n 3 "$good" | wc -c): a line longer than 1 MiB; is this a maps or smaps capture?" -- "$tmp/huge" "$good"

# Binary.
printf 'ELF\0\1\2\3' > "$tmp/bin"
expect 2 "mapsdiff: $tmp/bin:1: byte 3: binary data (a NUL byte); is this a maps or smaps capture?" -- "$tmp/bin" "$good"

# Negative, overflowing and reversed address ranges; a size past 64 bits.
printf '7f3a1c000000-7f3a1c001000 rw-p 00000000 00:00 0\n-1000-2000 rw-p 00000000 00:00 0\n' > "$tmp/neg.maps"
expect 2 "mapsdiff: $tmp/neg.maps:2: byte $(head -n 1 "$tmp/neg.maps" | wc -c): bad address range" -- "$tmp/neg.maps" "$good"
printf '7f3a1c000000-fffffffffffffffff rw-p 00000000 00:00 0\n' > "$tmp/ovf.maps"
expect 2 "mapsdiff: $tmp/ovf.maps:1: byte 0: bad address range" -- "$tmp/ovf.maps" "$good"
printf '2000-1000 rw-p 00000000 00:00 0\n' > "$tmp/rev.maps"
expect 2 "mapsdiff: $tmp/rev.maps:1: byte 0: address range ends before it starts" -- "$tmp/rev.maps" "$good"
printf '1000-2000 rw-p 00000000 00:00 0\nRss: 18014398509481984 kB\n' > "$tmp/big.smaps"
expect 2 "mapsdiff: $tmp/big.smaps:2: byte $(($(head -n 1 "$tmp/big.smaps" | wc -c) + 5)): field value overflows 64 bits" -- "$tmp/big.smaps" "$good"

# Sizes on the command line: unknown suffixes, signs, overflow.
expect 2 "mapsdiff: --limit: bad size \"4Q\": unknown suffix \"Q\"; use K, M, G or T (binary: 1K = 1024)" -- --limit 4Q "$good" "$good"
expect 2 "mapsdiff: --limit: bad size \"-1\": no sign allowed; use bytes or a K, M, G or T suffix, as in 4096, 0x1000 or 128M" -- --limit -1 "$good" "$good"
expect 2 "mapsdiff: --limit: size \"99999999999T\" overflows 64 bits" -- --limit 99999999999T "$good" "$good"
exit 0
