#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap's bad usage: one line naming what is wrong, exit 1, nothing written.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsnap=$MS_BUILDDIR/tools/mapsnap
ms_tmpdir

# expect STATUS STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect "$want" "$msg" "$mapsnap" "$@"; }

expect 1 "mapsnap: no process given; use -p PID" --
expect 1 "mapsnap: bad pid \"abc\": not a decimal number; use a decimal pid from 1 to 4194304" -- -p abc
expect 1 "mapsnap: pid \"4194305\" out of range; pids are 1 to 4194304" -- -p 4194305
expect 1 "mapsnap: unrecognized option '--bogus'" -- --bogus
[ "$(sed -n 2p "$tmp/err")" = "Try 'mapsnap --help' for more information." ] || ms_error "no try-help line"
expect 1 "mapsnap: unexpected argument \"extra\"" -- -p $$ extra
expect 1 "mapsnap: $tmp/nodir/x.snap: cannot create a file beside it: No such file or directory" -- -p $$ -w "$tmp/nodir/x.snap"
mkdir "$tmp/d"
expect 1 "mapsnap: $tmp/d: is a directory" -- -p $$ -w "$tmp/d"
[ -z "$(ls -A "$tmp/d")" ] || ms_error "files left in $tmp/d"

# The process exits: nothing under the output name.
leaker_start
pid=$LEAKER_PID
leaker_stop
expect 1 "mapsnap: pid $pid: no such process" -- -p "$pid" -w "$tmp/gone.snap"
[ ! -e "$tmp/gone.snap" ] || ms_error "a snapshot of a gone process was left"
[ -z "$(find "$tmp" -maxdepth 1 -name '.*' -type f)" ] || ms_error "temporary file left"

"$mapsnap" --help | grep -q '^Usage:' || ms_fail "--help has no usage"
"$mapsnap" --version | grep -q '^mapsnap from memsift ' || ms_fail "--version wrong"
exit 0
