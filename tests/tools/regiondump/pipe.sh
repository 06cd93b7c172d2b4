#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# regiondump into a pipe (-o -) and into a named fifo: every byte the leaker
# wrote comes out, in order, through a pipe it grows, and no manifest is
# written beside the fifo (nor its checksum computed: nothing would read it).
. "${MS_SRCDIR:-.}/tests/lib.sh"
regiondump=$MS_BUILDDIR/tools/regiondump
ms_tmpdir

leaker_start
pid=$LEAKER_PID
leaker_cmd mmap 3M 0x5a
a1=$(leaker_field addr)
leaker_cmd mmap 1M 0x3c
a2=$(leaker_field addr)
# The truth, from the leaker's own words: 3 MiB of 0x5a, then 1 MiB of 0x3c.
python3 -c 'import sys; sys.stdout.buffer.write(b"\x5a" * (3 << 20))' > "$tmp/want1"
python3 -c 'import sys; sys.stdout.buffer.write(b"\x3c" * (1 << 20))' > "$tmp/want2"

"$regiondump" -p "$pid" "$a1" 3M -w - 2> "$tmp/err" | cat > "$tmp/got1"
[ "${PIPESTATUS[0]}" -eq 0 ] || ms_error "regiondump -w - into a pipe: $(cat "$tmp/err")"
cmp "$tmp/want1" "$tmp/got1" || ms_error "-o - into a pipe: not the 3 MiB of 0x5a the leaker wrote"

mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/got2" &
reader=$!
"$regiondump" -p "$pid" "$a2" 1M -w "$tmp/fifo" 2> "$tmp/err" || ms_fail "regiondump -w FIFO: $(cat "$tmp/err")"
wait "$reader" || ms_fail "the fifo's reader failed"
cmp "$tmp/want2" "$tmp/got2" || ms_error "-o FIFO: not the 1 MiB of 0x3c the leaker wrote"
[ ! -e "$tmp/fifo.json" ] || ms_error "a manifest was written beside the fifo"
leaker_stop
exit 0
