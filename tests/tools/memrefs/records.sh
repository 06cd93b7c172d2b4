#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C program keeps records in a global list (some made by a thread, in a
# glibc thread arena), some only in thread-local storage (the main
# thread's, and a live thread's), and drops others, linked only to each
# other.  memrefs finds exactly the dropped ones unreferenced, and none of
# those kept: the truth is the program's own list of addresses.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need_ptrace
memrefs_build_records

MS_LEAKER=$tmp/records leaker_start
pid=$LEAKER_PID
leaker_cmd keep 500
leaker_cmd drop 300
leaker_cmd thread 200
leaker_cmd keep 100
leaker_cmd tls 40
leaker_cmd tls-thread 60
leaker_cmd drop 77
leaker_cmd dump "$tmp/truth"
memrefs_idle "$pid"

memrefs_run 1 "$tmp/out.json" -p "$pid" -J --no-chains
grep -q "^memrefs: pid $pid: stopped for [0-9.]* ms$" "$tmp/err" || ms_error "pause not reported: $(cat "$tmp/err")"
grep -q "^memrefs: pid $pid: frozen to copy .* of writable memory$" "$tmp/err" ||
	ms_fail "pause not announced: $(cat "$tmp/err")"
memrefs_check "$tmp/out.json" "$tmp/truth" 'magic "RECRD"' 900 377

# Nothing dropped: none of the records is unreferenced, and the chain that
# keeps them ends at the list's head, the global the source declares.
leaker_stop
MS_LEAKER=$tmp/records leaker_start
leaker_cmd keep 3000
memrefs_idle "$LEAKER_PID"
memrefs_run 0-1 "$tmp/out" -p "$LEAKER_PID" -r -o COUNT,WHAT
! grep -v " held: " "$tmp/out" | grep -q RECRD || ms_error "kept records called unreferenced: $(cat "$tmp/out")"
line=$(grep -n '^static struct record \*kept;' "$MS_SRCDIR/tests/tools/memrefs/records.c" | cut -d: -f1)
[ -n "$line" ] || ms_fail "records.c declares no kept list"
grep -q "^ .* held: 3,000 x 208-byte magic \"RECRD\" <- kept (\.bss, records\.c:$line)$" "$tmp/out" ||
	ms_fail "no chain from the records to kept at records.c:$line: $(cat "$tmp/out")"
leaker_stop
exit 0
