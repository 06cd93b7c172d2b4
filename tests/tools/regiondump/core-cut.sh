#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A core cut short: the process exits mid-dump (the test hook holds
# regiondump after its first batch while the leaker quits).  The core must
# hold only bytes the process had: in a file its program headers cover what
# was read and nothing more (readelf and gdb are the judges, and the
# leaker's fill byte the truth); on a pipe it ends at the last byte read, and
# memsift's core reader refuses it as truncated rather than read zeros.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
bin=$MS_BUILDDIR/tools
command -v readelf >/dev/null || ms_skip "readelf not installed (Debian package binutils)"
command -v gdb >/dev/null || ms_skip "gdb not installed (Debian package gdb)"

# cut OUTPUT ARGS...: dump the leaker's 16 MiB of 0x42 and more (ARGS, where
# @A is its address), stopping the leaker after the first batch; the leaker
# is then gone.
cut_dump()
{
	local out=$1 rd rc=0 ev arg args=()
	shift
	leaker_start
	pid=$LEAKER_PID
	ms_require_ptrace "$pid"
	leaker_cmd mmap 16M 0x42
	a=$(leaker_field addr)
	for arg; do
		args+=("${arg/@A/$a}")
	done
	rm -f "$tmp/hook"
	mkfifo "$tmp/hook"
	MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" --format core "${args[@]}" \
		2>"$tmp/err" > "$out" &
	rd=$!
	read -r ev < "$tmp/hook"
	[ "$ev" = progress ] || ms_error "hook said \"$ev\""
	leaker_stop
	echo go > "$tmp/hook"
	wait "$rd" || rc=$?
	[ "$rc" = 1 ] || ms_error "regiondump ${args[*]}: exit $rc after the process exited mid-dump ($(cat "$tmp/err"))"
	grep -q "^regiondump: pid $pid: exited during the dump at 0x[0-9a-f]*; kept the [0-9]* bytes read, marked incomplete$" "$tmp/err" ||
		ms_fail "mid-dump message: $(cat "$tmp/err")"
}

# PT_LOAD segments as readelf -lW prints them: offset vaddr filesz memsz, in hex.
loads()
{
	readelf -lW "$1" | awk '$1 == "LOAD" { print $2, $3, $5, $6 }'
}

# 1. One range, to a file: the segment shrinks to what was read.
cut_dump /dev/null @A 16M --write "$tmp/one.core"
size=$(stat -c %s "$tmp/one.core")
((size < 16 * 1048576)) || ms_fail "a core cut short is $size bytes: the whole range's size"
read -r off vaddr filesz memsz < <(loads "$tmp/one.core")
[ "$((vaddr))" = "$((a))" ] || ms_error "the segment is at $vaddr, the range at $a"
((filesz > 0 && filesz < 16 * 1048576)) || ms_fail "segment of $((filesz)) bytes after a cut"
[ "$((memsz))" = "$((filesz))" ] || ms_error "memsz $memsz > filesz $filesz: the unread rest declared"
((off + filesz == size)) || ms_fail "the file ($size bytes) does not end with the segment ($off + $filesz)"
# Every byte the segment holds is the leaker's.
[ -z "$(tail -c +$((off + 1)) "$tmp/one.core" | tr -d 'B' | head -c 1 | od -An -tx1)" ] ||
	ms_fail "the segment holds bytes other than the leaker's 0x42"
grep -qx '  "complete": false,' "$tmp/one.core.json" || ms_error "manifest not marked incomplete"
last=$(printf '0x%x' $((a + filesz - 1)))
past=$(printf '0x%x' $((a + filesz)))
gdb -nx -batch -ex "x/1xb $last" -ex "x/1xb $past" -c "$tmp/one.core" > "$tmp/gdb" 2>&1 || :
grep -q "^$last:[[:space:]]*0x42$" "$tmp/gdb" || ms_error "gdb x/1xb $last: $(cat "$tmp/gdb")"
grep -q "Cannot access memory at address $past" "$tmp/gdb" ||
	ms_fail "gdb reads past what was read: $(cat "$tmp/gdb")"
# memsift's reader takes the same bytes: all of them 0x42.
"$bin/bytehist" -J "$tmp/one.core" > "$tmp/one.json" 2>"$tmp/err" || ms_fail "bytehist: $(cat "$tmp/err")"
python3 - "$tmp/one.json" "$((filesz))" <<'PY' || ms_fail "bytehist does not read the cut core's bytes alone"
import json, sys
h = json.load(open(sys.argv[1]))["files"][0]
n = int(sys.argv[2])
assert h["bytes"][0x42] == n and sum(h["bytes"]) == n, (h["bytes"][0x42], sum(h["bytes"]), n)
PY

