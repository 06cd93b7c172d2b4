#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memsift quick start: the README's two commands.
#
#   ./quickstart.sh          build, then hunt a leak in the bundled test leaker
#   ./quickstart.sh check    build, then run the whole test suite
#
# Each installs what the build needs (Debian 12, as root), runs autoreconf and
# configure only when needed, and builds out of tree in build/ (or
# build-sanitizers/ with --enable-sanitizers, as CI runs it a second time).
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
mode=demo
configure_args=()
for a in "$@"; do
	case $a in
	check) mode=check ;;
	demo) mode=demo ;;
	--enable-*|--disable-*) configure_args+=("$a") ;;
	-h|--help)
		sed -n '2,9s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	*) echo "quickstart.sh: unknown argument \"$a\"; use check, or nothing" >&2; exit 2 ;;
	esac
done

builddir=$top/build
case " ${configure_args[*]:-} " in *" --enable-sanitizers "*) builddir=$top/build-sanitizers ;; esac

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

install_deps() {
	local pkgs=(gcc make autoconf automake pkg-config libelf-dev libdw-dev libmagic-dev
		    libsmartcols-dev libiberty-dev groff-base procps xz-utils
		    libxxhash-dev libzstd-dev zlib1g-dev gdb zstd
		    python3 util-linux bsdutils libpcre2-dev g++ binutils golang-go
		    libjemalloc2 libgoogle-perftools4 libmimalloc2.0 musl-tools redis-server redis-tools
		    time strace prometheus nodejs file gzip)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "quickstart.sh: missing packages: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
		exit 2
	fi
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# A newer Go than bookworm's 1.19, for the Go heap tests (tests/scenarios/go-*.sh
# run with each Go installed): golang-1.22-go from bookworm-backports, which
# apt pins at priority 100, so nothing else is taken from it.  Optional: the
# tests say when they ran with Go 1.19 alone.
install_newer_go() {
	local src=/etc/apt/sources.list.d/bookworm-backports.sources

	dpkg-query -W -f='${Status}' golang-1.22-go 2>/dev/null | grep -q 'install ok installed' && return 0
	[ "$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")" = bookworm ] || return 0
	[ "$(id -u)" -eq 0 ] || return 0
	if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
		printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$src"
	fi
	say "installing golang-1.22-go from bookworm-backports"
	{ apt-get update -qq &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports golang-1.22-go >/dev/null; } ||
		echo "quickstart.sh: golang-1.22-go not installed; the Go tests run with Go 1.19 alone" >&2
}

build() {
	install_deps
	install_newer_go
	cd "$top"
	if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ] ||
	   [ tools/Makemodule.am -nt Makefile.in ] || [ tests/Makemodule.am -nt Makefile.in ]; then
		say "autoreconf"
		autoreconf -fi >/dev/null
	fi
	mkdir -p "$builddir"
	cd "$builddir"
	if [ ! -f Makefile ] || [ "$top/configure" -nt config.status ] ||
	   [ "$(cat .quickstart-args 2>/dev/null)" != "${configure_args[*]:-}" ]; then
		say "configure ${configure_args[*]:-}"
		"$top/configure" -q "${configure_args[@]}"
		echo "${configure_args[*]:-}" > .quickstart-args
	fi
	say "make"
	make -s -j"$(nproc)" all >/dev/null
}

