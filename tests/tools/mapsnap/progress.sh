#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapsnap -i shows a series' progress on stderr when it is a terminal (a
# pseudo-terminal python3 opens): one line rewritten after each snapshot,
# "1/3", "2/3", "3/3", ended by a newline; in a pipe it says nothing.
. "${MS_SRCDIR:-.}/tests/lib.sh"
command -v python3 >/dev/null || ms_skip "python3 is not installed (Debian package python3)"
mapsnap=$MS_BUILDDIR/tools/mapsnap
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"

leaker_start
pid=$LEAKER_PID

python3 - "$mapsnap" "$pid" "$tmp/tty" <<'PY' || ms_fail "no progress on a terminal"
import os, pty, subprocess, sys
mapsnap, pid, d = sys.argv[1:4]
master, slave = pty.openpty()
p = subprocess.Popen([mapsnap, "-p", pid, "-i", "10ms", "--count", "3", "--write", d],
                     stdout=subprocess.DEVNULL, stderr=slave, close_fds=True)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
assert p.wait() == 0, p.returncode
text = out.decode()
for k in (1, 2, 3):
    assert "mapsnap: %d/3 snapshots in %s" % (k, d) in text, text
assert text.endswith("\n"), repr(text)
assert "next in" in text.split("1/3")[1].split("\r")[0], repr(text)
assert len(os.listdir(d)) == 3, os.listdir(d)
PY

"$mapsnap" -p "$pid" -i 10ms --count 3 --write "$tmp/pipe" 2> "$tmp/err" | cat ||
	ms_fail "the series in a pipe failed"
[ ! -s "$tmp/err" ] || ms_error "stderr in a pipe: $(cat "$tmp/err")"
[ "$(ls "$tmp/pipe" | wc -l)" = 3 ] || ms_error "not 3 snapshots in a pipe"
leaker_stop
exit 0
