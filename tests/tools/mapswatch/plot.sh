#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The growth plot is read as a person reads it: a process of about 64 MiB
# that grows by 1 MiB between snapshots (1.5% a step) is a rising line that
# fills its panel, not a flat line on a scale from zero; the ticks of the
# time axis are the clock times (UTC) of the snapshots' own headers, placed
# where those times fall; --limit is a line at its height; the total's
# trend says it grows.  The truth is the snapshots' Rss and time lines.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bin=$MS_BUILDDIR/tools
ms_tmpdir

leaker_start
ms_require_ptrace "$LEAKER_PID"
leaker_cmd malloc 16384 4096 B
mkdir "$tmp/d"
for i in 1 2 3 4 5 6; do
	"$bin/mapsnap" -p "$LEAKER_PID" -w "$tmp/d/000$i.snap" 2> "$tmp/err" ||
		ms_fail "mapsnap: $(cat "$tmp/err")"
	leaker_cmd malloc 256 4096 T
done
last=$(awk '/^Rss:/ { s += $2 } END { print s * 1024 }' "$tmp/d/0006.snap")
limit=$((last + last / 10))
"$bin/mapswatch" --plot "$tmp/p.svg" "$tmp/d" 2> "$tmp/err" ||
	ms_fail "mapswatch --plot: $(cat "$tmp/err")"
"$bin/mapswatch" --plot "$tmp/l.svg" --limit "$limit" "$tmp/d" 2> "$tmp/err" ||
	ms_fail "mapswatch --plot --limit: $(cat "$tmp/err")"
python3 - "$tmp/p.svg" "$tmp/d" "$limit" "$tmp/l.svg" <<'PY' || ms_fail "the plot does not read as its snapshots say"
import calendar, os, re, sys, time, xml.etree.ElementTree as ET
S = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
limit = int(sys.argv[3])
snaps = sorted(os.listdir(sys.argv[2]))
totals, walls = [], []
for f in snaps:
    text = open(os.path.join(sys.argv[2], f)).read()
    totals.append(sum(int(x) * 1024 for x in re.findall(r"^Rss:\s+(\d+) kB", text, re.M)))
    t = re.search(r"^# time: (\S+?)\.(\d+)Z$", text, re.M)
    walls.append(calendar.timegm(time.strptime(t.group(1), "%Y-%m-%dT%H:%M:%S")) + float("0." + t.group(2)))
growth = (totals[-1] - totals[0]) / totals[0]
assert 0.05 < growth < 0.2, ("the program did not grow as planned", totals)

panels = [g for g in root.iter(S + "g") if g.get("class") == "panel"]
assert len(panels) == 2, "not one panel for the total and one for the mappings"
p = panels[0]
lo, hi, y0, h = (float(p.get(k)) for k in ("data-lo", "data-hi", "data-y", "data-height"))
rect = p.find(S + "rect")
left, width = float(rect.get("x")), float(rect.get("width"))
total = [l for l in root.iter(S + "polyline") if l.get("data-name") == "process total"][0]
pts = [tuple(map(float, xy.split(","))) for xy in total.get("points").split()]
assert len(pts) == len(totals), (len(pts), len(totals))
ys = [y for _, y in pts]
# Scaled to the data: the line spans most of its panel.
assert (max(ys) - min(ys)) / h > 0.4, ("a flat line", min(ys), max(ys), h, lo, hi)
assert lo <= min(totals) and hi >= max(totals), (lo, hi, totals)
for (x, y), v in zip(pts, totals):
    assert abs(y - (y0 + (hi - v) / (hi - lo) * h)) < 1, ("a point off its scale", y, v)

# The time axis: clock times, where the snapshots' times put them.
ticks = [t for t in root.iter(S + "text") if t.get("class") == "tick"]
assert ticks, "no ticks on the time axis"
day = time.strftime("%Y-%m-%d", time.gmtime(walls[0]))
span = walls[-1] - walls[0]
for t in ticks:
    m = re.fullmatch(r"(\d\d:\d\d)(:\d\d)?(\.\d+)?", t.text)
    assert m, ("not a clock time", t.text)
    when = calendar.timegm(time.strptime(day + " " + m.group(1) + (m.group(2) or ":00"),
                                         "%Y-%m-%d %H:%M:%S")) + float(m.group(3) or 0)
    if when < walls[0] - 43200:
        when += 86400
    x = left + (when - walls[0]) / span * width
    # The snapshots' times in the header and the boot-time axis may differ by
    # the time a snapshot takes to read: allow 2% of the axis.
    assert abs(float(t.get("x")) - x) < 0.02 * width + 1, ("tick misplaced", t.text, t.get("x"), x)

assert not [g for g in root.iter(S + "g") if g.get("class") == "limit"], "a limit nobody set"
# The limit, on the total's scale (which then reaches up to it).
root = ET.parse(sys.argv[4]).getroot()
p = [g for g in root.iter(S + "g") if g.get("class") == "panel"][0]
lo, hi, y0, h = (float(p.get(k)) for k in ("data-lo", "data-hi", "data-y", "data-height"))
lim = [g for g in root.iter(S + "g") if g.get("class") == "limit"]
assert lim and int(lim[0].get("data-bytes")) == limit, "no limit line"
ly = float(lim[0].find(S + "line").get("y1"))
assert abs(ly - (y0 + (hi - limit) / (hi - lo) * h)) < 1, ("the limit is not at its height", ly)

trend = [g for g in root.iter(S + "g") if g.get("class") == "trend"]
assert trend and float(trend[0].get("data-rate")) > 0, "no rising trend"
assert trend[0].get("data-verdict") == "grows with no steady state", trend[0].get("data-verdict")
print("growth %.1f%%, total line spans %.0f%% of its panel, %d ticks" %
      (growth * 100, 100 * (max(ys) - min(ys)) / h, len(ticks)), file=sys.stderr)
PY
leaker_stop
exit 0
