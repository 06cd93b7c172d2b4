# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for memsift's shell tests, sourced by tests/tools/<tool>/<case>.sh.
#
# A test drives tests/leaker over a pipe and waits by reading its reply, never
# with sleep.  Exit codes follow Automake's harness: 0 pass, 1 fail, 77 skip.
#
#   MS_BUILDDIR          where the build tree is (default: .)
#   MS_LEAKER            the leaker binary (default: $MS_BUILDDIR/tests/leaker/leaker)
#   MS_HOOKED            the tools built with MEMSIFT_TEST_HOOK (leakhunt, mapswatch,
#                        regiondump), for tests that pause them at a known point
#                        (default: $MS_BUILDDIR/tests/hooked); the installed tools ignore it
#   MS_LEAKER_TIMEOUT    seconds to wait for one reply before failing (default: 60);
#                        a guard against a hung leaker, not a way to wait
#
#   ms_fail MSG (fails now)  ms_error MSG (fails at the end: every failed check
#   is reported)  ms_skip WHY  ms_compare EXPECTED ACTUAL  ms_at_exit CMD
#   ms_tmpdir (sets tmp, removed at exit)  ms_expect [-a|-1|-t] [-q] STATUS MSG CMD...
#   ms_require_ptrace PID (skips unless the kernel lets this process read PID's memory)
#   leaker_start (sets LEAKER_PID)  leaker_cmd CMD  leaker_try CMD (reply in
#   LEAKER_REPLY)  leaker_field KEY  leaker_stop

# coproc, arrays and {fd} redirections need bash.  A harness that runs tests
# with sh (Automake's SH_LOG_COMPILER = $(SHELL) is /bin/sh, dash on Debian)
# gets the test re-run under bash; this must stay the first command here.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi

: "${MS_BUILDDIR:=.}"
: "${MS_LEAKER:=$MS_BUILDDIR/tests/leaker/leaker}"
: "${MS_HOOKED:=$MS_BUILDDIR/tests/hooked}"
: "${MS_LEAKER_TIMEOUT:=60}"

ms_test_name=${0##*/}
ms_at_exit_cmds=()
ms_leaker_cpid=
# Failed checks are counted in a file, a line each, so that one failed in
# a subshell (a pipeline's while loop, $(...), ( ... )) fails the test too.
ms_failfile=$(mktemp "${TMPDIR:-/tmp}/ms-failed.XXXXXX") || { echo "cannot make a temporary file" >&2; exit 1; }

# ms_fail MSG: report a failure and end the test.  In a subshell it ends
# only the subshell, so the file records it: the test fails at its exit.
ms_fail()
{
	printf '%s: FAIL: %s\n' "$ms_test_name" "$*" >&2
	echo >> "$ms_failfile"
	exit 1
}

# ms_error MSG: report a failed check and go on, so that one run shows every
# check that fails; the test then fails when it exits, whatever its status.
ms_error()
{
	printf '%s: FAIL: %s\n' "$ms_test_name" "$*" >&2
	echo >> "$ms_failfile"
}

# ms_tmpdir: set tmp to a new directory, removed when the test exits.
ms_tmpdir()
{
	tmp=$(mktemp -d) || ms_fail "cannot make a temporary directory"
	ms_at_exit "rm -rf '$tmp'"
}

# ms_expect [-a|-1|-t] [-q] STATUS MSG CMD...: run CMD with no input, its
# stdout in $tmp/out (or $MS_EXPECT_OUT) and its stderr in $tmp/err.  It must exit STATUS and
# say MSG: the first line of its stderr, with the program's path cut to its
# name as a user sees it; -a: all of stderr; -1: and nothing more; -t: and
# nothing more but the "Try 'TOOL --help'" line.  -q: and nothing on stdout.
# A mismatch is reported with ms_error (the test goes on) and returns 1.
ms_expect()
{
	local lines= quiet= want msg rc=0 got n out=${MS_EXPECT_OUT:-$tmp/out}
	while :; do
		case $1 in
		-a|-1|-t) lines=$1; shift ;;
		-q) quiet=1; shift ;;
		*) break ;;
		esac
	done
	want=$1 msg=$2
	shift 2
	"$@" < /dev/null > "$out" 2> "$tmp/err" || rc=$?
	# getopt names the program as it was called: keep only its base name.
	got=$(sed "s|^$1:|${1##*/}:|" "$tmp/err")
	[ "$lines" = -a ] || got=${got%%$'\n'*}
	n=$(wc -l < "$tmp/err")
	if [ "$rc" != "$want" ]; then
		ms_error "${1##*/} ${*:2}: exit $rc, want $want ($(cat "$tmp/err"))"
	elif [ "$got" != "$msg" ]; then
		ms_error "${1##*/} ${*:2}: said \"$(cat "$tmp/err")\", want \"$msg\""
	elif [ "$lines" = -1 ] && [ "$n" -gt 1 ]; then
		ms_error "${1##*/} ${*:2}: more than one line on stderr: $(cat "$tmp/err")"
	elif [ "$lines" = -t ] && [ "$n" -gt 1 ] &&
	     [ "$(sed -n 2p "$tmp/err")" != "Try '${1##*/} --help' for more information." ]; then
		ms_error "${1##*/} ${*:2}: more than one line: $(cat "$tmp/err")"
	elif [ -n "$quiet" ] && [ -s "$out" ]; then
		ms_error "${1##*/} ${*:2}: wrote to stdout: $(head -c 300 "$out")"
	else
		return 0
	fi
	return 1
}

