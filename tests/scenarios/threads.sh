#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A threaded service on glibc: svc runs 8 workers, each with its own arena,
# and between every two snapshots worker 3 leaks 2,000 config records
# (on_reload) while worker 6 leaks 1,000 task records (on_task).  The verdict
# must give each family its own callback and count, and the objects must come
# from walking glibc's arenas, the two that grew among them, not from no heap.
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_init
svc_build glibc
conf_lines=$(scen_func_lines "$scen_dir/svc.c" on_reload)
task_lines=$(scen_func_lines "$scen_dir/svc.c" on_task)
svc_start
leaker_cmd threads 8
[ "$(leaker_field threads)" = 8 ] || ms_error "svc started $(leaker_field threads) workers, not 8"

# Each hook's last record per worker, so the arenas can be checked to hold them.
drive_threads()
{
	leaker_cmd on 3 conf 2000
	leaker_field addr > "$tmp/addr3"
	leaker_cmd on 6 task 1000
	leaker_field addr > "$tmp/addr6"
}
scen_hunt svc_report drive_threads -i 20ms --count 12
addr3=$(cat "$tmp/addr3") addr6=$(cat "$tmp/addr6")

# The truth of "own arena", from /proc: a thread arena is a 64 MiB-aligned
# heap outside [heap], and the two workers' are different ones.
python3 - "/proc/$SCEN_PID/maps" "$addr3" "$addr6" <<'PY' || ms_fail "the workers' records are not in two thread arenas"
import sys
maps, a3, a6 = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3], 16)
for line in open(maps):
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    if f[-1] == "[heap]":
        assert not (lo <= a3 < hi or lo <= a6 < hi), "a worker allocated from the main heap"
assert a3 >> 26 != a6 >> 26, "workers 3 and 6 share an arena"
print("arenas: worker 3 at %#x, worker 6 at %#x" % (a3 >> 26 << 26, a6 >> 26 << 26))
PY
chunks="$(( (64 + 8 + 15) / 16 * 16 ))|$(( (1024 + 8 + 15) / 16 * 16 ))"
scen_check --allocator glibc --heap-walked --min-share 0.5 \
	--finder "glibc-arena@$addr3" --finder "glibc-arena@$addr6" \
	--clause "label=conf;name=on_reload;offset=8;truth=conf;total=conf;line=svc.c:$conf_lines;size=$chunks" \
	--clause "label=task;name=on_task;offset=8;truth=task;total=task;line=svc.c:$task_lines;size=$chunks" \
	--ratio conf/task \
	--cluster "label=C payloads;bytes=C;truth=conf;total=conf;referrer=CONFREC@16;size=1040" \
	--cluster "label=T payloads;bytes=T;truth=task;total=task;referrer=TASKREC@16;size=1040" ||
	ms_fail "the verdict does not match what svc's workers leaked (see above)"
leaker_stop
exit 0
