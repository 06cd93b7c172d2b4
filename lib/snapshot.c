// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <memsift/memread.h>
#include <memsift/pagehash.h>
#include <memsift/pattern.h>
#include <memsift/pmap.h>
#include <memsift/procfs.h>
#include <memsift/snapshot.h>

#include "internal.h"
#include "util.h"

#define SNAP_MAGIC "# memsift snapshot "

struct header {
	char *key, *value;
};

struct thread_info {
	pid_t tid;
	uint64_t sp;		/* 0: unknown */
	const char *comm;	/* points into the header */
};

struct ms_snapshot {
	enum ms_snapshot_format format;
	struct thread_info *threads;
	size_t nthreads;
	struct ms_maps *maps;
	char *body;		/* the /proc text as read; NULL for a loaded file */
	size_t body_len, body_cap;
	struct header *hdr;
	size_t nhdr;
};

static int parse_threads(struct ms_snapshot *s);

/* What a load reads at a time, and judges the format on. */
#define LOAD_CHUNK (64 * 1024)

/* A load in progress, for the header callback. */
struct load {
	struct ms_ctx *ctx;
	const char *file;
	struct ms_snapshot *s;
	bool header_done;	/* a bad header line was skipped: the rest is not header */
};

void ms_snapshot_free(struct ms_snapshot *s)
{
	size_t i;

	if (!s)
		return;
	ms_maps_free(s->maps);
	free(s->threads);
	free(s->body);
	for (i = 0; i < s->nhdr; i++) {
		free(s->hdr[i].key);
		free(s->hdr[i].value);
	}
	free(s->hdr);
	free(s);
}

static int hdr_add(struct ms_snapshot *s, const char *key, const char *value, size_t vlen)
{
	struct header *nh = realloc(s->hdr, (s->nhdr + 1) * sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	s->hdr = nh;
	nh[s->nhdr].key = strdup(key);
	nh[s->nhdr].value = strndup(value, vlen);
	if (!nh[s->nhdr].key || !nh[s->nhdr].value) {
		free(nh[s->nhdr].key);
		free(nh[s->nhdr].value);
		return -ENOMEM;
	}
	s->nhdr++;
	return 0;
}

/*
 * A header value must stay on one line: escape what a command line can hold
 * (NULs between arguments become spaces; newlines and other control bytes
 * become \xNN).
 */
static char *escape_value(const char *v, size_t len, char nul_as)
{
	char *out = malloc(len * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '\0' && nul_as)
			*o++ = nul_as;
		else if (c < 0x20 || c == 0x7f || c == '\\')
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

char *ms_snapshot_unescape(const char *v)
{
	char *out = v ? malloc(strlen(v) + 1) : NULL, *o = out;
	unsigned int c;

	if (!out)
		return NULL;
	while (*v) {
		/* A NUL stays escaped: the string could not hold it. */
		if (v[0] == '\\' && v[1] == 'x' && isxdigit((unsigned char)v[2]) &&
		    isxdigit((unsigned char)v[3]) && sscanf(v + 2, "%2x", &c) == 1 && c) {
			*o++ = (char)c;
			v += 4;
		} else {
			*o++ = *v++;
		}
	}
	*o = '\0';
	return out;
}

static int hdr_add_proc(struct ms_ctx *ctx, struct ms_snapshot *s, pid_t pid,
			const char *file, const char *key, char nul_as)
{
	char *buf, *esc;
	size_t len;
	int rc;

	rc = ms_procfs_read(ctx, pid, file, &buf, &len);
	if (rc < 0)
		return rc;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	esc = escape_value(buf, len, nul_as);
	free(buf);
	if (!esc)
		return -ENOMEM;
	rc = hdr_add(s, key, esc, strlen(esc));
	free(esc);
	return rc;
}

/*
 * "# thread: TID SP COMM" for each thread, SP from task/TID/syscall (the
 * second-to-last field; "running" threads have none, shown as "-"), so that
 * thread stacks can be named offline.  Best effort: a thread that exits
 * meanwhile is skipped.
 */
static int hdr_add_threads(struct ms_ctx *ctx, struct ms_snapshot *s, pid_t pid)
{
	char path[64], *buf, *comm, line[160], *sp;
	size_t len, clen, i, n = 0;
	pid_t *tids;
	int rc;

	rc = ms_procfs_tasks(ctx, pid, &tids, &n);
	if (rc < 0)
		return rc == -ENOMEM ? rc : 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "task/%d/comm", (int)tids[i]);
		if (ms_procfs_read(NULL, pid, path, &comm, &clen) < 0)
			continue;
		while (clen && comm[clen - 1] == '\n')
			comm[--clen] = '\0';
		snprintf(path, sizeof(path), "task/%d/syscall", (int)tids[i]);
		sp = NULL;
		if (ms_procfs_read(NULL, pid, path, &buf, &len) == 0) {
			char *f[10], *save = NULL, *t;
			int nf = 0;

			for (t = strtok_r(buf, " \n", &save); t && nf < 10; t = strtok_r(NULL, " \n", &save))
				f[nf++] = t;
			if (nf >= 3 && !strncmp(f[nf - 2], "0x", 2))
				sp = strdup(f[nf - 2]);
			free(buf);
		}
		snprintf(line, sizeof(line), "%d %s %s", (int)tids[i], sp ? sp : "-", comm);
		free(sp);
		free(comm);
		rc = hdr_add(s, "thread", line, strlen(line));
		if (rc < 0)
			break;
	}
	free(tids);
	return rc < 0 ? rc : 0;
}