# 1b. The same to standard output redirected to a file (opened write-only
# by the shell): rewritten alike.
cut_dump "$tmp/stdout.core" @A 16M --write -
size=$(stat -c %s "$tmp/stdout.core")
read -r off vaddr filesz memsz < <(loads "$tmp/stdout.core")
((filesz > 0 && filesz < 16 * 1048576 && memsz == filesz && off + filesz == size)) ||
	ms_fail "core on stdout cut short: segment $off $filesz $memsz in $size bytes"

# 2. Every anonymous mapping: those never reached are empty, none past the end.
cut_dump /dev/null --anon --write "$tmp/anon.core"
size=$(stat -c %s "$tmp/anon.core")
loads "$tmp/anon.core" > "$tmp/loads"
[ "$(wc -l < "$tmp/loads")" -gt 1 ] || ms_error "--anon gave one segment: $(cat "$tmp/loads")"
empty=0
while read -r off vaddr filesz memsz; do
	((off + filesz <= size)) || ms_fail "segment at $vaddr runs past the end of the file"
	[ "$((memsz))" = "$((filesz))" ] || ms_error "segment at $vaddr declares $memsz bytes, holds $filesz"
	((filesz)) || empty=$((empty + 1))
done < "$tmp/loads"
((empty > 0)) || ms_fail "no segment left empty after the cut: $(cat "$tmp/loads")"
"$bin/bytehist" "$tmp/anon.core" > /dev/null 2>"$tmp/err" || ms_fail "bytehist anon.core: $(cat "$tmp/err")"

# 4. The range unmapped mid-dump (the process lives on): the dump completes,
# exit 0, and the segment ends at the last byte read, not with the zeros that
# stand in the manifest for the part no longer mapped.
leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 16M 0x42
id=$(leaker_field id)
a=$(leaker_field addr)
rm -f "$tmp/hook"
mkfifo "$tmp/hook"
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" --format core "$a" 16M \
	--write "$tmp/unmap.core" 2> "$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = progress ] || ms_error "hook said \"$ev\""
leaker_cmd free "$id"
echo go > "$tmp/hook"
rc=0
wait "$rd" || rc=$?
[ "$rc" = 0 ] || ms_error "exit $rc after the range was unmapped mid-dump: $(cat "$tmp/err")"
read -r off vaddr filesz memsz < <(loads "$tmp/unmap.core")
((filesz > 0 && filesz < 16 * 1048576 && memsz == filesz)) ||
	ms_fail "segment of $((filesz)) bytes ($((memsz)) in memory) after the unmap"
[ -z "$(tail -c +$((off + 1)) "$tmp/unmap.core" | head -c $((filesz)) | tr -d 'B' | head -c 1 | od -An -tx1)" ] ||
	ms_fail "the segment holds bytes other than the leaker's 0x42"
past=$(printf '0x%x' $((a + filesz)))
gdb -nx -batch -ex "x/1xb $past" -c "$tmp/unmap.core" > "$tmp/gdb" 2>&1 || :
grep -q "Cannot access memory at address $past" "$tmp/gdb" ||
	ms_fail "gdb reads the unmapped part: $(cat "$tmp/gdb")"
leaker_stop

# 3. To a pipe: the stream ends at the last byte read, never with zeros.
mkfifo "$tmp/pipe"
cat "$tmp/pipe" > "$tmp/pipe.core" &
cat=$!
cut_dump "$tmp/pipe" @A 16M --write -
wait "$cat" || ms_fail "cat of the pipe failed"
size=$(stat -c %s "$tmp/pipe.core")
((size > 4096 && size < 16 * 1048576)) || ms_fail "a core on a pipe cut short is $size bytes"
[ "$(tail -c 1 "$tmp/pipe.core" | od -An -tx1 | tr -d ' ')" = 42 ] ||
	ms_fail "the stream does not end with the leaker's bytes"
rc=0; "$bin/bytehist" "$tmp/pipe.core" > /dev/null 2> "$tmp/err" || rc=$?
[ $rc = 1 ] || ms_error "a core cut short on a pipe: bytehist exit $rc"
grep -q "segment [0-9]* runs past the end of the file; truncated?$" "$tmp/err" ||
	ms_fail "truncated core message: $(cat "$tmp/err")"
exit 0
