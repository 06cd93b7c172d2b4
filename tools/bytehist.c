// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bytehist: what a dump of memory is made of, on one screen: byte values,
 * block classes, repeated-byte runs, strings, frequent words and patterns.
 * Exit status: 0 success, 1 failure (any input that could not be analysed).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/analyse.h>
#include "cli.h"
#include <memsift/hist-report.h>
#include <memsift/hist.h>
#include <memsift/core.h>
#include <memsift/heapwalk.h>
#include <memsift/jsonwrt.h>
#include <memsift/hist-diff.h>
#include <memsift/manifest.h>
#include <memsift/maps.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/symbol-report.h>
#include <memsift/symbol.h>

struct bytehist_ctl {
	struct ms_hist_opts hopts;
	struct ms_hist_report_opts ropts;
	const char **patterns;	/* -e and -E, in the order given */
	bool *is_regex;
	size_t npatterns;
	bool json;
	struct ms_jw jw;	/* -J: the document, whose "files" each report is one of */
	size_t nfiles;		/* analysed so far */
	struct ms_manifest_info manifest;	/* of the current input, when it has one */
	uint64_t *breaks;	/* where the manifest's ranges meet in the dump */
	unsigned char example[128];	/* the start of one record, for the report */
	char *mpath;		/* the current input's manifest path */
	struct ms_hist *base;	/* --base: the older dump, analysed */
	const char *base_path;
	/* --symbols: what the dump's words point at (lib/symbol.c) */
	bool symbols;
	pid_t pid;		/* -p: the live process's maps, instead of the manifest's */
	struct ms_symbols_report_opts sopts;
	struct ms_symbols *syms;	/* of the current input: the analysis's, or a core's own */
	bool syms_owned;		/* a core's: freed here */
	bool heap;		/* --heap: walk glibc's malloc chunks (lib/heapwalk.c) */
	const struct ms_heapwalk *hw;	/* of the current input, the analysis's */
	bool walk_heap;			/* --heap on this input: one glibc heap to walk */
	struct ms_maps *maps;	/* the current input's manifest's maps, parsed */
	/* --objects: objects, clusters and verdict (lib/analyse.c) */
	bool objects;
	bool objects_now;		/* for this input: --objects, or --heap on several ranges */
	bool partial;			/* this input was analysed, but not whole: exit 1 */
	struct ms_analysis *an;		/* of the current input */
	bool tapped;			/* its words counted in the histogram's pass */
	struct ms_analysis *base_an;	/* of --base, for growth */
	struct ms_ctx *ctx;	/* for ms_core_read()'s callback */
};

enum { OPT_MIN_RUN = CHAR_MAX + 1, OPT_NO_MAGIC, OPT_MIN_LENGTH, OPT_BASE, OPT_SYMBOLS, OPT_HEAP, OPT_OBJECTS, OPT_SAMPLE };

