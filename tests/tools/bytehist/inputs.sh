#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist on odd inputs: empty, one byte, a text file that is no dump,
# stdin, several files with one missing, and bad usage.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
ms_tmpdir

# expect STATUS FIRST-STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect "$want" "$msg" "$bytehist" "$@"; }

# Empty: a summary that says so, and JSON with zero counts.
: > "$tmp/empty"
expect 0 "" -- "$tmp/empty"
printf '%s\n' "$tmp/empty: 0B (0 bytes), 0 blocks of 4K, offsets from its start" \
	"entropy 0.00 bits/byte; 0 of 0 pages zero (0.0%)" "classes: none (empty input)" > "$tmp/want"
ms_compare "$tmp/want" "$tmp/out"
"$bytehist" -J "$tmp/empty" | python3 -c 'import json,sys; j=json.load(sys.stdin)["files"][0]; assert j["size"]==0 and sum(j["bytes"])==0 and j["strings"]==[] and j["runs"]==[]' ||
	ms_fail "empty: bad JSON"

# One byte: counted, one partial block of class fill.
printf 'Z' > "$tmp/one"
"$bytehist" -J "$tmp/one" | python3 -c 'import json,sys; j=json.load(sys.stdin)["files"][0]; assert j["size"]==1 and j["bytes"][90]==1 and j["blocks"]["fill"]=={"blocks":1,"bytes":1}, j' ||
	ms_fail "one byte: bad JSON"

# A text file is no dump, but is analysed all the same: mostly text blocks,
# its words as strings.  (The man page says so.)
for i in $(seq 1 200); do echo "line $i of a plain text file, not a dump at all"; done > "$tmp/text"
"$bytehist" -J "$tmp/text" > "$tmp/text-report" || ms_fail "text file: exit $?"
python3 - "$tmp/text-report" <<'PY' || ms_fail "text file: wrong analysis"
import json, sys
j = json.load(open(sys.argv[1]))["files"][0]
assert j["blocks"]["text"]["blocks"] > 0, j["blocks"]
assert sum(v["blocks"] for k, v in j["blocks"].items() if k != "text") == 0, j["blocks"]
s = {x["text"]: x for x in j["strings"]}
assert len(s) == 200 and all(x["count"] == 1 for x in s.values()), len(s)
assert s["line 1 of a plain text file, not a dump at all"]["first"] == "0x0"
assert s["line 200 of a plain text file, not a dump at all"]["first"] == hex(j["size"] - 49)
PY

# libmagic names a gzip stream at the start of a random region.
head -c 300000 "$bytehist" | gzip -c > "$tmp/z.gz"
"$bytehist" -J "$tmp/z.gz" | python3 -c 'import json,sys; r=json.load(sys.stdin)["files"][0]["regions"][0]; assert r["class"]=="random" and r["type"].startswith("gzip compressed data"), r' ||
	ms_fail "gzip: not recognised by libmagic"
"$bytehist" --no-magic -J "$tmp/z.gz" | python3 -c 'import json,sys; assert "type" not in json.load(sys.stdin)["files"][0]["regions"][0]' ||
	ms_fail "--no-magic: still asked libmagic"

# stdin, as no FILE and as "-": the same report as the file, named "-".
"$bytehist" "$tmp/text" | sed 1d > "$tmp/a"
"$bytehist" < "$tmp/text" > "$tmp/b"
head -n 1 "$tmp/b" | grep -q '^-: ' || ms_fail "stdin not named \"-\": $(head -n 1 "$tmp/b")"
sed -i 1d "$tmp/b"
ms_compare "$tmp/a" "$tmp/b"
# A pipe cannot be read twice: the same report but for the example record.
cat "$tmp/text" | "$bytehist" - | sed 1d > "$tmp/c"
grep -q '^  [0-9a-f]\{12\}  ' "$tmp/a" || ms_error "no example record from a file"
grep -q '^  [0-9a-f]\{12\}  ' "$tmp/c" && ms_fail "an example record from a pipe"
grep -v '^  [0-9a-f]\{12\}  \|^  \.\.\. \|^one of them:$' "$tmp/a" > "$tmp/a2"
ms_compare "$tmp/a2" "$tmp/c"

# Several files, one missing: the others analysed, exit 1; JSON is an array.
expect 1 "bytehist: $tmp/missing: No such file or directory" -- -J "$tmp/one" "$tmp/missing" "$tmp/empty"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["memsift_json"]==1 and [x["size"] for x in j["files"]]==[1,0], j' "$tmp/out" ||
	ms_fail "two of three files: bad JSON array"
expect 1 "bytehist: $tmp: is a directory" -- "$tmp"

# Bad usage: one line, exit 1.
expect 1 "bytehist: block size 3000 is not a power of two from 512 to 1M" -- -B 3000 "$tmp/one"
expect 1 "bytehist: --min-length: number \"1\" out of range; use a decimal number from 2 to 256" -- --min-length 1 "$tmp/one"
expect 1 "bytehist: --sections: unknown section \"bogus\"; use summary, bytes, blocks, runs, strings, words, patterns or all" -- -s runs,bogus "$tmp/one"
expect 1 "bytehist: --pattern: bad hex pattern \"xyz\": use pairs of hex digits, as in deadbeef or \"de ad be ef\"" -- -e xyz "$tmp/one"
expect 1 "bytehist: --regex: bad regex \"(a\" at offset 2: missing closing parenthesis" -- -E '(a' "$tmp/one"
expect 1 "bytehist: options --json and --raw are mutually exclusive" -- -J -r "$tmp/one"
expect 1 "bytehist: unrecognized option '--bogus'" -- --bogus
grep -qx "Try 'bytehist --help' for more information." "$tmp/err" || ms_error "--bogus: no hint to --help"

# A failed write fails.
rc=0; "$bytehist" "$tmp/text" > /dev/full 2> "$tmp/err" || rc=$?
[ "$rc" = 1 ] || ms_error "write to /dev/full: exit $rc"
exit 0
