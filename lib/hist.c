// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One streaming pass over a dump: byte histogram, zero pages, block classes,
 * repeated-byte runs, strings and frequent words, in memory bounded by the
 * options whatever the input size.
 *
 * The input is cut into blocks of opts.block_size bytes.  A block of one
 * byte value (the common case in leaked memory: zeroed pages, memset fills)
 * is handled whole, without looking at each byte again.  Any other block is
 * counted into a local histogram first; its entropy decides whether strings
 * and words are worth collecting (not in random data, where they are noise
 * that would crowd the tables), then one word pass finds runs, pointer-like
 * words and frequent words, and one byte pass finds strings.
 */
#include <errno.h>
#include <magic.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/hist.h>

#include "hash.h"
#include "internal.h"

/* Runs and words read 8 bytes at a time and take the last byte as the top one. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hist.c assumes a little-endian machine"
#endif

#define REP8(c) (0x0101010101010101ULL * (uint8_t)(c))
#define WAYS 8			/* entries per hash bucket */
#define RUN_EXACT_MAX 16384	/* distinct (byte, length) pairs counted exactly */
#define RUN_BUCKETS 64		/* power-of-two length buckets past that */
#define HIGH_ENTROPY 7.2	/* bits per byte: above any text or heap block */
#define READ_CHUNK (1 << 20)

struct strent {
	uint64_t hash;
	uint64_t count, bytes, first;
	char *text;		/* NULL: free slot */
	uint16_t len;
	uint8_t utf16, trunc;
};

struct wordent {
	uint64_t value, count, first;	/* COUNT 0: free slot */
	/*
	 * Where it was last seen, and the gap it mostly recurs at (a running
	 * majority vote): a word at a fixed stride is a record's header or
	 * a field, and the stride is the record's size.
	 */
	uint64_t last, gap, gap_hits, gap_first, gap_last;
	uint32_t vote;
};

struct runent {
	uint64_t length;	/* 0: free slot */
	uint64_t count, first;
	uint8_t byte;
};

/* A string being collected across blocks. */
struct strstate {
	uint64_t start, len;	/* in characters */
	char buf[MS_HIST_STRING_MAX + 1];
	int same;		/* every character so far equal */
};

struct ms_hist {
	struct ms_hist_opts o;
	uint64_t size;
	uint64_t hist[256];
	uint64_t zero_pages;
	int page_zero;
	unsigned approx;
	int finished;
	double *clog;		/* c * log2(c) for c <= block_size, or NULL */

	uint8_t *blk;		/* a partial block between feeds */
	size_t blen;

	uint64_t blocks, class_blocks[MS_BLOCK_NCLASSES], class_bytes[MS_BLOCK_NCLASSES];
	struct ms_hist_region *regions;
	size_t nregions, aregions;
	size_t next_break;	/* first of o.breaks not behind the scan */

	/* the open run: RUN_LEN bytes RUN_BYTE ending at the current position */
	uint8_t run_byte;
	uint64_t run_len;
	struct runent *runs;	/* open addressing, 2 * RUN_EXACT_MAX slots */
	size_t nruns;
	struct ms_hist_run (*rbucket)[RUN_BUCKETS];	/* [256], allocated on overflow */

	struct strstate ascii, utf16;
	struct strent *strs;
	size_t nstrs_slots;

	struct wordent *words;
	size_t nword_slots;

	magic_t magic;
	unsigned magic_calls;
	char **types;
	size_t ntypes;

	struct ms_patscan *scan;

	/* results, after ms_hist_finish() */
	struct ms_hist_string *rstrs;
	size_t nrstrs;
	struct ms_hist_run *rruns;
	size_t nrruns;
	struct ms_hist_word *rwords;
	size_t nrwords;
	struct ms_hist_record record;	/* size 0: none found */
};

static const char *const class_names[MS_BLOCK_NCLASSES] = {
	[MS_BLOCK_ZERO] = "zero",	  [MS_BLOCK_FILL] = "fill",
	[MS_BLOCK_UTF16] = "utf16",	  [MS_BLOCK_TEXT] = "text",
	[MS_BLOCK_POINTERS] = "pointers", [MS_BLOCK_RANDOM] = "random",
	[MS_BLOCK_BINARY] = "binary",
};