# Count every case of every test (one per TAP line for unit tests) from the
# harness's .trs files, so the closing line is the suite's real size.
summary() {
	local pass fail skip
	pass=$(find tests -name '*.trs' -exec grep -h '^:test-result: PASS' {} + | wc -l)
	fail=$(find tests -name '*.trs' -exec grep -hE '^:test-result: (FAIL|ERROR|XPASS)' {} + | wc -l)
	skip=$(find tests -name '*.trs' -exec grep -h '^:test-result: SKIP' {} + | wc -l)
	if [ "$skip" -gt 0 ]; then
		find tests -name '*.log' -exec grep -l '^SKIP' {} + 2>/dev/null | sed 's/^/skipped: /' || true
	fi
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

check() {
	build
	say "make check"
	local rc=0
	make -s -j"$(nproc)" check >/dev/null 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		find tests -name '*.log' ! -name 'test-suite.log' -exec grep -lE '^(FAIL|ERROR)|^not ok' {} + |
		while read -r log; do
			echo "---- $log"; tail -n 40 "$log"
		done
	fi
	make -s check-man
	summary || exit 1
	[ $rc -eq 0 ] || exit 1
}

demo() {
	build
	local bin=$builddir/tools leaker=$builddir/tests/leaker/leaker rc=0 i reply
	make -s -j"$(nproc)" "tests/leaker/leaker" >/dev/null
	# The demo's files stay for a look afterwards, in the build tree (never
	# committed): the previous demo's are removed first.
	work=$builddir/demo
	rm -rf "$work"
	mkdir -p "$work"

	coproc LEAKER { "$leaker"; }
	read -r _ pid <&"${LEAKER[0]}"
	leak() {
		echo "$1" >&"${LEAKER[1]}"
		read -r reply <&"${LEAKER[0]}"
		echo "leaker> $1: $reply"
	}
	say "the test leaker runs as pid $pid; snapshot its mappings"
	echo "\$ mapsnap -p $pid -w hunt/1.snap"
	mkdir "$work/hunt"
	"$bin/mapsnap" -p "$pid" -w "$work/hunt/1.snap"
	grep '^#' "$work/hunt/1.snap" | head -n 8

	say "it leaks: 4,000 records of 4 KiB filled with 'T', 2,000 small structs, a 16 MiB cache, a thread's allocations"
	leak "malloc 4000 4096 T"
	leak "struct 2000"
	leak "mmap 16M 0xa5"
	leak "thread 2000 1024 C"

	say "snapshot again and diff: which mapping grew?"
	echo "\$ mapsnap -p $pid -w hunt/2.snap"
	"$bin/mapsnap" -p "$pid" -w "$work/hunt/2.snap"
	echo "\$ mapsdiff --top 6 hunt/1.snap hunt/2.snap"
	"$bin/mapsdiff" --top 6 "$work/hunt/1.snap" "$work/hunt/2.snap" || rc=$?
	echo "(exit status $rc: 1 means something grew)"

	say "two more rounds: the records keep leaking, the cache and the thread do not"
	for i in 3 4; do
		leak "malloc 4000 4096 T"
		"$bin/mapsnap" -p "$pid" -w "$work/hunt/$i.snap"
	done
	echo "\$ mapsdiff --top 4 hunt/"
	"$bin/mapsdiff" --top 4 "$work/hunt" || :

	say "dump what grew since the first snapshot, without stopping the process"
	echo "\$ regiondump -p $pid --grown hunt/1.snap -w hunt/grown.dump"
	(cd "$work" && "$bin/regiondump" -p "$pid" --grown hunt/1.snap -w hunt/grown.dump)
	ls -l "$work/hunt/grown.dump" "$work/hunt/grown.dump.json" | sed "s|$work/||"

	say "what are those bytes?"
	echo "\$ bytehist -t 5 -s summary,blocks,runs,records hunt/grown.dump"
	(cd "$work" && "$bin/bytehist" -t 5 -s summary,blocks,runs,records hunt/grown.dump)

	say "which code made them? the heap, chunk by chunk, and what its words point at"
	heap=$(awk '$NF == "[heap]" { sub(/-.*/, "", $1); print $1 }' /proc/"$pid"/maps)
	echo "\$ regiondump -p $pid --mapping 0x$heap -w hunt/heap.dump"
	(cd "$work" && "$bin/regiondump" -p "$pid" --mapping "0x$heap" -w hunt/heap.dump)
	echo "\$ bytehist -s summary --symbols --heap -t 5 hunt/heap.dump"
	(cd "$work" && "$bin/bytehist" -s summary --symbols --heap -t 5 hunt/heap.dump)

	say "watch it live, mapping by mapping (on a terminal mapswatch redraws like top; --batch gives a table at the end)"
	echo "\$ mapswatch -p $pid -i 250ms --count 8 --top 5 --batch --plot hunt/growth.svg"
	"$bin/mapswatch" -p "$pid" -i 250ms --count 8 --top 5 --batch --plot "$work/hunt/growth.svg" &
	local mw=$!
	while kill -0 "$mw" 2>/dev/null; do
		leak "malloc 500 4096 T" >/dev/null
		sleep 0.25
	done
	wait "$mw" || :

	say "or the whole hunt in one command, while the records keep leaking"
	echo "\$ leakhunt -p $pid -i 500ms -w hunt/leakhunt"
	rc=0
	"$bin/leakhunt" -p "$pid" -i 500ms -w "$work/hunt/leakhunt" 2>&1 | sed "s|$work/||" &
	local lh=$!
	while kill -0 "$lh" 2>/dev/null; do
		leak "malloc 1000 4096 T" >/dev/null
		leak "struct 200" >/dev/null
		sleep 0.25
	done
	wait "$lh" || rc=$?
	echo "\$ head -n 5 hunt/leakhunt/report.md"
	head -n 5 "$work/hunt/leakhunt/report.md"
	echo "\$ ls hunt/leakhunt"
	ls "$work/hunt/leakhunt"
	echo quit >&"${LEAKER[1]}"
	wait "$LEAKER_PID" 2>/dev/null || true
	say "the demo's snapshots, dumps and report are in $work/hunt"
	say "next: man memsift (the workflow); ./quickstart.sh check runs the test suite"
}

"$mode"
