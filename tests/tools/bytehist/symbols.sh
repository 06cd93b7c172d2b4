#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist --symbols on the leaker's heap after "struct 1000": each record
# holds a pointer to leaker_record_callback and one to the literal
# "memsift-leaker-record", so those two top the ranking, 1000 each, at the
# addresses the leaker reports, the function with its file:line.  The same
# from the manifest's maps and from the live process (-p).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd struct 1000
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
"$bin/regiondump" -p "$pid" --mapping "$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")" \
	-w "$tmp/heap.dump" 2> "$tmp/rd.err" || { ms_require_ptrace "$pid"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }
# The line gcc gives the function's entry: its name's line or the brace after it.
decl=$(grep -n '^__attribute__((noinline)) void leaker_record_callback(void)$' "$MS_SRCDIR/tests/leaker/leaker.c" | cut -d: -f1)
[ -n "$decl" ] || ms_fail "leaker.c: leaker_record_callback's definition not found"
# The source file as addr2line names the callback's address: a relative path
# (a VPATH build, make distcheck) after the compilation directory.
command -v addr2line > /dev/null || ms_skip "no addr2line for the truth (apt-get install binutils)"
cb=$(python3 -c 'import json, sys; print([g for g in json.load(sys.stdin)["groups"] if g["kind"] == "struct"][0]["callback"])' < "$tmp/report.json")
base=$(awk -v p="$(readlink -f "$MS_LEAKER")" '$6 == p && $3 == "00000000" { print substr($1, 1, index($1, "-") - 1); exit }' "/proc/$pid/maps")
[ -n "$base" ] || ms_fail "the leaker's file is not in /proc/$pid/maps"
srcfile=$(addr2line -e "$MS_LEAKER" "$(printf '0x%x' $((cb - 0x$base)))")
srcfile=${srcfile%:*}
case $srcfile in
*/tests/leaker/leaker.c | tests/leaker/leaker.c) ;;
*) ms_fail "addr2line does not place the callback in leaker.c: $srcfile" ;;
esac

check()
{
	python3 - "$1" "$tmp/report.json" "$decl" "$srcfile" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
g = [x for x in json.load(open(sys.argv[2]))["groups"] if x["kind"] == "struct"][0]
decl, srcfile = int(sys.argv[3]), sys.argv[4]
top = j["symbols"][:2]
fn = [s for s in top if s["kind"] == "text"]
lit = [s for s in top if s["kind"] == "string"]
assert fn and lit, top
fn, lit = fn[0], lit[0]
assert fn["symbol"] == "leaker_record_callback", fn
assert fn["count"] == 1000 and int(fn["addr"], 16) == int(g["callback"], 16), (fn, g["callback"])
assert fn["file"] == srcfile and fn["line"] in (decl, decl + 1), (fn, srcfile, decl)
assert fn["module"].endswith("/leaker") and fn["note"] is None, fn
assert lit["symbol"] == "memsift-leaker-record" and lit["count"] == 1000, lit
assert int(lit["addr"], 16) == int(g["tag"], 16), (lit, g["tag"])
heap = [s for s in j["symbols"] if s["kind"] == "heap"]
assert heap and heap[0]["symbol"] == "[heap]", j["symbols"]
assert j["pointers"]["module_hits"] >= 2000 and j["pointers"]["words"] == j["size"] // 8, j["pointers"]
PY
}

"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/m.json" || ms_fail "bytehist --symbols (manifest)"
check "$tmp/m.json" || ms_fail "manifest's maps: wrong top symbols"
"$bin/bytehist" --symbols -p "$pid" -J "$tmp/heap.dump" > "$tmp/p.json" || ms_fail "bytehist --symbols -p"
check "$tmp/p.json" || ms_fail "-p: wrong top symbols"

# The table: the two first rows, each 1000 words.
"$bin/bytehist" --symbols -s summary "$tmp/heap.dump" > "$tmp/t.out" || ms_fail "bytehist --symbols table"
row=$(grep -A3 '^pointers (--symbols)' "$tmp/t.out" | grep -E '^ *1000 .* text +leaker_record_callback +')
[[ $row =~ \ "$srcfile":[0-9]+$ ]] ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: no leaker_record_callback row"; }
grep -A3 '^pointers (--symbols)' "$tmp/t.out" | grep -Eq '^ *1000 .* string +memsift-leaker-record +leaker$' ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: no literal row"; }

# Without maps it says what it needs, and -p wants --symbols.
cp "$tmp/heap.dump" "$tmp/bare.dump"
"$bin/bytehist" --symbols "$tmp/bare.dump" > /dev/null 2> "$tmp/err" && ms_fail "--symbols without maps succeeded"
grep -q 'needs the process.s maps' "$tmp/err" || ms_error "no clear message: $(cat "$tmp/err")"
"$bin/bytehist" -p "$pid" "$tmp/heap.dump" > /dev/null 2>&1 && ms_fail "-p without --symbols succeeded"
"$bin/bytehist" --symbols - < "$tmp/heap.dump" > /dev/null 2>&1 && ms_fail "--symbols on stdin succeeded"
leaker_stop
exit 0
