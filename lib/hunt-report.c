// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hunt's report.md: the verdict in plain words first, then the evidence
 * as the other tools print it (mapsdiff's table, bytehist's sections, the
 * symbols and the heap's chunk classes), then the files beside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <memsift/diff.h>
#include <memsift/heapwalk.h>
#include <memsift/hist-report.h>
#include <memsift/hist.h>
#include <memsift/outfile.h>
#include <memsift/pattern.h>
#include <memsift/output.h>
#include <memsift/plot.h>
#include <memsift/snapshot.h>
#include <memsift/symbol-report.h>
#include <memsift/symbol.h>
#include <memsift/trend-report.h>
#include <memsift/trend.h>

#include "hunt-private.h"
#include "internal.h"

/* A chunk class, or a code address, this common is worth naming in the verdict. */
#define HUNT_MIN_CHUNKS 100
#define HUNT_TOP 10
/* mapsdiff's series columns but STATUS: every row is a mapping that grew. */
#define HUNT_COLUMNS "START,END,PERMS,SIZE,RSS-OLD,RSS-NEW,RSS-DELTA,RATE,STEADY,VERDICT,LABEL,NAME"

const char *ms_hunt_status(const struct ms_hunt *h)
{
	if (h->confirmed)
		return "leaking";
	if (ms_hunt_unconfirmed(h))
		return "unconfirmed";
	return h->gone || h->interrupted ? "incomplete" : "nothing";
}

/* The analysis's verdict, from the clusters that grew; false when it has nothing to name. */
static bool verdict_clusters(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	size_t n = h->an ? ms_analysis_verdict(ctx, h->an, fp) : 0;

	if (!n)
		return false;
	ms_hunt_trace_clause(h, n, fp);
	if (h->refs[0])
		fprintf(fp, "; %s", h->refs);
	return true;
}

static void seen_figures(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp);

int ms_hunt_verdict(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	/*
	 * Growth seen, not yet confirmed (exit status 3): said too, never left
	 * as silence.  A process that exited is trouble, said on stderr.
	 */
	if (!h->confirmed && h->seen && h->n && !h->gone) {
		fputs("grew, not yet confirmed: ", fp);
		seen_figures(ctx, h, fp);
		fputs(".\n", fp);
		return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
	}
	if (!h->confirmed)
		return 0;
	fputs("likely leaking: ", fp);
	if (!verdict_clusters(ctx, h, fp))
		fputs("memory that grows with no steady state; no cluster of objects in what grew is large enough to name",
		      fp);
	fputs(".\n", fp);
	return ferror(fp) ? ms_err(ctx, -EIO, "write error") : 0;
}

static const char *sig_str(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

/* "[heap]", or an unnamed mapping by its address. */
static void mapping_str(const struct ms_mapping *m, FILE *fp)
{
	if (*ms_mapping_name(m))
		fputs(ms_mapping_name(m), fp);
	else
		fprintf(fp, "the mapping at 0x%" PRIx64, ms_mapping_start(m));
}

/*
 * The figures of growth seen but not confirmed: the mapping that grew most
 * (with no steady state, over three snapshots or more), then the process.
 */
static void seen_figures(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	const struct ms_mapping *top = NULL;
	const struct ms_series *s;
	char a[MS_SIZE_STR_MAX], r[32];
	int64_t best = 0, delta;
	struct ms_diff *d = NULL;
	size_t i;

	for (i = 0; h->trend && i < ms_trend_count(h->trend); i++) {
		s = ms_trend_get(h->trend, i);
		delta = (int64_t)(ms_series_value(s, h->n - 1) - ms_series_value(s, 0));
		if (ms_series_verdict(s) == MS_VERDICT_GROWING && delta > best) {
			best = delta;
			top = ms_series_mapping(s);
		}
	}
	if (!h->trend && ms_diff_new(ctx, h->maps[0], h->maps[h->n - 1], &d) == 0) {
		for (i = 0; i < ms_diff_count(d); i++) {
			const struct ms_diff_entry *e = ms_diff_get(d, i);

			delta = ms_diff_entry_grown(e);
			if (ms_diff_entry_new(e) && delta > best) {
				best = delta;
				top = ms_diff_entry_new(e);
			}
		}
	}
	if (top) {
		mapping_str(top, fp);
		fprintf(fp, " grew %s", ms_size_delta_str(best, a, sizeof(a)));
		if (h->trend) {
			s = ms_trend_get(h->trend, ms_mapping_index(top));
			fprintf(fp, " (%s, %s)", ms_rate_str(ms_series_rate(s), r, sizeof(r)),
				ms_verdict_str(ms_series_verdict(s)));
		}
		fputs(" and ", fp);
	}
	delta = (int64_t)ms_maps_total(h->maps[h->n - 1], MS_F_RSS) -
		(int64_t)ms_maps_total(h->maps[0], MS_F_RSS);
	fprintf(fp, "the process %s", ms_size_delta_str(delta, a, sizeof(a)));
	ms_diff_free(d);
}

static int verdict(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	char a[MS_SIZE_STR_MAX], t[32];
	double span = h->n > 1 ? h->times[h->n - 1] - h->times[0] : 0;

	if (!h->confirmed) {
		if (!h->n) {
			fputs("**Hunt failed:** no snapshot could be kept (see the messages leakhunt printed).\n",
			      fp);
			return 0;
		}
		if (h->gone)
			fprintf(fp, "**Hunt incomplete:** pid %d %s after %zu snapshots, before growth could be confirmed (it needs %" PRIu64 ")",
				(int)h->o.pid, h->gone_why[0] ? h->gone_why : "exited", h->n,
				h->o.confirm);
		else if (h->interrupted && h->n < 3)
			fprintf(fp, "**Hunt interrupted:** by %s after %zu snapshots, too few to judge growth on (it needs 3)",
				sig_str(h->interrupted), h->n);
		else if (h->seen)
			fprintf(fp, "**Grew, not yet confirmed:** over %zu snapshots in %s%s%s, ",
				h->n, ms_duration_str(span, t, sizeof(t)),
				h->interrupted ? ", interrupted by " : "",
				h->interrupted ? sig_str(h->interrupted) : "");
		else if (h->interrupted)
			fprintf(fp, "**Hunt interrupted:** by %s after %zu snapshots in %s; over them, neither the process nor any mapping grew with no steady state by %s or more",
				sig_str(h->interrupted), h->n, ms_duration_str(span, t, sizeof(t)),
				ms_size_str(h->o.threshold, a, sizeof(a)));
		else
			fprintf(fp, "**Nothing is leaking:** over %zu snapshots in %s, neither the process nor any mapping grew with no steady state by %s or more",
				h->n, ms_duration_str(span, t, sizeof(t)),
				ms_size_str(h->o.threshold, a, sizeof(a)));
		if (!h->seen) {
			fputs(".\n", fp);
			return 0;
		}
		if (h->gone || (h->interrupted && h->n < 3))
			fputs("; it grew, not yet confirmed: ", fp);
		seen_figures(ctx, h, fp);
		fprintf(fp, ".  Confirming takes %" PRIu64 " snapshots (--confirm); hunt longer (-d, -n) to confirm it and dump what grew.\n",
			h->o.confirm);
		return 0;
	}
	fputs("**Likely leaking:** ", fp);
	if (!verdict_clusters(ctx, h, fp))
		fputs("memory that grows with no steady state; no cluster of objects in what grew is large enough to name (see below)",
		      fp);
	fputs(".\n", fp);
	if (h->interrupted)
		fprintf(fp, "\nThe hunt was interrupted by %s after %zu snapshots: growth is judged on those alone.\n",
			sig_str(h->interrupted), h->n);
	if (h->gone)
		fprintf(fp, "\nThe process %s during the hunt: what was gathered is below%s.\n",
			h->gone_why[0] ? "became another" : "exited",
			h->incomplete ? ", the dump incomplete" : "");
	return 0;
}

/*
 * A Go process is judged on what each GC found alive, not on its pages
 * (lib/hunt.c): say so beside the pages' own figures, with the first and
 * last of those values and how many GCs they span, so that pages that grow
 * and a verdict that says nothing leaks do not read as a contradiction;
 * and, once judged, by how much the later GCs' live heap stood above the
 * earlier ones' at the least, and how likely noise alone is to order the
 * marks so.
 */
static void go_line(const struct ms_hunt *h, FILE *fp)
{
	uint64_t first = UINT64_MAX, last = UINT64_MAX;
	uint32_t c0 = 0, c1 = 0;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], t[MS_SIZE_STR_MAX];

	if (h->go_state <= 0 || !h->go_value)
		return;
	for (size_t i = 0; i < h->n; i++) {
		if (h->go_value[i] == UINT64_MAX)
			continue;
		if (first == UINT64_MAX) {
			first = h->go_value[i];
			c0 = h->go_cycles[i];
		}
		last = h->go_value[i];
		c1 = h->go_cycles[i];
	}
	if (first == UINT64_MAX)
		return;
	fprintf(fp, "As a Go program it is judged on %s, not on its pages: %s -> %s over %u GCs, %s",
		h->go_off ? "the bytes its heap holds in use (GOGC=off)" :
		h->go_bounded ? "what each GC found alive less what was allocated while it marked" :
		"what each GC found alive (what was allocated while it marked not known: less sure)",
		ms_size_str(first, a, sizeof(a)), ms_size_str(last, b, sizeof(b)), c1 - c0,
		h->seen ? "growth seen" : "no growth that counts");
	if (h->go_k) {
		fprintf(fp, ": the later %zu GCs' live heap, at the least, was %s %s the earlier %zu's at the most (threshold %s)",
			h->go_k - h->go_k / 2,
			ms_size_str((uint64_t)(h->go_gain >= 0 ? h->go_gain : -h->go_gain), a, sizeof(a)),
			h->go_gain >= 0 ? "above" : "below", h->go_k / 2,
			ms_size_str(h->o.threshold, t, sizeof(t)));
		if (!isnan(h->go_p))
			fprintf(fp, "; the chance that noise alone puts the marks in so rising an order: %.2g (Mann-Kendall)",
				h->go_p);
	}
	fputs(".\n", fp);
}

/* The process line: how much it grew, how fast, and the verdict on it. */
static int growth_summary(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	const struct ms_series *tot = h->trend ? ms_trend_total(h->trend) : NULL;
	const struct ms_maps *first, *last;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX], r[32];

	(void)ctx;
	/* No snapshot was kept (the first could not be written: a full disk). */
	if (!h->n) {
		fprintf(fp, "\n## Growth\n\npid %d: no snapshot.\n", (int)h->o.pid);
		return 0;
	}
	first = ms_snapshot_maps(h->snap[0]);
	last = ms_snapshot_maps(h->snap[h->n - 1]);
	fprintf(fp, "\n## Growth\n\npid %d (%s): %s -> %s resident over %zu snapshots", (int)h->o.pid,
		ms_snapshot_get(h->snap[0], "comm") ? ms_snapshot_get(h->snap[0], "comm") : "?",
		ms_size_str(ms_maps_total(first, MS_F_RSS), a, sizeof(a)),
		ms_size_str(ms_maps_total(last, MS_F_RSS), b, sizeof(b)), h->n);
	if (tot)
		fprintf(fp, ", %s: %s", ms_rate_str(ms_series_rate(tot), r, sizeof(r)),
			ms_verdict_str(ms_series_verdict(tot)));
	fputs(".\n", fp);
	go_line(h, fp);
	return 0;
}

