#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt on a leaker that grows between every two snapshots: 1,000 chunks
# of 4 KiB filled with 'T' and 200 "struct" records each round.  The test hook
# (MEMSIFT_TEST_HOOK=snapshot:FIFO) reports each snapshot and waits for the
# leak to be done, so growth never races the interval.  leakhunt must confirm
# growth, exit 1, and write a report naming the [heap], the 'T' chunks and the
# records' code, with every file 0600 in a 0700 directory.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

leaker_start
pid=$LEAKER_PID
leaker_cmd struct 200
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 4096 T; leaker_cmd struct 200' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 -w "$tmp/r" \
	2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1 (leak found)"
grep -q '^leakhunt: growth confirmed after 4 snapshots' "$tmp/err" || ms_error "growth not confirmed after 4 snapshots"
r=$tmp/r/report.md
[ -f "$r" ] || ms_error "no report.md"
cat "$r" >&2
head -n 6 "$r" | grep -q '^\*\*Likely leaking:\*\* ' || ms_fail "the verdict is not first, under the header"
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
# The truth, from the leaker's own counters: every 'T' chunk and record it
# keeps, and what it leaked at the hook between the two dumps ("dump 1").
python3 - "$tmp/report.json" "$tmp/r/analysis.json" "$r" <<'PY' || ms_fail "the verdict does not match the leaker's counters"
import json, re, sys
groups = json.load(open(sys.argv[1]))["groups"]
a = json.load(open(sys.argv[2]))
verdict = [l for l in open(sys.argv[3]) if l.startswith("**Likely leaking:** ")][0]
t = sum(g["count"] for g in groups if g["kind"] == "malloc")
recs = [g for g in groups if g["kind"] == "struct"]
nrec = sum(g["count"] for g in recs)
chunk = (recs[0]["record_size"] + 8 + 15) // 16 * 16
print("truth:", t, "T chunks,", nrec, "records of chunk", chunk, file=sys.stderr)
def fmt(n): return f"{n:,}"
want = rf"^\*\*Likely leaking:\*\* {fmt(t)} × 4112-byte objects filled with 'T', \+1,000 in one interval; {fmt(nrec)} × {chunk}-byte objects → leaker_record_callback at [^ ]*tests/leaker/leaker\.c:[0-9]+ \(word at offset 8 in each\), \+200 in one interval \(5\.0 : 1\)"
assert re.search(want, verdict), (want, verdict)
v = a["verdict"]
assert v["status"] == "leaking", v
c0, c1 = v["clauses"][:2]
assert (c0["count"], c0["delta"], c0["size"], c0["content"]) == (t, 1000, 4112, "fill"), c0
assert (c1["count"], c1["delta"], c1["size"], c1["name"]) == (nrec, 200, chunk, "leaker_record_callback"), c1
assert abs(c1["ratio"] - 5.0) < 0.01, c1
assert a["objects"]["allocator"] == "glibc", a["objects"]
assert any(r["finder"] == "glibc-main" for r in a["objects"]["ranges"]), a["objects"]["ranges"]
PY
grep -Eq 'grows with no steady state +heap \(brk\) +\[heap\]$' "$r" || ms_error "the table does not show the [heap] growing"
for f in snapshots/0001.snap snapshots/0004.snap base.dump base.dump.json grown.dump grown.dump.json analysis.json report.md growth.svg; do
	[ -f "$tmp/r/$f" ] || ms_error "no $f in the report directory"
done
[ ! -e "$tmp/r/snapshots/0005.snap" ] || ms_error "snapshots went on after growth was confirmed"
[ "$(stat -c %a "$tmp/r")" = 700 ] || ms_error "the report directory is not 0700"
[ "$(stat -c %a "$tmp/r/snapshots")" = 700 ] || ms_error "snapshots/ is not 0700"
bad=$(find "$tmp/r" -type f ! -perm 0600)
[ -z "$bad" ] || ms_error "files not 0600: $bad"
# The raw artefacts are what the other tools read.
python3 - "$tmp/r/analysis.json" <<'PY' || ms_fail "analysis.json lacks the symbols or the heap walk"
import json, sys
a = json.load(open(sys.argv[1]))
assert any(s["symbol"] == "leaker_record_callback" for s in a["symbols"]), a["symbols"][:5]
assert a["heap"]["form"] == "main heap", a["heap"]
assert a["memsift_json"] == 1, sorted(a)
PY
"$bin/mapsdiff" "$tmp/r/snapshots" > /dev/null && ms_fail "mapsdiff finds no growth in the snapshots"
# The growth plot: an SVG beside report.md, shown by it, whose total is the
# snapshots' total RSS.
grep -qx '!\[RSS over time: .*\](growth.svg)' "$r" || ms_error "report.md does not show growth.svg"
python3 - "$tmp/r/growth.svg" "$tmp/r/snapshots" <<'PY' || ms_fail "growth.svg is not the snapshots' plot"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
assert "total" in text and "[heap]" in text, text[:500]
PY

# Again with --max-dump 1M: the dump stops at 1 MiB of the heap, and says so.
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 4096 T' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 --max-dump 1M \
	-o "$tmp/cap" 2> "$tmp/err"
rc=$MS_RC
[ "$rc" -eq 1 ] || ms_error "--max-dump: exit status $rc, not 1"
[ "$(stat -c %s "$tmp/cap/grown.dump")" -eq 1048576 ] || ms_error "--max-dump 1M: the dump is not 1 MiB"
grep -q "^leakhunt: dumping 1M of the [0-9.]*M of mappings that grew (--max-dump)$" "$tmp/err" ||
	{ cat "$tmp/err" >&2; ms_fail "--max-dump: the cap is not said"; }
grep -q '\*\*capped\*\* by --max-dump' "$tmp/cap/report.md" || ms_error "--max-dump: the report does not say the dump was capped"
leaker_stop
exit 0