/* What strings(1) takes as a string character: printable ASCII and tab. */
static inline int is_strchar(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

bool ms_hist_pointer_like(uint64_t v)
{
	return v >= 0x100000000ULL && v < 0x800000000000ULL;
}

const char *ms_block_class_str(enum ms_block_class cls)
{
	return (unsigned)cls < MS_BLOCK_NCLASSES ? class_names[cls] : "?";
}

static size_t pow2_at_least(size_t n)
{
	size_t p = WAYS;

	while (p < n)
		p <<= 1;
	return p;
}

int ms_hist_new(struct ms_ctx *ctx, const struct ms_hist_opts *opts, struct ms_hist **out)
{
	struct ms_hist *h;
	uint64_t c;

	h = calloc(1, sizeof(*h));
	if (!h)
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (opts)
		h->o = *opts;
	if (!h->o.block_size)
		h->o.block_size = 4096;
	if (!h->o.min_string)
		h->o.min_string = 6;
	if (!h->o.min_run)
		h->o.min_run = MS_HIST_MIN_RUN;
	if (!h->o.string_budget)
		h->o.string_budget = 65536;
	if (!h->o.word_budget)
		h->o.word_budget = 65536;
	if (!h->o.magic_max)
		h->o.magic_max = 256;
	if (h->o.block_size < 512 || h->o.block_size > (1 << 20) ||
	    (h->o.block_size & (h->o.block_size - 1))) {
		ms_hist_free(h);
		return ms_err(ctx, -EINVAL, "block size %llu is not a power of two from 512 to 1M",
			      (unsigned long long)opts->block_size);
	}
	if (h->o.min_string < 2 || h->o.min_string > MS_HIST_STRING_MAX) {
		ms_hist_free(h);
		return ms_err(ctx, -EINVAL, "minimum string length %u is not from 2 to %d",
			      opts->min_string, MS_HIST_STRING_MAX);
	}
	if (h->o.min_run < MS_HIST_MIN_RUN) {
		ms_hist_free(h);
		return ms_err(ctx, -EINVAL, "minimum run length %u is below %d", opts->min_run,
			      MS_HIST_MIN_RUN);
	}
	h->nstrs_slots = pow2_at_least(h->o.string_budget);
	h->nword_slots = pow2_at_least(h->o.word_budget);
	h->strs = calloc(h->nstrs_slots, sizeof(*h->strs));
	h->words = calloc(h->nword_slots, sizeof(*h->words));
	h->runs = calloc(2 * RUN_EXACT_MAX, sizeof(*h->runs));
	h->blk = malloc(h->o.block_size);
	if (h->o.block_size <= 65536)
		h->clog = malloc((h->o.block_size + 1) * sizeof(double));
	if (!h->strs || !h->words || !h->runs || !h->blk ||
	    (h->o.block_size <= 65536 && !h->clog)) {
		ms_hist_free(h);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	if (h->clog) {
		h->clog[0] = 0;
		for (c = 1; c <= h->o.block_size; c++)
			h->clog[c] = (double)c * log2((double)c);
	}
	if (h->o.magic) {
		h->magic = magic_open(MAGIC_NONE);
		if (!h->magic || magic_load(h->magic, NULL) < 0) {
			int rc = ms_err(ctx, -EIO, "libmagic: %s",
					h->magic ? magic_error(h->magic) : "cannot start");
			ms_hist_free(h);
			return rc;
		}
	}
	h->ascii.same = h->utf16.same = 1;
	*out = h;
	return 0;
}

void ms_hist_free(struct ms_hist *h)
{
	size_t i;

	if (!h)
		return;
	if (h->strs)
		for (i = 0; i < h->nstrs_slots; i++)
			free(h->strs[i].text);
	for (i = 0; i < h->ntypes; i++)
		free(h->types[i]);
	if (h->magic)
		magic_close(h->magic);
	ms_patscan_free(h->scan);
	free(h->types);
	free(h->strs);
	free(h->words);
	free(h->runs);
	free(h->rbucket);
	free(h->regions);
	free(h->blk);
	free(h->clog);
	free(h->rstrs);
	free(h->rruns);
	free(h->rwords);
	free(h);
}

int ms_hist_add_pattern(struct ms_ctx *ctx, struct ms_hist *h, const char *hex)
{
	int rc;

	if (h->size || h->blen)
		return ms_err(ctx, -EBUSY, "patterns must be added before the data");
	if (!h->scan && (rc = ms_patscan_new(ctx, MS_HIST_MAX_PATTERNS, 0, &h->scan)) < 0)
		return rc;
	return ms_patscan_add_hex(ctx, h->scan, hex);
}

int ms_hist_add_regex(struct ms_ctx *ctx, struct ms_hist *h, const char *re)
{
	int rc;

	if (h->size || h->blen)
		return ms_err(ctx, -EBUSY, "patterns must be added before the data");
	if (!h->scan && (rc = ms_patscan_new(ctx, MS_HIST_MAX_PATTERNS, 0, &h->scan)) < 0)
		return rc;
	return ms_patscan_add_regex(ctx, h->scan, re);
}

/* ---- runs ---- */

static void run_bucket(struct ms_hist *h, uint8_t b, uint64_t len, uint64_t first)
{
	struct ms_hist_run *r;
	int k = 63 - __builtin_clzll(len);

	if (!h->rbucket) {
		h->rbucket = calloc(256, sizeof(*h->rbucket));
		if (!h->rbucket)
			return;
	}
	h->approx |= MS_HIST_APPROX_RUNS;
	r = &h->rbucket[b][k];
	if (!r->count) {
		r->first = first;
		r->byte = b;
		r->bucket = true;
		r->length = 1ULL << k;
	}
	r->count++;
	r->bytes += len;
}

static void run_emit(struct ms_hist *h, uint8_t b, uint64_t len, uint64_t first)
{
	size_t mask = 2 * RUN_EXACT_MAX - 1, i;
	struct runent *e;

	if (len < h->o.min_run)
		return;
	i = ms_hash64(len * 257 + b) & mask;
	for (;; i = (i + 1) & mask) {
		e = &h->runs[i];
		if (e->length == len && e->byte == b) {
			e->count++;
			return;
		}
		if (!e->length)
			break;
	}
	if (h->nruns >= RUN_EXACT_MAX) {
		run_bucket(h, b, len, first);
		return;
	}
	e->length = len;
	e->byte = b;
	e->count = 1;
	e->first = first;
	h->nruns++;
}

/* Close the open run, which ends at offset END. */
static void run_close(struct ms_hist *h, uint64_t end)
{
	if (h->run_len)
		run_emit(h, h->run_byte, h->run_len, end - h->run_len);
	h->run_len = 0;
}

/*
 * The next aligned word W at offset OFF.  A run of 15 bytes or more holds a
 * whole aligned word, so looking at words finds every run that counts: the
 * open run takes the leading bytes equal to it, and the trailing equal bytes
 * may start the next one.
 */
static inline void run_word(struct ms_hist *h, uint64_t w, uint64_t off)
{
	uint64_t x, y;
	unsigned m;

	if (h->run_len && w == REP8(h->run_byte)) {
		h->run_len += 8;
		return;
	}
	if (h->run_len) {
		x = w ^ REP8(h->run_byte);
		h->run_len += (unsigned)__builtin_ctzll(x) / 8;
		run_close(h, off + (unsigned)__builtin_ctzll(x) / 8);
	}
	y = w ^ REP8(w >> 56);
	m = y ? (unsigned)__builtin_clzll(y) / 8 : 8;
	h->run_byte = (uint8_t)(w >> 56);
	h->run_len = m;
}

static void run_byte(struct ms_hist *h, uint8_t c, uint64_t off)
{
	if (h->run_len && c == h->run_byte) {
		h->run_len++;
		return;
	}
	run_close(h, off);
	h->run_byte = c;
	h->run_len = 1;
}

static void run_uniform(struct ms_hist *h, uint8_t c, uint64_t off, uint64_t n)
{
	if (h->run_len && c == h->run_byte) {
		h->run_len += n;
		return;
	}
	run_close(h, off);
	h->run_byte = c;
	h->run_len = n;
}

/* ---- words ---- */

static void word_gap(struct wordent *e, uint64_t off)
{
	uint64_t d = off - e->last;

	e->last = off;
	if (d == e->gap) {
		e->vote++;
		e->gap_hits++;
		e->gap_last = off - d;	/* a whole record, from one word to the next */
	} else if (e->vote == 0) {
		e->gap = d;
		e->vote = 1;
		e->gap_hits = 1;
		e->gap_first = off - d;
	} else {
		e->vote--;
	}
}

static void word_add(struct ms_hist *h, uint64_t v, uint64_t n, uint64_t off)
{
	struct wordent *b = &h->words[(ms_hash64(v) & (h->nword_slots - 1)) & ~(size_t)(WAYS - 1)];
	int i, fr = -1;

	for (i = 0; i < WAYS; i++) {
		if (b[i].count && b[i].value == v) {
			b[i].count += n;
			if (n == 1)
				word_gap(&b[i], off);
			return;
		}
		if (!b[i].count && fr < 0)
			fr = i;
	}
	if (fr >= 0) {
		b[fr] = (struct wordent){ .value = v, .count = n, .first = off, .last = off };
		return;
	}
	/* Misra-Gries within the bucket: the counts kept stay lower bounds. */
	h->approx |= MS_HIST_APPROX_WORDS;
	for (i = 0; i < WAYS; i++)
		b[i].count -= b[i].count < n ? b[i].count : n;
}

/* ---- strings ---- */

static uint64_t hash_str(const char *s, size_t len, int utf16)
{
	return ms_hash64(ms_hash_bytes(s, len, (uint64_t)utf16));
}

static void str_emit(struct ms_hist *h, struct strstate *st, int utf16)
{
	uint64_t len = st->len, hv;
	size_t keep = len < MS_HIST_STRING_MAX ? len : MS_HIST_STRING_MAX;
	struct strent *b, *e = NULL;
	int i;

	st->len = 0;
	/* One character over and over is a run, and counted as one. */
	if (len < h->o.min_string || st->same) {
		st->same = 1;
		return;
	}
	st->same = 1;
	hv = hash_str(st->buf, keep, utf16);
	b = &h->strs[(hv & (h->nstrs_slots - 1)) & ~(size_t)(WAYS - 1)];
	for (i = 0; i < WAYS; i++) {
		if (b[i].text && b[i].hash == hv && b[i].len == keep && b[i].utf16 == utf16 &&
		    !memcmp(b[i].text, st->buf, keep)) {
			b[i].count++;
			b[i].bytes += utf16 ? 2 * len : len;
			if (len > keep)
				b[i].trunc = 1;
			return;
		}
		if (!b[i].text && !e)
			e = &b[i];
	}
	if (!e) {
		/* Full: the string with the fewest bytes in the bucket makes room. */
		h->approx |= MS_HIST_APPROX_STRINGS;
		e = &b[0];
		for (i = 1; i < WAYS; i++)
			if (b[i].bytes < e->bytes)
				e = &b[i];
		free(e->text);
		e->text = NULL;
	}
	e->text = malloc(keep + 1);
	if (!e->text)
		return;
	memcpy(e->text, st->buf, keep);
	e->text[keep] = '\0';
	e->hash = hv;
	e->len = (uint16_t)keep;
	e->utf16 = (uint8_t)utf16;
	e->trunc = len > keep;
	e->count = 1;
	e->bytes = utf16 ? 2 * len : len;
	e->first = st->start;
}

static inline void str_char(struct strstate *st, uint8_t c, uint64_t off)
{
	if (!st->len)
		st->start = off;
	if (st->len < MS_HIST_STRING_MAX)
		st->buf[st->len] = (char)c;
	if (st->len && c != (uint8_t)st->buf[0])
		st->same = 0;
	st->len++;
}

static void strings_ascii(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off)
{
	struct strstate *st = &h->ascii;
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_strchar(p[i]))
			str_char(st, p[i], off + i);
		else if (st->len)
			str_emit(h, st, 0);
	}
}

