# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist on heap-like content (bench/mixed-gen.c: records, pointer arrays,
# text, zero and random pages in short streaks) against the practical limit,
# a split8 byte histogram on one thread (bench/split8.c), on the same file:
# the default report, and -s summary, which should cost little more.
BENCH_DESC="A 512 MiB heap-like dump made once by bench/mixed-gen.c (30% malloc'd records with size words, heap pointers, callbacks and short names; 25% pointer arrays; 20% log and key=value text; 15% zero pages; 10% random bytes; in streaks of 1 to 16 pages), read from the page cache: bytehist's default report (libmagic included) on all cores and on one, and bytehist -s summary, vs a split8 byte histogram (one thread)."

bench_setup()
{
	cc -O2 -o "$BENCH_WORK/mixed-gen" "$top/bench/mixed-gen.c"
	cc -O2 -o "$BENCH_WORK/split8" "$top/bench/split8.c"
	"$BENCH_WORK/mixed-gen" "${BENCH_MIB:-512}" "$BENCH_WORK/mixed.bin"
	cat "$BENCH_WORK/mixed.bin" > /dev/null
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist d=$BENCH_WORK/mixed.bin

	printf 'bytehist (-j: all cores)\t%s\n' "$b $d > /dev/null"
	printf 'bytehist -j 1\t%s\n' "$b -j 1 $d > /dev/null"
	printf 'split8 histogram\t%s\n' "$BENCH_WORK/split8 $d > /dev/null"
	printf 'bytehist -s summary\t%s\n' "$b -s summary $d > /dev/null"
}
