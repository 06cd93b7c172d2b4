// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <memsift/outfile.h>

#include "internal.h"

/*
 * Temporary files being written, for the signal handler to remove: a tool
 * interrupted with ^C or killed with SIGTERM leaves no half-written copy of
 * process memory behind.  Set before the file exists, cleared after it is
 * renamed or removed; the handler only reads pointers and calls unlink(2).
 */
#define LIVE_MAX 8
static char *volatile live[LIVE_MAX];

static void live_add(char *tmp)
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (!live[i]) {
			live[i] = tmp;
			return;
		}
}

static void live_del(const char *tmp)
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (live[i] == tmp)
			live[i] = NULL;
}

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (live[i])
			unlink(live[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void ms_outfile_cleanup_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa = { .sa_handler = on_fatal_signal };
	struct sigaction old;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* Leave alone a signal the caller ignores or handles itself. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

struct ms_outfile {
	FILE *fp;
	char *path;		/* final name; NULL for stdout or a device */
	char *name;		/* for messages: the name given, or "standard output" */
	char *tmp;		/* temporary name beside it */
	unsigned int flags;
};

/*
 * ".BASE.XXXXXX" beside PATH.  BASE is cut so that the name fits NAME_MAX:
 * a final name of 250 bytes is allowed, and its temporary must be too.
 */
#define TMP_BASE_MAX (NAME_MAX - 8)

static char *tmp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
	const char *base = path + dirlen;
	size_t len = strlen(path) + 16;
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%.*s.%.*s.XXXXXX", (int)dirlen, path, TMP_BASE_MAX, base);
	return t;
}

/* How old a temporary must be before a later run may take it for a leftover. */
#define STALE_SECONDS 60

/* Whether NAME is ".BASE.XXXXXX" for BASE (cut as tmp_name() cuts it). */
static bool is_tmp_of(const char *name, const char *base)
{
	size_t bl = strnlen(base, TMP_BASE_MAX), nl = strlen(name);

	if (nl != bl + 8 || name[0] != '.' || strncmp(name + 1, base, bl) || name[bl + 1] != '.')
		return false;
	for (size_t i = bl + 2; i < nl; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

/*
 * Remove the leftovers of earlier runs writing PATH that were killed with
 * SIGKILL (no handler runs for it): ".BASE.XXXXXX" files beside PATH, of
 * this user, untouched for a minute, and with no live writer.  A writer
 * holds an flock(2) on its temporary from creation to its end and the
 * kernel drops it when the writer dies, so a temporary that can be locked
 * is one nobody is writing.  Best effort: a failure here changes nothing.
 */
static void remove_stale(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	DIR *d;
	int fd;

	if (slash && (size_t)(slash - path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1,
		 slash ? path : ".");
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!is_tmp_of(de->d_name, base) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    now - st.st_mtime < STALE_SECONDS)
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlinkat(dirfd(d), de->d_name, 0);
		close(fd);
	}
	closedir(d);
}

/*
 * What is at PATH already decides: a character device or FIFO is written in
 * place (returns 1, OF's stream open on it); a directory, or a file without
 * MS_OUTFILE_FORCE, is refused (< 0); nothing, or a file to replace, goes
 * through a temporary (returns 0).
 */
static int open_in_place(struct ms_ctx *ctx, struct ms_outfile *of, const char *path)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		/*
		 * /dev/null, a tty, a pipe: nothing to overwrite and no place
		 * for a temporary beside it; renaming over one would replace
		 * the device node itself.
		 */
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || !(of->fp = fdopen(fd, "w"))) {
			rc = ms_err_errno(ctx, -errno, "%s", path);
			if (fd >= 0)
				close(fd);
			return rc;
		}
		return 1;
	}
	if (S_ISDIR(st.st_mode))
		return ms_err(ctx, -EISDIR, "%s: is a directory", path);
	if (!(of->flags & MS_OUTFILE_FORCE))
		return ms_err(ctx, -EEXIST, "%s: file exists", path);
	return 0;
}

