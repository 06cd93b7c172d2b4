// SPDX-License-Identifier: GPL-2.0-or-later
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#include <memsift/freeze.h>
#include <memsift/memread.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "util.h"

struct thread {
	pid_t tid;
	int sig;		/* a signal caught in its stop, given back on detach */
};

struct ms_freeze {
	pid_t pid;
	struct thread *t;
	size_t n, cap;
	struct timespec since;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool have(const struct ms_freeze *f, pid_t tid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->t[i].tid == tid)
			return true;
	return false;
}

/*
 * Wait until TID stops.  Returns 1 when it is stopped, 0 when it exited
 * meanwhile, a negative errno otherwise.
 */
static int wait_stop(pid_t tid, int *sig)
{
	int st, s;

	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return errno == ECHILD ? 0 : -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return 0;
		if (!WIFSTOPPED(st))
			continue;
		s = WSTOPSIG(st);
		/* PTRACE_EVENT_STOP: our interrupt (or a group stop). */
		if ((st >> 16) == PTRACE_EVENT_STOP)
			return 1;
		/*
		 * A signal-delivery stop came first: the thread is stopped all
		 * the same; keep the signal to deliver when we let go.
		 */
		if (s != SIGTRAP)
			*sig = s;
		return 1;
	}
}

/* Stop thread TID: 1 stopped (and kept in F), 0 nothing to stop, or -errno. */
static int seize(struct ms_ctx *ctx, struct ms_freeze *f, pid_t tid)
{
	int sig = 0, rc;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		if (errno == ESRCH)
			return 0;	/* the thread exited: nothing to stop */
		if (errno == EPERM) {
			/* EPERM also means: already traced, by gdb or strace. */
			char buf[64];
			char *status;
			size_t len;
			const char *tp;

			snprintf(buf, sizeof(buf), "task/%d/status", (int)tid);
			if (ms_procfs_read(ctx, f->pid, buf, &status, &len) == 0) {
				/* A zombie thread (a main thread that exited) runs no more: nothing to stop. */
				if (strstr(status, "\nState:\tZ")) {
					free(status);
					return 0;
				}
				tp = strstr(status, "TracerPid:");
				if (tp && atoi(tp + 10) != 0) {
					rc = ms_err(ctx, -EBUSY,
						    "pid %d: thread %d is already traced by pid %d; detach that debugger first",
						    (int)f->pid, (int)tid, atoi(tp + 10));
					free(status);
					return rc;
				}
				free(status);
			}
			return ms_memread_eperm(ctx, f->pid);
		}
		return ms_err_errno(ctx, -errno, "pid %d: cannot stop thread %d", (int)f->pid,
				    (int)tid);
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 && errno != ESRCH)
		return ms_err_errno(ctx, -errno, "pid %d: cannot stop thread %d", (int)f->pid,
				    (int)tid);
	rc = wait_stop(tid, &sig);
	if (rc <= 0)
		return rc < 0 ? ms_err_errno(ctx, rc, "pid %d: waiting for thread %d",
					     (int)f->pid, (int)tid) : 0;
	if (MS_GROW(f->t, f->cap, f->n + 1, 16) < 0) {
		ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig);
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)f->pid);
	}
	f->t[f->n].tid = tid;
	f->t[f->n].sig = sig;
	f->n++;
	return 1;
}

int ms_freeze_new(struct ms_ctx *ctx, pid_t pid, struct ms_freeze **out)
{
	struct ms_freeze *f = calloc(1, sizeof(*f));
	pid_t *tids = NULL;
	size_t n, i;
	bool added;
	int rc;

	if (!f)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	f->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &f->since);
	/* A running thread may start another: list again until nothing is new. */
	do {
		added = false;
		rc = ms_procfs_tasks(ctx, pid, &tids, &n);
		if (rc < 0)
			goto fail;
		for (i = 0; i < n; i++) {
			if (have(f, tids[i]))
				continue;
			/* 1: stopped; 0: nothing to stop (exited, or a zombie main thread). */
			rc = seize(ctx, f, tids[i]);
			if (rc < 0)
				goto fail;
			added |= rc > 0;
		}
		free(tids);
		tids = NULL;
	} while (added);
	if (!f->n) {
		rc = ms_err(ctx, -ESRCH, "pid %d: no such process", (int)pid);
		goto fail;
	}
	*out = f;
	return 0;
fail:
	free(tids);
	ms_freeze_free(f);
	return rc;
}

void ms_freeze_free(struct ms_freeze *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		ptrace(PTRACE_DETACH, f->t[i].tid, NULL, (void *)(long)f->t[i].sig);
	free(f->t);
	free(f);
}

size_t ms_freeze_nthreads(const struct ms_freeze *f)
{
	return f->n;
}

pid_t ms_freeze_tid(const struct ms_freeze *f, size_t i)
{
	return i < f->n ? f->t[i].tid : 0;
}

uint64_t ms_freeze_elapsed_ns(const struct ms_freeze *f)
{
	return now_ns() - ((uint64_t)f->since.tv_sec * 1000000000u + (uint64_t)f->since.tv_nsec);
}

bool ms_freeze_intact(struct ms_ctx *ctx, const struct ms_freeze *f)
{
	char name[64], *stat, *p;
	size_t i, len;
	bool ok = true;

	for (i = 0; i < f->n && ok; i++) {
		snprintf(name, sizeof(name), "task/%d/stat", (int)f->t[i].tid);
		if (ms_procfs_read(ctx, f->pid, name, &stat, &len) < 0)
			return false;
		/* The state follows the command's closing parenthesis, which may hold any byte. */
		p = strrchr(stat, ')');
		ok = p && p[1] == ' ' && p[2] == 't';
		free(stat);
	}
	return ok;
}
