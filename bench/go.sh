# SPDX-License-Identifier: GPL-2.0-or-later
# The analysis of a 100 MB dump of a Go program (bytehist --symbols
# --objects: leakhunt's analysis, with the Go heap modelled from its spans
# and typed from DWARF), which must stay under 10 s; peers: the histogram
# alone, and the same analysis of a stripped build (layouts from the go1.19
# table, mheap_ found by its shape).
BENCH_DESC="tests/scenarios/go-buffers.go with GOGC=off keeping 62,000 1 KiB buffers of 'C' and 31,000 of 'T' in a [][]byte (about 100 MB of Go heap; with the runtime's metadata the dump is about 150 MB), what grew since its start dumped by regiondump --grown with its manifest, read from the page cache; the program runs, so the runtime's books (mheap_ in .bss) are read from it.  The same for a build with -ldflags='-s -w'."

bench_go_start()
{
	local tag=$1 pid in out

	shift
	HOME=$BENCH_WORK GOCACHE=$BENCH_WORK/go-cache GOFLAGS= GO111MODULE=off \
		go build "$@" -o "$BENCH_WORK/go-$tag" "$top/tests/scenarios/go-buffers.go"
	# Two programs at once: fifos, as bash keeps one coprocess at a time.
	mkfifo "$BENCH_WORK/$tag.in" "$BENCH_WORK/$tag.out"
	GOGC=off "$BENCH_WORK/go-$tag" < "$BENCH_WORK/$tag.in" > "$BENCH_WORK/$tag.out" &
	exec {in}> "$BENCH_WORK/$tag.in" {out}< "$BENCH_WORK/$tag.out"
	read -r _ pid <&"$out"
	"$MS_BUILDDIR/tools/mapsnap" -p "$pid" -o "$BENCH_WORK/$tag.snap" 2>/dev/null
	for c in "leak C 62000" "leak T 31000"; do
		echo "$c" >&"$in"
		read -r _ <&"$out"
	done
	"$MS_BUILDDIR/tools/regiondump" -p "$pid" --grown "$BENCH_WORK/$tag.snap" -o "$BENCH_WORK/$tag.dump" \
		2>/dev/null
	cat "$BENCH_WORK/$tag.dump" > /dev/null
	eval "BENCH_IN_$tag=$in"
}

bench_setup()
{
	command -v go > /dev/null || { echo "bench/go: no go (apt-get install golang-go)" >&2; exit 2; }
	bench_go_start plain
	bench_go_start stripped "-ldflags=-s -w"
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist d=$BENCH_WORK

	printf 'bytehist --symbols --objects (Go, DWARF)\t%s\n' "$b --symbols --objects $d/plain.dump > /dev/null 2>&1"
	printf 'bytehist (histogram alone)\t%s\n' "$b $d/plain.dump > /dev/null"
	printf 'bytehist --symbols --objects (Go, stripped)\t%s\n' "$b --symbols --objects $d/stripped.dump > /dev/null 2>&1"
	# What the analysis found, once, for the record: the spans read, not a fallback.
	"$b" --objects -J "$d/plain.dump" 2>/dev/null | python3 -c 'import json,sys; g=json.load(sys.stdin)["objects"]["go"]; print("bench/go: dump of %d bytes; go %s" % (__import__("os").path.getsize(sys.argv[1]), g), file=sys.stderr)' "$d/plain.dump"
}

bench_teardown()
{
	echo quit >&"$BENCH_IN_plain" 2>/dev/null || :
	echo quit >&"$BENCH_IN_stripped" 2>/dev/null || :
}