static int hdr_add_file(struct ms_snapshot *s, const char *key, const char *path, bool v1)
{
	char val[64];
	FILE *fp = fopen(path, "re");
	int rc = 0;

	if (!fp)
		return 1;
	if (fgets(val, sizeof(val), fp)) {
		val[strcspn(val, "\n")] = '\0';
		/* cgroup v1 says "no limit" with a number near 2^63. */
		if (v1 && strtoull(val, NULL, 10) >= (1ULL << 62))
			strcpy(val, "max");
		rc = hdr_add(s, key, val, strlen(val));
	}
	fclose(fp);
	return rc;
}

/*
 * "# starttime:" and "# exe_id:": which process this is, beyond its pid, so a
 * series can tell a reused pid or an exec from the process it followed.
 */
static int hdr_add_identity(struct ms_snapshot *s, pid_t pid)
{
	unsigned long long start;
	char buf[48];
	int rc = 0;

	if (ms_procfs_identity(NULL, pid, &start, buf + 24, 24) < 0)
		return 0;
	if (buf[24])
		rc = hdr_add(s, "exe_id", buf + 24, strlen(buf + 24));
	snprintf(buf, 24, "%llu", start);
	return rc < 0 ? rc : hdr_add(s, "starttime", buf, strlen(buf));
}

/*
 * "# cgroup:" and its memory.max and memory.current: from cgroup v2, or
 * from v1's memory controller (memory.limit_in_bytes, memory.usage_in_bytes)
 * on hybrid systems, so a limit is known either way.
 */
static int hdr_add_cgroup(struct ms_snapshot *s, pid_t pid)
{
	char file[4096], *v2 = NULL, *v1 = NULL;
	int rc = 0;

	if (ms_procfs_cgroup(NULL, pid, &v2, &v1) < 0)
		return 0;
	if (v2) {
		snprintf(file, sizeof(file), "/sys/fs/cgroup%s/memory.max", v2);
		if (access(file, R_OK) == 0) {
			rc = hdr_add(s, "cgroup", v2, strlen(v2));
			if (rc == 0 && hdr_add_file(s, "memory.max", file, false) < 0)
				rc = -ENOMEM;
			snprintf(file, sizeof(file), "/sys/fs/cgroup%s/memory.current", v2);
			if (rc == 0 && hdr_add_file(s, "memory.current", file, false) < 0)
				rc = -ENOMEM;
			free(v1);
			v1 = NULL;
		}
	}
	if (v1) {
		snprintf(file, sizeof(file), "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", v1);
		if (access(file, R_OK) == 0) {
			rc = hdr_add(s, "cgroup", v1, strlen(v1));
			if (rc == 0 && hdr_add_file(s, "memory.max", file, true) < 0)
				rc = -ENOMEM;
			snprintf(file, sizeof(file), "/sys/fs/cgroup/memory%s/memory.usage_in_bytes", v1);
			if (rc == 0 && hdr_add_file(s, "memory.current", file, true) < 0)
				rc = -ENOMEM;
		}
	}
	free(v2);
	free(v1);
	return rc;
}

