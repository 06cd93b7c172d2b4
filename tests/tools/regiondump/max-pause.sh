#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump --freeze --max-pause: past the limit the process is let go and
# the rest of the dump is read from it running.  The progress hook holds
# regiondump after each piece: after the first, every thread is in tracing
# stop (by /proc), and the time held passes the 1 ms limit; after a later
# one, no thread is stopped or traced.  The manifest says where the freeze
# ended; the bytes are the leaker's all the same.  A dump that ends in time
# is not cut.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
regiondump=$MS_BUILDDIR/tools/regiondump
tracer() { awk '/^TracerPid:/ { print $2 }' /proc/"$pid"/task/"$1"/status; }

leaker_start
pid=$LEAKER_PID
leaker_cmd thread 10 4096 0x33
leaker_cmd mmap 16M 0x5e
addr=$(leaker_field addr)

mkfifo "$tmp/hook"
# Held after the first piece: every thread is stopped, and the time held
# passes the limit.
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" --freeze --max-pause 1ms \
	-p "$pid" "$addr" 16M -o "$tmp/d" 2> "$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = progress ] || ms_error "hook said \"$ev\""
for t in $(ls /proc/"$pid"/task); do
	grep -q '^State:.*t (tracing stop)' /proc/"$pid"/task/"$t"/status ||
		ms_fail "thread $t is not stopped during the first piece"
done
echo go > "$tmp/hook"
rc=0
wait "$rd" || rc=$?
[ "$rc" = 0 ] || ms_error "exit $rc: $(cat "$tmp/err")"
grep -q "^regiondump: pid $pid: let go after [0-9.]* ms stopped (--max-pause); from 0x[0-9a-f]* on, read from the running process$" "$tmp/err" ||
	ms_fail "the cut is not said: $(cat "$tmp/err")"
python3 - "$tmp/d.json" "$addr" <<'PY' || ms_fail "the manifest does not say where the freeze ended: $(head -c 600 "$tmp/d.json")"
import json, sys
m, a = json.load(open(sys.argv[1])), int(sys.argv[2], 16)
cut = int(m["stopped_until"], 16)
assert a < cut < a + (16 << 20), (hex(cut), hex(a))
assert 0 < m["stopped_bytes"] < 16 << 20 and m["stopped_bytes"] == cut - a, m["stopped_bytes"]
assert m["target_stopped"] is True and m["complete"] is True, m
PY
[ "$(tr -d '\136' < "$tmp/d" | wc -c)" = 0 ] || ms_error "the dump is not the leaker's 0x5e bytes"

# Held where the freeze is let go: no thread is stopped or traced any more,
# and the rest is read from the running process.  128 MiB take longer to
# copy than the 1 ms limit on any memory (over 100 GB/s otherwise).
leaker_cmd mmap 128M 0x5e
big=$(leaker_field addr)
MEMSIFT_TEST_HOOK=unfrozen:$tmp/hook "$MS_HOOKED/regiondump" --freeze --max-pause 1ms \
	-p "$pid" "$big" 128M -o "$tmp/u" 2> "$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = unfrozen ] || ms_error "hook said \"$ev\""
for t in $(ls /proc/"$pid"/task); do
	[ "$(tracer "$t")" = 0 ] || ms_error "thread $t still traced after the limit"
	grep -q '^State:.*t (tracing stop)' /proc/"$pid"/task/"$t"/status &&
		ms_fail "thread $t still stopped after the limit"
done
# The leaker answers while the dump goes on.
leaker_cmd report
echo go > "$tmp/hook"
rc=0
wait "$rd" || rc=$?
[ "$rc" = 0 ] || ms_error "exit $rc: $(cat "$tmp/err")"
[ "$(tr -d '\136' < "$tmp/u" | wc -c)" = 0 ] || ms_error "the dump read partly live is not the leaker's 0x5e bytes"

# In time: no cut.
"$regiondump" --freeze -p "$pid" "$addr" 1M -w "$tmp/f" 2> "$tmp/err" || ms_fail "--freeze: $(cat "$tmp/err")"
grep -q '"stopped_until": null' "$tmp/f.json" || ms_error "a dump in time was cut"
leaker_stop
exit 0
