#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where a dump's strings come from: 300 heap copies of the leaker's named
# literal leaker_config_line are found again in the leaker's .rodata, at the
# literal's address, with its symbol; the records' "record N of M" strings,
# made by snprintf, are in no module and get no origin.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd struct 20
leaker_cmd strdup 300
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
"$bin/regiondump" -p "$pid" --mapping "$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$pid/maps")" \
	-w "$tmp/heap.dump" 2> "$tmp/rd.err" || { ms_require_ptrace "$pid"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }

"$bin/bytehist" --symbols -J "$tmp/heap.dump" > "$tmp/o.json" || ms_fail "bytehist --symbols -J"
python3 - "$tmp/o.json" "$tmp/report.json" <<'PY' || ms_fail "JSON: wrong string origins"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
g = [x for x in json.load(open(sys.argv[2]))["groups"] if x["kind"] == "strdup"][0]
text = g["text"]
st = [s for s in j["strings"] if s["text"] == text]
assert st and st[0]["count"] == 300, j["strings"][:3]
o = [x for x in j["string_origins"] if x["text"] == text]
assert len(o) == 1, j["string_origins"]
o = o[0]
assert o["module"].endswith("/leaker") and o["section"] == ".rodata", o
assert int(o["addr"], 16) == int(g["literal"], 16), (o, g["literal"])
assert o["symbol"] == "leaker_config_line" and o["whole"] is True, o
made = [x for x in j["string_origins"] if x["text"].startswith("record ")]
assert not made, made
PY

# The table: the origin beside the string; none beside a record's string.
"$bin/bytehist" --symbols -s strings "$tmp/heap.dump" > "$tmp/t.out" || ms_fail "bytehist --symbols table"
grep -Eq '^ +300 .* memsift-leaker-config: retain=all +leaker \.rodata 0x[0-9a-f]+ leaker_config_line$' "$tmp/t.out" ||
	{ cat "$tmp/t.out" >&2; ms_fail "table: no origin beside the literal's copies"; }
grep -E ' record [0-9]+ of 20 +leaker' "$tmp/t.out" && ms_fail "table: an origin for a string snprintf made"
# Live maps (-p) find the same place.
"$bin/bytehist" --symbols -p "$pid" -J "$tmp/heap.dump" > "$tmp/p.json" || ms_fail "bytehist --symbols -p"
python3 -c 'import json,sys; a,b=(json.load(open(f))["files"][0]["string_origins"] for f in sys.argv[1:]); assert a == b, (a, b)' \
	"$tmp/o.json" "$tmp/p.json" || ms_fail "-p: other origins than the manifest's maps"
# Without --symbols there is no module list and no ORIGIN column.
"$bin/bytehist" -s strings "$tmp/heap.dump" | grep -q ORIGIN && ms_fail "ORIGIN column without --symbols"
leaker_stop
exit 0