/*
 * Everything but the smaps text: who, when, where.  The times are taken
 * here, just before the caller reads smaps.
 */
static int collect_header(struct ms_ctx *ctx, struct ms_snapshot *s, pid_t pid)
{
	struct timespec rt, bt;
	struct utsname un;
	char buf[128];
	struct tm tm;
	int rc;

	s->format = MS_SNAP_FMT_MEMSIFT;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	rc = hdr_add(s, "pid", buf, strlen(buf));
	if (rc == 0)
		rc = hdr_add_proc(ctx, s, pid, "comm", "comm", 0);
	if (rc == 0)
		rc = hdr_add_proc(ctx, s, pid, "cmdline", "cmdline", ' ');
	if (rc < 0)
		return rc;
	if (hdr_add_identity(s, pid) < 0 || hdr_add_cgroup(s, pid) < 0 ||
	    hdr_add_threads(ctx, s, pid) < 0)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	gmtime_r(&rt.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%09ldZ", rt.tv_nsec);
	rc = hdr_add(s, "time", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%lld.%09ld", (long long)bt.tv_sec, bt.tv_nsec);
	if (rc == 0)
		rc = hdr_add(s, "boottime", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_PAGESIZE));
	if (rc == 0)
		rc = hdr_add(s, "pagesize", buf, strlen(buf));
	if (rc == 0 && uname(&un) == 0)
		rc = hdr_add(s, "kernel", un.release, strlen(un.release));
	ms_procfs_mm_path(pid, "smaps", buf, sizeof(buf));
	if (rc == 0)
		rc = hdr_add(s, "source", buf, strlen(buf));
	return rc < 0 ? ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid) : 0;
}

/* Keep the smaps text as it is read, for ms_snapshot_write(). */
static int keep_text(void *data, const char *buf, size_t len)
{
	struct ms_snapshot *s = data;

	if (MS_GROW(s->body, s->body_cap, s->body_len + len, 256 * 1024) < 0)
		return -ENOMEM;
	memcpy(s->body + s->body_len, buf, len);
	s->body_len += len;
	return 0;
}

