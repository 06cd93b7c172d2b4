// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/label.h>

#include "internal.h"

/* glibc's HEAP_MAX_SIZE on 64-bit: 2 * DEFAULT_MMAP_THRESHOLD_MAX (malloc/arena.c). */
#define GLIBC_HEAP_MAX (64ULL << 20)
/* Go's first heap arena hint on amd64 and arm64 (runtime/malloc.go: 0x00c0 << 32). */
#define GO_ARENA_START 0xc000000000ULL
#define GO_ARENA_END 0x10000000000ULL

static bool is_anon_private(const struct ms_mapping *m)
{
	return m && ms_mapping_kind(m) == MS_MAPPING_ANON && ms_mapping_perms(m)[3] == 'p';
}

static const struct ms_mapping *neighbour(const struct ms_mapping *m, int dir)
{
	size_t i = ms_mapping_index(m);
	const struct ms_mapping *n;

	if (dir < 0 && i == 0)
		return NULL;
	n = ms_maps_get(ms_mapping_maps(m), dir < 0 ? i - 1 : i + 1);
	if (!n)
		return NULL;
	/* Only a neighbour that touches M says anything about it. */
	if (dir < 0 ? ms_mapping_end(n) != ms_mapping_start(m) :
		      ms_mapping_start(n) != ms_mapping_end(m))
		return NULL;
	return n;
}

static bool thread_stack(const struct ms_snapshot *snap, const struct ms_mapping *m,
			 char *buf, size_t len)
{
	const char *comm;
	uint64_t sp;
	pid_t tid;
	size_t i;

	for (i = 0; snap && ms_snapshot_thread(snap, i, &tid, &sp, &comm) != -ENOENT; i++) {
		if (!sp || sp < ms_mapping_start(m) || sp >= ms_mapping_end(m))
			continue;
		if (tid == ms_snapshot_pid(snap))
			snprintf(buf, len, "main thread stack");
		else
			snprintf(buf, len, "stack of thread %d (%s)", (int)tid, comm ? comm : "?");
		return true;
	}
	return false;
}

/* pthread's shape: a read-write region right above a PROT_NONE guard page. */
static bool stack_shaped(const struct ms_mapping *m)
{
	const struct ms_mapping *prev = neighbour(m, -1);

	return is_anon_private(m) && !strcmp(ms_mapping_perms(m), "rw-p") && is_anon_private(prev) &&
	       !strcmp(ms_mapping_perms(prev), "---p") && ms_mapping_size(prev) == 4096;
}

/*
 * Evidence that a stack-shaped region is a thread's stack: the snapshot
 * knows the threads, and there are threads enough besides the main one for
 * every such region.  A live thread's stack is named by its stack pointer
 * already (thread_stack()); this is for those whose pointer is unknown.
 * Buffers below guard pages in a process of one thread are not stacks.
 */
static bool threads_enough(const struct ms_snapshot *snap, const struct ms_mapping *m)
{
	const struct ms_maps *maps = ms_mapping_maps(m);
	size_t threads = 0, shaped = 0, i;
	const char *comm;
	uint64_t sp;
	pid_t tid;

	while (snap && ms_snapshot_thread(snap, threads, &tid, &sp, &comm) != -ENOENT)
		threads++;
	if (threads < 2)
		return false;
	for (i = 0; i < ms_maps_count(maps) && shaped < threads; i++)
		shaped += stack_shaped(ms_maps_get(maps, i));
	return shaped <= threads - 1;
}

/* The ELF file at PATH, if it is still the one mapped (INODE), has one of Go's sections. */
static bool go_elf(const char *path, uint64_t inode)
{
	static const char *const go[] = { ".go.buildinfo", ".gopclntab", ".note.go.buildid" };
	bool found = false;
	Elf_Scn *scn = NULL;
	const char *name;
	struct stat st;
	size_t shstrndx, i;
	GElf_Shdr sh;
	Elf *elf;
	int fd;

	if (path[0] != '/' || elf_version(EV_CURRENT) == EV_NONE)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_ino != inode) {
		close(fd);
		return false;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_getshdrstrndx(elf, &shstrndx) == 0)
		while (!found && (scn = elf_nextscn(elf, scn)))
			for (i = 0; i < MS_ARRAY_SIZE(go) && gelf_getshdr(scn, &sh); i++)
				if ((name = elf_strptr(elf, shstrndx, sh.sh_name)) && !strcmp(name, go[i]))
					found = true;
	elf_end(elf);
	close(fd);
	return found;
}

