// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/procfs.h>

#include "internal.h"
#include "util.h"

int ms_read_fd_all(struct ms_ctx *ctx, int fd, const char *what, char **buf,
		   size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL;
	ssize_t r;

	for (;;) {
		/* Room for a page's read and the NUL. */
		if (MS_GROW(b, cap, n + 4096 + 1, 64 * 1024) < 0) {
			free(b);
			return ms_err(ctx, -ENOMEM, "%s: out of memory", what);
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(b);
			return ms_err_errno(ctx, (int)r, "%s: read failed", what);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* How far past MAX a line is skipped before the input is taken for no text at all. */
#define LINES_GIVEUP (1024 * 1024)

int ms_read_lines(struct ms_ctx *ctx, FILE *fp, const char *name, size_t max,
		  int (*fn)(void *data, char *line, size_t len, unsigned long lineno),
		  void *data, unsigned long *nlines, unsigned long *nlong)
{
	char *buf = malloc(max + 1);
	unsigned long lines = 0, longs = 0;
	bool toolong = false;
	size_t len = 0, skipped = 0;
	int rc = 0, c;

	if (!buf)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", name);
	/* getc, not fgets, which cannot tell a NUL byte from the end of the line. */
	flockfile(fp);
	while ((c = getc_unlocked(fp)) != EOF || len || toolong) {
		if (c != EOF && c != '\n') {
			if (len < max) {
				buf[len++] = (char)c;
			} else if (!toolong) {
				toolong = true;
				skipped = 0;
			} else if (++skipped > LINES_GIVEUP) {
				/* /dev/zero, a disk image: no newline will come. */
				rc = ms_err(ctx, -EBADMSG,
					    "%s:%lu: a line longer than 1 MiB; is this a text log?",
					    name, lines + 1);
				break;
			}
			continue;
		}
		lines++;
		if (toolong) {
			longs++;
		} else {
			buf[len] = '\0';
			rc = fn(data, buf, len, lines);
			if (rc < 0)
				break;
		}
		len = 0;
		toolong = false;
		if (c == EOF)
			break;
	}
	if (rc >= 0 && ferror(fp))
		rc = ms_err(ctx, -EIO, "%s: read error", name);
	funlockfile(fp);
	free(buf);
	*nlines = lines;
	*nlong = longs;
	return rc < 0 ? rc : 0;
}

int ms_procfs_pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) == 0;
}

/*
 * The memory files of a process whose main thread has exited (it called
 * pthread_exit(), a zombie leader) while its other threads run on are empty
 * under /proc/PID: read them under /proc/PID/task/TID of a live thread.
 */
static bool mm_file(const char *name)
{
	static const char *const names[] = { "maps", "smaps", "smaps_rollup", "mem", "pagemap",
					     "numa_maps" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool zombie_leader(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

pid_t ms_procfs_mm_task(pid_t pid)
{
	pid_t *tids, tid = pid;
	size_t n;

	if (!zombie_leader(pid) || ms_procfs_tasks(NULL, pid, &tids, &n) < 0)
		return pid;
	for (size_t i = 0; i < n; i++)
		if (tids[i] != pid) {
			tid = tids[i];
			break;
		}
	free(tids);
	return tid;
}

/* /proc/PID/NAME, or /proc/PID/task/TID/NAME for a memory file of a zombie leader's. */
static void mm_path(pid_t pid, const char *name, char *path, size_t len)
{
	pid_t tid = mm_file(name) ? ms_procfs_mm_task(pid) : pid;

	if (tid != pid)
		snprintf(path, len, "/proc/%d/task/%d/%s", (int)pid, (int)tid, name);
	else
		snprintf(path, len, "/proc/%d/%s", (int)pid, name);
}

int ms_procfs_read(struct ms_ctx *ctx, pid_t pid, const char *name, char **buf,
		   size_t *len)
{
	char path[PATH_MAX], *b = NULL;
	size_t l = 0;
	int fd, rc;

	mm_path(pid, name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (!ms_procfs_pid_exists(pid))
			return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
		if (rc == -EACCES || rc == -EPERM)
			return ms_err(ctx, -EPERM,
				      "pid %d: permission denied reading %s; run as its owner or with CAP_SYS_PTRACE",
				      (int)pid, path);
		return ms_err_errno(ctx, rc, "pid %d: cannot open %s", (int)pid, path);
	}
	rc = ms_read_fd_all(ctx, fd, path, &b, &l);
	close(fd);
	if (rc == 0 && l == 0 && !ms_procfs_pid_exists(pid)) {
		free(b);
		rc = -ESRCH;
	}
	if (rc == -ESRCH)
		return ms_err(ctx, -ESRCH, "pid %d: exited while %s was read", (int)pid, path);
	if (rc == -EACCES || rc == -EPERM)
		return ms_err(ctx, -EPERM,
			      "pid %d: permission denied reading %s; run as its owner or with CAP_SYS_PTRACE",
			      (int)pid, path);
	if (rc == 0) {
		*buf = b;
		*len = l;
	}
	return rc;
}

int ms_procfs_owner(pid_t pid, uid_t *uid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (stat(path, &st) < 0)
		return -ESRCH;
	*uid = st.st_uid;
	return 0;
}

static int open_error(struct ms_ctx *ctx, pid_t pid, const char *path, int rc)
{
	if (!ms_procfs_pid_exists(pid))
		return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	if (rc == -EACCES || rc == -EPERM)
		return ms_err(ctx, -EPERM,
			      "pid %d: permission denied opening %s; run as its owner or with CAP_SYS_PTRACE",
			      (int)pid, path);
	return ms_err_errno(ctx, rc, "pid %d: cannot open %s", (int)pid, path);
}

int ms_procfs_open(struct ms_ctx *ctx, pid_t pid, const char *name, int flags, int *fd)
{
	char path[PATH_MAX];
	int f;

	mm_path(pid, name, path, sizeof(path));
	f = open(path, flags | O_CLOEXEC);
	if (f < 0)
		return open_error(ctx, pid, path, -errno);
	*fd = f;
	return 0;
}

int ms_procfs_readlink(struct ms_ctx *ctx, pid_t pid, const char *name, char **out)
{
	char path[64], target[PATH_MAX];
	ssize_t n;
	char *s;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return open_error(ctx, pid, path, -errno);
	target[n] = '\0';
	s = strdup(target);
	if (!s)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	*out = s;
	return 0;
}

int ms_procfs_tasks(struct ms_ctx *ctx, pid_t pid, pid_t **tids, size_t *n)
{
	char path[64];
	struct dirent *de;
	pid_t *t = NULL;
	size_t cnt = 0, cap = 0;
	DIR *dir;
	long v;
	char *end;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return open_error(ctx, pid, path, -errno);
	while ((de = readdir(dir))) {
		v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		if (MS_GROW(t, cap, cnt + 1, 16) < 0) {
			free(t);
			closedir(dir);
			return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
		}
		t[cnt++] = (pid_t)v;
	}
	closedir(dir);
	if (!cnt) {
		free(t);
		return ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
	}
	*tids = t;
	*n = cnt;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

int ms_procfs_pids(struct ms_ctx *ctx, pid_t **pids, size_t *n)
{
	struct dirent *de;
	pid_t *t = NULL;
	size_t cnt = 0, cap = 0;
	DIR *dir;
	long v;
	char *end;

	dir = opendir("/proc");
	if (!dir)
		return ms_err_errno(ctx, -errno, "/proc");
	while ((de = readdir(dir))) {
		v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0)
			continue;
		if (MS_GROW(t, cap, cnt + 1, 256) < 0) {
			free(t);
			closedir(dir);
			return ms_err(ctx, -ENOMEM, "/proc: out of memory");
		}
		t[cnt++] = (pid_t)v;
	}
	closedir(dir);
	/* readdir's order is the kernel's; callers merge lists by pid. */
	if (cnt)
		qsort(t, cnt, sizeof(*t), cmp_pid);
	*pids = t;
	*n = cnt;
	return 0;
}

int ms_procfs_mm_path(pid_t pid, const char *name, char *buf, size_t len)
{
	mm_path(pid, name, buf, len);
	return strlen(buf) + 1 >= len ? -ENAMETOOLONG : 0;
}

int ms_procfs_path(pid_t pid, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/%d/%s", (int)pid, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int ms_procfs_cgroup(struct ms_ctx *ctx, pid_t pid, char **v2, char **v1)
{
	char *buf, *line, *save = NULL, *a = NULL, *b = NULL;
	size_t len;
	int rc;

	if (v2)
		*v2 = NULL;
	if (v1)
		*v1 = NULL;
	rc = ms_procfs_read(ctx, pid, "cgroup", &buf, &len);
	if (rc < 0)
		return rc;
	/* "0::PATH" for v2; "N:CONTROLLERS:PATH" for v1, memory among them. */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		if (!strcmp(line, "0") && ctrl[1] == '\0')
			a = path;
		else if (!strcmp(ctrl + 1, "memory") || strstr(ctrl + 1, ",memory") ||
			 !strncmp(ctrl + 1, "memory,", 7))
			b = path;
	}
	rc = 0;
	if (v2 && a && !(*v2 = strdup(a)))
		rc = -ENOMEM;
	if (v1 && b && !(*v1 = strdup(b)))
		rc = -ENOMEM;
	free(buf);
	if (rc < 0) {
		if (v2) {
			free(*v2);
			*v2 = NULL;
		}
		return ms_err(ctx, rc, "out of memory");
	}
	return 0;
}

int ms_procfs_identity(struct ms_ctx *ctx, pid_t pid, unsigned long long *starttime,
		       char *exe, size_t exelen)
{
	char *buf, *p, path[64];
	struct stat st;
	size_t len;
	int rc, field;

	if (starttime) {
		rc = ms_procfs_read(ctx, pid, "stat", &buf, &len);
		if (rc < 0)
			return rc;
		/* The name in parentheses may hold anything: count from its last ')'. */
		p = memrchr(buf, ')', len);
		for (field = 2; p && field < 22; field++)
			p = memchr(p + 1, ' ', len - (size_t)(p + 1 - buf));
		rc = p && sscanf(p, " %llu", starttime) == 1 ? 0 :
		     ms_err(ctx, -EBADMSG, "/proc/%d/stat: no start time in it", (int)pid);
		free(buf);
		if (rc < 0)
			return rc;
	}
	if (exe && exelen) {
		ms_procfs_path(pid, "exe", path, sizeof(path));
		/* No executable to stat (a kernel thread, or no permission): none. */
		if (stat(path, &st) < 0)
			exe[0] = '\0';
		else
			snprintf(exe, exelen, "%llx:%llx", (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino);
	}
	return 0;
}
