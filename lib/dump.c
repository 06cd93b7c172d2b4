// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include <memsift/diff.h>
#include <memsift/dump.h>
#include <memsift/pagehash.h>
#include <memsift/pattern.h>
#include <memsift/freeze.h>
#include <memsift/output.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "dump.h"
#include "util.h"

int ms_dump_new(struct ms_ctx *ctx, pid_t pid, struct ms_dump **out)
{
	struct ms_dump *d = calloc(1, sizeof(*d));
	char *buf = NULL;
	size_t len;
	int rc;

	if (!d)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
	d->pid = pid;
	clock_gettime(CLOCK_REALTIME, &d->time);
	rc = ms_procfs_read(ctx, pid, "comm", &buf, &len);
	if (rc < 0)
		goto fail;
	buf[strcspn(buf, "\n")] = '\0';
	d->comm = buf;
	rc = ms_maps_read_pid(ctx, pid, MS_MAPS_SRC_MAPS, &d->maps);
	/* maps is guarded by the same ptrace check as the memory: say which part failed. */
	if (rc == -EPERM)
		rc = ms_memread_eperm(ctx, pid);
	if (rc < 0)
		goto fail;
	if ((rc = ms_procfs_identity(ctx, pid, &d->starttime, d->exe_id, sizeof(d->exe_id))) < 0)
		goto fail;
	/* A kernel thread has no exe; a dump of one fails on its maps above. */
	if (ms_procfs_readlink(ctx, pid, "exe", &d->exe) < 0)
		d->exe = NULL;
	*out = d;
	return 0;
fail:
	ms_dump_free(d);
	return rc;
}

void ms_dump_free(struct ms_dump *d)
{
	if (!d)
		return;
	ms_maps_free(d->maps);
	free(d->comm);
	free(d->exe);
	free(d->ranges);
	free(d->subs);
	free(d->core_ph);
	free(d);
}

static int nearest_err(struct ms_ctx *ctx, const struct ms_dump *d, uint64_t start,
		       uint64_t end)
{
	const struct ms_mapping *below = NULL, *above = NULL, *m;
	char b[300] = "none", a[300] = "none";
	size_t i, n = ms_maps_count(d->maps);

	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		if (ms_mapping_end(m) <= start)
			below = m;
		else if (!above && ms_mapping_start(m) >= end)
			above = m;
	}
	if (below)
		snprintf(b, sizeof(b), "%llx-%llx %s %s",
			 (unsigned long long)ms_mapping_start(below),
			 (unsigned long long)ms_mapping_end(below), ms_mapping_perms(below),
			 *ms_mapping_name(below) ? ms_mapping_name(below) : "[anon]");
	if (above)
		snprintf(a, sizeof(a), "%llx-%llx %s %s",
			 (unsigned long long)ms_mapping_start(above),
			 (unsigned long long)ms_mapping_end(above), ms_mapping_perms(above),
			 *ms_mapping_name(above) ? ms_mapping_name(above) : "[anon]");
	return ms_err(ctx, -ENXIO,
		      "%llx-%llx: outside every mapping of pid %d; nearest below: %s; above: %s",
		      (unsigned long long)start, (unsigned long long)end, (int)d->pid, b, a);
}

static int add(struct ms_ctx *ctx, struct ms_dump *d, uint64_t start, uint64_t end)
{
	struct dump_range *nr = realloc(d->ranges, (d->nranges + 1) * sizeof(*nr));

	if (!nr)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
	d->ranges = nr;
	nr[d->nranges].start = start;
	nr[d->nranges].end = end;
	d->nranges++;
	return 0;
}

