#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch --prom: the metrics file passes a strict exposition-format parser
# (promparse.py here; promtool check metrics too, where it is installed), its
# values are the leaker's, a path with a double quote and a backslash comes
# back exactly from its escaped label, the growing heap reads verdict
# "growing", and the file is 0644, replaced atomically, never through a symlink.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
parse=$MS_SRCDIR/tests/tools/mapswatch/promparse.py

weird=$tmp/'we"ird\path'
printf 'memsift\n' > "$weird"
leaker_start
pid=$LEAKER_PID
leaker_cmd mapfile "$weird"
mkdir "$tmp/textfile"
echo "untouched" > "$tmp/target"
ln -s "$tmp/target" "$tmp/textfile/leaker.prom"
ms_hooked "$tmp/hook" 'leaker_cmd malloc 200 4096 T' \
	"$MS_HOOKED/mapswatch" -p "$pid" -i 10ms --count 6 --top 100 -f \
	--prom "$tmp/textfile/leaker.prom" -w "$tmp/d" > /dev/null 2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 0 ] || ms_error "exit status $rc, not 0"
prom=$tmp/textfile/leaker.prom
[ -f "$prom" ] && [ ! -L "$prom" ] || ms_error "the symlink was not replaced by a file"
[ "$(cat "$tmp/target")" = untouched ] || ms_error "written through the symlink"
[ "$(stat -c %a "$prom")" = 644 ] || ms_error "the metrics file is not 0644"
[ "$(ls -A "$tmp/textfile")" = leaker.prom ] || ms_error "temporary files left: $(ls -A "$tmp/textfile")"
python3 "$parse" "$prom" > "$tmp/samples" || ms_fail "the metrics do not parse"
python3 - "$tmp/samples" "$pid" "$weird" "$tmp/d/0006.snap" <<'PY' || ms_fail "the metrics are not the leaker's"
import json, sys
samples = [json.loads(l) for l in open(sys.argv[1])]
pid, weird, snap = sys.argv[2], sys.argv[3], sys.argv[4]
def get(name, **labels):
    found = [s for s in samples if s["name"] == name and
             all(s["labels"].get(k) == v for k, v in labels.items())]
    assert len(found) == 1, (name, labels, found)
    return found[0]
rss = sum(int(l.split()[1]) * 1024 for l in open(snap) if l.startswith("Rss:"))
assert get("memsift_process_rss_bytes", pid=pid, comm="leaker")["value"] == rss
assert get("memsift_process_verdict", pid=pid, verdict="growing")["value"] == 1
assert get("memsift_process_verdict", pid=pid, verdict="steady")["value"] == 0
assert get("memsift_process_rss_growth_bytes_per_second", pid=pid)["value"] > 0
heap = get("memsift_mapping_rss_bytes", pid=pid, mapping="[heap]")
assert heap["labels"]["label"] == "heap (brk)" and heap["labels"]["perms"] == "rw-p", heap
assert get("memsift_mapping_verdict", mapping="[heap]", verdict="growing")["value"] == 1
w = get("memsift_mapping_rss_bytes", mapping=weird)
assert w["value"] == 4096, w
assert get("memsift_mapping_verdict", mapping=weird, verdict="steady")["value"] == 1
PY
grep -qF 'we\"ird\\path"' "$prom" || ms_error "the path is not escaped as the format says"

# The parser is strict: it must reject what the format forbids.
printf 'm{a="x"} 1\n' > "$tmp/bad1"
printf '# HELP m h\n# TYPE m gauge\nm{a="x\\q"} 1\n' > "$tmp/bad2"
printf '# HELP m h\n# TYPE m gauge\nm{a="x"} 1\nm{a="x"} 2\n' > "$tmp/bad3"
printf '# HELP m h\n# TYPE m gauge\nm 1' > "$tmp/bad4"
for b in bad1 bad2 bad3 bad4; do
	python3 "$parse" "$tmp/$b" > /dev/null 2>&1 && ms_fail "promparse.py accepts $b"
done

if command -v promtool > /dev/null; then
	promtool check metrics < "$prom" || ms_fail "promtool check metrics fails"
else
	echo "promtool not installed: checked with promparse.py only" >&2
fi
leaker_stop
exit 0
