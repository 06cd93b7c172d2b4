#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stripped C++: each object's first word is its class's vtable, which no
# symbol names any more; the class is still named by the RTTI the vtable
# points at.  For a PIE and a non-PIE build of symbols-ledger, stripped,
# bytehist --symbols names 300 Entry, 100 Box<int> and 50 objects of an
# anonymous-namespace class "vtable for ..." exactly as nm -C names those
# addresses in the unstripped build, read from the live process (-p) and,
# once it is gone, from the file with its relocations applied.  70 objects
# pointing into a table of pointers are not called a vtable, nor is
# anything else.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v g++ > /dev/null || ms_skip "no g++ to build the C++ service (apt-get install g++)"
for t in strip nm; do
	command -v $t > /dev/null || ms_skip "no $t (apt-get install binutils)"
done

heapdump()
{
	local heap
	heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$LEAKER_PID/maps")
	# Whether this process may read the target's memory, asked of the kernel alone.
	( : < "/proc/$LEAKER_PID/mem" ) 2> /dev/null ||
		ms_skip "cannot open /proc/$LEAKER_PID/mem (kernel.yama.ptrace_scope? no CAP_SYS_PTRACE?)"
	"$bin/regiondump" -p "$LEAKER_PID" --mapping "$heap" -w "$1" 2> "$tmp/regiondump.err" ||
		{ cat "$tmp/regiondump.err" >&2; ms_fail "regiondump -p $LEAKER_PID failed"; }
}

# check JSON: the vtables as nm -C names them in the unstripped build.
check()
{
	python3 - "$1" "$tmp/report" "$tmp/nm" "$base" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
rep = dict(w.split("=", 1) for w in open(sys.argv[2]).read().split())
base = int(sys.argv[4], 16)
# nm -C: "ADDR TYPE NAME"; a vtable's address point is 16 bytes in.
names = {}
for line in open(sys.argv[3]):
    f = line.rstrip("\n").split(" ", 2)
    if len(f) == 3 and f[2].startswith("vtable for "):
        names[int(f[0], 16) + 16] = f[2].split("@")[0]
by = {int(x["addr"], 16): x for x in j["symbols"]}
want = {"vt_entry": int(rep["entries"]), "vt_box": int(rep["boxes"]), "vt_local": int(rep["locals"])}
assert want == {"vt_entry": 300, "vt_box": 100, "vt_local": 50}, rep
for key, count in want.items():
    addr = int(rep[key], 16)
    truth = names.get(addr - base)
    assert truth, (key, hex(addr - base), names)
    x = by.get(addr)
    assert x and x["kind"] == "vtable" and x["symbol"] == truth and x["count"] == count, (key, x, truth)
plain = by.get(int(rep["plain"], 16))
assert plain and plain["count"] == int(rep["plains"]) == 70 and plain["kind"] != "vtable", plain
named = {names.get(int(rep[k], 16) - base) for k in want}
stray = [x for x in j["symbols"] if x["kind"] == "vtable" and x["symbol"] not in named]
assert not stray, stray
PY
}

for pie in -pie -no-pie; do
	g++ -O1 $pie -o "$tmp/ledger.full" "$MS_SRCDIR/tests/scenarios/symbols-ledger.cc" ||
		ms_fail "cannot build symbols-ledger ($pie)"
	nm -C "$tmp/ledger.full" > "$tmp/nm" || ms_fail "nm -C ledger.full"
	cp "$tmp/ledger.full" "$tmp/ledger"
	strip "$tmp/ledger" || ms_fail "strip failed"
	! nm "$tmp/ledger" 2> /dev/null | grep -q . || ms_fail "strip left a symbol table"
	MS_LEAKER=$tmp/ledger
	leaker_start
	leaker_cmd entry 300
	leaker_cmd box 100
	leaker_cmd local 50
	leaker_cmd plain 70
	leaker_cmd report
	printf '%s\n' "$LEAKER_REPLY" > "$tmp/report"
	# The link-time addresses nm gives are relative to where the file's start is mapped.
	base=0x0
	[ "$pie" = -pie ] && base=0x$(awk -v p="$tmp/ledger" '$6 == p && $3 == "00000000" { print substr($1, 1, index($1, "-") - 1); exit }' \
		"/proc/$LEAKER_PID/maps")
	heapdump "$tmp/heap$pie.dump"
	"$bin/bytehist" --symbols -p "$LEAKER_PID" -J "$tmp/heap$pie.dump" > "$tmp/live.json" ||
		ms_fail "bytehist --symbols -p ($pie)"
	check "$tmp/live.json" || ms_fail "$pie, live: vtables not named from their RTTI"
	leaker_stop
	"$bin/bytehist" --symbols -J "$tmp/heap$pie.dump" > "$tmp/file.json" || ms_fail "bytehist --symbols ($pie)"
	check "$tmp/file.json" || ms_fail "$pie, from the file: vtables not named from their RTTI"
done
exit 0
