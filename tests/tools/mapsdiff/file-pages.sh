#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Code paged in from a file is not "what grew": a service maps a 32 MiB file
# read-execute, as a library's text, and reads more of it between every two
# snapshots, so its Rss grows by 4 MiB a snapshot (smaps says so).  mapsdiff
# must not list it among what grew, nor judge it growing; regiondump --grown
# must not dump it; leakhunt must find nothing leaking.  The pages a process
# writes into a private file mapping (copied on write) still count, and so
# does its heap.  The snapshot test hook paces leakhunt: no sleep.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service

head -c $((32 << 20)) /dev/urandom > "$tmp/text.so"
head -c $((8 << 20)) /dev/urandom > "$tmp/data.so"
findmnt -no OPTIONS -T "$tmp" 2>/dev/null | grep -qw noexec &&
	ms_skip "$tmp is on a noexec mount: no file can be mapped executable there"
leaker_start
pid=$LEAKER_PID
leaker_cmd code "$tmp/text.so"
code=$(leaker_field addr)
leaker_cmd data "$tmp/data.so"
data=$(leaker_field addr)
rss_of() # ADDR: the Rss of the mapping starting at ADDR, from smaps, in bytes
{
	awk -v a="${1#0x}" '$1 ~ "^" a "-" { m = 1; next } m && /^Rss:/ { print $2 * 1024; exit }' \
		"/proc/$pid/smaps"
}

mkdir "$tmp/s"
leaker_cmd pagein 1024
c0=$(rss_of "$code")
for i in 1 2 3 4 5; do
	"$bin/mapsnap" -p "$pid" -w "$tmp/s/$i.snap" || ms_fail "mapsnap $i"
	[ "$i" -lt 5 ] && leaker_cmd pagein 4096
done
c1=$(rss_of "$code")
[ $((c1 - c0)) -ge $((16 << 20)) ] || ms_error "the code mapping's Rss grew $((c1 - c0)), not 16 MiB, by smaps"
rc=0
"$bin/mapsdiff" -J -o START,RSS-DELTA,VERDICT,NAME "$tmp/s" > "$tmp/j" || rc=$?
[ "$rc" -eq 0 ] || ms_error "mapsdiff: exit status $rc when only code paged in, not 0"
python3 - "$tmp/j" "$code" <<'PY' || ms_fail "mapsdiff lists the code paged in: $(cat "$tmp/j")"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
assert not [r for r in rows if r["start"] == sys.argv[2]], rows
PY
# Shown with -a, its Rss delta is there and its verdict is steady.
"$bin/mapsdiff" -a -J -o START,RSS-DELTA,VERDICT,NAME "$tmp/s" > "$tmp/j" || :
python3 - "$tmp/j" "$code" $((c1 - c0)) <<'PY' || ms_fail "mapsdiff -a: the code row is wrong: $(cat "$tmp/j")"
import json, sys
r = [r for r in json.load(open(sys.argv[1]))["mappings"] if r["start"] == sys.argv[2]][0]
assert r["rss_delta"] == int(sys.argv[3]), r
assert r["verdict"] == "steady", r
PY
rc=0
"$bin/regiondump" -p "$pid" --grown "$tmp/s/1.snap" -w "$tmp/none" 2> "$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || ms_error "regiondump --grown: exit status $rc when only code paged in, not 1; it dumped $(grep -w '"requested":\[[^]]*\]' "$tmp/none.json" 2>/dev/null)"
grep -q "no readable mapping grew since the snapshot" "$tmp/err" || ms_error "regiondump --grown: $(cat "$tmp/err")"

# Written pages of the private data mapping, and the heap, do count.
leaker_cmd cow 2048
leaker_cmd keep 1024
"$bin/regiondump" -p "$pid" --grown "$tmp/s/1.snap" -w "$tmp/grown" 2> "$tmp/err" ||
	ms_fail "regiondump --grown: $(cat "$tmp/err")"
python3 - "$tmp/grown.json" "$code" "$data" <<'PY' || ms_fail "regiondump --grown: wrong ranges: $(cat "$tmp/grown.json")"
import json, sys
starts = [r["start"] for r in json.load(open(sys.argv[1]))["requested"]]
assert sys.argv[2] not in starts, starts
assert sys.argv[3] in starts, starts
PY

# leakhunt while only code pages in: nothing is leaking.
ms_hooked "$tmp/hook" 'leaker_cmd pagein 1024' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 10ms --count 5 -w "$tmp/r" \
	2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || { cat "$tmp/r/report.md" >&2; ms_fail "leakhunt: exit status $rc when only code paged in, not 0"; }
grep -q "text.so" "$tmp/r/report.md" && ms_fail "leakhunt: the code mapping is in the report's growth table"
leaker_stop
exit 0
