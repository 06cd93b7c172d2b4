#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Go heap: the Go leaker keeps 3000 *main.Record, each holding its tag
# literal, itself as an interface value and a func value.  bytehist --symbols
# on a dump of the heap arena says it is Go's, and names the words by what
# they point at in the binary: the type descriptor as "type.*main.Record",
# the tag's bytes as its text, the func value as the function, 3000 each at
# the addresses the leaker reports.  A stripped copy (-s -w) names them
# from the runtime's own tables, and says so.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools

command -v go > /dev/null || ms_skip "no go to build the Go leaker (apt-get install golang-go)"
# Go's build cache and home inside the build tree: make check may run where $HOME is not writable.
gobuild()
{
	local out=$1
	shift
	mkdir -p "$MS_BUILDDIR/tests/leaker/go-cache"
	HOME=$MS_BUILDDIR/tests/leaker/go-cache GOCACHE=$MS_BUILDDIR/tests/leaker/go-cache \
		GOPATH=$MS_BUILDDIR/tests/leaker/go-cache/path GOFLAGS= GO111MODULE=off \
		go build "$@" -o "$out" "$MS_SRCDIR/tests/leaker/leaker-go.go"
}
leaker=$MS_BUILDDIR/tests/leaker/leaker-go
if [ ! -x "$leaker" ] || [ "$MS_SRCDIR/tests/leaker/leaker-go.go" -nt "$leaker" ]; then
	gobuild "$leaker" || ms_fail "go build: cannot build the Go leaker"
fi

# The rw-p mapping holding the first record: Go's first heap arena.
arenadump()
{
	local range perms rest start=
	while read -r range perms rest; do
		[ "$perms" = rw-p ] && (($1 >= 0x${range%-*} && $1 < 0x${range#*-})) &&
			start=0x${range%-*} && break
	done < "/proc/$LEAKER_PID/maps"
	[ -n "$start" ] || ms_fail "no mapping holds the first record at $1"
	ms_require_ptrace "$LEAKER_PID"
	"$bin/regiondump" -p "$LEAKER_PID" --mapping "$start" -w "$2" 2> "$tmp/rd.err" ||
		ms_fail "regiondump -p $LEAKER_PID: $(cat "$tmp/rd.err")"
}

MS_LEAKER=$leaker
leaker_start
leaker_cmd records 3000
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first"])' "$tmp/report.json")
arenadump "$first" "$tmp/go.dump"
"$bin/bytehist" --symbols -J "$tmp/go.dump" > "$tmp/go.json" || ms_fail "bytehist --symbols"
# The words of dump JSON $1 that point where leaker report $2 says its
# records' words point: the type descriptor, the tag's bytes and the func
# value, each named and counted once per record; $3 "plain" (no note, the
# leaker's own binary) or "stripped" (named from .gopclntab, and said so).
check_names()
{
	python3 - "$@" <<'PY'
import json, sys
j, r, mode = json.load(open(sys.argv[1]))["files"][0], json.load(open(sys.argv[2])), sys.argv[3]
assert r["count"] == 3000 and r["type_name"] == "*main.Record", r
# A word pointing at a string without its length after it is only "go.string.*":
# per address, the target most words name.
by = {}
for x in j["symbols"]:
    a = int(x["addr"], 16)
    if x["kind"] not in ("heap", "stack", "anon") and (a not in by or by[a]["count"] < x["count"]):
        by[a] = x
t, s, f = by.get(int(r["type"], 16)), by.get(int(r["tag"], 16)), by.get(int(r["func"], 16))
assert t and t["kind"] == "typeinfo" and t["symbol"] == "type." + r["type_name"], t
assert s and s["kind"] == "string" and s["symbol"] == r["tag_text"], s
assert f and f["symbol"] == "func value main.recordHandle", f
# The leaker's own slice and locals may hold a few more; never fewer.
for x in (t, s, f):
    assert 3000 <= x["count"] <= 3010, x
    if mode == "plain":
        assert x["module"].endswith("/leaker-go") and x["note"] is None, x
    else:
        assert x["note"] and ".gopclntab" in x["note"], x
PY
}

check_names "$tmp/go.json" "$tmp/report.json" plain || ms_fail "Go heap: wrong names"
python3 - "$tmp/go.json" <<'PY' || ms_fail "Go heap: the arena is not called Go's"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
assert j["pointers"]["region"] and "(Go heap arena)" in j["pointers"]["region"], j["pointers"]
assert j["symbols"][0]["count"] >= 3000, j["symbols"][:3]
PY
"$bin/bytehist" --symbols -s summary "$tmp/go.dump" > "$tmp/go.out" || ms_fail "bytehist --symbols table"
grep -q '^the dump is of anon 0x[0-9a-f]* (Go heap arena)$' "$tmp/go.out" ||
	{ cat "$tmp/go.out" >&2; ms_fail "table: the arena is not called Go's"; }
grep -Eq '^ *30[01][0-9] .* typeinfo +type\.\*main\.Record +leaker-go$' "$tmp/go.out" ||
	{ cat "$tmp/go.out" >&2; ms_fail "table: no type.*main.Record row"; }
# --objects: Go's heap is no glibc heap; the records are found by the type
# descriptor their interface field carries, as many as the leaker keeps,
# in Go's 64-byte size class (the record is 56 bytes).
"$bin/bytehist" --objects -J "$tmp/go.dump" > "$tmp/o.json" 2> "$tmp/err" ||
	ms_fail "bytehist --objects: $(cat "$tmp/err")"
python3 - "$tmp/o.json" "$tmp/report.json" <<'PY' || ms_fail "Go heap: objects not found or not named"
import json, sys
a, r = json.load(open(sys.argv[1]))["files"][0], json.load(open(sys.argv[2]))
o = a["objects"]
assert o["allocator"] == "go" and "runtime.mallocgc" in o["evidence"], o
assert not any(x["finder"].startswith("glibc") for x in o["ranges"]), o["ranges"]
c = [x for x in a["clusters"] if x["name"] == "type." + r["type_name"]]
assert c and abs(c[0]["count"] - r["count"]) <= r["count"] / 100, (c[:1], r["count"])
assert c[0]["size"] == 64 and r["record_size"] == 56, (c[0], r)
assert a["verdict"]["clauses"][0]["name"] == "type." + r["type_name"], a["verdict"]
PY
leaker_stop

# Stripped (-ldflags="-s -w", the usual release build): no symbol table and
# no DWARF, yet the runtime's own tables name the same words: the type
# descriptor from .rodata and .typelink, the tag's bytes by the length after
# them, the func value by .gopclntab's function at the word it holds.
gobuild "$tmp/leaker-go-stripped" "-ldflags=-s -w" || ms_fail "go build -ldflags='-s -w'"
command -v readelf > /dev/null && readelf -S "$tmp/leaker-go-stripped" | grep -q '\.symtab' &&
	ms_fail "go build -ldflags='-s -w' left a symbol table"
MS_LEAKER=$tmp/leaker-go-stripped
leaker_start
leaker_cmd records 3000
leaker_cmd report
printf '%s\n' "$LEAKER_REPLY" > "$tmp/report.json"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first"])' "$tmp/report.json")
arenadump "$first" "$tmp/s.dump"
"$bin/bytehist" --symbols -J "$tmp/s.dump" > "$tmp/s.json" || ms_fail "bytehist --symbols (stripped)"
check_names "$tmp/s.json" "$tmp/report.json" stripped || ms_fail "stripped Go: not named from its own tables"
leaker_stop
exit 0
