#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --format core writes an ELF core file gdb opens: the leaker's records are
# read back with x/s at the addresses it reports.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir
command -v gdb >/dev/null || ms_skip "gdb not installed (Debian package gdb)"

leaker_start
pid=$LEAKER_PID
leaker_cmd struct 3
leaker_cmd report
rec=$(printf '%s\n' "$LEAKER_REPLY" | grep -o '"addrs":\["0x[0-9a-f]*' | grep -o '0x[0-9a-f]*$')
leaker_cmd mmap 64K 0x41
maddr=$(leaker_field addr)
exe=$(readlink /proc/"$pid"/exe)

"$regiondump" -p "$pid" --anon --format core -w "$tmp/core" 2>"$tmp/err" || ms_fail "--format core: $(cat "$tmp/err")"
[ "$(od -An -c -N 4 "$tmp/core" | tr -d ' ')" = '177ELF' ] || ms_error "not an ELF file"
grep -qx '  "format": "core",' "$tmp/core.json" || ms_error "manifest format"

# The first record's payload, 24 bytes in: "record 1 of 3".
payload=$(printf '0x%x' $((rec + 24)))
gdb -nx -batch -ex "x/s $payload" -ex "x/4xb $maddr" "$exe" "$tmp/core" > "$tmp/gdb" 2>&1 ||
	ms_fail "gdb failed on the core: $(cat "$tmp/gdb")"
grep -q "^$payload:[[:space:]]*\"record 1 of 3\"$" "$tmp/gdb" || ms_error "gdb x/s $payload: $(cat "$tmp/gdb")"
grep -q "^$maddr:[[:space:]]*0x41[[:space:]]*0x41[[:space:]]*0x41[[:space:]]*0x41$" "$tmp/gdb" ||
	ms_fail "gdb x/4xb $maddr: $(cat "$tmp/gdb")"

# The NT_FILE note lists the leaker's executable.
if command -v eu-readelf >/dev/null; then
	eu-readelf -n "$tmp/core" | grep -q "$exe" || ms_fail "NT_FILE does not list $exe"
fi

# Written front to back: to stdout it is the same file.
"$regiondump" -p "$pid" --mapping "$maddr" --format core -w "$tmp/c2" 2>/dev/null || ms_fail "core to a file"
"$regiondump" -p "$pid" --mapping "$maddr" --format core -w - > "$tmp/c3" 2>/dev/null || ms_fail "core to stdout"
cmp "$tmp/c2" "$tmp/c3" || ms_error "core to stdout differs from core to a file"
leaker_stop
exit 0
