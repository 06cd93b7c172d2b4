#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ objects named by their vtables: 300 shape::Circle and 100 shape::Square
# in the heap of a C++ leaker give "vtable for shape::Circle" 300 times and
# "vtable for shape::Square" 100 times, the top two symbols, 3 to 1.  A
# stripped copy of the C leaker gives module+offset with a note, never a name.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v g++ > /dev/null || ms_skip "no g++ to build the C++ leaker (apt-get install g++)"
g++ -g -O1 -o "$tmp/leaker-cxx" "$MS_SRCDIR/tests/leaker/leaker-cxx.cc" || ms_fail "cannot build leaker-cxx"

heapdump()
{
	local heap
	heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$LEAKER_PID/maps")
	"$bin/regiondump" -p "$LEAKER_PID" --mapping "$heap" -w "$1" 2> "$tmp/rd.err" ||
		{ ms_require_ptrace "$LEAKER_PID"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }
}

MS_LEAKER=$tmp/leaker-cxx
leaker_start
leaker_cmd new A 300
leaker_cmd new B 100
heapdump "$tmp/cxx.dump"
"$bin/bytehist" --symbols -J "$tmp/cxx.dump" > "$tmp/cxx.json" || ms_fail "bytehist --symbols"
python3 - "$tmp/cxx.json" <<'PY' || ms_fail "classes not named from their vtables"
import json, sys
s = json.load(open(sys.argv[1]))["files"][0]["symbols"]
top = {x["symbol"]: x for x in s[:2]}
a, b = top.get("vtable for shape::Circle"), top.get("vtable for shape::Square")
assert a and b, s[:4]
assert a["kind"] == b["kind"] == "vtable" and a["count"] == 300 and b["count"] == 100, (a, b)
PY
leaker_stop

# Stripped: no .symtab, no debug info; the callback must not get a name.
cp "$MS_BUILDDIR/tests/leaker/leaker" "$tmp/leaker-stripped"
strip "$tmp/leaker-stripped" || ms_skip "strip failed"
MS_LEAKER=$tmp/leaker-stripped
leaker_start
leaker_cmd struct 200
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
heapdump "$tmp/s.dump"
"$bin/bytehist" --symbols -J "$tmp/s.dump" > "$tmp/s.json" || ms_fail "bytehist --symbols (stripped)"
python3 - "$tmp/s.json" "$tmp/report.json" <<'PY' || ms_fail "stripped: wrong or missing degradation"
import json, sys
s = json.load(open(sys.argv[1]))["files"][0]["symbols"]
g = [x for x in json.load(open(sys.argv[2]))["groups"] if x["kind"] == "struct"][0]
fn = [x for x in s if int(x["addr"], 16) == int(g["callback"], 16)]
assert fn, s[:4]
fn = fn[0]
assert fn["count"] == 200 and fn["kind"] == "text", fn
assert fn["symbol"].startswith("leaker-stripped+0x") and fn["file"] is None, fn
assert fn["note"] and "no symbol table" in fn["note"], fn
assert not any(x["symbol"] == "leaker_record_callback" for x in s)
lit = [x for x in s if x["kind"] == "string"]
assert lit and lit[0]["symbol"] == "memsift-leaker-record" and lit[0]["count"] == 200, s[:4]
PY
"$bin/bytehist" --symbols -s summary "$tmp/s.dump" | grep -q '^note: .*leaker-stripped: no symbol table or debug info' ||
	ms_fail "table: no note on the stripped module"
leaker_stop
exit 0
