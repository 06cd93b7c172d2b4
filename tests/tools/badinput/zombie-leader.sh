#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A live process whose main thread exited (its leader a zombie, a worker
# running on) has empty memory files under /proc/PID: the tools read them
# through a live thread's /proc/PID/task/TID, and its memory through that
# thread.  The truth: /proc says the leader is a zombie with no maps, the
# worker's own reply says where its 'Z' bytes are.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
prog=$MS_BUILDDIR/tests/leaker/zombie-leader

mkfifo "$tmp/in" "$tmp/out"
"$prog" < "$tmp/in" > "$tmp/out" &
pid=$!
ms_at_exit "kill $pid 2>/dev/null"
exec {zin}> "$tmp/in" {zout}< "$tmp/out"
read -r _ _ <&"$zout" || ms_fail "zombie-leader did not start"
echo $((4 << 20)) >&"$zin"
read -r ok addr <&"$zout" || ms_fail "the worker did not reply"
[ "$ok" = ok ] || ms_error "the worker said: $ok $addr"
# What /proc says: a zombie leader, no maps under /proc/PID, two tasks.
while ! grep -q '^State:.*Z' "/proc/$pid/status"; do :; done
[ ! -s "/proc/$pid/maps" ] || ms_error "the leader still has maps: not the case under test"

"$bin/mapsnap" -p "$pid" -w "$tmp/s" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
grep -q '^Rss:' "$tmp/s" || ms_error "mapsnap: no mappings in the snapshot"
a=$(printf '%x' "$addr")
awk -v a="$a" '/^[0-9a-f]+-[0-9a-f]+ / { split($1, r, "-"); if (("0x" r[1]) + 0 <= ("0x" a) + 0) f = 1 } END { exit !f }' "$tmp/s" ||
	ms_fail "mapsnap: no mapping at or below the worker's $addr"
for f in "" --freeze; do
	"$bin/regiondump" $f -p "$pid" "$addr" 1M -w "$tmp/d$f" 2> "$tmp/err" ||
		ms_fail "regiondump $f: $(cat "$tmp/err")"
	[ "$(tr -d Z < "$tmp/d$f" | wc -c)" = 0 ] || ms_error "regiondump $f: not the worker's 'Z' bytes"
done
"$bin/mapswatch" -p "$pid" -i 10ms --count 2 --batch > "$tmp/w" 2> "$tmp/err" || ms_fail "mapswatch: $(cat "$tmp/err")"
head -n 1 "$tmp/w" | grep -q ": 2 samples over " || ms_fail "mapswatch: $(head -n 1 "$tmp/w")"
grep -q '^State:.*[SR]' "/proc/$pid/task/$(ls "/proc/$pid/task" | grep -vx "$pid" | head -n 1)/status" ||
	ms_fail "the worker is left stopped"
exit 0