ms_skip()
{
	printf '%s: SKIP: %s\n' "$ms_test_name" "$*" >&2
	exit 77
}

# ms_compare EXPECTED ACTUAL: files; show the difference and fail if they differ.
ms_compare()
{
	[ -r "$1" ] || ms_fail "no expected output $1"
	[ -r "$2" ] || ms_fail "no actual output $2"
	diff -u -- "$1" "$2" >&2 || ms_fail "$2 differs from $1"
}

# ms_at_exit CMD...: run CMD when the test exits, however it exits.
ms_at_exit()
{
	ms_at_exit_cmds+=("$*")
}

ms_cleanup()
{
	local rc=$? cmd failed=0

	# A test that failed midway must not leave a leaker behind.
	if [ -n "$ms_leaker_cpid" ]; then
		kill -KILL "$ms_leaker_cpid" 2>/dev/null || :
		wait "$ms_leaker_cpid" 2>/dev/null || :
	fi
	for cmd in "${ms_at_exit_cmds[@]}"; do
		eval "$cmd" || :
	done
	# Checks that failed with ms_error fail the test, even one that then
	# passed the rest or skipped: each is a line of the file.
	[ -s "$ms_failfile" ] && failed=$(wc -l < "$ms_failfile")
	rm -f "$ms_failfile"
	if [ "$failed" -gt 0 ] && { [ "$rc" = 0 ] || [ "$rc" = 77 ]; }; then
		printf '%s: %d check(s) failed\n' "$ms_test_name" "$failed" >&2
		exit 1
	fi
}
# A test needing its own cleanup uses ms_at_exit, not a trap of its own.
trap ms_cleanup EXIT

# ms_hooked FIFO CMDS COMMAND...: run COMMAND (leakhunt, mapswatch) with its
# snapshot hook on FIFO (made here if need be) while a driver runs the shell
# commands CMDS at each line the hook writes, then lets COMMAND go on: growth
# happens between snapshots, never racing the interval.  COMMAND's exit
# status is left in MS_RC; the driver is gone when ms_hooked returns.
# Skip, saying why, unless the kernel lets this process read PID's memory:
# asked of the kernel alone (opening /proc/PID/mem), so that a test whose
# tool fails to read it fails, and only a missing capability skips.
ms_require_ptrace()
{
	( : < "/proc/$1/mem" ) 2> /dev/null ||
		ms_skip "cannot open /proc/$1/mem (kernel.yama.ptrace_scope? no CAP_SYS_PTRACE?)"
}

ms_hooked()
{
	local fifo=$1 cmds=$2 driver
	shift 2
	[ -p "$fifo" ] || mkfifo "$fifo"
	# The leaker's descriptors are plain ones, so the driver may use them.
	(
		while read -r line < "$fifo"; do
			eval "$cmds"
			echo go > "$fifo"
		done
	) &
	driver=$!
	ms_at_exit "kill $driver 2>/dev/null"
	MS_RC=0
	MEMSIFT_TEST_HOOK=snapshot:$fifo "$@" || MS_RC=$?
	kill "$driver" 2>/dev/null
	wait "$driver" 2>/dev/null
}

