# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the Go tests (tests/scenarios/go-*.sh): Go programs of
# tests/scenarios built with Go's caches in the build tree (make check may
# run where $HOME is not writable), started over a pipe and asked one
# command at a time, never waited for with sleep.
#
#   go_build OUT SRC [ARGS...]   go build ARGS -o OUT SRC; skips when go is absent
#   go_start BIN                 start BIN as coproc GOP over a pipe; GOP_PID; reads "ready PID"
#   go_ask CMD                   send CMD, read the answer into $reply; fails on none or "error"
#   go_toolchain                 the toolchain's version ("go1.19.8")
. "${MS_SRCDIR:-.}/tests/lib.sh"

go_env()
{
	mkdir -p "$MS_BUILDDIR/tests/leaker/go-cache"
	HOME=$MS_BUILDDIR/tests/leaker/go-cache GOCACHE=$MS_BUILDDIR/tests/leaker/go-cache \
		GOPATH=$MS_BUILDDIR/tests/leaker/go-cache/path GOFLAGS= GO111MODULE=off "$@"
}

go_build()
{
	local out=$1 src=$2

	shift 2
	command -v go > /dev/null || ms_skip "no go to build the Go program (apt-get install golang-go)"
	go_env go build "$@" -o "$out" "$src" || ms_fail "go build $* $src failed"
}

go_toolchain()
{
	go_env go env GOVERSION
}

go_start()
{
	local line

	coproc GOP { exec "$@"; }
	ms_at_exit "kill $GOP_PID 2>/dev/null"
	read -r line <&"${GOP[0]}" || ms_fail "$1 did not start"
	[ "$line" = "ready $GOP_PID" ] || ms_fail "$1 said \"$line\", not \"ready $GOP_PID\""
}

go_ask()
{
	echo "$1" >&"${GOP[1]}"
	read -r reply <&"${GOP[0]}" || ms_fail "no answer to \"$1\""
	case $reply in
	error*) ms_fail "\"$1\": $reply" ;;
	esac
}
