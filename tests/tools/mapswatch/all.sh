#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch --all: every process, by its smaps_rollup.  The leaker maps and
# fills 16 MiB between every two samples (the hook syncs them), so it must
# rank first, growing with no steady state.  A process that exits mid-watch
# is dropped and one that starts is picked up, without an error.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
mkfifo "$tmp/hook" "$tmp/gone" "$tmp/born"
# Two idle processes held by FIFOs: one to exit after sample 2, one to start after it.
cat "$tmp/gone" > /dev/null &
gone=$!
exec {gone_fd}> "$tmp/gone"
ms_at_exit "kill $gone 2>/dev/null"
(
	n=0
	while read -r line < "$tmp/hook"; do
		n=$((n + 1))
		leaker_cmd mmap 16M 0x54
		if [ "$n" -eq 2 ]; then
			exec {gone_fd}>&-
			cat "$tmp/born" > /dev/null &
			echo "$!" > "$tmp/born.pid"
			# Not this shell's child: wait until it is a zombie (or reaped), which
			# has no memory left for the next sample to read.
			while [ -e "/proc/$gone" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$gone/stat" 2>/dev/null; do :; done
		fi
		echo go > "$tmp/hook"
	done
) &
driver=$!
exec {gone_fd}>&-
ms_at_exit "kill $driver 2>/dev/null"
rc=0
MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/mapswatch" --all -i 10ms --count 5 -J > "$tmp/out.json" \
	2> "$tmp/err" || rc=$?
kill "$driver" 2>/dev/null
wait "$driver" 2>/dev/null
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc, not 0"
born=$(cat "$tmp/born.pid")
ms_at_exit "kill $born 2>/dev/null"
python3 - "$tmp/out.json" "$pid" "$gone" "$born" <<'PY' || ms_fail "--all does not rank the leaker first, or mishandles processes that come and go"
import json, sys
rows = json.load(open(sys.argv[1]))["processes"]
pid, gone, born = (int(a) for a in sys.argv[2:5])
# Ranked by rate: the leaker, and above it only what grows faster still
# (another test's process, on a machine that runs them side by side).
i = [k for k, r in enumerate(rows) if r["pid"] == pid][0]
top = rows[i]
assert top["comm"] == "leaker", top
# (A process seen once has no rate yet: null, ranked last.)
assert all(r["rate"] is not None and r["rate"] >= top["rate"] for r in rows[:i]), rows[:i + 1]
assert all(r["rate"] is None or r["rate"] <= top["rate"] for r in rows[i + 1:]), rows[i:i + 3]
assert top["verdict"] == "grows with no steady state", top
assert top["growth"] >= 4 * 16 << 20, top
assert not [r for r in rows if r["pid"] == gone], "the process that exited is still listed"
b = [r for r in rows if r["pid"] == born]
assert len(b) == 1 and b[0]["comm"] == "cat", "the process that started is not listed"
PY
kill "$born" 2>/dev/null

# The header, in batch form: how many processes, and the total.
"$bin/mapswatch" --all -i 10ms --count 2 > "$tmp/out" || ms_fail "--all --count 2 failed"
head -n 1 "$tmp/out" | grep -Eq '^[0-9]+ processes \([0-9]+ not readable\): 2 samples over ' ||
	ms_fail "--all: no header: $(head -n 1 "$tmp/out")"
grep -Eq "^ *$pid +leaker " "$tmp/out" || ms_error "--all: the leaker is not listed"
leaker_stop
exit 0
