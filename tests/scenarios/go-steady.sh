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
# hunt must exit 0, its report saying what it was judged on; the program's
# own counters say the cache stayed bounded.  Stripped too (2 hunts each).
# With each Go toolchain installed.
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
	local mode=$1 runs=$2 run bounded=0

	go_start "$tmp/steady${3:-}" $mode
	mode="$mode${3:-}"
	# A running service: its cache full before anyone hunts.
	go_ask "work 3000"
	for run in $(seq "$runs"); do
		go_hunt 'go_ask "work 300"; echo "$line: $reply"'
		cat "$tmp/err" >&2
		[ "$hunt_rc" -eq 0 ] ||
			{ cat "$tmp/hooks" >&2; ms_fail "$mode, run $run: leakhunt exited $hunt_rc on a steady Go service, not 0"; }
		grep -q '^\*\*Nothing is leaking:\*\*' "$tmp/r/report.md" ||
			ms_fail "$mode, run $run: the report does not say nothing is leaking"
		# What each GC allocated while it marked is read from the runtime's
		# record of the last GC (runtime.work; in a stripped build found in
		# .bss by its shape).  Once in a while a hunt decides before that
		# record is readable and judges on the marks alone (and still finds
		# no leak, as here): each hunt may, but not every hunt of a mode.
		less='\( less what was allocated while it marked\)\{0,1\}'
		grep -q 'judged on what each GC found alive less what was allocated while it marked' "$tmp/err" &&
			bounded=$((bounded + 1))
		grep -q "a Go program: its heap is judged on what each GC found alive$less" "$tmp/err" ||
			ms_fail "$mode, run $run: the Go heap was not judged on what the GC found alive"
		# Its pages may grow: the report says what it was judged on instead.
		grep -q "^As a Go program it is judged on what each GC found alive$less, not on its pages: .* GCs, no growth that counts: " "$tmp/r/report.md" ||
			ms_fail "$mode, run $run: the report does not say what the Go heap was judged on: $(grep -A3 '^## Growth' "$tmp/r/report.md")"
	done
	[ "$bounded" -gt 0 ] ||
		ms_error "$mode: no hunt judged the Go heap on the GC's marks less its floating garbage"
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
