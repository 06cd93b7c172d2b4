// SPDX-License-Identifier: GPL-2.0-or-later
/* growtrace's report: summary lines, JSON, folded stacks, pprof.  See <memsift/growtrace.h>. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <memsift/growtrace.h>
#include <memsift/jsonwrt.h>
#include <memsift/output.h>
#include <memsift/pprof.h>

#include "internal.h"

/* Up to this many rate buckets in the summary line; seconds are merged to fit. */
#define RATE_BUCKETS 10

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

char *ms_growtrace_stack_str(const struct ms_growtrace_stack *s, size_t max, char *buf,
			     size_t len)
{
	size_t i, n = s->nframes, off = 0;

	if (max && n > max)
		n = max;
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		const struct ms_growtrace_frame *f = &s->frames[i];
		int w = snprintf(buf + off, len - off, "%s%s%s", i ? " \u2190 " : "", f->name,
				 f->inlined ? " (inlined)" : "");

		if (w < 0)
			break;
		off += (size_t)w;
		if (!i && f->file && off < len) {
			const char *base = strrchr(f->file, '/');

			w = snprintf(buf + off, len - off, " (%s:%d)", base ? base + 1 : f->file, f->line);
			if (w > 0)
				off += (size_t)w;
		}
	}
	return buf;
}

/* A frame of the allocator, libc or a runtime rather than the program's own code. */
static bool plumbing(const struct ms_growtrace_frame *f)
{
	const char *base = f->module ? strrchr(f->module, '/') : NULL;

	/*
	 * Code from the system's headers, inlined or instantiated in the
	 * program (std::vector's growth), is the library's: now that inline
	 * frames are expanded, push_back would otherwise name the culprit.
	 */
	if (f->file && (!strncmp(f->file, "/usr/include/", 13) ||
			!strncmp(f->file, "/usr/lib/gcc/", 13)))
		return true;

	/* Shared objects: libc, the allocators (libjemalloc, musl's ld-musl), libstdc++. */
	base = base ? base + 1 : f->module;
	if (base && strstr(base, ".so"))
		return true;
	/* Unnamed code, Go's runtime, and where every thread starts. */
	return !strncmp(f->name, "runtime.", 8) || !strncmp(f->name, "0x", 2) ||
	       !strcmp(f->name, "_start") || !strncmp(f->name, "__libc_start", 12) ||
	       !strcmp(f->name, "start_thread") || !strncmp(f->name, "__GI___clone", 12) ||
	       !strncmp(f->name, "clone", 5);
}

char *ms_growtrace_culprit_str(const struct ms_growtrace_stack *s, char *buf, size_t len)
{
	const struct ms_growtrace_frame *f;
	size_t i;

	/*
	 * The first frame with a source line: code built without debug
	 * information (a static libc's malloc) is the allocator's, not the
	 * program's.  Without any, the first named one.
	 */
	for (i = 0; i < s->nframes && (plumbing(&s->frames[i]) || !s->frames[i].file); i++)
		;
	if (i == s->nframes)
		for (i = 0; i < s->nframes && plumbing(&s->frames[i]); i++)
			;
	if (i == s->nframes) {
		buf[0] = '\0';
		return buf;
	}
	f = &s->frames[i];
	if (i + 1 < s->nframes)
		snprintf(buf, len, "%s \u2190 %s", f->name, s->frames[i + 1].name);
	else
		snprintf(buf, len, "%s", f->name);
	if (f->file) {
		const char *base = strrchr(f->file, '/');
		size_t off = strlen(buf);

		snprintf(buf + off, len - off, " (%s:%d)", base ? base + 1 : f->file, f->line);
	}
	return buf;
}

