#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch on a leaker that allocated once and then holds steady: nothing is
# flagged, the process is "steady", and the batch output (stdout is not a
# terminal) has no escape codes.  A 16 MiB fill between the first two
# samples and nothing after is "levelled off", not a leak.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 1000 4096 T
leaker_cmd struct 500
rc=0
LC_ALL=C "$bin/mapswatch" -p "$pid" -i 10ms --count 5 > "$tmp/out" 2> "$tmp/err" || rc=$?
cat "$tmp/out" "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc on a steady process, not 0"
grep -q $'\033' "$tmp/out" && ms_fail "escape codes in the output to a file"
head -n 1 "$tmp/out" | grep -Eq "^pid $pid \(leaker\): 5 samples over .*, [0-9]+ mappings$" ||
	ms_fail "the first line does not say what was watched"
sed -n 2p "$tmp/out" | grep -Eq '^total RSS [0-9.]+[KMG], [^:]*: steady$' || ms_fail "the process is not steady"
grep -q 'grows with no steady state' "$tmp/out" && ms_fail "a mapping of a steady process is flagged"
grep -Eq '^0x[0-9a-f]+ +rw-p .* steady +_+ +heap \(brk\) +\[heap\]$' "$tmp/out" ||
	ms_fail "no steady [heap] row with an ASCII sparkline in the C locale"
# In a UTF-8 locale the sparkline is drawn with blocks (U+2581, the lowest).
if locale -a 2>/dev/null | grep -qix 'C.utf-\{0,1\}8'; then
	LC_ALL=C.UTF-8 "$bin/mapswatch" -p "$pid" -i 10ms --count 3 -o NAME,TREND > "$tmp/u" ||
		ms_fail "C.UTF-8: mapswatch failed"
	grep -q '^\[heap\] *▁▁▁$' "$tmp/u" || ms_error "C.UTF-8: no block sparkline: $(grep heap "$tmp/u")"
fi

# -d instead of -n: slots at 0, 10 ... 50ms, none after the duration; each
# a sample, or skipped (and counted) when the one before overran it.
"$bin/mapswatch" -p "$pid" -i 10ms -d 50ms -J > "$tmp/d.json" || ms_fail "-d failed"
"$bin/mapswatch" -p "$pid" -i 10ms -d 50ms > "$tmp/d" 2> "$tmp/err" || ms_fail "-d failed"
taken=$(head -n 1 "$tmp/d" | sed -n 's/.*: \([0-9]*\) samples over .*/\1/p')
skipped=$(sed -n 's/^mapswatch: \([0-9]*\) samples skipped: .*/\1/p' "$tmp/err")
[ $((${taken:-0} + ${skipped:-0})) -eq 6 ] ||
	ms_fail "-d 50ms -i 10ms: ${taken:-no} samples and ${skipped:-none} skipped, not six slots: $(head -n 1 "$tmp/d")"
# -J carries the header's figures beside the rows, and no sparkline.
python3 - "$tmp/d.json" "$pid" <<'PY' || ms_fail "-J: $(head -c 400 "$tmp/d.json")"
import json, sys
j = json.load(open(sys.argv[1]))
w = j["watch"]
assert j["memsift_json"] == 1 and w["pid"] == int(sys.argv[2]), w
assert w["samples"] + w["skipped_samples"] == 6 and w["verdict"] == "steady", w
assert all("trend" not in r for r in j["mappings"]), j["mappings"][0]
PY

# One 16 MiB fill between the first two samples, then nothing: levelled off.
mkfifo "$tmp/hook"
(
	read -r line < "$tmp/hook" && leaker_cmd mmap 16M 0xa5 && echo go > "$tmp/hook"
	while read -r line < "$tmp/hook"; do echo go > "$tmp/hook"; done
) &
driver=$!
ms_at_exit "kill $driver 2>/dev/null"
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/mapswatch" -p "$pid" -i 10ms --count 8 > "$tmp/c" ||
	ms_fail "the fill: mapswatch failed"
kill "$driver" 2>/dev/null
cat "$tmp/c" >&2
sed -n 2p "$tmp/c" | grep -q ': levelled off$' || ms_fail "a cache filled once is not levelled off"
grep -q 'grows with no steady state' "$tmp/c" && ms_fail "a cache filled once is flagged as growing"
leaker_stop
exit 0