/* mapsdiff's table of the mappings that grew, the top of it. */
static int growth_table(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	const struct ms_growth_opts o = {
		.sort = MS_GROWTH_RSS_DELTA, .top = HUNT_TOP, .flags = MS_GROWTH_GREW,
	};
	struct ms_diff *d = NULL;
	struct ms_out *out = NULL;
	int rc;

	if (!h->n)
		return 0;
	fputs("The mappings whose resident set grew most (as `mapsdiff snapshots/` shows them):\n\n```\n", fp);
	rc = ms_diff_new(ctx, h->maps[0], h->maps[h->n - 1], &d);
	if (rc == 0)
		rc = ms_out_new(ctx, ms_growth_columns, MS_GROWTH_NCOLS, "mappings", &out);
	if (rc == 0)
		rc = ms_out_set_columns(out, HUNT_COLUMNS);
	if (rc == 0)
		rc = ms_growth_table(ctx, out, d, h->trend, h->snap[0], h->snap[h->n - 1], &o, NULL);
	if (rc < 0)
		goto out;
	if (rc > 0)
		rc = ms_out_print(out, fp);
	else
		fputs("(no mapping grew)\n", fp);
	fputs("```\n", fp);
out:
	ms_out_free(out);
	ms_diff_free(d);
	return rc;
}

