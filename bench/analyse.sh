# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt's analysis of a dump (bytehist --symbols --objects: the histogram,
# the symbols, the objects and their clusters) against bytehist alone, on a
# real glibc heap of about 256 MiB of mixed objects: the cluster step should
# cost no more than the histogram pass.
BENCH_DESC="The test leaker's [heap], about 256 MiB of mixed objects made by real mallocs: 600,000 records of 80 bytes (a string literal, a callback, heap pointers), 600,000 copies of a config line, 20,000 4 KiB chunks filled with 'T', 200,000 chunks of 200 bytes filled with 0x00 (zero pages), 100,000 of 512 bytes filled with 'R', a thread's 100,000 chunks of 100 bytes; dumped by regiondump with its manifest, read from the page cache.  Peers: bytehist alone (the histogram pass) and bytehist --symbols (what leakhunt did before objects and clusters)."

bench_setup()
{
	local heap
	coproc BENCH_LK { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	read -r _ BENCH_PID <&"${BENCH_LK[0]}"
	for c in "struct 600000" "strdup 600000" "malloc 20000 4096 T" "malloc 200000 200 0" \
		 "malloc 100000 512 R" "thread 100000 100 A"; do
		echo "$c" >&"${BENCH_LK[1]}"
		read -r _ <&"${BENCH_LK[0]}"
	done
	heap=$(awk '$NF == "[heap]" { sub(/-.*/, "", $1); print $1 }' "/proc/$BENCH_PID/maps")
	"$MS_BUILDDIR/tools/regiondump" -p "$BENCH_PID" --mapping "0x$heap" --write "$BENCH_WORK/heap.dump" 2>/dev/null
	cat "$BENCH_WORK/heap.dump" > /dev/null
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist d=$BENCH_WORK/heap.dump

	printf 'bytehist --symbols --objects (leakhunt analysis)\t%s\n' "$b --symbols --objects $d > /dev/null"
	printf 'bytehist (histogram alone)\t%s\n' "$b $d > /dev/null"
	printf 'bytehist --symbols\t%s\n' "$b --symbols $d > /dev/null"
	printf 'bytehist --objects\t%s\n' "$b --objects -s summary $d > /dev/null"
}

bench_teardown()
{
	echo quit >&"${BENCH_LK[1]}" 2>/dev/null || :
}