void ms_growtrace_print_summary(const struct ms_growtrace *gt, FILE *fp)
{
	const struct ms_growtrace_summary *s = ms_growtrace_summary(gt);
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], c[MS_COUNT_STR_MAX], d[MS_COUNT_STR_MAX];
	char e[MS_COUNT_STR_MAX];
	size_t i, per, nb;

	fprintf(fp, "pid %d: %" PRIu64 " thread%s traced for %.1fs%s\n", (int)s->pid, s->threads,
		s->threads == 1 ? "" : "s", s->duration, s->exited ? " (it exited)" : "");
	if (s->every_fault)
		fprintf(fp, "sampling: every fault (the rate stayed under %" PRIu64 " samples/s a thread)\n",
			s->freq);
	else
		fprintf(fp, "sampling: every fault up to %" PRIu64 " samples/s a thread, then 1 in up to %" PRIu64 " (each sample weighs its period)\n",
			s->freq, s->max_period);
	fprintf(fp, "faults: %s on private writable memory (%s), in %s samples; %s elsewhere (code, files)",
		ms_count_str(s->growth_faults, c, sizeof(c)), ms_size_str(s->grown, a, sizeof(a)),
		ms_count_str(s->samples, d, sizeof(d)),
		ms_count_str(s->other_faults, e, sizeof(e)));
	if (s->unsampled)
		fprintf(fp, "; %s counted while the kernel throttled sampling, spread over the stacks",
			ms_count_str(s->unsampled, e, sizeof(e)));
	if (s->lost)
		fprintf(fp, "; %s samples dropped by the kernel (ring buffer full), counted as the one before them",
			ms_count_str(s->lost, c, sizeof(c)));
	fputc('\n', fp);
	/* A binomial share's error is about 1/sqrt(samples): say when it is large. */
	if (!s->every_fault && s->samples < 400)
		fprintf(fp, "sampling: only %" PRIu64 " samples, so each stack's share is rough (\u00b1%.0f%%): raise --freq for a short trace or one that mostly sleeps\n",
			s->samples, s->samples ? 100.0 / sqrt((double)s->samples) : 100.0);
	if (s->cut)
		fprintf(fp, "stacks: %s samples' stacks went on past the %" PRIu64 " bytes copied, cut there (raise --stack-size)\n",
			ms_count_str(s->cut, c, sizeof(c)), s->stack_size);
	if (s->netted)
		fprintf(fp, "resident: %s of it still resident at the end (%s freed since, netted)\n",
			ms_size_str(s->resident, a, sizeof(a)),
			ms_size_str(s->grown - s->resident, b, sizeof(b)));
	else
		fprintf(fp, "resident: not netted (the process was gone at the end): %s as faulted\n",
			ms_size_str(s->resident, a, sizeof(a)));
	if (s->have_after && s->anon_after > s->anon_before) {
		uint64_t g = s->anon_after - s->anon_before;

		fprintf(fp, "explained: %s of the process's anonymous growth of %s (%.0f%%)\n",
			ms_size_str(s->resident < g ? s->resident : g, a, sizeof(a)),
			ms_size_str(g, b, sizeof(b)), pct(s->resident < g ? s->resident : g, g));
	} else if (s->have_after) {
		fprintf(fp, "explained: the process's anonymous memory did not grow (%s to %s)\n",
			ms_size_str(s->anon_before, a, sizeof(a)),
			ms_size_str(s->anon_after, b, sizeof(b)));
	}
	if (!s->nrate)
		return;
	per = (s->nrate + RATE_BUCKETS - 1) / RATE_BUCKETS;
	nb = (s->nrate + per - 1) / per;
	fprintf(fp, "rate (per %zus):", per);
	for (i = 0; i < nb; i++) {
		uint64_t sum = 0;
		size_t j;

		for (j = i * per; j < (i + 1) * per && j < s->nrate; j++)
			sum += s->rate[j];
		fprintf(fp, " %s", ms_size_delta_str((int64_t)sum, a, sizeof(a)));
	}
	fputc('\n', fp);
}