/* The dump and what is in it, as bytehist --symbols --heap prints it. */
static int contents(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	struct ms_hist_report_opts ro = {
		.name = h->dump_name, .manifest = &h->mi,
		.sections = MS_HR_SUMMARY | MS_HR_BLOCKS | MS_HR_RUNS | MS_HR_STRINGS | MS_HR_RECORDS,
		.top = 5,
	};
	struct ms_symbols_report_opts so = { .top = HUNT_TOP };
	struct ms_symbols *syms = h->an ? ms_analysis_symbols(h->an) : NULL;
	const struct ms_heapwalk *hw = h->an ? ms_analysis_heapwalk(h->an) : NULL;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];
	int rc = 0;

	if (!h->dumped) {
		if (h->confirmed)
			fputs("\n## What grew\n\nNothing was dumped (see the messages leakhunt printed).\n", fp);
		return 0;
	}
	fprintf(fp, "\n## What grew\n\n`%s`: %s from %zu mapping%s that grew since the first snapshot (manifest `%s.json`)",
		h->dump_name, ms_size_str(h->dump_total, a, sizeof(a)), h->dump_nranges,
		h->dump_nranges == 1 ? "" : "s", h->dump_name);
	if (h->ndumps > 1)
		fputs("; growth is counted against `base.dump`, the same taken one interval earlier", fp);
	if (h->capped)
		fprintf(fp, "; **capped** by --max-dump: the mappings that grew are %s in all, those that grew most dumped first",
			ms_size_str(h->grown_total, b, sizeof(b)));
	fputs(".\n", fp);
	if (!h->hist)
		return 0;
	fputs("\n## What the bytes are\n\n```\n", fp);
	rc = ms_hist_report_print(ctx, h->hist, &ro, fp);
	fputs("```\n", fp);
	if (rc == 0 && h->an) {
		fputs("\n## Objects, clustered by size and signature\n\n```", fp);
		rc = ms_analysis_print(ctx, h->an, HUNT_TOP, fp);
		fputs("```\n", fp);
	}
	if (rc == 0 && syms) {
		fputs("\n## What its pointers point at\n\n```\n", fp);
		rc = ms_symbols_report_print(ctx, syms, &so, fp);
		fputs("```\n", fp);
	}
	if (rc == 0 && hw) {
		fprintf(fp, "\n## The %s, chunk by chunk\n\n```\n",
			ms_heapwalk_form(hw) == MS_HEAP_MAIN ? "[heap]" : "busiest thread arena");
		rc = ms_heapwalk_print(ctx, hw, syms, HUNT_TOP, 0, fp);
		fputs("```\n", fp);
	}
	return rc;
}

