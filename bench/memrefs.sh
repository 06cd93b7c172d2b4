# SPDX-License-Identifier: GPL-2.0-or-later
# memrefs on a live process (freeze, copy, let go, then analyse) against
# gcore, which writes the core chap needs before it can start, and memrefs
# on that core (the analysis alone).  The heap is the test leaker's mixed
# objects, about 100 MiB (MEMREFS_BENCH_SCALE=1, the default) or 1 GiB
# (MEMREFS_BENCH_SCALE=10: bench/run memrefs-1g); cores go to tmpfs.
: "${MEMREFS_BENCH_SCALE:=1}"
BENCH_DESC="The test leaker's heap of mixed objects made by real mallocs, scale $MEMREFS_BENCH_SCALE (about $((MEMREFS_BENCH_SCALE * 100)) MiB): $((MEMREFS_BENCH_SCALE * 300000)) records of 80 bytes (a string literal, a callback, heap pointers), $((MEMREFS_BENCH_SCALE * 300000)) copies of a config line, $((MEMREFS_BENCH_SCALE * 12000)) 4 KiB chunks filled with 'T', a thread's $((MEMREFS_BENCH_SCALE * 100000)) chunks of 100 bytes.  memrefs -p freezes the process only to copy its writable memory to an unlinked file on tmpfs, then analyses the copy after letting it go; gcore stops it while it writes its core."

bench_setup()
{
	local s=$MEMREFS_BENCH_SCALE c err rss pause
	coproc BENCH_LK { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	read -r _ BENCH_PID <&"${BENCH_LK[0]}"
	for c in "struct $((s * 300000))" "strdup $((s * 300000))" "malloc $((s * 12000)) 4096 T" \
		 "thread $((s * 100000)) 100 A"; do
		echo "$c" >&"${BENCH_LK[1]}"
		read -r _ <&"${BENCH_LK[0]}"
	done
	BENCH_OUT=$(mktemp -d /dev/shm/memsift-bench.XXXXXX)
	export TMPDIR=$BENCH_OUT
	gcore -o "$BENCH_OUT/core" "$BENCH_PID" > /dev/null 2>&1
	# The pause and the peak memory of one run, for the report.
	err=$( { /usr/bin/time -f 'rss %M' "$MS_BUILDDIR/tools/memrefs" -p "$BENCH_PID" --no-chains > /dev/null; } 2>&1)
	pause=$(echo "$err" | sed -n 's/.*stopped for \([0-9.]*\) ms/\1/p')
	rss=$(echo "$err" | sed -n 's/^rss //p')
	BENCH_DESC="$BENCH_DESC Image $(du -h --apparent-size "$BENCH_OUT/core.$BENCH_PID" | cut -f1) (core); one memrefs -p run: pause $pause ms, peak RSS $rss KiB."
}

bench_cmds()
{
	local m=$MS_BUILDDIR/tools/memrefs core=$BENCH_OUT/core.$BENCH_PID

	printf 'memrefs -p (freeze, copy, analyse)\t%s\n' "$m -p $BENCH_PID --no-chains > /dev/null"
	printf 'memrefs -p with retention chains\t%s\n' "$m -p $BENCH_PID > /dev/null"
	printf 'gcore (the core alone)\t%s\n' "rm -f $BENCH_OUT/g.*; gcore -o $BENCH_OUT/g $BENCH_PID > /dev/null"
	printf 'memrefs -c on a core (analysis alone)\t%s\n' "$m -c $core --no-chains > /dev/null"
}

bench_teardown()
{
	echo quit >&"${BENCH_LK[1]}" 2>/dev/null || :
	[ -z "${BENCH_OUT:-}" ] || rm -rf "$BENCH_OUT"
}
