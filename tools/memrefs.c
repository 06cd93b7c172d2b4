// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memrefs: the objects nothing points to any more, and who keeps the top
 * cluster alive, from a frozen image of a live process or an ELF core.
 * Exit status: 0 no unreferenced object, 1 some, 2 trouble.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include <memsift/jsonwrt.h>
#include <memsift/output.h>
#include <memsift/parse.h>
#include <memsift/refs.h>

struct memrefs_ctl {
	pid_t pid;
	const char *core;
	uint64_t top;
	bool no_chains;
	bool progress;		/* stderr is a terminal */
	bool hooked;
	struct ms_out *out;
};

enum { COL_COUNT, COL_SIZE, COL_BYTES, COL_WHAT, COL_EXAMPLES, COL_KEY };
static const struct ms_out_column cols[] = {
	[COL_COUNT] = { "COUNT", 7, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_U64, "unreferenced objects" },
	[COL_SIZE] = { "SIZE", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "the allocator's size of each" },
	[COL_BYTES] = { "BYTES", 6, MS_COL_DEFAULT | MS_COL_RIGHT, MS_COL_SIZE, "their bytes" },
	[COL_WHAT] = { "WHAT", 0.3, MS_COL_DEFAULT | MS_COL_TRUNC, MS_COL_STR,
		       "the cluster's name, magic, text shape, fill or content" },
	[COL_EXAMPLES] = { "EXAMPLES", 0.3, MS_COL_DEFAULT | MS_COL_WRAP, MS_COL_STR,
			   "addresses of the first few" },
	[COL_KEY] = { "KEY", 18, 0, MS_COL_HEX, "the cluster's key, as in analysis.json" },
};

enum { OPT_NO_CHAINS = CHAR_MAX + 1, OPT_LIST_COLUMNS };

