#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Heaps of other allocators, preloaded into the real leaker: jemalloc,
# tcmalloc and mimalloc.  bytehist names the allocator from the maps, never
# walks its memory as a broken glibc heap (--heap says so in one line and
# goes on by signature), and finds the leaker's records by the callback
# they carry, as many as the leaker's own counters say (within 10%).
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

tried=0
for a in jemalloc:libjemalloc.so.2 tcmalloc:libtcmalloc.so.4 mimalloc:libmimalloc.so.2; do
	name=${a%%:*} so=${a#*:}
	lib=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	if [ -z "$lib" ]; then
		echo "foreign.sh: $name: $so not installed (apt-get install libjemalloc2 libgoogle-perftools4 libmimalloc2.0); not tried" >&2
		continue
	fi
	tried=$((tried + 1))
	export LD_PRELOAD=$lib
	leaker_start
	unset LD_PRELOAD
	pid=$LEAKER_PID
	grep -q "/$so" "/proc/$pid/maps" || ms_error "$name: $so is not mapped in the leaker"
	"$bin/mapsnap" -p "$pid" -w "$tmp/$name.snap" || ms_fail "$name: mapsnap"
	leaker_cmd struct 3000
	leaker_cmd malloc 2000 1000 0x43
	"$bin/regiondump" -p "$pid" --grown "$tmp/$name.snap" -w "$tmp/$name.dump" 2> "$tmp/err" ||
		{ cat "$tmp/err" >&2; ms_fail "$name: regiondump --grown"; }
	leaker_cmd report
	printf '%s\n' "$LEAKER_REPLY" > "$tmp/$name.report"

	"$bin/bytehist" --heap -s summary "$tmp/$name.dump" > "$tmp/$name.txt" 2> "$tmp/err" ||
		{ cat "$tmp/err" >&2; ms_fail "$name: bytehist --heap"; }
	grep -q "$name.dump: --heap: not a glibc heap: $so[.0-9]* is mapped; its objects are found by signature (--objects)$" "$tmp/err" ||
		ms_fail "$name: --heap does not say the heap is not glibc's: $(cat "$tmp/err")"
	grep -q "chain broken" "$tmp/$name.txt" && ms_fail "$name: walked as a broken glibc heap"
	"$bin/bytehist" --objects -J "$tmp/$name.dump" > "$tmp/$name.json" 2> "$tmp/err" ||
		{ cat "$tmp/err" >&2; ms_fail "$name: bytehist --objects"; }
	python3 - "$name" "$tmp/$name.report" "$tmp/$name.json" <<'PY' || ms_fail "$name: objects or clusters wrong"
import json, sys
name, groups, a = sys.argv[1], json.load(open(sys.argv[2]))["groups"], json.load(open(sys.argv[3]))["files"][0]
nrec = sum(g["count"] for g in groups if g["kind"] == "struct")
o = a["objects"]
assert o["allocator"] == name, o
assert all(r["finder"] in ("signature", "none") for r in o["ranges"]), o["ranges"]
recs = [c for c in a["clusters"] if c["name"] == "leaker_record_callback"]
got = sum(c["count"] for c in recs)
print(name, "records:", nrec, "found:", got, [(c["size"], c["count"], c["name_offset"]) for c in recs], file=sys.stderr)
assert abs(got - nrec) <= nrec / 10, (got, nrec)
assert a["verdict"]["clauses"], a["verdict"]
PY
	leaker_stop
done
[ "$tried" -gt 0 ] || ms_skip "none of jemalloc, tcmalloc, mimalloc is installed (apt-get install libjemalloc2 libgoogle-perftools4 libmimalloc2.0)"
exit 0
