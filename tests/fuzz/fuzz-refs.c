// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the references' image of an ELF core (lib/refs-image.c,
 * ms_refs_image_core: segments, NT_FILE, NT_PRSTATUS registers, the heap
 * named) and, when it opens, the reference analysis over it (lib/refs.c,
 * refs-chain.c, refs-elf.c): objects, roots, unreferenced objects and the
 * chains of the top cluster.  The core is a memfd, opened by its
 * /proc/self/fd name as a path.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/refs.h>
#include <memsift/symbol.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef MS_FUZZ_KEEP_SYMBOLS
/*
 * The symbolizer is kept from one input to the next whose core gives the
 * same maps text (its NT_FILE note, which most mutations leave alone):
 * opening the modules and inflating their DWARF (bash's and libc's in the
 * seeds) cost 35 ms an input, most of a run.  Its lookups are memoised per
 * address, so it answers as a new one would; the memo grows with every
 * input, so it is made afresh every KEEP_USES inputs.  One given build-ids
 * is not kept (a core gives none; nor does it get a pid: see
 * __wrap_ms_symbols_set_pid()).  make fuzz links this target with --wrap
 * for these three calls and ms_symbols_set_pid; the replay in make check
 * wraps only the last, and builds a symbolizer per input.
 */
#define KEEP_USES 1000

int __real_ms_symbols_new(struct ms_ctx *ctx, const char *maps, size_t len, const char *name,
			  struct ms_symbols **out);
void __real_ms_symbols_free(struct ms_symbols *s);
int __real_ms_symbols_expect_build_ids(struct ms_ctx *ctx, struct ms_symbols *s,
				       const char *lines);
int __wrap_ms_symbols_new(struct ms_ctx *ctx, const char *maps, size_t len, const char *name,
			  struct ms_symbols **out);
void __wrap_ms_symbols_free(struct ms_symbols *s);
int __wrap_ms_symbols_expect_build_ids(struct ms_ctx *ctx, struct ms_symbols *s,
				       const char *lines);

static struct {
	struct ms_symbols *s;
	char *maps;
	size_t len;
	unsigned uses;
	bool lent, spoilt;
} kept;

static void keep_drop(void)
{
	__real_ms_symbols_free(kept.s);
	free(kept.maps);
	memset(&kept, 0, sizeof(kept));
}

int __wrap_ms_symbols_new(struct ms_ctx *ctx, const char *maps, size_t len, const char *name,
			  struct ms_symbols **out)
{
	struct ms_symbols *s;
	int rc;

	if (kept.s && !kept.lent && kept.len == len && !memcmp(kept.maps, maps, len) &&
	    kept.uses < KEEP_USES) {
		kept.uses++;
		kept.lent = true;
		*out = kept.s;
		return 0;
	}
	if ((rc = __real_ms_symbols_new(ctx, maps, len, name, &s)) < 0)
		return rc;
	if (!kept.lent) {
		keep_drop();
		kept.maps = malloc(len ? len : 1);
		if (kept.maps) {
			memcpy(kept.maps, maps, len);
			kept.s = s;
			kept.len = len;
			kept.lent = true;
		}
	}
	*out = s;
	return 0;
}

void __wrap_ms_symbols_free(struct ms_symbols *s)
{
	if (!s || s != kept.s) {
		__real_ms_symbols_free(s);
		return;
	}
	kept.lent = false;
	if (kept.spoilt)
		keep_drop();
}

int __wrap_ms_symbols_expect_build_ids(struct ms_ctx *ctx, struct ms_symbols *s,
				       const char *lines)
{
	if (s == kept.s)
		kept.spoilt = true;
	return __real_ms_symbols_expect_build_ids(ctx, s, lines);
}
#endif

/*
 * The symbolizer reads only what the input holds, never a live process: a
 * pid would have it open that process's modules through /proc/PID and
 * read its memory for RTTI, and a pid from an input names whatever process
 * runs under it on the fuzzing machine.  The analysis hands the symbolizer
 * any pid its image or manifest names (lib/analyse.c); a core's image
 * names none today (ms_refs_image_core()), and this keeps it so should
 * one come from a note: both builds of this target link with
 * --wrap=ms_symbols_set_pid, and every call is given pid 0, which the
 * symbolizer refuses before reading anything (-ESRCH, itself unchanged,
 * as when the process is gone).
 */
int __real_ms_symbols_set_pid(struct ms_ctx *ctx, struct ms_symbols *s, pid_t pid);
int __wrap_ms_symbols_set_pid(struct ms_ctx *ctx, struct ms_symbols *s, pid_t pid);

int __wrap_ms_symbols_set_pid(struct ms_ctx *ctx, struct ms_symbols *s, pid_t pid)
{
	(void)pid;
	return __real_ms_symbols_set_pid(ctx, s, 0);
}

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
