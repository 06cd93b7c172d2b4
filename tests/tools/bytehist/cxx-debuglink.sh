#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# C++ stripped, its debug info in a separate file found by .gnu_debuglink
# (objcopy --only-keep-debug, strip, --add-gnu-debuglink): the names come
# from the debug file.  300 ledger::Entry objects give "vtable for
# ledger::Entry" as nm -C names that address in the debug file, and their
# callback is ledger::ledger_post at the file and line addr2line gives.
# With the debug file gone, the vtables are still named (from their RTTI)
# and the callback is module+offset, kind text, with a note.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
src=$MS_SRCDIR/tests/scenarios/symbols-ledger.cc

command -v g++ > /dev/null || ms_skip "no g++ to build the C++ service (apt-get install g++)"
for t in strip objcopy nm addr2line; do
	command -v $t > /dev/null || ms_skip "no $t (apt-get install binutils)"
done
g++ -g -O1 -o "$tmp/ledger" "$src" || ms_fail "cannot build symbols-ledger"
objcopy --only-keep-debug "$tmp/ledger" "$tmp/ledger.debug" || ms_fail "objcopy --only-keep-debug"
strip "$tmp/ledger" || ms_fail "strip"
(cd "$tmp" && objcopy --add-gnu-debuglink=ledger.debug ledger) || ms_fail "objcopy --add-gnu-debuglink"
! nm "$tmp/ledger" 2> /dev/null | grep -q . || ms_fail "strip left a symbol table"
nm -C "$tmp/ledger.debug" > "$tmp/nm" || ms_fail "nm -C ledger.debug"
decl=$(grep -n '^__attribute__((noinline)) void ledger_post(Entry \*e)$' "$src" | cut -d: -f1)
[ -n "$decl" ] || ms_fail "symbols-ledger.cc: ledger_post's definition not found"

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

# check JSON debug|nodebug
check()
{
	python3 - "$1" "$2" "$tmp/report" "$tmp/nm" "$base" "$where" "$decl" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))["files"][0]
debug = sys.argv[2] == "debug"
rep = dict(w.split("=", 1) for w in open(sys.argv[3]).read().split())
base, where, decl = int(sys.argv[5], 16), sys.argv[6], int(sys.argv[7])
names = {}
for line in open(sys.argv[4]):
    f = line.rstrip("\n").split(" ", 2)
    if len(f) == 3 and f[2].startswith("vtable for "):
        names[int(f[0], 16) + 16] = f[2]
by = {int(x["addr"], 16): x for x in j["symbols"]}
vt, post = by.get(int(rep["vt_entry"], 16)), by.get(int(rep["post"], 16))
truth = names.get(int(rep["vt_entry"], 16) - base)
assert truth == "vtable for ledger::Entry", truth
assert vt and vt["kind"] == "vtable" and vt["symbol"] == truth and vt["count"] == 300, vt
assert post and post["kind"] == "text" and post["count"] == 300, post
if debug:
    file, line = where.rsplit(":", 1)
    assert post["symbol"] == "ledger::ledger_post(ledger::Entry*)", post
    assert post["file"] == file and post["line"] in (decl, decl + 1, int(line)), (post, where)
    assert post["note"] is None and vt["note"] is None, (post, vt)
else:
    assert re.fullmatch(r"ledger\+0x[0-9a-f]+", post["symbol"]) and post["file"] is None, post
    assert "no symbol table" in post["note"], post
PY
}

MS_LEAKER=$tmp/ledger
leaker_start
leaker_cmd entry 300
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report"
base=0x$(awk -v p="$tmp/ledger" '$6 == p && $3 == "00000000" { print substr($1, 1, index($1, "-") - 1); exit }' \
	"/proc/$LEAKER_PID/maps")
post=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^post=/) print substr($i, 6) }' "$tmp/report")
# addr2line follows the .gnu_debuglink as libdwfl should.
where=$(addr2line -e "$tmp/ledger" "$(printf '0x%x' $((post - base)))")
case $where in
*'??'*) ms_fail "addr2line cannot place ledger_post through the debuglink: $where" ;;
esac
heapdump "$tmp/heap.dump"
leaker_stop

"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/debug.json" || ms_fail "bytehist --symbols (debuglink)"
check "$tmp/debug.json" debug || ms_fail "debuglink: names not from the debug file"
"$bin/bytehist" --symbols -s summary "$tmp/heap.dump" > "$tmp/t.out" || ms_fail "bytehist --symbols table"
grep -Eq "^ *300 .* text +ledger::ledger_post\(ledger::Entry\*\) +${where%:*}:[0-9]+$" "$tmp/t.out" ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: no ledger_post row with its file"; }

mv "$tmp/ledger.debug" "$tmp/elsewhere.debug"
"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/nodebug.json" || ms_fail "bytehist --symbols (debug file gone)"
check "$tmp/nodebug.json" nodebug || ms_fail "debug file gone: vtables not from RTTI, or the callback not text"
exit 0