/*
 * UTF-16LE strings at even offsets.  Returns the pairs that are text, line
 * ends included, and sets *ZERO_PAIRS, for the block class.
 */
static size_t strings_utf16(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			    size_t *zero_pairs)
{
	struct strstate *st = &h->utf16;
	size_t i, text = 0, zero = 0;

	for (i = 0; i + 1 < n; i += 2) {
		if (p[i + 1] == 0 && is_strchar(p[i])) {
			str_char(st, p[i], off + i);
			text++;
			continue;
		}
		zero += p[i] == 0 && p[i + 1] == 0;
		text += p[i + 1] == 0 && (p[i] == '\n' || p[i] == '\r');
		if (st->len)
			str_emit(h, st, 1);
	}
	*zero_pairs = zero;
	return text;
}

/* ---- blocks ---- */

static const char *magic_type(struct ms_hist *h, const uint8_t *p, size_t n, int random)
{
	/* libmagic's answers that say no more than the block class does. */
	static const char *const generic[] = {
		"data", "empty", "very short file", "ASCII text", "Unicode text",
		"UTF-8 Unicode text", "ISO-8859 text", "Non-ISO extended-ASCII text",
		"Little-endian UTF-16 Unicode text", "International EBCDIC text",
		"ASCII", "Unicode", "UTF-8", "ISO-8859", "Non-ISO", "Little-endian UTF-16",
		"Big-endian UTF-16", "EBCDIC", "International",
	};
	const char *t;
	char **nt;
	size_t i;

	if (!h->magic || h->magic_calls >= h->o.magic_max)
		return NULL;
	h->magic_calls++;
	t = magic_buffer(h->magic, p, n);
	if (!t)
		return NULL;
	for (i = 0; i < MS_ARRAY_SIZE(generic); i++)
		if (!strncmp(t, generic[i], strlen(generic[i])))
			return NULL;
	/*
	 * Random bytes match some weak magic ("OpenPGP Secret Key", "COM
	 * executable") now and then; in a random block, believe only formats
	 * that are random-looking themselves.
	 */
	if (random && !strstr(t, "compressed") && !strstr(t, "archive") && !strstr(t, "image data"))
		return NULL;
	for (i = 0; i < h->ntypes; i++)
		if (!strcmp(h->types[i], t))
			return h->types[i];
	nt = realloc(h->types, (h->ntypes + 1) * sizeof(*nt));
	if (!nt)
		return NULL;
	h->types = nt;
	h->types[h->ntypes] = strdup(t);
	return h->types[h->ntypes] ? h->types[h->ntypes++] : NULL;
}

