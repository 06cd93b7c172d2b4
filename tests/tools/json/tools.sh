#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every tool's JSON on a real process whose strings are hostile: the leaker
# runs as a comm holding a quote, a backslash, a tab, a control byte and a
# byte that is no UTF-8, and maps a file whose name holds them too.  Each
# document must parse with Python's json module (strict UTF-8, no raw
# control byte), start with its version member, and hold those strings
# exactly as /proc gives their bytes (check.py says how bytes map to JSON).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
check=$MS_SRCDIR/tests/tools/json/check.py
command -v python3 > /dev/null || ms_skip "no python3 (apt-get install python3)"

# json DOC FIRST [RAW...]: DOC passes check.py, or the failure is reported.
json()
{
	python3 "$check" "$@" >&2 || ms_error "$1: see above"
}

# run NAME CMD...: CMD's stdout in $tmp/NAME.json; exit 0 or 1 (found something).
run()
{
	local name=$1 rc=0
	shift
	"$@" > "$tmp/$name.json" 2> "$tmp/$name.err" || rc=$?
	[ "$rc" -le 1 ] || ms_error "$name: $* exited $rc: $(cat "$tmp/$name.err")"
	return "$rc"
}

# The comm is the name the program is run by, cut to 15 bytes by the kernel.
comm=$(printf 'c"\\\t\001\377x')
name=$(printf 'n"a\\m\te\001\377\303(\303\251 q')
ln -s "$(cd "$(dirname "$MS_LEAKER")" && pwd)/$(basename "$MS_LEAKER")" "$tmp/$comm"
printf 'a page of a file with a hostile name\n' > "$tmp/$name"
MS_LEAKER=$tmp/$comm leaker_start
pid=$LEAKER_PID
ms_require_ptrace "$pid"
leaker_cmd "mapfile $tmp/$name"
maddr=$(leaker_field addr)
mstart=${maddr#0x}

# The truths, from /proc: the comm's bytes, and the mapping's name as the
# maps file has it (the kernel escapes only a newline there).
python3 - "$pid" "$mstart" "$tmp" <<'PY' || ms_fail "cannot read pid $pid's comm and maps"
import sys
pid, start, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
open(tmp + "/truth-comm", "wb").write(open(f"/proc/{pid}/comm", "rb").read().rstrip(b"\n"))
for line in open(f"/proc/{pid}/maps", "rb"):
    if line.startswith(start.encode() + b"-"):
        open(tmp + "/truth-name", "wb").write(line.rstrip(b"\n").split(None, 5)[5])
        break
else:
    sys.exit(1)
PY
cmp -s "$tmp/truth-comm" <(printf '%s' "$comm") || ms_fail "the kernel did not take the comm as run: $(od -c "$tmp/truth-comm")"
printf '%s' "$tmp/$name" | cmp -s - "$tmp/truth-name" || ms_fail "maps names the file otherwise: $(od -c "$tmp/truth-name")"

# regiondump's manifest: the comm, the file in "mappings" and "maps", and
# the output's own name.
dump=$tmp/$name.dump
printf '%s' "$dump" > "$tmp/truth-dump"
"$bin/regiondump" -p "$pid" --mapping "$maddr" -w "$dump" 2> "$tmp/regiondump.err" > /dev/null ||
	ms_fail "regiondump: $(cat "$tmp/regiondump.err")"
json "$dump.json" memsift_manifest "$tmp/truth-comm" "$tmp/truth-name" "$tmp/truth-dump"

# bytehist on it: the file's name, with and without the analysis.
run bytehist "$bin/bytehist" -J "$dump" && json "$tmp/bytehist.json" memsift_json "$tmp/truth-dump"
run bytehist-objects "$bin/bytehist" -J --objects --symbols "$dump" &&
	json "$tmp/bytehist-objects.json" memsift_json "$tmp/truth-dump"

# mapsdiff between two snapshots, every mapping shown.
"$bin/mapsnap" -p "$pid" -w "$tmp/s1" || ms_fail "mapsnap failed"
leaker_cmd "malloc 64 4096 0xa5"
"$bin/mapsnap" -p "$pid" -w "$tmp/s2" || ms_fail "mapsnap failed"
run mapsdiff "$bin/mapsdiff" -J -a "$tmp/s1" "$tmp/s2"
json "$tmp/mapsdiff.json" memsift_json "$tmp/truth-name"

# mapswatch, two samples of the process: the file, and the comm (which the
# snapshot's header keeps as \xNN text, undone for JSON).
run mapswatch "$bin/mapswatch" -J -p "$pid" --count 2 -i 10ms
json "$tmp/mapswatch.json" memsift_json "$tmp/truth-name" "$tmp/truth-comm"

# memrefs on the frozen process.
run memrefs "$bin/memrefs" -J -p "$pid"
json "$tmp/memrefs.json" memsift_json

# growtrace, where this kernel lets us sample page faults (checked on its own).
if [ "$(id -u)" -eq 0 ] || [ "$(cat /proc/sys/kernel/perf_event_paranoid 2> /dev/null || echo 3)" -le 2 ]; then
	run growtrace "$bin/growtrace" -J -p "$pid" -d 100ms
	json "$tmp/growtrace.json" memsift_json
else
	echo "growtrace: not checked, perf events refused here" >&2
fi

# leakhunt, the leaker growing at each snapshot (the hook waits for it): its
# analysis.json, and the manifests of the dumps it took.
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 4096 T' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 -w "$tmp/hunt" 2> "$tmp/leakhunt.err"
[ "$MS_RC" -le 1 ] || ms_error "leakhunt exited $MS_RC: $(cat "$tmp/leakhunt.err")"
json "$tmp/hunt/analysis.json" memsift_json
json "$tmp/hunt/grown.dump.json" memsift_manifest "$tmp/truth-comm" "$tmp/truth-name"
leaker_stop

# The tools that read files rather than a process: their fixtures.
for f in "$MS_SRCDIR"/tests/fixtures/oom/*.dmesg "$MS_SRCDIR"/tests/fixtures/oom/*.dmesg-T \
	 "$MS_SRCDIR"/tests/fixtures/oom/*.kmsg; do
	[ -e "$f" ] || continue
	run oom "$bin/oomreport" -J "$f"
	json "$tmp/oom.json" memsift_json
	run oom-tasks "$bin/oomreport" -J --tasks "$f"
	json "$tmp/oom-tasks.json" memsift_json
done
run gctrace "$bin/mapswatch" -J --gctrace "$MS_SRCDIR/tests/fixtures/gctrace/leak.gctrace"
json "$tmp/gctrace.json" memsift_json
exit 0