static const char shortopts[] = "B:bE:e:Jj:np:rs:t:Vh";
static const struct option longopts[] = {
	{ "block-size", required_argument, NULL, 'B' },
	{ "bytes", no_argument, NULL, 'b' },
	{ "regex", required_argument, NULL, 'E' },
	{ "pattern", required_argument, NULL, 'e' },
	{ "json", no_argument, NULL, 'J' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "min-length", required_argument, NULL, OPT_MIN_LENGTH },
	{ "pid", required_argument, NULL, 'p' },
	{ "raw", no_argument, NULL, 'r' },
	{ "sections", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 't' },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "heap", no_argument, NULL, OPT_HEAP },
	{ "min-run", required_argument, NULL, OPT_MIN_RUN },
	{ "no-magic", no_argument, NULL, OPT_NO_MAGIC },
	{ "noheadings", no_argument, NULL, 'n' },
	{ "objects", no_argument, NULL, OPT_OBJECTS },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "symbols", no_argument, NULL, OPT_SYMBOLS },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct ms_cli_compat compat[] = {
	{ 'n', NULL, "min-length", MS_CLI_COMPAT_NUMBER,
	  "-n N is deprecated; use --min-length N: -n is --noheadings" },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n bytehist [options] [FILE...]\n\n");
	printf("Show what a dump of memory is made of: its byte values, its blocks\n"
	       "classed (zero, fill, text, UTF-16, pointers, random, binary), its\n"
	       "repeated-byte runs, strings and most frequent 8-byte words, in one pass.\n"
	       "With no FILE, or when FILE is -, read standard input.  When FILE.json\n"
	       "(regiondump's manifest) is beside FILE, offsets are shown as addresses.\n\n");
	printf("Options:\n");
	printf(" -B, --block-size SIZE  class blocks of SIZE bytes (default 4K)\n");
	printf(" -b, --bytes            print sizes in bytes\n");
	printf(" -E, --regex REGEX      count matches of a PCRE2 regex (repeatable)\n");
	printf(" -e, --pattern HEX      count occurrences of these bytes (repeatable)\n");
	printf(" -J, --json             one JSON document: {\"memsift_json\":1, \"files\":[...]}\n");
	printf(" -j, --jobs N           threads for the scan (default: all cores; same results)\n");
	printf(" -n, --noheadings       do not print table headings\n");
	printf(" -p, --pid PID          symbols from this live process's maps, not FILE.json's\n");
	printf(" -r, --raw              raw tables, for scripts\n");
	printf(" -s, --sections LIST    summary,bytes,blocks,runs,strings,words,records,\n"
	       "                          patterns, or all (default)\n");
	printf(" -t, --top N            rows per table (default 10; JSON: all)\n");
	printf("     --base OLD         show what grew from the dump OLD to each FILE\n");
	printf("     --heap             walk glibc malloc chunks: a table by chunk size\n");
	printf("     --min-run N        runs of at least N bytes (default 16)\n");
	printf("     --no-magic         do not ask libmagic what regions are\n");
	printf("     --min-length N     strings of at least N characters (default 6)\n");
	printf("     --objects          find the allocator's objects and cluster them by size\n"
	       "                          and signature, with the verdict (with --base: growth)\n");
	printf("     --sample N         once the string or word table is full, read 1 block\n"
	       "                          in N for it, counts times N (default 8; 1: never)\n");
	printf("     --symbols          rank what the dump's 8-byte words point at: functions\n"
	       "                          (file:line), vtables, strings, data, heap, stacks\n");
	ms_cli_help_options(stdout);
	printf("\nExit status: 0 success, 1 failure.\n");
	exit(MS_EXIT_OK);
}

static void add_pattern(struct bytehist_ctl *ctl, const char *p, bool regex)
{
	const char **np = realloc(ctl->patterns, (ctl->npatterns + 1) * sizeof(*np));
	bool *nr = realloc(ctl->is_regex, (ctl->npatterns + 1) * sizeof(*nr));

	if (np)
		ctl->patterns = np;
	if (nr)
		ctl->is_regex = nr;
	if (!np || !nr)
		err(MS_EXIT_FAILURE, "out of memory");
	ctl->patterns[ctl->npatterns] = p;
	ctl->is_regex[ctl->npatterns++] = regex;
}

/*
 * The tables no section printed needs, which the scan then does not build:
 * -s summary costs little more than the byte counts.  JSON holds every
 * table, and --base, --symbols, --heap and --objects read the strings.
 */
static unsigned tables_skipped(const struct bytehist_ctl *ctl)
{
	unsigned s = ctl->ropts.sections ? ctl->ropts.sections : MS_HR_ALL, skip = 0;

	if (ctl->json || ctl->base_path || ctl->symbols || ctl->heap || ctl->objects)
		return 0;
	if (!(s & MS_HR_RUNS))
		skip |= MS_HIST_NO_RUNS;
	if (!(s & MS_HR_STRINGS))
		skip |= MS_HIST_NO_STRINGS;
	if (!(s & (MS_HR_WORDS | MS_HR_RECORDS)))
		skip |= MS_HIST_NO_WORDS;
	if (!(s & MS_HR_BLOCKS))
		skip |= MS_HIST_NO_REGIONS;
	return skip;
}

/* An option C that takes a count, into CTL: true, or false for another option. */
static bool parse_count_option(struct ms_ctx *ctx, struct bytehist_ctl *ctl, int c)
{
	const struct { int c; const char *name; uint64_t min, max; unsigned *to; } tab[] = {
		{ 'j', "--jobs", 1, 1024, &ctl->hopts.jobs },
		{ 't', "--top", 1, 1000000, &ctl->ropts.top },
		{ OPT_MIN_LENGTH, "--min-length", 2, MS_HIST_STRING_MAX, &ctl->hopts.min_string },
		{ OPT_MIN_RUN, "--min-run", MS_HIST_MIN_RUN, UINT32_MAX, &ctl->hopts.min_run },
		/* A power of two too: check_hist_opts() has the library say so. */
		{ OPT_SAMPLE, "--sample", 1, 1024, &ctl->hopts.sample },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < MS_ARRAY_SIZE(tab); i++) {
		if (tab[i].c != c)
			continue;
		if (ms_parse_count(ctx, optarg, tab[i].min, tab[i].max, &v) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "%s", tab[i].name);
		*tab[i].to = (unsigned)v;
		return true;
	}
	return false;
}