/*
 * Evidence of Go's runtime in the process of M: gccgo's libgo mapped, or
 * the executable (the first file mapped) a Go binary.  A C program can map
 * memory at Go's arena hint too.
 */
static bool go_runtime(const struct ms_mapping *m)
{
	const struct ms_maps *maps = ms_mapping_maps(m);
	const struct ms_mapping *exe = NULL, *o;
	const char *base;
	size_t i;

	for (i = 0; i < ms_maps_nfiles(maps); i++) {
		o = ms_maps_file(maps, i);
		base = strrchr(ms_mapping_name(o), '/');
		if (base && !strncmp(base + 1, "libgo.so", 8))
			return true;
		if (!exe)
			exe = o;
	}
	return exe && go_elf(ms_mapping_name(exe), ms_mapping_inode(exe));
}

/* V8's pages: MemoryChunk::kAlignment, 256 KiB on 64-bit (src/common/globals.h). */
#define V8_PAGE (256ULL << 10)

/* The file's name after its last '/', compared up to a '.' or the end. */
static bool base_is(const char *path, const char *name)
{
	const char *b = strrchr(path, '/');
	size_t n = strlen(name);

	b = b ? b + 1 : path;
	return !strncmp(b, name, n) && (b[n] == '\0' || b[n] == '.');
}

/*
 * Evidence of V8 in the process of M: node's executable (Debian's nodejs
 * links V8 in), libnode or libv8 mapped.  Read from the maps' names only,
 * so a saved snapshot says as much as a live process.
 */
static bool v8_runtime(const struct ms_mapping *m)
{
	const struct ms_maps *maps = ms_mapping_maps(m);
	const struct ms_mapping *o;
	size_t i;

	for (i = 0; i < ms_maps_nfiles(maps); i++) {
		o = ms_maps_file(maps, i);
		if (base_is(ms_mapping_name(o), "node") || base_is(ms_mapping_name(o), "nodejs") ||
		    base_is(ms_mapping_name(o), "libnode") || base_is(ms_mapping_name(o), "libv8"))
			return true;
	}
	return false;
}

/*
 * A V8 heap page: anonymous read-write memory on V8's 256 KiB boundary, a
 * page or more long (a large object's page is its size, rounded to 4 KiB),
 * in a process with V8.  Each page carries a MemoryChunk header that the
 * object finder checks in a dump (objects.c); from the maps alone it is
 * "likely".
 */
static bool v8_page(const struct ms_mapping *m)
{
	return !strcmp(ms_mapping_perms(m), "rw-p") && ms_mapping_start(m) % V8_PAGE == 0 &&
	       ms_mapping_size(m) >= V8_PAGE && !stack_shaped(m) && v8_runtime(m);
}

/*
 * CPython's pymalloc arena size for the process of M, or 0 when no CPython
 * is mapped: ARENA_SIZE is 1 MiB from 3.10 and 256 KiB before
 * (Objects/obmalloc.c); a version not in the name (python3) is taken as new.
 */
static uint64_t pymalloc_arena(const struct ms_mapping *m)
{
	const struct ms_maps *maps = ms_mapping_maps(m);
	const char *name, *b, *v;
	size_t i;

	for (i = 0; i < ms_maps_nfiles(maps); i++) {
		const struct ms_mapping *o = ms_maps_file(maps, i);

		name = ms_mapping_name(o);
		b = strrchr(name, '/');
		b = b ? b + 1 : name;
		if (!strncmp(b, "python3", 7))
			v = b + 7;
		else if (!strncmp(b, "libpython3", 10))
			v = b + 10;
		else
			continue;
		if (v[0] == '.' && v[1] >= '0' && v[1] <= '9')
			return atoi(v + 1) >= 10 ? 1ULL << 20 : 256ULL << 10;
		return 1ULL << 20;
	}
	return 0;
}

/*
 * pymalloc's arenas: anonymous read-write memory of an arena or more (arenas
 * mapped one after another merge into one mapping), in a CPython process.
 * Large Python objects are malloc's, in [heap] or glibc's own mappings.
 */
static bool pymalloc_arenas(const struct ms_mapping *m)
{
	uint64_t arena;

	/*
	 * The smallest arena first: the scan for CPython below walks every
	 * mapping, and done for each mapping it made a 20,000-mapping process
	 * take seconds to label.
	 */
	if (strcmp(ms_mapping_perms(m), "rw-p") || ms_mapping_size(m) < (256ULL << 10) ||
	    stack_shaped(m))
		return false;
	arena = pymalloc_arena(m);
	return arena && ms_mapping_size(m) >= arena;
}

