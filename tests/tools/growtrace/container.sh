#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A target in its own mount namespace (a container's view of files): its
# binary lies on a tmpfs mounted only there, so the path in its maps names
# nothing on this host.  The unwinder reads its CFI through /proc/PID/root,
# so the stacks of the -O2 build (no frame pointers) still go from leak_a
# up to main, and the split matches the program's own counts.
. "${MS_SRCDIR:-.}/tests/lib.sh"
. "$MS_SRCDIR/tests/tools/growtrace/lib.sh"
gt_need_perf
gt_need_full_rate
command -v unshare > /dev/null || ms_skip "no unshare(1) (util-linux)"
unshare -m --propagation private true 2> /dev/null ||
	ms_skip "unshare -m refused here (needs CAP_SYS_ADMIN): no mount namespace to test in"

mkdir "$tmp/ns"
# The target's own start: a private tmpfs over $tmp/ns holds its copy, and
# this host sees $tmp/ns empty.
cat > "$tmp/start" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t tmpfs none "\$1" && cp "\$2" "\$1/grow" && exec "\$1/grow"' sh "$tmp/ns" "$MS_BUILDDIR/tests/tools/growtrace/grow-O2"
SH
chmod +x "$tmp/start"
gt_start "$tmp/start"
[ "$(readlink "/proc/$LEAKER_PID/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] ||
	ms_fail "the target is not in a mount namespace of its own"
[ ! -e "$tmp/ns/grow" ] || ms_fail "the target's binary is visible on the host; the test would prove nothing"

gt_trace_mix 300 -F 20000
got_a=$(gt_bytes "$tmp/out" leak_a) got_b=$(gt_bytes "$tmp/out" leak_b)
gt_within "leak_a's share (per mille)" "$((got_a * 1000 / (got_a + got_b)))" \
	"$((GT_A * 1000 / (GT_A + GT_B)))" 10
python3 - "$tmp/out" <<'PY' || ms_fail "the top stack does not go from leak_a up to main"
import json, sys
s = json.load(open(sys.argv[1]))["stacks"][0]
names = [f["function"] for f in s["frames"]]
assert "leak_a" in names and "main" in names and names.index("leak_a") < names.index("main"), names
PY
leaker_stop
