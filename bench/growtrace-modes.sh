#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What each way of opening growtrace's page-fault event costs the faulting
# thread (issue 15's overhead), side by side in one process, in turns:
#
#   bench/growtrace-modes.sh [ROUNDS]      (root; default 21)
#
# The event on each thread and CPU with inherit (growtrace's), without
# inherit, on each thread on any CPU, per CPU for the target's cgroup
# (PERF_FLAG_PID_CGROUP, when cgroup v2 is mounted), per CPU for every
# process; smaller stack copies, no registers; a small ring.  A load that
# grows in bursts of 256 pages 10 ms apart (1 MiB each, as
# bench/growtrace.sh's 100 MB/s load) measures its CPU time per fault.
# Writes bench/results/growtrace-modes.md.  Never part of make check.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-21}
work=$(mktemp -d)
cg=
cleanup()
{
	[ -z "$cg" ] || rmdir "$cg" 2>/dev/null || :
	rm -rf "$work"
}
trap cleanup EXIT
out=$top/bench/results/growtrace-modes.md
gcc -O2 -pthread -o "$work/modes" "$top/bench/growtrace-modes.c"

# A cgroup v2 directory of its own, for the cgroup row.
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$v2" ] && mkdir "$v2/memsift-bench.$$" 2>/dev/null; then
	cg=$v2/memsift-bench.$$
fi
# shellcheck disable=SC2016
rows=$(bash -c '[ -z "$1" ] || echo $$ > "$1/cgroup.procs"; exec nice -n 10 "$2" "$3" 100 256 10000 ${1:+"$1"}' \
	sh "$cg" "$work/modes" "$rounds")
{
	echo "# growtrace: the ways of opening its event"
	echo
	echo "$(uname -r), $(nproc) CPUs; $(date -u +%Y-%m-%d). bench/growtrace-modes.sh $rounds."
	echo
	echo "CPU time per first touch of a thread that touches 256 new pages, sleeps 10 ms, and"
	echo "again (100 bursts a round), median of $rounds rounds, the ways in turns.  Samples are"
	echo "those taken a round (every process's, for the per-CPU event on every process)."
	[ -n "$cg" ] || echo "No cgroup v2 here: no cgroup row."
	echo
	echo "| event | per fault | slowdown | samples a round |"
	echo "| --- | --- | --- | --- |"
	while IFS='|' read -r name us ratio n; do
		echo "| $name | $us µs | ${ratio}x | $n |"
	done <<< "$rows"
} | tee "$out"
