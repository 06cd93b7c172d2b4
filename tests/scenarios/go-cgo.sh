#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgo: gcc links the binary, and its C units' .debug_aranges claim the Go
# code, so a lookup by address named Go functions with a line of
# runtime/cgo's C.  A record holding the entry of main.handle must be
# named main.handle at the file and line the Go runtime itself gives
# (runtime.FuncForPC); and the records are objects of the Go heap, typed
# main.Rec, as many as the program keeps, in a process whose malloc is
# glibc's.
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init
command -v go > /dev/null || ms_skip "no go to build the Go program (apt-get install golang-go)"
command -v "${CC:-gcc}" > /dev/null || ms_skip "no C compiler for cgo (apt-get install gcc)"
[ "$(go_env go env CGO_ENABLED)" = 1 ] || ms_skip "cgo is disabled in this Go toolchain"

CGO_CFLAGS="-g -O1" go_build "$tmp/cgo" "$MS_SRCDIR/tests/scenarios/go-cgo.go"
go_start "$tmp/cgo"
ms_require_ptrace "$GOP_PID"
"$bin/mapsnap" -p "$GOP_PID" -w "$tmp/s.snap" 2> "$tmp/err" || ms_fail "mapsnap: $(cat "$tmp/err")"
go_ask "keep 3000"
go_ask report
truth=$reply
"$bin/regiondump" -p "$GOP_PID" --grown "$tmp/s.snap" -w "$tmp/a.dump" 2> "$tmp/err" ||
	ms_fail "regiondump: $(cat "$tmp/err")"
"$bin/bytehist" --symbols --objects -J "$tmp/a.dump" > "$tmp/a.json" 2> "$tmp/err" ||
	ms_fail "bytehist: $(cat "$tmp/err")"
go_quit
python3 - "$tmp/a.json" "$truth" <<'PY' || ms_fail "cgo: Go code or objects not named as the Go runtime says"
import json, re, sys
a, truth = json.load(open(sys.argv[1]))["files"][0], sys.argv[2]
m = re.match(r"ok kept=(\d+) entry=0x([0-9a-f]+) file=(\S+) line=(\d+) first=", truth)
assert m, truth
kept, entry, file, line = int(m.group(1)), int(m.group(2), 16), m.group(3), int(m.group(4))
s = [x for x in a["symbols"] if int(x["addr"], 16) == entry]
print("truth", truth, "found", s, file=sys.stderr)
assert s and s[0]["symbol"] == "main.handle" and s[0]["kind"] == "text", s
assert s[0]["file"] == file and s[0]["line"] == line and s[0]["count"] >= kept, (s[0], file, line)
assert a["objects"]["allocator"] == "glibc" and a["objects"]["go"]["version"], a["objects"]["go"]
r = [c for c in a["clusters"] if c["type"] == "main.Rec"]
assert r and sum(c["count"] for c in r) == kept and all(c["holder"] == "[]*main.Rec" for c in r), r
PY
exit 0