static void json_frame(struct ms_jw *w, const struct ms_growtrace_frame *f)
{
	ms_jw_object_open(w, NULL);
	ms_jw_hex(w, "pc", f->pc);
	ms_jw_str(w, "function", f->name);
	ms_jw_str(w, "module", f->module);
	ms_jw_str(w, "file", f->file);
	if (f->line > 0)
		ms_jw_s64(w, "line", f->line);
	else
		ms_jw_null(w, "line");
	if (f->note)
		ms_jw_str(w, "note", f->note);
	ms_jw_bool(w, "inline", f->inlined);
	ms_jw_object_close(w);
}

static void json_summary(struct ms_jw *w, const struct ms_growtrace_summary *s)
{
	size_t i;

	ms_jw_object_open(w, "summary");
	ms_jw_s64(w, "pid", s->pid);
	ms_jw_u64(w, "threads", s->threads);
	ms_jw_double(w, "duration", s->duration, 3);
	ms_jw_u64(w, "freq", s->freq);
	ms_jw_bool(w, "every_fault", s->every_fault);
	ms_jw_u64(w, "max_period", s->max_period);
	ms_jw_u64(w, "page_size", s->page_size);
	ms_jw_u64(w, "samples", s->samples);
	ms_jw_u64(w, "faults", s->faults);
	ms_jw_u64(w, "growth_faults", s->growth_faults);
	ms_jw_u64(w, "other_faults", s->other_faults);
	ms_jw_u64(w, "lost", s->lost);
	ms_jw_u64(w, "unsampled", s->unsampled);
	ms_jw_u64(w, "stack_size", s->stack_size);
	ms_jw_u64(w, "cut", s->cut);
	ms_jw_u64(w, "grown", s->grown);
	ms_jw_u64(w, "resident", s->resident);
	ms_jw_bool(w, "netted", s->netted);
	ms_jw_u64(w, "anon_before", s->anon_before);
	if (s->have_after)
		ms_jw_u64(w, "anon_after", s->anon_after);
	else
		ms_jw_null(w, "anon_after");
	ms_jw_bool(w, "exited", s->exited);
	ms_jw_array_open(w, "rate");
	for (i = 0; i < s->nrate; i++)
		ms_jw_u64(w, NULL, s->rate[i]);
	ms_jw_array_close(w);
	ms_jw_object_close(w);
}