/* One option C (its argument in optarg) into CTL; exits on a bad one. */
static void parse_option(struct ms_ctx *ctx, struct bytehist_ctl *ctl, int c)
{
	if (parse_count_option(ctx, ctl, c))
		return;
	switch (c) {
	case 'B':
		if (ms_parse_size(ctx, optarg, &ctl->hopts.block_size) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--block-size");
		if (!ctl->hopts.block_size)
			errx(MS_EXIT_FAILURE, "--block-size: must be a power of two from 512 to 1M");
		break;
	case 'b':
		ctl->ropts.out_flags |= MS_OUT_BYTES;
		break;
	case 'E':
	case 'e':
		add_pattern(ctl, optarg, c == 'E');
		break;
	case 'J':
		ctl->json = true;
		break;
	case 'r':
		ctl->ropts.out_flags |= MS_OUT_RAW;
		break;
	case 's':
		if (ms_hist_report_sections(ctx, optarg, &ctl->ropts.sections) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--sections");
		break;
	case 'p':
		if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, "--pid");
		break;
	case OPT_OBJECTS:
		ctl->objects = true;
		break;
	case OPT_SYMBOLS:
		ctl->symbols = true;
		break;
	case OPT_HEAP:
		ctl->heap = true;
		break;
	case OPT_BASE:
		ctl->base_path = optarg;
		break;
	case OPT_NO_MAGIC:
		ctl->hopts.magic = false;
		break;
	case 'n':
		ctl->ropts.out_flags |= MS_OUT_NOHEADINGS;
		break;
	case 'V':
		ms_cli_print_version();
	case 'h':
		usage();
	default:
		ms_cli_errtryhelp(MS_EXIT_FAILURE);
	}
}

/*
 * The histogram's options checked once, by building one, not once per
 * file: a bad combination fails before any input is read.
 */
static void check_hist_opts(struct ms_ctx *ctx, const struct bytehist_ctl *ctl)
{
	struct ms_hist_opts o = ctl->hopts;
	struct ms_hist *h;

	o.magic = false;
	if (ms_hist_new(ctx, &o, &h) < 0)
		ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, NULL);
	ms_hist_free(h);
}

static void parse_args(struct ms_ctx *ctx, struct bytehist_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		parse_option(ctx, ctl, c);
	}
	if (ctl->pid && !ctl->symbols && !ctl->heap)
		errx(MS_EXIT_FAILURE, "--pid: only with --symbols or --heap");
	ctl->hopts.skip = tables_skipped(ctl);
	check_hist_opts(ctx, ctl);
}

struct feed_ctx {
	struct ms_ctx *ctx;
	struct ms_hist *h;
};

/* Take MI (now CTL's) for the report, and the places its ranges meet for the scan. */
static void use_manifest(struct bytehist_ctl *ctl, struct ms_manifest_info *mi, const char *from)
{
	ms_manifest_release(&ctl->manifest);
	ctl->manifest = *mi;
	ctl->ropts.manifest = &ctl->manifest;
	ctl->ropts.base_from = from;
	/* A region of like blocks must not run from one range into the next. */
	free(ctl->breaks);
	ctl->breaks = mi->nranges > 1 ? calloc(mi->nranges, sizeof(uint64_t)) : NULL;
	ctl->hopts.nbreaks = 0;
	for (size_t i = 1; ctl->breaks && i < mi->nranges; i++)
		ctl->breaks[ctl->hopts.nbreaks++] = mi->ranges[i].offset;
	ctl->hopts.breaks = ctl->breaks;
}

/*
 * The manifest beside PATH, if any, into the report options.  Returns -1
 * (after saying why) when it is bad or describes another size than SIZE.
 */
static int read_manifest(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const char *path,
			 const struct stat *st, bool zst, char **mpath)
{
	struct ms_manifest_info mi;
	int rc;

	ms_manifest_release(&ctl->manifest);
	ctl->ropts.manifest = NULL;
	if (!S_ISREG(st->st_mode))
		return 0;
	if (asprintf(mpath, "%s.json", path) < 0)
		err(MS_EXIT_FAILURE, "out of memory");
	rc = ms_manifest_load(ctx, *mpath, &mi);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return -1;
	}
	/* A zstd dump's length is known once it is read: checked then (check_length()). */
	if (!zst && mi.has_length && mi.length != (uint64_t)st->st_size) {
		warnx("%s: describes %llu bytes but %s has %lld; is it the manifest of another dump?",
		      *mpath, (unsigned long long)mi.length, path, (long long)st->st_size);
		ms_manifest_release(&mi);
		return -1;
	}
	use_manifest(ctl, &mi, *mpath);
	/* Its maps tell what the words point into; a manifest without them is fine. */
	ms_maps_free(ctl->maps);
	ctl->maps = NULL;
	if (ctl->manifest.maps &&
	    ms_maps_parse_buf(ctx, ctl->manifest.maps, strlen(ctl->manifest.maps), *mpath,
			      &ctl->maps) < 0)
		ctl->maps = NULL;
	ctl->ropts.maps = ctl->maps;
	return 0;
}

