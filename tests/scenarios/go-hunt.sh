#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt on Go leaks: the articles' HTTP service with the GC on (200
# requests between snapshots, each keeping 10000 'a'), and the 'C'/'T'
# buffers with GOGC=off (2:1).  Judged on what the GC found alive (or on
# the bytes in use with GOGC=off), each is confirmed (exit 1), and the
# verdict names the []uint8 objects, their size class, fill and holder,
# with the growth the driver made between the two dumps ("dump 1").
# With each Go toolchain installed.
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

check()
{
	go_build "$tmp/svc" "$MS_SRCDIR/tests/scenarios/go-service.go"
	go_build "$tmp/buffers" "$MS_SRCDIR/tests/scenarios/go-buffers.go"

	go_start "$tmp/svc"
	go_hunt 'go_ask "get 200"; go_ask stats; echo "$line	$reply"'
	cat "$tmp/err" >&2
	[ "$hunt_rc" -eq 1 ] || { cat "$tmp/hooks" >&2; ms_fail "the HTTP service: leakhunt exited $hunt_rc, not 1"; }
	# Judged on the live heap less each GC's floating garbage, which the
	# leak (2 MB kept between snapshots) raises past the threshold.
	grep -q '^As a Go program it is judged on what each GC found alive less what was allocated while it marked, not on its pages: .* GCs, growth seen: the later [0-9]* GCs. live heap, at the least, was [0-9.]*[KMG]\? above ' "$tmp/r/report.md" ||
		ms_fail "the HTTP service: the report does not say the live heap grew: $(grep -A3 '^## Growth' "$tmp/r/report.md")"
	python3 - "$tmp/r/analysis.json" "$tmp/hooks" <<-'PY' || ms_fail "the HTTP service: the verdict is not the service's leak"
	import json, sys
	a = json.load(open(sys.argv[1]))
	kept = {l.split("\t")[0]: int(l.split("kept=")[1].split()[0]) for l in open(sys.argv[2]) if "\t" in l}
	cl = a["clusters"][a["verdict"]["clauses"][0]["cluster"]]
	print("hooks", kept, "clause", cl, file=sys.stderr)
	assert (cl["type"], cl["size"], cl["fill"], cl["holder"]) == ("[]uint8", 10240, "0x61", "[][]uint8"), cl
	# Between the two dumps the driver made its "dump 1" requests, and only those.
	assert cl["delta"] == 200 and cl["count"] == kept["dump 1"], (cl, kept)
	PY
	go_quit

	export GOGC=off
	go_start "$tmp/buffers"
	unset GOGC
	go_hunt 'go_ask "leak C 200"; go_ask "leak T 100"; go_ask report; echo "$line	$reply"'
	cat "$tmp/err" >&2
	[ "$hunt_rc" -eq 1 ] || { cat "$tmp/hooks" >&2; ms_fail "GOGC=off: leakhunt exited $hunt_rc, not 1"; }
	grep -q 'a Go program with GOGC=off' "$tmp/err" || ms_error "GOGC=off not said"
	python3 - "$tmp/r/analysis.json" <<-'PY' || ms_fail "GOGC=off: the verdict is not 'C' and 'T' at 2:1"
	import json, sys
	a = json.load(open(sys.argv[1]))
	c0, c1 = a["verdict"]["clauses"][:2]
	x0, x1 = a["clusters"][c0["cluster"]], a["clusters"][c1["cluster"]]
	print(x0, x1, file=sys.stderr)
	assert (x0["fill"], x0["delta"], x1["fill"], x1["delta"]) == ("0x43", 200, "0x54", 100), (x0, x1)
	assert x0["type"] == x1["type"] == "[]uint8" and abs(c1["ratio"] - 2.0) < 0.01, (c0, c1)
	PY
	go_quit
}

for GO in $(go_toolchains); do
	echo "== with $(go_toolchain)" >&2
	check
done
exit 0
