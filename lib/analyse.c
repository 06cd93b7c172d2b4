// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The analysis pipeline's steps over one dump: the symbolizer from the
 * manifest's maps, the allocator, each range to its object finder, the
 * objects into clusters.  Its presentation (the verdict, the table, the
 * JSON) is lib/analyse-report.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/analyse.h>
#include <memsift/elfscan.h>
#include <memsift/goheap.h>
#include <memsift/maps.h>
#include <memsift/memread.h>
#include <memsift/procfs.h>

#include "analyse-private.h"
#include "internal.h"

static void note(struct ms_analysis *a, const char *fmt, ...)
{
	char buf[512], **p;
	va_list ap;

	if (a->nnotes >= MS_ANALYSIS_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	p = realloc(a->notes, (a->nnotes + 1) * sizeof(*p));
	if (!p)
		return;
	a->notes = p;
	if ((a->notes[a->nnotes] = strdup(buf)))
		a->nnotes++;
}

void ms_analysis_free(struct ms_analysis *a)
{
	size_t i;

	if (!a)
		return;
	ms_clusters_free(a->clusters);
	ms_goheap_free(a->go);
	ms_heapwalk_free(a->hw);
	ms_symbols_free(a->syms);
	ms_maps_free(a->maps);
	free(a->ranges);
	for (i = 0; i < a->nnotes; i++)
		free(a->notes[i]);
	free(a->notes);
	free(a);
}

/* The symbolizer, from the manifest's maps (checked against its build-ids) or the live pid. */
static int symbols(struct ms_ctx *ctx, struct ms_analysis *a, const struct ms_analysis_opts *o,
		   const char *path, const struct ms_manifest_info *mi)
{
	int rc;

	if (mi && mi->maps) {
		pid_t pid = o->pid ? o->pid : mi->pid;

		rc = ms_symbols_new(ctx, mi->maps, strlen(mi->maps), path, &a->syms);
		if (rc == 0 && mi->build_ids)
			rc = ms_symbols_expect_build_ids(ctx, a->syms, mi->build_ids);
		/*
		 * The process may still run: its modules are then read as it maps
		 * them, whatever a deploy or a container did to the paths.  Gone,
		 * or its pid reused, the files at the paths stand (and are checked
		 * against the build-ids).
		 */
		if (rc == 0 && pid > 0 && ms_symbols_set_pid(ctx, a->syms, pid) == -ENOMEM)
			rc = -ENOMEM;
	} else if (o->pid) {
		rc = ms_symbols_new_pid(ctx, o->pid, &a->syms);
	} else {
		/* Only objects miss a name; a heap walk alone names nothing without maps either. */
		if (!o->no_objects)
			note(a, "%s: no maps (regiondump's manifest, or a live pid): objects are found but not named",
			     path);
		return 0;
	}
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		note(a, "symbols: %s", ms_ctx_errmsg(ctx));
		ms_symbols_free(a->syms);
		a->syms = NULL;
	}
	return 0;
}

/* The executable: the file mapped lowest, its first mapping (at file offset 0). */
static const struct ms_mapping *exe_mapping(const struct ms_analysis *a)
{
	size_t i;

	for (i = 0; a->maps && i < ms_maps_count(a->maps); i++)
		if (ms_mapping_name(ms_maps_get(a->maps, i))[0] == '/')
			return ms_maps_get(a->maps, i);
	return NULL;
}