static int feed(const void *buf, size_t len, void *data)
{
	struct feed_ctx *f = data;

	return ms_hist_feed(f->ctx, f->h, buf, len);
}

/*
 * An ELF core (gcore's, regiondump --format core): its PT_LOAD segments are
 * read back to back and described as a manifest would, so offsets become
 * addresses.
 */
static int open_core(struct ms_ctx *ctx, struct bytehist_ctl *ctl, int fd, const char *path,
		     struct ms_core **core)
{
	struct ms_manifest_info mi;
	int rc;

	rc = ms_core_open(ctx, fd, path, core);
	if (rc == 0 && (rc = ms_core_manifest(ctx, *core, &mi)) == 0)
		use_manifest(ctl, &mi, "its PT_LOAD segments");
	return rc;
}

/*
 * The first bytes of the record bytehist found, to show as an example: read
 * back from the file (a dump, or the core's segment holding it); not from a
 * pipe, which cannot be read twice.
 */
static void example_record(struct bytehist_ctl *ctl, const struct ms_hist *h, int fd,
			   const struct stat *st, const struct ms_core *core)
{
	struct ms_hist_record r;
	ssize_t n;
	size_t len;

	ctl->ropts.record_example_len = 0;
	if (!S_ISREG(st->st_mode) || ms_hist_record_get(h, &r) < 0)
		return;
	/* The last whole record: the first of a streak may be an odd one out. */
	len = r.size < sizeof(ctl->example) ? (size_t)r.size : sizeof(ctl->example);
	n = core ? ms_core_pread(core, fd, ctl->example, len, r.last) :
		   pread(fd, ctl->example, len, (off_t)r.last);
	/* A core's segment may end before the record: show what it holds. */
	if (n > 0 && (core || (size_t)n == len)) {
		ctl->ropts.record_example = ctl->example;
		ctl->ropts.record_example_len = (size_t)n;
	}
}

/* Whether the regular file open at FD is zstd-compressed (regiondump -z). */
static bool is_zstd(int fd, const struct stat *st)
{
	unsigned char head[4];

	return S_ISREG(st->st_mode) && pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	       ms_hist_is_zstd(head, sizeof(head));
}

/* A zstd dump against its manifest, once its length is known; 0 or -1 after saying why. */
static int check_length(struct bytehist_ctl *ctl, const struct ms_hist *h, const char *path)
{
	if (!ctl->ropts.manifest || !ctl->manifest.has_length ||
	    ctl->manifest.length == ms_hist_size(h))
		return 0;
	warnx("%s: describes %llu bytes but %s decompresses to %llu; is it the manifest of another dump?",
	      ctl->mpath, (unsigned long long)ctl->manifest.length, path,
	      (unsigned long long)ms_hist_size(h));
	return -1;
}

/* Whether the regular file open at FD is an ELF core file. */
static bool is_core(int fd, const struct stat *st)
{
	unsigned char head[64];

	return S_ISREG(st->st_mode) && pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
	       ms_core_detect(head, sizeof(head));
}

/* ---- --symbols (lib/symbol.c) ---- */

static int symbols_json(struct ms_ctx *ctx, FILE *fp, void *data)
{
	struct bytehist_ctl *ctl = data;
	int rc = 0;

	if (ctl->symbols && ctl->syms)
		rc = ms_symbols_report_json(ctx, ctl->syms, &ctl->sopts, fp);
	if (!rc && ctl->hw)
		rc = ms_heapwalk_json(ctx, ctl->hw, ctl->syms, ctl->sopts.top, fp);
	if (!rc && ctl->an)
		rc = ms_analysis_json(ctx, ctl->an, ctl->base_an ? "growth" : "dump", ctl->ropts.top,
				      fp);
	return rc;
}

/*
 * The analysis pipeline (lib/analyse.c) over the raw dump open at FD, with
 * its manifest or -p's maps: the symbolizer (its words counted with
 * COUNT_WORDS), the objects and clusters when --objects asks (or --heap on
 * what is no single glibc heap), the heap walk for --heap.  Its notes are
 * said.  NULL after saying why.
 */
