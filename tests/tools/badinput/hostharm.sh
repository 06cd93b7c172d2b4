#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A wrong input name must not take the memory of the machine being
# diagnosed: /dev/zero, a sparse 10 GB file, FIFOs that never end, and a
# series directory holding one of them are each refused with one line
# naming the file, in bounded memory.  Peak memory is measured by GNU time
# (the kernel's ru_maxrss), not by anything memsift says.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
mapswatch=$MS_BUILDDIR/tools/mapswatch
good=$MS_FIXTURES/pmap/leaker-after.smaps
[ -x /usr/bin/time ] && /usr/bin/time -v true 2>&1 | grep -q "Maximum resident set size" ||
	ms_skip "GNU time (/usr/bin/time -v, Debian package time) is needed to measure peak memory"
ms_tmpdir

# What two good inputs cost, plus 64 MiB: a tool reading a wrong input
# whole would pass this by gigabytes.
/usr/bin/time -v -o "$tmp/time" "$mapsdiff" "$good" "$good" > /dev/null ||
	ms_fail "mapsdiff of a good capture: exit $?"
base=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
bound=$((base + 65536))

# A guard, not a measurement: without the fix the tools read until the
# address space runs out, so that they fail instead of calling the OOM
# killer.  ASan reserves terabytes of address space, so not under it.
guard=
wrap=
grep -q __asan_init "$mapsdiff" || guard="ulimit -v 4194304;"

# run TOOL WANT-STATUS WANT-STDERR -- ARGS...: run under GNU time; check
# the status, the one line said and the peak.
run()
{
	local tool=$1 want=$2 msg=$3 rc=0 peak
	shift 4
	bash -c "$guard"' exec /usr/bin/time -v -o "$0" '"$wrap"' "$@"' "$tmp/time" "$tool" "$@" \
		> "$tmp/out" 2> "$tmp/err" || rc=$?
	peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
	[ "$rc" = "$want" ] || ms_error "${tool##*/} $*: exit $rc, want $want ($(cat "$tmp/err"))"
	[ "$(cat "$tmp/err")" = "$msg" ] || ms_error "${tool##*/} $*: said \"$(cat "$tmp/err")\", want \"$msg\""
	[ -n "$peak" ] && [ "$peak" -le "$bound" ] ||
		ms_fail "${tool##*/} $*: peak RSS ${peak:-?} kB, more than $bound kB"
}

# /dev/zero: refused at its first byte.
run "$mapsdiff" 2 "mapsdiff: /dev/zero:1: byte 0: binary data (a NUL byte); is this a maps or smaps capture?" -- /dev/zero "$good"

# A sparse 10 GB file: refused unread, by its size.
truncate -s 10G "$tmp/big.file"
[ "$(stat -c %b "$tmp/big.file")" -lt 1024 ] || ms_skip "$tmp: no sparse files here"
run "$mapsdiff" 2 "mapsdiff: $tmp/big.file: larger than 1024 MiB, more than memsift reads of a capture; is this a snapshot?" -- "$tmp/big.file" "$good"
run "$mapsdiff" 2 "mapsdiff: $tmp/big.file: larger than 1024 MiB, more than memsift reads of a capture; is this a snapshot?" -- "$good" "$tmp/big.file"

# FIFOs, whose size nothing tells: a writer that never stops.  Each writer
# dies of SIGPIPE once mapsdiff has refused its input and closed the FIFO.
writer=
ms_at_exit '[ -z "$writer" ] || kill -KILL "$writer" 2> /dev/null'
fifo()
{
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	( "$@" > "$tmp/fifo" ) 2> /dev/null &
	writer=$!
}
fifo cat /dev/zero
run "$mapsdiff" 2 "mapsdiff: $tmp/fifo:1: byte 0: binary data (a NUL byte); is this a maps or smaps capture?" -- "$tmp/fifo" "$good"
wait "$writer" || :

# A good capture, then endless text holding a secret: refused at the first
# line after the capture, by its place, the secret never quoted.
lines=$(wc -l < "$good")
bytes=$(wc -c < "$good")
fifo bash -c 'cat "$1"; yes "password=hunter2-in-a-fifo"' sh "$good"
run "$mapsdiff" 2 "mapsdiff: $tmp/fifo:$((lines + 1)): byte $bytes: not a maps or smaps line; is this a maps or smaps capture?" -- "$good" "$tmp/fifo"
wait "$writer" || :
grep -q hunter2 "$tmp/err" && ms_fail "the secret was quoted"

# One endless line after a good start.
fifo bash -c 'head -n 3 "$1"; tr "\0" b < /dev/zero' sh "$good"
run "$mapsdiff" 2 "mapsdiff: $tmp/fifo:4: byte $(head -n 3 "$good" | wc -c): a line longer than 1 MiB; is this a maps or smaps capture?" -- "$tmp/fifo" "$good"
wait "$writer" || :

# regiondump --grown reads its snapshot the same way, before any memory.
run "$MS_BUILDDIR/tools/regiondump" 1 "regiondump: /dev/zero:1: byte 0: binary data (a NUL byte); is this a maps or smaps capture?" -- -p $$ --grown /dev/zero -w "$tmp/grown"
[ ! -e "$tmp/grown" ] || ms_error "regiondump --grown /dev/zero left a dump"

# The log readers (oomreport, mapswatch --gctrace) read in bounded memory
# already, but /dev/zero never gave them a newline: they read it forever.
# timeout(1) only turns such a hang into a failure here; nothing is timed.
oomreport=$MS_BUILDDIR/tools/oomreport
wrap="timeout 300"
run "$oomreport" 2 "oomreport: /dev/zero:1: a line longer than 1 MiB; is this a text log?" -- /dev/zero
run "$mapswatch" 1 "mapswatch: /dev/zero:1: a line longer than 1 MiB; is this a text log?" -- --gctrace /dev/zero
wrap=

# mapswatch --plot from a series directory with a sparse file in it.
mkdir "$tmp/series"
cp "$good" "$tmp/series/0001.snap"
truncate -s 10G "$tmp/series/0002.snap"
run "$mapswatch" 1 "mapswatch: $tmp/series/0002.snap: larger than 1024 MiB, more than memsift reads of a capture; is this a snapshot?" -- --plot "$tmp/plot.svg" "$tmp/series"
[ ! -e "$tmp/plot.svg" ] || ms_error "mapswatch --plot left a plot after refusing an input"
# ... and with a file of zeros that is not sparse-sized.
head -c 1000000 /dev/zero > "$tmp/series/0002.snap"
run "$mapswatch" 1 "mapswatch: $tmp/series/0002.snap:1: byte 0: binary data (a NUL byte); is this a maps or smaps capture?" -- --plot "$tmp/plot.svg" "$tmp/series"
exit 0
