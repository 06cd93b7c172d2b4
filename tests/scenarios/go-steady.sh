#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Go services that do not leak, hunted by leakhunt at its defaults (but a
# short interval, the work driven between snapshots): one that makes only
# garbage, one that keeps a bounded cache (filled before the hunt, as a
# running service's is).  Their pages grow until the GC paces and shrink
# as the scavenger returns them; their live heap does not grow, but what
# each GC marks does, by what was allocated while it marked, the more so
# under load (the marks of a garbage-only service range from 50K to 1.2M,
# those of the full cache over 2M).  Each is hunted 4 times, and each
# hunt must exit 0, and say what it was judged on: what each GC found alive
# less what was allocated while it marked, as the runtime records it
# (runtime.work), which the program's GODEBUG=gctrace=1 lines show it did
# for each GC of the hunt.  The program's own counters say the cache
# stayed bounded.  Stripped too (2 hunts each).  With each Go toolchain
# installed.
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

check()
{
	go_build "$tmp/steady" "$MS_SRCDIR/tests/scenarios/go-steady.go"
	go_build "$tmp/steady-stripped" "$MS_SRCDIR/tests/scenarios/go-steady.go" -ldflags="-s -w"
	hunts garbage 4
	hunts "cache 2000" 4
	# Stripped, as services ship: the runtime's record of each GC is found in
	# .bss by its shape, with no symbol to name it.
	hunts garbage 2 -stripped
	hunts "cache 2000" 2 -stripped
}

# hunts MODE RUNS [SUFFIX]: start the service in MODE (the binary
# steady$SUFFIX), hunt it RUNS times.
hunts()
{
	local mode=$1 runs=$2 run gcs said less='less what was allocated while it marked'

	# Each GC's record (runtime.work's heap0->heap1->heap2) printed by the
	# runtime itself, a line per GC, into $tmp/gctrace.
	go_start sh -c 'exec "$@" 2> "$0"' "$tmp/gctrace" \
		env GODEBUG=gctrace=1 "$tmp/steady${3:-}" $mode
	mode="$mode${3:-}"
	# A running service: its cache full before anyone hunts.
	go_ask "work 3000"
	for run in $(seq "$runs"); do
		gcs=$(grep -c '^gc [0-9]* @.* MB' "$tmp/gctrace")
		go_hunt 'go_ask "work 300"; echo "$line: $reply"'
		gcs=$(($(grep -c '^gc [0-9]* @.* MB' "$tmp/gctrace") - gcs))
		cat "$tmp/err" >&2
		[ "$hunt_rc" -eq 0 ] ||
			{ cat "$tmp/hooks" >&2; ms_fail "$mode, run $run: leakhunt exited $hunt_rc on a steady Go service, not 0"; }
		grep -q '^\*\*Nothing is leaking:\*\*' "$tmp/r/report.md" ||
			ms_fail "$mode, run $run: the report does not say nothing is leaking"
		# The runtime recorded what each of the hunt's GCs allocated while it
		# marked; leakhunt reads it at a snapshot between two GCs (in a
		# stripped build found in .bss by its shape), and what it says last
		# is what its judgement was based on, here the marks less that.
		[ "$gcs" -ge 6 ] ||
			ms_fail "$mode, run $run: the program printed $gcs GCs during the hunt, not the 6 a Go heap is judged from; more work between snapshots?"
		said=$(grep '^leakhunt: a Go program: ' "$tmp/err" | tail -n 1)
		case $said in
		*" judged on what each GC found alive $less"*) ;;
		*) ms_error "$mode, run $run: over $gcs GCs the runtime recorded, leakhunt last said \"$said\", not that it judged on the marks $less" ;;
		esac
		# Its pages may grow: the report says what it was judged on instead.
		grep -q "^As a Go program it is judged on what each GC found alive $less, not on its pages: .* GCs, no growth that counts: " "$tmp/r/report.md" ||
			ms_error "$mode, run $run: the report does not say the Go heap was judged on the marks $less: $(grep -A3 '^## Growth' "$tmp/r/report.md")"
	done
	go_ask "work 1"
	case $mode in
	cache*) [[ $reply == *" cache=2000 "* ]] || ms_fail "the cache is not bounded: $reply" ;;
	esac
	go_quit
}

for GO in $(go_toolchains); do
	echo "== with $(go_toolchain)" >&2
	check
done
exit 0
