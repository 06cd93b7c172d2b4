#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Inline frames: grow's touch(), forced inline into inline_a and
# inline_b, which grow 2:1 ("inline N"), is a frame of its own above each
# caller, in every output.  The truth is binutils' addr2line -i -f at the
# sampled pcs and the lines marked in grow.c: touch has its store's line,
# each caller the line of its call; and each caller's share is within 10%
# of the program's own count.  The -O2 build (grow-O2), as a service is.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate
command -v addr2line > /dev/null || ms_skip "no addr2line for the truth (apt-get install binutils)"

src=$MS_SRCDIR/tests/tools/growtrace/grow.c
bin=$MS_BUILDDIR/tests/tools/growtrace/grow-O2
mark() { grep -n "MARK: $1 \*/" "$src" | cut -d: -f1; }
line_touch=$(mark touch) line_a=$(mark inline_a) line_b=$(mark inline_b)
[ -n "$line_touch" ] && [ -n "$line_a" ] && [ -n "$line_b" ] || ms_fail "grow.c: a MARK is missing"

gt_start grow-O2
leaker_cmd inline 1
a0=$(leaker_field a) b0=$(leaker_field b)
gt_attach -J -F 20000 --pprof "$tmp/inline.pb.gz"
leaker_cmd inline 200
GT_A=$(($(leaker_field a) - a0)) GT_B=$(($(leaker_field b) - b0))
gt_detach INT
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace -J exited with $GT_RC"; }
cp "$tmp/out" "$tmp/json"
# Where the binary is mapped, to turn a pc into addr2line's address.
base=$(awk -v b="$(readlink -f "$bin")" '$6 == b && $3 == "00000000" { print $1; exit }' \
	"/proc/$LEAKER_PID/maps")
[ -n "$base" ] || ms_fail "grow-O2 is not in /proc/$LEAKER_PID/maps"

python3 - "$tmp/json" "$bin" "${base%%-*}" "$line_touch" "$line_a" "$line_b" "$GT_A" "$GT_B" <<'PY' ||
import json, subprocess, sys

path, binary, base = sys.argv[1], sys.argv[2], int(sys.argv[3], 16)
line_touch, line_a, line_b, want_a, want_b = map(int, sys.argv[4:9])
j = json.load(open(path))
# A position-independent binary (ET_DYN) is linked at 0: addr2line wants the offset.
pie = open(binary, "rb").read(18)[16] == 3
bad = []

def addr2line(pc):
    out = subprocess.run(["addr2line", "-i", "-f", "-e", binary, hex(pc - base if pie else pc)],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    return [(out[i], out[i + 1].rsplit("/", 1)[-1].split(" ")[0]) for i in range(0, len(out) - 1, 2)]

got = {"inline_a": 0, "inline_b": 0}
for s in j["stacks"]:
    fr = s["frames"]
    for i, f in enumerate(fr):
        if f["function"] not in got or i == 0:
            continue
        t = fr[i - 1]
        want_line = line_a if f["function"] == "inline_a" else line_b
        # touch inlined: its own frame, at the same pc, marked, with the store's line.
        if t["function"] != "touch" or not t["inline"] or f["inline"] or t["pc"] != f["pc"]:
            bad.append("%s: the frame before it is not touch inlined at its pc: %s" % (f["function"], t))
            continue
        if (t["file"] or "").rsplit("/", 1)[-1] != "grow.c" or t["line"] != line_touch:
            bad.append("touch: %s:%s, want grow.c:%d" % (t["file"], t["line"], line_touch))
        if (f["file"] or "").rsplit("/", 1)[-1] != "grow.c" or f["line"] != want_line:
            bad.append("%s: %s:%s, want grow.c:%d" % (f["function"], f["file"], f["line"], want_line))
        truth = addr2line(int(t["pc"], 16))
        mine = [(x["function"], "%s:%s" % ((x["file"] or "??").rsplit("/", 1)[-1], x["line"]))
                for x in fr[i - 1:i + 1]]
        if truth[:2] != mine:
            bad.append("pc %s: addr2line -i says %s, growtrace %s" % (t["pc"], truth[:2], mine))
        got[f["function"]] += s["resident"]
if not got["inline_a"] or not got["inline_b"]:
    bad.append("no stack through touch into both callers: %s" % got)
else:
    share, want = got["inline_a"] / sum(got.values()), want_a / (want_a + want_b)
    if abs(share - want) > want * 0.10:
        bad.append("inline_a's share %.3f, the program's %.3f: more than 10%% apart" % (share, want))
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
	ms_error "-J: the inline frames do not match addr2line -i and the program's split"

if command -v go > /dev/null; then
	cache=$MS_BUILDDIR/tests/leaker/go-cache
	mkdir -p "$cache"
	HOME=$cache GOCACHE=$cache go tool pprof -traces "$tmp/inline.pb.gz" > "$tmp/traces" 2>&1 ||
		{ cat "$tmp/traces" >&2; ms_fail "go tool pprof cannot read the profile"; }
	# Each trace lists its frames one a line, innermost first, inlined ones marked.
	for c in inline_a inline_b; do
		grep -A1 -E ' touch \(inline\)$' "$tmp/traces" | grep -qE "^ +$c$" ||
			ms_error "pprof -traces: no touch (inline) above $c: $(head -20 "$tmp/traces")"
	done
	# -list puts the bytes on touch's store (flat) and on inline_a's call (cumulative).
	for fl in "touch $line_touch" "inline_a $line_a"; do
		HOME=$cache GOCACHE=$cache go tool pprof -list "^${fl% *}\$" "$tmp/inline.pb.gz" \
			> "$tmp/list" 2>&1
		grep -qE "^ +([.0-9]+[kMG]?B|\.) +[.0-9]+[kMG]?B +${fl#* }:" "$tmp/list" ||
			ms_error "pprof -list ${fl% *}: no bytes at line ${fl#* }: $(head -5 "$tmp/list")"
	done
else
	echo "inline.sh: go tool pprof not run: no go (apt-get install golang-go)" >&2
fi

# trace ARGS...: growtrace ARGS over "inline 50", its output in $tmp/out.
trace()
{
	gt_attach -F 20000 "$@"
	leaker_cmd inline 50
	gt_detach INT
	[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace $* exited with $GT_RC"; }
}

trace --folded
for c in inline_a inline_b; do
	grep -qE ";main;$c;touch_\[i\] [0-9]+$" "$tmp/out" ||
		ms_error "folded: no main;$c;touch_[i] line: $(head -3 "$tmp/out")"
done

trace -o STACK
# The arrow between frames is escaped in a locale without UTF-8.
for c in inline_a inline_b; do
	grep -qE "^touch \(inlined\) \(grow\.c:$line_touch\) [^ ]+ $c [^ ]+ main " "$tmp/out" ||
		ms_error "table: no \"touch (inlined) (grow.c:$line_touch) ← $c ← main\": $(tail -3 "$tmp/out")"
done
leaker_stop
