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
#include <memsift/jsonwrt.h>
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

/* A manifest's entries (requested, bytes, mappings...) are compact, one a line. */
static void entry_open(struct ms_jw *w, const char *key)
{
	ms_jw_object_open(w, key);
	ms_jw_spaced(w, false);
}

/* An entry about a range of addresses: where it starts and ends, its size. */
static void range_open(struct ms_jw *w, uint64_t start, uint64_t end)
{
	entry_open(w, NULL);
	ms_jw_hex(w, "start", start);
	ms_jw_hex(w, "end", end);
	ms_jw_u64(w, "size", end - start);
}

static void list_open(struct ms_jw *w, const char *key)
{
	ms_jw_array_open(w, key);
	ms_jw_lines(w, "\n    ", "\n  ");
}

static void mapping_obj(struct ms_jw *w, const struct ms_mapping *m, const char *bid,
			bool with_bid)
{
	char dev[16];

	snprintf(dev, sizeof(dev), "%02x:%02x", ms_mapping_dev_major(m), ms_mapping_dev_minor(m));
	range_open(w, ms_mapping_start(m), ms_mapping_end(m));
	ms_jw_str(w, "perms", ms_mapping_perms(m));
	ms_jw_u64(w, "offset", ms_mapping_offset(m));
	ms_jw_str(w, "dev", dev);
	ms_jw_u64(w, "inode", ms_mapping_inode(m));
	ms_jw_str(w, "name", ms_mapping_name(m));
	if (with_bid)
		ms_jw_str(w, "build_id", bid);
	ms_jw_object_close(w);
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

static void write_maps(const struct ms_dump *d, struct ms_jw *w, struct bids *bids,
		       const char **exe_bid)
{
	size_t i, n = ms_maps_count(d->maps);
	const struct ms_mapping *m;
	const char *bid;

	list_open(w, "mappings");
	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		if (covered(d, m))
			mapping_obj(w, m, NULL, false);
	}
	ms_jw_array_close(w);
	list_open(w, "maps");
	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		bid = is_file(m) ? build_id(d->pid, bids, m) : NULL;
		if (bid && d->exe && !*exe_bid && !strcmp(ms_mapping_name(m), d->exe))
			*exe_bid = bid;
		mapping_obj(w, m, bid, is_file(m));
	}
	ms_jw_array_close(w);
}

/* Whom, when, how: the members before the ranges. */
static void write_head(const struct ms_dump *d, const char *output, struct ms_jw *w)
{
	char tbuf[64], when[96];
	struct tm tm;

	gmtime_r(&d->time.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when, sizeof(when), "%s.%09ldZ", tbuf, d->time.tv_nsec);
	ms_jw_u64(w, "memsift_manifest", 1);
	ms_jw_s64(w, "pid", d->pid);
	ms_jw_str(w, "comm", d->comm);
	ms_jw_str(w, "exe", d->exe);
	ms_jw_str(w, "time", when);
	ms_jw_str(w, "output", output);
	ms_jw_str(w, "format", d->format == MS_DUMP_CORE ? "core" : "raw");
	ms_jw_str(w, "compression", (d->flags & MS_DUMP_ZSTD) ? "zstd" : "none");
	ms_jw_u64(w, "starttime", d->starttime);
	ms_jw_str(w, "exe_id", d->exe_id[0] ? d->exe_id : NULL);
	ms_jw_bool(w, "complete", d->complete);
	ms_jw_bool(w, "target_stopped", d->flags & MS_DUMP_FREEZE);
	if (d->changed)
		ms_jw_str(w, "process_changed", d->changed);
	if (d->flags & MS_DUMP_FREEZE)
		ms_jw_u64(w, "pause_ns", d->pause_ns);
	else
		ms_jw_null(w, "pause_ns");
	/* A freeze let go early (--max-pause): what follows was read from a running process. */
	if (d->pause_cut) {
		ms_jw_hex(w, "stopped_until", d->pause_cut);
		ms_jw_u64(w, "stopped_bytes", d->pause_cut_done);
	} else {
		ms_jw_null(w, "stopped_until");
	}
	ms_jw_bool(w, "resident_only", d->flags & MS_DUMP_RESIDENT_ONLY);
}

