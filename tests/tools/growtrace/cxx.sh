#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A C++ target built -O2 without frame pointers: the stack that grew the
# heap names ledger::Journal::append demangled, as c++filt writes the
# mangled symbol nm finds in the binary, with its source file, and no frame
# is left mangled.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
command -v g++ > /dev/null || ms_skip "no g++ to build the C++ target (apt-get install g++)"
command -v c++filt > /dev/null || ms_skip "no c++filt for the truth (apt-get install binutils)"

g++ -g -O2 -fomit-frame-pointer -o "$tmp/grow-cxx" "$MS_SRCDIR/tests/tools/growtrace/grow-cxx.cc" ||
	ms_fail "cannot build grow-cxx"
mangled=$(nm "$tmp/grow-cxx" | awk '$2 ~ /^[Tt]$/ && $3 ~ /Journal.*append/ { print $3 }')
[ "$(wc -w <<< "$mangled")" -eq 1 ] || ms_fail "nm: expected one Journal append symbol, got: $mangled"
want=$(c++filt "$mangled")
[ "$want" != "$mangled" ] || ms_fail "c++filt left $mangled as it is"

gt_start "$tmp/grow-cxx"
gt_attach -J
leaker_cmd grow 200
gt_detach INT
[ "$GT_RC" -eq 0 ] || { cat "$tmp/err" >&2; ms_fail "growtrace exited with $GT_RC"; }
python3 - "$tmp/out" "$want" "$mangled" <<'PY' || ms_fail "the growing C++ function is not named $want"
import json, sys
j, want, mangled = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
frames = [f for s in j["stacks"] for f in s["frames"]]
named = [f for f in frames if f["function"] == want]
assert named, sorted({f["function"] for f in frames})
files = [f["file"] for f in named]
assert all(files) and any(x.endswith("/grow-cxx.cc") for x in files), named
# A sample in std::vector's code inlined into append has that header's line
# (growtrace does not expand inline frames): only such a header may stand in.
assert all(x.endswith("/grow-cxx.cc") or "/c++/" in x for x in files), named
assert not [f for f in frames if f["function"].startswith("_Z")], \
    sorted({f["function"] for f in frames if f["function"].startswith("_Z")})
# The heap's growth is that function's: the top stack goes through it.
top = [f["function"] for f in j["stacks"][0]["frames"]]
assert want in top, top
PY
leaker_stop
