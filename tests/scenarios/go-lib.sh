# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the Go tests (tests/scenarios/go-*.sh): Go programs of
# tests/scenarios built with Go's caches in the build tree (make check may
# run where $HOME is not writable), started over a pipe and asked one
# command at a time, never waited for with sleep.
#
#   go_init                      a tmp dir ($tmp, removed at exit), the tools ($bin);
#                                skips without python3, which reads the tools' JSON
#   go_toolchains                the Go toolchains to test with, one path a line: go on
#                                the PATH (Debian's 1.19), then any newer Go installed
#                                in /usr/lib/go-1.N (golang-1.22-go from bookworm-backports)
#   go_build OUT SRC [ARGS...]   $GO build ARGS -o OUT SRC; skips when go is absent
#   go_start BIN [ARGS...]       start BIN over a pipe (GOP_PID); reads "ready PID"
#   go_ask CMD                   send CMD, read the answer into $reply; fails on none or "error"
#   go_quit                      ask it to quit, and wait for it
#   go_two_dumps FIRST SECOND    on it: a snapshot, the shell commands FIRST, a dump of what
#                                grew ($tmp/old.dump), SECOND, another ($tmp/new.dump) and
#                                its maps ($tmp/maps); bytehist --objects -J --base of the
#                                two into $tmp/a.json while it runs (the runtime's books,
#                                mheap_ in .bss, are read from it where the dumps lack
#                                them); then go_quit
#   go_toolchain                 $GO's version ("go1.19.8")
#   go_hunt CMDS [OPTS...]       leakhunt -i 10ms OPTS on it (the test build, whose snapshot
#                                hook pauses it), running the shell commands CMDS
#                                at each line of its snapshot hook ($line), their answers
#                                logged to $tmp/hooks; leakhunt's status in $hunt_rc
. "${MS_SRCDIR:-.}/tests/lib.sh"

go_env()
{
	mkdir -p "$MS_BUILDDIR/tests/leaker/go-cache"
	HOME=$MS_BUILDDIR/tests/leaker/go-cache GOCACHE=$MS_BUILDDIR/tests/leaker/go-cache \
		GOPATH=$MS_BUILDDIR/tests/leaker/go-cache/path GOFLAGS= GO111MODULE=off "$@"
}

GO=${GO:-go}

go_init()
{
	tmp=$(mktemp -d)
	ms_at_exit "rm -rf '$tmp'"
	bin=$MS_BUILDDIR/tools
	command -v python3 > /dev/null || ms_skip "no python3 to read the tools' JSON (apt-get install python3)"
}

go_toolchains()
{
	local g v seen

	command -v go > /dev/null || ms_skip "no go to build the Go program (apt-get install golang-go)"
	seen=$(go_env go env GOVERSION)
	echo go
	for g in /usr/lib/go-1.*/bin/go; do
		[ -x "$g" ] && v=$(go_env "$g" env GOVERSION 2> /dev/null) || continue
		[ "$v" != "$seen" ] && echo "$g"
	done
	[ -n "$(ls /usr/lib/go-1.2*/bin/go 2> /dev/null)" ] ||
		echo "go-lib: no newer Go than $seen (golang-1.22-go from bookworm-backports): tested with $seen only" >&2
}

go_build()
{
	local out=$1 src=$2

	shift 2
	command -v "$GO" > /dev/null || ms_skip "no go to build the Go program (apt-get install golang-go)"
	go_env "$GO" build "$@" -o "$out" "$src" || ms_fail "$GO build $* $src failed"
}

go_toolchain()
{
	go_env "$GO" env GOVERSION
}

go_start()
{
	local line

	coproc GOP { exec "$@"; }
	GOP_PID_SAVED=$GOP_PID
	ms_at_exit "kill $GOP_PID 2>/dev/null"
	# Plain descriptors: bash keeps a coprocess's from subshells (the hook's driver).
	exec {GO_IN}<&"${GOP[0]}" {GO_OUT}>&"${GOP[1]}"
	read -r line <&"$GO_IN" || ms_fail "$1 did not start"
	[ "$line" = "ready $GOP_PID" ] || ms_error "$1 said \"$line\", not \"ready $GOP_PID\""
}

go_ask()
{
	echo "$1" >&"$GO_OUT"
	read -r reply <&"$GO_IN" || ms_fail "no answer to \"$1\""
	case $reply in
	error*) ms_fail "\"$1\": $reply" ;;
	esac
}

go_quit()
{
	go_ask quit
	exec {GO_IN}<&- {GO_OUT}>&-
	wait "$GOP_PID_SAVED" 2> /dev/null
}

go_two_dumps()
{
	rm -f "$tmp"/s.snap "$tmp"/*.dump "$tmp"/*.dump.json
	ms_require_ptrace "$GOP_PID_SAVED"
	"$bin/mapsnap" -p "$GOP_PID_SAVED" -w "$tmp/s.snap" 2> "$tmp/err" ||
		ms_fail "mapsnap: $(cat "$tmp/err")"
	eval "$1"
	# Frozen: a running Go program sweeps spans in the background, and the
	# counts are held to the program's own, exactly.
	"$bin/regiondump" -p "$GOP_PID_SAVED" --freeze --grown "$tmp/s.snap" -w "$tmp/old.dump" 2> "$tmp/err" ||
		ms_fail "regiondump: $(cat "$tmp/err")"
	eval "$2"
	"$bin/regiondump" -p "$GOP_PID_SAVED" --freeze --grown "$tmp/s.snap" -w "$tmp/new.dump" 2> "$tmp/err" ||
		ms_fail "regiondump: $(cat "$tmp/err")"
	cp "/proc/$GOP_PID_SAVED/maps" "$tmp/maps"
	"$bin/bytehist" --objects -J --base "$tmp/old.dump" "$tmp/new.dump" > "$tmp/a.json" \
		2> "$tmp/err" || ms_fail "bytehist --objects: $(cat "$tmp/err")"
	go_quit
}

go_hunt()
{
	local cmds=$1 driver
	shift

	rm -rf "$tmp/r" "$tmp/hook"
	mkfifo "$tmp/hook"
	: > "$tmp/hooks"
	(
		while IFS= read -r line < "$tmp/hook"; do
			eval "$cmds" >> "$tmp/hooks" 2>&1
			echo go > "$tmp/hook"
		done
	) &
	driver=$!
	hunt_rc=0
	MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/leakhunt" -p "$GOP_PID_SAVED" -i 10ms -w "$tmp/r" "$@" \
		> "$tmp/out" 2> "$tmp/err" || hunt_rc=$?
	kill "$driver" 2> /dev/null
	wait "$driver" 2> /dev/null
}
