# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the scenario tests (tests/scenarios/*.sh): real programs on real
# allocators, hunted by leakhunt, whose verdict is checked against what the
# program itself says it leaked.
#
#   scen_init                   tmp dir ($tmp; MS_KEEP=1 keeps it), tools ($bin)
#   svc_build glibc|musl        build tests/scenarios/svc.c; sets SVC
#   scen_preload ALLOC          the library that makes ALLOC the allocator, found
#                               through dpkg (jemalloc tcmalloc mimalloc); skips
#                               when its package is missing; sets SCEN_PRELOAD
#   svc_start [PRELOAD]         start $SVC (with LD_PRELOAD=PRELOAD) over a pipe
#   svc_report                  print svc's counters: "conf=N task=N log=N threads=N"
#   scen_hunt REPORT DRIVE ...  run leakhunt on $SCEN_PID with the snapshot hook;
#                               at each hook line, call REPORT, DRIVE LINE, REPORT
#                               and log the line and both reports to $tmp/hooks;
#                               the rest are leakhunt options.  Fails unless
#                               leakhunt confirms growth; the report is $tmp/r.
#   scen_check ARGS...          tests/scenarios/verdict.py on $tmp/r with $tmp/hooks
#   scen_func_lines FILE FUNC   "FIRST-LAST": the lines of FUNC's definition in FILE
#   scen_two_families ALLOC     the whole 2:1 scenario on glibc, musl, jemalloc,
#                               tcmalloc or mimalloc
#
# The truth of a clause's "delta" is what the driver did at the hook line
# "dump 1", which leakhunt fires between its two dumps of what grew.
. "${MS_SRCDIR:-.}/tests/lib.sh"

scen_dir=${MS_SRCDIR:-.}/tests/scenarios

scen_init()
{
	tmp=$(mktemp -d)
	# MS_KEEP=1 keeps the report directory and the hook log for a look.
	if [ -n "${MS_KEEP:-}" ]; then
		ms_at_exit "echo 'kept $tmp' >&2"
	else
		ms_at_exit "rm -rf '$tmp'"
	fi
	bin=$MS_BUILDDIR/tools
	command -v python3 > /dev/null || ms_skip "no python3 to read analysis.json (apt-get install python3)"
}

svc_build()
{
	local cc

	case $1 in
	glibc)
		cc=${CC:-gcc}
		command -v "$cc" > /dev/null || ms_skip "no C compiler ($cc) to build svc (apt-get install gcc)"
		# Never the suite's CFLAGS: svc stands for a user's program, which a
		# sanitizer build must not turn into ASan's allocator.
		"$cc" -g -O1 -pthread -o "$tmp/svc" "$scen_dir/svc.c" || ms_fail "cannot build svc.c with $cc"
		;;
	musl)
		command -v musl-gcc > /dev/null || ms_skip "no musl-gcc to build svc on musl (apt-get install musl-tools)"
		musl-gcc -static -g -O1 -pthread -o "$tmp/svc" "$scen_dir/svc.c" ||
			ms_fail "cannot build svc.c with musl-gcc -static"
		;;
	*) ms_fail "svc_build: no variant \"$1\"" ;;
	esac
	SVC=$tmp/svc
}

# scen_preload ALLOC: each allocator is checked on its own, by its package.
scen_preload()
{
	local pkg pat lib

	case $1 in
	jemalloc) pkg=libjemalloc2 pat='/libjemalloc\.so\.2$' ;;
	tcmalloc) pkg=libgoogle-perftools4 pat='/libtcmalloc\.so\.4$' ;;
	mimalloc) pkg=libmimalloc2.0 pat='/libmimalloc\.so\.2$' ;;
	*) ms_fail "scen_preload: no allocator \"$1\"" ;;
	esac
	dpkg-query -W -f='${Status}' "$pkg" 2> /dev/null | grep -q 'install ok installed' ||
		ms_skip "$1: package $pkg is not installed (apt-get install $pkg)"
	lib=$(dpkg -L "$pkg" | grep -m1 -E "$pat") || :
	[ -n "$lib" ] && [ -r "$lib" ] || ms_skip "$1: package $pkg has no library matching $pat"
	SCEN_PRELOAD=$lib
}