/* The executable opened through /proc/PID/exe while the process lives, else at its path; -1. */
static int exe_open(const struct ms_analysis *a, pid_t pid)
{
	const struct ms_mapping *m = exe_mapping(a);
	char path[64];
	int fd = -1;

	if (!m)
		return -1;
	if (pid > 0 && ms_procfs_path(pid, "exe", path, sizeof(path)) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open(ms_mapping_name(m), O_RDONLY | O_CLOEXEC);
	return fd;
}

/*
 * A static binary maps no malloc library: its own symbols say which
 * allocator it was linked with (jemalloc's mallctl, musl's mallocng
 * context, Go's mallocgc...), and a stripped Go binary its buildinfo.
 */
static void static_allocator(struct ms_analysis *a, struct ms_ctx *ctx, pid_t pid)
{
	static const char *const names[] = {
		"je_mallctl", "mallctl", "tc_malloc", "mi_malloc", "__malloc_context",
		"__malloc_alloc_meta", "runtime.mallocgc", "__libc_malloc", "ptmalloc_init",
	};
	static const enum ms_allocator allocs[] = {
		MS_ALLOC_JEMALLOC, MS_ALLOC_JEMALLOC, MS_ALLOC_TCMALLOC, MS_ALLOC_MIMALLOC,
		MS_ALLOC_MUSL, MS_ALLOC_MUSL, MS_ALLOC_GO, MS_ALLOC_UNKNOWN, MS_ALLOC_GLIBC,
	};
	const struct ms_mapping *m = exe_mapping(a);
	char version[32];
	int fd = exe_open(a, pid), k;

	if (fd < 0)
		return;
	/* Two passes: the allocator's own names first, glibc's only when none is there. */
	k = ms_elf_find_symbol(ctx, fd, names, 7);
	if (k < 0 && ms_elf_find_symbol(ctx, fd, names + 8, 1) == 0)
		k = 8;
	if (k < 0 && ms_go_version(fd, version, sizeof(version)) == 0) {
		close(fd);
		a->alloc = MS_ALLOC_GO;
		snprintf(a->alloc_why, sizeof(a->alloc_why),
			 "a static binary: %s has Go's buildinfo (%s)", ms_mapping_name(m), version);
		return;
	}
	close(fd);
	if (k < 0 || allocs[k] == MS_ALLOC_UNKNOWN)
		return;
	a->alloc = allocs[k];
	snprintf(a->alloc_why, sizeof(a->alloc_why), "a static binary: %s has the symbol %s",
		 ms_mapping_name(m), names[k]);
}

/*
 * The Go runtime's books from the dump alone (the heap as it was then),
 * or from the live process alone: never some of each, as a slice header
 * read now may point where the dump holds older bytes.
 */
static int go_read_dump(struct ms_ctx *ctx, uint64_t addr, void *buf, size_t len, void *data)
{
	struct ms_analysis *a = data;
	const unsigned char *p;
	size_t avail;

	(void)ctx;
	if (!(p = ms_objspace_bytes(a->space, addr, &avail)) || avail < len)
		return -EIO;
	memcpy(buf, p, len);
	return 0;
}

/*
 * The mappings of the Go heap's arenas, one heap however the kernel split
 * it; the reserve beyond what it uses (PROT_NONE) is no memory.
 */
static void go_heap_maps(struct ms_analysis *a)
{
	size_t i, k;

	for (i = 0; a->maps && i < ms_maps_count(a->maps); i++) {
		const struct ms_mapping *m = ms_maps_get(a->maps, i);

		if (ms_mapping_perms(m)[0] != 'r')
			continue;
		for (k = 0; k < ms_goheap_arena_count(a->go); k++) {
			uint64_t end, start = ms_goheap_arena(a->go, k, &end);

			if (ms_mapping_start(m) < end && ms_mapping_end(m) > start) {
				a->go_maps++;
				a->go_mapped += ms_mapping_size(m);
				break;
			}
		}
	}
}

/*
 * The Go heap, when the executable is a Go program (a cgo one too: its
 * malloc is glibc's, its Go objects are in spans): the runtime's spans
 * give the objects, a note says what was read and how.
 */
static int go_heap(struct ms_ctx *ctx, struct ms_analysis *a)
{
	const struct ms_mapping *m = exe_mapping(a);
	int fd = exe_open(a, a->pid), rc;
	bool live = false;

	if (fd < 0)
		return 0;
	if (ms_go_version(fd, a->go_version, sizeof(a->go_version)) < 0 &&
	    a->alloc != MS_ALLOC_GO) {
		close(fd);
		return 0;
	}
	rc = ms_goheap_new(ctx, fd, ms_mapping_name(m), ms_mapping_start(m), go_read_dump, a,
			   MS_GOHEAP_TYPES, &a->go);
	/*
	 * Not in the dump, or the dump without the globals that type its
	 * objects: the live process has both, if it still runs.
	 */
	if ((rc == -ENODATA || (rc == 0 && ms_goheap_globals_unread(a->go))) && a->pid > 0) {
		struct ms_goheap *h = NULL;
		int lrc = ms_goheap_new_pid(ctx, a->pid, a->maps, MS_GOHEAP_TYPES, &h);

		if (lrc == 0) {
			ms_goheap_free(a->go);
			a->go = h;
			live = true;
		}
		rc = lrc == -ENOMEM || lrc == 0 ? lrc : rc;
	}
	close(fd);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		note(a, "go: %s%s%s; objects found from slice headers instead", a->go_version,
		     a->go_version[0] ? ": " : "", ms_ctx_errmsg(ctx));
		return 0;
	}
	go_heap_maps(a);
	note(a, "go: the Go heap is %zu mapping%s in %zu arena%s, %" PRIu64 " bytes mapped",
	     a->go_maps, a->go_maps == 1 ? "" : "s", ms_goheap_arena_count(a->go),
	     ms_goheap_arena_count(a->go) == 1 ? "" : "s", a->go_mapped);
	note(a, "go: %s (buildinfo); %zu spans read from runtime.mheap_ in %s (layouts from %s): %" PRIu64 " bytes of objects in use in %" PRIu64 " bytes of spans; %" PRIu64 " objects typed by the pointers that reach them",
	     a->go_version[0] ? a->go_version : "version not told", ms_goheap_span_count(a->go),
	     live ? "the live process (the dump lacks it or the globals)" : "the dump", ms_goheap_layout(a->go), ms_goheap_live_bytes(a->go), ms_goheap_span_bytes(a->go),
	     ms_goheap_typed(a->go));
	return 0;
}

