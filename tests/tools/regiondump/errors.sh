#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump's errors: one line naming what is wrong, exit 1; a process that
# exits mid-dump leaves what was read, marked incomplete.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

# expect STATUS STDERR-LINE -- ARGS...
expect() { local want=$1 msg=$2; shift 3; ms_expect "$want" "$msg" "$regiondump" "$@"; }

expect 1 "regiondump: no process given; use -p PID" -- 1000 4K
expect 1 "regiondump: no range given; use ADDR SIZE, ADDR-END, ADDR+SIZE, --mapping ADDR or --anon" -- -p 1
expect 1 "regiondump: no size after \"1000\"; use ADDR SIZE, ADDR-END or ADDR+SIZE" -- -p 1 1000
expect 1 "regiondump: unexpected argument \"x\"" -- -p 1 1000 4K x
expect 1 "regiondump: bad size \"0\": nothing to dump" -- -p 1 1000 0
expect 1 "regiondump: options --anon and --mapping are mutually exclusive" -- -p 1 --anon --mapping 1000
expect 1 "regiondump: options --zstd and --format are mutually exclusive" -- -p 1 -z --format core --anon
expect 1 "regiondump: unknown format \"elf\"; use raw or core" -- -p 1 --format elf --anon
expect 1 "regiondump: unexpected argument \"1000\" with --anon" -- -p 1 --anon 1000
[ "$(sed -n 2p "$tmp/err")" = "Try 'regiondump --help' for more information." ] || ms_error "no try-help line"

leaker_start
pid=$LEAKER_PID

# An address outside every mapping: the nearest mappings are named.
first=$(head -n 1 /proc/"$pid"/maps)
expect 1 "regiondump: 1000-2000: outside every mapping of pid $pid; nearest below: none; above: $(echo "$first" | awk '{ printf "%s %s %s", $1, $2, $6 }')" -- -p "$pid" 1000 4K -w "$tmp/x"
[ ! -e "$tmp/x" ] && [ ! -e "$tmp/x.json" ] || ms_error "output left for a refused range"

# Permission denied: another uid may not read a root process.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	leaker_cmd mmap 4K
	a=$(leaker_field addr)
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups "$regiondump" -p "$pid" "$a" 4K -w - \
		> /dev/null 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] || ms_error "another uid: exit $rc"
	grep -q "^regiondump: pid $pid: ptrace refused (it runs as uid 0, this process as uid 65534); run as uid 0 or with CAP_SYS_PTRACE$" "$tmp/err" ||
		ms_fail "another uid: $(cat "$tmp/err")"
fi

# The process exits mid-dump: the test hook stops regiondump after its first
# batch, the leaker quits, and regiondump goes on to find it gone.
leaker_cmd mmap 16M 0x42
a=$(leaker_field addr)
mkfifo "$tmp/hook"
MEMSIFT_TEST_HOOK=progress:$tmp/hook "$MS_HOOKED/regiondump" -p "$pid" "$a" 16M -w "$tmp/mid" 2>"$tmp/err" &
rd=$!
read -r ev < "$tmp/hook"
[ "$ev" = progress ] || ms_error "hook said \"$ev\""
leaker_stop
echo go > "$tmp/hook"
rc=0
wait "$rd" || rc=$?
[ "$rc" = 1 ] || ms_error "exit $rc after the process exited mid-dump"
grep -q "^regiondump: pid $pid: exited during the dump at 0x[0-9a-f]*; kept the [0-9]* bytes read, marked incomplete$" "$tmp/err" ||
	ms_fail "mid-dump message: $(cat "$tmp/err")"
[ -f "$tmp/mid" ] || ms_error "nothing kept of a dump cut short"
size=$(stat -c %s "$tmp/mid")
((size > 0 && size < 16777216)) || ms_fail "kept $size bytes"
[ "$(od -An -tx1 -j $((size - 1)) -N 1 "$tmp/mid" | tr -d ' ')" = 42 ] || ms_error "kept bytes are not the leaker's"
grep -qx '  "complete": false,' "$tmp/mid.json" || ms_error "manifest not marked incomplete"
grep -q "\"bytes\": {\"requested\":16777216,\"read\":$size," "$tmp/mid.json" || ms_error "manifest does not count $size bytes read"

# The pid is gone before the dump: nothing written.
expect 1 "regiondump: pid $pid: no such process" -- -p "$pid" "$a" 4K -w "$tmp/gone"
[ ! -e "$tmp/gone" ] && [ ! -e "$tmp/gone.json" ] || ms_error "output left for a gone pid"
[ -z "$(find "$tmp" -name '.*' -type f)" ] || ms_error "temporary file left"

"$regiondump" --help | grep -q '^Usage:' || ms_fail "--help has no usage"
"$regiondump" --version | grep -q '^regiondump from memsift ' || ms_fail "--version wrong"
exit 0
