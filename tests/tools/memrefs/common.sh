# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by tests/tools/memrefs/*.sh, after tests/lib.sh: the tool, a
# temporary directory, and the test programs built (never sanitized: they
# stand for the user's process, with glibc's malloc).
memrefs=$MS_BUILDDIR/tools/memrefs
ms_tmpdir

# memrefs_need CMD... : skip unless each command is there.
memrefs_need()
{
	local c

	for c in "$@"; do
		command -v "$c" > /dev/null || ms_skip "no $c (apt-get install $(case $c in g++) echo g++ ;; gcore) echo gdb ;; go) echo golang-go ;; cc) echo gcc ;; *) echo "$c" ;; esac))"
	done
}

# memrefs_build_records: $tmp/records from records.c.
memrefs_build_records()
{
	memrefs_need "${CC_FOR_TESTS:-cc}" python3
	"${CC_FOR_TESTS:-cc}" -O1 -g -pthread -o "$tmp/records" "$MS_SRCDIR/tests/tools/memrefs/records.c" ||
		ms_fail "cannot build records.c"
}

# memrefs_check OUT.json TRUTH WHAT KEPT DROPPED: see check.py.
memrefs_check()
{
	python3 "$MS_SRCDIR/tests/tools/memrefs/check.py" "$@" ||
		ms_fail "unreferenced objects do not match the program's own list"
}

# memrefs_idle PID: wait until PID is blocked reading its next command.  A
# program answers before it returns to read(2): frozen in between, its live
# frames may still hold a pointer to what it just dropped, which then
# counts (as it should: memrefs(1), stale words).  Waiting on the process's
# state is no race with a clock: it is there, or not yet.
memrefs_idle()
{
	local i st sc

	for ((i = 0; i < 1000000; i++)); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || ms_fail "pid $1 is gone"
		read -r sc _ < "/proc/$1/syscall" 2>/dev/null || sc=
		# read(2) is 0 on x86-64, 63 on arm64.
		[ "$st" = S ] && { [ "$sc" = 0 ] || [ "$sc" = 63 ]; } && return 0
	done
	ms_fail "pid $1 never went back to reading its commands"
}

# Freezing a process that is not its child needs ptrace: Yama's
# ptrace_scope 0, or root under scope 1 or 2 (3 forbids it to all).
memrefs_need_ptrace()
{
	local scope

	scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null) || scope=0
	if [ "$scope" = 3 ] || { [ "$scope" != 0 ] && [ "$(id -u)" != 0 ]; }; then
		ms_skip "kernel.yama.ptrace_scope=$scope forbids attaching to a process that is no child"
	fi
}

# memrefs_run WANT OUT ARGS...: run memrefs ARGS, its output into OUT and its
# messages into $tmp/err; its exit status must be WANT ("0-1": either).
memrefs_run()
{
	local want=$1 out=$2 rc=0

	shift 2
	"$memrefs" "$@" > "$out" 2> "$tmp/err" || rc=$?
	case $want in
	0-1) [ "$rc" -le 1 ] ;;
	*) [ "$rc" = "$want" ] ;;
	esac || ms_fail "memrefs $*: exit $rc, want $want: $(cat "$tmp/err")"
}
