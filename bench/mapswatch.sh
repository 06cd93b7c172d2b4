# SPDX-License-Identifier: GPL-2.0-or-later
# The cost of one mapswatch sample (smaps read and parsed, ranked, one table
# printed) against what a user runs by hand each interval: pmap -x of the
# process and cat of its smaps; on the leaker holding about 20,000 mappings
# (BENCH_MMAPS=1000 for the 2,000 of earlier results).
BENCH_DESC="One sample of a process with about 20,000 mappings: mapswatch --count 1 (smaps parsed, ranked and printed as a table) vs pmap -x and cat of /proc/PID/smaps."

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
	printf 'mapswatch\t%s\n' "$MS_BUILDDIR/tools/mapswatch --batch --count 1 -p $BENCH_PID > $BENCH_WORK/out.watch"
	# BENCH_BASELINE=DIR: the same sample by another build's mapswatch, before and
	# after a change in one run; linked into the work directory, so the report
	# names no path of this machine.
	if [ -n "${BENCH_BASELINE:-}" ]; then
		ln -sfn "$BENCH_BASELINE" "$BENCH_WORK/baseline"
		printf 'baseline\t%s\n' "$BENCH_WORK/baseline/tools/mapswatch --batch --count 1 -p $BENCH_PID > $BENCH_WORK/out.base"
	fi
	printf 'pmap -x\t%s\n' "pmap -x $BENCH_PID > $BENCH_WORK/out.pmap"
	printf 'cat smaps\t%s\n' "cat /proc/$BENCH_PID/smaps > $BENCH_WORK/out.cat"
}

bench_teardown()
{
	echo quit >&"$bl_out" 2>/dev/null || :
}