/* LEN bytes at ADDR: from the live process, else from the dump.  0 or -1. */
static int read_at(struct ms_ctx *ctx, const struct ms_analysis *a, uint64_t addr, void *buf,
		   size_t len)
{
	const unsigned char *p;
	size_t avail;

	if (a->pid > 0 && ms_memread_peek(ctx, a->pid, addr, buf, len) == 0)
		return 0;
	if (!(p = ms_objspace_bytes(a->space, addr, &avail)) || avail < len)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

/*
 * A CPython class's name: WORD is an object's ob_type that no symbol
 * covers, a type object on the heap.  It is one when its own ob_type is
 * PyType_Type (or a type whose ob_type is), and its tp_name (word 3) is
 * then the class's name, as type(obj).__name__ with its module.
 */
static bool py_type_name(struct ms_ctx *ctx, uint64_t word, char *buf, size_t len, void *data)
{
	struct ms_analysis *a = data;
	const struct ms_sym *s = NULL;
	uint64_t t[4], meta[2];
	char name[64];
	size_t i;

	if (!a->syms || read_at(ctx, a, word, t, sizeof(t)) < 0 ||
	    ms_symbols_lookup(ctx, a->syms, t[1], &s) < 0)
		return false;
	/* A metaclass's instances are types too: one step up, to PyType_Type. */
	if ((!s || strcmp(s->name, "PyType_Type")) &&
	    (read_at(ctx, a, t[1], meta, sizeof(meta)) < 0 ||
	     ms_symbols_lookup(ctx, a->syms, meta[1], &s) < 0 || !s || strcmp(s->name, "PyType_Type")))
		return false;
	for (i = 0; i + 16 <= sizeof(name); i += 16)
		if (read_at(ctx, a, t[3] + i, name + i, 16) < 0 || memchr(name + i, 0, 16))
			break;
	if (i + 16 > sizeof(name) || !memchr(name, 0, i + 16))
		return false;
	for (i = 0; name[i]; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return false;
	if (!i)
		return false;
	snprintf(buf, len, "%s", name);
	return true;
}

static int add_range(struct ms_ctx *ctx, struct ms_analysis *a, const struct ms_objrange *r)
{
	struct ms_objrange *p = realloc(a->ranges, (a->nranges + 1) * sizeof(*p));

	if (!p)
		return ms_err(ctx, -ENOMEM, "out of memory");
	a->ranges = p;
	a->ranges[a->nranges++] = *r;
	return 0;
}

/* Into the clusters, then to the caller's hook (opts.obj_cb). */
static int add_obj(struct ms_ctx *ctx, const struct ms_obj *o, void *data)
{
	struct ms_analysis *a = data;
	int rc = ms_clusters_add_cb(ctx, o, a->clusters);

	if (rc < 0 || !a->obj_cb)
		return rc;
	return a->obj_cb(ctx, o, ms_clusters_last_key(a->clusters), a->obj_data);
}

static bool v8_on(const struct ms_analysis *a)
{
	return a->v8;
}

static bool cpython_on(const struct ms_analysis *a)
{
	return a->cpython;
}

static bool go_on(const struct ms_analysis *a)
{
	return a->go;
}

/* Go's spans, DATA the analysis (add_obj()'s), which holds the model. */
static int go_objects(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base, ms_obj_cb cb,
		      void *data, struct ms_objrange *res)
{
	const struct ms_analysis *a = data;

	return ms_objects_go(ctx, a->go, buf, len, base, cb, data, res);
}

/* The runtimes' finders, in the order they are tried, and when. */
static const struct {
	bool (*on)(const struct ms_analysis *a);
	int (*find)(struct ms_ctx *ctx, const void *buf, size_t len, uint64_t base, ms_obj_cb cb,
		    void *data, struct ms_objrange *res);
} runtimes[] = {
	{ go_on, go_objects },
	{ v8_on, ms_objects_v8 },
	{ cpython_on, ms_objects_pymalloc },
};

/* Each range of the dump to the finder that fits it. */
static int objects(struct ms_ctx *ctx, struct ms_analysis *a, const struct ms_objspace *space)
{
	const struct ms_manifest_range *r = space->ranges;
	const unsigned char *map = space->map;
	size_t n = space->nranges, size = space->size, i, k;
	int rc;

	for (i = 0; i < n; i++) {
		const struct ms_mapping *m = a->maps ? ms_maps_find(a->maps, r[i].start) : NULL;
		const char *name = m ? ms_mapping_name(m) : "";
		struct ms_objrange res;
		uint64_t len = r[i].length;

		if (r[i].offset >= size)
			break;
		if (len > size - r[i].offset) {
			note(a, "range 0x%" PRIx64 ": the dump ends %" PRIu64 " bytes into it (%" PRIu64 " expected); analysed what is there",
			     r[i].start, size - r[i].offset, len);
			len = size - r[i].offset;
		}
		/* Stacks and files hold no heap objects worth a look. */
		if (m && (!strncmp(name, "[stack", 6) || name[0] == '/'))
			continue;
		/*
		 * Runtimes' own heaps first, in anonymous memory glibc knows
		 * nothing of: Go's spans (a cgo binary's too), V8's pages (JS
		 * objects, never walked as malloc's) and CPython's pools.  Each
		 * says whether the range is its own.
		 */
		for (k = 0, rc = 0; !name[0] && k < MS_ARRAY_SIZE(runtimes) && rc == 0; k++)
			if (runtimes[k].on(a))
				rc = runtimes[k].find(ctx, map + r[i].offset, (size_t)len, r[i].start,
						      add_obj, a, &res);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			if ((rc = add_range(ctx, a, &res)) < 0)
				return rc;
			continue;
		}
		rc = ms_objects_find(ctx, a->alloc, a->syms, space, map + r[i].offset, (size_t)len,
				     r[i].start, name, m && ms_mapping_start(m) == r[i].start,
				     add_obj, a, &res);
		if (rc < 0)
			return rc;
		if ((rc = add_range(ctx, a, &res)) < 0)
			return rc;
	}
	return 0;
}

/*
 * The heap to show chunk by chunk: [heap] from its start, else the busiest
 * thread arena, else the whole dump when it is one range.  A heap of
 * another allocator, or one that does not parse, is a note.
 */
static int heap_walk(struct ms_ctx *ctx, struct ms_analysis *a, const struct ms_objspace *sp)
{
	const struct ms_manifest_range *r = NULL;
	const struct ms_objrange *arena = NULL;
	uint64_t len;
	size_t i;
	int rc;

	if (a->alloc != MS_ALLOC_GLIBC && a->alloc != MS_ALLOC_UNKNOWN)
		return 0;
	for (i = 0; a->maps && i < sp->nranges && !r; i++) {
		const struct ms_mapping *m = ms_maps_find(a->maps, sp->ranges[i].start);

		if (m && !strcmp(ms_mapping_name(m), "[heap]") &&
		    ms_mapping_start(m) == sp->ranges[i].start)
			r = &sp->ranges[i];
	}
	for (i = 0; !r && i < a->nranges; i++)
		if (a->ranges[i].finder == MS_FIND_GLIBC_ARENA &&
		    (!arena || a->ranges[i].objects > arena->objects))
			arena = &a->ranges[i];
	for (i = 0; !r && arena && i < sp->nranges; i++)
		if (sp->ranges[i].start == arena->start)
			r = &sp->ranges[i];
	if (!r && sp->nranges == 1)
		r = &sp->ranges[0];
	if (!r || r->offset >= sp->size)
		return 0;
	len = r->length < sp->size - r->offset ? r->length : sp->size - r->offset;
	rc = ms_heapwalk_run(ctx, sp->map + r->offset, (size_t)len, r->start, &a->hw);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0)
		note(a, "heap walk: %s", ms_ctx_errmsg(ctx));
	return 0;
}

