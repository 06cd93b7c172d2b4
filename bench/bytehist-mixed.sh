# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist on heap-like content (bench/mixed-gen.c: records, pointer arrays,
# text, zero and random pages in short streaks) against the practical limit,
# a split8 byte histogram on one thread (bench/split8.c), on the same file:
# the default report on all cores and on one, -s summary (which should cost
# little more than the byte counts), and --symbols --heap (its words counted
# in the same pass) against the default report.
BENCH_DESC="A 512 MiB heap-like dump made once by bench/mixed-gen.c (30% malloc'd records with size words, heap pointers, callbacks and short names; 25% pointer arrays; 20% log and key=value text; 15% zero pages; 10% random bytes; in streaks of 1 to 16 pages), read from the page cache, with a manifest whose maps put its heap pointers in a [heap] and its module pointers in libc (this machine's, relocated): a split8 byte histogram (one thread) vs bytehist's default report (libmagic included) on all cores and on one, bytehist -s summary, and bytehist --symbols --heap (libdwfl; the heap walk stops at the first bytes, which are no chunk)."

bench_setup()
{
	cc -O2 -o "$BENCH_WORK/mixed-gen" "$top/bench/mixed-gen.c"
	cc -O2 -o "$BENCH_WORK/split8" "$top/bench/split8.c"
	"$BENCH_WORK/mixed-gen" "${BENCH_MIB:-512}" "$BENCH_WORK/mixed.bin"
	# mixed-gen's heap pointers are from 0x55d2ef7c0000, its module pointers
	# in the 8 MiB from 0x7f3a1c000000: libc's text is moved there.
	python3 - "$BENCH_WORK/mixed.bin" <<'PY'
import json, os, sys
dump = sys.argv[1]
size = os.path.getsize(dump)
libc = []
for l in open("/proc/self/maps"):
    f = l.split(None, 5)
    name = f[5].strip() if len(f) > 5 else ""
    if os.path.basename(name).startswith("libc.so"):
        s, e = (int(x, 16) for x in f[0].split("-"))
        libc.append((s, e, f, name))
text = [x for x in libc if "x" in x[2][1]][0]
shift = 0x7f3a1c000000 - text[0]
heap = 0x55d2ef7c0000
maps = [{"start": "0x%x" % heap, "end": "0x%x" % (heap + size), "perms": "rw-p", "offset": 0,
         "dev": "00:00", "inode": 0, "name": "[heap]"}]
for s, e, f, name in libc:
    maps.append({"start": "0x%x" % (s + shift), "end": "0x%x" % (e + shift), "perms": f[1],
                 "offset": int(f[2], 16), "dev": f[3], "inode": int(f[4]), "name": name})
json.dump({"start": "0x%x" % heap, "length": size, "maps": maps}, open(dump + ".json", "w"))
PY
	cat "$BENCH_WORK/mixed.bin" > /dev/null
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist d=$BENCH_WORK/mixed.bin

	printf 'split8 histogram\t%s\n' "$BENCH_WORK/split8 $d > /dev/null"
	printf 'bytehist (-j: all cores)\t%s\n' "$b $d > /dev/null"
	printf 'bytehist -j 1\t%s\n' "$b -j 1 $d > /dev/null"
	printf 'bytehist -s summary\t%s\n' "$b -s summary $d > /dev/null"
	printf 'bytehist --symbols --heap\t%s\n' "$b --symbols --heap $d > /dev/null"
}
