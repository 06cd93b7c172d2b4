#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Dumps are secrets: regiondump's dump and manifest are 0600, and the
# manifest embeds neither the target's environment nor its command line.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

export MEMSIFT_TEST_SECRET=hunter2-in-the-environment
leaker_start
pid=$LEAKER_PID
tr '\0' '\n' < /proc/"$pid"/environ | grep -qx "MEMSIFT_TEST_SECRET=$MEMSIFT_TEST_SECRET" ||
	ms_fail "the leaker did not inherit the marker"
leaker_cmd mmap 64K 0x11
addr=$(leaker_field addr)
(umask 000 && "$regiondump" -p "$pid" "$addr" 64K -w "$tmp/d" 2>/dev/null) || ms_fail "regiondump: exit $?"
for f in d d.json; do
	[ "$(stat -c %a "$tmp/$f")" = 600 ] || ms_error "$f: mode $(stat -c %a "$tmp/$f") under umask 000"
done
grep -q hunter2 "$tmp/d.json" && ms_fail "the manifest embeds the environment"
python3 - "$tmp/d.json" <<'PY' || ms_fail "the manifest has a command line or environment key"
import json, sys
m = json.load(open(sys.argv[1]))
bad = {"cmdline", "environ", "env", "argv", "environment"} & set(m)
assert not bad, bad
PY
leaker_stop
exit 0
