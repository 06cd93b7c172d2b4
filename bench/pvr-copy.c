// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pvr-copy PID ADDR LEN OUT: the practical limit for bench/dump.sh, a plain
 * process_vm_readv loop copying LEN bytes at ADDR of PID to the file OUT in
 * 4 MiB calls, with no fallback, no checksum and no manifest.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHUNK (4u << 20)

int main(int argc, char **argv)
{
	unsigned long long addr, len, off = 0;
	static char buf[CHUNK];
	int pid, fd;

	if (argc != 5)
		return 2;
	pid = atoi(argv[1]);
	addr = strtoull(argv[2], NULL, 0);
	len = strtoull(argv[3], NULL, 0);
	fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	while (off < len) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;
		struct iovec l = { buf, n }, r = { (void *)(addr + off), n };
		ssize_t got = process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (got <= 0 || write(fd, buf, (size_t)got) != got)
			return 1;
		off += (unsigned long long)got;
	}
	return close(fd) != 0;
}
