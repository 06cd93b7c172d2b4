# mapsnap against reading the same smaps with cat, and pmap -X (which reads
# smaps too), on the leaker holding 2,000 mappings.
BENCH_DESC="Snapshot of a process with about 2,000 mappings: mapsnap (smaps + header, parsed, written atomically to a 0600 file) vs cat of /proc/PID/smaps and pmap -X."

bench_setup()
{
	coproc BENCH_LEAKER { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	exec {bl_in}<&"${BENCH_LEAKER[0]}" {bl_out}>&"${BENCH_LEAKER[1]}"
	read -r _ BENCH_PID <&"$bl_in"
	local i
	# Alternate protections so the kernel cannot merge neighbouring regions.
	for ((i = 0; i < 1000; i++)); do
		echo "mmap 8K 0x5a" >&"$bl_out"; read -r _ <&"$bl_in"
		echo "reserve 4K" >&"$bl_out"; read -r _ <&"$bl_in"
	done
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
