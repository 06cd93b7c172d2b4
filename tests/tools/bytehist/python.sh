#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CPython's objects: pymalloc's pools are found in the arenas that grew (not
# walked as glibc's), and each object is named by its ob_type, a built-in
# type by its symbol (PyBytes_Type, PyUnicode_Type, PyDict_Type) and a class
# of the script's own by its type object's name (Session with __slots__,
# Order with a dict of its own), as many as the script says it keeps.  The
# arenas are one "pymalloc arena" row in mapsdiff, grown as much as
# sys._debugmallocstats() says the arenas did.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

py=
for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
	[ -n "$p" ] && [ -x "$p" ] && { py=$p; break; }
done
[ -n "$py" ] || ms_skip "no python3 (apt-get install python3)"
"$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else 1)' ||
	ms_skip "$py is older than 3.8 (pymalloc's pools are 16-byte aligned from 3.8)"
cat > "$tmp/keep.py" <<'PY'
import os, re, sys
class Session:
    __slots__ = ("user", "n")
    def __init__(self, n):
        self.user = None
        self.n = n
class Order:
    def __init__(self, n):
        self.item = None
        self.n = n
def arena_bytes():
    """pymalloc's own account: arenas allocated now, times the arena size."""
    path = "%s/stats.%d" % (os.environ["TMP"], os.getpid())
    fd, saved = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC), os.dup(2)
    os.dup2(fd, 2)
    sys._debugmallocstats()
    os.dup2(saved, 2)
    text = open(path).read()
    n, size = re.search(r"(\d+) arenas \* (\d+) bytes/arena", text).groups()
    return int(n) * int(size)
keep = []
print("ready", flush=True)
for line in sys.stdin:
    n = int(line)
    if n < 0:
        print("ok", arena_bytes(), flush=True)
        continue
    for i in range(n):
        keep.append(Session(i + 1000))
        keep.append(b"x%07d" % i + bytes(100))
        keep.append("s%07d" % i + "u" * 40)
        keep.append({"k": i})
        keep.append(Order(i))
    counts = [sum(type(o) is t for o in keep) for t in (Session, bytes, str, dict, Order)]
    print("ok", *counts, flush=True)
PY
export TMP=$tmp
coproc PY { exec "$py" "$tmp/keep.py"; }
pypid=$PY_PID
ms_at_exit "kill $pypid 2>/dev/null"
read -r line <&"${PY[0]}" && [ "$line" = ready ] || ms_fail "$py did not start"
ms_require_ptrace "$pypid"
"$bin/mapsnap" -p "$pypid" -w "$tmp/1.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
echo 20000 >&"${PY[1]}"
read -r _ nsess0 nbytes0 nstr0 ndict0 norder0 <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/regiondump" -p "$pypid" --grown "$tmp/1.snap" -w "$tmp/old.dump" 2> "$tmp/err" ||
	ms_fail "regiondump --grown: $(cat "$tmp/err")"
echo 10000 >&"${PY[1]}"
read -r _ nsess nbytes nstr ndict norder <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/regiondump" -p "$pypid" --grown "$tmp/1.snap" -w "$tmp/new.dump" 2> "$tmp/err" ||
	ms_fail "regiondump --grown: $(cat "$tmp/err")"
"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/g.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
# The truth: what the script says it keeps, before and after.
python3 - "$tmp/g.json" "$nsess" $((nsess - nsess0)) $((nbytes - nbytes0)) <<'PY' || ms_fail "CPython's objects not found or not named"
import json, sys
a, nsess, dsess, dbytes = json.load(open(sys.argv[1]))["files"][0], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
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
# Every clause is one of the kinds the script keeps, 10,000 more each.
assert cl and all(c["name"] in ("Session", "PyBytes_Type", "PyUnicode_Type", "PyDict_Type", "Order")
                  for c in cl), cl
assert all(c["content"] != "zero" for c in cl), cl
PY
python3 - "$tmp/g.json" "$nstr" $((nstr - nstr0)) "$ndict" $((ndict - ndict0)) "$norder" $((norder - norder0)) <<'PY' ||
import json, sys
a = json.load(open(sys.argv[1]))["files"][0]
for name, n, d in zip(("PyUnicode_Type", "PyDict_Type", "Order"), sys.argv[2::2], sys.argv[3::2]):
    n, d = int(n), int(d)
    cs = [c for c in a["clusters"] if c["name"] == name and c["finder"] == "pymalloc"]
    # The script's strings are of one size; the interpreter's own are of others.
    c = max(cs, key=lambda c: c["delta"]) if cs else None
    print("truth: %d %s (+%d); found %s" % (n, name, d, c and (c["count"], c["delta"])), file=sys.stderr)
    assert c and abs(c["delta"] - d) <= d / 100 and n <= c["count"] <= n * 1.05 + 100, (name, c)
assert " in pymalloc arenas" in a["verdict"]["text"], a["verdict"]["text"]
PY
	ms_fail "str, dict or a class with a dict not named with the script's counts"

# The arenas as pymalloc counts them, against mapsdiff's one row for them all.
echo -1 >&"${PY[1]}"
read -r _ arenas0 <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/mapsnap" -p "$pypid" -w "$tmp/2.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
echo 40000 >&"${PY[1]}"
read -r _ <&"${PY[0]}" || ms_fail "no reply from $py"
echo -1 >&"${PY[1]}"
read -r _ arenas1 <&"${PY[0]}" || ms_fail "no reply from $py"
"$bin/mapsnap" -p "$pypid" -w "$tmp/3.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
"$bin/mapsdiff" -J -b "$tmp/2.snap" "$tmp/3.snap" > "$tmp/d.json" 2> "$tmp/err" ||
	[ $? -eq 1 ] || ms_error "mapsdiff: $(cat "$tmp/err")"
python3 - "$tmp/d.json" $((arenas1 - arenas0)) <<'PY' || ms_fail "pymalloc's arenas are not one row that grows as pymalloc says"
import json, sys
rows, grew = json.load(open(sys.argv[1]))["mappings"], int(sys.argv[2])
py = [r for r in rows if r["label"] == "pymalloc arena (likely)"]
print("truth: arenas +%d; rows %s" % (grew, [(r["count"], r["rss_delta"]) for r in py]), file=sys.stderr)
assert grew > 0 and len(py) == 1, py
assert max(rows, key=lambda r: r["rss_delta"]) is py[0], rows[:3]
assert abs(py[0]["rss_delta"] - grew) <= grew / 5, (py[0], grew)
PY
echo 0 >&"${PY[1]}"
exit 0
