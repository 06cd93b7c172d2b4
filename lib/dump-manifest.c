// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <memsift/dump.h>
#include <memsift/pattern.h>
#include <memsift/elfscan.h>
#include <memsift/output.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "dump.h"


/* Build-ids, one lookup per file (dev, inode), not per mapping. */
struct bid {
	unsigned int major, minor;
	uint64_t inode;
	char *hex;		/* NULL: none */
};

struct bids {
	struct bid *b;
	size_t n;
};

static const char *build_id(pid_t pid, struct bids *c,
			    const struct ms_mapping *m)
{
	struct ms_ctx *quiet;
	struct bid *nb;
	char name[PATH_MAX + 8];
	char *hex = NULL;
	size_t i;
	int fd = -1;

	for (i = 0; i < c->n; i++)
		if (c->b[i].inode == ms_mapping_inode(m) &&
		    c->b[i].major == ms_mapping_dev_major(m) &&
		    c->b[i].minor == ms_mapping_dev_minor(m))
			return c->b[i].hex;
	/* A file without a build-id is no error: keep its message out of CTX. */
	quiet = ms_ctx_new();
	if (!quiet)
		return NULL;
	/* The image in memory is the file mapped, whatever is at the path now. */
	if (ms_mapping_offset(m) != 0 ||
	    ms_elf_build_id_pid(quiet, pid, ms_mapping_start(m), ms_mapping_size(m), &hex) < 0) {
		/*
		 * map_files/ opens the very file the process maps, deleted or
		 * in another mount namespace; it needs CAP_SYS_ADMIN, so fall
		 * back to the path as the process sees it (root/: a
		 * container), then as we do.
		 */
		snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64,
			 ms_mapping_start(m), ms_mapping_end(m));
		if (ms_procfs_open(quiet, pid, name, O_RDONLY, &fd) < 0 &&
		    (snprintf(name, sizeof(name), "root%s", ms_mapping_name(m)) >= (int)sizeof(name) ||
		     ms_procfs_open(quiet, pid, name, O_RDONLY, &fd) < 0))
			fd = open(ms_mapping_name(m), O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (ms_elf_build_id(quiet, fd, ms_mapping_name(m), &hex) < 0)
				hex = NULL;
			close(fd);
		}
	}
	ms_ctx_free(quiet);
	nb = realloc(c->b, (c->n + 1) * sizeof(*nb));
	if (!nb) {
		free(hex);
		return NULL;
	}
	c->b = nb;
	c->b[c->n] = (struct bid){ ms_mapping_dev_major(m), ms_mapping_dev_minor(m),
				   ms_mapping_inode(m), hex };
	return c->b[c->n++].hex;
}

static void mapping_obj(FILE *fp, const struct ms_mapping *m, const char *bid, bool with_bid)
{
	fprintf(fp, "{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"size\":%" PRIu64
		",\"perms\":\"%s\",\"offset\":%" PRIu64 ",\"dev\":\"%02x:%02x\",\"inode\":%" PRIu64
		",\"name\":",
		ms_mapping_start(m), ms_mapping_end(m), ms_mapping_size(m), ms_mapping_perms(m),
		ms_mapping_offset(m), ms_mapping_dev_major(m), ms_mapping_dev_minor(m),
		ms_mapping_inode(m));
	ms_json_str(fp, ms_mapping_name(m));
	if (with_bid) {
		fputs(",\"build_id\":", fp);
		ms_json_str(fp, bid);
	}
	putc('}', fp);
}

static bool covered(const struct ms_dump *d, const struct ms_mapping *m)
{
	for (size_t i = 0; i < d->nranges; i++)
		if (ms_mapping_start(m) < d->ranges[i].end && ms_mapping_end(m) > d->ranges[i].start)
			return true;
	return false;
}

static bool is_file(const struct ms_mapping *m)
{
	return ms_mapping_name(m)[0] == '/' && ms_mapping_inode(m);
}

static void write_maps(const struct ms_dump *d, FILE *fp, struct bids *bids,
		       const char **exe_bid)
{
	size_t i, n = ms_maps_count(d->maps);
	const struct ms_mapping *m;
	const char *sep = "";
	const char *bid;

	fputs("  \"mappings\": [", fp);
	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		if (!covered(d, m))
			continue;
		fprintf(fp, "%s\n    ", sep);
		mapping_obj(fp, m, NULL, false);
		sep = ",";
	}
	fputs("\n  ],\n  \"maps\": [", fp);
	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		bid = is_file(m) ? build_id(d->pid, bids, m) : NULL;
		if (bid && d->exe && !*exe_bid && !strcmp(ms_mapping_name(m), d->exe))
			*exe_bid = bid;
		fprintf(fp, "%s\n    ", i ? "," : "");
		mapping_obj(fp, m, bid, is_file(m));
	}
	fputs("\n  ]", fp);
}

