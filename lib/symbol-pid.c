// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Modules of a live process, read as the process maps them.  The path in
 * its maps may name another file by now (an in-place deploy moved a new
 * build over it) or no file on this host (the process runs in a container,
 * under another root).  The kernel still reaches the very file mapped
 * through /proc/PID/map_files (CAP_SYS_ADMIN) and /proc/PID/exe, and the
 * process's own view of the path through /proc/PID/root.  Each candidate
 * is checked against the build-id of the image mapped: the one in the
 * process's memory, else the one recorded (a manifest).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/elfscan.h>
#include <memsift/maps.h>
#include <memsift/memread.h>
#include <memsift/procfs.h>
#include <memsift/symbol.h>

#include "internal.h"
#include "symbol-private.h"

#define DELETED " (deleted)"

/* The file mapping at offset 0 of MOD's address range: its ELF header. */
static const struct ms_mapping *module_mapping(const struct ms_symbols *s, Dwfl_Module *mod)
{
	const struct ms_mapping *m, *first = NULL;
	Dwarf_Addr low = 0, high = 0;
	size_t i;

	dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL);
	for (i = 0; i < ms_maps_count(s->maps); i++) {
		m = ms_maps_get(s->maps, i);
		if (ms_mapping_start(m) < low || ms_mapping_start(m) >= high ||
		    ms_mapping_kind(m) != MS_MAPPING_FILE)
			continue;
		if (ms_mapping_offset(m) == 0)
			return m;
		if (!first)
			first = m;
	}
	return first;
}

/* The build-id of the ELF image mapped at M, from the process's memory, as new hex, or NULL. */
static char *memory_build_id(pid_t pid, const struct ms_mapping *m)
{
	char *hex = NULL;

	if (ms_mapping_offset(m) != 0 ||
	    ms_elf_build_id_pid(NULL, pid, ms_mapping_start(m), ms_mapping_size(m), &hex) < 0)
		return NULL;
	return hex;
}

/* The build-id of the file at FD as new hex, or NULL. */
static char *file_build_id(int fd, const char *what)
{
	struct ms_ctx *quiet = ms_ctx_new();
	char *hex = NULL;

	/* A file without one is no error: its message stays out of the caller's context. */
	if (quiet && ms_elf_build_id(quiet, fd, what, &hex) < 0)
		hex = NULL;
	ms_ctx_free(quiet);
	return hex;
}

/* Open /proc/PID/NAME; -1 when it cannot be. */
static int proc_open(pid_t pid, const char *name)
{
	int fd;

	return ms_procfs_open(NULL, pid, name, O_RDONLY, &fd) < 0 ? -1 : fd;
}

enum via { VIA_PATH, VIA_ROOT, VIA_MAP_FILES, VIA_EXE, VIA_N };

/* Open candidate V for the file mapped at M as PATH; -1 when it cannot be. */
static int open_via(const struct ms_symbols *s, enum via v, const struct ms_mapping *m,
		    const char *path)
{
	char name[PATH_MAX + 8];
	char *exe = NULL;
	size_t n;
	int fd = -1;

	switch (v) {
	case VIA_PATH:
		return open(path, O_RDONLY | O_CLOEXEC);
	case VIA_ROOT:
		if ((size_t)snprintf(name, sizeof(name), "root%s", path) >= sizeof(name))
			return -1;
		return proc_open(s->pid, name);
	case VIA_MAP_FILES:
		snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, ms_mapping_start(m),
			 ms_mapping_end(m));
		return proc_open(s->pid, name);
	case VIA_EXE:
		/* Only for the main program: exe is the file it was exec'd from. */
		if (ms_procfs_readlink(NULL, s->pid, "exe", &exe) < 0)
			return -1;
		n = strlen(exe);
		if (n > strlen(DELETED) && !strcmp(exe + n - strlen(DELETED), DELETED))
			exe[n - strlen(DELETED)] = '\0';
		if (!strcmp(exe, path))
			fd = proc_open(s->pid, "exe");
		free(exe);
		return fd;
	default:
		return -1;
	}
}

static int add_opened(struct ms_symbols *s, Dwfl_Module *mod, char *note, bool mismatch)
{
	struct ms_opened *o = realloc(s->opened, (s->nopened + 1) * sizeof(*o));

	if (!o) {
		free(note);
		return -ENOMEM;
	}
	s->opened = o;
	s->opened[s->nopened++] = (struct ms_opened){ mod, note, mismatch };
	return 0;
}

const struct ms_opened *ms_symbols_opened(const struct ms_symbols *s, Dwfl_Module *mod)
{
	size_t i;

	for (i = 0; i < s->nopened; i++)
		if (s->opened[i].mod == mod)
			return &s->opened[i];
	return NULL;
}

/* Why candidate V was read rather than PATH, for the report; new, or NULL. */
static char *via_note(const struct ms_symbols *s, enum via v, const char *path,
		      bool path_missing)
{
	static const char *const what[VIA_N] = {
		[VIA_ROOT] = "root", [VIA_MAP_FILES] = "map_files", [VIA_EXE] = "exe",
	};
	char *n = NULL;
	int rc;

	if (v == VIA_PATH)
		return NULL;
	if (v == VIA_ROOT)
		rc = asprintf(&n, "read through /proc/%d/root: %s %s on this host (the process has its own root: a container?)",
			      (int)s->pid, path, path_missing ? "does not exist" : "is another file");
	else
		rc = asprintf(&n, "read through /proc/%d/%s: the file at %s was replaced since (%s)",
			      (int)s->pid, what[v], path, path_missing ? "gone" : "another build-id");
	return rc < 0 ? NULL : n;
}

