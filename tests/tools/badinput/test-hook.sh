#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The installed tools have no test hook: MEMSIFT_TEST_HOOK in the
# environment cannot pause a dump, hold a --freeze open or steer a hunt.
# The same hook in the test build (tests/hooked/) does fire: with a FIFO
# path that does not exist it fails naming it, so the check below is not
# vacuous.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir

for t in leakhunt mapswatch regiondump; do
	grep -q MEMSIFT_TEST_HOOK "$MS_BUILDDIR/tools/$t" &&
		ms_fail "tools/$t still reads MEMSIFT_TEST_HOOK"
	grep -q MEMSIFT_TEST_HOOK "$MS_HOOKED/$t" ||
		ms_fail "the test build $MS_HOOKED/$t has no hook: the check above proves nothing"
done

leaker_start
leaker_cmd mmap 1M 0x42
addr=$(leaker_field addr)
for e in progress frozen; do
	MEMSIFT_TEST_HOOK=$e:$tmp/no-such-fifo "$MS_BUILDDIR/tools/regiondump" --freeze \
		-p "$LEAKER_PID" "$addr" 1M -o "$tmp/$e" 2> "$tmp/err" ||
		ms_fail "regiondump with MEMSIFT_TEST_HOOK=$e set: $(cat "$tmp/err")"
	[ "$(od -An -tx1 -N1 "$tmp/$e" | tr -d ' ')" = 42 ] || ms_error "the dump does not hold the region"
	rc=0
	MEMSIFT_TEST_HOOK=$e:$tmp/no-such-fifo "$MS_HOOKED/regiondump" --freeze \
		-p "$LEAKER_PID" "$addr" 1M -o "$tmp/$e.hooked" 2> "$tmp/err" || rc=$?
	[ "$rc" != 0 ] && grep -q "test hook $tmp/no-such-fifo" "$tmp/err" ||
		ms_fail "the test build ignored MEMSIFT_TEST_HOOK=$e (exit $rc): $(cat "$tmp/err")"
done
grep -q "^State:.*S (sleeping)\|^State:.*R (running)" /proc/"$LEAKER_PID"/status ||
	ms_fail "the leaker is left $(grep State: /proc/"$LEAKER_PID"/status)"
exit 0