static struct ms_analysis *run_analysis(struct ms_ctx *ctx, struct bytehist_ctl *ctl,
					const char *name, bool count_words)
{
	const struct ms_analysis_opts ao = {
		.count_words = count_words, .pid = ctl->pid,
		.no_objects = !ctl->objects && !ctl->objects_now, .heap_walk = ctl->walk_heap,
	};
	struct ms_analysis *an = NULL;
	size_t i;

	if (!strcmp(name, "standard input")) {
		warnx("%s: --objects, --symbols and --heap need a dump file (with regiondump's FILE.json)",
		      name);
		return NULL;
	}
	if (ms_analysis_run(ctx, &ao, name, ctl->ropts.manifest ? &ctl->manifest : NULL, &an) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return NULL;
	}
	for (i = 0; ms_analysis_note(an, i); i++)
		warnx("%s", ms_analysis_note(an, i));
	return an;
}

/* --symbols: the ORIGIN of a string in the strings table. */
static const char *string_origin(const struct ms_hist_string *hs, char *buf, size_t len,
				 void *data)
{
	const struct ms_symbols *syms = ((struct bytehist_ctl *)data)->syms;
	size_t i;

	for (i = 0; syms && i < ms_symbols_origin_count(syms); i++)
		if (!strcmp(ms_symbols_origin(syms, i)->text, hs->text))
			return ms_sym_origin_str(ms_symbols_origin(syms, i), buf, len);
	return NULL;
}

/* Look the top strings of H up in the modules' data (--top of them, default 10). */
static int string_origins(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const struct ms_hist *h)
{
	unsigned top = ctl->ropts.top ? ctl->ropts.top : 10;
	const struct ms_sym_origin *o;
	size_t i;
	int rc;

	ctl->ropts.string_origin = string_origin;
	ctl->ropts.string_origin_data = ctl;
	for (i = 0; i < ms_hist_string_count(h) && i < top; i++) {
		const struct ms_hist_string *hs = ms_hist_string(h, i);

		if (hs->utf16)
			continue;
		rc = ms_symbols_find_string(ctx, ctl->syms, hs->text, hs->truncated, &o);
		if (rc < 0 && rc != -ENOENT)
			return rc;
	}
	return 0;
}

/*
 * What the words of the dump point at, from the maps of -p PID or of the
 * manifest: fed the histogram's reads (opts.tap) or a core's segments
 * (--symbols only: --heap alone just names words).  0 or a negative errno.
 */
static int count_words(const void *buf, size_t len, void *data)
{
	struct bytehist_ctl *ctl = data;

	return ms_symbols_count_words(ctl->ctx, ctl->syms, buf, len);
}

/*
 * The symbolizer for a core, from its NT_FILE note (or -p), its segments'
 * words counted.  Returns 0 or -1 (after saying why).
 */
static int symbols_core(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const struct ms_core *core,
			int fd, const char *name)
{
	char *maps = NULL;
	size_t len;
	int rc;

	if (ctl->pid)
		rc = ms_symbols_new_pid(ctx, ctl->pid, &ctl->syms);
	else if ((rc = ms_core_maps(ctx, core, &maps, &len)) == -ENOENT) {
		warnx("%s: %s; give the process's maps with -p PID", name, ms_ctx_errmsg(ctx));
		return -1;
	} else if (rc == 0)
		rc = ms_symbols_new(ctx, maps, len, name, &ctl->syms);
	free(maps);
	ctl->ctx = ctx;
	ctl->syms_owned = rc == 0;
	if (rc < 0 || ms_core_read(ctx, core, fd, count_words, ctl) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return -1;
	}
	return 0;
}