# Start the leaker as a coprocess and set LEAKER_PID from its "ready PID" line.
leaker_start()
{
	[ -z "$ms_leaker_cpid" ] || ms_fail "leaker_start: a leaker is already running"
	[ -x "$MS_LEAKER" ] || ms_fail "leaker not found at $MS_LEAKER; build it, or set MS_LEAKER"
	coproc MS_LEAKER_CO { exec "$MS_LEAKER"; }
	ms_leaker_cpid=$MS_LEAKER_CO_PID
	# Own copies: bash unsets the coproc's variables as soon as it exits,
	# which would turn a leaker crash into a confusing "bad file descriptor".
	# Close bash's, so closing LEAKER_OUT alone gives the leaker its EOF.
	exec {LEAKER_IN}<&"${MS_LEAKER_CO[0]}" {LEAKER_OUT}>&"${MS_LEAKER_CO[1]}"
	eval "exec ${MS_LEAKER_CO[0]}<&- ${MS_LEAKER_CO[1]}>&-"
	ms_leaker_read "start" || ms_fail "leaker: no \"ready\" line from $MS_LEAKER"
	case $LEAKER_REPLY in
	"ready "[0-9]*) LEAKER_PID=${LEAKER_REPLY#ready } ;;
	*) ms_fail "leaker: expected \"ready PID\" on start, got \"$LEAKER_REPLY\"" ;;
	esac
}

ms_leaker_read()
{
	LEAKER_REPLY=
	IFS= read -r -t "$MS_LEAKER_TIMEOUT" -u "$LEAKER_IN" LEAKER_REPLY
}

# leaker_try CMD...: send one command, reply in LEAKER_REPLY.  Returns 1 on an
# "error" reply; fails the test only if the leaker gave no reply at all.
leaker_try()
{
	[ -n "$ms_leaker_cpid" ] || ms_fail "leaker_try $*: no leaker; call leaker_start first"
	# In a subshell, so a dead leaker gives EPIPE here instead of SIGPIPE
	# killing the test; ignoring SIGPIPE in the test itself would pass that on
	# to every tool it runs.
	(trap '' PIPE; printf '%s\n' "$*" >&"$LEAKER_OUT") 2>/dev/null ||
		ms_fail "leaker: cannot send \"$*\"; did it die?"
	ms_leaker_read || ms_fail "leaker: no reply to \"$*\" within ${MS_LEAKER_TIMEOUT}s"
	case $LEAKER_REPLY in
	error*) return 1 ;;
	esac
	return 0
}

# leaker_cmd CMD...: like leaker_try, but an "error" reply fails the test.
leaker_cmd()
{
	leaker_try "$@" || ms_fail "leaker: \"$*\" answered \"$LEAKER_REPLY\""
}

# leaker_field KEY: print the value of KEY=VALUE in the last reply.
leaker_field()
{
	local word

	for word in $LEAKER_REPLY; do
		case $word in
		"$1="*) printf '%s\n' "${word#*=}"; return 0 ;;
		esac
	done
	ms_fail "leaker: no $1= in \"$LEAKER_REPLY\""
}

# Ask the leaker to quit and wait for it: it must answer and exit 0.
leaker_stop()
{
	local rc=0 extra

	leaker_cmd quit
	[ "$LEAKER_REPLY" = "ok bye" ] || ms_fail "leaker: quit answered \"$LEAKER_REPLY\""
	# EOF on its stdout means it has exited; unlike wait, read can time out,
	# so a leaker stuck on the way out fails the test instead of hanging it.
	IFS= read -r -t "$MS_LEAKER_TIMEOUT" -u "$LEAKER_IN" extra || rc=$?
	if [ "$rc" -gt 128 ]; then
		ms_fail "leaker: still running ${MS_LEAKER_TIMEOUT}s after \"ok bye\""
	elif [ "$rc" -eq 0 ]; then
		ms_fail "leaker: wrote \"$extra\" after \"ok bye\""
	fi
	rc=0
	exec {LEAKER_OUT}>&- {LEAKER_IN}<&-
	wait "$ms_leaker_cpid" || rc=$?
	ms_leaker_cpid=
	LEAKER_PID=
	[ "$rc" -eq 0 ] || ms_fail "leaker: exited with status $rc after quit"
}
