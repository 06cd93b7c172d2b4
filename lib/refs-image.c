// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Taking the image memrefs analyses: a live process under a freeze, copied
 * into an unlinked file, or an ELF core read in place.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include <memsift/core.h>
#include <memsift/freeze.h>
#include <memsift/maps.h>
#include <memsift/memread.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "refs-private.h"

uint64_t ms_refs_regs_sp(const uint64_t *regs, size_t nregs)
{
#if defined(__x86_64__)
	size_t i = offsetof(struct user_regs_struct, rsp) / 8;
#elif defined(__aarch64__)
	size_t i = offsetof(struct user_regs_struct, sp) / 8;
#else
	/* Registers are still roots; only the stack's live part is unknown. */
	size_t i = SIZE_MAX;
#endif
	return i < nregs ? regs[i] : 0;
}

void ms_refs_image_free(struct ms_refs_image *img)
{
	if (!img)
		return;
	if (img->fd >= 0)
		close(img->fd);
	free(img->t);
	ms_manifest_release(&img->mi);
	free(img);
}

const char *ms_refs_image_warning(const struct ms_refs_image *img)
{
	return img->warning[0] ? img->warning : NULL;
}

uint64_t ms_refs_image_pause_ns(const struct ms_refs_image *img)
{
	return img->pause_ns;
}

size_t ms_refs_image_nthreads(const struct ms_refs_image *img)
{
	return img->nt;
}

uint64_t ms_refs_image_bytes(const struct ms_refs_image *img)
{
	return img->bytes;
}

/* An unlinked file: nothing to clean up, whatever kills us. */
static int open_tmp(struct ms_ctx *ctx, struct ms_refs_image *img)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* A file system without O_TMPFILE: a named file, unlinked at once. */
		if (snprintf(tmpl, sizeof(tmpl), "%s/memrefs.XXXXXX", dir) >= (int)sizeof(tmpl))
			return ms_err(ctx, -ENAMETOOLONG, "%s: TMPDIR too long", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd < 0)
			return ms_err_errno(ctx, -errno, "%s: cannot make a temporary file for the image; set TMPDIR", dir);
		unlink(tmpl);
	}
	img->fd = fd;
	snprintf(img->path, sizeof(img->path), "/proc/self/fd/%d", fd);
	return 0;
}

static int add_range(struct ms_ctx *ctx, struct ms_manifest_info *mi, uint64_t start,
		     uint64_t len, uint64_t off)
{
	struct ms_manifest_range *p = realloc(mi->ranges, (mi->nranges + 1) * sizeof(*p));

	if (!p)
		return ms_err(ctx, -ENOMEM, "out of memory");
	mi->ranges = p;
	mi->ranges[mi->nranges++] = (struct ms_manifest_range){ start, len, off };
	return 0;
}

struct copy {
	struct ms_ctx *ctx;
	int fd;
	uint64_t base, off;	/* the range's address and its place in the file */
	uint64_t done, total, told;
	ms_refs_event_cb cb;
	void *data;
};

static int copy_piece(const struct ms_mem_piece *p, void *data)
{
	struct copy *c = data;
	const char *b = p->data;
	size_t left = p->len;
	off_t at = (off_t)(c->off + (p->addr - c->base));

	/* The file is sized first: a hole left unwritten reads as zeros. */
	while (p->status == MS_MEM_READ && left) {
		ssize_t n = pwrite(c->fd, b, left, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ms_err_errno(c->ctx, n < 0 ? -errno : -EIO, "writing the image");
		b += n;
		at += n;
		left -= (size_t)n;
	}
	c->done += p->len;
	if (c->cb && c->done - c->told >= (16u << 20)) {
		c->told = c->done;
		c->cb(MS_REFS_EV_PROGRESS, c->done, c->total, c->data);
	}
	return 0;
}

static int read_threads(struct ms_ctx *ctx, struct ms_refs_image *img, const struct ms_freeze *f)
{
	size_t n = ms_freeze_nthreads(f), i;

	img->t = calloc(n + 1, sizeof(*img->t));
	if (!img->t)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct ms_refs_thread *t = &img->t[img->nt];
		struct iovec iov = { t->regs, sizeof(t->regs) };

		t->tid = ms_freeze_tid(f, i);
		/* A thread that exited after it was stopped has no registers: skip it. */
		if (ptrace(PTRACE_GETREGSET, t->tid, (void *)NT_PRSTATUS, &iov) < 0)
			continue;
		t->nregs = iov.iov_len / 8;
		t->sp = ms_refs_regs_sp(t->regs, t->nregs);
		img->nt++;
	}
	return 0;
}

/*
 * The image's layout: one range per writable mapping, end to end in the
 * file, which is sized to hold them all before a byte is copied.  Only
 * writable memory holds a pointer written since the program started.
 */
