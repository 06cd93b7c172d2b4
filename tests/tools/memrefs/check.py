# SPDX-License-Identifier: GPL-2.0-or-later
# check.py OUT.json TRUTH WHAT KEPT DROPPED: memrefs -J's unreferenced
# objects against a test program's own list ("kept ADDR", "dropped ADDR"
# lines): the program kept KEPT and dropped DROPPED; exactly one cluster,
# whose WHAT contains WHAT, holds records, all the dropped ones and none
# of those kept.
import json, sys

out = json.load(open(sys.argv[1]))
what, nkept, ndropped = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
kept, dropped = set(), set()
for line in open(sys.argv[2]):
    k, a = line.split()
    (kept if k == "kept" else dropped).add(int(a, 16))
assert (len(kept), len(dropped)) == (nkept, ndropped), (len(kept), len(dropped))
rows = [r for r in out["unreferenced"] if what in r["what"]]
assert len(rows) == 1, out["unreferenced"]
row = rows[0]
ex = {int(x, 16) for x in row["examples"].split()}
print("%s: %d dropped, %d unreferenced; examples %s" % (what, len(dropped), row["count"], row["examples"]),
      file=sys.stderr)
assert row["count"] == len(dropped), row
assert ex and ex <= dropped and not ex & kept, row
# No other cluster holds a record, kept or dropped.
for r in out["unreferenced"]:
    if r is not row:
        assert not {int(x, 16) for x in r["examples"].split()} & (kept | dropped), r
assert out["reached"] >= len(kept), out
