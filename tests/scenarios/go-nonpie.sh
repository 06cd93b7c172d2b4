#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A non-PIE Go program (go build's default on amd64, code at 0x401000):
# the integers of a map[int]int that fall in its code are no pointers
# into it, while 3,000 copies of a function's entry are.  Plain and
# stripped (-s -w, where .gopclntab alone says where functions start):
# bytehist --symbols names the function as often as the program keeps its
# entry, and almost none of the integers (at most those the program says
# are an entry by chance, and return sites on the goroutines' stacks).
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

for flags in "" "-ldflags=-s -w"; do
	go_build "$tmp/np" "$MS_SRCDIR/tests/scenarios/go-nonpie.go" ${flags:+"$flags"}
	command -v readelf > /dev/null && readelf -h "$tmp/np" | grep -q 'EXEC (Executable' ||
		ms_skip "go build made a PIE here"
	go_start "$tmp/np"
	go_ask report
	truth=$reply
	ms_require_ptrace "$GOP_PID_SAVED"
	"$bin/regiondump" -p "$GOP_PID_SAVED" --mapping 0xc000000000 -w "$tmp/np.dump" -f 2> "$tmp/err" ||
		ms_fail "regiondump: $(cat "$tmp/err")"
	"$bin/bytehist" --symbols -J "$tmp/np.dump" > "$tmp/np.json" 2> "$tmp/err" ||
		ms_fail "bytehist --symbols: $(cat "$tmp/err")"
	go_quit
	python3 - "$tmp/np.json" "$truth" "${flags:-plain}" <<'PY' || ms_fail "${flags:-plain}: integers taken for code"
import json, re, sys
j, truth, what = json.load(open(sys.argv[1]))["files"][0], sys.argv[2], sys.argv[3]
m = re.match(r"ok ints=(\d+) same=(\d+) entry=0x([0-9a-f]+) name=(\S+) lo=0x([0-9a-f]+) span=(\d+)$", truth)
assert m, truth
same, entry, name, lo, span = int(m.group(2)), int(m.group(3), 16), m.group(4), int(m.group(5), 16), int(m.group(6))
text = [x for x in j["symbols"] if x["kind"] == "text" and lo <= int(x["addr"], 16) < lo + span]
fn = [x for x in text if x["symbol"] == name]
others = sum(x["count"] for x in text if x["symbol"] != name)
print("%s: %s; %s named %s times, %d other words into its code" % (what, truth, name,
      [x["count"] for x in fn], others), file=sys.stderr)
assert fn and 3000 <= fn[0]["count"] <= 3000 + same + 20, fn
assert others <= same + 200, others
PY
done
exit 0
