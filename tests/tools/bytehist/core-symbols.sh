#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --symbols on ELF cores: the modules come from the core's NT_FILE note, so
# regiondump --format core and gdb's gcore both name the leaker's 300 records'
# callback (with its file:line) and tag literal, and find its literal's 100
# heap copies in its .rodata.  --heap on a core is refused with a reason.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd struct 300
leaker_cmd strdup 100
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
"$bin/regiondump" -p "$pid" --anon --format core -w "$tmp/rd.core" 2> "$tmp/rd.err" ||
	{ ms_require_ptrace "$pid"; ms_fail "regiondump: $(cat "$tmp/rd.err")"; }
cores=rd
if command -v gdb > /dev/null; then
	gdb -batch -nx -p "$pid" -ex "gcore $tmp/gdb.core" > /dev/null 2>&1 || ms_fail "gdb gcore failed"
	cores="rd gdb"
fi
leaker_stop

for c in $cores; do
	"$bin/bytehist" --symbols -J "$tmp/$c.core" > "$tmp/$c.json" || ms_fail "bytehist --symbols $c.core"
	python3 - "$tmp/$c.json" "$tmp/report.json" <<'PY' || ms_fail "$c.core: wrong symbols"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
gs = json.load(open(sys.argv[2]))["groups"]
g = [x for x in gs if x["kind"] == "struct"][0]
d = [x for x in gs if x["kind"] == "strdup"][0]
by = {int(x["addr"], 16): x for x in j["symbols"]}
fn, lit = by.get(int(g["callback"], 16)), by.get(int(g["tag"], 16))
assert fn and fn["symbol"] == "leaker_record_callback" and fn["count"] == 300, fn
assert fn["file"].endswith("tests/leaker/leaker.c") and fn["module"].endswith("/leaker"), fn
assert lit and lit["symbol"] == "memsift-leaker-record" and lit["count"] == 300, lit
o = [x for x in j["string_origins"] if x["text"] == d["text"]]
assert o and o[0]["symbol"] == "leaker_config_line", j["string_origins"]
assert int(o[0]["addr"], 16) == int(d["literal"], 16), (o, d)
PY
done
"$bin/bytehist" --heap "$tmp/rd.core" > /dev/null 2> "$tmp/err" && ms_fail "--heap on a core succeeded"
grep -q 'rd.core: --heap reads a raw dump of one heap mapping, not a core file' "$tmp/err" ||
	ms_fail "--heap on a core: unclear message: $(cat "$tmp/err")"
exit 0
