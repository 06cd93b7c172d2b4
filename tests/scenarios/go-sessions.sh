#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A slice of *Session: Go 1.19's objects carry no type header, yet the
# slice that holds them is typed in DWARF, so each session is named
# main.Session, held by a []*main.Session backing array, and each
# session's profile main.Profile, held by a main.Session: as many as the
# program keeps, in the size class of their own size; with each Go
# toolchain installed.
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

check()
{
	go_build "$tmp/sessions" "$MS_SRCDIR/tests/scenarios/go-sessions.go"
	go_start "$tmp/sessions"
	go_two_dumps 'go_ask "leak 1000"; go_ask stats; old=$reply' 'go_ask "leak 9000"; go_ask stats; new=$reply'
	python3 - "$tmp/a.json" "$old" "$new" <<-'PY' || ms_fail "the sessions are not named as the program keeps them"
	import json, re, sys
	a = json.load(open(sys.argv[1]))["files"][0]
	def st(s):
	    m = re.match(r"ok kept=(\d+) session=(\d+) profile=(\d+) heap_alloc=(\d+)$", s)
	    assert m, s
	    return [int(x) for x in m.groups()]
	k0 = st(sys.argv[2])[0]
	k1, ssize, psize, heap = st(sys.argv[3])
	print("notes:", a["objects"]["notes"], file=sys.stderr)
	classes = [8, 16, 24, 32, 48, 64, 80, 96, 112, 128]
	def cls(n):
	    return min(c for c in classes if c >= n)
	def typed(t):
	    x = [c for c in a["clusters"] if c["type"] == t]
	    assert x, (t, [(c["type"], c["size"], c["count"]) for c in a["clusters"][:10]])
	    return x
	s, p = typed("main.Session"), typed("main.Profile")
	print("truth %d -> %d sessions of %d bytes; found %s %s" % (k0, k1, ssize,
	      [(c["size"], c["count"], c["delta"]) for c in s], [(c["size"], c["count"], c["delta"]) for c in p]), file=sys.stderr)
	assert sum(c["count"] for c in s) == k1 and sum(c["delta"] for c in s) == k1 - k0, s
	assert sum(c["count"] for c in p) == k1, p
	assert all(c["size"] == cls(ssize) and c["holder"] == "[]*main.Session" for c in s), s
	assert all(c["size"] == cls(psize) and c["holder"] == "main.Session" for c in p), p
	assert "`main.Session` of %d bytes" % cls(ssize) in a["verdict"]["text"], a["verdict"]["text"]
	PY
}

for GO in $(go_toolchains); do
	echo "== with $(go_toolchain)" >&2
	check
done
exit 0
