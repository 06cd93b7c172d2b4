// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * split8 FILE: the practical limit of a byte histogram on one thread, the
 * yardstick of bench/bytehist-mixed.sh: 1 MiB reads, each 8-byte word's
 * bytes counted into eight separate tables (so consecutive equal bytes do
 * not wait on one counter), summed at the end.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20];
	static uint32_t c[8][256];
	uint64_t total[256] = { 0 };
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1, i, k;
	ssize_t n;

	if (fd < 0)
		return 2;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i + 8 <= n; i += 8) {
			uint64_t w;

			memcpy(&w, buf + i, 8);
			/*
			 * Written out: as a loop over k, gcc -O2 kept the loop
			 * and shifted by a register for each byte, which took
			 * 1.85 times as long and made every ratio to this
			 * yardstick look that much better than it was.
			 */
			c[0][w & 0xff]++;
			c[1][(w >> 8) & 0xff]++;
			c[2][(w >> 16) & 0xff]++;
			c[3][(w >> 24) & 0xff]++;
			c[4][(w >> 32) & 0xff]++;
			c[5][(w >> 40) & 0xff]++;
			c[6][(w >> 48) & 0xff]++;
			c[7][w >> 56]++;
		}
		for (; i < n; i++)
			c[0][buf[i]]++;
		/* Fold before any 32-bit counter can overflow: 1 MiB per read. */
		for (k = 0; k < 8; k++)
			for (i = 0; i < 256; i++) {
				total[i] += c[k][i];
				c[k][i] = 0;
			}
	}
	for (i = 0; i < 256; i++)
		printf("%d %llu\n", i, (unsigned long long)total[i]);
	return 0;
}
