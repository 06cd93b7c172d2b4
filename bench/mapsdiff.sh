# SPDX-License-Identifier: GPL-2.0-or-later
# mapsdiff over two snapshots of about 20,000 mappings, against what a user
# does today: diff of two saved pmap -x outputs (which only lines up the text).
BENCH_DESC="Comparing two snapshots of a process with about 20,000 mappings: mapsdiff (parse both, follow every mapping, sort, print) vs diff of two pmap -x outputs of the same moments."

bench_setup()
{
	coproc BENCH_LEAKER { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	exec {bl_in}<&"${BENCH_LEAKER[0]}" {bl_out}>&"${BENCH_LEAKER[1]}"
	read -r _ BENCH_PID <&"$bl_in"
	local i
	for ((i = 0; i < 10000; i++)); do
		echo "mmap 8K 0x5a" >&"$bl_out"; read -r _ <&"$bl_in"
	done
	"$MS_BUILDDIR/tools/mapsnap" -p "$BENCH_PID" -o "$BENCH_WORK/1.snap"
	pmap -x "$BENCH_PID" > "$BENCH_WORK/1.pmap"
	for ((i = 0; i < 2000; i++)); do
		echo "mmap 8K 0x5a" >&"$bl_out"; read -r _ <&"$bl_in"
	done
	echo "malloc 4000 4096 0x54" >&"$bl_out"; read -r _ <&"$bl_in"
	"$MS_BUILDDIR/tools/mapsnap" -p "$BENCH_PID" -o "$BENCH_WORK/2.snap"
	pmap -x "$BENCH_PID" > "$BENCH_WORK/2.pmap"
	BENCH_DESC="$BENCH_DESC Mappings: $(grep -c '^[0-9a-f]*-' "$BENCH_WORK/2.snap")."
}

bench_cmds()
{
	printf 'mapsdiff\t%s\n' "$MS_BUILDDIR/tools/mapsdiff $BENCH_WORK/1.snap $BENCH_WORK/2.snap > $BENCH_WORK/out.diff || [ \$? = 1 ]"
	printf 'diff pmap -x\t%s\n' "diff $BENCH_WORK/1.pmap $BENCH_WORK/2.pmap > $BENCH_WORK/out.pdiff || [ \$? = 1 ]"
}

bench_teardown()
{
	echo quit >&"$bl_out" 2>/dev/null || :
}