# svc_start [PRELOAD]: through a wrapper that execs svc, so the coprocess is
# svc itself and the preload reaches svc alone, never the tools.
svc_start()
{
	{
		printf '#!/bin/sh\n'
		if [ -n "${1:-}" ]; then
			printf 'LD_PRELOAD=%q exec %q\n' "$1" "$SVC"
		else
			printf 'exec %q\n' "$SVC"
		fi
	} > "$tmp/run-svc"
	chmod +x "$tmp/run-svc"
	MS_LEAKER=$tmp/run-svc
	leaker_start
	SCEN_PID=$LEAKER_PID
	if [ -n "${1:-}" ]; then
		grep -qF "$1" "/proc/$SCEN_PID/maps" ||
			ms_fail "svc runs without $1 mapped: the preload did not take"
	fi
}

svc_report()
{
	leaker_cmd report
	printf '%s\n' "${LEAKER_REPLY#ok }"
}

scen_hunt()
{
	local report=$1 drive=$2 driver rc=0 line before after
	shift 2

	# The capability, probed without memsift: reading another process's memory
	# needs root, CAP_SYS_PTRACE or kernel.yama.ptrace_scope=0.
	python3 - "$SCEN_PID" <<'PY' 2> /dev/null || ms_skip "cannot read /proc/$SCEN_PID/mem (ptrace_scope, or no CAP_SYS_PTRACE)"
import sys
pid = sys.argv[1]
start = int(open("/proc/%s/maps" % pid).readline().split("-")[0], 16)
with open("/proc/%s/mem" % pid, "rb", buffering=0) as m:
    m.seek(start)
    assert len(m.read(1)) == 1
PY
	mkfifo "$tmp/hook"
	: > "$tmp/hooks"
	# The program's descriptors are plain ones (tests/lib.sh), so this
	# subshell may drive it while leakhunt waits on the hook.
	(
		while IFS= read -r line < "$tmp/hook"; do
			# In subshells: a failed command must not end this loop,
			# or leakhunt would wait on the hook for ever.
			before=$("$report")
			("$drive" "$line") || line="$line (the driver failed)"
			after=$("$report")
			printf '%s\t%s\t%s\n' "$line" "$before" "$after" >> "$tmp/hooks"
			echo go > "$tmp/hook"
		done
	) &
	driver=$!
	ms_at_exit "kill $driver 2>/dev/null"
	MEMSIFT_TEST_HOOK=snapshot:$tmp/hook "$MS_HOOKED/leakhunt" -p "$SCEN_PID" -w "$tmp/r" "$@" \
		> "$tmp/out" 2> "$tmp/err" || rc=$?
	kill "$driver" 2> /dev/null
	wait "$driver" 2> /dev/null
	cat "$tmp/err" "$tmp/out" >&2
	printf 'hook lines, with the program'"'"'s counters before and after each:\n' >&2
	cat "$tmp/hooks" >&2
	[ "$rc" -eq 1 ] || ms_error "leakhunt exited $rc, not 1 (leak found)"
	grep -q '^leakhunt: growth confirmed after' "$tmp/err" || ms_error "leakhunt did not confirm growth"
	[ -f "$tmp/r/analysis.json" ] || ms_error "no analysis.json in the report directory"
}

scen_check()
{
	python3 "$scen_dir/verdict.py" --analysis "$tmp/r/analysis.json" --report "$tmp/r/report.md" \
		--printed "$tmp/out" --printed "$tmp/err" --hooks "$tmp/hooks" "$@" >&2
}

# The definition of FUNC in FILE, from its declarator to the closing brace: a
# symbolizer names the line of the function's first instruction, which -O1
# puts on its first statement rather than on the declarator.
scen_func_lines()
{
	awk -v f="$2" '
		!first && $0 ~ "[ *]" f "\\(void\\)$" { first = NR }
		first && !last && /^}/ { last = NR }
		END { if (first && last) printf "%d-%d\n", first, last }' "$1"
}