int ms_growtrace_write_json(const struct ms_growtrace *gt, FILE *fp)
{
	const struct ms_growtrace_summary *s = ms_growtrace_summary(gt);
	struct ms_jw w;
	size_t i, j;

	/* Top-level members and stacks one a line, the rest spaced, as it always was. */
	ms_jw_init(&w, fp);
	ms_jw_object_open(&w, NULL);
	ms_jw_spaced(&w, true);
	ms_jw_lines(&w, "\n  ", "\n");
	ms_jw_memsift_json(&w);
	json_summary(&w, s);
	ms_jw_array_open(&w, "stacks");
	ms_jw_lines(&w, "\n    ", "\n  ");
	for (i = 0; i < ms_growtrace_stack_count(gt); i++) {
		const struct ms_growtrace_stack *st = ms_growtrace_stack(gt, i);

		ms_jw_object_open(&w, NULL);
		ms_jw_u64(&w, "resident", st->resident);
		ms_jw_u64(&w, "grown", st->grown);
		ms_jw_u64(&w, "faults", st->faults);
		ms_jw_u64(&w, "samples", st->samples);
		ms_jw_double(&w, "share_pct", pct(st->resident, s->resident), 2);
		ms_jw_double(&w, "first", st->first, 3);
		ms_jw_double(&w, "last", st->last, 3);
		ms_jw_str(&w, "mapping", st->mapping);
		ms_jw_array_open(&w, "frames");
		for (j = 0; j < st->nframes; j++)
			json_frame(&w, &st->frames[j]);
		ms_jw_array_close(&w);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	ms_jw_object_close(&w);
	fputc('\n', fp);
	return ferror(fp) ? -EIO : 0;
}

/* A frame's name for a folded line: ';' and ' ' would split it. */
static void folded_name(FILE *fp, const char *name)
{
	for (; *name; name++)
		fputc(*name == ';' || *name == ' ' || *name == '\n' ? '_' : *name, fp);
}

int ms_growtrace_write_folded(const struct ms_growtrace *gt, FILE *fp)
{
	size_t i, j;

	for (i = 0; i < ms_growtrace_stack_count(gt); i++) {
		const struct ms_growtrace_stack *st = ms_growtrace_stack(gt, i);

		if (!st->resident)
			continue;
		for (j = st->nframes; j-- > 0;) {
			folded_name(fp, st->frames[j].name);
			/* FlameGraph's annotation of an inlined frame. */
			if (st->frames[j].inlined)
				fputs("_[i]", fp);
			if (j)
				fputc(';', fp);
		}
		fprintf(fp, " %" PRIu64 "\n", st->resident);
	}
	return ferror(fp) ? -EIO : 0;
}

/*
 * The locations of stack ST, one per pc with the functions inlined there
 * as its lines, into LOCS (at most MAX); returns how many, or 0 when out
 * of memory.
 */
static size_t pprof_stack(struct ms_pprof *p, const struct ms_growtrace_stack *st,
			  uint64_t *locs, size_t max)
{
	struct ms_pprof_line lines[64];
	size_t j, n = 0, nl = 0;

	for (j = 0; j < st->nframes && n < max; j++) {
		const struct ms_growtrace_frame *f = &st->frames[j];

		if (nl < MS_ARRAY_SIZE(lines))
			lines[nl++] = (struct ms_pprof_line){ f->name, f->file, f->line };
		if (f->inlined && j + 1 < st->nframes)
			continue;
		locs[n] = ms_pprof_location_lines(p, f->pc, lines, nl);
		if (!locs[n++])
			return 0;
		nl = 0;
	}
	return n;
}

int ms_growtrace_write_pprof(struct ms_ctx *ctx, const struct ms_growtrace *gt, FILE *fp)
{
	const struct ms_growtrace_summary *s = ms_growtrace_summary(gt);
	struct ms_pprof *p;
	uint64_t locs[64];
	size_t i, n;
	int rc;

	rc = ms_pprof_new(ctx, &p);
	if (rc < 0)
		return rc;
	/* The last type is pprof's default: what the table ranks by. */
	if (ms_pprof_add_type(p, "faults", "count") < 0 || ms_pprof_add_type(p, "grown", "bytes") < 0 ||
	    ms_pprof_add_type(p, "resident", "bytes") < 0)
		goto oom;
	/* The executable: the module of the outermost frame (_start, runtime.goexit). */
	if (ms_growtrace_stack_count(gt)) {
		const struct ms_growtrace_stack *top = ms_growtrace_stack(gt, 0);
		const char *exe = top->frames[top->nframes - 1].module;

		if (exe && ms_pprof_set_binary(p, exe) < 0)
			goto oom;
	}
	ms_pprof_set_time(p, (int64_t)time(NULL) * 1000000000LL - (int64_t)(s->duration * 1e9),
			  (int64_t)(s->duration * 1e9));
	for (i = 0; i < ms_growtrace_stack_count(gt); i++) {
		const struct ms_growtrace_stack *st = ms_growtrace_stack(gt, i);
		int64_t v[3] = { (int64_t)st->faults, (int64_t)st->grown, (int64_t)st->resident };

		n = pprof_stack(p, st, locs, MS_ARRAY_SIZE(locs));
		if (!n || ms_pprof_add_sample(p, locs, n, v, "mapping", st->mapping) < 0)
			goto oom;
	}
	rc = ms_pprof_write(ctx, p, fp);
	ms_pprof_free(p);
	return rc;
oom:
	ms_pprof_free(p);
	return ms_err(ctx, -ENOMEM, "out of memory");
}
