#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt --redact: a service that leaks records holding a password, and
# has it on its command line too.  Without --redact the secret is in the
# hunt's files (the test can fail); with it, in none of them, nor in what
# leakhunt prints: not the dumps, manifests, snapshots, report.md (its
# command line included), analysis.json or growth.svg.  The leak is still
# found.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
command -v python3 > /dev/null || ms_skip "no python3 for the leaking service"
secret=hunter2-sekrit
cat > "$tmp/svc.py" <<'PY'
import sys
keep = []
print("ready", flush=True)
for line in sys.stdin:
    n = len(keep)
    keep.extend(("user=bob;password=hunter2-sekrit-%08d;" % i) * 3 for i in range(n, n + int(line)))
    print("ok", len(keep), flush=True)
PY

hunt() # DIR OPTIONS...: hunt the service, leaking 20,000 records a snapshot
{
	local dir=$1
	shift
	mkfifo "$tmp/in.$dir" "$tmp/out.$dir"
	python3 "$tmp/svc.py" "--token=$secret" < "$tmp/in.$dir" > "$tmp/out.$dir" &
	spid=$!
	ms_at_exit "kill $spid 2>/dev/null"
	exec {sin}> "$tmp/in.$dir" {sout}< "$tmp/out.$dir"
	read -r _ <&"$sout" || ms_fail "the service did not start"
	ms_hooked "$tmp/hook.$dir" 'echo 20000 >&$sin; read -r _ <&$sout' \
		"$MS_HOOKED/leakhunt" -p "$spid" -i 10ms --count 10 -w "$tmp/$dir" "$@" \
		> "$tmp/$dir.out" 2> "$tmp/$dir.err"
	[ "$MS_RC" = 1 ] || ms_error "$dir: exit $MS_RC, not 1 (a leak): $(cat "$tmp/$dir.err")"
	kill "$spid"
	exec {sin}>&- {sout}<&-
}
hunt plain
grep -rlq "$secret" "$tmp/plain" ||
	ms_fail "without --redact the secret is in no file of the hunt: this test proves nothing"
hunt red --redact "$secret" --redact-set password
left=$(grep -rl -- "$secret" "$tmp/red" "$tmp/red.out" "$tmp/red.err")
[ -z "$left" ] || ms_error "--redact: the secret is left in $left"
for f in base.dump grown.dump report.md analysis.json snapshots/0001.snap; do
	[ -s "$tmp/red/$f" ] || ms_error "--redact: no $f"
done
grep -q '^command: `.*--redact \*\**' "$tmp/red/report.md" ||
	ms_fail "report.md's command line is not redacted: $(grep '^command:' "$tmp/red/report.md")"
grep -q '^# cmdline: .*--token=\*\**' "$tmp/red/snapshots/0001.snap" ||
	ms_fail "the snapshot's command line is not redacted: $(grep '^# cmdline' "$tmp/red/snapshots/0001.snap")"
grep -q '"redaction"' "$tmp/red/grown.dump.json" || ms_error "the manifest does not say the dump was redacted"
exit 0
