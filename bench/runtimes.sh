# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt's analysis (bytehist --symbols --objects) of a dump of about 100 MB
# of a Node process and of a CPython process, each what grew since the
# program started: it must stay under 10 s.  Node's dump is V8's pages full
# of JS objects and pointers into a 100 MB non-PIE node binary with DWARF,
# plus integers that fall in its text range (a pointer is looked up only
# where one is plausible); Python's is pymalloc's arenas.
BENCH_DESC="Node (Debian's nodejs, non-PIE, with debug info): 230,000 JS objects {id, name 'session-N', tags [N, N+1]} and a BigUint64Array of 1,048,576 integers spread over node's text range (0xb72000-0x25fe000 when non-PIE): a dump of 127 MB of what grew since start.  CPython 3: 150,000 each of a class instance, a 100-byte bytes, a 48-character str and a dict: a dump of 100 MB of what grew since start.  Each dumped with regiondump --grown and its manifest, read from the page cache.  Peers: bytehist alone (the histogram pass) on the same dumps."

# grow_and_dump PID NAME IN OUT: snapshot, one "go" over the pipe, then the dump of what grew.
grow_and_dump()
{
	local b=$MS_BUILDDIR/tools

	"$b/mapsnap" -p "$1" -o "$BENCH_WORK/$2.snap"
	echo go >&"$4"
	read -r _ <&"$3"
	"$b/regiondump" -p "$1" --grown "$BENCH_WORK/$2.snap" -o "$BENCH_WORK/$2.dump" 2>/dev/null
}

bench_setup()
{
	command -v node > /dev/null || { echo "bench/runtimes: no node (apt-get install nodejs)" >&2; exit 2; }
	command -v python3 > /dev/null || { echo "bench/runtimes: no python3" >&2; exit 2; }
	cat > "$BENCH_WORK/keep.js" <<'JS'
const keep = [];
class Session { constructor(i) { this.id = i; this.name = 'session-' + i; this.tags = [i, i + 1]; } }
console.log('ready ' + process.pid);
require('readline').createInterface({ input: process.stdin }).on('line', () => {
  for (let i = 0; i < 230000; i++) keep.push(new Session(i));
  const lo = 0xb72000, span = 0x25fe000 - 0xb72000, a = new BigUint64Array(1 << 20);
  for (let i = 0; i < a.length; i++) a[i] = BigInt(lo + ((i * 2654435761) % span));
  keep.push(a);
  console.log('ok');
});
JS
	cat > "$BENCH_WORK/keep.py" <<'PY'
import os, sys
class Order:
    def __init__(self, n):
        self.item = None
        self.n = n
keep = []
print("ready", os.getpid(), flush=True)
for line in sys.stdin:
    for i in range(150000):
        keep.extend((Order(i), b"x%07d" % i + bytes(92), "s%07d" % i + "u" * 40, {"k": i}))
    print("ok", flush=True)
PY
	coproc BENCH_NODE { exec node "$BENCH_WORK/keep.js"; }
	read -r _ BENCH_NPID <&"${BENCH_NODE[0]}"
	grow_and_dump "$BENCH_NPID" node "${BENCH_NODE[@]}"
	coproc BENCH_PY { exec python3 "$BENCH_WORK/keep.py"; }
	read -r _ BENCH_PPID <&"${BENCH_PY[0]}"
	grow_and_dump "$BENCH_PPID" python "${BENCH_PY[@]}"
	cat "$BENCH_WORK/node.dump" "$BENCH_WORK/python.dump" > /dev/null
}

bench_cmds()
{
	local b=$MS_BUILDDIR/tools/bytehist w=$BENCH_WORK

	printf 'Node: bytehist --symbols --objects (leakhunt analysis)\t%s\n' "$b --symbols --objects $w/node.dump > /dev/null"
	printf 'CPython: bytehist --symbols --objects (leakhunt analysis)\t%s\n' "$b --symbols --objects $w/python.dump > /dev/null"
	printf 'Node: bytehist (histogram alone)\t%s\n' "$b $w/node.dump > /dev/null"
	printf 'CPython: bytehist (histogram alone)\t%s\n' "$b $w/python.dump > /dev/null"
}

bench_teardown()
{
	kill "$BENCH_NPID" "$BENCH_PPID" 2>/dev/null || :
}
