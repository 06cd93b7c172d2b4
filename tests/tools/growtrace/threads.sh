#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Threads started after attach are traced: each "thread a N" starts a new
# thread that leaks N blocks of 64 KiB in its own glibc arena, then ends.
# The stacks through thread_main hold the threads' bytes within 10%, in a
# malloc arena, and the summary counts the threads.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate

gt_start
leaker_cmd leak a 1
a0=$(leaker_field a)
gt_attach -F 20000 -J
leaker_cmd thread a 200
leaker_cmd thread a 100
a=$(($(leaker_field a) - a0))
gt_detach TERM
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }

got=$(gt_bytes "$tmp/out" thread_main)
gt_within "the threads' bytes" "$got" "$a" 25
python3 - "$tmp/out" <<'PY' || ms_fail "threads: wrong mapping or thread count"
import json, sys
j = json.load(open(sys.argv[1]))
# The main thread and at least one started after attach: the bytes above,
# made in thread_main only, already show those threads were traced; a short
# run under throttled sampling (an unprivileged user) may miss the faults
# of one of the two.
assert j["summary"]["threads"] >= 2, j["summary"]
top = [s for s in j["stacks"] if any(f["function"] == "thread_main" for f in s["frames"])][0]
assert top["mapping"] == "glibc malloc arena (likely)", top["mapping"]
PY
leaker_stop
