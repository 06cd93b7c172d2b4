#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt on a leaker whose break cannot grow (a page mapped just past it),
# so glibc's main arena takes its memory from mmap(): the 'T' chunks (malloc
# 1000, 1008 bytes) and the records it leaks each round lie in anonymous
# mappings, not [heap].  The verdict names both, counted as the leaker's own
# counters say, with the growth between the two dumps, and analysis.json
# says the ranges were walked as the main arena's.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd brkwall
leaker_cmd struct 200
ms_hooked "$tmp/hook" 'leaker_cmd malloc 1000 1000 T; leaker_cmd struct 200' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 -w "$tmp/r" 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1 (leak found)"
r=$tmp/r/report.md
[ -f "$r" ] || ms_fail "no report.md"
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
python3 - "$tmp/report.json" "$tmp/r/analysis.json" "$r" <<'PY' || ms_fail "the verdict does not match the leaker's counters"
import json, re, sys
groups = json.load(open(sys.argv[1]))["groups"]
a = json.load(open(sys.argv[2]))
verdict = [l for l in open(sys.argv[3]) if l.startswith("**Likely leaking:** ")][0]
print(verdict, file=sys.stderr)
t = sum(g["count"] for g in groups if g["kind"] == "malloc")
recs = [g for g in groups if g["kind"] == "struct"]
nrec = sum(g["count"] for g in recs)
chunk = (recs[0]["record_size"] + 8 + 15) // 16 * 16
def fmt(n): return f"{n:,}"
want = rf"^\*\*Likely leaking:\*\* {fmt(t)} × 1008-byte objects filled with 'T', \+1,000 in one interval; {fmt(nrec)} × {chunk}-byte objects → leaker_record_callback at [^ ]*tests/leaker/leaker\.c:[0-9]+ \(word at offset 8 in each\), \+200 in one interval \(5\.0 : 1\)"
assert re.search(want, verdict), (want, verdict)
seg = [r for r in a["objects"]["ranges"] if r["note"] and "from mmap()" in r["note"]]
assert seg and all(r["finder"] == "glibc-main" for r in seg), a["objects"]["ranges"]
PY
leaker_stop
exit 0
