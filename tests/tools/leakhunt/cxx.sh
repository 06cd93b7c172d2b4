#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt's verdict names the type of C++ objects: a C++ leaker that makes
# 5,000 shape::Circle and 2,000 shape::Square between every two snapshots is
# reported as "objects of type shape::Circle" and "... shape::Square", named
# from their vtables, the most first.  The C leaker's verdict (leak.sh) names
# its records' function and source line.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v g++ > /dev/null || ms_skip "no g++ to build the C++ leaker (apt-get install g++)"
g++ -g -O1 -o "$tmp/leaker-cxx" "$MS_SRCDIR/tests/leaker/leaker-cxx.cc" || ms_fail "cannot build leaker-cxx"
MS_LEAKER=$tmp/leaker-cxx
leaker_start
pid=$LEAKER_PID
ms_hooked "$tmp/hook" 'leaker_cmd new A 5000; leaker_cmd new B 2000' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 -w "$tmp/r" \
	2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1 (leak found)"
verdict=$(grep '^\*\*Likely leaking:\*\* ' "$tmp/r/report.md")
echo "$verdict" >&2
# Four rounds by the second dump (three before growth is confirmed after four
# snapshots, one between the dumps): 20,000 Circles and 8,000 Squares, of
# which 5,000 and 2,000 between the dumps, 2.5 : 1.
[[ $verdict =~ ^\*\*Likely\ leaking:\*\*\ (19,9[0-9]{2}|20,0[0-9]{2})\ ×\ 32-byte\ objects\ of\ type\ shape::Circle\ .*,\ \+5,000\ in\ one\ interval\;\ (7,9[0-9]{2}|8,0[0-9]{2})\ ×\ 48-byte\ objects\ of\ type\ shape::Square\ .*\+2,000\ in\ one\ interval\ \(2\.5\ :\ 1\) ]] ||
	ms_fail "the verdict does not name the objects' types"
leaker_stop
exit 0
