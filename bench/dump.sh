# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump against gdb's "dump binary memory" and a plain process_vm_readv
# copy loop (bench/pvr-copy.c, the practical limit), on a 1 GiB region of
# the leaker.  All three write to tmpfs, so the numbers are reading and
# writing memory, not the disk (regiondump's fsync is free there); then
# regiondump and the loop again to /dev/null, the cost of reading alone.
BENCH_DESC="Dump of a 1 GiB region (leaker mmap 1G, resident) to a file on tmpfs (and to /dev/null, reading alone, and with -o - into a pipe that cat reads): regiondump (xxh3 checksum, manifest with build-ids, atomic 0600 files) vs gdb -batch dump binary memory vs a bare process_vm_readv loop."

bench_setup()
{
	coproc BENCH_LEAKER { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	exec {bl_in}<&"${BENCH_LEAKER[0]}" {bl_out}>&"${BENCH_LEAKER[1]}"
	read -r _ BENCH_PID <&"$bl_in"
	echo "mmap 1G 0xa5" >&"$bl_out"
	read -r reply <&"$bl_in"
	BENCH_ADDR=$(echo "$reply" | sed -n 's/.* addr=\(0x[0-9a-f]*\) .*/\1/p')
	[ -n "$BENCH_ADDR" ] || { echo "bench/dump.sh: leaker said \"$reply\"" >&2; exit 1; }
	BENCH_OUT=$(mktemp -d /dev/shm/memsift-bench.XXXXXX)
	cc -O2 -o "$BENCH_WORK/pvr-copy" "$top/bench/pvr-copy.c"
	# Peak memory, which must not grow with the region: 64 MiB and 1 GiB.
	local rss64 rss1g
	rss64=$(/usr/bin/time -f %M "$MS_BUILDDIR/tools/regiondump" -f -p "$BENCH_PID" "$BENCH_ADDR" 64M \
		-o "$BENCH_OUT/rss.dump" 2>&1 >/dev/null | tail -n 1)
	rss1g=$(/usr/bin/time -f %M "$MS_BUILDDIR/tools/regiondump" -f -p "$BENCH_PID" "$BENCH_ADDR" 1G \
		-o "$BENCH_OUT/rss.dump" 2>&1 >/dev/null | tail -n 1)
	cmp -s "$BENCH_OUT/rss.dump" <("$BENCH_WORK/pvr-copy" "$BENCH_PID" "$BENCH_ADDR" 1073741824 /dev/stdout) ||
		{ echo "bench/dump.sh: regiondump and pvr-copy disagree" >&2; exit 1; }
	rm -f "$BENCH_OUT"/rss.dump*
	BENCH_DESC="$BENCH_DESC Peak RSS of regiondump: ${rss64} KiB dumping 64 MiB, ${rss1g} KiB dumping 1 GiB."
}

bench_cmds()
{
	# Each removes its last output first, so none holds two 1 GiB files at
	# once (regiondump -f would, until its rename): on this VM fresh pages
	# cost far more than reused ones, and the comparison is of the tools.
	printf 'regiondump\t%s\n' "rm -f $BENCH_OUT/rd.dump*; $MS_BUILDDIR/tools/regiondump -p $BENCH_PID $BENCH_ADDR 1G -o $BENCH_OUT/rd.dump"
	printf 'gdb\t%s\n' "rm -f $BENCH_OUT/gdb.dump; gdb -nx -p $BENCH_PID -batch -ex 'dump binary memory $BENCH_OUT/gdb.dump $BENCH_ADDR $BENCH_ADDR+0x40000000'"
	printf 'pvr-copy\t%s\n' "rm -f $BENCH_OUT/pvr.dump; $BENCH_WORK/pvr-copy $BENCH_PID $BENCH_ADDR 1073741824 $BENCH_OUT/pvr.dump"
	# Reading alone: no file to fill, no manifest.
	printf 'regiondump to /dev/null\t%s\n' "$MS_BUILDDIR/tools/regiondump -p $BENCH_PID $BENCH_ADDR 1G -o /dev/null"
	printf 'pvr-copy to /dev/null\t%s\n' "$BENCH_WORK/pvr-copy $BENCH_PID $BENCH_ADDR 1073741824 /dev/null"
	# Into a pipe (regiondump -o - | ...): the reader takes turns with the dump.
	printf 'regiondump -o - to a pipe\t%s\n' "$MS_BUILDDIR/tools/regiondump -p $BENCH_PID $BENCH_ADDR 1G -o - | cat > /dev/null"
	printf 'pvr-copy to a pipe\t%s\n' "$BENCH_WORK/pvr-copy $BENCH_PID $BENCH_ADDR 1073741824 /dev/stdout | cat > /dev/null"
}

bench_teardown()
{
	echo quit >&"$bl_out" 2>/dev/null || :
	[ -z "${BENCH_OUT:-}" ] || rm -rf "$BENCH_OUT"
}
