#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One trace, every output: the table (-o, -b), --folded for flamegraph.pl
# (the leak_a lines sum to the JSON's bytes), and --pprof, which
# `go tool pprof -top` reads back with leak_a's bytes; the profile is 0600,
# never written over without -f, nor through a symlink.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf

gt_start
leaker_cmd mix 1
a0=$(leaker_field a)

# trace ARGS...: one trace of "mix 100" with growtrace ARGS, output in $tmp/out.
trace()
{
	gt_attach -F 20000 "$@"
	leaker_cmd mix 100
	gt_detach INT
	[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace $* exited with $GT_RC"; }
}

trace -b -o RESIDENT,FUNCTION,STACK
a=$(($(leaker_field a) - a0))
head -1 "$tmp/out" | grep -q "^pid $LEAKER_PID: " || ms_fail "table: no summary line"
grep -q "^sampling: every fault" "$tmp/out" || ms_fail "table: the sampling is not said"
grep -q "^explained: " "$tmp/out" || ms_fail "table: the share explained is not said"
grep -qE '^ *RESIDENT +FUNCTION +STACK$' "$tmp/out" || ms_fail "table: no heading for -o"
got=$(awk '/leak_a/ && $1 ~ /^[0-9]+$/ { s += $1 } END { print s + 0 }' "$tmp/out")
gt_within "table: leak_a's bytes (-b)" "$got" "$a" 25

a0=$(leaker_field a)
trace --folded --pprof "$tmp/grow.pb.gz"
a=$(($(leaker_field a) - a0))
grep -qvE '^[^ ]+ [0-9]+$' "$tmp/out" && ms_fail "folded: a line is not \"a;b;c BYTES\""
got=$(awk '/;leak_a;/ { s += $NF } END { print s + 0 }' "$tmp/out")
gt_within "folded: leak_a's bytes" "$got" "$a" 25
grep -q '^_start;__libc_start_main[^ ]*;__libc_start_call_main;main;leak_a;fill[.a-z0-9]*;' "$tmp/out" ||
	ms_fail "folded: no root-first stack through leak_a: $(head -3 "$tmp/out")"

[ "$(stat -c %a "$tmp/grow.pb.gz")" = 600 ] || ms_fail "pprof: mode $(stat -c %a "$tmp/grow.pb.gz")"
if command -v go > /dev/null; then
	cache=$MS_BUILDDIR/tests/leaker/go-cache
	mkdir -p "$cache"
	HOME=$cache GOCACHE=$cache go tool pprof -top -sample_index=resident "$tmp/grow.pb.gz" \
		> "$tmp/top" 2>&1 || { cat "$tmp/top" >&2; ms_fail "go tool pprof cannot read the profile"; }
	line=$(grep -E ' leak_a$' "$tmp/top") || { cat "$tmp/top" >&2; ms_fail "pprof: no leak_a"; }
	# "flat flat% sum% cum cum% name": leak_a's cumulative bytes, in pprof's MB (10^6... no: MiB).
	got=$(awk '{ v = $4; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v);
		m = u == "kB" ? 1024 : u == "MB" ? 1048576 : u == "GB" ? 1073741824 : 1;
		printf "%d\n", v * m }' <<< "$line")
	gt_within "pprof: leak_a's cumulative bytes" "$got" "$a" 25
else
	echo "outputs.sh: go tool pprof not run: no go (apt-get install golang-go)" >&2
fi

# No overwrite without -f, never through a symlink; -f replaces.
rc=0
"$growtrace" -p "$LEAKER_PID" --pprof "$tmp/grow.pb.gz" -d 0.1 > /dev/null 2> "$tmp/err2" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "-f" "$tmp/err2" || ms_fail "pprof: an existing file overwritten (status $rc)"
ln -s "$tmp/elsewhere" "$tmp/link.pb.gz"
rc=0
"$growtrace" -p "$LEAKER_PID" --pprof "$tmp/link.pb.gz" -f -d 0.1 > /dev/null 2>&1 || rc=$?
[ ! -e "$tmp/elsewhere" ] || ms_fail "pprof: written through a symlink"
leaker_stop