/* The hidden temporary beside PATH, created 0600 (0644 if public) and locked. */
static int open_temporary(struct ms_ctx *ctx, struct ms_outfile *of, const char *path)
{
	int fd, rc;

	of->path = strdup(path);
	of->tmp = tmp_name(path);
	if (!of->path || !of->tmp)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", path);
	remove_stale(path);
	/* mkstemp creates with O_EXCL and mode 0600: the bytes are secrets. */
	live_add(of->tmp);
	fd = mkostemp(of->tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = ms_err_errno(ctx, -errno, "%s: cannot create a file beside it", path);
		live_del(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
		return rc;
	}
	/* Held until the end, so a later run can tell a live temporary from a leftover. */
	flock(fd, LOCK_EX | LOCK_NB);
	if ((of->flags & MS_OUTFILE_PUBLIC) && fchmod(fd, 0644) < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		close(fd);
		return rc;
	}
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		close(fd);
		return rc;
	}
	return 0;
}

int ms_outfile_open(struct ms_ctx *ctx, const char *path, unsigned int flags,
		    struct ms_outfile **out)
{
	struct ms_outfile *of;
	int rc;

	/* "" would become a temporary ".XXXXXX" renamed onto nothing. */
	if (!*path)
		return ms_err(ctx, -EINVAL, "empty output name; give a file, or - for stdout");
	of = calloc(1, sizeof(*of));
	if (!of)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", path);
	of->flags = flags;
	of->name = strdup(strcmp(path, "-") ? path : "standard output");
	if (!of->name) {
		free(of);
		return ms_err(ctx, -ENOMEM, "%s: out of memory", path);
	}
	if (!strcmp(path, "-")) {
		of->fp = stdout;
		*out = of;
		return 0;
	}
	rc = open_in_place(ctx, of, path);
	if (rc == 0)
		rc = open_temporary(ctx, of, path);
	if (rc < 0) {
		ms_outfile_abort(of);
		return rc;
	}
	*out = of;
	return 0;
}

FILE *ms_outfile_fp(struct ms_outfile *of)
{
	return of->fp;
}