/*
 * The build-id of the file M maps at PATH, as the process knows it (NULL
 * when nothing tells; to be freed).  The process's memory first: a manifest
 * may have recorded the file at the path on the host, not the one a
 * container maps.
 */
static char *wanted_build_id(struct ms_symbols *s, const struct ms_mapping *m, const char *path)
{
	char *want = memory_build_id(s->pid, m);
	const char *rec;
	size_t n;
	int fd, v;

	if (!want && ((rec = ms_symbols_expected_bid(s, ms_mapping_name(m), &n)) ||
		      (rec = ms_symbols_expected_bid(s, path, &n))))
		want = strndup(rec, n);
	/* With no build-id to check against, the file the kernel maps is the truth. */
	for (v = VIA_MAP_FILES; !want && v <= VIA_EXE; v++)
		if ((fd = open_via(s, (enum via)v, m, path)) >= 0) {
			want = file_build_id(fd, path);
			close(fd);
		}
	return want;
}

int ms_symbols_find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
			char **file_name, Elf **elfp)
{
	struct ms_symbols *s = *userdata;
	const struct ms_mapping *m;
	char *want, *got, path[PATH_MAX], fname[PATH_MAX + 16];
	bool path_missing = false, path_other = false;
	size_t n;
	void *none = NULL;
	int fd = -1, v;

	if (!s || !s->pid || !(m = module_mapping(s, mod)))
		return dwfl_linux_proc_find_elf(mod, &none, name, base, file_name, elfp);
	n = strlen(ms_mapping_name(m));
	if (n >= sizeof(path) || ms_mapping_name(m)[0] != '/')
		return dwfl_linux_proc_find_elf(mod, &none, name, base, file_name, elfp);
	memcpy(path, ms_mapping_name(m), n + 1);
	if (ms_mapping_deleted(m))
		path[n - strlen(DELETED)] = '\0';
	want = wanted_build_id(s, m, path);
	for (v = VIA_PATH; want && v < VIA_N; v++) {
		if ((fd = open_via(s, (enum via)v, m, path)) < 0) {
			path_missing |= v == VIA_PATH;
			continue;
		}
		got = file_build_id(fd, path);
		if (got && !strcmp(got, want)) {
			free(got);
			break;
		}
		path_other |= v == VIA_PATH;
		free(got);
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		/*
		 * Nothing reachable is the file mapped (or nothing says which
		 * is): the path as libdwfl would open it, marked when a
		 * build-id was expected, so its names are not trusted.
		 */
		v = VIA_N;
		fd = open_via(s, VIA_ROOT, m, path);
		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	free(want);
	if (add_opened(s, mod, v < VIA_N ? via_note(s, (enum via)v, path, !path_other) : NULL,
		       v == VIA_N && (path_missing || path_other)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0)
		return -1;
	/*
	 * The name libdwfl looks beside for a .gnu_debuglink file: the path
	 * as the process sees it, so a container's debug files are found.
	 */
	if (v == VIA_PATH || ms_procfs_path(s->pid, "root", fname, sizeof(fname) - strlen(path)) < 0)
		*file_name = strdup(path);
	else
		*file_name = strdup(strcat(fname, path));
	*elfp = NULL;
	return fd;
}

/* True when LIVE maps PATH's files where MAPS does: the same process, not a reused pid. */
static bool same_process(const struct ms_maps *maps, const struct ms_maps *live)
{
	const struct ms_mapping *m, *l;
	size_t i, files = 0, same = 0;

	for (i = 0; i < ms_maps_count(maps); i++) {
		m = ms_maps_get(maps, i);
		if (ms_mapping_kind(m) != MS_MAPPING_FILE || ms_mapping_offset(m) != 0 ||
		    !ms_mapping_inode(m))
			continue;
		files++;
		l = ms_maps_find(live, ms_mapping_start(m));
		if (l && ms_mapping_start(l) == ms_mapping_start(m) &&
		    ms_mapping_inode(l) == ms_mapping_inode(m) &&
		    ms_mapping_dev_major(l) == ms_mapping_dev_major(m) &&
		    ms_mapping_dev_minor(l) == ms_mapping_dev_minor(m))
			same++;
	}
	/* Libraries come and go (dlopen); ASLR puts another process's elsewhere. */
	return !files || same * 2 >= files;
}

int ms_symbols_set_pid(struct ms_ctx *ctx, struct ms_symbols *s, pid_t pid)
{
	struct ms_maps *live = NULL;
	int rc;

	if (pid <= 0 || !ms_procfs_pid_exists(pid))
		return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	rc = ms_maps_read_pid(ctx, pid, MS_MAPS_SRC_MAPS, &live);
	if (rc < 0)	/* the message stays: "pid N: ..." */
		return rc == -ENOMEM || rc == -EPERM ? rc : -ESRCH;
	if (!same_process(s->maps, live)) {
		ms_maps_free(live);
		return ms_err(ctx, -ESRCH,
			      "pid %d: not the process these maps are of (its files are mapped elsewhere: it exited and the pid was reused?)",
			      (int)pid);
	}
	ms_maps_free(live);
	s->pid = pid;
	return 0;
}
