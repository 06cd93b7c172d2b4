#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch's live view on an 80x24 terminal (a pseudo-terminal python3
# drives, its size set with TIOCSWINSZ): no frame is wider than 80 columns
# nor longer than 24 lines, a long path is cut in its middle, the header
# gives a wall clock and the cgroup's memory, and the keys act as in top:
# > sorts by RSS (the first row is the mapping /proc/PID/smaps gives the
# most Rss), f filters by a substring of the name (the rows are exactly the
# mappings /proc/PID/maps names so), p pauses, h shows the help, q quits.
# Each key is sent after the frame before it is read, and the interval is
# an hour: every frame after the first is a key's, or a resize's (SIGWINCH:
# 100x30, then 60x12, each frame fitting the new size).
. "${MS_SRCDIR:-.}/tests/lib.sh"
command -v python3 >/dev/null || ms_skip "python3 is not installed (Debian package python3)"
tmp=$(mktemp -d)
ms_at_exit "rm -rf '$tmp'"
mw=$MS_BUILDDIR/tools/mapswatch

leaker_start
pid=$LEAKER_PID
long=$tmp/zzlive-a-file-name-long-enough-to-be-cut-in-an-eighty-column-view.dat
head -c 20000 /dev/zero | tr '\0' 'z' > "$long"
leaker_cmd mapfile "$long"
leaker_cmd mmap 3M 0x5a
python3 - "$mw" "$pid" "$long" <<'PY' || ms_fail "the live view misbehaves at 80x24"
import fcntl, os, pty, re, select, struct, sys, termios, time
mw, pid, long = sys.argv[1:4]
env = dict(os.environ, LC_ALL="C.UTF-8")
env.pop("COLUMNS", None)
env.pop("LINES", None)
child, master = pty.fork()
if child == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    os.execve(mw, [mw, "-p", pid, "-i", "1h"], env)
buf = b""
FRAME = re.compile(rb"\x1b\[H\x1b\[J(.*?(?:q quit  h help[^\n]*sort|filter: [^\n]*_))", re.S)
size = [24, 80]
def frame():
    global buf
    while True:
        m = FRAME.search(buf)
        if m:
            buf = buf[m.end():]
            text = m.group(1).decode()
            lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
            lines = [l.rstrip("\r") for l in lines]
            assert len(lines) <= size[0], "%d lines in a frame:\n%s" % (len(lines), text)
            for l in lines:
                assert len(l) <= size[1], "a line of %d columns: %r" % (len(l), l)
            return lines
        r, _, _ = select.select([master], [], [], 60)
        assert r, "no frame within 60s; got %r\n%s" % (buf[-400:], where())
        buf += os.read(master, 65536)
def where():
    # Where mapswatch waits, from /proc, so that a hang says where it hung.
    out = []
    for f in ("status", "wchan", "syscall", "stack"):
        try:
            t = open("/proc/%d/%s" % (child, f)).read()
        except OSError as e:
            t = str(e)
        if f == "status":
            t = "".join(l for l in t.splitlines(True) if l.startswith(("State", "SigBlk")))
        out.append("%s: %s" % (f, t.strip()))
    for fd in (0, 1, 2):
        try:
            out.append("fd %d: %s" % (fd, os.readlink("/proc/%d/fd/%d" % (child, fd))))
        except OSError as e:
            out.append("fd %d: %s" % (fd, e))
    n = struct.unpack("i", fcntl.ioctl(master, termios.FIONREAD, b"\0" * 4))[0]
    out.append("bytes waiting on the master: %d" % n)
    out.append("loadavg: " + open("/proc/loadavg").read().strip())
    return "\n".join(out)
def key(k):
    os.write(master, k)
    return frame()
def rows(lines):
    i = next(i for i, l in enumerate(lines) if l.startswith("START"))
    return [l for l in lines[i + 1:-1] if l.strip()]

# /proc's own account: the mapping of most Rss, and those named like the file.
smaps, cur, rss = open("/proc/%s/smaps" % pid).read().splitlines(), None, {}
for l in smaps:
    f = l.split()
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", l):
        cur = int(f[0].split("-")[0], 16)
    elif f and f[0] == "Rss:":
        rss[cur] = int(f[1])
biggest = max(rss, key=lambda a: (rss[a], -a))
named = sorted(int(l.split("-")[0], 16) for l in open("/proc/%s/maps" % pid) if "zzlive" in l)
assert named, "the leaker mapped no zzlive file"

first = frame()
assert re.match(r"^\d\d:\d\d:\d\d  pid %s \(leaker\)" % pid, first[0]), first[0]
assert "cgroup memory" in first[2], first[2]
assert "sorted by growth rate" in first[2], first[2]
want = min(24 - 6, len(rss))
assert len(rows(first)) == want, "%d rows, not %d:\n%s" % (len(rows(first)), want, "\n".join(first))
assert not any(long in l for l in first), "the path is not cut"

by_rss = key(b">")
assert "sorted by RSS" in by_rss[2], by_rss[2]
top = int(rows(by_rss)[0].split()[0], 16)
assert top == biggest, "first row %#x, the most Rss is at %#x" % (top, biggest)

key(b"f")
for c in b"zzlive":
    key(bytes([c]))
filtered = key(b"\r")
assert 'filter "zzlive"' in filtered[2], filtered[2]
shown = sorted(int(l.split()[0], 16) for l in rows(filtered))
assert shown == named, "rows %s, /proc/%s/maps names %s" % (shown, pid, named)
assert all("\u2026" in l and l.endswith(".dat") for l in rows(filtered)), rows(filtered)

paused = key(b"p")
assert "[paused]" in paused[2], paused[2]
assert "[paused]" not in key(b"p")[2]
help = key(b"h")
assert help[0] == "mapswatch: keys", help[0]
assert rows(key(b"h")), "h again does not go back to the table"

key(b"f")
cleared = key(b"\x1b")
assert "filter" not in cleared[2] and len(rows(cleared)) == want, "Esc does not clear the filter"

# A terminal resized (SIGWINCH) gets a frame that fits it at once.
for rows_, cols_ in ((30, 100), (12, 60)):
    size[:] = [rows_, cols_]
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows_, cols_, 0, 0))
    resized = frame()
    want = min(rows_ - 6, len(rss))
    assert len(rows(resized)) == want, "%dx%d: %d rows, not %d" % (rows_, cols_, len(rows(resized)), want)

os.write(master, b"q")
_, status = os.waitpid(child, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
PY
leaker_stop
exit 0