# The two families at 2:1: at every hook line svc leaks 2,000 config records
# (on_reload, 'C' payloads) and 1,000 task records (on_task, 'T'), and churns
# through 4,000 short-lived objects that must not show.  In svc.c's struct
# svc_record the callback is the second word (offset 8) and the payload the
# third (offset 16).
scen_drive_families()
{
	leaker_cmd conf 2000
	leaker_cmd task 1000
	leaker_cmd churn 4000
}

# scen_two_families glibc|musl|jemalloc|tcmalloc|mimalloc: the same program and
# the same truth on each allocator.
scen_two_families()
{
	local alloc=$1 preload= conf_lines task_lines size=() psize finder=()

	scen_init
	case $alloc in
	glibc|musl) svc_build "$alloc" ;;
	*) scen_preload "$alloc"; preload=$SCEN_PRELOAD; svc_build glibc ;;
	esac
	conf_lines=$(scen_func_lines "$scen_dir/svc.c" on_reload)
	task_lines=$(scen_func_lines "$scen_dir/svc.c" on_task)
	[ -n "$conf_lines" ] && [ -n "$task_lines" ] || ms_fail "cannot find on_reload and on_task in svc.c"
	if [ "$alloc" = glibc ]; then
		# glibc's chunk: the request, 8 bytes of header, 16-byte aligned.
		size=(";size=$(( (64 + 8 + 15) / 16 * 16 ))|$(( (1024 + 8 + 15) / 16 * 16 ))")
		psize="size=$(( (1024 + 8 + 15) / 16 * 16 ))"
	else
		# Each allocator rounds to its own size classes: at least the request.
		size=(";minsize=64")
		psize="minsize=1024"
		finder=(--no-finder glibc)
	fi
	svc_start "$preload"
	scen_hunt svc_report scen_drive_families -i 20ms --count 12
	scen_check --allocator "$alloc" "${finder[@]}" --min-share 0.5 \
		--clause "label=conf;name=on_reload;offset=8;truth=conf;total=conf;line=svc.c:$conf_lines${size[0]}" \
		--clause "label=task;name=on_task;offset=8;truth=task;total=task;line=svc.c:$task_lines${size[0]}" \
		--ratio conf/task \
		--cluster "label=C payloads;bytes=C;truth=conf;total=conf;referrer=CONFREC@16;$psize" \
		--cluster "label=T payloads;bytes=T;truth=task;total=task;referrer=TASKREC@16;$psize" ||
		ms_fail "the verdict does not match what svc leaked (see above)"
	# One pipeline: bytehist on leakhunt's two dumps gives leakhunt's verdict.
	[ -f "$tmp/r/base.dump" ] || ms_error "no base.dump (the first dump of what grew) in the report directory"
	"$bin/bytehist" -J --objects --base "$tmp/r/base.dump" "$tmp/r/grown.dump" > "$tmp/bytehist.json" ||
		ms_fail "bytehist -J --objects --base base.dump grown.dump failed"
	python3 - "$tmp/r/analysis.json" "$tmp/bytehist.json" <<'PY' || ms_fail "bytehist --objects and leakhunt differ"
import json, sys
a = json.load(open(sys.argv[1])).get("verdict") or {}
b = json.load(open(sys.argv[2]))["files"][0].get("verdict") or {}
keys = ("cluster", "count", "delta", "size", "name")
ca = [tuple(c.get(k) for k in keys) for c in a.get("clauses") or []]
cb = [tuple(c.get(k) for k in keys) for c in b.get("clauses") or []]
assert a.get("text") == b.get("text"), "verdicts differ:\n  leakhunt: %r\n  bytehist: %r" % (a.get("text"), b.get("text"))
assert ca == cb, "clauses differ:\n  leakhunt: %s\n  bytehist: %s" % (ca, cb)
print("bytehist --objects gives leakhunt's verdict, %d clauses" % len(ca), file=sys.stderr)
PY
	leaker_stop
}
