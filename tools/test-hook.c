// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tests' hook into a tool's loop, linked only into the copies of the
 * tools that the test suite builds (tests/hooked/): a shipped binary must
 * not let its environment hold a --freeze open or pause a hunt.
 */
#include <err.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

bool ms_cli_test_hook(const char *event, const char *fmt, ...)
{
	const char *hook = getenv("MEMSIFT_TEST_HOOK");
	size_t elen = strlen(event);
	char line[128], buf[16];
	va_list ap;
	int fd, len;

	if (!hook || strncmp(hook, event, elen) || hook[elen] != ':')
		return false;
	hook += elen + 1;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line) - 1)
		len = (int)strlen(line);
	line[len++] = '\n';
	fd = open(hook, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, line, (size_t)len) < 0)
		err(ms_cli_failure_status(), "test hook %s", hook);
	close(fd);
	fd = open(hook, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
		err(ms_cli_failure_status(), "test hook %s", hook);
	close(fd);
	return true;
}
