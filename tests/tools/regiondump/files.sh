#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How regiondump writes: the default name (printed), mode 0600 for the dump
# and its manifest, no overwrite without -f, no symlink followed, no
# temporary file left.
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 8K 0x61
addr=$(leaker_field addr)

# The default name, in the current directory, is printed.
(cd "$tmp" && "$regiondump" -p "$pid" "$addr" 8K) 2>"$tmp/err" || ms_fail "default name: $(cat "$tmp/err")"
name=pid$pid-$addr.dump
grep -qx "regiondump: pid $pid: 8192 bytes to $name, manifest $name.json" "$tmp/err" ||
	ms_fail "default name not printed: $(cat "$tmp/err")"
for f in "$name" "$name.json"; do
	[ -f "$tmp/$f" ] || ms_error "no $f"
	[ "$(stat -c %a "$tmp/$f")" = 600 ] || ms_error "$f mode is $(stat -c %a "$tmp/$f"), not 600"
done

# No overwrite without -f, of the dump or of the manifest alone.
cp "$tmp/$name" "$tmp/keep"
if (cd "$tmp" && "$regiondump" -p "$pid" "$addr" 4K) 2>"$tmp/err"; then ms_fail "overwrote without -f"; fi
grep -qx "regiondump: $name: file exists; use -f to overwrite it" "$tmp/err" || ms_error "wrong message: $(cat "$tmp/err")"
cmp -s "$tmp/$name" "$tmp/keep" || ms_error "refused overwrite changed the file"
rm "$tmp/$name"
if (cd "$tmp" && "$regiondump" -p "$pid" "$addr" 4K) 2>"$tmp/err"; then ms_fail "overwrote the manifest without -f"; fi
grep -qx "regiondump: $name.json: file exists; use -f to overwrite it" "$tmp/err" || ms_error "wrong message: $(cat "$tmp/err")"
[ ! -e "$tmp/$name" ] || ms_error "dump written though its manifest could not be"
(cd "$tmp" && "$regiondump" -f -p "$pid" "$addr" 4K) 2>/dev/null || ms_fail "-f did not overwrite"
[ "$(stat -c %s "$tmp/$name")" = 4096 ] || ms_error "-f left the old content"
grep -q '"size":4096,"file_offset":0' "$tmp/$name.json" || ms_error "-f left the old manifest"

# A symlink at the output path: refused; with -f replaced, its target untouched.
echo secret > "$tmp/target"
ln -s "$tmp/target" "$tmp/link"
if "$regiondump" -p "$pid" "$addr" 4K -w "$tmp/link" 2>/dev/null; then ms_fail "wrote through a symlink"; fi
"$regiondump" -f -p "$pid" "$addr" 4K -w "$tmp/link" 2>/dev/null || ms_fail "-f over a symlink failed"
[ "$(cat "$tmp/target")" = secret ] || ms_error "symlink target was written"
[ -L "$tmp/link" ] && ms_fail "symlink still there after -f"

# A progress bar on a terminal only, erased when done.
"$regiondump" -p "$pid" "$addr" 8K -w "$tmp/nt.dump" 2>"$tmp/err" || ms_fail "dump: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = 1 ] && ! grep -q '%)' "$tmp/err" || ms_error "progress shown without a terminal: $(cat "$tmp/err")"
if command -v script >/dev/null; then
	script -qec "'$regiondump' -p $pid $addr 8K -w '$tmp/tty.dump'" /dev/null > "$tmp/tty" 2>&1 ||
		ms_fail "under a terminal: $(cat "$tmp/tty")"
	grep -q "regiondump: 8K of 8K (100%) .*/s $(printf '\r\033\[K')" "$tmp/tty" ||
		ms_fail "no progress bar on a terminal: $(od -c "$tmp/tty" | head)"
fi

# A FIFO: written in place, no manifest beside it.
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/from-fifo" &
"$regiondump" -p "$pid" "$addr" 8K -w "$tmp/fifo" 2>"$tmp/err" || ms_fail "-o FIFO: $(cat "$tmp/err")"
wait $!
[ "$(stat -c %s "$tmp/from-fifo")" = 8192 ] || ms_error "-o FIFO: not 8192 bytes through it"
[ ! -e "$tmp/fifo.json" ] || ms_error "a manifest beside a FIFO"

left=$(find "$tmp" -name '.*' -type f)
[ -z "$left" ] || ms_error "temporary files left: $left"
leaker_stop
exit 0
