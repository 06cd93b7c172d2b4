#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch --gctrace: Go's live heap after each GC, judged as a mapping is.
# The captures are real (tests/fixtures/gctrace); a live run of the leaking
# program, when go is installed, checks the same through a pipe.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
mw=$MS_BUILDDIR/tools/mapswatch
fx=$MS_SRCDIR/tests/fixtures/gctrace

"$mw" --gctrace "$fx/leak.gctrace" > "$tmp/leak" || ms_fail "--gctrace leak.gctrace"
grep -q "^$fx/leak.gctrace: live heap after GC grows with no steady state, +" "$tmp/leak" ||
	ms_fail "the leaking program is not said to grow: $(tail -n 1 "$tmp/leak")"
"$mw" --gctrace - < "$fx/steady.gctrace" > "$tmp/steady" || ms_fail "--gctrace - (steady)"
grep -q "^standard input: live heap after GC " "$tmp/steady" || ms_error "stdin not named"
grep -q "grows with no steady state" "$tmp/steady" &&
	ms_fail "a heap that returns to its floor is said to grow: $(tail -n 1 "$tmp/steady")"

# One row per GC line, with the live heap of each as Go printed it.
"$mw" -J --gctrace "$fx/leak.gctrace" > "$tmp/leak.json" || ms_fail "-J --gctrace"
python3 - "$tmp/leak.json" "$fx/leak.gctrace" <<'PY' || ms_fail "JSON rows differ from the log"
import json, re, sys
j = json.load(open(sys.argv[1]))
lines = [l for l in open(sys.argv[2]) if re.match(r"gc \d+ @", l)]
assert len(j["gcs"]) == len(lines), (len(j["gcs"]), len(lines))
for g, l in zip(j["gcs"], lines):
    n, live = re.match(r"gc (\d+) @.*?->\d+->(\d+) MB", l).groups()
    assert g["gc"] == int(n) and g["live"] == int(live) << 20, (g, l)
assert j["verdict"] == "grows with no steady state", j["verdict"]
PY

# Live: the leaking program's stderr piped straight in.
if command -v go > /dev/null; then
	export GOCACHE=$tmp/gocache GO111MODULE=off
	(cd "$fx" && go build -o "$tmp/leak" leak.go) || ms_fail "go build leak.go"
	GODEBUG=gctrace=1 "$tmp/leak" 2>&1 >/dev/null | "$mw" --gctrace - > "$tmp/live" ||
		ms_fail "--gctrace on a live pipe"
	grep -q "^standard input: live heap after GC grows with no steady state" "$tmp/live" ||
		ms_fail "live: $(tail -n 1 "$tmp/live")"
else
	echo "# go not installed: the live pipe is not tried" >&2
fi

# Bad input: one line, exit 1, nothing on stdout.
for args in "--gctrace $tmp/none" "--gctrace /etc/hostname" "--gctrace $fx/leak.gctrace -p $$"; do
	rc=0
	# shellcheck disable=SC2086
	"$mw" $args > "$tmp/out" 2> "$tmp/err" || rc=$?
	[ "$rc" -eq 1 ] || ms_error "$args: exit status $rc, not 1"
	[ "$(wc -l < "$tmp/err")" -eq 1 ] || ms_error "$args: not one line: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || ms_error "$args: wrote to stdout"
done
grep -q "reads a log, not a process" "$tmp/err" || ms_error "-p with --gctrace: $(cat "$tmp/err")"
exit 0
