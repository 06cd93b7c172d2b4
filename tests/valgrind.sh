#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/valgrind.sh: each tool's main cases under valgrind memcheck, from a
# plain build (MS_BUILDDIR, default build/).  Not part of make check: slow.
# Ends with "N passed, M failed"; exits 1 on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
b=${MS_BUILDDIR:-$top/build}
fx=$top/tests/fixtures
command -v valgrind >/dev/null || { echo "valgrind.sh: install the Debian package valgrind" >&2; exit 2; }
[ -x "$b/tools/regiondump" ] || { echo "valgrind.sh: no build in $b; run ./quickstart.sh check" >&2; exit 2; }
work=$(mktemp -d)
coproc LK { exec "$b/tests/leaker/leaker"; }
lkpid=$LK_PID
trap 'kill $lkpid 2>/dev/null; rm -rf "$work"' EXIT
read -r _ pid <&"${LK[0]}"
cmd() { echo "$*" >&"${LK[1]}"; read -r reply <&"${LK[0]}"; }
cmd malloc 2000 512 T; cmd struct 500; cmd mmap 1M 0xa5
addr=$(sed 's/.*addr=\(0x[0-9a-f]*\).*/\1/' <<<"$reply")
heap=$(awk '$NF == "[heap]" { sub(/-.*/, "", $1); print $1; exit }' /proc/"$pid"/maps)

pass=0 fail=0
vg() {
	local name=$1 ok=$2 rc=0
	shift 2
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 --log-file="$work/$name.vg" "$@" > "$work/$name.out" 2>&1 || rc=$?
	if [ "$rc" = 99 ] || [ -s "$work/$name.vg" ] || ! [[ " $ok " == *" $rc "* ]]; then
		echo "FAIL $name (exit $rc)"; cat "$work/$name.vg"; fail=$((fail + 1))
	else
		echo "ok   $name"; pass=$((pass + 1))
	fi
}
vg mapsnap 0 "$b/tools/mapsnap" -p "$pid" -w "$work/1.snap"
vg mapsnap-pages 0 "$b/tools/mapsnap" -p "$pid" --pages -w "$work/p.snap"
cmd malloc 2000 512 U
vg mapsnap-2 0 "$b/tools/mapsnap" -p "$pid" -w "$work/2.snap"
vg mapsdiff 0\ 1 "$b/tools/mapsdiff" "$work/1.snap" "$work/2.snap"
vg mapsdiff-json 0\ 1 "$b/tools/mapsdiff" -J "$work/1.snap" "$work/2.snap"
vg mapsdiff-pmap 0\ 1 "$b/tools/mapsdiff" "$fx/pmap/leaker-before.pmap-XX" "$fx/pmap/leaker-after.pmap-XX"
vg mapsdiff-bad 2 "$b/tools/mapsdiff" "$fx/bad/garbage.bin" "$fx/pmap/leaker-after.smaps"
vg regiondump 0 "$b/tools/regiondump" -p "$pid" "$addr" 1M -w "$work/d"
vg regiondump-core 0 "$b/tools/regiondump" -p "$pid" "$addr" 1M --format core -w "$work/d.core"
vg regiondump-zstd 0 "$b/tools/regiondump" -p "$pid" "$addr" 1M -z -w "$work/d.zst"
vg regiondump-heap 0 "$b/tools/regiondump" -p "$pid" --mapping "0x$heap" -w "$work/heap"
vg regiondump-grown 0 "$b/tools/regiondump" -p "$pid" --grown "$work/1.snap" -w "$work/grown"
vg regiondump-changed 0 "$b/tools/regiondump" -p "$pid" --changed-since "$work/p.snap" -w "$work/changed"
vg regiondump-freeze 0 "$b/tools/regiondump" -p "$pid" "$addr" 64K --freeze -w "$work/frozen"
vg regiondump-bad 1 "$b/tools/regiondump" -p "$pid" 1000 4K -w "$work/x"
printf 'T{16}\n' > "$work/patterns"
vg regiondump-redact 0 "$b/tools/regiondump" -p "$pid" --anon --redact-set all --redact-file "$work/patterns" \
	--redact 'U+' -z -o "$work/redacted.zst"
vg regiondump-redact-bad 1 "$b/tools/regiondump" -p "$pid" --anon --redact ok --redact '(' -w "$work/x"
vg mapsnap-bad 1 "$b/tools/mapsnap" -p "$pid" -i 0 --count 2 -w "$work/series"
vg bytehist 0 "$b/tools/bytehist" "$work/d"
vg bytehist-json 0 "$b/tools/bytehist" -J -e a5a5 -E 'T{8}' "$work/heap"
vg bytehist-core 0 "$b/tools/bytehist" "$work/d.core"
vg bytehist-heap 0 "$b/tools/bytehist" --heap --symbols -s summary "$work/heap"
vg bytehist-base 0 "$b/tools/bytehist" --base "$work/d" "$work/heap"
vg bytehist-bad 1 "$b/tools/bytehist" "$work/missing"
echo quit >&"${LK[1]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