int ms_outfile_commit(struct ms_ctx *ctx, struct ms_outfile *of)
{
	int rc = 0;

	if (!of->path) {
		/* stdout or a device: written in place, nothing to rename. */
		errno = 0;
		if (fflush(of->fp) != 0 || ferror(of->fp))
			rc = ms_err_errno(ctx, -(errno ? errno : EIO), "%s: write error", of->name);
		ms_outfile_abort(of);
		return rc;
	}
	if (fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0) {
		rc = ms_err_errno(ctx, -(errno ? errno : EIO), "%s: write error", of->path);
		goto out;
	}
	if (of->flags & MS_OUTFILE_FORCE) {
		/* rename(2) replaces a symlink at PATH itself, never its target. */
		if (rename(of->tmp, of->path) != 0)
			rc = ms_err_errno(ctx, -errno, "%s: cannot rename into place", of->path);
	} else if (renameat2(AT_FDCWD, of->tmp, AT_FDCWD, of->path, RENAME_NOREPLACE) != 0) {
		rc = -errno;
		if (rc == -EEXIST)
			rc = ms_err(ctx, rc, "%s: file exists", of->path);
		else if (rc == -EINVAL || rc == -ENOSYS) {
			/* No RENAME_NOREPLACE on this filesystem: link(2) never replaces. */
			rc = 0;
			if (link(of->tmp, of->path) != 0)
				rc = errno == EEXIST ?
				     ms_err(ctx, -EEXIST, "%s: file exists", of->path) :
				     ms_err_errno(ctx, -errno, "%s: cannot move into place", of->path);
		} else
			rc = ms_err_errno(ctx, rc, "%s: cannot rename into place", of->path);
	} else {
		live_del(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
	}
	if (rc == 0 && (of->flags & MS_OUTFILE_FORCE)) {
		live_del(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
	}
out:
	ms_outfile_abort(of);
	return rc;
}

/* Flush and sync OF's temporary, before anything is renamed. */
static int sync_tmp(struct ms_ctx *ctx, struct ms_outfile *of)
{
	errno = 0;
	if (fflush(of->fp) != 0 || ferror(of->fp) || (of->path && fsync(fileno(of->fp)) != 0))
		return ms_err_errno(ctx, -(errno ? errno : EIO), "%s: write error", of->name);
	return 0;
}

int ms_outfile_commit_pair(struct ms_ctx *ctx, struct ms_outfile *first,
			   struct ms_outfile *second)
{
	char *keep = NULL, *path = NULL;
	sigset_t block, old;
	int rc, fd;

	if ((rc = sync_tmp(ctx, first)) < 0 || (rc = sync_tmp(ctx, second)) < 0 ||
	    (first->path && !(path = strdup(first->path)))) {
		ms_outfile_abort(first);
		ms_outfile_abort(second);
		return rc < 0 ? rc : ms_err(ctx, -ENOMEM, "out of memory");
	}
	/*
	 * From here to the end the pair changes hands: a ^C now would leave the
	 * old FIRST under its hidden name, so the catchable signals wait.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* The file FIRST replaces, kept under a hidden name until SECOND is in place. */
	if (path && (first->flags & MS_OUTFILE_FORCE) && (keep = tmp_name(path))) {
		fd = mkostemp(keep, O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		/* Nothing there to keep (ENOENT), or it cannot be moved aside: no backup. */
		if (fd < 0 || rename(path, keep) != 0) {
			if (fd >= 0)
				unlink(keep);
			free(keep);
			keep = NULL;
		}
	}
	rc = ms_outfile_commit(ctx, first);
	if (rc == 0) {
		rc = ms_outfile_commit(ctx, second);
		/* Put the old FIRST back beside the old SECOND, or leave neither new. */
		if (rc < 0 && path && (!keep || rename(keep, path) != 0))
			unlink(path);
		else if (rc < 0 && keep)
			keep[0] = '\0';	/* renamed back: nothing left to remove */
	} else {
		ms_outfile_abort(second);
		if (keep && rename(keep, path) == 0)
			keep[0] = '\0';
	}
	if (keep && keep[0])
		unlink(keep);
	free(keep);
	free(path);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

void ms_outfile_abort(struct ms_outfile *of)
{
	if (!of)
		return;
	if (of->fp && of->fp != stdout)
		fclose(of->fp);
	if (of->tmp) {
		unlink(of->tmp);
		live_del(of->tmp);
	}
	free(of->tmp);
	free(of->path);
	free(of->name);
	free(of);
}

int ms_outdir_make(struct ms_ctx *ctx, const char *path, unsigned int flags, bool *created)
{
	struct stat st;
	int fd, rc;

	*created = false;
	if (!*path)
		return ms_err(ctx, -EINVAL, "empty output directory name");
	if (mkdir(path, 0700) == 0) {
		*created = true;
	} else if (errno != EEXIST) {
		return ms_err_errno(ctx, -errno, "%s: cannot create the directory", path);
	} else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		return ms_err(ctx, -ELOOP, "%s: a symlink; give the directory itself, not a link to it",
			      path);
	} else if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		return ms_err(ctx, -ENOTDIR, "%s: not a directory", path);
	} else if (!(flags & MS_OUTDIR_EXISTING)) {
		return ms_err(ctx, -EEXIST, "%s: exists", path);
	}
	/* What is at PATH now, not what lstat saw: it may have been swapped. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP || rc == -ENOTDIR)
			rc = ms_err(ctx, rc, "%s: %s; a series goes into a directory of its own", path,
				    rc == -ELOOP ? "a symlink" : "not a directory");
		else
			rc = ms_err_errno(ctx, rc, "%s", path);
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", path);
		close(fd);
		goto fail;
	}
	close(fd);
	if (st.st_uid != geteuid()) {
		rc = ms_err(ctx, -EPERM,
			    "%s: owned by uid %u, not by this user (uid %u), who could read or replace what is written; give a directory of your own",
			    path, (unsigned)st.st_uid, (unsigned)geteuid());
		goto fail;
	}
	return 0;
fail:
	if (*created)
		rmdir(path);
	*created = false;
	return rc;
}

void ms_outdir_remove(const char *path)
{
	rmdir(path);
}
