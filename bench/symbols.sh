# bytehist --symbols on a 256 MiB pointer-dense dump against bytehist alone:
# the cost of the second pass and the lookups, per million words.
BENCH_DESC="A 256 MiB synthetic dump (32 Mi words: a quarter each pointers to 20,000 distinct addresses in libc's and the leaker's code and data, heap pointers, small integers, and pointers to 64 of those addresses), with a manifest holding the test leaker's real maps, read from the page cache: bytehist vs bytehist --symbols (libdwfl, ELF files and debug info opened by path)."

bench_setup()
{
	local maps=$BENCH_WORK/maps
	# The leaker lives while its stdin is open; $! is the pipeline's last process.
	sleep 2 | "$MS_BUILDDIR/tests/leaker/leaker" > "$BENCH_WORK/ready" &
	until [ -s "$BENCH_WORK/ready" ]; do sleep 0.05; done
	cat "/proc/$!/maps" > "$maps" 2>/dev/null || { wait; echo "bench: leaker gone" >&2; exit 1; }
	wait
	python3 - "$maps" "$BENCH_WORK/dump.bin" <<'PY'
import json, random, struct, sys
maps, out = sys.argv[1], sys.argv[2]
mods, heap, entries = [], None, []
for l in open(maps):
    f = l.split(None, 5)
    s, e = (int(x, 16) for x in f[0].split("-"))
    name = f[5].strip() if len(f) > 5 else ""
    entries.append({"start": "0x%x" % s, "end": "0x%x" % e, "perms": f[1], "offset": int(f[2], 16),
                    "dev": f[3], "inode": int(f[4]), "name": name})
    if name.startswith("/"):
        mods.append((s, e))
    elif name == "[heap]":
        heap = (s, e)
rnd = random.Random(1)
targets = [rnd.randrange(s, e) & ~7 for s, e in (rnd.choice(mods) for _ in range(20000))]
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
with open(out, "wb") as f:
    for j in range(1024):
        f.write(raw[j * 8:] + raw[:j * 8])   # rotate, so blocks are not identical
json.dump({"start": "0x%x" % base, "length": 256 << 20, "maps": entries}, open(out + ".json", "w"))
PY
	cat "$BENCH_WORK/dump.bin" > /dev/null
}

bench_cmds()
{
	printf 'bytehist --symbols\t%s\n' "$MS_BUILDDIR/tools/bytehist --symbols $BENCH_WORK/dump.bin > /dev/null"
	printf 'bytehist\t%s\n' "$MS_BUILDDIR/tools/bytehist $BENCH_WORK/dump.bin > /dev/null"
}
