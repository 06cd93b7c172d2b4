// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: kernel logs for the OOM report parser, with a parser callback
 * on every other input so both the failing and the skipping paths run. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <memsift/oom.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int skip(struct ms_ctx *ctx, const char *file, unsigned long line, const char *msg,
		void *arg)
{
	(void)ctx; (void)file; (void)line; (void)msg; (void)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx = ms_ctx_new();
	struct ms_oom_log *log = NULL;
	FILE *fp = fmemopen((void *)data, size, "r");
	size_t i;

	if (size && (data[0] & 1))
		ms_ctx_set_parser_errcb(ctx, skip, NULL);
	if (fp && ms_oom_parse(ctx, fp, "fuzz", &log) == 0) {
		for (i = 0; i < ms_oom_count(log); i++) {
			const struct ms_oom_report *r = ms_oom_get(log, i);
			volatile size_t sink = r->ntasks;

			/* Every string must be terminated within its field. */
			sink += __builtin_strlen(r->name) + __builtin_strlen(r->memcg) +
				__builtin_strlen(r->task_memcg) + __builtin_strlen(r->time) +
				__builtin_strlen(r->invoker) + __builtin_strlen(r->constraint);
			for (size_t j = 0; j < r->ntasks; j++)
				sink += __builtin_strlen(r->tasks[j].name);
			if (r->ntasks > MS_OOM_TASKS_MAX || r->ntasks > r->tasks_listed)
				__builtin_trap();
			(void)sink;
		}
		(void)ms_oom_stats(log);
	}
	if (fp)
		fclose(fp);
	ms_oom_log_free(log);
	ms_ctx_free(ctx);
	return 0;
}
