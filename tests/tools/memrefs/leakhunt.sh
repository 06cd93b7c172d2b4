#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt --refs: a program that drops 2,000 records of 200 bytes at every
# snapshot (the test hook runs it, so growth never races the interval).
# Once growth is confirmed, leakhunt freezes it once, says so before and
# after, and its verdict says how many of the records are unreferenced: as
# many as the program dropped.  Then a leaker that keeps what it mallocs:
# the verdict says which global holds them, a .bss symbol of the leaker.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need_ptrace
memrefs_build_records

MS_LEAKER=$tmp/records leaker_start
pid=$LEAKER_PID
leaker_cmd keep 1000
ms_hooked "$tmp/hook" 'leaker_cmd drop 2000' \
	"$MS_HOOKED/leakhunt" --refs -p "$pid" -i 20ms --count 10 -w "$tmp/r" > "$tmp/out" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" "$tmp/out" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1 (leak found)"
grep -q "^leakhunt: pid $pid: frozen to copy .* of writable memory (--refs)$" "$tmp/err" ||
	ms_fail "the freeze was not announced"
grep -q "^leakhunt: pid $pid: stopped for [0-9.]* ms$" "$tmp/err" || ms_error "the pause was not shown"
leaker_cmd keep 0
dropped=${LEAKER_REPLY##*dropped=}
dropped=${dropped%% *}
[ "$dropped" = 8000 ] || ms_error "the program dropped $dropped records, not 4 x 2,000"
grep -q "^likely leaking: .*; 8,000 of them unreferenced (nothing reachable points to them)\.$" "$tmp/out" ||
	ms_fail "the verdict does not say the $dropped dropped records are unreferenced: $(cat "$tmp/out")"
grep -q "of them unreferenced" "$tmp/r/report.md" || ms_error "report.md does not say it"
tracer=$(awk '/^TracerPid:/ { print $2 }' /proc/"$pid"/status)
[ "$tracer" = 0 ] || ms_error "still traced by $tracer after leakhunt"
leaker_stop

# Kept, not lost: held by a global of the leaker's.
leaker_start
pid=$LEAKER_PID
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 4096 T' \
	"$MS_HOOKED/leakhunt" --refs -p "$pid" -i 20ms --count 10 -w "$tmp/r2" > "$tmp/out" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/out" >&2
[ "$rc" -eq 1 ] || ms_error "leaker: exit status $rc, not 1: $(cat "$tmp/err")"
sym=$(sed -n 's/^likely leaking: .*; held .*by \([^ ]*\) (\.bss, leaker)\..*$/\1/p' "$tmp/out")
[ -n "$sym" ] || ms_fail "the verdict names no .bss global of the leaker: $(cat "$tmp/out")"
# The truth: the leaker's symbol table has it in its bss.
nm "$MS_LEAKER" | grep -q " [bB] ${sym}$" || ms_fail "$sym is no bss symbol of the leaker"
leaker_stop
exit 0