static void region_add(struct ms_hist *h, uint64_t off, size_t n, enum ms_block_class cls,
		       uint8_t fill, const uint8_t *p)
{
	struct ms_hist_region *r = h->nregions ? &h->regions[h->nregions - 1] : NULL;

	h->blocks++;
	h->class_blocks[cls]++;
	h->class_bytes[cls] += n;
	/* Blocks come in order: the breaks behind OFF are behind for good. */
	while (h->next_break < h->o.nbreaks && h->o.breaks[h->next_break] < off)
		h->next_break++;
	if (h->next_break < h->o.nbreaks && h->o.breaks[h->next_break] == off)
		r = NULL;
	if (r && r->cls == cls && r->fill == fill && r->start + r->length == off) {
		r->length += n;
		return;
	}
	if (h->approx & MS_HIST_APPROX_REGIONS)
		return;
	if (h->nregions == MS_HIST_MAX_REGIONS) {
		h->approx |= MS_HIST_APPROX_REGIONS;
		return;
	}
	if (h->nregions == h->aregions) {
		size_t na = h->aregions ? 2 * h->aregions : 64;
		struct ms_hist_region *nr = realloc(h->regions, na * sizeof(*nr));

		if (!nr)
			return;
		h->regions = nr;
		h->aregions = na;
	}
	r = &h->regions[h->nregions++];
	r->start = off;
	r->length = n;
	r->cls = cls;
	r->fill = fill;
	r->type = cls > MS_BLOCK_FILL ? magic_type(h, p, n, cls == MS_BLOCK_RANDOM) : NULL;
}

