#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/TEMPLATE.c, the tool HACKING.md says to copy, does what it says: on
# an idle leaker its rows are /proc/PID/smaps's mappings, start and
# Rss each (read here with awk), and its errors are one line and exit 1.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
t=$MS_BUILDDIR/tools/TEMPLATE
leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 1M 0x41

"$t" -p "$pid" -r -n -b -o START,RSS > "$tmp/out" || ms_fail "TEMPLATE -p $pid: exit $?"
awk '/^[0-9a-f]+-[0-9a-f]+ / { split($1, a, "-"); start = a[1] }
     /^Rss:/ { printf "0x%s %d\n", start, $2 * 1024 }' "/proc/$pid/smaps" > "$tmp/want"
diff "$tmp/want" "$tmp/out" > "$tmp/diff" || ms_error "rows differ from /proc/$pid/smaps: $(head "$tmp/diff")"
"$t" -p "$pid" -J | python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["mappings"]' ||
	ms_error "-J is not JSON with a mappings array"

ms_expect -t 1 "TEMPLATE: no process given; use -p PID" "$t"
ms_expect -1 1 'TEMPLATE: -o: unknown column "NOPE"; see --help for the list' "$t" -p "$pid" -o NOPE
leaker_stop
exit 0
