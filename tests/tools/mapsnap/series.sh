#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap -i/-n: a series of whole snapshots in a directory, one per interval,
# each recording the process's threads and their stack pointers.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd thread 10 4096 0x43
tid=$(leaker_field tid)

"$mapsnap" -p "$pid" -i 200ms --count 3 -w "$tmp/series" || ms_fail "series failed"
[ "$(stat -c %a "$tmp/series")" = 700 ] || ms_error "series directory mode $(stat -c %a "$tmp/series")"
[ "$(ls "$tmp/series")" = "$(printf '0001.snap\n0002.snap\n0003.snap')" ] || ms_error "files: $(ls "$tmp/series")"
# On the schedule, never early: snapshot K at least (K-1) x 200ms after the
# first (less 100ms for the time the first took to reach its clock reading).
# Not each 200ms after the one before: a late one, on a loaded machine, is
# followed sooner by the next, which keeps to the schedule.
first= k=0
for f in "$tmp"/series/*.snap; do
	[ "$(stat -c %a "$f")" = 600 ] || ms_error "$f mode $(stat -c %a "$f")"
	bt=$(sed -n 's/^# boottime: //p' "$f")
	[ -n "$first" ] || first=$bt
	awk -v a="$bt" -v b="$first" -v k="$k" 'BEGIN { exit !(a - b >= k * 0.2 - 0.1) }' ||
		ms_fail "$f: boottime $bt is not $k x 200ms after the first, $first"
	k=$((k + 1))
	# One thread line per task, the second one with a stack pointer.
	[ "$(grep -c '^# thread: ' "$f")" = "$(ls /proc/"$pid"/task | wc -l)" ] || ms_error "$f: thread lines wrong"
	grep -q "^# thread: $tid 0x[0-9a-f]* leaker$" "$f" || ms_error "$f: no stack pointer for thread $tid: $(grep '^# thread' "$f")"
	[ "$(grep -c '^Rss:' "$f")" = "$(wc -l < /proc/"$pid"/maps)" ] || ms_error "$f: not one Rss line per mapping"
done

# An existing series is not overwritten without -f.
if "$mapsnap" -p "$pid" -i 20ms --count 2 -w "$tmp/series" 2> "$tmp/err"; then ms_fail "overwrote a series"; fi
grep -q "0001.snap: file exists; use -f to overwrite it" "$tmp/err" || ms_error "message: $(cat "$tmp/err")"
"$mapsnap" -p "$pid" -f -i 20ms --count 2 -w "$tmp/series" || ms_fail "-f series failed"

# A series needs a directory and an interval.
rc=0; "$mapsnap" -p "$pid" -i 1s --count 2 2> "$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "^mapsnap: a series needs a directory; use -w DIR$" "$tmp/err" || ms_error "series to stdout: $rc $(cat "$tmp/err")"
rc=0; "$mapsnap" -p "$pid" --count 2 -w "$tmp/x" 2> "$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "^mapsnap: a series needs an interval; use -i TIME$" "$tmp/err" || ms_error "no interval: $rc $(cat "$tmp/err")"

# The process exits during a series: what was taken is kept, whole.
leaker_stop
rc=0; "$mapsnap" -p "$pid" -i 10ms --count 3 -w "$tmp/gone" 2> "$tmp/err" || rc=$?
[ $rc = 1 ] && grep -q "pid $pid: no such process" "$tmp/err" || ms_error "gone pid: $rc $(cat "$tmp/err")"
[ -z "$(ls -A "$tmp/gone")" ] || ms_error "files left for a gone pid: $(ls -A "$tmp/gone")"
exit 0
