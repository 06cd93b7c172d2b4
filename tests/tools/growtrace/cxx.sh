#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C++ target built -O2 without frame pointers: the stack that grew the
# heap names ledger::Journal::append demangled, as c++filt writes the
# mangled symbol nm finds in the binary, with its source file, and no frame
# is left mangled.  std::vector's code inlined into Journal::record is a
# frame of its own per function, with its header's file:line, as
# addr2line -i -f (then c++filt) names them at the sampled pc, and record
# keeps grow-cxx.cc's line of the push_back call.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
command -v g++ > /dev/null || ms_skip "no g++ to build the C++ target (apt-get install g++)"
command -v c++filt > /dev/null || ms_skip "no c++filt for the truth (apt-get install binutils)"
command -v addr2line > /dev/null || ms_skip "no addr2line for the truth (apt-get install binutils)"

src=$MS_SRCDIR/tests/tools/growtrace/grow-cxx.cc
g++ -g -O2 -fomit-frame-pointer -o "$tmp/grow-cxx" "$src" || ms_fail "cannot build grow-cxx"
mangled=$(nm "$tmp/grow-cxx" | awk '$2 ~ /^[Tt]$/ && $3 ~ /Journal.*append/ { print $3 }')
[ "$(wc -w <<< "$mangled")" -eq 1 ] || ms_fail "nm: expected one Journal append symbol, got: $mangled"
want=$(c++filt "$mangled")
[ "$want" != "$mangled" ] || ms_fail "c++filt left $mangled as it is"
record=$(c++filt "$(nm "$tmp/grow-cxx" | awk '$2 ~ /^[Tt]$/ && $3 ~ /Journal.*record/ { print $3 }')")
line_record=$(grep -n "MARK: record \*/" "$src" | cut -d: -f1)
[ -n "$line_record" ] || ms_fail "grow-cxx.cc: the MARK is missing"

gt_start "$tmp/grow-cxx"
gt_attach -J
leaker_cmd grow 200
# 32 MB of numbers: half the pages of each new buffer are first touched by push_back's store.
leaker_cmd push 4000000
base=$(awk -v b="$tmp/grow-cxx" '$6 == b && $3 == "00000000" { print $1; exit }' \
	"/proc/$LEAKER_PID/maps")
[ -n "$base" ] || ms_fail "grow-cxx is not in /proc/$LEAKER_PID/maps"
gt_detach INT
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }
python3 - "$tmp/out" "$want" "$mangled" <<'PY' || ms_error "the growing C++ function is not named $want"
import json, sys
j, want, mangled = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
frames = [f for s in j["stacks"] for f in s["frames"]]
named = [f for f in frames if f["function"] == want]
assert named, sorted({f["function"] for f in frames})
# Its own file: std::vector's code inlined into it is a frame of its own.
assert all((f["file"] or "").endswith("/grow-cxx.cc") and not f["inline"] for f in named), named
assert not [f for f in frames if f["function"].startswith("_Z")], \
    sorted({f["function"] for f in frames if f["function"].startswith("_Z")})
# The heap's growth is that function's: the top stack on the heap goes through
# it (record's vector, past malloc's mmap threshold, grows anonymous mappings).
top = [f["function"] for f in [s for s in j["stacks"] if s["mapping"] == "heap (brk)"][0]["frames"]]
assert want in top, top
PY
# Without the full rate perf's small buffers lose samples: the chains that
# came are still checked, their bytes not.
full=0
gt_full_rate && full=1
[ "$full" = 1 ] || echo "cxx.sh: not root, without CAP_IPC_LOCK: perf's buffers are limited to kernel.perf_event_mlock_kb KiB; the bytes through std::vector's inlined code are not held to 8 MiB" >&2
python3 - "$tmp/out" "$tmp/grow-cxx" "${base%%-*}" "$record" "$line_record" "$full" <<'PY' ||
import json, subprocess, sys
j, binary, base, record, line = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3], 16), \
    sys.argv[4], int(sys.argv[5])
full = sys.argv[6] == "1"

def truth(pc):
    # g++ links position-independent executables: addr2line wants the offset.
    out = subprocess.run(["addr2line", "-i", "-f", "-e", binary, hex(pc - base)],
                         capture_output=True, text=True, check=True).stdout.split("\n")[:-1]
    names = subprocess.run(["c++filt"], input="\n".join(out[0::2]) + "\n", capture_output=True,
                           text=True, check=True).stdout.split("\n")
    return [(n, f.split(" ")[0]) for n, f in zip(names, out[1::2])]

checked, bad = 0, []
for s in j["stacks"]:
    fr = s["frames"]
    for i, f in enumerate(fr):
        if f["function"] != record:
            continue
        chain = [fr[i]]
        while i > 0 and fr[i - 1]["inline"] and fr[i - 1]["pc"] == f["pc"]:
            i -= 1
            chain.insert(0, fr[i])
        mine = [(x["function"], "%s:%s" % (x["file"], x["line"])) for x in chain]
        if mine != truth(int(f["pc"], 16)):
            bad.append("pc %s: growtrace %s, addr2line -i %s" % (f["pc"], mine, truth(int(f["pc"], 16))))
        if not f["file"].endswith("/grow-cxx.cc") or f["line"] != line or f["inline"]:
            bad.append("%s: %s:%s, want grow-cxx.cc:%d" % (record, f["file"], f["line"], line))
        if len(chain) > 1 and "/c++/" in chain[0]["file"]:
            checked += s["resident"]
# push_back's store makes at least a quarter of the 32 MB resident (half of each new buffer).
# Without the full rate, a busy machine can leave no sample there at all:
# what came is checked, and none coming is said, not failed.
if checked < (8 << 20) and full:
    bad.append("%d bytes through std::vector code inlined into record, want 8 MiB or more" % checked)
elif not checked:
    print("cxx.sh: no sample through std::vector's inlined code came through perf's limited buffers: its frames not checked", file=sys.stderr)
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
	ms_error "std::vector's inlined frames in $record do not match addr2line -i"
leaker_stop
