#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# growtrace against its peers, run directly (not through bench/run, which
# times one command; this one measures what tracing costs a target):
#
#   bench/growtrace.sh [RUNS]      (root; RUNS of each slowdown, default 5)
#
# 1. Agreement: the same workload (two callers leaking 2:1, built -O2
#    without frame pointers) traced by growtrace and by
#    perf record -e page-faults -d --call-graph dwarf + perf report, side by
#    side: each caller's share, and the time from the end of the workload to
#    the report.
# 2. Slowdown: a program that grows 100 MB/s in 1 MiB blocks, the same in
#    256-byte objects (its CPU time), and a malloc-heavy one that does not
#    grow (5M malloc/free pairs, its CPU time), alone, under growtrace (its default rate and -F 20000), and
#    under a bpftrace uprobe on malloc (the method of bcc's memleak), and
#    under a bare uprobe on malloc through perf's uprobe PMU that only
#    counts (what any uprobe mode costs before it samples anything).  Rows
#    whose tool is missing are skipped and say so.
# 3. What one sample costs the faulting thread: a program that samples its
#    own page faults (period 1) with what growtrace asks for and with what
#    perf's --call-graph dwarf asks for, its CPU time per fault.
#
# Writes bench/results/growtrace.md.  Never part of make check.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
: "${MS_BUILDDIR:=$top/build}"
runs=${1:-5}
growtrace=$MS_BUILDDIR/tools/growtrace
[ -x "$growtrace" ] || { echo "bench/growtrace.sh: build first (./quickstart.sh)" >&2; exit 2; }
make -s -C "$MS_BUILDDIR" tests/tools/growtrace/grow-O2 >/dev/null
grow=$MS_BUILDDIR/tests/tools/growtrace/grow-O2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$top/bench/results/growtrace.md