/* Zero pages: ZERO is 1 when P is known zero, 0 known not, -1 to look. */
static void zero_pages(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off, int zero)
{
	size_t k;

	while (n) {
		k = 4096 - (off & 4095);
		if (k > n)
			k = n;
		if (!(off & 4095))
			h->page_zero = 1;
		if (h->page_zero)
			h->page_zero = zero >= 0 ? zero : (!p[0] && !memcmp(p, p + 1, k - 1));
		off += k;
		p += k;
		n -= k;
		if (!(off & 4095) && h->page_zero)
			h->zero_pages++;
	}
}

static double block_entropy(const struct ms_hist *h, const uint32_t *cnt, size_t n)
{
	double s = 0;
	int i;

	for (i = 0; i < 256; i++)
		if (cnt[i])
			s += h->clog ? h->clog[cnt[i]] : cnt[i] * log2(cnt[i]);
	return log2((double)n) - s / (double)n;
}

static void block_uniform(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off)
{
	uint8_t c = p[0];

	h->hist[c] += n;
	zero_pages(h, p, n, off, c == 0);
	run_uniform(h, c, off, n);
	if (n / 8)
		word_add(h, REP8(c), n / 8, off);
	if (h->ascii.len)
		str_emit(h, &h->ascii, 0);
	if (h->utf16.len)
		str_emit(h, &h->utf16, 1);
	region_add(h, off, n, c ? MS_BLOCK_FILL : MS_BLOCK_ZERO, c, p);
}