int ms_dump_add_range(struct ms_ctx *ctx, struct ms_dump *d, uint64_t start, uint64_t end)
{
	size_t i, n = ms_maps_count(d->maps);
	const struct ms_mapping *m;

	uint64_t mapped = 0;
	char a[MS_SIZE_STR_MAX], b[MS_SIZE_STR_MAX];

	if (end <= start)
		return ms_err(ctx, -EINVAL, "empty range %llx-%llx", (unsigned long long)start,
			      (unsigned long long)end);
	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		if (ms_mapping_start(m) < end && ms_mapping_end(m) > start)
			mapped += (ms_mapping_end(m) < end ? ms_mapping_end(m) : end) -
				  (ms_mapping_start(m) > start ? ms_mapping_start(m) : start);
	}
	if (!mapped)
		return nearest_err(ctx, d, start, end);
	/* Holes are zero-filled: 0-0xffffffffffffffff would fill any disk with zeros. */
	if (!d->allow_holes && end - start - mapped > MS_DUMP_HOLES_MAX && end - start - mapped > mapped)
		return ms_err(ctx, -EFBIG, "%llx-%llx: %s of it mapped, the other %s holes that would be zero-filled",
			      (unsigned long long)start, (unsigned long long)end,
			      ms_size_str(mapped, a, sizeof(a)),
			      ms_size_str(end - start - mapped, b, sizeof(b)));
	return add(ctx, d, start, end);
}

void ms_dump_set_max_pause(struct ms_dump *d, uint64_t ns)
{
	d->max_pause_ns = ns;
}

uint64_t ms_dump_pause_cut(const struct ms_dump *d)
{
	return d->pause_cut;
}

void ms_dump_allow_holes(struct ms_dump *d, bool allow)
{
	d->allow_holes = allow;
}

int ms_dump_add_mapping(struct ms_ctx *ctx, struct ms_dump *d, uint64_t addr)
{
	const struct ms_mapping *m = ms_maps_find(d->maps, addr);

	if (!m)
		return nearest_err(ctx, d, addr, addr + 1);
	return add(ctx, d, ms_mapping_start(m), ms_mapping_end(m));
}

int ms_dump_add_anon(struct ms_ctx *ctx, struct ms_dump *d)
{
	size_t i, n = ms_maps_count(d->maps), before = d->nranges;
	const struct ms_mapping *m;
	enum ms_mapping_kind k;
	int rc;

	for (i = 0; i < n; i++) {
		m = ms_maps_get(d->maps, i);
		k = ms_mapping_kind(m);
		if (k != MS_MAPPING_ANON && k != MS_MAPPING_ANON_NAMED && k != MS_MAPPING_HEAP &&
		    k != MS_MAPPING_STACK)
			continue;
		if (ms_mapping_perms(m)[0] != 'r' || ms_mapping_perms(m)[3] != 'p')
			continue;
		rc = add(ctx, d, ms_mapping_start(m), ms_mapping_end(m));
		if (rc < 0)
			return rc;
	}
	if (d->nranges == before)
		return ms_err(ctx, -ENOENT, "pid %d: no readable private anonymous mapping",
			      (int)d->pid);
	return 0;
}

int ms_dump_add_grown(struct ms_ctx *ctx, struct ms_dump *d, const struct ms_maps *base)
{
	size_t i, before = d->nranges;
	struct ms_maps *now;
	struct ms_diff *diff;
	int rc;

	/* The RSS of now needs smaps; d->maps is the plain maps of the manifest. */
	rc = ms_maps_read_pid(ctx, d->pid, MS_MAPS_SRC_SMAPS, &now);
	if (rc < 0)
		return rc;
	rc = ms_diff_new(ctx, base, now, &diff);
	if (rc < 0) {
		ms_maps_free(now);
		return rc;
	}
	for (i = 0; i < ms_diff_count(diff) && rc == 0; i++) {
		const struct ms_diff_entry *e = ms_diff_get(diff, i);
		const struct ms_mapping *m = ms_diff_entry_new(e);

		/* What grew: a file's pages paged in are not (ms_diff_grown_value()). */
		if (!m || ms_diff_entry_grown(e) <= 0 || ms_mapping_perms(m)[0] != 'r')
			continue;
		rc = add(ctx, d, ms_mapping_start(m), ms_mapping_end(m));
	}
	ms_diff_free(diff);
	ms_maps_free(now);
	if (rc == 0 && d->nranges == before)
		rc = ms_err(ctx, -ENOENT, "pid %d: no readable mapping grew since the snapshot",
			    (int)d->pid);
	return rc;
}

