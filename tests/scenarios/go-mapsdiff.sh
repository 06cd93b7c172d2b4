#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Go heap is one heap however many mappings the kernel splits its
# arena into (the used part, the reserve, madvise's splits): mapsdiff
# between two smaps captures of the articles' HTTP service, 2,000 requests
# apart, shows it as one row labelled Go's, whose count and resident
# growth are those of the arena's mappings in the captures themselves.
. "${MS_SRCDIR:-.}/tests/scenarios/go-lib.sh"
go_init

go_build "$tmp/svc" "$MS_SRCDIR/tests/scenarios/go-service.go"
go_start "$tmp/svc"
mkdir "$tmp/s"
cat "/proc/$GOP_PID_SAVED/smaps" > "$tmp/s/1.smaps"
go_ask "get 2000"
cat "/proc/$GOP_PID_SAVED/smaps" > "$tmp/s/2.smaps"
go_quit
rc=0
"$bin/mapsdiff" -J "$tmp/s" > "$tmp/j" || rc=$?
[ "$rc" -le 1 ] || ms_error "mapsdiff: exit status $rc"
python3 - "$tmp/j" "$tmp/s/1.smaps" "$tmp/s/2.smaps" <<'PY' || ms_fail "mapsdiff: the Go heap is not one row: $(head -c 3000 "$tmp/j")"
import json, re, sys
def arena(path):
    # The mappings from Go's first arena hint on, with their Rss.
    out, cur = {}, None
    for line in open(path):
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) \S+ ", line)
        if m:
            lo = int(m.group(1), 16)
            cur = lo if 0xc000000000 <= lo < 0x10000000000 else None
            if cur is not None:
                out[cur] = 0
        elif cur is not None and line.startswith("Rss:"):
            out[cur] = int(line.split()[1]) * 1024
    return out
a, b = arena(sys.argv[2]), arena(sys.argv[3])
rows = json.load(open(sys.argv[1]))["mappings"]
go = [r for r in rows if r["label"] == "Go heap arena (likely)"]
print("smaps: %d -> %d mappings, Rss %d -> %d; rows %s" % (len(a), len(b), sum(a.values()), sum(b.values()),
      [(r["name"], r["count"], r["rss_delta"]) for r in go]), file=sys.stderr)
assert len(b) >= 2, b
assert len(go) == 1 and go[0]["count"] == len(b), go
assert go[0]["rss_delta"] == sum(b.values()) - sum(a.values()), (go, a, b)
assert go[0]["name"] == "%d mappings of one heap" % go[0]["count"], go
PY
exit 0