int ms_snapshot_take_flags(struct ms_ctx *ctx, pid_t pid, unsigned int flags,
			   struct ms_snapshot **out)
{
	struct ms_snapshot *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	rc = collect_header(ctx, s, pid);
	if (rc == 0 && parse_threads(s) < 0)
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	if (rc < 0)
		goto fail;
	rc = ms_maps_read_pid_cb(ctx, pid, MS_MAPS_SRC_SMAPS,
				 (flags & MS_SNAP_NO_TEXT) ? NULL : keep_text, s, &s->maps);
	if (rc == -ENOMEM)
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	else if (rc == -EPERM)
		rc = ms_memread_eperm(ctx, pid);
	if (rc < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ms_snapshot_free(s);
	return rc;
}

int ms_snapshot_take(struct ms_ctx *ctx, pid_t pid, struct ms_snapshot **out)
{
	return ms_snapshot_take_flags(ctx, pid, 0, out);
}

static void write_header(const struct ms_snapshot *s, FILE *fp)
{
	size_t i;

	fprintf(fp, SNAP_MAGIC "1\n");
	for (i = 0; i < s->nhdr; i++)
		fprintf(fp, "# %s: %s\n", s->hdr[i].key, s->hdr[i].value);
}

int ms_snapshot_stream(struct ms_ctx *ctx, pid_t pid, unsigned int flags, FILE *fp)
{
	struct ms_pagehash *ph = NULL;
	struct ms_snapshot hdr = { 0 };
	char path[64], *buf = NULL;
	size_t total = 0;
	ssize_t n;
	int fd = -1, rc;

	rc = collect_header(ctx, &hdr, pid);
	if (rc < 0)
		goto out;
	ms_procfs_mm_path(pid, "smaps", path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (!ms_procfs_pid_exists(pid))
			rc = ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
		else if (rc == -EACCES || rc == -EPERM)
			/* smaps needs ptrace access: say which rule refused it, and the fix. */
			rc = ms_memread_eperm(ctx, pid);
		else
			rc = ms_err_errno(ctx, rc, "pid %d: cannot open %s", (int)pid, path);
		goto out;
	}
	/* Copy as cat does: /proc hands out smaps a few pages per read anyway. */
	buf = malloc(256 * 1024);
	if (!buf) {
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
		goto out;
	}
	if (flags & MS_SNAP_PAGES) {
		struct ms_maps *maps;

		rc = ms_maps_read_pid(ctx, pid, MS_MAPS_SRC_MAPS, &maps);
		if (rc < 0)
			goto out;
		rc = ms_pagehash_take(ctx, pid, maps, &ph);
		ms_maps_free(maps);
		if (rc < 0)
			goto out;
	}
	write_header(&hdr, fp);
	if (ph && (rc = ms_pagehash_write(ctx, ph, fp)) < 0)
		goto out;
	while ((n = read(fd, buf, 256 * 1024)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ms_err_errno(ctx, -errno, "pid %d: reading %s", (int)pid, path);
			goto out;
		}
		if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n) {
			rc = ms_err_errno(ctx, -(errno ? errno : EIO), "write error");
			goto out;
		}
		total += (size_t)n;
	}
	if (total == 0)
		rc = ms_procfs_pid_exists(pid) ?
		     ms_err(ctx, -ENODATA, "pid %d: no mappings (a kernel thread, or a zombie)", (int)pid) :
		     ms_err(ctx, -ESRCH, "pid %d: exited while %s was read", (int)pid, path);
out:
	ms_pagehash_free(ph);
	if (fd >= 0)
		close(fd);
	free(buf);
	for (size_t i = 0; i < hdr.nhdr; i++) {
		free(hdr.hdr[i].key);
		free(hdr.hdr[i].value);
	}
	free(hdr.hdr);
	return rc;
}

/* Parse the "thread" header lines once, so lookups per mapping are cheap. */
static int parse_threads(struct ms_snapshot *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->nhdr; i++)
		n += !strcmp(s->hdr[i].key, "thread");
	if (!n)
		return 0;
	s->threads = calloc(n, sizeof(*s->threads));
	if (!s->threads)
		return -ENOMEM;
	for (i = 0; i < s->nhdr; i++) {
		struct thread_info *t = &s->threads[s->nthreads];
		const char *v = s->hdr[i].value;
		char *end;
		long tid;

		if (strcmp(s->hdr[i].key, "thread"))
			continue;
		/* "TID SP NAME": a line of another shape is ignored, not fatal. */
		tid = strtol(v, &end, 10);
		if (end == v || *end != ' ' || tid <= 0)
			continue;
		v = end + 1;
		t->sp = strncmp(v, "0x", 2) ? 0 : strtoull(v, &end, 16);
		if (!t->sp)
			end = strchr(v, ' ');
		if (!end || *end != ' ')
			continue;
		t->tid = (pid_t)tid;
		t->comm = end + 1;
		s->nthreads++;
	}
	return 0;
}

int ms_snapshot_thread(const struct ms_snapshot *s, size_t idx, pid_t *tid, uint64_t *sp,
		       const char **comm)
{
	if (idx >= s->nthreads)
		return -ENOENT;
	*tid = s->threads[idx].tid;
	*sp = s->threads[idx].sp;
	if (comm)
		*comm = s->threads[idx].comm;
	return 0;
}

int ms_snapshot_write(struct ms_ctx *ctx, const struct ms_snapshot *s, FILE *fp)
{
	size_t len;

	/* A loaded file's text is not kept: memory is its mappings, not its size. */
	if (!s->body)
		return ms_err(ctx, -EINVAL,
			      "only a snapshot taken live with its text can be written again");
	write_header(s, fp);
	len = s->body_len;
	if (len && fwrite(s->body, 1, len, fp) != len)
		return ms_err_errno(ctx, -(errno ? errno : EIO), "write error");
	if (len && s->body[s->body_len - 1] != '\n')
		fputc('\n', fp);
	return ferror(fp) ? ms_err_errno(ctx, -(errno ? errno : EIO), "write error") : 0;
}

