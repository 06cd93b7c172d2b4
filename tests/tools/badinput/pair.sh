#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump -f over an existing pair (dump and manifest): when the new
# manifest cannot be put in place (here a directory stands at its name, so
# rename(2) fails after the new dump is whole), the old dump is still there,
# byte for byte, beside what was there; never a new dump beside an old
# manifest, never neither.  The same run without the obstacle replaces both.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
regiondump=$MS_BUILDDIR/tools/regiondump

leaker_start
leaker_cmd mmap 1M 0x41
addr=$(leaker_field addr)
"$regiondump" -p "$LEAKER_PID" "$addr" 1M -w "$tmp/d" 2> /dev/null || ms_fail "the first dump failed"
cp "$tmp/d" "$tmp/d.before"
# The region changes, so a new dump would differ from the old.
leaker_cmd free "$(leaker_field id)"
leaker_cmd mmap 1M 0x42
addr=$(leaker_field addr)
mv "$tmp/d.json" "$tmp/d.json.saved"
mkdir "$tmp/d.json"
rc=0
"$regiondump" -f -p "$LEAKER_PID" "$addr" 1M -w "$tmp/d" 2> "$tmp/err" || rc=$?
[ "$rc" -ne 0 ] || ms_error "the manifest could not be put in place, yet exit 0"
grep -q "$tmp/d.json" "$tmp/err" || ms_error "the failure does not name the manifest: $(cat "$tmp/err")"
[ -f "$tmp/d" ] || ms_error "neither pair is left: the old dump is gone"
cmp -s "$tmp/d" "$tmp/d.before" || ms_error "the old dump was replaced by the new one beside no manifest"
[ -z "$(find "$tmp" -maxdepth 1 -name '.d*')" ] || ms_error "temporaries left: $(ls -A "$tmp")"
# Without the obstacle, -f replaces the pair.
rmdir "$tmp/d.json"
mv "$tmp/d.json.saved" "$tmp/d.json"
"$regiondump" -f -p "$LEAKER_PID" "$addr" 1M -w "$tmp/d" 2> "$tmp/err" || ms_fail "-f: $(cat "$tmp/err")"
[ "$(od -An -tx1 -N1 "$tmp/d" | tr -d ' ')" = 42 ] || ms_error "-f did not replace the dump"
grep -q "\"start\":\"$addr\"" "$tmp/d.json" || ms_error "-f did not replace the manifest"
grep -qx "regiondump: pid $LEAKER_PID: 1048576 bytes to $tmp/d, manifest $tmp/d.json" "$tmp/err" ||
	ms_fail "-f: the last line is not the bytes written: $(cat "$tmp/err")"

# -f over a symlink to /dev/null: the link is replaced by a file (never
# written through), and the file gets its manifest like any other.
ln -s /dev/null "$tmp/link"
"$regiondump" -f -p "$LEAKER_PID" "$addr" 1M -w "$tmp/link" 2> "$tmp/err" || ms_fail "-f over a link: $(cat "$tmp/err")"
[ -f "$tmp/link" ] && [ ! -L "$tmp/link" ] && [ -c /dev/null ] || ms_error "-f over a link: not replaced by a file"
[ -f "$tmp/link.json" ] || ms_error "-f over a link to /dev/null: a dump with no manifest"
exit 0
