#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch's bad input: each mistake gives one line naming what is wrong and
# how to fix it, exit status 1, and leaves no output behind.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
mw=$MS_BUILDDIR/tools/mapswatch

# expect "MESSAGE" CMD...: exit status 1 and exactly MESSAGE on stderr.
expect() { local want=$1; shift; ms_expect -a -q 1 "$want" "$@"; }

try="Try 'mapswatch --help' for more information."
leaker_start
pid=$LEAKER_PID
leaker_cmd report
# A pid that exists no more: one the leaker had, after it quit.
gone=$(sh -c 'echo $$')
expect "mapswatch: pid $gone: no such process" "$mw" -p "$gone" --count 2 -w "$tmp/none"
[ ! -e "$tmp/none" ] || ms_error "DIR created for a process that does not exist"
expect 'mapswatch: --pid: bad pid "12x": unexpected "x" after the number; use a decimal pid from 1 to 4194304' "$mw" -p 12x
expect "mapswatch: nothing to watch; use -p PID or --all"$'\n'"$try" "$mw" --count 2
expect "mapswatch: options --pid and --all are mutually exclusive"$'\n'"$try" "$mw" -p "$pid" -a
expect 'mapswatch: --interval: "0" is too short; give 1ms or more' "$mw" -p "$pid" -i 0
expect 'mapswatch: --interval: bad duration "5q": unknown unit "q"; use a number and a unit (d, h, m, s, ms, us), as in 500ms or 1m30s' \
	"$mw" -p "$pid" -i 5q
expect 'mapswatch: --count: number "0" out of range; use a decimal number from 1 to 4294967295' "$mw" -p "$pid" --count 0
expect "mapswatch: --write: snapshots are kept for one process only; use -p PID" "$mw" -a -w "$tmp/x"
expect "mapswatch: unexpected argument \"$tmp\"; saved snapshots are read only with --plot"$'\n'"$try" \
	"$mw" -p "$pid" "$tmp"
expect 'mapswatch: --output: unknown column "NOPE"; see --help for the list' "$mw" -p "$pid" -o RSS,NOPE

# Outputs that exist are refused without -f, before any sample.
mkdir "$tmp/d"
expect "mapswatch: $tmp/d: exists; use -f to write into it, or another DIR" "$mw" -p "$pid" --count 1 -w "$tmp/d"
[ -z "$(ls -A "$tmp/d")" ] || ms_error "wrote into a DIR that exists without -f"
"$mw" -p "$pid" --count 1 -w "$tmp/d" -f > /dev/null || ms_fail "-f: cannot write into DIR"
[ -f "$tmp/d/0001.snap" ] || ms_error "-f: no snapshot in DIR"
touch "$tmp/m.prom" "$tmp/p.svg"
expect "mapswatch: --prom: $tmp/m.prom: file exists; use -f to overwrite it" "$mw" -p "$pid" --count 1 --prom "$tmp/m.prom"
expect "mapswatch: --plot: $tmp/p.svg: file exists; use -f to overwrite it" "$mw" -p "$pid" --count 1 --plot "$tmp/p.svg"
[ ! -s "$tmp/m.prom" ] && [ ! -s "$tmp/p.svg" ] || ms_error "overwrote a file without -f"
expect "mapswatch: --plot: $tmp/p.svg: file exists; use -f to overwrite it" "$mw" --plot "$tmp/p.svg" "$tmp/d"

# Plotting saved snapshots: a directory with none, a file that is none.
mkdir "$tmp/empty"
expect "mapswatch: $tmp/empty: no snapshots in it" "$mw" --plot "$tmp/q.svg" "$tmp/empty"
echo "not a snapshot" > "$tmp/junk"
"$mw" --plot "$tmp/q.svg" "$tmp/junk" 2> "$tmp/err" && ms_fail "plotted junk"
grep -q "^mapswatch: $tmp/junk:1: " "$tmp/err" || ms_error "junk: $(cat "$tmp/err")"
[ ! -e "$tmp/q.svg" ] || ms_error "a plot was left after a failure"

# The process exits mid-watch: the watch ends, DIR keeps every sample, exit 0.
mkfifo "$tmp/hook"
(
	read -r line < "$tmp/hook" && echo go > "$tmp/hook"
	read -r line < "$tmp/hook" && leaker_cmd quit
	# Not this shell's child: wait until it is a zombie (as an exited process is
	# until its parent reaps it) or gone.
	while [ -e "/proc/$pid" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$pid/stat" 2>/dev/null; do :; done
	echo go > "$tmp/hook"
) &
driver=$!
ms_at_exit "kill $driver 2>/dev/null"
rc=0
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/mapswatch" -p "$pid" -i 10ms --count 10 -w "$tmp/exit" > "$tmp/out" 2> "$tmp/err" || rc=$?
wait "$driver"
wait "$ms_leaker_cpid" 2>/dev/null
ms_leaker_cpid=
[ "$rc" -eq 0 ] || ms_error "exit status $rc when the process exits, not 0"
# (A loaded machine may add a line counting skipped slots: not this one's business.)
grep -qx "mapswatch: pid $pid exited; the watch ends after 2 samples" "$tmp/err" ||
	ms_fail "the exit is not said: $(cat "$tmp/err")"
[ "$(ls "$tmp/exit")" = $'0001.snap\n0002.snap' ] || ms_error "DIR does not hold the two samples: $(ls -A "$tmp/exit")"
head -n 1 "$tmp/out" | grep -q "^pid $pid (leaker): 2 samples" || ms_fail "no final table"
exit 0