static int symbols_pass(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const struct ms_hist *h,
			int fd, const struct ms_core *core, const char *name)
{
	const char *maps = ctl->ropts.manifest ? ctl->manifest.maps : NULL;
	const struct ms_sym *region;

	ctl->sopts.top = ctl->ropts.top ? ctl->ropts.top : (ctl->json ? 0 : 10);
	ctl->sopts.out_flags = ctl->ropts.out_flags;
	ctl->ropts.json_extra = symbols_json;
	ctl->ropts.json_extra_data = ctl;
	if (core) {
		if (symbols_core(ctx, ctl, core, fd, name) < 0)
			return -1;
		if (string_origins(ctx, ctl, h) < 0) {
			ms_cli_warn_ctx(ctx, NULL);
			return -1;
		}
		goto ranked;
	}
	/* A raw dump: the analysis pipeline's symbolizer, objects and heap walk (lib/analyse.c). */
	if (!maps && !ctl->pid && ctl->symbols) {
		warnx("%s: --symbols needs the process's maps: regiondump's manifest (FILE.json with \"maps\") or -p PID",
		      name);
		return -1;
	}
	/* Run before the scan when the words were counted in it (symbols_tap()). */
	if (!ctl->an && !(ctl->an = run_analysis(ctx, ctl, name, ctl->symbols)))
		return -1;
	ctl->syms = ms_analysis_symbols(ctl->an);
	ctl->hw = ms_analysis_heapwalk(ctl->an);
	if (!ctl->syms)
		return 0;
	if (ctl->tapped)
		ms_symbols_rank(ctl->syms);
	if (ctl->symbols && string_origins(ctx, ctl, h) < 0) {
		ms_cli_warn_ctx(ctx, NULL);
		return -1;
	}
	goto region;
ranked:
	ms_symbols_rank(ctl->syms);
region:
	/* Say what the dump is of: Go's heap arena has no name in the maps. */
	ctl->sopts.region = NULL;
	if (ctl->ropts.manifest && ctl->manifest.nranges <= 1 &&
	    ms_symbols_lookup(ctx, ctl->syms, ctl->manifest.start, &region) == 0 && region)
		ctl->sopts.region = region->name;
	return 0;
}

/*
 * --heap on a raw dump: one glibc heap to walk chunk by chunk, or, for
 * several ranges or another allocator's heap, each range to the finder
 * that fits it (said in one line).  Returns 0 or -1.
 */
static int heap_check(struct bytehist_ctl *ctl, int fd, const char *name)
{
	struct stat st;

	/* Another allocator's heap is never walked as a broken glibc one. */
	if (ctl->ropts.manifest && ctl->manifest.maps) {
		char why[160];
		enum ms_allocator a = ms_allocator_guess(ctl->manifest.maps,
							 strlen(ctl->manifest.maps), why, sizeof(why));

		if (a != MS_ALLOC_GLIBC && a != MS_ALLOC_UNKNOWN) {
			warnx("%s: --heap: not a glibc heap: %s; its objects are found by signature (--objects)",
			      name, why);
			ctl->objects_now = true;
			return 0;
		}
	}
	/* Several ranges (regiondump --grown): each goes to the finder that fits it. */
	if (ctl->ropts.manifest && ctl->manifest.nranges > 1) {
		if (!ctl->objects)
			warnx("%s: %zu ranges, not one heap mapping: each range is walked by the object finder that fits it (--objects)",
			      name, ctl->manifest.nranges);
		ctl->objects_now = true;
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		warnx("%s: --heap needs a non-empty regular file", name);
		return -1;
	}
	ctl->walk_heap = true;
	return 0;
}

/*
 * --symbols on a raw dump: the analysis first (the symbolizer, and --heap's
 * walk), so the words are counted from the histogram's own reads
 * (opts.tap), not from a second read of the dump.  Not with --objects, nor
 * for a heap that is not one glibc heap: their objects are named while the
 * analysis reads the dump, before the words are counted, as they always
 * were.  Returns 0 (the tap set when it applies) or -1 after saying why.
 */
static int symbols_tap(struct ms_ctx *ctx, struct bytehist_ctl *ctl, int fd, const char *name,
		       bool *heap_checked)
{
	bool maps = ctl->ropts.manifest && ctl->manifest.maps;

	if (ctl->heap) {
		if (heap_check(ctl, fd, name) < 0)
			return -1;
		*heap_checked = true;
	}
	if (ctl->objects || ctl->objects_now || (!maps && !ctl->pid))
		return 0;
	if (!(ctl->an = run_analysis(ctx, ctl, name, false)))
		return -1;
	ctl->syms = ms_analysis_symbols(ctl->an);
	if (ctl->syms) {
		ctl->ctx = ctx;
		ctl->hopts.tap = count_words;
		ctl->hopts.tap_data = ctl;
		ctl->tapped = true;
	}
	return 0;
}

/* Forget the current input's passes: after its report, or a failure. */
static void passes_drop(struct bytehist_ctl *ctl)
{
	if (ctl->syms_owned)
		ms_symbols_free(ctl->syms);
	ctl->syms = NULL;
	ctl->syms_owned = false;
	ctl->hw = NULL;
	ms_analysis_free(ctl->an);
	ctl->an = NULL;
	ctl->tapped = false;
}

/*
 * Scan one input (a dump, a core, a pipe) into a new ms_hist, with CTL's
 * manifest and example record set for it.  NULL after saying why.
 */