/* One "# key: value" header line; line 1 is the magic. */
static int header_line(void *data, const char *line, size_t len, unsigned long lineno)
{
	struct load *ld = data;
	const char *colon;
	char key[64];
	int rc;

	if (lineno == 1 || ld->header_done)
		return 0;
	colon = memchr(line, ':', len);
	if (len < 3 || line[1] != ' ' || !colon || colon - line - 2 >= (long)sizeof(key) ||
	    colon + 1 >= line + len || colon[1] != ' ') {
		rc = ms_parser_error(ld->ctx, ld->file, lineno,
				     "bad snapshot header line; expected \"# key: value\"");
		/* Skipped by the caller's callback: the header ends there. */
		ld->header_done = true;
		return rc;
	}
	memcpy(key, line + 2, (size_t)(colon - line - 2));
	key[colon - line - 2] = '\0';
	rc = hdr_add(ld->s, key, colon + 2, (size_t)(line + len - colon - 2));
	return rc < 0 ? ms_err(ld->ctx, rc, "%s: out of memory", ld->file) : 0;
}

/*
 * Read up to LEN bytes, fewer only at the end of input: a pipe hands out
 * what it has, and the format is judged on a full first piece.
 */
static size_t read_full(FILE *fp, char *buf, size_t len)
{
	size_t got = 0, n;

	while (got < len && (n = fread(buf + got, 1, len - got, fp)) > 0)
		got += n;
	return got;
}

/* Saved pmap output, small beside smaps: read whole (up to its limit), then parsed. */
static int load_pmap(struct load *ld, FILE *fp, const char *first, size_t flen)
{
	static const enum ms_snapshot_format fmt[] = {
		[MS_PMAP_PLAIN] = MS_SNAP_FMT_PMAP,
		[MS_PMAP_EXTENDED] = MS_SNAP_FMT_PMAP_X,
		[MS_PMAP_MORE] = MS_SNAP_FMT_PMAP_MORE,
		[MS_PMAP_ALL] = MS_SNAP_FMT_PMAP_ALL,
	};
	enum ms_pmap_format pf = ms_pmap_detect(first, flen);
	struct ms_snapshot *s = ld->s;
	char pidbuf[32];
	pid_t pid = 0;
	int rc;

	rc = ms_pmap_parse_rest(ld->ctx, first, flen, fp, ld->file, &pid, &s->maps);
	if (rc < 0)
		return rc;
	s->format = fmt[pf];
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (pid && hdr_add(s, "pid", pidbuf, strlen(pidbuf)) < 0)
		return ms_err(ld->ctx, -ENOMEM, "%s: out of memory", ld->file);
	return 0;
}

/*
 * The format is judged from the first piece read (mapsnap's magic line,
 * pmap's first lines, else maps or smaps), and the rest is parsed as it is
 * read: memory is the parsed mappings, never the file, and a file that is
 * not a capture (a disk image, /dev/zero, a password file) is refused at
 * its first bad line.
 */
int ms_snapshot_load(struct ms_ctx *ctx, FILE *fp, const char *name,
		     struct ms_snapshot **out)
{
	struct load ld = { .ctx = ctx, .file = name ? name : "-" };
	struct ms_maps_parser *ps = NULL;
	size_t n, first, judged;
	struct stat st;
	char *buf;
	int rc;