struct changed_ctx {
	struct ms_ctx *ctx;
	struct ms_dump *d;
};

static int add_changed(uint64_t start, uint64_t end, void *data)
{
	struct changed_ctx *c = data;

	return add(c->ctx, c->d, start, end);
}

/*
 * The mappings BASE hashed pages of, to be read once each by ms_dump_run():
 * a page is hashed as it is read, and written only when changed (a raw
 * dump).  Reading every page to hash it, then the changed ones again to
 * write them, read what changed twice, and a page written in between was
 * dumped as it was not when judged.
 */
int ms_dump_add_changed(struct ms_ctx *ctx, struct ms_dump *d, const struct ms_pagehash *base)
{
	size_t before = d->nranges, i;
	int rc = 0;

	for (i = 0; i < ms_maps_count(d->maps) && rc == 0; i++) {
		const struct ms_mapping *m = ms_maps_get(d->maps, i);

		if (ms_pagehash_covers(m))
			rc = add(ctx, d, ms_mapping_start(m), ms_mapping_end(m));
	}
	if (rc == 0 && d->nranges == before)
		rc = ms_err(ctx, -ENOENT, "pid %d: no page changed since the snapshot", (int)d->pid);
	if (rc == 0)
		d->changed_base = base;
	return rc;
}

/*
 * A core's headers name its ranges before any byte: for one, the pages are
 * hashed first and the changed runs read after (twice read, as before).
 */
static int changed_runs(struct ms_ctx *ctx, struct ms_dump *d)
{
	struct changed_ctx c = { ctx, d };
	int rc;

	free(d->ranges);
	d->ranges = NULL;
	d->nranges = 0;
	rc = ms_pagehash_changed(ctx, d->pid, d->maps, d->changed_base, add_changed, &c);
	d->changed_base = NULL;
	if (rc == 0 && !d->nranges)
		rc = ms_err(ctx, -ENOENT, "pid %d: no page changed since the snapshot", (int)d->pid);
	return rc;
}

size_t ms_dump_nranges(const struct ms_dump *d)
{
	return d->nranges;
}

void ms_dump_range(const struct ms_dump *d, size_t i, uint64_t *start, uint64_t *end)
{
	*start = d->ranges[i].start;
	*end = d->ranges[i].end;
}

uint64_t ms_dump_total(const struct ms_dump *d)
{
	uint64_t t = 0;

	for (size_t i = 0; i < d->nranges; i++)
		t += d->ranges[i].end - d->ranges[i].start;
	return t;
}

const struct ms_maps *ms_dump_maps(const struct ms_dump *d)
{
	return d->maps;
}

int ms_dump_set_redact(struct ms_ctx *ctx, struct ms_dump *d, struct ms_patscan *s,
		       uint8_t fill)
{
	d->redact = s;
	d->redact_fill = fill;
	(void)ctx;
	return 0;
}

void ms_dump_set_event_cb(struct ms_dump *d, ms_dump_event_cb cb, void *data)
{
	d->event_cb = cb;
	d->event_data = data;
}

uint64_t ms_dump_read_bytes(const struct ms_dump *d)
{
	uint64_t n = 0;

	for (size_t i = 0; i < MS_ARRAY_SIZE(d->bytes); i++)
		n += d->bytes[i];
	return n;
}

bool ms_dump_complete(const struct ms_dump *d)
{
	return d->ran && d->complete;
}

uint64_t ms_dump_bytes(const struct ms_dump *d, enum ms_mem_status st)
{
	return (unsigned)st < MS_ARRAY_SIZE(d->bytes) ? d->bytes[st] : 0;
}

size_t ms_dump_nsubranges(const struct ms_dump *d)
{
	return d->nsubs;
}

void ms_dump_subrange(const struct ms_dump *d, size_t i, uint64_t *start, uint64_t *end,
		      enum ms_mem_status *st, enum ms_mem_method *method)
{
	*start = d->subs[i].start;
	*end = d->subs[i].end;
	*st = d->subs[i].status;
	*method = d->subs[i].method;
}

