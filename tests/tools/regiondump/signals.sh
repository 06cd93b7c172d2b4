#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ^C or SIGTERM in the middle of a dump: the tool dies of the signal, leaves
# no file (final, temporary or manifest) behind, and the target runs on.
# A setuid copy refuses to run.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 16M 0x5a
addr=$(leaker_field addr)
mkfifo "$tmp/hook"
mkdir "$tmp/out"

for sig in INT TERM; do
	# The hook stops the dump after its first progress report, until told to
	# go on.  bash starts background jobs with SIGINT ignored, as a tool run
	# from a terminal never is: restore it first.
	MEMSIFT_TEST_HOOK=progress:$tmp/hook python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$MS_HOOKED/regiondump" -p "$pid" "$addr" 16M -w "$tmp/out/d" 2>/dev/null &
	rd=$!
	read -r ev < "$tmp/hook"
	[ "$ev" = progress ] || ms_error "hook said \"$ev\""
	ls -A "$tmp/out" | grep -q '^\.d\.' || ms_fail "no temporary file while dumping: $(ls -A "$tmp/out")"
	kill -s "$sig" "$rd"
	rc=0
	wait "$rd" || rc=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" = "$want" ] || ms_error "SIG$sig: exit $rc, want $want (death by the signal)"
	[ -z "$(ls -A "$tmp/out")" ] || ms_error "SIG$sig left files: $(ls -A "$tmp/out")"
	leaker_cmd report	# the target answers: it runs on
done

# Installed setuid, it would let anyone read anyone's memory.  A copy
# owned by another user needs root to make: an unprivileged run says so.
cp "$regiondump" "$tmp/rd-suid"
if ! id nobody >/dev/null 2>&1 || ! chown nobody "$tmp/rd-suid" 2>/dev/null; then
	echo "signals.sh: the setuid check is not run: a copy owned by another user needs root" >&2
else
	chmod 4755 "$tmp/rd-suid"
	rc=0
	"$tmp/rd-suid" -p "$pid" "$addr" 4K -o "$tmp/out/x" 2> "$tmp/err" || rc=$?
	if [ "$(stat -c %u "$tmp/rd-suid")" != 0 ] && ! grep -q nosuid <(findmnt -no OPTIONS --target "$tmp"); then
		[ "$rc" = 1 ] || ms_error "setuid copy: exit $rc"
		grep -q "^rd-suid: refusing to run setuid or setgid; run it as the user who may read the process$" "$tmp/err" ||
			grep -q "refusing to run setuid or setgid" "$tmp/err" || ms_error "setuid copy said: $(cat "$tmp/err")"
		[ ! -e "$tmp/out/x" ] || ms_error "the setuid copy wrote a dump"
	fi
fi
leaker_stop
exit 0
