#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A slow steady leak in a big process is a leak: a service with 600 MiB of
# touched heap that keeps 320 KiB more between every two snapshots.  That is
# 0.05% of its size a snapshot, under the old noise floor of 1% of the
# mapping, which called it steady.  mapsdiff over a directory of snapshots and
# leakhunt must both say the [heap] grows with no steady state, by what the
# service itself says it kept.  The same service allocating and freeing 4 MiB
# in turn (a jittering steady service) and filling a cache that then holds
# (a warming cache) is not leaking.  The snapshot test hook makes each change
# land between two snapshots: no sleep.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service

leaker_start
pid=$LEAKER_PID
leaker_cmd fill 600
heap_rss()
{
	awk '/ \[heap\]$/ { h = 1; next } h && /^Rss:/ { print $2 * 1024; exit }' "/proc/$pid/smaps"
}
[ "$(heap_rss)" -ge $((600 << 20)) ] || ms_error "the service's heap is not 600 MiB resident: $(heap_rss)"

# mapsdiff DIR: six snapshots, 320 KiB kept between each two.
mkdir "$tmp/s"
leaker_cmd keep 0
k0=$(leaker_field kept)
h0=$(heap_rss)
for i in 1 2 3 4 5 6; do
	"$bin/mapsnap" -p "$pid" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"
	[ "$i" -lt 6 ] && leaker_cmd keep 320
done
k1=$(leaker_field kept)
h1=$(heap_rss)
rc=0
"$bin/mapsdiff" -J -o RSS-DELTA,VERDICT,NAME "$tmp/s" > "$tmp/j" || rc=$?
[ "$rc" -eq 1 ] || ms_error "mapsdiff: exit status $rc, not 1"
python3 - "$tmp/j" $((k1 - k0)) $((h1 - h0)) <<'PY' || ms_fail "mapsdiff: the slow leak is not seen: $(cat "$tmp/j")"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
kept, smaps = int(sys.argv[2]), int(sys.argv[3])
heap = [r for r in rows if r["name"] == "[heap]"][0]
assert heap["verdict"] == "grows with no steady state", heap
# What the service kept (1 KiB records: no malloc overhead beyond that), as smaps saw it.
assert abs(heap["rss_delta"] - smaps) <= 4096, (heap, smaps)
assert abs(heap["rss_delta"] - kept) <= 64 << 10, (heap, kept)
PY
"$bin/mapsdiff" "$tmp/s" > "$tmp/t" || :
grep -q '^process: .*: grows with no steady state$' "$tmp/t" || ms_error "mapsdiff: the process is not said to grow: $(tail -n 2 "$tmp/t")"

# hunt DIR CMD...: leakhunt -n 6 with CMD run between every two snapshots.
hunt()
{
	local dir=$1 n=0
	shift
	rm -f "$tmp/hook"
	mkfifo "$tmp/hook"
	(
		while read -r line < "$tmp/hook"; do
			n=$((n + 1))
			"$@" "$n"
			echo go > "$tmp/hook"
		done
	) &
	driver=$!
	rc=0
	MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/leakhunt" -p "$pid" -i 100ms --count 6 -w "$dir" \
		2> "$tmp/err" || rc=$?
	kill "$driver" 2>/dev/null
	wait "$driver" 2>/dev/null
	cat "$tmp/err" >&2
}
slow() { leaker_cmd keep 320; }
hunt "$tmp/leak" slow
[ "$rc" -eq 1 ] || ms_error "leakhunt: exit status $rc on a slow leak, not 1"
grep -q '^leakhunt: growth confirmed after 4 snapshots' "$tmp/err" || ms_error "leakhunt: growth not confirmed after 4 snapshots"
grep -Eq 'grows with no steady state +heap \(brk\) +\[heap\]$' "$tmp/leak/report.md" ||
	{ cat "$tmp/leak/report.md" >&2; ms_fail "leakhunt: the [heap] is not shown growing"; }

# Allocate and free 4 MiB in turn: steady.
jit() { leaker_cmd jitter; }
hunt "$tmp/jitter" jit
[ "$rc" -eq 0 ] || ms_error "leakhunt: exit status $rc on a jittering service, not 0"
grep -q '^\*\*Nothing is leaking:\*\* over 6 snapshots' "$tmp/jitter/report.md" ||
	{ cat "$tmp/jitter/report.md" >&2; ms_fail "leakhunt: the jittering service is called leaking"; }
grep -q 'grows with no steady state' "$tmp/jitter/report.md" && ms_fail "leakhunt: a jittering mapping grows"

# A cache filled by 20 MiB twice, then held: levelled off.
warm() { [ "$1" -le 2 ] && leaker_cmd keep 20480; :; }
hunt "$tmp/cache" warm
[ "$rc" -eq 0 ] || ms_error "leakhunt: exit status $rc on a warming cache, not 0"
grep -q '^\*\*Nothing is leaking:\*\*' "$tmp/cache/report.md" ||
	{ cat "$tmp/cache/report.md" >&2; ms_fail "leakhunt: the warming cache is called leaking"; }
grep -Eq 'levelled off +heap \(brk\) +\[heap\]$' "$tmp/cache/report.md" ||
	{ cat "$tmp/cache/report.md" >&2; ms_fail "leakhunt: the warming cache has not levelled off"; }
# mapsdiff over the same snapshots says the same.
for h in jitter cache; do
	"$bin/mapsdiff" "$tmp/$h/snapshots" > "$tmp/t" || :
	grep -q 'grows with no steady state' "$tmp/t" && ms_fail "mapsdiff: the $h grows: $(cat "$tmp/t")"
done
grep -Eq 'levelled off +heap \(brk\) +\[heap\]$' "$tmp/t" || ms_error "mapsdiff: the cache has not levelled off: $(cat "$tmp/t")"
leaker_stop
exit 0