int ms_dump_write_manifest(struct ms_ctx *ctx, const struct ms_dump *d, const char *output,
			   FILE *fp)
{
	static const char *const stkey[] = {
		[MS_MEM_READ] = "read", [MS_MEM_UNMAPPED] = "not_mapped",
		[MS_MEM_UNREADABLE] = "unreadable", [MS_MEM_NOT_RESIDENT] = "not_resident",
	};
	struct bids bids = { 0 };
	const char *exe_bid = NULL;
	char tbuf[64];
	struct tm tm;
	size_t i;

	if (!d->ran)
		return ms_err(ctx, -EINVAL, "pid %d: no manifest before the dump", (int)d->pid);
	gmtime_r(&d->time.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);

	fprintf(fp, "{\n  \"memsift_manifest\": 1,\n  \"pid\": %d,\n  \"comm\": ", (int)d->pid);
	ms_json_str(fp, d->comm);
	fputs(",\n  \"exe\": ", fp);
	ms_json_str(fp, d->exe);
	fprintf(fp, ",\n  \"time\": \"%s.%09ldZ\",\n  \"output\": ", tbuf, d->time.tv_nsec);
	ms_json_str(fp, output);
	fprintf(fp, ",\n  \"format\": \"%s\",\n  \"compression\": \"%s\",\n",
		d->format == MS_DUMP_CORE ? "core" : "raw",
		(d->flags & MS_DUMP_ZSTD) ? "zstd" : "none");
	fprintf(fp, "  \"starttime\": %llu,\n  \"exe_id\": ", d->starttime);
	ms_json_str(fp, d->exe_id[0] ? d->exe_id : NULL);
	fprintf(fp, ",\n  \"complete\": %s,\n  \"target_stopped\": %s,\n",
		d->complete ? "true" : "false", (d->flags & MS_DUMP_FREEZE) ? "true" : "false");
	if (d->changed) {
		fputs("  \"process_changed\": ", fp);
		ms_json_str(fp, d->changed);
		fputs(",\n", fp);
	}
	if (d->flags & MS_DUMP_FREEZE)
		fprintf(fp, "  \"pause_ns\": %" PRIu64 ",\n", d->pause_ns);
	else
		fputs("  \"pause_ns\": null,\n", fp);
	/* A freeze let go early (--max-pause): what follows was read from a running process. */
	if (d->pause_cut)
		fprintf(fp, "  \"stopped_until\": \"0x%" PRIx64 "\",\n  \"stopped_bytes\": %" PRIu64 ",\n",
			d->pause_cut, d->pause_cut_done);
	else
		fputs("  \"stopped_until\": null,\n", fp);
	fprintf(fp, "  \"resident_only\": %s,\n",
		(d->flags & MS_DUMP_RESIDENT_ONLY) ? "true" : "false");

	fputs("  \"requested\": [", fp);
	for (i = 0; i < d->nranges; i++)
		fprintf(fp, "%s\n    {\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\",\"size\":%" PRIu64 ",\"file_offset\":%" PRIu64 "}", i ? "," : "",
			d->ranges[i].start, d->ranges[i].end, d->ranges[i].end - d->ranges[i].start,
			d->ranges[i].file_off);
	fprintf(fp, "\n  ],\n  \"bytes\": {\"requested\":%" PRIu64, ms_dump_total(d));
	for (i = MS_MEM_READ; i < MS_ARRAY_SIZE(stkey); i++)
		fprintf(fp, ",\"%s\":%" PRIu64, stkey[i], d->bytes[i]);
	fprintf(fp, "},\n");
	if (!(d->flags & MS_DUMP_NO_CHECKSUM))
		fprintf(fp, "  \"checksum\": {\"algorithm\":\"xxh3-64\",\"value\":\"%016" PRIx64
			"\",\"of\":\"the memory bytes in range order, before compression%s\"},\n",
			d->checksum, d->redact ? ", as redacted" : "");
	/* How much, never what: the patterns may be the secrets themselves. */
	if (d->redact)
		fprintf(fp, "  \"redaction\": {\"applied\":true,\"patterns\":%zu,\"matches\":%" PRIu64
			",\"bytes\":%" PRIu64 ",\"fill\":\"0x%02x\"},\n",
			ms_patscan_count(d->redact), ms_patscan_matches(d->redact),
			ms_patscan_redacted(d->redact), d->redact_fill);
	else
		fputs("  \"redaction\": {\"applied\":false},\n", fp);

	fputs("  \"subranges\": [", fp);
	for (i = 0; i < d->nsubs; i++) {
		fprintf(fp, "%s\n    {\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64
			"\",\"size\":%" PRIu64 ",\"status\":\"%s\",\"method\":\"%s\"}",
			i ? "," : "", d->subs[i].start, d->subs[i].end,
			d->subs[i].end - d->subs[i].start, ms_mem_status_name(d->subs[i].status),
			ms_mem_method_name(d->subs[i].method));
	}
	fputs("\n  ],\n", fp);
	write_maps(d, fp, &bids, &exe_bid);
	fputs(",\n  \"exe_build_id\": ", fp);
	ms_json_str(fp, exe_bid);
	fputs("\n}\n", fp);

	for (i = 0; i < bids.n; i++)
		free(bids.b[i].hex);
	free(bids.b);
	if (ferror(fp))
		return ms_err_errno(ctx, -(errno ? errno : EIO), "manifest: write error");
	return 0;
}
