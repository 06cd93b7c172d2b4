// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include <memsift/memread.h>
#include <memsift/pagehash.h>

#include "internal.h"

struct ph_range {
	uint64_t start, end;
	uint64_t *hash;		/* one per page */
};

struct ms_pagehash {
	struct ph_range *r;
	size_t n;
	uint64_t page;
};

void ms_pagehash_free(struct ms_pagehash *ph)
{
	size_t i;

	if (!ph)
		return;
	for (i = 0; i < ph->n; i++)
		free(ph->r[i].hash);
	free(ph->r);
	free(ph);
}

/* The mappings a leak grows in: what regiondump --anon dumps. */
bool ms_pagehash_covers(const struct ms_mapping *m)
{
	enum ms_mapping_kind k = ms_mapping_kind(m);

	return (k == MS_MAPPING_ANON || k == MS_MAPPING_ANON_NAMED || k == MS_MAPPING_HEAP ||
		k == MS_MAPPING_STACK) && ms_mapping_perms(m)[0] == 'r' && ms_mapping_perms(m)[3] == 'p';
}

static struct ph_range *add_range(struct ms_pagehash *ph, uint64_t start, uint64_t end)
{
	struct ph_range *nr = realloc(ph->r, (ph->n + 1) * sizeof(*nr));

	if (!nr)
		return NULL;
	ph->r = nr;
	nr = &ph->r[ph->n];
	nr->start = start;
	nr->end = end;
	nr->hash = calloc((end - start) / ph->page + 1, sizeof(uint64_t));
	if (!nr->hash)
		return NULL;
	ph->n++;
	return nr;
}

/* memread hands out pieces of any size; a page may span two of them. */
struct hasher {
	struct ph_range *r;
	uint64_t page;
	XXH3_state_t *st;
	uint64_t filled;	/* bytes of the current page hashed so far */
	uint64_t idx;
};

static int hash_piece(const struct ms_mem_piece *p, void *data)
{
	struct hasher *h = data;
	const unsigned char *b = p->data;
	size_t left = p->len, take;

	while (left) {
		if (h->filled == 0)
			XXH3_64bits_reset(h->st);
		take = h->page - h->filled < left ? h->page - h->filled : left;
		XXH3_64bits_update(h->st, b, take);
		h->filled += take;
		b += take;
		left -= take;
		if (h->filled == h->page) {
			h->r->hash[h->idx++] = XXH3_64bits_digest(h->st);
			h->filled = 0;
		}
	}
	return 0;
}

static int hash_range(struct ms_ctx *ctx, struct ms_memread *rd, struct ph_range *r,
		      uint64_t page)
{
	struct hasher h = { r, page, XXH3_createState(), 0, 0 };
	int rc;

	if (!h.st)
		return ms_err(ctx, -ENOMEM, "out of memory");
	rc = ms_memread_range(ctx, rd, r->start, r->end, hash_piece, &h, NULL);
	XXH3_freeState(h.st);
	return rc;
}

static int take(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps,
		struct ms_pagehash **out)
{
	struct ms_pagehash *ph = calloc(1, sizeof(*ph));
	struct ms_memread *rd = NULL;
	size_t i;
	int rc;

	if (!ph)
		return ms_err(ctx, -ENOMEM, "out of memory");
	ph->page = (uint64_t)sysconf(_SC_PAGESIZE);
	rc = ms_memread_new(ctx, pid, maps, 0, &rd);
	for (i = 0; rc == 0 && i < ms_maps_count(maps); i++) {
		const struct ms_mapping *m = ms_maps_get(maps, i);
		struct ph_range *r;

		if (!ms_pagehash_covers(m))
			continue;
		r = add_range(ph, ms_mapping_start(m), ms_mapping_end(m));
		rc = r ? hash_range(ctx, rd, r, ph->page) : ms_err(ctx, -ENOMEM, "out of memory");
	}
	ms_memread_free(rd);
	if (rc < 0) {
		ms_pagehash_free(ph);
		return rc;
	}
	*out = ph;
	return 0;
}

int ms_pagehash_take(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *maps,
		     struct ms_pagehash **out)
{
	return take(ctx, pid, maps, out);
}

