// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * records: a global list of records, and records it drops, driven over
 * stdin for tests/tools/memrefs.  "keep N" adds N records to the list,
 * "drop N" makes N records linked only to each other and loses them,
 * "thread N" keeps N records made by a thread (a glibc thread arena) in
 * the list, "tls N" keeps N records only in the main thread's thread-local
 * storage, "tls-thread N" starts a thread that keeps N records only in its
 * own and waits, "dump FILE" writes "kept ADDR" and "dropped ADDR" lines,
 * "quit".  Each reply is one line, after the work is done.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A magic word first, so that kept and dropped records are one cluster. */
#define RECORD_MAGIC 0x0000004452434552ULL	/* "RECRD" */

struct record {
	unsigned long long magic;
	struct record *next;
	char text[184];		/* 200 bytes: a chunk of 208, of no other use here */
};

static struct record *kept;
static unsigned long nkept, ndropped, ntls;
/* Where the dropped ones (and those only TLS holds) are, as numbers that point nowhere (bit-flipped). */
static unsigned long *dropped_at, *tls_at;
/* Reached only through the thread's TLS: the descriptor glibc keeps at the top of its stack. */
static __thread struct record *tls_list;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t built = PTHREAD_COND_INITIALIZER;
static unsigned long nbuilt;

static struct record *make(unsigned long i)
{
	struct record *r = malloc(sizeof(*r));

	if (!r)
		abort();
	r->magic = RECORD_MAGIC;
	snprintf(r->text, sizeof(r->text), "record %lu of the memrefs test", i);
	return r;
}

static void keep(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		struct record *r = make(nkept + i);

		r->next = kept;
		kept = r;
	}
	nkept += n;
}

static __attribute__((noinline)) void drop(unsigned long n)
{
	struct record *head = NULL;
	unsigned long *at = realloc(dropped_at, (ndropped + n) * sizeof(*at));

	if (!at)
		abort();
	dropped_at = at;
	for (unsigned long i = 0; i < n; i++) {
		struct record *r = make(ndropped + i);

		r->next = head;
		head = r;
		dropped_at[ndropped + i] = ~(unsigned long)r;
	}
	ndropped += n;
}

/*
 * Run FN 1 KiB deeper in the stack than scrub() starts, so that every
 * frame it (and malloc under it) leaves lies inside scrub()'s buffer, not
 * in the words at the top of scrub()'s frame, which the calls that follow
 * reuse without writing: a stale pointer there is a live frame's word.
 */
static __attribute__((noinline)) void deep(void (*fn)(unsigned long), unsigned long n)
{
	volatile char pad[1024];

	pad[0] = 0;
	fn(n);
	pad[sizeof(pad) - 1] = 0;
}

/* Stale copies of the dropped pointers in dead stack frames: overwrite them. */
static __attribute__((noinline)) void scrub(void)
{
	volatile char buf[65536];

	memset((char *)buf, 0, sizeof(buf));
}

static void *thread_main(void *arg)
{
	keep((unsigned long)arg);
	return NULL;
}

static __attribute__((noinline)) void keep_tls(unsigned long n)
{
	unsigned long *at = realloc(tls_at, (ntls + n) * sizeof(*at));

	if (!at)
		abort();
	tls_at = at;
	for (unsigned long i = 0; i < n; i++) {
		struct record *r = make(i);

		r->next = tls_list;
		tls_list = r;
		tls_at[ntls + i] = ~(unsigned long)r;
	}
	ntls += n;
}

/* Keeps its records in its TLS, says so, and waits for the process to end. */
static void *tls_thread_main(void *arg)
{
	pthread_mutex_lock(&lock);
	keep_tls((unsigned long)arg);
	nbuilt++;
	pthread_cond_broadcast(&built);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

int main(void)
{
	char line[256], file[200];
	unsigned long n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "keep %lu", &n) == 1) {
			keep(n);
		} else if (sscanf(line, "drop %lu", &n) == 1) {
			deep(drop, n);
		} else if (sscanf(line, "thread %lu", &n) == 1) {
			pthread_t t;

			if (pthread_create(&t, NULL, thread_main, (void *)n) || pthread_join(t, NULL))
				abort();
		} else if (sscanf(line, "tls-thread %lu", &n) == 1) {
			pthread_t t;
			unsigned long want;

			pthread_mutex_lock(&lock);
			want = nbuilt + 1;
			pthread_mutex_unlock(&lock);
			if (pthread_create(&t, NULL, tls_thread_main, (void *)n))
				abort();
			pthread_mutex_lock(&lock);
			while (nbuilt < want)
				pthread_cond_wait(&built, &lock);
			pthread_mutex_unlock(&lock);
		} else if (sscanf(line, "tls %lu", &n) == 1) {
			pthread_mutex_lock(&lock);
			deep(keep_tls, n);
			pthread_mutex_unlock(&lock);
		} else if (sscanf(line, "dump %199s", file) == 1) {
			FILE *fp = fopen(file, "w");

			if (!fp) {
				printf("error: cannot write %s\n", file);
				continue;
			}
			for (struct record *r = kept; r; r = r->next)
				fprintf(fp, "kept %p\n", (void *)r);
			for (unsigned long i = 0; i < ntls; i++)
				fprintf(fp, "kept %p\n", (void *)~tls_at[i]);
			for (unsigned long i = 0; i < ndropped; i++)
				fprintf(fp, "dropped %p\n", (void *)~dropped_at[i]);
			fclose(fp);
		} else if (!strcmp(line, "quit\n")) {
			printf("ok bye\n");
			return 0;
		} else {
			printf("error: unknown command\n");
			continue;
		}
		scrub();
		printf("ok kept=%lu dropped=%lu tls=%lu\n", nkept, ndropped, ntls);
	}
	return 0;
}