static void block_mixed(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off)
{
	uint32_t c4[4][256], cnt[256];
	size_t i, nw = n / 8, text_pairs = 0, zero_pairs = 0, ptrs = 0;
	uint64_t printable = 0, w;
	enum ms_block_class cls;
	size_t top;
	int random;

	memset(c4, 0, sizeof(c4));
	for (i = 0; i + 4 <= n; i += 4) {
		c4[0][p[i]]++;
		c4[1][p[i + 1]]++;
		c4[2][p[i + 2]]++;
		c4[3][p[i + 3]]++;
	}
	for (; i < n; i++)
		c4[0][p[i]]++;
	for (i = 0; i < 256; i++) {
		cnt[i] = c4[0][i] + c4[1][i] + c4[2][i] + c4[3][i];
		h->hist[i] += cnt[i];
		if (is_strchar((uint8_t)i) || i == '\n' || i == '\r')
			printable += cnt[i];
	}
	zero_pages(h, p, n, off, h->o.block_size <= 4096 ? 0 : -1);
	random = block_entropy(h, cnt, n) >= HIGH_ENTROPY;

	for (i = 0; i < nw; i++) {
		memcpy(&w, p + 8 * i, 8);
		run_word(h, w, off + 8 * i);
		if (random)
			continue;
		ptrs += ms_hist_pointer_like(w);
		word_add(h, w, 1, off + 8 * i);
	}
	for (i = 8 * nw; i < n; i++)
		run_byte(h, p[i], off + i);

	if (random) {
		if (h->ascii.len)
			str_emit(h, &h->ascii, 0);
		if (h->utf16.len)
			str_emit(h, &h->utf16, 1);
		region_add(h, off, n, MS_BLOCK_RANDOM, 0, p);
		return;
	}
	strings_ascii(h, p, n, off);
	if (cnt[0] >= h->o.min_string && printable >= h->o.min_string)
		text_pairs = strings_utf16(h, p, n, off, &zero_pairs);
	else if (h->utf16.len)
		str_emit(h, &h->utf16, 1);

	for (i = 1, top = 0; i < 256; i++)
		if (cnt[i] > cnt[top])
			top = i;
	/* Records filled with one byte and a header word between them: a fill. */
	if (top && cnt[top] >= n * 9 / 10)
		cls = MS_BLOCK_FILL;
	else if (n >= 2 && text_pairs >= n / 2 * 2 / 5 && text_pairs + zero_pairs >= n / 2 * 19 / 20)
		cls = MS_BLOCK_UTF16;
	else if (printable >= n * 4 / 5 && printable + cnt[0] >= n * 97 / 100)
		cls = MS_BLOCK_TEXT;
	else if (nw && ptrs >= (nw + 3) / 4)
		cls = MS_BLOCK_POINTERS;
	else
		cls = MS_BLOCK_BINARY;
	region_add(h, off, n, cls, cls == MS_BLOCK_FILL ? (uint8_t)top : 0, p);
}

