# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap against cat of the same smaps and pmap -X (which reads smaps too),
# on the leaker holding about 20,000 mappings.
BENCH_DESC="Snapshot of a process with about 20,000 mappings: mapsnap (smaps + header + threads, written atomically to a 0600 file) vs cat of /proc/PID/smaps and pmap -X."

bench_setup()
{
	coproc BENCH_LEAKER { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	exec {bl_in}<&"${BENCH_LEAKER[0]}" {bl_out}>&"${BENCH_LEAKER[1]}"
	read -r _ BENCH_PID <&"$bl_in"
	local i
	# Each mmap sits between read-only guard pages: no two merge.
	for ((i = 0; i < ${BENCH_MMAPS:-10000}; i++)); do
		echo "mmap 8K 0x5a" >&"$bl_out"; read -r _ <&"$bl_in"
	done
	BENCH_DESC="$BENCH_DESC Mappings: $(wc -l < /proc/"$BENCH_PID"/maps)."
}

bench_cmds()
{
	printf 'mapsnap\t%s\n' "$MS_BUILDDIR/tools/mapsnap -f -p $BENCH_PID -o $BENCH_WORK/out.snap"
	printf 'cat\t%s\n' "cat /proc/$BENCH_PID/smaps > $BENCH_WORK/out.cat"
	printf 'pmap -X\t%s\n' "pmap -X $BENCH_PID > $BENCH_WORK/out.pmap"
}

bench_teardown()
{
	echo quit >&"$bl_out" 2>/dev/null || :
}
