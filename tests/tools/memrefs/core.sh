#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The same records from a core gdb wrote: memrefs -c finds the dropped ones
# unreferenced, exactly as the program counts them, with the registers of
# the core's NT_PRSTATUS notes and its [heap] found among anonymous segments.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need gcore
memrefs_need_ptrace
memrefs_build_records

MS_LEAKER=$tmp/records leaker_start
pid=$LEAKER_PID
leaker_cmd keep 400
leaker_cmd drop 123
leaker_cmd thread 50
leaker_cmd dump "$tmp/truth"
memrefs_idle "$pid"
gcore -o "$tmp/core" "$pid" > "$tmp/gcore.log" 2>&1 || ms_fail "gcore: $(cat "$tmp/gcore.log")"
# regiondump --anon leaves the modules' data out: their globals are no roots.
"$MS_BUILDDIR/tools/regiondump" -p "$pid" --anon --format core -w "$tmp/anon.core" 2> /dev/null ||
	ms_fail "regiondump --anon --format core failed"
leaker_stop
memrefs_run 1 /dev/null -c "$tmp/anon.core" --no-chains
grep -q "^memrefs: .*anon.core holds no module's data or bss: .*; take the core with gcore$" "$tmp/err" ||
	ms_fail "no warning that an --anon core lacks the globals: $(cat "$tmp/err")"

memrefs_run 1 "$tmp/out.json" -c "$tmp/core.$pid" -J --no-chains
python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["pause_ns"] != 0)' "$tmp/out.json" ||
	ms_error "a core's pause is not 0"
[ ! -s "$tmp/err" ] || ms_error "gcore's core: $(cat "$tmp/err")"
memrefs_check "$tmp/out.json" "$tmp/truth" 'magic "RECRD"' 450 123

# Not a core: one line, exit 2.
printf 'not a core\n' > "$tmp/junk"
memrefs_run 2 /dev/null -c "$tmp/junk"
[ "$(grep -c . "$tmp/err")" = 1 ] && grep -q "^memrefs: .*junk: not an ELF core file" "$tmp/err" ||
	ms_fail "junk: $(cat "$tmp/err")"
exit 0
