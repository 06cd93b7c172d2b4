// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the ELF core reader (gcore's, regiondump --format core) over a
 * memfd: program headers, the NT_FILE note, then every segment's bytes read,
 * the manifest built from them, and the maps text --symbols builds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/core.h>
#include <memsift/manifest.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(const void *buf, size_t len, void *data)
{
	uint64_t *sum = data;

	/* Touch every byte handed out, so ASan sees a read past the buffer. */
	for (size_t i = 0; i < len; i++)
		*sum += ((const unsigned char *)buf)[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_manifest_info mi = { 0 };
	struct ms_core *c = NULL;
	uint64_t sum = 0, a;
	int fd = memfd_create("fuzz-core", MFD_CLOEXEC);
	char *maps = NULL;
	size_t i, len;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		goto out;
	(void)ms_core_detect(data, size);
	if (ms_core_open(ctx, fd, "fuzz", &c) < 0)
		goto out;
	for (i = 0; i < ms_core_nfiles(c); i++)
		sum += strlen(ms_core_file(c, i)->name);
	(void)ms_core_read(ctx, c, fd, sink, &sum);
	if (ms_core_manifest(ctx, c, &mi) == 0) {
		for (i = 0; i < mi.nranges; i++)
			(void)ms_manifest_addr(&mi, mi.ranges[i].offset, &a);
		ms_manifest_release(&mi);
	}
	if (ms_core_maps(ctx, c, &maps, &len) == 0 && memchr(maps, '\0', len))
		__builtin_trap();	/* maps text is text: a NUL means a bad length */
	free(maps);
out:
	ms_core_free(c);
	if (fd >= 0)
		close(fd);
	ms_ctx_free(ctx);
	return 0;
}