/* What the previous input left in CTL, forgotten before the next is read. */
static void forget_input(struct bytehist_ctl *ctl)
{
	ms_manifest_release(&ctl->manifest);
	ctl->ropts.manifest = NULL;
	ctl->ropts.maps = NULL;
	ctl->ropts.string_origin = NULL;
	ctl->hopts.nbreaks = 0;
}

/* -e and -E into H, in the order given; a bad one exits, as it would for every file. */
static void add_patterns(struct ms_ctx *ctx, const struct bytehist_ctl *ctl, struct ms_hist *h)
{
	for (size_t i = 0; i < ctl->npatterns; i++)
		if ((ctl->is_regex[i] ? ms_hist_add_regex(ctx, h, ctl->patterns[i]) :
					ms_hist_add_pattern(ctx, h, ctl->patterns[i])) < 0)
			ms_cli_errx_ctx(MS_EXIT_FAILURE, ctx, ctl->is_regex[i] ? "--regex" : "--pattern");
}

/*
 * --symbols, --heap and --objects on the input NAME open at FD, after the
 * histogram H: they read its words again, so not a compressed dump, and
 * the heap's chunks only in a raw dump.  0, or -1 after saying why.
 */
static int words_passes(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const struct ms_hist *h,
			int fd, const struct ms_core *core, const char *name, bool zst,
			bool heap_checked)
{
	if (zst) {
		warnx("%s: --symbols, --heap and --objects read a raw dump; decompress it first (zstd -d)",
		      name);
		return -1;
	}

	if (core && (ctl->heap || ctl->objects)) {
		warnx("%s: %s, not a core file", name,
		      ctl->heap ? "--heap reads a raw dump of one heap mapping" :
				  "--objects reads a raw dump with its manifest");
		return -1;
	}
	if ((!core && ctl->heap && !heap_checked && heap_check(ctl, fd, name) < 0) ||
	    symbols_pass(ctx, ctl, h, fd, core, name) < 0)
		return -1;
	return 0;
}

