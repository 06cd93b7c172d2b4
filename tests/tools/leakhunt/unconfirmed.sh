#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A hunt that ends (-d) after seeing growth it had no time to confirm says
# "Grew, not yet confirmed" with the figures, dumps nothing and exits 3, never
# "Nothing is leaking" and 0: -d 2s -i 1s takes three snapshots, and
# --confirm asks for four.  (An interval longer than a snapshot takes keeps
# their times even, so three suffice to judge the trend.)  The leaker keeps 1,000 blocks of 4 KiB between
# every two (the snapshot test hook: no sleep).  A first snapshot that cannot
# be written (the file size limit standing for a full disk) leaves a report
# that says so, exit 2, and no crash.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
heap_rss()
{
	awk '/ \[heap\]$/ { h = 1; next } h && /^Rss:/ { print $2 * 1024; exit }' "/proc/$pid/smaps"
}
leaker_cmd malloc 10 4096 T
h0=$(heap_rss)
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 4096 T' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 1s -d 2s -w "$tmp/r" \
	> "$tmp/out" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
r=$tmp/r/report.md
cat "$r" >&2
[ -f "$tmp/r/snapshots/0003.snap" ] && [ ! -e "$tmp/r/snapshots/0004.snap" ] ||
	ms_fail "-d 2s -i 1s: not three snapshots"
# The hook ran after snapshots 1 and 2 only: two rounds of the leak.
h1=$(heap_rss)
[ "$rc" -eq 3 ] || ms_error "exit status $rc after unconfirmed growth, not 3"
grep -q 'Nothing is leaking' "$r" && ms_fail "the report says nothing is leaking"
line=$(grep '^\*\*Grew, not yet confirmed:\*\* over 3 snapshots in ' "$r") ||
	ms_fail "the report does not say the growth is not yet confirmed"
python3 - "$line" $((h1 - h0)) <<'PY' || ms_fail "the figures are not the [heap]'s growth ($((h1 - h0)) bytes by smaps): $line"
import re, sys
line, truth = sys.argv[1], int(sys.argv[2])
m = re.search(r"\[heap\] grew \+([0-9.]+)([KMG]) \(\+[0-9.]+[KMG]?/s, grows with no steady state\)", line)
assert m, line
got = float(m.group(1)) * {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]
assert abs(got - truth) <= 0.05 * truth, (got, truth)
assert re.search(r"the process \+[0-9.]+M\.  Confirming takes 4 snapshots", line), line
PY
grep -q '^grew, not yet confirmed: \[heap\] grew +' "$tmp/out" ||
	ms_fail "standard output does not say it grew, not yet confirmed: $(cat "$tmp/out")"
[ ! -e "$tmp/r/grown.dump" ] || ms_error "a dump of unconfirmed growth"
grep -q 'growth confirmed' "$tmp/err" && ms_fail "growth confirmed after three snapshots"

# The same with nothing growing: 0, nothing is leaking.
rc=0
"$bin/leakhunt" -p "$pid" -i 10ms --count 3 --confirm 3 -w "$tmp/steady" 2> "$tmp/err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "exit status $rc on a steady process, not 0"; }
grep -q '^\*\*Nothing is leaking:\*\* over 3 snapshots' "$tmp/steady/report.md" ||
	ms_fail "steady: $(head -n 3 "$tmp/steady/report.md")"

# The first snapshot cannot be written: ulimit -f 2 (2 KiB) lets report.md
# through but not a snapshot of tens of KiB.  SIGXFSZ ignored: write fails
# with EFBIG instead.
snapsize=$(stat -c %s "$tmp/r/snapshots/0001.snap")
[ "$snapsize" -gt 2048 ] || ms_error "a snapshot of $snapsize bytes fits in 2 KiB"
rc=0
(trap '' XFSZ; ulimit -f 2; exec "$bin/leakhunt" -p "$pid" -i 10ms --count 4 -w "$tmp/full") \
	2> "$tmp/err" || rc=$?
cat "$tmp/err" >&2
[ "$rc" -eq 2 ] || ms_error "full: exit status $rc, not 2"
grep -q '^leakhunt: .*File too large$' "$tmp/err" ||
	ms_fail "full: the failed write is not said"
grep -q '^\*\*Hunt failed:\*\* no snapshot could be kept' "$tmp/full/report.md" ||
	ms_fail "full: the report does not say no snapshot was kept: $(cat "$tmp/full/report.md")"
leaker_stop
exit 0