uint64_t ms_dump_pause_ns(const struct ms_dump *d)
{
	return d->pause_ns;
}

/* Where the output goes: FP, through zstd when asked. */

static int sink_flush_z(struct sink *s, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	ZSTD_outBuffer out;
	size_t left;

	do {
		out.dst = s->zbuf;
		out.size = s->zcap;
		out.pos = 0;
		left = ZSTD_compressStream2(s->z, &out, in, mode);
		if (ZSTD_isError(left))
			return ms_err(s->ctx, -EIO, "zstd: %s", ZSTD_getErrorName(left));
		if (out.pos && fwrite(s->zbuf, 1, out.pos, s->fp) != out.pos)
			return ms_err_errno(s->ctx, -(errno ? errno : EIO), "write error");
	} while (mode == ZSTD_e_end ? left != 0 : in->pos < in->size);
	return 0;
}

int ms_dump_sink_write(struct sink *s, const void *buf, size_t len)
{
	ZSTD_inBuffer in = { .src = buf, .size = len, .pos = 0 };

	s->written += len;
	if (s->z)
		return sink_flush_z(s, &in, ZSTD_e_continue);
	if (fwrite(buf, 1, len, s->fp) != len)
		return ms_err_errno(s->ctx, -(errno ? errno : EIO), "write error");
	return 0;
}

int ms_dump_sink_zeros(struct sink *s, uint64_t len)
{
	static const unsigned char zeros[65536];
	size_t l;
	int rc;

	while (len) {
		l = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		rc = ms_dump_sink_write(s, zeros, l);
		if (rc < 0)
			return rc;
		len -= l;
	}
	return 0;
}

static int sink_end(struct sink *s)
{
	ZSTD_inBuffer in = { .src = NULL, .size = 0, .pos = 0 };

	if (s->z)
		return sink_flush_z(s, &in, ZSTD_e_end);
	return 0;
}

struct run_state {
	struct ms_dump *d;
	struct sink *sink;
	XXH3_state_t *hash;
	uint64_t done, total;
	struct ms_freeze **frz;		/* the freeze, let go early past d->max_pause_ns */
	struct ms_memread *r;
	/* --changed-since, read once: the page being read, and the runs written. */
	uint64_t pagesize;
	unsigned char *page;
	uint64_t page_addr, page_fill;
	struct ms_mem_piece *parts;	/* the pieces of the page, their data in PAGE */
	size_t nparts, capparts;
	struct dump_range *runs;
	size_t nruns, capruns;
	uint64_t run_off;		/* bytes of changed pages written so far */
};

static int add_sub(struct ms_dump *d, const struct ms_mem_piece *p)
{
	struct dump_sub *last = d->nsubs ? &d->subs[d->nsubs - 1] : NULL;

	if (last && last->end == p->addr && last->status == p->status &&
	    last->method == p->method) {
		last->end += p->len;
		return 0;
	}
	if (MS_GROW(d->subs, d->subcap, d->nsubs + 1, 64) < 0)
		return -ENOMEM;
	d->subs[d->nsubs++] = (struct dump_sub){
		.start = p->addr, .end = p->addr + p->len, .status = p->status,
		.method = p->method,
	};
	return 0;
}

/* Bytes of memory as they go out: redacted already, when asked. */
static int out_mem(const uint8_t *buf, size_t len, void *data)
{
	struct run_state *rs = data;

	if (rs->hash)
		XXH3_64bits_update(rs->hash, buf, len);
	return ms_dump_sink_write(rs->sink, buf, len);
}