/* The dump at PATH, open, with its size in *ST: a non-empty regular file. */
static int open_dump(struct ms_ctx *ctx, const char *path, int *fd, struct stat *st)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, st) < 0)
		return ms_err_errno(ctx, -errno, "%s", path);
	if (!S_ISREG(st->st_mode) || st->st_size == 0)
		return ms_err(ctx, -EINVAL, "%s: not a non-empty regular file", path);
	return 0;
}

/*
 * What the manifest's maps tell: the mappings, the allocator (or, for a
 * static binary, its symbols), CPython and V8.  Without maps nothing is
 * guessed, and the verdict says so.
 */
static void guess_runtime(struct ms_ctx *ctx, struct ms_analysis *a,
			  const struct ms_analysis_opts *o, const char *path,
			  const struct ms_manifest_info *mi)
{
	char why[160];

	if (!mi->maps) {
		snprintf(a->alloc_why, sizeof(a->alloc_why), "no maps to tell");
		return;
	}
	if (ms_maps_parse_buf(ctx, mi->maps, strlen(mi->maps), path, &a->maps) < 0)
		note(a, "%s: its maps do not parse: %s", path, ms_ctx_errmsg(ctx));
	a->alloc = ms_allocator_guess(mi->maps, strlen(mi->maps), a->alloc_why,
				      sizeof(a->alloc_why));
	if (a->alloc == MS_ALLOC_UNKNOWN)
		static_allocator(a, ctx, o->pid ? o->pid : mi->pid);
	a->cpython = ms_cpython_guess(mi->maps, strlen(mi->maps), a->cpython_why,
				      sizeof(a->cpython_why));
	a->v8 = ms_v8_guess(mi->maps, strlen(mi->maps), why, sizeof(why));
}

