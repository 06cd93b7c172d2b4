#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many new mappings alike are one row: a service maps 150 buffers of 256 KiB,
# each below a guard page, between every two snapshots.  mapsdiff must show
# them as one row "300 x 256K anonymous mappings" (and one for the guard
# pages), with the sum of their growth as smaps gives it and COUNT in JSON;
# leakhunt's table likewise, judged growing as a group.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
MS_LEAKER=$MS_BUILDDIR/tests/scenarios/trend-service
export LC_ALL=C

leaker_start
pid=$LEAKER_PID
mkdir "$tmp/s"
# Copies of smaps, which record no time: rates per snapshot, so three
# snapshots judge the trend whatever the machine's load.
cat "/proc/$pid/smaps" > "$tmp/s/1.smaps"
leaker_cmd buffers 150 256
cat "/proc/$pid/smaps" > "$tmp/s/2.smaps"
leaker_cmd buffers 150 256
cat "/proc/$pid/smaps" > "$tmp/s/3.smaps"
# The truth from smaps: the rw-p mappings of 256 KiB right above a ---p
# page, and their Rss (the first may have merged with a neighbour).
read -r want rss < <(python3 - "/proc/$pid/smaps" <<'PY'
import re, sys
n = rss = 0
guard_end = None
cur = None
for line in open(sys.argv[1]):
    m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
    if m:
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        cur = m.group(3) == "rw-p" and not m.group(4) and hi - lo == 262144 and lo == guard_end
        n += cur
        guard_end = hi if m.group(3) == "---p" and hi - lo == 4096 else None
    elif cur and line.startswith("Rss:"):
        rss += int(line.split()[1]) * 1024
print(n, rss)
PY
)
[ "$want" -ge 299 ] || ms_error "smaps shows $want buffers, not 300"
rc=0
"$bin/mapsdiff" -J "$tmp/s" > "$tmp/j" || rc=$?
[ "$rc" -eq 1 ] || ms_error "mapsdiff: exit status $rc, not 1"
python3 - "$tmp/j" "$want" "$rss" <<'PY' || ms_fail "mapsdiff: the buffers are not one row: $(head -c 3000 "$tmp/j")"
import json, sys
rows = json.load(open(sys.argv[1]))["mappings"]
want, rss = int(sys.argv[2]), int(sys.argv[3])
g = [r for r in rows if r["name"] == "%d x 256K anonymous mappings" % want]
assert len(g) == 1, [r["name"] for r in rows]
g = g[0]
assert g["count"] == want and g["status"] == "new" and g["perms"] == "rw-p", g
assert g["rss_delta"] == rss and g["size"] == want * 262144, (g, rss)
assert g["verdict"] == "grows with no steady state", g
guards = [r for r in rows if (r["name"] or "").endswith(" x 4K anonymous mappings") and r["perms"] == "---p"]
assert len(guards) == 1 and guards[0]["count"] >= want, [(r["name"], r["perms"], r["size"]) for r in rows]
assert len([r for r in rows if r["count"] == 1 and r["size"] == 262144]) == 0, rows
PY
"$bin/mapsdiff" "$tmp/s" > "$tmp/t" || :
[ "$(wc -l < "$tmp/t")" -lt 30 ] || ms_error "mapsdiff: $(wc -l < "$tmp/t") lines for two groups"
if locale -a 2>/dev/null | grep -qix 'c.utf-\?8'; then
	LC_ALL=C.UTF-8 "$bin/mapsdiff" -J -o NAME "$tmp/s" > "$tmp/u"
	python3 - "$tmp/u" "$want" <<'PY' || ms_fail "mapsdiff: no × in a UTF-8 locale: $(cat "$tmp/u")"
import json, sys
names = [r["name"] for r in json.load(open(sys.argv[1], encoding="utf-8"))["mappings"]]
assert "%s \u00d7 256K anonymous mappings" % sys.argv[2] in names, names
PY
fi

# leakhunt: 100 more buffers between every two snapshots.
ms_hooked "$tmp/hook" 'leaker_cmd buffers 100 256' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 100ms --count 6 -w "$tmp/r" \
	2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "leakhunt: exit status $rc, not 1"
grep -Eq '^0x[0-9a-f]+ +0x[0-9a-f]+ +rw-p .* grows with no steady state +300 x 256K anonymous mappings$' "$tmp/r/report.md" ||
	{ cat "$tmp/r/report.md" >&2; ms_fail "leakhunt: the buffers are not one growing row"; }
grep -q 'thread stack' "$tmp/r/report.md" && ms_fail "leakhunt: buffers called thread stacks in a one-thread process"
leaker_stop
exit 0
