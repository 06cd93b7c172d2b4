#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden files: every tool's JSON on fixed inputs is byte for byte what
# tests/golden/ holds, so a change of format is a decision, made by updating
# them (MS_GOLDEN_UPDATE=1 make check TESTS=tests/tools/golden.sh), seen in
# the diff, never an accident.  The inputs are the fixtures of tests/fixtures
# and a dump this test writes from a fixed recipe.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$(cd "$MS_BUILDDIR/tools" && pwd)
golden=$(cd "$MS_SRCDIR/tests/golden" && pwd)
fix=$(cd "$MS_SRCDIR/tests/fixtures" && pwd)
fail=0

# check NAME COMMAND...: COMMAND's standard output against golden/NAME.json
check()
{
	local name=$1 rc=0
	shift
	"$@" > "$tmp/$name.json" 2> "$tmp/err" || rc=$?
	# The tools' "found something" statuses are fine here: 0 or 1.
	[ "$rc" -le 1 ] || { echo "$name: $* exited $rc: $(cat "$tmp/err")"; fail=1; return; }
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/$name.json" ||
		{ echo "$name: not JSON"; fail=1; return; }
	if [ -n "${MS_GOLDEN_UPDATE:-}" ]; then
		cp "$tmp/$name.json" "$golden/$name.json"
	elif ! diff -u "$golden/$name.json" "$tmp/$name.json" > "$tmp/diff"; then
		echo "$name: the JSON of $* changed:"
		head -n 40 "$tmp/diff"
		fail=1
	fi
}

cd "$fix/pmap"
check mapsdiff-smaps "$bin/mapsdiff" -J leaker-before.smaps leaker-after.smaps
check mapsdiff-pmap-x "$bin/mapsdiff" -J leaker-before.pmap-x leaker-after.pmap-x
check mapsdiff-all "$bin/mapsdiff" -J -a -b leaker-before.smaps leaker-after.smaps
cd "$fix/oom"
for f in memcg-v1.dmesg memcg-v1.dmesg-T memcg-v1.kmsg; do
	check "oomreport-$f" "$bin/oomreport" -J "$f"
	check "oomreport-tasks-$f" "$bin/oomreport" -J --tasks "$f"
done
cd "$fix/gctrace"
check gctrace-leak "$bin/mapswatch" --gctrace leak.gctrace -J
check gctrace-steady "$bin/mapswatch" --gctrace steady.gctrace -J

# A dump of fixed content: zero pages, a fill, text lines, records of a
# magic and a counter, and bytes of a fixed pseudo-random sequence.
cd "$tmp"
python3 - <<'PY'
import struct
out = bytearray(4096 * 4)
out += b"\x41" * 8192
for i in range(300):
    out += b"GET /api/v2/items?id=%06d HTTP/1.1 200 %dms\n\x00" % (i, i % 97)
for i in range(500):
    out += struct.pack("<8sQQQ", b"CONFREC\x00", i, 0x1122334455667788, i * 3)
x = 12345
for i in range(8192):
    x = (x * 1103515245 + 12345) & 0x7fffffff
    out.append(x >> 16 & 0xff)
out += bytes(4096 - len(out) % 4096)
open("fixed.dump", "wb").write(out)
PY
check bytehist-fixed "$bin/bytehist" -J --no-magic fixed.dump
check bytehist-fixed-words "$bin/bytehist" -J --no-magic -s words,records,strings -t 5 fixed.dump
# A glibc main heap of fixed chunks, with a manifest naming it [heap]: 400
# records of a magic, 200 request lines, 50 zero buffers (and a base with 200
# records), for the analysis's objects, clusters and verdict.
python3 - <<'PY'
import json, struct
base, size = 0x555555559000, 0x40000
def heap(records):
    h = bytearray()
    def chunk(sz, payload):
        h.extend(struct.pack("<QQ", 0, sz | 1) + payload + bytes(sz - 16 - len(payload)))
    chunk(0x290, b"")
    for i in range(records):
        chunk(0x30, struct.pack("<8sQQ", b"CONFREC\x00", i, 0x1122334455667788))
    for i in range(200):
        chunk(0x60, b"GET /api/v2/items?id=%06d HTTP/1.1\n\x00" % i)
    for i in range(50):
        chunk(0x410, b"")
    h.extend(struct.pack("<QQ", 0, (size - len(h)) | 1))
    return bytes(h) + bytes(size - len(h))
r = {"start": "0x%x" % base, "end": "0x%x" % (base + size), "size": size}
for name, records in (("heap", 400), ("base", 200)):
    open(name + ".dump", "wb").write(heap(records))
    json.dump({"memsift_manifest": 1, "pid": 4242, "comm": "fixed", "exe": "/nonexistent/fixed",
               "time": "2026-01-01T00:00:00.000000000Z", "output": name + ".dump", "format": "raw",
               "compression": "none", "complete": True, "target_stopped": False,
               "resident_only": False, "requested": [dict(r, file_offset=0)],
               "bytes": {"requested": size, "read": size, "not_mapped": 0, "unreadable": 0,
                         "not_resident": 0},
               "redaction": {"applied": False},
               "subranges": [dict(r, status="read", method="process_vm_readv")],
               "mappings": [dict(r, perms="rw-p", offset=0, dev="00:00", inode=0, name="[heap]")],
               "maps": [{"start": "0x555555554000", "end": "0x555555555000", "size": 4096,
                         "perms": "r-xp", "offset": 0, "dev": "00:00", "inode": 1,
                         "name": "/nonexistent/fixed"},
                        dict(r, perms="rw-p", offset=0, dev="00:00", inode=0, name="[heap]")]},
              open(name + ".dump.json", "w"))
PY
check bytehist-objects "$bin/bytehist" -J --no-magic --objects --heap -s summary heap.dump
check bytehist-objects-base "$bin/bytehist" -J --no-magic --objects --base base.dump -s summary heap.dump
[ -z "${MS_GOLDEN_UPDATE:-}" ] || echo "golden files written to $golden"
exit $fail