static struct ms_hist *scan(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const char *path,
			    bool passes)
{
	bool is_stdin = !strcmp(path, "-");
	struct ms_core *core = NULL;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct ms_hist *h = NULL;
	bool zst, heap_checked = false;
	struct stat st;
	int rc;

	free(ctl->mpath);
	ctl->mpath = NULL;
	if (fd < 0 || fstat(fd, &st) < 0) {
		warn("%s", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		warnx("%s: is a directory", path);
		goto out;
	}
	forget_input(ctl);
	zst = !is_stdin && is_zstd(fd, &st);
	if (!is_stdin && is_core(fd, &st)) {
		if (open_core(ctx, ctl, fd, path, &core) < 0)
			goto fail;
	} else if (!is_stdin && read_manifest(ctx, ctl, path, &st, zst, &ctl->mpath) < 0) {
		/* A manifest that lies is set aside: the bytes are still analysed, by offset. */
		warnx("%s: analysed without its manifest: offsets, not addresses", path);
		ctl->partial = true;
	}
	if (passes && ctl->symbols && !core && !zst && !is_stdin &&
	    symbols_tap(ctx, ctl, fd, path, &heap_checked) < 0)
		goto drop;
	rc = ms_hist_new(ctx, &ctl->hopts, &h);
	ctl->hopts.tap = NULL;
	if (rc < 0)
		goto fail;
	add_patterns(ctx, ctl, h);
	if (core ? (ms_core_read(ctx, core, fd, feed, &(struct feed_ctx){ ctx, h }) < 0 ||
		    ms_hist_finish(ctx, h) < 0) :
		   ms_hist_scan_fd(ctx, h, fd, is_stdin ? "standard input" : path) < 0)
		goto fail;
	if (zst && check_length(ctl, h, path) < 0)
		goto drop;
	if (!zst)
		example_record(ctl, h, fd, &st, core);
	if (passes && (ctl->symbols || ctl->heap || ctl->objects) &&
	    words_passes(ctx, ctl, h, fd, core, is_stdin ? "standard input" : path, zst,
			 heap_checked) < 0)
		goto drop;
	goto out;
drop:
	passes_drop(ctl);
	ms_hist_free(h);
	h = NULL;
	goto out;
fail:
	ms_cli_warn_ctx(ctx, NULL);
	passes_drop(ctl);
	ms_hist_free(h);
	h = NULL;
out:
	ms_core_free(core);
	if (fd > STDIN_FILENO)
		close(fd);
	return h;
}

/* Analyse one input and print its report (or its diff against --base); 0 or -1. */
static int analyse(struct ms_ctx *ctx, struct bytehist_ctl *ctl, const char *path)
{
	struct ms_hist_diff *d = NULL;
	struct ms_hist *h = scan(ctx, ctl, path, true);
	int rc;

	if (!h)
		return -1;
	if (ctl->an && ctl->base_an)
		ms_analysis_diff(ctl->an, ctl->base_an);
	ctl->ropts.name = strcmp(path, "-") ? path : "-";
	if (ctl->json)
		ms_jw_embed(&ctl->jw, NULL);
	else if (ctl->nfiles)
		fputc('\n', stdout);
	if (ctl->base && (rc = ms_hist_diff_new(ctx, ctl->base, h, &d)) == 0)
		rc = ctl->json ? ms_hist_report_diff_json(ctx, ctl->base, h, d, &ctl->ropts, stdout) :
				 ms_hist_report_diff_print(ctx, ctl->base, h, d, &ctl->ropts, stdout);
	else if (!ctl->base && ctl->json)
		rc = ms_hist_report_json(ctx, h, &ctl->ropts, stdout);
	else if (!ctl->base) {
		rc = ms_hist_report_print(ctx, h, &ctl->ropts, stdout);
		if (!rc && ctl->symbols && ctl->syms)
			rc = ms_symbols_report_print(ctx, ctl->syms, &ctl->sopts, stdout);
		if (!rc && ctl->hw)
			rc = ms_heapwalk_print(ctx, ctl->hw, ctl->syms, ctl->ropts.top,
					       ctl->ropts.out_flags, stdout);
	}
	if (!rc && !ctl->json && ctl->an) {
		if (ctl->base && !ctl->symbols)
			fputc('\n', stdout);
		rc = ms_analysis_print(ctx, ctl->an, ctl->ropts.top, stdout);
		if (!rc && ms_analysis_clauses(ctl->an, (struct ms_clause[1]){ 0 }, 1)) {
			fputs("\nVerdict: ", stdout);
			ms_analysis_verdict(ctx, ctl->an, stdout);
			fputs(".\n", stdout);
		}
	}
	ctl->nfiles++;
	if (rc < 0)
		ms_cli_warn_ctx(ctx, NULL);
	ms_hist_diff_free(d);
	ms_hist_free(h);
	passes_drop(ctl);
	ctl->objects_now = false;
	ctl->walk_heap = false;
	if (ctl->partial) {
		ctl->partial = false;
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct bytehist_ctl ctl = { .hopts = { .magic = true, .jobs = cores > 1 ? (unsigned)cores : 1 } };
	char *stdin_only[] = { (char *)"-" };
	int i, nfiles, failed = 0;
	struct ms_ctx *ctx;
	char **files;

	ms_cli_init("bytehist");
	ctx = ms_ctx_new();
	if (!ctx)
		err(MS_EXIT_FAILURE, "out of memory");
	argv = ms_cli_compat(&argc, argv, shortopts, longopts, compat, MS_ARRAY_SIZE(compat),
			     NULL, 0);
	parse_args(ctx, &ctl, argc, argv);
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;

	if (ctl.base_path) {
		/* The base first: its manifest and record are the report's no longer. */
		ctl.base = scan(ctx, &ctl, ctl.base_path, false);
		if (!ctl.base)
			return MS_EXIT_FAILURE;
		if (ctl.objects && !(ctl.base_an = run_analysis(ctx, &ctl, ctl.base_path, false)))
			return MS_EXIT_FAILURE;
		ctl.ropts.base_name = ctl.base_path;
	}
	/* One document whatever the number of files: scripts need not ask which shape. */
	if (ctl.json) {
		ms_jw_init(&ctl.jw, stdout);
		ms_jw_object_open(&ctl.jw, NULL);
		ms_jw_memsift_json(&ctl.jw);
		ms_jw_array_open(&ctl.jw, "files");
		ms_jw_break(&ctl.jw, "\n");
	}
	for (i = 0; i < nfiles; i++)
		if (analyse(ctx, &ctl, files[i]) < 0)
			failed++;
	if (ctl.json) {
		ms_jw_array_close(&ctl.jw);
		ms_jw_object_close(&ctl.jw);
		putchar('\n');
	}

	ms_manifest_release(&ctl.manifest);
	ms_hist_free(ctl.base);
	ms_analysis_free(ctl.base_an);
	ms_maps_free(ctl.maps);
	free(ctl.mpath);
	free(ctl.breaks);
	free(ctl.patterns);
	free(ctl.is_regex);
	ms_ctx_free(ctx);
	return failed ? MS_EXIT_FAILURE : MS_EXIT_OK;
}