/*
 * Steps 1 and 2 over the mapped dump: objects (Go's heap from its books
 * first), their clusters, V8's share, and glibc's heap walked when asked.
 */
static int find_objects(struct ms_ctx *ctx, struct ms_analysis *a,
			const struct ms_analysis_opts *o, struct ms_objspace *space)
{
	int rc = 0;

	/* The namer reads type objects from the dump too, while it is mapped. */
	a->space = space;
	if (!o->no_objects && (rc = go_heap(ctx, a)) < 0)
		goto out;
	if (!o->no_objects && (rc = ms_clusters_new(ctx, a->syms, &a->clusters)) == 0) {
		if (a->cpython)
			ms_clusters_set_namer(a->clusters, py_type_name, a);
		rc = objects(ctx, a, space);
		if (rc == 0)
			rc = ms_clusters_finish(ctx, a->clusters);
	}
	for (size_t i = 0; i < a->nranges; i++)
		if (a->ranges[i].finder == MS_FIND_V8)
			a->v8_bytes += a->ranges[i].end - a->ranges[i].start;
	if (rc == 0 && o->heap_walk)
		rc = heap_walk(ctx, a, space);
out:
	a->space = NULL;
	return rc;
}

int ms_analysis_run(struct ms_ctx *ctx, const struct ms_analysis_opts *opts, const char *path,
		    const struct ms_manifest_info *mi, struct ms_analysis **out)
{
	static const struct ms_analysis_opts none;
	const struct ms_analysis_opts *o = opts ? opts : &none;
	struct ms_analysis *a = calloc(1, sizeof(*a));
	struct ms_manifest_info empty = { 0 };
	struct ms_manifest_range one;
	struct ms_objspace space;
	unsigned char *map = MAP_FAILED;
	struct stat st;
	int fd = -1, rc;

	if (!a)
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (!mi)
		mi = &empty;
	if ((rc = open_dump(ctx, path, &fd, &st)) < 0 ||
	    (rc = symbols(ctx, a, o, path, mi)) < 0)
		goto out;
	guess_runtime(ctx, a, o, path, mi);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		goto out;
	}
	if (o->count_words && a->syms &&
	    (rc = ms_symbols_count_words(ctx, a->syms, map, (size_t)st.st_size)) < 0)
		goto out;
	if (a->syms)
		ms_symbols_rank(a->syms);
	a->pid = o->pid ? o->pid : mi->pid;
	a->obj_cb = o->obj_cb;
	a->obj_data = o->obj_data;
	one = (struct ms_manifest_range){ mi->start, (uint64_t)st.st_size, 0 };
	space = (struct ms_objspace){ map, (size_t)st.st_size, mi->nranges ? mi->ranges : &one,
				      mi->nranges ? mi->nranges : 1 };
	if ((rc = find_objects(ctx, a, o, &space)) < 0)
		goto out;
	if (a->clusters && ms_clusters_approximate(a->clusters))
		note(a, "more than %d clusters: objects past them are not counted", MS_CLUSTERS_MAX);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	if (rc < 0) {
		ms_analysis_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void ms_analysis_diff(struct ms_analysis *a, const struct ms_analysis *older)
{
	a->v8_growth = (int64_t)(a->v8_bytes - older->v8_bytes);
	if (!a->clusters || !older->clusters)
		return;
	ms_clusters_diff(a->clusters, older->clusters);
	a->diffed = true;
}

struct ms_symbols *ms_analysis_symbols(const struct ms_analysis *a)
{
	return a->syms;
}

const struct ms_clusters *ms_analysis_clusters(const struct ms_analysis *a)
{
	return a->clusters;
}

enum ms_allocator ms_analysis_allocator(const struct ms_analysis *a, const char **evidence)
{
	if (evidence)
		*evidence = a->alloc_why;
	return a->alloc;
}

size_t ms_analysis_range_count(const struct ms_analysis *a)
{
	return a->nranges;
}

const struct ms_objrange *ms_analysis_range(const struct ms_analysis *a, size_t i)
{
	return i < a->nranges ? &a->ranges[i] : NULL;
}

const struct ms_heapwalk *ms_analysis_heapwalk(const struct ms_analysis *a)
{
	return a->hw;
}

const char *ms_analysis_note(const struct ms_analysis *a, size_t i)
{
	return i < a->nnotes ? a->notes[i] : NULL;
}