int ms_pagehash_write(struct ms_ctx *ctx, const struct ms_pagehash *ph, FILE *fp)
{
	size_t i;
	uint64_t j;

	for (i = 0; i < ph->n; i++) {
		fprintf(fp, "# pages: %" PRIx64 "-%" PRIx64, ph->r[i].start, ph->r[i].end);
		for (j = 0; j < (ph->r[i].end - ph->r[i].start) / ph->page; j++)
			fprintf(fp, " %016" PRIx64, ph->r[i].hash[j]);
		fputc('\n', fp);
	}
	return ferror(fp) ? ms_err_errno(ctx, -(errno ? errno : EIO), "write error") : 0;
}

int ms_pagehash_parse(struct ms_ctx *ctx, const char *ps, const char *const *lines, size_t nlines,
		      const char *name, struct ms_pagehash **out)
{
	struct ms_pagehash *ph = calloc(1, sizeof(*ph));
	const char *v;
	size_t k;
	int rc = 0;

	if (!ph)
		return ms_err(ctx, -ENOMEM, "out of memory");
	ph->page = ps ? strtoull(ps, NULL, 10) : (uint64_t)sysconf(_SC_PAGESIZE);
	if (ph->page == 0 || (ph->page & (ph->page - 1)))
		rc = ms_err(ctx, -EBADMSG, "%s: bad pagesize \"%s\"", name, ps);
	for (k = 0; rc == 0 && k < nlines && (v = lines[k]); k++) {
		uint64_t start, end, i, n;
		struct ph_range *r;
		char *p;

		start = strtoull(v, &p, 16);
		if (*p != '-' || (end = strtoull(p + 1, &p, 16)) <= start ||
		    (start | end) % ph->page) {
			rc = ms_err(ctx, -EBADMSG, "%s: bad \"pages\" line %zu: bad range", name, k + 1);
			break;
		}
		n = (end - start) / ph->page;
		r = add_range(ph, start, end);
		if (!r) {
			rc = ms_err(ctx, -ENOMEM, "out of memory");
			break;
		}
		for (i = 0; i < n; i++) {
			if (*p != ' ' || p[1] == ' ' || p[1] == '-' || p[1] == '+') {
				rc = -EBADMSG;
				break;
			}
			r->hash[i] = strtoull(p + 1, &p, 16);
		}
		if (rc == 0 && *p)
			rc = -EBADMSG;
		if (rc < 0)
			rc = ms_err(ctx, -EBADMSG, "%s: bad \"pages\" line %zu: %" PRIu64 " hashes expected",
				    name, k + 1, n);
	}
	if (rc == 0 && ph->n == 0)
		rc = ms_err(ctx, -ENODATA, "%s: no page hashes in it", name);
	if (rc < 0) {
		ms_pagehash_free(ph);
		return rc;
	}
	*out = ph;
	return 0;
}

/* The base hash of the page at ADDR, if BASE hashed it. */
static bool base_hash(const struct ms_pagehash *base, uint64_t addr, uint64_t *h)
{
	size_t lo = 0, hi = base->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < base->r[mid].start)
			hi = mid;
		else if (addr >= base->r[mid].end)
			lo = mid + 1;
		else {
			*h = base->r[mid].hash[(addr - base->r[mid].start) / base->page];
			return true;
		}
	}
	return false;
}

bool ms_pagehash_page_changed(const struct ms_pagehash *base, uint64_t addr, const void *page,
			      uint64_t pagesize)
{
	uint64_t h;

	return base->page != pagesize || !base_hash(base, addr, &h) ||
	       h != XXH3_64bits(page, (size_t)pagesize);
}

int ms_pagehash_changed(struct ms_ctx *ctx, pid_t pid, const struct ms_maps *now,
			const struct ms_pagehash *base, ms_pagehash_cb cb, void *data)
{
	struct ms_pagehash *cur;
	uint64_t run = 0, a, h;
	bool in_run = false;
	size_t i;
	int rc;

	rc = take(ctx, pid, now, &cur);
	if (rc < 0)
		return rc;
	for (i = 0; i < cur->n && rc >= 0; i++) {
		const struct ph_range *r = &cur->r[i];

		for (a = r->start; a < r->end && rc >= 0; a += cur->page) {
			bool changed = base->page != cur->page || !base_hash(base, a, &h) ||
				       h != r->hash[(a - r->start) / cur->page];

			if (changed && !in_run) {
				run = a;
				in_run = true;
			} else if (!changed && in_run) {
				rc = cb(run, a, data);
				in_run = false;
			}
		}
		if (in_run && rc >= 0)
			rc = cb(run, r->end, data);
		in_run = false;
	}
	ms_pagehash_free(cur);
	return rc < 0 ? rc : 0;
}