/* What was read, and what became of it: checksum, redaction. */
static void write_bytes(const struct ms_dump *d, struct ms_jw *w)
{
	static const char *const stkey[] = {
		[MS_MEM_READ] = "read", [MS_MEM_UNMAPPED] = "not_mapped",
		[MS_MEM_UNREADABLE] = "unreadable", [MS_MEM_NOT_RESIDENT] = "not_resident",
	};
	char buf[32];
	size_t i;

	entry_open(w, "bytes");
	ms_jw_u64(w, "requested", ms_dump_total(d));
	for (i = MS_MEM_READ; i < MS_ARRAY_SIZE(stkey); i++)
		ms_jw_u64(w, stkey[i], d->bytes[i]);
	ms_jw_object_close(w);
	if (!(d->flags & MS_DUMP_NO_CHECKSUM)) {
		entry_open(w, "checksum");
		ms_jw_str(w, "algorithm", "xxh3-64");
		snprintf(buf, sizeof(buf), "%016" PRIx64, d->checksum);
		ms_jw_str(w, "value", buf);
		ms_jw_str(w, "of", d->redact ?
			  "the memory bytes in range order, before compression, as redacted" :
			  "the memory bytes in range order, before compression");
		ms_jw_object_close(w);
	}
	/* How much, never what: the patterns may be the secrets themselves. */
	entry_open(w, "redaction");
	ms_jw_bool(w, "applied", d->redact);
	if (d->redact) {
		ms_jw_u64(w, "patterns", ms_patscan_count(d->redact));
		ms_jw_u64(w, "matches", ms_patscan_matches(d->redact));
		ms_jw_u64(w, "bytes", ms_patscan_redacted(d->redact));
		snprintf(buf, sizeof(buf), "0x%02x", d->redact_fill);
		ms_jw_str(w, "fill", buf);
	}
	ms_jw_object_close(w);
}

int ms_dump_write_manifest(struct ms_ctx *ctx, const struct ms_dump *d, const char *output,
			   FILE *fp)
{
	struct bids bids = { 0 };
	const char *exe_bid = NULL;
	struct ms_jw w;
	size_t i;

	if (!d->ran)
		return ms_err(ctx, -EINVAL, "pid %d: no manifest before the dump", (int)d->pid);
	/* One member a line, as the manifest has always been written. */
	ms_jw_init(&w, fp);
	ms_jw_object_open(&w, NULL);
	ms_jw_spaced(&w, true);
	ms_jw_lines(&w, "\n  ", "\n");
	write_head(d, output, &w);
	list_open(&w, "requested");
	for (i = 0; i < d->nranges; i++) {
		range_open(&w, d->ranges[i].start, d->ranges[i].end);
		ms_jw_u64(&w, "file_offset", d->ranges[i].file_off);
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	write_bytes(d, &w);
	list_open(&w, "subranges");
	for (i = 0; i < d->nsubs; i++) {
		range_open(&w, d->subs[i].start, d->subs[i].end);
		ms_jw_str(&w, "status", ms_mem_status_name(d->subs[i].status));
		ms_jw_str(&w, "method", ms_mem_method_name(d->subs[i].method));
		ms_jw_object_close(&w);
	}
	ms_jw_array_close(&w);
	write_maps(d, &w, &bids, &exe_bid);
	ms_jw_str(&w, "exe_build_id", exe_bid);
	ms_jw_object_close(&w);
	fputc('\n', fp);

	for (i = 0; i < bids.n; i++)
		free(bids.b[i].hex);
	free(bids.b);
	if (ferror(fp))
		return ms_err_errno(ctx, -(errno ? errno : EIO), "manifest: write error");
	return 0;
}