static int lay_out(struct ms_ctx *ctx, struct ms_refs_image *img, const struct ms_maps *maps,
		   uint64_t *total)
{
	size_t i;
	int rc;

	for (i = 0; i < ms_maps_count(maps); i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);

		if (ms_mapping_perms(m)[1] != 'w')
			continue;
		if ((rc = add_range(ctx, &img->mi, ms_mapping_start(m), ms_mapping_size(m), *total)) < 0)
			return rc;
		*total += ms_mapping_size(m);
	}
	if (ftruncate(img->fd, (off_t)*total) < 0)
		return ms_err_errno(ctx, -errno, "sizing the image (%" PRIu64 " bytes); set TMPDIR to a larger file system",
				    *total);
	return 0;
}

/*
 * Every range into the file.  Pages never touched hold no pointer the
 * program wrote: skipping them keeps the pause to what is resident, however
 * much is reserved.  The file is sized already, so they read as zeros.
 * Without the right to read pagemap, everything is read.
 */
static int copy_ranges(struct ms_ctx *ctx, struct ms_refs_image *img, const struct ms_maps *maps,
		       struct copy *c)
{
	struct ms_memread *r = NULL;
	size_t i;
	int rc;

	rc = ms_memread_new(ctx, img->pid, maps, MS_MEMREAD_PTRACED | MS_MEMREAD_RESIDENT_ONLY, &r);
	if (rc == -EPERM)
		rc = ms_memread_new(ctx, img->pid, maps, MS_MEMREAD_PTRACED, &r);
	if (rc < 0)
		goto out;
	for (i = 0; i < img->mi.nranges && rc == 0; i++) {
		const struct ms_manifest_range *g = &img->mi.ranges[i];

		c->base = g->start;
		c->off = g->offset;
		rc = ms_memread_range(ctx, r, g->start, g->start + g->length, copy_piece, c, NULL);
		if (rc == -ESRCH)
			rc = ms_err(ctx, -ESRCH, "pid %d exited during the copy; it was not harmed",
				    (int)img->pid);
	}
	img->bytes = c->done;
out:
	ms_memread_free(r);
	return rc;
}

/*
 * Killed while stopped, the process reads as zeros, not as gone: its maps,
 * empty once it is gone, tell, and before that its threads, no longer
 * stopped (it is still frozen, so no other can come).
 */
static int still_there(struct ms_ctx *ctx, const struct ms_refs_image *img,
		       const struct ms_freeze *f)
{
	char *again = NULL;
	size_t alen = 0;
	int rc = 0;

	if (ms_procfs_read(ctx, img->pid, "maps", &again, &alen) < 0 || !alen ||
	    !ms_freeze_intact(ctx, f))
		rc = ms_err(ctx, -ESRCH, "pid %d exited during the copy; it was not harmed",
			    (int)img->pid);
	free(again);
	return rc;
}

/* Under the freeze: maps, registers, then every writable mapping into the file. */
static int copy_frozen(struct ms_ctx *ctx, struct ms_refs_image *img, const struct ms_freeze *f,
		       ms_refs_event_cb cb, void *data)
{
	struct copy c = { .ctx = ctx, .fd = img->fd, .cb = cb, .data = data };
	struct ms_maps *maps = NULL;
	size_t len;
	int rc;

	if ((rc = ms_procfs_read(ctx, img->pid, "maps", &img->mi.maps, &len)) < 0)
		return rc;
	/* A process killed while stopped is a zombie: no maps, nothing to copy. */
	if (!len)
		return ms_err(ctx, -ESRCH, "pid %d exited while frozen; nothing to analyse",
			      (int)img->pid);
	if ((rc = ms_maps_parse_buf(ctx, img->mi.maps, len, "maps", &maps)) < 0)
		return rc;
	if ((rc = read_threads(ctx, img, f)) < 0)
		goto out;
	if ((rc = lay_out(ctx, img, maps, &c.total)) < 0)
		goto out;
	img->size = c.total;
	if (cb)
		cb(MS_REFS_EV_FROZEN, 0, c.total, data);
	rc = copy_ranges(ctx, img, maps, &c);
	if (rc == 0)
		rc = still_there(ctx, img, f);
	if (cb && rc == 0)
		cb(MS_REFS_EV_PROGRESS, c.done, c.total, data);
out:
	ms_maps_free(maps);
	return rc;
}

int ms_refs_image_live(struct ms_ctx *ctx, pid_t pid, ms_refs_event_cb cb, void *data,
		       struct ms_refs_image **out)
{
	struct ms_refs_image *img = calloc(1, sizeof(*img));
	struct ms_freeze *f = NULL;
	int rc;

