# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist --symbols on a 256 MiB pointer-dense dump against bytehist alone:
# the cost of the second pass and the lookups, per million words, over all
# modules and per module (libc, the leaker), since a module's size and debug
# info decide what libdwfl costs.
BENCH_DESC="Three 256 MiB synthetic dumps (32 Mi words each: a quarter each pointers to 20,000 distinct addresses in mapped modules' code and data, heap pointers, small integers, and pointers to 64 of those addresses), with a manifest holding the test leaker's real maps, read from the page cache: bytehist vs bytehist --symbols (libdwfl, ELF files and debug info opened by path).  dump.bin: the module addresses fall in every mapped module (the leaker, libc, ld.so), as before; libc.bin: in libc's only; leaker.bin: in the leaker binary's only."

bench_setup()
{
	local maps=$BENCH_WORK/maps
	# The leaker lives while its stdin is open; $! is the pipeline's last process.
	sleep 2 | "$MS_BUILDDIR/tests/leaker/leaker" > "$BENCH_WORK/ready" &
	until [ -s "$BENCH_WORK/ready" ]; do sleep 0.05; done
	cat "/proc/$!/maps" > "$maps" 2>/dev/null || { wait; echo "bench: leaker gone" >&2; exit 1; }
	wait
	python3 - "$maps" "$BENCH_WORK" <<'PY'
import json, os, random, struct, sys
maps, work = sys.argv[1], sys.argv[2]
mods, heap, entries = [], None, []
for l in open(maps):
    f = l.split(None, 5)
    s, e = (int(x, 16) for x in f[0].split("-"))
    name = f[5].strip() if len(f) > 5 else ""
    entries.append({"start": "0x%x" % s, "end": "0x%x" % e, "perms": f[1], "offset": int(f[2], 16),
                    "dev": f[3], "inode": int(f[4]), "name": name})
    if name.startswith("/"):
        mods.append((s, e, os.path.basename(name)))
    elif name == "[heap]":
        heap = (s, e)
def dump(out, pick):
    rnd = random.Random(1)
    sel = [m for m in mods if pick(m[2])]
    if not sel:
        sys.exit("bench: no module for %s in the leaker's maps" % out)
    targets = [rnd.randrange(s, e) & ~7 for s, e, _ in (rnd.choice(sel) for _ in range(20000))]
    words = 1 << 15                      # one 256 KiB block, repeated with variations
    base = 0x7f0000000000
    blk = []
    for i in range(words):
        k = i % 4
        if k == 0: blk.append(rnd.choice(targets))
        elif k == 1: blk.append(rnd.randrange(*heap) & ~15 if heap else i)
        elif k == 2: blk.append(rnd.randrange(0, 1 << 20))
        else: blk.append(targets[i % 64])
    raw = struct.pack("<%dQ" % words, *blk)
    with open(os.path.join(work, out), "wb") as f:
        for j in range(1024):
            f.write(raw[j * 8:] + raw[:j * 8])   # rotate, so blocks are not identical
    json.dump({"start": "0x%x" % base, "length": 256 << 20, "maps": entries},
              open(os.path.join(work, out + ".json"), "w"))
# The same mix of words each time; only the modules the pointers go into change.
dump("dump.bin", lambda n: True)
dump("libc.bin", lambda n: n.startswith("libc.so"))
dump("leaker.bin", lambda n: n == "leaker")
PY
	cat "$BENCH_WORK"/*.bin > /dev/null
}

bench_cmds()
{
	local d

	printf 'bytehist --symbols\t%s\n' "$MS_BUILDDIR/tools/bytehist --symbols $BENCH_WORK/dump.bin > /dev/null"
	printf 'bytehist\t%s\n' "$MS_BUILDDIR/tools/bytehist $BENCH_WORK/dump.bin > /dev/null"
	for d in libc leaker; do
		printf 'bytehist --symbols, %s only\t%s\n' "$d" "$MS_BUILDDIR/tools/bytehist --symbols $BENCH_WORK/$d.bin > /dev/null"
		printf 'bytehist, %s only\t%s\n' "$d" "$MS_BUILDDIR/tools/bytehist $BENCH_WORK/$d.bin > /dev/null"
	done
}
