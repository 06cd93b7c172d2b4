#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The inputs the fuzzers found bugs with (tests/fuzz/regress/TARGET-*),
# replayed through their targets built without libFuzzer (tests/fuzz/replay.c):
# a target traps on what it checks, so each bug come back fails here.
# And fuzz-goheap's seeds must walk the heap they describe: their spans and
# live bytes are worked out below from how the target builds them.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
here=${MS_SRCDIR:-.}/tests/fuzz

n=0
for f in "$here"/regress/*; do
	t=${f##*/}
	t=${t%%-*}
	exe=$MS_BUILDDIR/tests/fuzz/replay-$t
	[ -x "$exe" ] || ms_fail "no $exe to replay $f"
	"$exe" "$f" > "$tmp/out" 2>&1 || ms_fail "replay-$t ${f##*/}: exit $? $(cat "$tmp/out")"
	n=$((n + 1))
done
((n > 0)) || ms_fail "no input in $here/regress"

# Each seed: span 0, 512 slots of 16 bytes, freeindex 100, allocBits 0xa5
# repeated (bits 0, 2, 5 and 7 of each byte): 100 below freeindex, 2 of
# slots 100-103, 4 in each of bytes 13-63: 306 slots, 4896 bytes.  Span 1,
# one 9472-byte slot, and span 2, one large 16384-byte object, are unswept
# (sweepgen 2 and 1 behind mheap_'s): their marks (bit 0 set) say in use.
MS_FUZZ_SEED_DIR=$tmp "$MS_BUILDDIR/tests/fuzz/replay-goheap" > /dev/null 2>&1 ||
	ms_fail "replay-goheap could not write its seeds"
for v in 0 1 2 3; do
	[ -f "$tmp/goheap-seed-$v" ] || ms_fail "no seed $v"
	MS_FUZZ_VERBOSE=1 "$MS_BUILDDIR/tests/fuzz/replay-goheap" "$tmp/goheap-seed-$v" > "$tmp/out" 2>&1 ||
		ms_fail "seed $v: $(cat "$tmp/out")"
	grep -q "^fuzz-goheap: go1\.\(19\.8\|22\.1\), the go1\.\(19\|22\) table: 3 spans, 1 arenas, $((4896 + 9472 + 16384)) live bytes$" "$tmp/out" ||
		ms_fail "seed $v: $(cat "$tmp/out")"
done
exit 0