	if (!img)
		return ms_err(ctx, -ENOMEM, "out of memory");
	img->fd = -1;
	img->pid = pid;
	img->mi.pid = pid;
	if ((rc = open_tmp(ctx, img)) < 0)
		goto out;
	if ((rc = ms_freeze_new(ctx, pid, &f)) < 0)
		goto out;
	rc = copy_frozen(ctx, img, f, cb, data);
	img->pause_ns = ms_freeze_elapsed_ns(f);
	ms_freeze_free(f);
	if (cb)
		cb(MS_REFS_EV_THAWED, img->pause_ns, 0, data);
out:
	if (rc < 0) {
		ms_refs_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

/*
 * A core names no anonymous memory, and glibc's main heap is walked only
 * as [heap]: name the first anonymous segment below the mmap area that
 * begins as the brk heap does (a first chunk of prev_size 0 and a size
 * with PREV_INUSE set) and follows no file mapping (that is a bss).
 */
static int name_heap(struct ms_ctx *ctx, struct ms_refs_image *img)
{
	char *text = img->mi.maps, *line, *nl, *out = NULL;
	uint64_t prev_end = 0, w[2];
	size_t olen = 0;
	bool named = false, prev_file = false;
	FILE *fp = open_memstream(&out, &olen);

	if (!fp)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (line = text; *line; line = nl) {
		unsigned long long start, end;
		int len = (int)((nl = strchr(line, '\n')) ? (size_t)(nl++ - line) : strlen(line));
		bool anon = len > 0 && line[len - 1] == ' ';
		size_t i;

		if (!nl)
			nl = line + len;
		fprintf(fp, "%.*s", len, line);
		if (sscanf(line, "%llx-%llx", &start, &end) == 2 && anon && !named &&
		    start < 0x7f0000000000ULL && !(prev_file && prev_end == start)) {
			for (i = 0; i < img->mi.nranges; i++)
				if (img->mi.ranges[i].start == start && img->mi.ranges[i].length >= 16 &&
				    pread(img->fd, w, 16, (off_t)img->mi.ranges[i].offset) == 16 &&
				    w[0] == 0 && (w[1] & 7) == 1 && w[1] >= 32 && !(w[1] & 15 & ~7ULL)) {
					fprintf(fp, "[heap]");
					named = true;
				}
		}
		fputc('\n', fp);
		if (sscanf(line, "%llx-%llx", &start, &end) == 2) {
			prev_end = end;
			prev_file = !anon;
		}
	}
	if (fclose(fp) != 0 || !out) {
		free(out);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	free(img->mi.maps);
	img->mi.maps = out;
	return 0;
}

int ms_refs_image_core(struct ms_ctx *ctx, const char *path, struct ms_refs_image **out)
{
	struct ms_refs_image *img = calloc(1, sizeof(*img));
	struct ms_core *core = NULL;
	struct stat st;
	size_t len, i;
	int rc;

	if (!img)
		return ms_err(ctx, -ENOMEM, "out of memory");
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0 || fstat(img->fd, &st) < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		goto out;
	}
	if (snprintf(img->path, sizeof(img->path), "%s", path) >= (int)sizeof(img->path)) {
		rc = ms_err(ctx, -ENAMETOOLONG, "%s: path too long", path);
		goto out;
	}
	img->size = (uint64_t)st.st_size;
	if ((rc = ms_core_open(ctx, img->fd, path, &core)) < 0)
		goto out;
	if ((rc = ms_core_maps(ctx, core, &img->mi.maps, &len)) < 0) {
		rc = ms_err(ctx, rc, "%s: %s; gcore and regiondump --format core write one", path,
			    ms_ctx_errmsg(ctx));
		goto out;
	}
	/* The segments are analysed where they are in the core: no copy. */
	for (i = 0; i < ms_core_nsegments(core); i++) {
		const struct ms_core_segment *s = ms_core_segment(core, i);

		if ((rc = add_range(ctx, &img->mi, s->vaddr, s->filesz, s->offset)) < 0)
			goto out;
		img->bytes += s->filesz;
	}
	if ((rc = name_heap(ctx, img)) < 0)
		goto out;
	/* A module's data is a segment over one of its files' mappings. */
	for (i = 0; i < ms_core_nsegments(core) && !img->warning[0]; i++) {
		const struct ms_core_segment *s = ms_core_segment(core, i);
		size_t k;

		for (k = 0; k < ms_core_nfiles(core); k++)
			if (ms_core_file(core, k)->start < s->vaddr + s->memsz &&
			    s->vaddr < ms_core_file(core, k)->end)
				break;
		if (k < ms_core_nfiles(core))
			break;
	}
	if (i == ms_core_nsegments(core))
		snprintf(img->warning, sizeof(img->warning),
			 "%s holds no module's data or bss: globals are no roots, and what only they hold is called unreferenced; take the core with gcore",
			 path);
	img->t = calloc(ms_core_nthreads(core) + 1, sizeof(*img->t));
	if (!img->t) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ms_core_nthreads(core); i++) {
		const struct ms_core_thread *ct = ms_core_thread(core, i);
		struct ms_refs_thread *t = &img->t[img->nt++];

		t->tid = ct->tid;
		t->nregs = ct->nregs;
		memcpy(t->regs, ct->regs, ct->nregs * 8);
		t->sp = ms_refs_regs_sp(t->regs, t->nregs);
	}
out:
	ms_core_free(core);
	if (rc < 0) {
		ms_refs_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}
