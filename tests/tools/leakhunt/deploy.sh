#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# leakhunt on a service deployed over while it leaks: version 2 is renamed
# over the running version 1's path at the first snapshot.  The analysis
# still names the leaked records' callback and literal (read through
# /proc/PID/map_files, or /proc/PID/exe without CAP_SYS_ADMIN, and says
# so), never "data" and never module+offset.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
cc=${CC:-cc}
src=$MS_SRCDIR/tests/scenarios/symbols-deploy.c

command -v "$cc" > /dev/null || ms_skip "no C compiler ($cc) to build the service"
"$cc" -g -O1 -o "$tmp/svc" "$src" || ms_fail "cannot build symbols-deploy v1"
"$cc" -g -O1 -DVERSION=2 -o "$tmp/svc.v2" "$src" || ms_fail "cannot build symbols-deploy v2"
MS_LEAKER=$tmp/svc
leaker_start
pid=$LEAKER_PID
( : < "/proc/$pid/mem" ) 2> /dev/null ||
	ms_skip "cannot open /proc/$pid/mem (kernel.yama.ptrace_scope? no CAP_SYS_PTRACE?)"
leaker_cmd report
cb=$(leaker_field callback) tag=$(leaker_field tag)
ms_hooked "$tmp/hook" '[ -e "$tmp/svc.v2" ] && mv -f "$tmp/svc.v2" "$tmp/svc"; leaker_cmd records 3000' \
	"$MS_HOOKED/leakhunt" -p "$pid" -i 20ms --count 10 -w "$tmp/r" \
	2> "$tmp/err"
rc=$MS_RC
cat "$tmp/err" >&2
[ "$rc" -eq 1 ] || ms_error "exit status $rc, not 1 (leak found)"
[ ! -e "$tmp/svc.v2" ] || ms_error "the deploy did not happen"
if [ "$(id -u)" = 0 ]; then via="map_files"; else via="(map_files|exe)"; fi
python3 - "$tmp/r/analysis.json" "$cb" "$tag" "$pid" "$tmp/svc" "$via" <<'PY' || ms_fail "the analysis lost the deployed-over service's names"
import json, re, sys
j = json.load(open(sys.argv[1]))
cb, tag, pid, path, via = int(sys.argv[2], 16), int(sys.argv[3], 16), sys.argv[4], sys.argv[5], sys.argv[6]
def walk(o):
    if isinstance(o, dict):
        if "symbol" in o and "addr" in o and "kind" in o:
            yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
syms = list(walk(j))
fn = [x for x in syms if int(x["addr"], 16) == cb]
lit = [x for x in syms if int(x["addr"], 16) == tag]
assert fn and lit, syms[:4]
for x in fn:
    assert x["symbol"] == "deploy_record_callback" and x["kind"] == "text", x
    assert re.match(r"read through /proc/%s/%s: the file at %s was replaced since" % (pid, via, re.escape(path)), x["note"] or ""), x
for x in lit:
    assert x["symbol"] == "deploy_tag", x
PY
leaker_stop
exit 0
