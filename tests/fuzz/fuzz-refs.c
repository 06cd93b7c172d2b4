// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the references' image of an ELF core (lib/refs-image.c,
 * ms_refs_image_core: segments, NT_FILE, NT_PRSTATUS registers, the heap
 * named) and, when it opens, the reference analysis over it (lib/refs.c,
 * refs-chain.c, refs-elf.c): objects, roots, unreferenced objects and the
 * chains of the top cluster.  The core is a memfd, opened by its
 * /proc/self/fd name as a path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/refs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_refs_image *img = NULL;
	struct ms_refs *r = NULL;
	int fd = memfd_create("fuzz-refs", MFD_CLOEXEC);
	char path[64];
	size_t i, n;

	if (!ctx || fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ms_refs_image_core(ctx, path, &img) < 0)
		goto out;
	(void)ms_refs_image_warning(img);
	if (ms_refs_image_bytes(img) > (uint64_t)size)
		__builtin_trap();	/* a core's segments hold no more than its file */
	(void)ms_refs_image_nthreads(img);
	if (ms_refs_run(ctx, img, &r) < 0)
		goto out;
	if (ms_refs_reached(r) > ms_refs_glibc_objects(r) ||
	    ms_refs_glibc_objects(r) > ms_refs_objects(r))
		__builtin_trap();
	for (i = 0; i < ms_refs_leak_count(r); i++)
		(void)ms_refs_leak(r, i);
	n = ms_refs_chain_count(ctx, r);
	for (i = 0; i < n; i++) {
		const struct ms_refs_chain *c = ms_refs_chain(r, i);
		char buf[200];

		if (!c || c->nlinks > MS_REFS_CHAIN_MAX)
			__builtin_trap();
		if (c->links[0].cluster)
			ms_refs_cluster_str(c->links[0].cluster, buf, sizeof(buf));
	}
out:
	ms_refs_free(r);
	ms_refs_image_free(img);
	if (fd >= 0)
		close(fd);
	ms_ctx_free(ctx);
	return 0;
}