/* Mappings drawn beside the total in growth.svg. */
#define HUNT_PLOT_TOP 5

/*
 * growth.svg beside report.md, drawn as mapswatch --plot draws a series:
 * the total and the mappings that grew fastest, restarts marked.  A browser
 * shows it inline in the Markdown.
 */
static int growth_plot(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	struct ms_plot *p = NULL;
	char *path;
	int rc;

	if (h->n < 2)
		return 0;
	rc = ms_plot_snapshots(ctx, (const struct ms_snapshot *const *)h->snap, h->n, HUNT_PLOT_TOP,
			       &p);
	if (rc < 0)
		return rc;
	if (asprintf(&path, "%s/growth.svg", h->dir) < 0) {
		ms_plot_free(p);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	rc = ms_plot_write_file(ctx, p, path, 0);
	free(path);
	ms_plot_free(p);
	if (rc < 0)
		return rc;
	fputs("\n![RSS over time: the process total and the mappings that grew fastest](growth.svg)\n",
	      fp);
	return 0;
}

static int files(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	(void)ctx;
	fprintf(fp, "\n## Files\n\n- `snapshots/0001.snap` .. `snapshots/%04zu.snap`: mapsnap snapshots (`mapsdiff snapshots/`)\n",
		h->n);
	if (h->n >= 2)
		fputs("- `growth.svg`: RSS over time, the total and the mappings that grew fastest (`mapswatch --plot growth.svg snapshots/`)\n",
		      fp);
	if (h->dumped)
		fprintf(fp, "- `%s`, `%s.json`: what grew, raw, and regiondump's manifest (`bytehist --symbols --objects %s`)\n",
			h->dump_name, h->dump_name, h->dump_name);
	if (h->ndumps > 1)
		fputs("- `base.dump`, `base.dump.json`: the same, one interval earlier (`bytehist --objects --base base.dump grown.dump`)\n",
		      fp);
	if (h->hist)
		fputs("- `analysis.json`: the analysis as `bytehist -J --symbols --objects` writes it, with the heap walk, the clusters and the verdict\n",
		      fp);
	return 0;
}

/* The report's sections, in order.  Each writes Markdown to FP and returns 0 or -errno. */
/*
 * Where and when, above the verdict: a report read days later on another
 * machine must say which host and kernel, which memsift, which command, and
 * the wall-clock window the snapshots cover.
 */
static int header(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp)
{
	const char *kernel = h->n ? ms_snapshot_get(h->snap[0], "kernel") : NULL;
	const char *t0 = h->n ? ms_snapshot_get(h->snap[0], "time") : NULL;
	const char *t1 = h->n ? ms_snapshot_get(h->snap[h->n - 1], "time") : NULL;
	char span[32];
	struct utsname un;

	if (uname(&un) < 0)
		snprintf(un.nodename, sizeof(un.nodename), "?");
	fprintf(fp, "host `%s`, Linux %s, memsift %s", un.nodename, kernel ? kernel : un.release,
		PACKAGE_VERSION);
	/* "2026-12-04T21:00:00.123456789Z": to the second, the date once. */
	if (t0 && strlen(t0) >= 19) {
		fprintf(fp, ", %.10s %.8s", t0, t0 + 11);
		if (t1 && strlen(t1) >= 19 && h->n > 1)
			fprintf(fp, " to %.*s%.8s", strncmp(t0, t1, 10) ? 11 : 0, t1, t1 + 11);
		fprintf(fp, " UTC (%s, %zu snapshot%s)",
			ms_duration_str(h->n > 1 ? h->times[h->n - 1] - h->times[0] : 0, span,
					sizeof(span)),
			h->n, h->n == 1 ? "" : "s");
	}
	fputs("  \n", fp);
	if (h->o.cmdline) {
		/* "--redact hunter2" names the secret it hides: redacted like the rest. */
		char *cmd = strdup(h->o.cmdline);

		if (!cmd)
			return ms_err(ctx, -ENOMEM, "out of memory");
		if (h->o.redact && ms_patscan_redact_buf(ctx, h->o.redact, MS_REDACT_FILL, cmd,
							 strlen(cmd)) < 0) {
			free(cmd);
			return -ENOMEM;
		}
		fprintf(fp, "command: `%s`\n", cmd);
		free(cmd);
	}
	fputc('\n', fp);
	return 0;
}

static int (*const sections[])(struct ms_ctx *ctx, const struct ms_hunt *h, FILE *fp) = {
	header, verdict, growth_summary, growth_plot, growth_table, contents, files,
};

int ms_hunt_report(struct ms_ctx *ctx, struct ms_hunt *h)
{
	char *path;
	struct ms_outfile *of;
	FILE *fp;
	size_t i;
	int rc;

	if (asprintf(&path, "%s/report.md", h->dir) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rc = ms_outfile_open(ctx, path, 0, &of);
	free(path);
	if (rc < 0)
		return rc;
	fp = ms_outfile_fp(of);
	fprintf(fp, "# leakhunt: pid %d\n\n", (int)h->o.pid);
	for (i = 0; i < MS_ARRAY_SIZE(sections) && rc == 0; i++)
		rc = sections[i](ctx, h, fp);
	if (rc < 0) {
		ms_outfile_abort(of);
		return rc;
	}
	return ms_outfile_commit(ctx, of);
}
