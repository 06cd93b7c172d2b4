#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CPython's objects: pymalloc's pools are found in the arenas that grew (not
# walked as glibc's), and each object is named by its ob_type, a built-in
# type by its symbol (PyBytes_Type) and a class of the script's own by its
# type object's name (Session), as many as the script says it keeps.
. "${MS_SRCDIR:-.}/tests/lib.sh"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
bin=$MS_BUILDDIR/tools

py=
for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
	[ -n "$p" ] && [ -x "$p" ] && { py=$p; break; }
done
[ -n "$py" ] || ms_skip "no python3 (apt-get install python3)"
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' ||
	ms_skip "$py is older than 3.8 (pymalloc's pools are 16-byte aligned from 3.8)"
cat > "$tmp/keep.py" <<'PY'
import sys
class Session:
    __slots__ = ("user", "n")
    def __init__(self, n):
        self.user = None
        self.n = n
keep = []
print("ready", flush=True)
for line in sys.stdin:
    n = int(line)
    for i in range(n):
        keep.append(Session(i + 1000))
        keep.append(b"x%07d" % i + bytes(100))
    print("ok", sum(type(o) is Session for o in keep), sum(type(o) is bytes for o in keep), flush=True)
PY
coproc PY { exec "$py" "$tmp/keep.py"; }
pypid=$PY_PID
ms_at_exit "kill $pypid 2>/dev/null"
read -r line <&"${PY[0]}" && [ "$line" = ready ] || ms_fail "$py did not start"
"$bin/mapsnap" -p "$pypid" -o "$tmp/1.snap" 2> "$tmp/err" ||
	{ grep -q 'ptrace' "$tmp/err" && ms_skip "cannot read pid $pypid: $(cat "$tmp/err")"; ms_fail "mapsnap: $(cat "$tmp/err")"; }
echo 20000 >&"${PY[1]}"
read -r _ nsess0 nbytes0 <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/regiondump" -p "$pypid" --grown "$tmp/1.snap" -o "$tmp/old.dump" 2> "$tmp/err" ||
	ms_fail "regiondump --grown: $(cat "$tmp/err")"
echo 10000 >&"${PY[1]}"
read -r _ nsess nbytes <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/regiondump" -p "$pypid" --grown "$tmp/1.snap" -o "$tmp/new.dump" 2> "$tmp/err" ||
	ms_fail "regiondump --grown: $(cat "$tmp/err")"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/g.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
# The truth: what the script says it keeps, before and after.
python3 - "$tmp/g.json" "$nsess" $((nsess - nsess0)) $((nbytes - nbytes0)) <<'PY' || ms_fail "CPython's objects not found or not named"
import json, sys
a, nsess, dsess, dbytes = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
finders = [r["finder"] for r in a["objects"]["ranges"]]
assert "pymalloc" in finders, a["objects"]["ranges"]
def total(name, key):
    return sum(c[key] for c in a["clusters"] if c["name"] == name)
s, ds, db = total("Session", "count"), total("Session", "delta"), total("PyBytes_Type", "delta")
print("truth: %d Session (+%d), +%d bytes objects; found %d (+%d), +%d" % (nsess, dsess, dbytes, s, ds, db), file=sys.stderr)
assert abs(s - nsess) <= nsess / 100, (s, nsess)
assert abs(ds - dsess) <= dsess / 100, (ds, dsess)
assert abs(db - dbytes) <= dbytes / 100, (db, dbytes)
sess = [c for c in a["clusters"] if c["name"] == "Session"][0]
assert sess["name_kind"] == "runtime-type" and sess["finder"] == "pymalloc", sess
cl = a["verdict"]["clauses"]
assert {cl[0]["name"], cl[1]["name"]} == {"Session", "PyBytes_Type"}, cl
assert all(c["content"] != "zero" for c in cl), cl
PY
echo 0 >&"${PY[1]}"
exit 0