	if (fstat(fileno(fp), &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return ms_err(ctx, -EISDIR, "%s: is a directory; give a snapshot file", ld.file);
		/* A sparse disk image is refused before a byte of it is read. */
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > MS_INPUT_MAX)
			return ms_err(ctx, -EFBIG,
				      "%s: larger than %llu MiB, more than memsift reads of a capture; is this a snapshot?",
				      ld.file, (unsigned long long)(MS_INPUT_MAX >> 20));
	}
	ld.s = calloc(1, sizeof(*ld.s));
	buf = malloc(LOAD_CHUNK);
	if (!ld.s || !buf) {
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", ld.file);
		goto out;
	}
	first = read_full(fp, buf, LOAD_CHUNK);
	/* Judge pmap on whole lines: a line cut at the end of the piece may mislead. */
	judged = first;
	if (first == LOAD_CHUNK)
		while (judged && buf[judged - 1] != '\n')
			judged--;
	if (first >= strlen(SNAP_MAGIC) && !memcmp(buf, SNAP_MAGIC, strlen(SNAP_MAGIC))) {
		ld.s->format = MS_SNAP_FMT_MEMSIFT;
	} else if (judged && ms_pmap_detect(buf, judged) != MS_PMAP_NONE) {
		rc = load_pmap(&ld, fp, buf, first);
		goto out;
	}
	rc = ms_maps_parser_new(ctx, ld.file, &ps);
	if (rc < 0)
		goto out;
	ms_maps_parser_set_max(ps, MS_INPUT_MAX);
	if (ld.s->format == MS_SNAP_FMT_MEMSIFT)
		ms_maps_parser_set_header_cb(ps, header_line, &ld);
	/* The maps parser skips '#' lines, so its line numbers are the file's. */
	for (n = first; rc == 0 && n; n = fread(buf, 1, LOAD_CHUNK, fp))
		rc = ms_maps_parser_feed(ps, buf, n);
	if (rc == 0 && ferror(fp))
		rc = ms_err_errno(ctx, -EIO, "%s: read failed", ld.file);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, MS_MAPS_WHOLE, &ld.s->maps);
	if (rc == 0 && ld.s->format == MS_SNAP_FMT_MEMSIFT && parse_threads(ld.s) < 0)
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", ld.file);
	if (rc == 0 && !ld.s->format) {
		switch (ms_maps_format(ld.s->maps)) {
		case MS_MAPS_FMT_MAPS:
			ld.s->format = MS_SNAP_FMT_MAPS;
			break;
		case MS_MAPS_FMT_ROLLUP:
			ld.s->format = MS_SNAP_FMT_ROLLUP;
			break;
		default:
			ld.s->format = MS_SNAP_FMT_SMAPS;
		}
	}
out:
	ms_maps_parser_free(ps);
	free(buf);
	if (rc < 0) {
		ms_snapshot_free(ld.s);
		return rc;
	}
	*out = ld.s;
	return 0;
}

int ms_snapshot_load_path(struct ms_ctx *ctx, const char *path,
			  struct ms_snapshot **out)
{
	FILE *fp;
	int rc;

	if (!strcmp(path, "-"))
		return ms_snapshot_load(ctx, stdin, "-", out);
	fp = fopen(path, "re");
	if (!fp)
		return ms_err_errno(ctx, -errno, "%s", path);
	rc = ms_snapshot_load(ctx, fp, path, out);
	fclose(fp);
	return rc;
}

enum ms_snapshot_format ms_snapshot_format(const struct ms_snapshot *s)
{
	return s->format;
}

const char *ms_snapshot_format_str(const struct ms_snapshot *s)
{
	switch (s->format) {
	case MS_SNAP_FMT_MEMSIFT:
		return "a memsift snapshot";
	case MS_SNAP_FMT_SMAPS:
		return "a copy of smaps";
	case MS_SNAP_FMT_ROLLUP:
		return "a copy of smaps_rollup";
	case MS_SNAP_FMT_MAPS:
		return "a copy of maps (sizes only)";
	case MS_SNAP_FMT_PMAP:
		return "pmap output (sizes only)";
	case MS_SNAP_FMT_PMAP_X:
		return "pmap -x output";
	case MS_SNAP_FMT_PMAP_MORE:
		return "pmap -X output";
	case MS_SNAP_FMT_PMAP_ALL:
		return "pmap -XX output";
	}
	return "unknown";
}

const struct ms_maps *ms_snapshot_maps(const struct ms_snapshot *s)
{
	return s->maps;
}

const char *ms_snapshot_get(const struct ms_snapshot *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nhdr; i++)
		if (!strcmp(s->hdr[i].key, key))
			return s->hdr[i].value;
	return NULL;
}

const char *ms_snapshot_get_nth(const struct ms_snapshot *s, const char *key, size_t n)
{
	size_t i;

	for (i = 0; i < s->nhdr; i++)
		if (!strcmp(s->hdr[i].key, key) && n-- == 0)
			return s->hdr[i].value;
	return NULL;
}