# The slowdown loads: "ready PID", then on "go" the work, then "done WALL CPU" (seconds).
cat > "$work/load.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double secs(struct timespec t) { return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv)
{
	struct timespec t0, t1, next;
	struct rusage ru;
	char line[16];
	long i, k, n = atol(argv[2]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	/* "ping": one malloc, so a tracer can tell its probe is in. */
	while (fgets(line, sizeof(line), stdin) && !strcmp(line, "ping\n")) {
		free(malloc(64));
		printf("pong\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strcmp(argv[1], "grow")) {
		/* n MiB at 100 MB/s: 1 MiB every 10 ms, on a schedule. */
		next = t0;
		for (i = 0; i < n; i++) {
			memset(malloc(1 << 20), 1, 1 << 20);
			next.tv_nsec += 10000000;
			if (next.tv_nsec >= 1000000000) { next.tv_sec++; next.tv_nsec -= 1000000000; }
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	} else if (!strcmp(argv[1], "objects")) {
		/*
		 * n MiB at 100 MB/s in 256-byte objects, kept: the growth of a
		 * service, made of small allocations (1.6M a second).
		 */
		next = t0;
		for (i = 0; i < n; i++) {
			for (k = 0; k < 4096; k++)
				memset(malloc(256), 1, 256);
			next.tv_nsec += 10000000;
			if (next.tv_nsec >= 1000000000) { next.tv_sec++; next.tv_nsec -= 1000000000; }
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	} else {
		/* n malloc/free pairs of 64 bytes: no growth at all. */
		for (i = 0; i < n; i++) {
			void *volatile p = malloc(64);
			free(p);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	printf("done %.4f %.4f\n", secs(t1) - secs(t0),
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	return 0;
}
C
gcc -O2 -o "$work/load" "$work/load.c"

# The bare uprobe: "up PID LIBC OFFSET" counts PID's calls of malloc (perf's
# uprobe PMU: config1 the file, config2 the offset) until its stdin ends.
cat > "$work/up.c" <<'C'
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	struct perf_event_attr a;
	int type;
	long fd;
	char c;

	if (argc != 4 || !f || fscanf(f, "%d", &type) != 1)
		return 1;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config1 = (uint64_t)(uintptr_t)argv[2];
	a.config2 = strtoull(argv[3], NULL, 0);
	fd = syscall(SYS_perf_event_open, &a, atoi(argv[1]), -1, -1, 0);
	if (fd < 0)
		return perror("perf_event_open"), 1;
	printf("on\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
C
gcc -O2 -o "$work/up" "$work/up.c"
libc=$(ldd "$work/load" | awk '/libc\.so/ { print $3 }')
# malloc's file offset: its address, less its loadable segment's address, plus the segment's offset.
malloc_off=$(python3 - "$libc" <<'PY'
import re, subprocess, sys
lib = sys.argv[1]
sym = [l.split() for l in subprocess.run(["nm", "-D", lib], capture_output=True, text=True).stdout.splitlines()]
addr = next(int(f[0], 16) for f in sym if len(f) == 3 and f[1] in "TtWi" and f[2].split("@")[0] == "malloc")
for l in subprocess.run(["readelf", "-lW", lib], capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if f and f[0] == "LOAD" and int(f[2], 16) <= addr < int(f[2], 16) + int(f[5], 16):
        print(hex(addr - int(f[2], 16) + int(f[1], 16)))
        break
PY
)

# start PROG ARGS...: a coprocess speaking "ready PID"; sets TPID, T_IN, T_OUT.
start()
{
	coproc TGT { exec "$@"; }
	exec {T_IN}<&"${TGT[0]}" {T_OUT}>&"${TGT[1]}"
	TGTPID=$TGT_PID
	read -r _ TPID <&"$T_IN"
}

# tracer KIND: attach KIND (none, growtrace, bpftrace, perf) to TPID and wait
# until it is attached; TRACER is its pid.
tracer()
{
	local line
	TRACER=
	case $1 in
	none) ;;
	growtrace20)
		tracer growtrace -F 20000
		;;
	growtrace)
		mkfifo "$work/err"
		"$growtrace" -p "$TPID" "${@:2}" > "$work/gt.out" 2> "$work/err" &
		TRACER=$!
		exec {E}< "$work/err"
		read -r line <&"$E"
		;;
	bpftrace)
		mkfifo "$work/err"
		bpftrace -p "$TPID" -e 'uprobe:libc:malloc { if (@h == 0) { printf("hit\n"); @h = 1; } @n = count(); }' \
			> "$work/err" 2>&1 &
		TRACER=$!
		exec {E}< "$work/err"
		# It prints "Attaching 1 probe..." before the probe is in: ping
		# the load until the probe has fired once.
		line=
		while [ "$line" != hit ]; do
			echo ping >&"$T_OUT"
			read -r _ <&"$T_IN"
			read -r -t 0.1 line <&"$E" || :
			kill -0 "$TRACER" 2>/dev/null ||
				{ echo "bench/growtrace.sh: bpftrace failed: $line" >&2; exit 1; }
		done
		;;
	uprobe)
		mkfifo "$work/up.in" "$work/up.out"
		"$work/up" "$TPID" "$libc" "$malloc_off" < "$work/up.in" > "$work/up.out" &
		TRACER=$!
		exec {U_OUT}> "$work/up.in" {U_IN}< "$work/up.out"
		read -r line <&"$U_IN"
		;;
	perfstat)
		# The floor of any perf event on the thread: faults counted, none sampled.
		mkfifo "$work/ctl" "$work/ack"
		perf stat -D -1 --control "fifo:$work/ctl,$work/ack" -e page-faults -p "$TPID" \
			-o "$work/stat.out" &
		TRACER=$!
		echo enable > "$work/ctl"
		read -r line < "$work/ack"
		;;
	perf)
		mkfifo "$work/ctl" "$work/ack"
		perf record -q -D -1 --control "fifo:$work/ctl,$work/ack" -e page-faults -d \
			--call-graph dwarf "${@:2}" -p "$TPID" -o "$work/perf.data" 2>/dev/null &
		TRACER=$!
		echo enable > "$work/ctl"
		read -r line < "$work/ack"
		;;
	esac
}

untrace()
{
	[ -n "$TRACER" ] || return 0
	# The bare uprobe ends on EOF, not on a signal.
	if [ -n "${U_OUT:-}" ]; then
		exec {U_OUT}>&- {U_IN}<&-
		U_OUT=
		wait "$TRACER" || :
		rm -f "$work/up.in" "$work/up.out"
		return 0
	fi
	kill -INT "$TRACER" 2>/dev/null || :
	wait "$TRACER" || :
	[ -z "${E:-}" ] || { cat <&"$E" > /dev/null; exec {E}<&-; E=; }
	rm -f "$work/err" "$work/ctl" "$work/ack"
}

now() { date +%s.%N; }

# --- 1. agreement with perf ---------------------------------------------------
share()	# FUNC-A FUNC-B < "function-per-line period" records: A's share in %
{
	awk -v a="$1" -v b="$2" '$1 == a { x += $2 } $1 == b { y += $2 } END { printf "%.1f", 100 * x / (x + y) }'
}

gt_rows=()
# "mix 300": 900 blocks at once; "mix 300 1000": 1 ms apart, a thread that
# mostly sleeps (the truth, the program's draws, is the same).
for run in "|" "-F 20000|" "| 1000" "-F 20000| 1000"; do
	freq=${run%|*} gap=${run#*|}
	start "$grow"
	echo "mix 1" >&"$T_OUT"; read -r before <&"$T_IN"
	# shellcheck disable=SC2086
	tracer growtrace $freq -J
	echo "mix 300$gap" >&"$T_OUT"; read -r reply <&"$T_IN"
	# The program's own count ("ok a=BYTES b=BYTES"); its draws are the same every run.
	truth=$(printf '%s\n%s\n' "$before" "$reply" | tr ' =' '\n\n' | awk '
		/^a$/ { getline; a[++na] = $1 } /^b$/ { getline; b[++nb] = $1 }
		END { printf "%.1f", 100 * (a[2] - a[1]) / (a[2] - a[1] + b[2] - b[1]) }')
	t0=$(now); untrace; t1=$(now)
	gt_time=$(echo "$t1 - $t0" | bc)
	gt_share=$(python3 - "$work/gt.out" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for s in j["stacks"]:
    for f in s["frames"]:
        if f["function"] in ("leak_a", "leak_b"):
            print(f["function"], s["resident"]); break
PY
	)
	gt_a=$(share leak_a leak_b <<< "$gt_share")
	gt_samples=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["samples"])' "$work/gt.out")
	gt_rows+=("| growtrace ${freq:-(default -F 10000)}${gap:+, blocks${gap}µs apart} | $gt_a% | $(printf '%.2f' "$gt_time") s | $gt_samples samples in all |")
	echo quit >&"$T_OUT"; read -r _ <&"$T_IN" || :; wait "$TGTPID" 2>/dev/null || :
done

perf_rows=()
for freq in "" "-F 20000"; do
	label="perf record${freq:+ $freq} --call-graph dwarf + perf report"
	if ! command -v perf > /dev/null; then
		perf_rows+=("| $label | - | - | perf not installed |")
		continue
	fi
	start "$grow"
	echo "mix 1" >&"$T_OUT"; read -r _ <&"$T_IN"
	# shellcheck disable=SC2086
	tracer perf $freq
	echo "mix 300" >&"$T_OUT"; read -r _ <&"$T_IN"
	t0=$(now); untrace
	# Each sample's period, and the caller it went through: leak_a or leak_b.
	perf script -i "$work/perf.data" -F period,ip,sym 2>/dev/null | awk '
		/^ *[0-9]+ *$/ { p = $1; next }
		/^[ \t]+[0-9a-f]+ / { if (p && ($2 == "leak_a" || $2 == "leak_b")) { print $2, p; p = 0 } }' > "$work/perf.share"
	perf report -i "$work/perf.data" --stdio --no-children > "$work/perf.report" 2>/dev/null
	t1=$(now)
	perf_rows+=("| $label | $(share leak_a leak_b < "$work/perf.share")% | $(echo "$t1 - $t0" | bc | xargs printf '%.2f') s | $(grep -c . "$work/perf.share") samples through leak_a/b |")
	echo quit >&"$T_OUT"; read -r _ <&"$T_IN" || :; wait "$TGTPID" 2>/dev/null || :
	rm -f "$work/perf.data"
done

# The same with inline frames: grow's touch(), forced inline into inline_a
# and inline_b ("inline 300", 2:1), against perf report --inline (perf
# script --inline reads the same frames): inline_a's share of the samples
# whose innermost frame is touch inlined into a caller, and the time to the
# report.
inline_rows=()
for kind in growtrace perf; do
	if [ "$kind" = perf ] && ! command -v perf > /dev/null; then
		inline_rows+=("| perf --inline | - | - | perf not installed |")
		continue
	fi
	start "$grow"
	echo "inline 1" >&"$T_OUT"; read -r before <&"$T_IN"
	if [ "$kind" = growtrace ]; then tracer growtrace -F 20000 -J; else tracer perf -F 20000; fi
	echo "inline 300" >&"$T_OUT"; read -r reply <&"$T_IN"
	inline_truth=$(printf '%s\n%s\n' "$before" "$reply" | tr ' =' '\n\n' | awk '
		/^a$/ { getline; a[++na] = $1 } /^b$/ { getline; b[++nb] = $1 }
		END { printf "%.1f", 100 * (a[2] - a[1]) / (a[2] - a[1] + b[2] - b[1]) }')
	t0=$(now); untrace
	if [ "$kind" = growtrace ]; then
		python3 - "$work/gt.out" > "$work/inl.share" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["stacks"]:
    f = s["frames"]
    if len(f) > 1 and f[0]["function"] == "touch" and f[0]["inline"]:
        print(f[1]["function"], s["resident"])
PY
		label="growtrace -F 20000"
	else
		# Each sample's period, then its frames: touch (inlined) and the caller under it.
		perf script -i "$work/perf.data" --inline -F period,ip,sym 2>/dev/null | awk '
			/^ *[0-9]+ *$/ { p = $1; t = 0; next }
			/ touch \(inlined\)$/ { t = 1; next }
			t && p && ($2 == "inline_a" || $2 == "inline_b") { print $2, p; p = 0 }' > "$work/inl.share"
		perf report -i "$work/perf.data" --inline --stdio --no-children > /dev/null 2>&1
		label="perf record -F 20000 --call-graph dwarf + perf report --inline"
		rm -f "$work/perf.data"
	fi
	t1=$(now)
	inline_rows+=("| $label | $(share inline_a inline_b < "$work/inl.share")% | $(echo "$t1 - $t0" | bc | xargs printf '%.2f') s | $(grep -c . "$work/inl.share") $([ "$kind" = perf ] && echo samples || echo stacks) with touch inlined into inline_a/b |")
	echo quit >&"$T_OUT"; read -r _ <&"$T_IN" || :; wait "$TGTPID" 2>/dev/null || :
done

# --- 2. slowdown -----------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# once LOAD N COLUMN KIND: the load's WALL (2) or CPU (3) time under KIND.
once()
{
	local load=$1 n=$2 col=$3 kind=$4 reply
	start "$work/load" "$load" "$n"
	tracer "$kind"
	echo go >&"$T_OUT"
	read -r reply <&"$T_IN"
	untrace
	wait "$TGTPID" 2>/dev/null || :
	awk -v c="$col" '{ print $c }' <<< "$reply"
}

kinds=(none growtrace growtrace20)
command -v perf > /dev/null && kinds+=(perfstat)
command -v bpftrace > /dev/null && kinds+=(bpftrace)
[ -n "$malloc_off" ] && [ -r /sys/bus/event_source/devices/uprobe/type ] && kinds+=(uprobe)
rows=()
for load in "grow 300 3 CPU time, 300 MB at 100 MB/s in 1 MiB blocks" \
	    "objects 300 3 CPU time, 300 MB at 100 MB/s in 256-byte objects" \
	    "malloc 5000000 3 CPU time, 5M malloc/free"; do
	read -r kind n col what <<< "$load"
	# In turns, so that the machine's other load weighs on each alike.
	for ((i = 0; i < runs; i++)); do
		for k in "${kinds[@]}"; do
			once "$kind" "$n" "$col" "$k" >> "$work/$kind.$k"
		done
	done
	base=$(median < "$work/$kind.none")
	gt=$(median < "$work/$kind.growtrace")
	gt20=$(median < "$work/$kind.growtrace20")
	if [ -f "$work/$kind.perfstat" ]; then
		ps=$(median < "$work/$kind.perfstat")
		ps_cell="$ps s ($(echo "scale=3; $ps / $base" | bc)x)"
	else
		ps_cell="skipped: no perf (apt-get install linux-perf)"
	fi
	if [ -f "$work/$kind.bpftrace" ]; then
		bt=$(median < "$work/$kind.bpftrace")
		bt_cell="$bt s ($(echo "scale=2; $bt / $base" | bc)x)"
	else
		bt_cell="skipped: no bpftrace (apt-get install bpftrace)"
	fi
	if [ -f "$work/$kind.uprobe" ]; then
		up=$(median < "$work/$kind.uprobe")
		up_cell="$up s ($(echo "scale=2; $up / $base" | bc)x)"
	else
		up_cell="skipped: no uprobe PMU, or malloc not found in libc"
	fi
	rows+=("| $what | $base s | $gt s ($(echo "scale=3; $gt / $base" | bc)x) | $gt20 s ($(echo "scale=3; $gt20 / $base" | bc)x) | $ps_cell | $bt_cell | $up_cell |")
done

# --- 3. what a sample costs ----------------------------------------------------------
# pf MODE REGS STACK PAGES: CPU time per fault (us) of PAGES first touches,
# with MODE 0 no event, 1 counted only, 2 sampled (ip, tid, time, addr,
# period), 3 and REGS (a perf register mask) and STACK bytes of user stack.
cat > "$work/pf.c" <<'C'
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int mode = atoi(argv[1]), fd = -1;
	long pages = atol(argv[4]), i;
	struct perf_event_attr a;
	double t0, t1;
	char *p;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.exclude_kernel = 1;
	if (mode >= 2) {
		a.sample_period = 1;
		a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				PERF_SAMPLE_ADDR | PERF_SAMPLE_PERIOD;
		a.watermark = 1;
		a.wakeup_watermark = 1 << 30;	/* never read: no reader's wakeups */
	}
	if (mode >= 3) {
		a.sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a.sample_regs_user = strtoull(argv[2], NULL, 0);
		a.sample_stack_user = atoi(argv[3]);
	}
	if (mode >= 1 && (fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0)) < 0)
		return perror("perf_event_open"), 1;
	/* Room for every sample, so none is lost (a lost one costs less). */
	if (mode >= 2 && mmap(NULL, (1 + 32768) * 4096L, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED)
		return perror("mmap"), 1;
	p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t0 = cpu();
	for (i = 0; i < pages; i++)
		p[i * 4096] = 1;
	t1 = cpu();
	printf("%.3f\n", (t1 - t0) / pages * 1e6);
	return 0;
}
C
gcc -O2 -o "$work/pf" "$work/pf.c"
pf_rows=()
# perf's x86_64 masks: all 20 user registers (perf --call-graph dwarf), and
# growtrace's 9 (BX BP SP IP R10 R12-R15).
for row in "0 0 0|no event" "1 0 0|counted, not sampled" "2 0 0|sampled: ip, tid, time, addr, period" \
	   "3 0xf401c2 8|+ growtrace's 9 registers" "3 0xff0fff 8|+ perf's 20 registers" \
	   "3 0xf401c2 4096|growtrace: 9 registers, 4096 bytes of stack (its default)" \
	   "3 0xff0fff 8192|perf --call-graph dwarf: 20 registers, 8192 bytes of stack"; do
	args=${row%%|*}
	# shellcheck disable=SC2086
	us=$(for ((i = 0; i < runs + 2; i++)); do "$work/pf" $args 30000; done | median)
	pf_rows+=("| ${row#*|} | $us µs |")
done

{
	echo "# growtrace"
	echo
	echo "$(uname -r), $(nproc) CPUs; $(date -u +%Y-%m-%d). bench/growtrace.sh $runs."
	echo
	echo "## Agreement with perf: leak_a's share of leak_a + leak_b (truth, the program's own count: $truth%)"
	echo
	echo "| tool | leak_a share | end of workload to report | |"
	echo "| --- | --- | --- | --- |"
	printf '%s\n' "${gt_rows[@]}"
	printf '%s\n' "${perf_rows[@]}"
	echo
	echo "## Agreement with perf --inline: inline_a's share, touch() inlined into inline_a and inline_b (truth, the program's own count: $inline_truth%)"
	echo
	echo "| tool | inline_a share | end of workload to report | |"
	echo "| --- | --- | --- | --- |"
	printf '%s\n' "${inline_rows[@]}"
	echo
	echo "## Slowdown of the target (median of $runs)"
	echo
	echo "Each sample costs the faulting thread a few microseconds (section 3, and more with"
	echo "cold caches between bursts), so the sampling rate, in samples per second of the"
	echo "thread's own CPU time, bounds its slowdown; a program that does not grow makes no"
	echo "faults to sample."
	echo
	echo "The floor of the method is that of a perf event on the thread at all: perf stat"
	echo "counting its page faults, with no sample taken, costs what its column shows (the"
	echo "kernel's accounting of each fault and of each switch of the thread).  A disabled"
	echo "event costs a fault nearly as much as a counting one (the kernel still looks for it"
	echo "on every fault), so no duty cycle of the event lowers that floor.  A uprobe on"
	echo "malloc costs in proportion to malloc's calls instead: next to nothing for a program"
	echo "that grows in 1 MiB blocks, and a multiple of its time for one that grows, or churns,"
	echo "in small objects."
	echo
	echo "| load | alone | under growtrace (default, -F 10000) | under growtrace -F 20000 | under perf stat -e page-faults (no samples) | under a bpftrace uprobe on malloc | under a bare uprobe on malloc (perf's uprobe PMU, counting) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	printf '%s\n' "${rows[@]}"
	echo
	echo "## What one sample costs the faulting thread (CPU time per first touch, median of $((runs + 2)))"
	echo
	echo "A program samples its own page faults (period 1, nothing reads the ring buffer)."
	echo
	echo "| event | per fault |"
	echo "| --- | --- |"
	printf '%s\n' "${pf_rows[@]}"
} | tee "$out"
