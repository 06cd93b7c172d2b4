# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt's analysis (bytehist --symbols --objects) of a dump of about
# 100 MB of what grew in a program on jemalloc, on tcmalloc and on musl's
# mallocng (issue 17: under 10 s each), against bytehist alone on the same
# dump.  The program is tests/scenarios/svc.c, the scenarios' service.
BENCH_DESC="tests/scenarios/svc.c leaking 40,000 config and 40,000 task records (each with a 1 KiB payload) and 200,000 distinct access-log lines, on jemalloc (LD_PRELOAD of Debian's libjemalloc2), tcmalloc (libgoogle-perftools4) and musl (musl-gcc -static, mallocng); what grew since start dumped by regiondump --grown with its manifest, read from the page cache.  Peers: bytehist alone (the histogram pass) on each dump."

# svc_grow NAME CMD...: start svc (CMD...) over a pipe, snapshot, leak, dump what grew.
svc_grow()
{
	local name=$1 b=$MS_BUILDDIR/tools pid in out c
	shift
	coproc SVC { exec "$@"; }
	in=${SVC[1]} out=${SVC[0]}
	read -r _ pid <&"$out"
	"$b/mapsnap" -p "$pid" --write "$BENCH_WORK/$name.snap"
	for c in "conf 40000" "task 40000" "log 200000"; do
		echo "$c" >&"$in"
		read -r _ <&"$out"
	done
	"$b/regiondump" -p "$pid" --grown "$BENCH_WORK/$name.snap" --write "$BENCH_WORK/$name.dump" 2>/dev/null
	echo quit >&"$in"
	read -r _ <&"$out" || :
	wait "$SVC_PID" 2>/dev/null || :
	echo "bench: $name: $(stat -c %s "$BENCH_WORK/$name.dump") bytes" >&2
}

bench_setup()
{
	local je=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 tc=/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4

	[ -r "$je" ] && [ -r "$tc" ] || { echo "bench/analyse-alloc: apt-get install libjemalloc2 libgoogle-perftools4" >&2; exit 2; }
	command -v musl-gcc > /dev/null || { echo "bench/analyse-alloc: apt-get install musl-tools" >&2; exit 2; }
	cc -g -O1 -pthread -o "$BENCH_WORK/svc" "$top/tests/scenarios/svc.c"
	musl-gcc -static -g -O1 -pthread -o "$BENCH_WORK/svc-musl" "$top/tests/scenarios/svc.c"
	svc_grow jemalloc env LD_PRELOAD="$je" "$BENCH_WORK/svc"
	svc_grow tcmalloc env LD_PRELOAD="$tc" "$BENCH_WORK/svc"
	svc_grow musl "$BENCH_WORK/svc-musl"
	cat "$BENCH_WORK"/*.dump > /dev/null
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist a

	for a in jemalloc tcmalloc musl; do
		printf '%s: bytehist --symbols --objects (leakhunt analysis)\t%s\n' "$a" \
			"$b --symbols --objects $BENCH_WORK/$a.dump > /dev/null"
	done
	for a in jemalloc tcmalloc musl; do
		printf '%s: bytehist (histogram alone)\t%s\n' "$a" "$b $BENCH_WORK/$a.dump > /dev/null"
	done
}
