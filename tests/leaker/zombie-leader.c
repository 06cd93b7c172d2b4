// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A process whose main thread has exited (pthread_exit()) while another
 * runs on: its leader is a zombie and /proc/PID/maps is empty, as in
 * services that start their workers and let main() go.  The worker reads
 * a size a line, fills that many bytes of 'Z' and replies "ok ADDR".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *worker(void *arg)
{
	char line[64];

	(void)arg;
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strtoul(line, NULL, 0);
		char *p = malloc(n);

		if (!p)
			return NULL;
		memset(p, 'Z', n);
		printf("ok %p\n", (void *)p);
		fflush(stdout);
	}
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 1;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	pthread_exit(NULL);
}
