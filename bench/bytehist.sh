# SPDX-License-Identifier: GPL-2.0-or-later
# bytehist's default report on a 1 GiB dump against the usual peers on the
# same file: the strings pipeline, hexdump -C, the byte-histogram loop one
# writes first (1 MiB reads, one counter per byte value), and the practical
# limit of a byte histogram on one thread, split8 (bench/split8.c): the
# one-counter loop waits on its counter through a run of one byte.
BENCH_DESC="A 1 GiB synthetic dump made once (256 MiB each of zeros, log-like text, random bytes and a repeated 1040-byte record, interleaved in 16 MiB slices), read from the page cache: bytehist's default report (libmagic included) vs strings | sort | uniq -c | sort -rn | head, hexdump -C, a plain byte-histogram loop (one counter per byte value) and a split8 byte histogram (eight tables, one thread: the practical limit)."

bench_setup()
{
	local dump=$BENCH_WORK/dump.bin
	python3 - "$dump" <<'PY'
import os, sys
S = 16 << 20
zero = bytes(S)
text = b"".join(b"2026-11-23 19:%02d:%02d worker-%d GET /api/v1/items/%d 200 %d us\n" % (i % 60, i % 60, i % 8, i, i % 977) for i in range(400000))[:S]
rec = (b"RECORD\0\0" + (0x55d2ef7c0000).to_bytes(8, "little") + b"\xa5" * 1000 + b"payload-of-a-leak-record" ).ljust(1040, b"\0")
recs = (rec * (S // 1040 + 1))[:S]
with open(sys.argv[1], "wb") as f:
    for i in range(16):
        f.write(zero); f.write(text); f.write(os.urandom(S)); f.write(recs)
PY
	cat > "$BENCH_WORK/histloop.c" <<'C'
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>
#include <fcntl.h>
int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	uint64_t c[256] = { 0 };
	int fd = open(argv[1], O_RDONLY), i;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			c[buf[i]]++;
	for (i = 0; i < 256; i++)
		printf("%d %llu\n", i, (unsigned long long)c[i]);
	return 0;
}
C
	cc -O2 -o "$BENCH_WORK/histloop" "$BENCH_WORK/histloop.c"
	cc -O2 -o "$BENCH_WORK/split8" "$top/bench/split8.c"
	cat "$dump" > /dev/null
}

bench_cmds()
{
	printf 'bytehist\t%s\n' "$MS_BUILDDIR/tools/bytehist $BENCH_WORK/dump.bin > /dev/null"
	printf 'strings pipeline\t%s\n' "strings $BENCH_WORK/dump.bin | sort | uniq -c | sort -rn | head > /dev/null"
	printf 'hexdump -C\t%s\n' "hexdump -C $BENCH_WORK/dump.bin > /dev/null"
	printf 'byte-histogram loop\t%s\n' "$BENCH_WORK/histloop $BENCH_WORK/dump.bin > /dev/null"
	printf 'split8 histogram\t%s\n' "$BENCH_WORK/split8 $BENCH_WORK/dump.bin > /dev/null"
}