static const char *label_anon(const struct ms_snapshot *snap, const struct ms_mapping *m,
			      char *buf, size_t len)
{
	uint64_t start = ms_mapping_start(m), end = ms_mapping_end(m);
	const struct ms_mapping *prev = neighbour(m, -1), *next = neighbour(m, 1);
	const char *perms = ms_mapping_perms(m);
	long page = 4096;

	/* Before the stacks: goroutines' stacks, and a thread's pointer, lie in Go's heap. */
	if (start >= GO_ARENA_START && start < GO_ARENA_END && go_runtime(m))
		return snprintf(buf, len, "%s", MS_LABEL_GO_HEAP), buf;
	if (thread_stack(snap, m, buf, len))
		return buf;
	/* A thread heap: heap_info at a 64 MiB boundary, the unused rest PROT_NONE. */
	if (start % GLIBC_HEAP_MAX == 0 && perms[0] == 'r' && perms[1] == 'w' &&
	    (end - start == GLIBC_HEAP_MAX ||
	     (is_anon_private(next) && !strcmp(ms_mapping_perms(next), "---p") &&
	      ms_mapping_end(next) == start + GLIBC_HEAP_MAX)))
		return snprintf(buf, len, "glibc malloc arena (likely)"), buf;
	if (!strcmp(perms, "---p") && end % GLIBC_HEAP_MAX == 0 && is_anon_private(prev) &&
	    ms_mapping_start(prev) % GLIBC_HEAP_MAX == 0 && end - ms_mapping_start(prev) == GLIBC_HEAP_MAX)
		return snprintf(buf, len, "glibc arena reserve (likely)"), buf;
	if (v8_page(m))
		return snprintf(buf, len, "%s", MS_LABEL_V8_HEAP), buf;
	if (pymalloc_arenas(m))
		return snprintf(buf, len, "%s", MS_LABEL_PYMALLOC), buf;
	/* pthread stacks: one PROT_NONE guard page below a read-write region. */
	if (!strcmp(perms, "---p") && end - start == (uint64_t)page && is_anon_private(next) &&
	    !strcmp(ms_mapping_perms(next), "rw-p"))
		return snprintf(buf, len, "guard page"), buf;
	if (stack_shaped(m) && threads_enough(snap, m))
		return snprintf(buf, len, "thread stack (likely)"), buf;
	buf[0] = '\0';
	return buf;
}

const char *ms_label_mapping(const struct ms_snapshot *snap, const struct ms_mapping *m,
			     char *buf, size_t len)
{
	const char *label;
	size_t l = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (ms_mapping_kind(m)) {
	case MS_MAPPING_ANON:
		return label_anon(snap, m, buf, len);
	case MS_MAPPING_HEAP:
		snprintf(buf, len, "heap (brk)");
		break;
	case MS_MAPPING_STACK:
		snprintf(buf, len, "main thread stack");
		break;
	case MS_MAPPING_ANON_NAMED:
	case MS_MAPPING_SHMEM_NAMED:
	case MS_MAPPING_MEMFD:
		label = ms_mapping_label(m, &l);
		snprintf(buf, len, "%s:%.*s",
			 ms_mapping_kind(m) == MS_MAPPING_ANON_NAMED ? "anon" :
			 ms_mapping_kind(m) == MS_MAPPING_MEMFD ? "memfd" : "shmem", (int)l, label);
		break;
	case MS_MAPPING_SHMEM:
		snprintf(buf, len, "shared memory");
		break;
	case MS_MAPPING_FILE:
		if (ms_mapping_deleted(m))
			snprintf(buf, len, "deleted file");
		break;
	case MS_MAPPING_VDSO:
	case MS_MAPPING_VVAR:
	case MS_MAPPING_VSYSCALL:
		snprintf(buf, len, "kernel");
		break;
	default:
		break;
	}
	return buf;
}

bool ms_label_one_heap(const char *label)
{
	static const char *const heaps[] = { MS_LABEL_V8_HEAP, MS_LABEL_PYMALLOC, MS_LABEL_GO_HEAP };
	size_t i;

	for (i = 0; label && i < MS_ARRAY_SIZE(heaps); i++)
		if (!strcmp(label, heaps[i]))
			return true;
	return false;
}
