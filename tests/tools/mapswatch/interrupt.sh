#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Ctrl-C (SIGINT) or SIGTERM that comes while mapswatch samples, not while
# it waits, still ends the watch at once: mapswatch blocks these signals
# but while it waits, so each is taken when the wait begins.  With a
# one-hour interval, the signal is sent while the first sample is held in
# the test hook; the watch must end after that one sample, exit 0 and
# print its table (the leaker's mappings, as /proc/PID/maps lists them).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
leaker_start
pid=$LEAKER_PID
nmaps=$(wc -l < "/proc/$pid/maps")

for sig in INT TERM; do
	rm -f "$tmp/mw.pid"
	# timeout only bounds a regression: the watch must end long before.
	ms_hooked "$tmp/hook" 'kill -'"$sig"' "$(cat "$tmp/mw.pid")"' \
		timeout 60 bash -c 'echo $$ > "$0"; exec "$@"' "$tmp/mw.pid" \
		"$MS_HOOKED/mapswatch" -p "$pid" -i 1h --batch -r > "$tmp/out" 2> "$tmp/err"
	[ "$MS_RC" = 0 ] || ms_error "SIG$sig during a sample: exit $MS_RC, not 0: $(cat "$tmp/err")"
	# -r: one line per mapping, no header line before them but the summary's.
	rows=$(grep -c '^0x' "$tmp/out")
	[ "$rows" = "$nmaps" ] || ms_error "SIG$sig: $rows rows, /proc/$pid/maps has $nmaps: $(head -5 "$tmp/out")"
done
leaker_stop
exit 0
