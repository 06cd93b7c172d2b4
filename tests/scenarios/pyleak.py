# SPDX-License-Identifier: GPL-2.0-or-later
"""A CPython program that leaks bytes objects, for tests/scenarios/python.sh.

The line protocol of tests/scenarios/svc.c: "ready PID" first, then one reply
line per command, written once the work is done.

  bytes COUNT   keep COUNT new, distinct 200-byte bytes objects for ever
  report        "ok bytes=N size=S": how many it keeps, and sys.getsizeof of one
  quit          "ok bye"
"""
import os
import sys

kept = []


def reply(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    reply("ready %d" % os.getpid())
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["bytes"] and len(words) == 2 and words[1].isdigit():
            start = len(kept)
            # Built at run time, so each is an object of its own: no constant
            # folding, no interning.
            kept.extend(b"%08d" % i * 25 for i in range(start, start + int(words[1])))
            reply("ok bytes=%s" % words[1])
        elif words == ["report"]:
            size = sys.getsizeof(kept[0]) if kept else sys.getsizeof(b"%08d" % 0 * 25)
            reply("ok bytes=%d size=%d" % (len(kept), size))
        elif words == ["quit"]:
            reply("ok bye")
            return 0
        else:
            reply("error: unknown command %r" % line.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
