#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch on a terminal (a pseudo-terminal python3 drives): the live view
# uses the alternate screen and redraws, ranks the heap that grows first,
# q ends it at once (the interval is an hour), the terminal's modes are given
# back, and the final table is left on the normal screen.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
mw=$MS_BUILDDIR/tools/mapswatch

leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 500 4096 T
python3 - "$mw" "$pid" "$tmp/d" <<'PY' || ms_fail "the live view misbehaves"
import os, pty, subprocess, sys, termios
mw, pid, d = sys.argv[1:4]
master, slave = pty.openpty()
before = termios.tcgetattr(slave)
env = dict(os.environ, LC_ALL="C.UTF-8", COLUMNS="120", LINES="30")
p = subprocess.Popen([mw, "-p", pid, "-i", "1h", "-w", d], stdin=slave, stdout=slave,
                     stderr=slave, env=env, close_fds=True)
out = b""
def read_until(token):
    global out
    while token not in out:
        chunk = os.read(master, 65536)
        assert chunk, "EOF before %r; got %r" % (token, out[-500:])
        out += chunk
read_until(b"q quit  h help")
frame = out
assert b"\x1b[?1049h" in frame, "no alternate screen"
assert b"[heap]" in frame and b"pid %s (leaker): 1 sample over" % pid.encode() in frame, frame
# The view must not echo what is typed.
os.write(master, b"q")
p.wait(timeout=60)
assert termios.tcgetattr(slave) == before, "the terminal's modes are not given back"
os.close(slave)
try:
    while True:
        chunk = os.read(master, 65536)
        if not chunk:
            break
        out += chunk
except OSError:
    pass
assert p.returncode == 0, p.returncode
rest = out[len(frame):]
assert b"q" not in rest.split(b"\x1b[?1049l")[0], "q was echoed"
assert b"\x1b[?1049l" in rest, "the alternate screen is not left"
final = rest.split(b"\x1b[?1049l", 1)[1]
assert b"\x1b" not in final, "escape codes in the final table"
assert final.startswith(b"pid %s (leaker): 1 sample over" % pid.encode()), final[:200]
assert b"[heap]" in final
assert sorted(os.listdir(d)) == ["0001.snap"], os.listdir(d)
PY
leaker_stop
exit 0