pid_t ms_snapshot_pid(const struct ms_snapshot *s)
{
	const char *v = ms_snapshot_get(s, "pid");
	long pid;
	char *end;

	if (!v)
		return 0;
	pid = strtol(v, &end, 10);
	return (*end || pid <= 0 || pid > 4194304) ? 0 : (pid_t)pid;
}

int ms_snapshot_time(const struct ms_snapshot *s, struct timespec *ts)
{
	const char *v = ms_snapshot_get(s, "time");
	struct tm tm;
	long nsec = 0;
	char *rest;

	if (!v)
		return -ENOENT;
	memset(&tm, 0, sizeof(tm));
	rest = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -ENOENT;
	if (*rest == '.')
		nsec = strtol(rest + 1, NULL, 10);
	ts->tv_sec = timegm(&tm);
	ts->tv_nsec = nsec;
	return 0;
}

double ms_snapshot_boottime(const struct ms_snapshot *s)
{
	const char *v = ms_snapshot_get(s, "boottime");
	char *end;
	double d;

	if (!v)
		return -1;
	d = strtod(v, &end);
	return *end ? -1 : d;
}

static int cmp_version(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int ms_snapshot_list_dir(struct ms_ctx *ctx, const char *dir, char ***paths, size_t *n)
{
	char **p = NULL, **np, *path;
	size_t cnt = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return ms_err_errno(ctx, -errno, "%s", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			goto nomem;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		np = realloc(p, (cnt + 1) * sizeof(*np));
		if (!np) {
			free(path);
			goto nomem;
		}
		p = np;
		p[cnt++] = path;
	}
	closedir(d);
	if (cnt)
		qsort(p, cnt, sizeof(*p), cmp_version);
	*paths = p;
	*n = cnt;
	return 0;
nomem:
	closedir(d);
	for (i = 0; i < cnt; i++)
		free(p[i]);
	free(p);
	return ms_err(ctx, -ENOMEM, "%s: out of memory", dir);
}

int ms_snapshot_pagehash(struct ms_ctx *ctx, const struct ms_snapshot *s, const char *name,
			 struct ms_pagehash **out)
{
	const char **lines = NULL;
	size_t n = 0;
	int rc;

	/* One pass over the header, not a search per line: --pages writes one a mapping. */
	if (s->nhdr && !(lines = calloc(s->nhdr, sizeof(*lines))))
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (size_t k = 0; k < s->nhdr; k++)
		if (!strcmp(s->hdr[k].key, "pages"))
			lines[n++] = s->hdr[k].value;
	rc = ms_pagehash_parse(ctx, ms_snapshot_get(s, "pagesize"), lines, n, name, out);
	free(lines);
	return rc;
}

bool ms_snapshot_same_process(const struct ms_snapshot *a, const struct ms_snapshot *b,
			      char *why, size_t len)
{
	const char *x, *y;

	if (ms_snapshot_pid(a) != ms_snapshot_pid(b)) {
		snprintf(why, len, "is another pid");
		return false;
	}
	x = ms_snapshot_get(a, "starttime");
	y = ms_snapshot_get(b, "starttime");
	if (x && y && strcmp(x, y)) {
		snprintf(why, len, "was reused: another process started with it");
		return false;
	}
	x = ms_snapshot_get(a, "exe_id");
	y = ms_snapshot_get(b, "exe_id");
	if (x && y && strcmp(x, y)) {
		snprintf(why, len, "exec'd another program");
		return false;
	}
	return true;
}

int ms_snapshot_redact(struct ms_ctx *ctx, struct ms_snapshot *s, struct ms_patscan *scan)
{
	int rc = 0;

	for (size_t i = 0; i < s->nhdr && rc == 0; i++)
		if (!strcmp(s->hdr[i].key, "cmdline") || !strcmp(s->hdr[i].key, "comm") ||
		    !strcmp(s->hdr[i].key, "thread"))
			rc = ms_patscan_redact_buf(ctx, scan, MS_REDACT_FILL, s->hdr[i].value,
						   strlen(s->hdr[i].value));
	return rc;
}