static int put_piece(const struct ms_mem_piece *p, void *data)
{
	struct run_state *rs = data;
	struct ms_dump *d = rs->d;
	int rc;

	if (add_sub(d, p) < 0)
		return ms_err(rs->sink->ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
	d->bytes[p->status] += p->len;
	if (d->redact)
		rc = ms_patscan_feed(rs->sink->ctx, d->redact, p->data, p->len, false);
	else
		rc = out_mem(p->data, p->len, rs);
	if (rc < 0)
		return rc;
	rs->done += p->len;
	if (d->event_cb)
		d->event_cb(MS_DUMP_EV_PROGRESS, rs->done, rs->total, d->event_data);
	/* Stopped long enough: the rest is read from the running process, and said. */
	if (rs->frz && *rs->frz && d->max_pause_ns &&
	    ms_freeze_elapsed_ns(*rs->frz) > d->max_pause_ns) {
		d->pause_ns = ms_freeze_elapsed_ns(*rs->frz);
		ms_freeze_free(*rs->frz);
		*rs->frz = NULL;
		d->pause_cut = p->addr + p->len;
		d->pause_cut_done = rs->done;
		ms_memread_unfrozen(rs->r);
		if (d->event_cb)
			d->event_cb(MS_DUMP_EV_UNFROZEN, rs->done, rs->total, d->event_data);
	}
	return 0;
}

/* A whole page read: written, with the pieces it was read in, when it changed. */
static int page_done(struct run_state *rs)
{
	struct ms_dump *d = rs->d;
	struct ms_ctx *ctx = rs->sink->ctx;
	struct dump_range *last = rs->nruns ? &rs->runs[rs->nruns - 1] : NULL;
	size_t i;
	int rc;

	rs->page_fill = 0;
	if (!ms_pagehash_page_changed(d->changed_base, rs->page_addr, rs->page, rs->pagesize))
		return 0;
	if (!last || last->end != rs->page_addr) {
		/* A new run: the redactor's held bytes end the one before, as a range's do. */
		if (last && d->redact && (rc = ms_patscan_feed(ctx, d->redact, NULL, 0, true)) < 0)
			return rc;
		if (MS_GROW(rs->runs, rs->capruns, rs->nruns + 1, 64) < 0)
			return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
		last = &rs->runs[rs->nruns++];
		*last = (struct dump_range){ rs->page_addr, rs->page_addr, rs->run_off };
	}
	last->end += rs->pagesize;
	rs->run_off += rs->pagesize;
	for (i = 0; i < rs->nparts; i++)
		if ((rc = put_piece(&rs->parts[i], rs)) < 0)
			return rc;
	return 0;
}

/* --changed-since: gather each page's pieces; judge and write it when whole. */
static int changed_piece(const struct ms_mem_piece *p, struct run_state *rs)
{
	const unsigned char *b = p->data;
	uint64_t addr = p->addr;
	size_t left = p->len;
	int rc;

	while (left) {
		size_t take = rs->pagesize - rs->page_fill < left ?
			      (size_t)(rs->pagesize - rs->page_fill) : left;
		struct ms_mem_piece *part;

		if (!rs->page_fill) {
			rs->page_addr = addr;
			rs->nparts = 0;
		}
		if (MS_GROW(rs->parts, rs->capparts, rs->nparts + 1, 8) < 0)
			return ms_err(rs->sink->ctx, -ENOMEM, "pid %d: out of memory",
				      (int)rs->d->pid);
		part = &rs->parts[rs->nparts++];
		*part = (struct ms_mem_piece){ addr, take, rs->page + rs->page_fill, p->status,
					       p->method };
		memcpy(rs->page + rs->page_fill, b, take);
		rs->page_fill += take;
		b += take;
		addr += take;
		left -= take;
		if (rs->page_fill == rs->pagesize && (rc = page_done(rs)) < 0)
			return rc;
	}
	return 0;
}

static int on_piece(const struct ms_mem_piece *p, void *data)
{
	struct run_state *rs = data;

	return rs->d->changed_base ? changed_piece(p, rs) : put_piece(p, rs);
}

static int read_all(struct ms_ctx *ctx, struct ms_dump *d, struct run_state *rs,
		    unsigned int rflags)
{
	struct ms_memread *r;
	uint64_t reached = 0;
	size_t i;
	int rc;

	rc = ms_memread_new(ctx, d->pid, d->maps, rflags, &r);
	if (rc < 0)
		return rc;
	rs->r = r;
	for (i = 0; i < d->nranges; i++) {
		if (d->format == MS_DUMP_CORE && rs->sink->written < d->ranges[i].file_off) {
			rc = ms_dump_sink_zeros(rs->sink, d->ranges[i].file_off - rs->sink->written);
			if (rc < 0)
				break;
		}
		rc = ms_memread_range(ctx, r, d->ranges[i].start, d->ranges[i].end, on_piece, rs,
				      &reached);
		/* The redactor holds the range's last bytes: out with them, even cut short. */
		if (d->redact && !d->changed_base && (rc == 0 || rc == -ESRCH)) {
			int rc2 = ms_patscan_feed(ctx, d->redact, NULL, 0, true);

			if (rc2 < 0)
				rc = rc2;
		}
		if (rc < 0)
			break;
	}
	ms_memread_free(r);
	/* --changed-since: the last run's held bytes, then the runs are what was dumped. */
	if (d->changed_base) {
		if (d->redact && rs->nruns && (rc == 0 || rc == -ESRCH)) {
			int rc2 = ms_patscan_feed(ctx, d->redact, NULL, 0, true);

			if (rc2 < 0)
				rc = rc2;
		}
		free(d->ranges);
		d->ranges = rs->runs;
		d->nranges = rs->nruns;
		rs->runs = NULL;
		if (rc == 0 && !d->nranges)
			return ms_err(ctx, -ENOENT, "pid %d: no page changed since the snapshot",
				      (int)d->pid);
	}
	if (rc == -ESRCH) {
		ms_err(ctx, -ESRCH,
		       "pid %d: exited during the dump at 0x%llx; kept the %llu bytes read, marked incomplete",
		       (int)d->pid, (unsigned long long)reached, (unsigned long long)rs->done);
		if (d->format == MS_DUMP_CORE && ms_dump_core_cut(ctx, d, rs->sink) < 0)
			return -EIO;
	}
	return rc;
}

/*
 * A pipe holds 64 KiB by default: the reader and the dump then take turns
 * every 64 KiB, and the switches cost more than the copy.  Grown to what an
 * unprivileged process may ask (fs.pipe-max-size, 1 MiB by default); a pipe
 * that cannot grow is used as it is.
 */
static void pipe_grow(FILE *fp)
{
	struct stat st;
	int fd = fileno(fp);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
}

/* The checksum, zstd and the redactor, as FLAGS and D ask.  0 or a negative errno. */
static int output_setup(struct ms_ctx *ctx, struct ms_dump *d, unsigned int flags,
			struct run_state *rs)
{
	struct sink *sink = rs->sink;

	if (!(flags & MS_DUMP_NO_CHECKSUM)) {
		rs->hash = XXH3_createState();
		if (!rs->hash || XXH3_64bits_reset(rs->hash) == XXH_ERROR)
			return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
	}
	pipe_grow(sink->fp);
	if (flags & MS_DUMP_ZSTD) {
		sink->z = ZSTD_createCCtx();
		sink->zcap = ZSTD_CStreamOutSize();
		sink->zbuf = malloc(sink->zcap);
		if (!sink->z || !sink->zbuf)
			return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
		ZSTD_CCtx_setParameter(sink->z, ZSTD_c_compressionLevel, 3);
	}
	if (d->redact)
		return ms_patscan_set_redact(ctx, d->redact, d->redact_fill,
					     MS_DUMP_REDACT_WINDOW, out_mem, rs);
	return 0;
}

/*
 * --changed-since: a core's runs hashed first (its headers name them), or
 * a raw dump's page buffer for hashing as it reads.  0 or a negative errno.
 */
static int changed_setup(struct ms_ctx *ctx, struct ms_dump *d, struct run_state *rs)
{
	int rc;

	if (!d->changed_base)
		return 0;
	if (d->format == MS_DUMP_CORE)
		return (rc = changed_runs(ctx, d)) < 0 ? rc : 0;
	rs->pagesize = (uint64_t)sysconf(_SC_PAGESIZE);
	rs->page = malloc(rs->pagesize);
	if (!rs->page)
		return ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
	return 0;
}

/* Only a regular file, written from where it is, can have a core's headers rewritten: -1 else. */
static off_t core_base(const struct sink *s)
{
	struct stat st;
	int fd = fileno(s->fp), fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	if (s->z || fl < 0 || (fl & O_APPEND) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	return ftello(s->fp);
}

/*
 * The same pid, another process by now (reused, or exec'd): what was read
 * may be either's, so the dump is marked incomplete.  0 or -ESRCH.
 */
static int same_process(struct ms_ctx *ctx, struct ms_dump *d, uint64_t done)
{
	unsigned long long st;
	char exe[40];

	if (ms_procfs_identity(NULL, d->pid, &st, exe, sizeof(exe)) < 0 ||
	    (st == d->starttime && !strcmp(exe, d->exe_id)))
		return 0;
	d->changed = st != d->starttime ? "was reused by another process" :
		     "exec'd another program";
	d->complete = false;
	return ms_err(ctx, -ESRCH, "pid %d %s during the dump; kept the %llu bytes read, marked incomplete",
		      (int)d->pid, d->changed, (unsigned long long)done);
}

int ms_dump_run(struct ms_ctx *ctx, struct ms_dump *d, unsigned int flags,
		enum ms_dump_format format, FILE *fp)
{
	struct sink sink = { .ctx = ctx, .fp = fp, .base = -1 };
	struct run_state rs = { .d = d, .sink = &sink, .total = ms_dump_total(d) };
	struct ms_freeze *frz = NULL;
	unsigned int rflags = 0;
	uint64_t off = 0;
	size_t i;
	int rc, rc2;

	if (d->ran || !d->nranges)
		return ms_err(ctx, -EINVAL, "pid %d: %s", (int)d->pid,
			      d->ran ? "dump already run" : "nothing to dump");
	d->ran = true;
	d->flags = flags;
	d->format = format;
	if ((rc = changed_setup(ctx, d, &rs)) < 0)
		return rc;
	rs.total = ms_dump_total(d);
	for (i = 0; i < d->nranges; i++) {
		d->ranges[i].file_off = off;
		off += d->ranges[i].end - d->ranges[i].start;
	}
	if ((rc = output_setup(ctx, d, flags, &rs)) < 0)
		goto out;
	if (format == MS_DUMP_CORE) {
		sink.base = core_base(&sink);
		rc = ms_dump_core_header(ctx, d, &sink);
		if (rc < 0)
			goto out;
	}
	if (flags & MS_DUMP_RESIDENT_ONLY)
		rflags |= MS_MEMREAD_RESIDENT_ONLY;
	if (flags & MS_DUMP_FREEZE) {
		rc = ms_freeze_new(ctx, d->pid, &frz);
		if (rc < 0)
			goto out;
		rflags |= MS_MEMREAD_PTRACED;
		rs.frz = &frz;
		if (d->event_cb)
			d->event_cb(MS_DUMP_EV_FROZEN, 0, rs.total, d->event_data);
	}
	rc = read_all(ctx, d, &rs, rflags);
	if (frz) {
		d->pause_ns = ms_freeze_elapsed_ns(frz);
		ms_freeze_free(frz);
	}
	d->complete = rc == 0;
	/* Whole, but a range's end unmapped meanwhile: its zeros out of the segment. */
	if (rc == 0 && format == MS_DUMP_CORE && (rc = ms_dump_core_cut(ctx, d, &sink)) < 0)
		goto out;
	if (rc == 0)
		rc = same_process(ctx, d, rs.done);
	d->checksum = rs.hash ? XXH3_64bits_digest(rs.hash) : 0;
	/* Finish the stream even for a process that exited: keep what was read. */
	if (rc == 0 || rc == -ESRCH) {
		rc2 = sink_end(&sink);
		if (rc2 < 0)
			rc = rc2;
	}
out:
	d->out_bytes = sink.written;
	free(rs.page);
	free(rs.parts);
	free(rs.runs);
	XXH3_freeState(rs.hash);
	ZSTD_freeCCtx(sink.z);
	free(sink.zbuf);
	return rc;
}
