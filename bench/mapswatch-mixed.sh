# SPDX-License-Identifier: GPL-2.0-or-later
# As bench/mapswatch.sh, on mappings like a real process's rather than 10,000
# alike: anonymous regions of many sizes, each resident in full or in part,
# reserved address space with a committed head (a glibc arena's or a Go
# heap's shape), shared libraries (long names, page-cache pages) and memfds,
# about 20,000 mappings in all (BENCH_MMAPS operations, 2.3 mappings each).
# The commands and the teardown are mapswatch.sh's.
# shellcheck source=bench/mapswatch.sh
. "$(dirname "${BASH_SOURCE[0]}")/mapswatch.sh"
BENCH_DESC="One sample of a process with mixed mappings (anonymous of 4 KiB to 256 KiB, reserved 1 MiB with 4 KiB to 128 KiB committed, shared libraries, memfds): mapswatch --count 1 (smaps parsed, ranked and printed as a table) vs pmap -x and cat of /proc/PID/smaps."

bench_setup()
{
	local i libs=() nlib reply id
	coproc BENCH_LEAKER { exec "$MS_BUILDDIR/tests/leaker/leaker"; }
	exec {bl_in}<&"${BENCH_LEAKER[0]}" {bl_out}>&"${BENCH_LEAKER[1]}"
	read -r _ BENCH_PID <&"$bl_in"
	# Small libraries of this machine: real paths, resident through the page cache.
	mapfile -t libs < <(find /usr/lib /lib -maxdepth 2 -name '*.so*' -type f -size -200k \
				 2>/dev/null | sort | head -200)
	nlib=${#libs[@]}
	for ((i = 0; i < ${BENCH_MMAPS:-8600}; i++)); do
		case $((i % 8)) in
		0 | 1 | 2)	# sizes by a fixed sequence, so every run maps the same
			echo "mmap $(((i * 7919 % 64 + 1) * 4))K 0x5a" >&"$bl_out" ;;
		3)	echo "mmap 8K 0x00" >&"$bl_out" ;;
		4 | 5)	echo "reserve 1M" >&"$bl_out"
			read -r reply <&"$bl_in"
			id=${reply#*id=}; id=${id%% *}
			echo "commit $id $(((i * 31 % 32 + 1) * 4))K 0xa5" >&"$bl_out" ;;
		6)	if ((nlib)); then
				echo "mapfile ${libs[i / 8 % nlib]}" >&"$bl_out"
			else
				echo "mmap 8K 0x5a" >&"$bl_out"
			fi ;;
		7)	echo "memfd bench-$i 16K" >&"$bl_out" ;;
		esac
		read -r reply <&"$bl_in"
		[[ $reply == ok* ]] || { echo "bench: leaker: $reply" >&2; return 1; }
	done
	BENCH_DESC="$BENCH_DESC Mappings: $(wc -l < /proc/"$BENCH_PID"/maps), smaps $(($(wc -c < /proc/"$BENCH_PID"/smaps) >> 20)) MiB."
}
