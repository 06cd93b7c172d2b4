#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stripped Go (-ldflags="-s -w", the usual release build): no symbol
# table, no DWARF.  The runtime's mheap_ is found in .bss by its shape and
# read with the layouts of the runtime's version (its buildinfo), so the
# articles' 'C' and 'T' buffers (GOGC=off) are still counted from the
# spans at 2:1, the live heap is the runtime's HeapAlloc; and a *Session
# leak is named by its expiry callback from .gopclntab.  A version the
# table lacks must say so and fall back, never guess.  With each Go
# toolchain installed (the tables know go1.19 and go1.22).
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

check()
{
	go_build "$tmp/buffers" "$MS_SRCDIR/tests/scenarios/go-buffers.go" "-ldflags=-s -w"
	go_build "$tmp/sessions" "$MS_SRCDIR/tests/scenarios/go-sessions.go" "-ldflags=-s -w"
	version=$(go_toolchain)
	export GOGC=off
	go_start "$tmp/buffers"
	unset GOGC
	go_two_dumps 'go_ask "leak C 1000"; go_ask "leak T 500"' \
		'go_ask "leak C 2000"; go_ask "leak T 1000"; go_ask report; truth=$reply; go_ask heap; heap=$reply'
	python3 - "$tmp/a.json" "$truth" "$heap" "$version" <<-'PY' || ms_fail "stripped Go: the buffers are not counted from the spans"
	import json, re, sys
	a, truth, heap, version = json.load(open(sys.argv[1]))["files"][0], sys.argv[2], sys.argv[3], sys.argv[4]
	nc, nt = [int(x) for x in re.match(r"ok C=(\d+) T=(\d+)$", truth).groups()]
	heap = int(re.match(r"ok heap_alloc=(\d+)$", heap).group(1))
	go = a["objects"]["go"]
	print("truth C=%d T=%d HeapAlloc=%d; go %s" % (nc, nt, heap, go), file=sys.stderr)
	assert go["version"] == version, (go, version)
	known = [v for v in ("go1.19", "go1.22") if version == v or version.startswith(v + ".")]
	if not known:
	    # No DWARF, and no table for this version: said, and the slice headers used instead.
	    assert go["layout"] is None and any("no table" in n for n in a["objects"]["notes"]), a["objects"]["notes"]
	    sys.exit(0)
	assert go["layout"] == "the %s table" % known[0], go
	assert abs(go["live_bytes"] - heap) <= heap * 0.02, (go, heap)
	def cl(fill):
	    x = [c for c in a["clusters"] if c["size"] == 1024 and c["fill"] == fill and c["finder"] == "go-span"]
	    assert x, (fill, [(c["size"], c["count"], c["fill"], c["finder"]) for c in a["clusters"][:8]])
	    return x[0]
	c, t = cl("0x43"), cl("0x54")
	assert (c["count"], t["count"], c["delta"], t["delta"]) == (nc, nt, 2000, 1000), (c, t)
	cl0, cl1 = a["verdict"]["clauses"][:2]
	assert abs(cl1["ratio"] - 2.0) <= 0.01, cl1
	PY

	go_start "$tmp/sessions"
	go_two_dumps 'go_ask "leak 1000"' 'go_ask "leak 4000"; go_ask stats; truth=$reply'
	python3 - "$tmp/a.json" "$truth" <<-'PY' || ms_fail "stripped Go: the sessions are not named by their callback"
	import json, re, sys
	a = json.load(open(sys.argv[1]))["files"][0]
	kept, ssize = [int(x) for x in re.match(r"ok kept=(\d+) session=(\d+) ", sys.argv[2]).groups()]
	x = [c for c in a["clusters"] if c["name"] == "func value main.expireSession"]
	print("truth %d sessions of %d bytes; found %s" % (kept, ssize, [(c["size"], c["count"], c["delta"]) for c in x]), file=sys.stderr)
	assert x and sum(c["count"] for c in x) == kept and sum(c["delta"] for c in x) == 4000, x
	assert "func value main.expireSession" in a["verdict"]["text"], a["verdict"]
	PY
}

for GO in $(go_toolchains); do
	echo "== with $(go_toolchain)" >&2
	check
done
exit 0