static const char shortopts[] = "c:p:t:" MS_CLI_OUT_OPTSTRING "Vh";
static const struct option longopts[] = {
	{ "core", required_argument, NULL, 'c' },
	{ "pid", required_argument, NULL, 'p' },
	{ "top", required_argument, NULL, 't' },
	MS_CLI_OUT_LONGOPTS,
	{ "list-columns", no_argument, NULL, OPT_LIST_COLUMNS },
	{ "no-chains", no_argument, NULL, OPT_NO_CHAINS },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(void)
{
	printf("Usage:\n memrefs [options] -p PID\n memrefs [options] -c CORE\n\n");
	printf("Find the malloc'd objects nothing reachable points to any more (leaked),\n"
	       "grouped by cluster, and the chains of references that keep the largest\n"
	       "cluster alive, from a frozen image of a live process or an ELF core.\n\n");
	printf("Options:\n");
	printf(" -c, --core FILE        analyse an ELF core file (from gcore or regiondump)\n");
	printf(" -p, --pid PID          freeze the live process PID and analyse its image\n");
	printf(" -t, --top N            clusters of unreferenced objects to show (default 10)\n");
	ms_cli_out_help(stdout);
	printf("     --list-columns     list the columns -o takes, and exit\n");
	printf("     --no-chains        do not look for retention chains\n");
	ms_cli_help_options(stdout);
	ms_out_help_columns(cols, MS_ARRAY_SIZE(cols), stdout);
	printf("\nExit status: 0 no unreferenced object, 1 some, 2 trouble.\n");
	exit(MS_EXIT_OK);
}

static void on_event(enum ms_refs_event ev, uint64_t done, uint64_t total, void *data)
{
	struct memrefs_ctl *ctl = data;
	char d[MS_SIZE_STR_MAX], t[MS_SIZE_STR_MAX];

	if (ev == MS_REFS_EV_FROZEN) {
		warnx("pid %d: frozen to copy %s of writable memory", (int)ctl->pid,
		      ms_size_str(total, t, sizeof(t)));
		if (!ctl->hooked)
			ctl->hooked = ms_cli_test_hook("frozen", "frozen");
	}
	if (ev == MS_REFS_EV_PROGRESS && ctl->progress)
		fprintf(stderr, "\rmemrefs: copying %s of %s ", ms_size_str(done, d, sizeof(d)),
			ms_size_str(total, t, sizeof(t)));
	if (ev == MS_REFS_EV_THAWED) {
		if (ctl->progress)
			fputs("\r\033[K", stderr);
		warnx("pid %d: stopped for %.3f ms", (int)ctl->pid, (double)done / 1e6);
	}
}

static const char *holder_str(enum ms_refs_holder h)
{
	switch (h) {
	case MS_REFS_OBJECTS: return "objects";
	case MS_REFS_BLOCK: return "block";
	case MS_REFS_ROOT_DATA: return "data";
	case MS_REFS_ROOT_STACK: return "stack";
	case MS_REFS_ROOT_REGS: return "registers";
	case MS_REFS_ROOT_ANON: return "anon";
	}
	return "?";
}

/* One link as a person reads it: "9,900 × 10K-byte fill 0x61 'a'". */
static void link_str(const struct ms_refs_link *l, bool utf8, char *buf, size_t len)
{
	char what[160], n[32], s[32], b[MS_SIZE_STR_MAX];

	switch (l->holder) {
	case MS_REFS_OBJECTS:
		ms_refs_cluster_str(l->cluster, what, sizeof(what));
		snprintf(s, sizeof(s), "%" PRIu64, l->cluster ? l->cluster->size : 0);
		if (l->count == 1)
			snprintf(buf, len, "one %s-byte %s at 0x%" PRIx64, s, what, l->addr);
		else
			snprintf(buf, len, "%s %s %s-byte %s", ms_count_str(l->count, n, sizeof(n)),
				 utf8 ? "\u00d7" : "x", s, what);
		break;
	case MS_REFS_BLOCK:
	case MS_REFS_ROOT_ANON:
		snprintf(buf, len, "one block of %s at 0x%" PRIx64 " (%s pointers; no object a finder knows)%s",
			 ms_size_str(l->bytes, b, sizeof(b)), l->addr, ms_count_str(l->count, n, sizeof(n)),
			 l->holder == MS_REFS_ROOT_ANON ? ", which nothing else points at" : "");
		break;
	default:
		snprintf(buf, len, "%s", l->name);
	}
}

static void print_chains(struct ms_ctx *ctx, struct ms_refs *r)
{
	bool utf8 = ms_locale_is_utf8();
	char s[512], h[MS_SIZE_STR_MAX];
	size_t i, k, n = ms_refs_chain_count(ctx, r);

	if (!n)
		return;
	printf("\nRetention chains of the top cluster:\n");
	for (i = 0; i < n; i++) {
		const struct ms_refs_chain *c = ms_refs_chain(r, i);

		printf(" %s held:", ms_size_str(c->links[1].held, h, sizeof(h)));
		for (k = 0; k < c->nlinks; k++) {
			link_str(&c->links[k], utf8, s, sizeof(s));
			printf("%s%s", k ? (utf8 ? " \u2190 " : " <- ") : " ", s);
		}
		printf("%s\n", c->rooted ? "" : " (no root found)");
	}
}

static void json_chains(struct ms_ctx *ctx, struct ms_refs *r, struct ms_jw *w)
{
	size_t i, k, n = ms_refs_chain_count(ctx, r);
	char s[512], key[24];

	ms_jw_array_open(w, "chains");
	for (i = 0; i < n; i++) {
		const struct ms_refs_chain *c = ms_refs_chain(r, i);

		ms_jw_object_open(w, NULL);
		ms_jw_bool(w, "rooted", c->rooted);
		ms_jw_array_open(w, "links");
		for (k = 0; k < c->nlinks; k++) {
			const struct ms_refs_link *l = &c->links[k];

			link_str(l, false, s, sizeof(s));
			ms_jw_object_open(w, NULL);
			ms_jw_str(w, "holder", holder_str(l->holder));
			ms_jw_u64(w, "count", l->count);
			ms_jw_u64(w, "bytes", l->bytes);
			ms_jw_u64(w, "held", l->held);
			ms_jw_hex(w, "addr", l->addr);
			/* The cluster's key as analysis.json writes it: 16 hex digits. */
			if (l->cluster)
				snprintf(key, sizeof(key), "0x%016" PRIx64, l->cluster->key);
			ms_jw_str(w, "key", l->cluster ? key : NULL);
			ms_jw_str(w, "what", s);
			ms_jw_object_close(w);
		}
		ms_jw_array_close(w);
		ms_jw_object_close(w);
	}
	ms_jw_array_close(w);
}

struct json_head {
	struct ms_ctx *ctx;
	const struct memrefs_ctl *ctl;
	const struct ms_refs_image *img;
	struct ms_refs *r;
	uint64_t leaked;
};

/* What the text says above its table, as JSON members beside the table. */
static void json_head(struct ms_jw *w, const void *data)
{
	const struct json_head *h = data;

	ms_jw_s64(w, "pid", h->ctl->pid);
	ms_jw_str(w, "core", h->ctl->core);
	ms_jw_str(w, "warning", ms_refs_image_warning(h->img));
	ms_jw_u64(w, "pause_ns", ms_refs_image_pause_ns(h->img));
	ms_jw_u64(w, "threads", ms_refs_image_nthreads(h->img));
	ms_jw_u64(w, "image_bytes", ms_refs_image_bytes(h->img));
	ms_jw_u64(w, "objects", ms_refs_objects(h->r));
	ms_jw_u64(w, "glibc_objects", ms_refs_glibc_objects(h->r));
	ms_jw_u64(w, "reached", ms_refs_reached(h->r));
	ms_jw_u64(w, "unreferenced_objects", h->leaked);
	if (!h->ctl->no_chains)
		json_chains(h->ctx, h->r, w);
}

static int print_json(struct ms_ctx *ctx, struct memrefs_ctl *ctl, struct ms_refs_image *img,
		      struct ms_refs *r, uint64_t leaked)
{
	struct json_head h = { ctx, ctl, img, r, leaked };

	return ms_out_print_json_with(ctl->out, stdout, json_head, &h) < 0 ? -EIO : 0;
}

static int report(struct ms_ctx *ctx, struct memrefs_ctl *ctl, struct ms_refs_image *img,
		  struct ms_refs *r)
{
	bool json = ms_out_get_flags(ctl->out) & MS_OUT_JSON;
	uint64_t leaked = 0, lbytes = 0, glibc = ms_refs_glibc_objects(r), i, k;
	char n[3][32], b[MS_SIZE_STR_MAX], ex[MS_REFS_EXAMPLES * 20], what[160];

	for (i = 0; i < ms_refs_leak_count(r); i++) {
		const struct ms_refs_leak *l = ms_refs_leak(r, i);
		struct ms_out_row *row;
		size_t len = 0;

		leaked += l->count;
		lbytes += l->bytes;
		if (i >= ctl->top)
			continue;
		if (!(row = ms_out_add_row(ctl->out)))
			return -ENOMEM;
		ex[0] = '\0';
		for (k = 0; k < l->count && k < MS_REFS_EXAMPLES; k++)
			len += (size_t)snprintf(ex + len, sizeof(ex) - len, "%s0x%" PRIx64, k ? " " : "",
						l->example[k]);
		ms_out_set_u64(row, COL_COUNT, l->count);
		ms_out_set_u64(row, COL_SIZE, l->cluster ? l->cluster->size : 0);
		ms_out_set_u64(row, COL_BYTES, l->bytes);
		ms_out_set_str(row, COL_WHAT, ms_refs_cluster_str(l->cluster, what, sizeof(what)));
		ms_out_set_str(row, COL_EXAMPLES, ex);
		if (l->cluster)
			ms_out_set_u64(row, COL_KEY, l->cluster->key);
	}
	if (json) {
		if (print_json(ctx, ctl, img, r, leaked) < 0)
			return -EIO;
	} else {
		if (ctl->core)
			printf("%s: ", ctl->core);
		else
			printf("pid %d: ", (int)ctl->pid);
		printf("%s objects of glibc malloc, %s reached from the roots, %s unreferenced (%s)\n",
		       ms_count_str(glibc, n[0], sizeof(n[0])),
		       ms_count_str(ms_refs_reached(r), n[1], sizeof(n[1])),
		       ms_count_str(leaked, n[2], sizeof(n[2])),
		       ms_size_str(lbytes, b, sizeof(b)));
		if (leaked && ms_out_print(ctl->out, stdout) < 0)
			return -EIO;
		if (!ctl->no_chains)
			print_chains(ctx, r);
	}
	return leaked ? MS_EXIT_FOUND : MS_EXIT_OK;
}

static void parse_args(struct ms_ctx *ctx, struct memrefs_ctl *ctl, int argc, char **argv)
{
	static const struct ms_cli_excl excl[] = { MS_CLI_OUT_EXCL, { { 'c', 'p' } } };
	int excl_st[MS_ARRAY_SIZE(excl)] = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		ms_cli_excl_check(excl, MS_ARRAY_SIZE(excl), excl_st, c, longopts);
		if ((rc = ms_cli_out_getopt(ctl->out, c, optarg)) < 0)
			ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
		if (rc > 0)
			continue;
		switch (c) {
		case 'c':
			ctl->core = optarg;
			break;
		case 'p':
			if (ms_parse_pid(ctx, optarg, &ctl->pid) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--pid");
			break;
		case 't':
			if (ms_parse_count(ctx, optarg, 1, 1000000, &ctl->top) < 0)
				ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "--top");
			break;
		case OPT_NO_CHAINS:
			ctl->no_chains = true;
			break;
		case OPT_LIST_COLUMNS:
			ms_out_list_columns(cols, MS_ARRAY_SIZE(cols), stdout);
			exit(MS_EXIT_OK);
		case 'V':
			ms_cli_print_version();
		case 'h':
			usage();
		default:
			ms_cli_errtryhelp(MS_EXIT_TROUBLE);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument \"%s\"", argv[optind]);
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
	if (!ctl->pid && !ctl->core) {
		warnx("no process or core given; use -p PID or -c CORE");
		ms_cli_errtryhelp(MS_EXIT_TROUBLE);
	}
}

int main(int argc, char **argv)
{
	struct memrefs_ctl ctl = { .top = 10 };
	struct ms_refs_image *img = NULL;
	struct ms_refs *r = NULL;
	struct ms_ctx *ctx;
	int rc;

	ms_cli_init("memrefs");
	ms_cli_set_failure_status(MS_EXIT_TROUBLE);
	ctx = ms_ctx_new();
	if (!ctx)
		err(MS_EXIT_TROUBLE, "out of memory");
	if (ms_out_new(ctx, cols, MS_ARRAY_SIZE(cols), "unreferenced", &ctl.out) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	parse_args(ctx, &ctl, argc, argv);
	ctl.progress = isatty(STDERR_FILENO);
	if (ctl.core) {
		rc = ms_refs_image_core(ctx, ctl.core, &img);
	} else {
		rc = ms_refs_image_live(ctx, ctl.pid, on_event, &ctl, &img);
	}
	if (rc < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ms_refs_image_warning(img))
		warnx("%s", ms_refs_image_warning(img));
	if (ctl.progress) {
		char s[MS_SIZE_STR_MAX];

		fprintf(stderr, "memrefs: analysing %s of memory ",
			ms_size_str(ms_refs_image_bytes(img), s, sizeof(s)));
	}
	if (ms_refs_run(ctx, img, &r) < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, NULL);
	if (ctl.progress)
		fputs("\r\033[K", stderr);
	rc = report(ctx, &ctl, img, r);
	if (rc < 0)
		ms_cli_errx_ctx(MS_EXIT_TROUBLE, ctx, "writing the report");
	ms_refs_free(r);
	ms_refs_image_free(img);
	ms_out_free(ctl.out);
	ms_ctx_free(ctx);
	return rc;
}
