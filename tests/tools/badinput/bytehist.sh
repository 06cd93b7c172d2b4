#!/bin/bash
# bytehist's catalogue of bad inputs: each with its exact message and status.
. "${MS_SRCDIR:-.}/tests/lib.sh"
bytehist=$MS_BUILDDIR/tools/bytehist
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"

# expect STATUS FIRST-STDERR-LINE -- ARGS...
expect()
{
	local want=$1 msg=$2 rc=0
	shift 3
	"$bytehist" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null || rc=$?
	[ "$rc" = "$want" ] || ms_fail "bytehist $*: exit $rc, want $want ($(cat "$tmp/err"))"
	[ "$(head -n 1 "$tmp/err")" = "$msg" ] || ms_fail "bytehist $*: said \"$(head -n 1 "$tmp/err")\", want \"$msg\""
}

# An empty input with patterns: nothing to scan (found by fuzz-hist: the
# pattern scanner used its window before it had one, UB under UBSan).
: > "$tmp/empty"
expect 0 "" -- -e deadbeef -E 'a+' -J "$tmp/empty"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert [p["count"] for p in j["patterns"]]==[0,0], j["patterns"]' "$tmp/out" ||
	ms_fail "empty input: patterns not counted as 0"
exit 0
