#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shell tests' own helpers (tests/lib.sh), run in child shells: a test
# that fails two checks with ms_error reports both and fails at its end,
# even after "exit 0" or a skip, and when they failed in a subshell;
# ms_expect reports a wrong status, message or stdout and goes on;
# ms_tmpdir's directory goes at exit.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
lib=$(cd "${MS_SRCDIR:-.}" && pwd)/tests/lib.sh

child() # SCRIPT: run it as a test would be run; its stderr in $tmp/child.err
{
	printf '. "%s"\n%s\n' "$lib" "$1" > "$tmp/child.sh"
	bash "$tmp/child.sh" > /dev/null 2> "$tmp/child.err"
}

child 'ms_error one; ms_error two; exit 0'; rc=$?
[ $rc = 1 ] || ms_fail "two ms_error then exit 0: exit $rc, want 1"
[ "$(grep -c ': FAIL: ' "$tmp/child.err")" = 2 ] || ms_fail "not both checks reported: $(cat "$tmp/child.err")"
# A check failed in a subshell (a pipeline's loop, $(...)) fails the test too.
child 'printf "a\nb\n" | while read -r l; do ms_error "$l"; done; x=$(ms_error three); exit 0'; rc=$?
[ $rc = 1 ] || ms_fail "ms_error in subshells then exit 0: exit $rc, want 1"
grep -q "3 check(s) failed" "$tmp/child.err" || ms_fail "subshells' checks not counted: $(cat "$tmp/child.err")"
child 'echo x | while read -r l; do ms_fail "in a loop"; done; exit 0'; rc=$?
[ $rc = 1 ] || ms_fail "ms_fail in a pipeline's loop then exit 0: exit $rc, want 1"
child 'ms_error one; ms_skip because'; rc=$?
[ $rc = 1 ] || ms_fail "ms_error then ms_skip: exit $rc, want 1"
child 'ms_tmpdir; echo "$tmp" > '"'$tmp/dir'"'; exit 0'; rc=$?
[ $rc = 0 ] || ms_fail "ms_tmpdir alone: exit $rc"
[ -s "$tmp/dir" ] && [ ! -e "$(cat "$tmp/dir")" ] || ms_fail "ms_tmpdir's $(cat "$tmp/dir") left behind"

# ms_expect: right, then wrong status, wrong message, stdout with -q; all reported.
child 'ms_tmpdir
ms_expect 3 "x: bad" sh -c "echo x: bad >&2; exit 3" || ms_fail "a right call failed"
ms_expect 2 "x: bad" sh -c "echo x: bad >&2; exit 3"
ms_expect 3 "x: good" sh -c "echo x: bad >&2; exit 3"
ms_expect -q 3 "x: bad" sh -c "echo out; echo x: bad >&2; exit 3"
ms_expect -1 3 "x: bad" sh -c "printf \"x: bad\nmore\n\" >&2; exit 3"
ms_expect -a 3 "$(printf "x: bad\nmore")" sh -c "printf \"x: bad\nmore\n\" >&2; exit 3" || ms_fail "-a"
exit 0'; rc=$?
[ $rc = 1 ] || ms_fail "ms_expect mismatches: exit $rc, want 1"
for what in "exit 3, want 2" 'want "x: good"' "wrote to stdout: out" "more than one line"; do
	grep -qF -- "$what" "$tmp/child.err" || ms_fail "ms_expect did not report \"$what\": $(cat "$tmp/child.err")"
done
[ "$(grep -c ': FAIL: ' "$tmp/child.err")" = 4 ] || ms_fail "want 4 failed checks: $(cat "$tmp/child.err")"
exit 0
