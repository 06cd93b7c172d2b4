#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C++ program's nodes reference each other in rings: one a global points
# at, two nothing else does.  Every node of the unreferenced rings is
# called unreferenced (a cycle keeps nothing alive), none of the kept ring.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "${MS_SRCDIR:-.}/tests/tools/memrefs/common.sh"
memrefs_need g++ python3
memrefs_need_ptrace
g++ -O1 -g -o "$tmp/cycle" "$MS_SRCDIR/tests/tools/memrefs/cycle.cc" || ms_fail "cannot build cycle.cc"

MS_LEAKER=$tmp/cycle leaker_start
leaker_cmd keep 300
leaker_cmd drop 200
leaker_cmd drop 7
leaker_cmd dump "$tmp/truth"
memrefs_idle "$LEAKER_PID"
memrefs_run 1 "$tmp/out.json" -p "$LEAKER_PID" -J --no-chains
memrefs_check "$tmp/out.json" "$tmp/truth" Node 300 207
leaker_stop
exit 0
