#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An in-place deploy under a running service: version 2 is renamed over the
# path of the running version 1 (as install(1) and package managers do).
# While the process lives, bytehist --symbols still names its callback and
# literal, with addr2line's file and the program's own counts, read through
# /proc/PID/map_files (or /proc/PID/exe without CAP_SYS_ADMIN), and says
# so; once it is gone the code pointer is module+offset, kind text, with a
# note that the file was replaced, also when it was dumped after the
# deploy.  A binary deleted (not replaced) and then gone is text too, never
# "data ... no symbol table".
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
cc=${CC:-cc}
src=$MS_SRCDIR/tests/scenarios/symbols-deploy.c

command -v "$cc" > /dev/null || ms_skip "no C compiler ($cc) to build the service"
command -v addr2line > /dev/null || ms_skip "no addr2line for the truth (apt-get install binutils)"
"$cc" -g -O1 -o "$tmp/svc" "$src" || ms_fail "cannot build symbols-deploy v1"
"$cc" -g -O1 -DVERSION=2 -o "$tmp/svc.v2" "$src" || ms_fail "cannot build symbols-deploy v2"
cp "$tmp/svc" "$tmp/svc.v1"
decl=$(grep -n '^__attribute__((noinline)) void deploy_record_callback(' "$src" | cut -d: -f1)
[ -n "$decl" ] || ms_fail "symbols-deploy.c: the callback's definition not found"

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

# The function's file:line as addr2line gives it for the file the process runs.
truth()
{
	local base
	base=$(awk -v p="$1" '$6 == p && $3 == "00000000" { print substr($1, 1, index($1, "-") - 1); exit }' \
		"/proc/$LEAKER_PID/maps")
	[ -n "$base" ] || ms_fail "$1 not in /proc/$LEAKER_PID/maps"
	addr2line -e "$2" "$(printf '0x%x' $(($3 - 0x$base)))"
}

# check JSON COUNT live|gone|deleted-gone NOTE-PATTERN
check()
{
	python3 - "$1" "$cb" "$tag" "$2" "$3" "$4" "$where" "$decl" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))["files"][0]
cb, tag, count, state, pat, where, decl = int(sys.argv[2], 16), int(sys.argv[3], 16), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], int(sys.argv[8])
by = {int(x["addr"], 16): x for x in j["symbols"]}
fn, lit = by.get(cb), by.get(tag)
assert fn and lit, j["symbols"][:4]
assert fn["count"] == count and lit["count"] == count, (fn, lit)
assert fn["kind"] == "text", fn
assert fn["note"] and re.search(pat, fn["note"]), (fn, pat)
if state == "live":
    file, line = where.rsplit(":", 1)
    assert fn["symbol"] == "deploy_record_callback", fn
    assert fn["file"] == file and fn["line"] in (decl, decl + 1, int(line)), (fn, where)
    assert lit["symbol"] == "deploy_tag", lit
    assert "replaced" in fn["note"] or "gone" in fn["note"], fn
else:
    assert re.fullmatch(r"svc2?\+0x[0-9a-f]+", fn["symbol"]) and fn["file"] is None, fn
    assert "no symbol table" not in fn["note"], fn
PY
}

MS_LEAKER=$tmp/svc
leaker_start
pid=$LEAKER_PID
leaker_cmd records 700
leaker_cmd report
cb=$(leaker_field callback) tag=$(leaker_field tag)
[ "$(leaker_field records)" = 700 ] || ms_error "the service holds $(leaker_field records) records, not 700"
where=$(truth "$tmp/svc" "$tmp/svc.v1" "$cb")
heapdump "$tmp/heap.dump"
mv -f "$tmp/svc.v2" "$tmp/svc" || ms_fail "cannot deploy v2"
via()
{
	if [ "$(id -u)" = 0 ]; then echo "/proc/$pid/map_files"; else echo "/proc/$pid/(map_files|exe)"; fi
}
via=$(via)

"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/live.json" || ms_fail "bytehist --symbols (replaced, live)"
check "$tmp/live.json" 700 live "^read through $via: the file at $tmp/svc was replaced since" ||
	ms_fail "replaced while running: the names are not read from the file the process runs"
"$bin/bytehist" --symbols -p "$pid" -J "$tmp/heap.dump" > "$tmp/p.json" || ms_fail "bytehist --symbols -p (replaced)"
check "$tmp/p.json" 700 live "^read through $via: the file at $tmp/svc was replaced since" ||
	ms_fail "-p, replaced while running: wrong names"
# Dumped after the deploy: the manifest records the build-id of the file the process runs.
heapdump "$tmp/after.dump"
"$bin/bytehist" --symbols -s summary "$tmp/heap.dump" > "$tmp/t.out" || ms_fail "bytehist --symbols table"
grep -q "^note: $tmp/svc: read through /proc/$pid/" "$tmp/t.out" ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: no note on the file used"; }
leaker_stop

"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/gone.json" || ms_fail "bytehist --symbols (replaced, gone)"
check "$tmp/gone.json" 700 gone "another build-id" || ms_fail "replaced and gone: not text, module+offset, with the reason"
"$bin/bytehist" --symbols -J "$tmp/after.dump" > "$tmp/after.json" || ms_fail "bytehist --symbols (dumped after the deploy)"
check "$tmp/after.json" 700 gone "another build-id|cannot be read" ||
	ms_fail "dumped after the deploy, then gone: names from the new file at the path"

# Deleted, not replaced: while it runs it is read through /proc; once gone, it is still text.
cp "$tmp/svc.v1" "$tmp/svc2"
MS_LEAKER=$tmp/svc2
leaker_start
pid=$LEAKER_PID
leaker_cmd records 300
leaker_cmd report
cb=$(leaker_field callback) tag=$(leaker_field tag)
where=$(truth "$tmp/svc2" "$tmp/svc.v1" "$cb")
heapdump "$tmp/heap2.dump"
rm -f "$tmp/svc2"
via=$(via)
"$bin/bytehist" --symbols -J "$tmp/heap2.dump" > "$tmp/del.json" || ms_fail "bytehist --symbols (deleted, live)"
check "$tmp/del.json" 300 live "^read through $via: the file at $tmp/svc2 was replaced since \(gone\)" ||
	ms_fail "deleted while running: wrong names"
leaker_stop
"$bin/bytehist" --symbols -J "$tmp/heap2.dump" > "$tmp/del-gone.json" || ms_fail "bytehist --symbols (deleted, gone)"
check "$tmp/del-gone.json" 300 gone "cannot be read" || ms_fail "deleted and gone: code called something else than text"
exit 0