static void block(struct ms_hist *h, const uint8_t *p, size_t n)
{
	if (!memcmp(p, p + 1, n - 1))
		block_uniform(h, p, n, h->size);
	else
		block_mixed(h, p, n, h->size);
	h->size += n;
}

int ms_hist_feed(struct ms_ctx *ctx, struct ms_hist *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t bs = h->o.block_size, k;
	int rc;

	if (h->finished)
		return ms_err(ctx, -EINVAL, "data fed after the end");
	if (h->scan && (rc = ms_patscan_feed(ctx, h->scan, p, len, false)) < 0)
		return rc;
	if (h->blen) {
		k = bs - h->blen < len ? bs - h->blen : len;
		memcpy(h->blk + h->blen, p, k);
		h->blen += k;
		p += k;
		len -= k;
		if (h->blen < bs)
			return 0;
		block(h, h->blk, bs);
		h->blen = 0;
	}
	for (; len >= bs; p += bs, len -= bs)
		block(h, p, bs);
	memcpy(h->blk, p, len);
	h->blen = len;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	const struct ms_hist_string *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

static int cmp_run(const void *a, const void *b)
{
	const struct ms_hist_run *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

static int cmp_word(const void *a, const void *b)
{
	const struct ms_hist_word *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->first > y->first) - (x->first < y->first);
}

static int collect(struct ms_hist *h)
{
	size_t i, k;

	h->rstrs = calloc(h->nstrs_slots + 1, sizeof(*h->rstrs));
	h->rwords = calloc(h->nword_slots + 1, sizeof(*h->rwords));
	h->rruns = calloc(RUN_EXACT_MAX + 256 * RUN_BUCKETS + 1, sizeof(*h->rruns));
	if (!h->rstrs || !h->rwords || !h->rruns)
		return -ENOMEM;
	for (i = 0; i < h->nstrs_slots; i++) {
		const struct strent *e = &h->strs[i];

		if (!e->text)
			continue;
		h->rstrs[h->nrstrs++] = (struct ms_hist_string){
			.text = e->text, .utf16 = e->utf16, .truncated = e->trunc,
			.count = e->count, .bytes = e->bytes, .first = e->first };
	}
	for (i = 0; i < h->nword_slots; i++) {
		const struct wordent *e = &h->words[i];

		if (!e->count)
			continue;
		h->rwords[h->nrwords++] = (struct ms_hist_word){ e->value, e->count, e->first };
		/*
		 * Records: the word that recurs most often at one stride, leaving
		 * out zero and fill words (any stride fits those) and strides too
		 * short or too long to be a record.
		 */
		if (e->value && e->value != REP8(e->value & 0xff) && e->gap >= 16 &&
		    e->gap <= MS_HIST_RECORD_MAX && e->gap_hits + 1 >= MS_HIST_RECORD_MIN &&
		    e->gap_hits + 1 > h->record.count) {
			h->record.size = e->gap;
			h->record.count = e->gap_hits + 1;
			h->record.first = e->gap_first;
			h->record.last = e->gap_last;
			h->record.word = e->value;
		}
	}
	for (i = 0; i < 2 * RUN_EXACT_MAX; i++) {
		const struct runent *e = &h->runs[i];

		if (e->length)
			h->rruns[h->nrruns++] = (struct ms_hist_run){
				.byte = e->byte, .length = e->length, .count = e->count,
				.bytes = e->count * e->length, .first = e->first };
	}
	for (i = 0; h->rbucket && i < 256; i++)
		for (k = 0; k < RUN_BUCKETS; k++)
			if (h->rbucket[i][k].count)
				h->rruns[h->nrruns++] = h->rbucket[i][k];
	qsort(h->rstrs, h->nrstrs, sizeof(*h->rstrs), cmp_str);
	qsort(h->rwords, h->nrwords, sizeof(*h->rwords), cmp_word);
	qsort(h->rruns, h->nrruns, sizeof(*h->rruns), cmp_run);
	return 0;
}

int ms_hist_finish(struct ms_ctx *ctx, struct ms_hist *h)
{
	int rc;

	if (h->finished)
		return 0;
	if (h->scan && (rc = ms_patscan_feed(ctx, h->scan, NULL, 0, true)) < 0)
		return rc;
	if (h->blen)
		block(h, h->blk, h->blen);
	h->blen = 0;
	run_close(h, h->size);
	if (h->ascii.len)
		str_emit(h, &h->ascii, 0);
	if (h->utf16.len)
		str_emit(h, &h->utf16, 1);
	h->finished = 1;
	if (collect(h) < 0)
		return ms_err(ctx, -ENOMEM, "out of memory");
	return 0;
}

int ms_hist_scan_fd(struct ms_ctx *ctx, struct ms_hist *h, int fd, const char *name)
{
	uint8_t *buf = malloc(READ_CHUNK);
	ssize_t n;
	int rc = 0;

	if (!buf)
		return ms_err(ctx, -ENOMEM, "out of memory");
	while ((n = read(fd, buf, READ_CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ms_err_errno(ctx, -errno, "%s", name);
			break;
		}
		rc = ms_hist_feed(ctx, h, buf, (size_t)n);
		if (rc < 0)
			break;
	}
	free(buf);
	return rc < 0 ? rc : ms_hist_finish(ctx, h);
}

const struct ms_hist_opts *ms_hist_get_opts(const struct ms_hist *h)
{
	return &h->o;
}

uint64_t ms_hist_size(const struct ms_hist *h)
{
	return h->size;
}

uint64_t ms_hist_byte_count(const struct ms_hist *h, uint8_t b)
{
	return h->hist[b];
}

double ms_hist_entropy(const struct ms_hist *h)
{
	double s = 0, n = (double)h->size;
	int i;

	if (!h->size)
		return 0;
	for (i = 0; i < 256; i++)
		if (h->hist[i])
			s -= (double)h->hist[i] / n * log2((double)h->hist[i] / n);
	return s;
}

uint64_t ms_hist_zero_pages(const struct ms_hist *h)
{
	return h->zero_pages;
}

unsigned ms_hist_approximate(const struct ms_hist *h)
{
	return h->approx;
}

uint64_t ms_hist_blocks(const struct ms_hist *h)
{
	return h->blocks;
}

uint64_t ms_hist_class_blocks(const struct ms_hist *h, enum ms_block_class cls)
{
	return (unsigned)cls < MS_BLOCK_NCLASSES ? h->class_blocks[cls] : 0;
}

uint64_t ms_hist_class_bytes(const struct ms_hist *h, enum ms_block_class cls)
{
	return (unsigned)cls < MS_BLOCK_NCLASSES ? h->class_bytes[cls] : 0;
}

size_t ms_hist_string_count(const struct ms_hist *h)
{
	return h->nrstrs;
}

const struct ms_hist_string *ms_hist_string(const struct ms_hist *h, size_t i)
{
	return i < h->nrstrs ? &h->rstrs[i] : NULL;
}

size_t ms_hist_run_count(const struct ms_hist *h)
{
	return h->nrruns;
}

const struct ms_hist_run *ms_hist_run(const struct ms_hist *h, size_t i)
{
	return i < h->nrruns ? &h->rruns[i] : NULL;
}

int ms_hist_record_get(const struct ms_hist *h, struct ms_hist_record *out)
{
	if (!h->record.size)
		return -ENOENT;
	*out = h->record;
	return 0;
}

size_t ms_hist_word_count(const struct ms_hist *h)
{
	return h->nrwords;
}

const struct ms_hist_word *ms_hist_word(const struct ms_hist *h, size_t i)
{
	return i < h->nrwords ? &h->rwords[i] : NULL;
}

size_t ms_hist_region_count(const struct ms_hist *h)
{
	return h->nregions;
}

const struct ms_hist_region *ms_hist_region(const struct ms_hist *h, size_t i)
{
	return i < h->nregions ? &h->regions[i] : NULL;
}

size_t ms_hist_pattern_count(const struct ms_hist *h)
{
	return h->scan ? ms_patscan_count(h->scan) : 0;
}

const struct ms_pattern *ms_hist_pattern(const struct ms_hist *h, size_t i)
{
	return h->scan ? ms_patscan_get(h->scan, i) : NULL;
}
