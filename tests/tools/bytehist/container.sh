#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A process in a container: the path its maps give is not the file on this
# host.  A static service runs in its own mount namespace (unshare
# --mount, with a user namespace when not root) from a bind mount, (a) at a
# path that does not exist outside, and (b) at a path where the host has
# another build.  While it runs, bytehist
# --symbols names its callback and literal, with the program's own counts,
# read through /proc/PID/root and saying so, never "replaced since"; the
# manifest records the build-id the process maps, so once it is gone the
# host's other file is not used for names.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
cc=${CC:-cc}
src=$MS_SRCDIR/tests/scenarios/symbols-deploy.c

command -v "$cc" > /dev/null || ms_skip "no C compiler ($cc) to build the service"
"$cc" -static -g -O1 -o "$tmp/svc.static" "$src" 2> "$tmp/cc.err" ||
	ms_skip "cannot link statically (libc6-dev's libc.a missing?): $(head -1 "$tmp/cc.err")"
"$cc" -static -g -O1 -DVERSION=2 -o "$tmp/svc.other" "$src" || ms_fail "cannot build the other version"

heapdump()
{
	local heap
	heap=$(awk '/ \[heap\]$/ { print "0x" substr($1, 1, index($1, "-") - 1) }' "/proc/$LEAKER_PID/maps")
	# Whether this process may read the target's memory, asked of the kernel alone.
	( : < "/proc/$LEAKER_PID/mem" ) 2> /dev/null ||
		ms_skip "cannot open /proc/$LEAKER_PID/mem (kernel.yama.ptrace_scope? no CAP_SYS_PTRACE?)"
	"$bin/regiondump" -p "$LEAKER_PID" --mapping "$heap" -w "$1" 2> "$tmp/regiondump.err" ||
		{ cat "$tmp/regiondump.err" >&2; ms_fail "regiondump -p $LEAKER_PID failed"; }
}

# check JSON live|gone PATH HOST-STATE
check()
{
	python3 - "$1" "$2" "$cb" "$tag" "$LEAKER_PID" "$3" "$4" <<'PY'
import json, re, sys
j = json.load(open(sys.argv[1]))["files"][0]
state, cb, tag, pid, path, host = sys.argv[2], int(sys.argv[3], 16), int(sys.argv[4], 16), sys.argv[5], sys.argv[6], sys.argv[7]
by = {int(x["addr"], 16): x for x in j["symbols"]}
fn, lit = by.get(cb), by.get(tag)
assert fn and lit and fn["count"] == lit["count"] == 400, (fn, lit)
assert fn["kind"] == "text" and fn["module"] == path, fn
if state == "live":
    assert fn["symbol"] == "deploy_record_callback" and lit["symbol"] == "deploy_tag", (fn, lit)
    assert fn["file"] and fn["file"].endswith("symbols-deploy.c"), fn
    want = "read through /proc/%s/root: %s %s on this host" % (pid, path, host)
    assert fn["note"] and fn["note"].startswith(want), (fn["note"], want)
    assert "replaced" not in fn["note"], fn
else:
    assert re.fullmatch(r"svc\+0x[0-9a-f]+", fn["symbol"]) and fn["file"] is None, fn
    assert fn["note"] and "no symbol table" not in fn["note"], fn
PY
}

run()	# NAME PATH HOST-STATE: the service started by $tmp/NAME.sh at PATH
{
	MS_LEAKER=$tmp/$1.sh
	leaker_start
	leaker_cmd records 400
	leaker_cmd report
	cb=$(leaker_field callback) tag=$(leaker_field tag)
	[ "$(leaker_field records)" = 400 ] || ms_error "the service holds $(leaker_field records) records, not 400"
	awk '{ print $6 }' "/proc/$LEAKER_PID/maps" | grep -qxF "$2" || ms_fail "$2 is not in the maps of pid $LEAKER_PID"
	heapdump "$tmp/$1.dump"
	"$bin/bytehist" --symbols -J "$tmp/$1.dump" > "$tmp/$1.json" || ms_fail "bytehist --symbols ($1)"
	check "$tmp/$1.json" live "$2" "$3" || ms_fail "$1: the container's file not read through /proc/PID/root"
	"$bin/bytehist" --symbols -p "$LEAKER_PID" -J "$tmp/$1.dump" > "$tmp/$1-p.json" || ms_fail "bytehist --symbols -p ($1)"
	check "$tmp/$1-p.json" live "$2" "$3" || ms_fail "$1, -p: the container's file not read through /proc/PID/root"
	leaker_stop
	"$bin/bytehist" --symbols -J "$tmp/$1.dump" > "$tmp/$1-gone.json" || ms_fail "bytehist --symbols ($1, gone)"
	check "$tmp/$1-gone.json" gone "$2" "$3" || ms_fail "$1, gone: names from a file that is not the one mapped"
}

# The mount namespace of a container: a bind mount seen only inside it.
# (A chroot alone is not one: its maps read from outside give the host's path.)
uns=(unshare --mount)
[ "$(id -u)" = 0 ] || uns=(unshare --map-root-user --mount)
"${uns[@]}" true 2> /dev/null ||
	ms_skip "no mount namespace for this user (${uns[*]} refused; user namespaces disabled?)"
container()	# NAME: $tmp/NAME.sh runs the service at $tmp/NAME/svc, bind-mounted from $tmp/NAME.ctr
{
	mkdir -p "$tmp/$1.ctr" "$tmp/$1"
	cp "$tmp/svc.static" "$tmp/$1.ctr/svc"
	printf '#!/bin/sh\nexec %s sh -c '\''mount --bind "%s" "%s" && exec "%s"'\''\n' \
		"${uns[*]}" "$tmp/$1.ctr" "$tmp/$1" "$tmp/$1/svc" > "$tmp/$1.sh"
	chmod +x "$tmp/$1.sh"
}

# (a) The path exists only inside.
container hidden
run hidden "$tmp/hidden/svc" "does not exist"

# (b) The host has another build at the path.
container shadowed
cp "$tmp/svc.other" "$tmp/shadowed/svc"
run shadowed "$tmp/shadowed/svc" "is another file"
exit 0
