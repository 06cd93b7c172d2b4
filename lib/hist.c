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
 * that would crowd the tables).
 *
 * A block's work is four stages that share only what the first one tells
 * (struct blkinfo): the scan (bytes, zero pages, class, regions), the runs,
 * the strings and the words.  Each stage's tables are its own, filled in
 * input order, so with opts.jobs the stages run on threads of their own
 * (scan_threads()) and every table, approximate ones too, comes out the same.
 */
#include <errno.h>
#include <magic.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <memsift/hist.h>

#include "hash.h"
#include "internal.h"

/* Runs and words read 8 bytes at a time and take the last byte as the top one. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "hist.c assumes a little-endian machine"
#endif

#define REP8(c) (0x0101010101010101ULL * (uint8_t)(c))
/* The words of a block of N bytes, 64 to a bitmap word (struct blkinfo's rep). */
#define REP_WORDS(n) (((n) / 8 + 63) / 64)
#define WAYS 8			/* entries per hash bucket */
#define RUN_EXACT_MAX 16384	/* distinct (byte, length) pairs counted exactly */
#define RUN_BUCKETS 64		/* power-of-two length buckets past that */
#define HIGH_ENTROPY 7.2	/* bits per byte: above any text or heap block */
#define READ_CHUNK (1 << 20)

/*
 * The stages after the scan in groups, each with fields of its own: the
 * blocks' places (zero pages, regions, libmagic), the strings, the words
 * and runs.
 */
enum { G_PLACE, G_STRINGS, G_WORDS, NGROUPS };

/*
 * The string table, like the word table, in a hot array read for every
 * string (a bucket's hashes, then the bytes that decide evictions: two
 * cache lines) and the entries, read on a hash's match.
 */
struct strhot {
	uint64_t hash[WAYS];	/* 0: free slot */
	uint64_t bytes[WAYS];
};

/*
 * A cache line: short strings, most of them, are kept inline, so a lookup
 * reads one line and no pointer to another.
 */
#define STR_INLINE 34

struct strent {
	uint64_t count, first;
	char *ext;		/* the text when LEN >= STR_INLINE */
	uint16_t len, cap;	/* CAP: EXT's size, kept for the next long string in the slot */
	uint8_t utf16, trunc;
	char in[STR_INLINE];	/* the text when LEN < STR_INLINE */
};

static inline char *str_text(struct strent *e)
{
	return e->len < STR_INLINE ? e->in : e->ext;
}

/*
 * The long strings' texts, from slabs the string stage owns, in sizes of
 * TEXT_STEP bytes: the text of a string given way to goes on its size's
 * free list, for the next long string that fits.  Through malloc() and
 * realloc(), the 65,536 texts of a full table cost 2.5% of a run, and as
 * much again to free.
 */
#define TEXT_STEP 32
#define TEXT_SIZES ((MS_HIST_STRING_MAX + 1 + TEXT_STEP - 1) / TEXT_STEP)
#define TEXT_SLAB (64 * 1024)

struct textslab {
	struct textslab *next;
	char bytes[TEXT_SLAB];
};

struct textpool {
	struct textslab *slabs;
	size_t used;			/* of the first slab */
	char *free[TEXT_SIZES];		/* a free text's first bytes point to the next */
};

/* A text of (K + 1) * TEXT_STEP bytes, or NULL. */
static char *text_get(struct textpool *tp, size_t k)
{
	size_t size = (k + 1) * TEXT_STEP;
	struct textslab *s;
	char *t = tp->free[k];

	if (t) {
		memcpy(&tp->free[k], t, sizeof(t));
		return t;
	}
	if (!tp->slabs || tp->used + size > TEXT_SLAB) {
		if (!(s = malloc(sizeof(*s))))
			return NULL;
		s->next = tp->slabs;
		tp->slabs = s;
		tp->used = 0;
	}
	t = tp->slabs->bytes + tp->used;
	tp->used += size;
	return t;
}

static void text_put(struct textpool *tp, char *t, size_t k)
{
	memcpy(t, &tp->free[k], sizeof(t));
	tp->free[k] = t;
}

static void textpool_free(struct textpool *tp)
{
	struct textslab *s;

	while ((s = tp->slabs)) {
		tp->slabs = s->next;
		free(s);
	}
	memset(tp, 0, sizeof(*tp));
}

/*
 * The shapes of the strings a full table gave way to: an evicted string's
 * count and bytes go to its shape here, so that the shapes' counts lose
 * nothing (ms_hist_shape()).  SHAPE_SLOTS of them, the heaviest kept.
 */
#define SHAPE_SLOTS 4096
#define SHAPE_PROBE 8
struct shapemass {
	uint64_t hash;		/* ms_text_shape_hash() | 1; 0: free */
	uint64_t count, bytes, strings;
	char text[MS_SHAPE_MAX];
};

/*
 * The word table is two arrays of the same slots: the hot one, read for
 * every word (16 bytes a slot, so the default 65,536 fit in a core's L2
 * cache; a bucket's values, then its counts, so its eight compares need no
 * branch), and the cold one, touched only on a hit or an insert.
 */
struct wordhot {
	uint64_t value[WAYS];
	uint64_t count[WAYS];	/* 0: free slot */
	uint64_t first[WAYS];	/* where it was first seen */
};

/*
 * Written only when a word is seen again: a word that comes and goes once
 * (most words of pointer-rich memory) never costs its cold slot a miss.  It
 * is stale until then, and FIRST says whether it is the word's own.
 */
struct wordent {
	uint64_t first;
	/*
	 * Where it was last seen, and the gap it mostly recurs at (a running
	 * majority vote): a word at a fixed stride is a record's header or
	 * a field, and the stride is the record's size.
	 */
	uint64_t last, gap, gap_hits, gap_first, gap_last;
	uint32_t vote;
} __attribute__((aligned(64)));	/* one line: a vote costs one miss, not two */

struct runent {
	uint64_t length;	/* 0: free slot */
	uint64_t count, first;
	uint8_t byte;
};

/* A string found, waiting for its batch to go to the table (str_flush()). */
struct strpend {
	const char *text;	/* the key: its first KEEP characters */
	uint64_t len, start, hv;
	size_t slot;		/* str_flush(): the entry to prefetch */
	uint16_t keep;
};

#define STR_BATCH 32

/*
 * The words of one byte over (zeros, fills) in a block, by byte: all the
 * word stage reads of a block it samples out.  The run stage, on the same
 * thread, finds them as it goes (it looks at exactly those words), so they
 * cost no loop of their own.  Cleared as it is read.
 */
struct fills {
	uint32_t count[256];
	uint32_t first[256];	/* the byte's first such word, by index */
	uint64_t seen[4];	/* a bit per byte with a count */
};

/*
 * A region libmagic may be asked about: one of the o.magic_max largest so
 * far, or the open one, with the first bytes of its first block.
 */
struct magic_cand {
	size_t region;
	size_t n;
	int random;
	uint8_t *bytes;		/* MAGIC_BYTES */
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
	/* Set by the string and word stages, which may run on threads of their own. */
	unsigned approx_strings, approx_words, approx_runs;
	/*
	 * Where the string and word tables began to sample (o.sample), each
	 * set by its own stage: UINT64_MAX while they read every block.  What
	 * such a table finds from there on counts o.sample times.
	 */
	uint64_t ssample_from, wsample_from;
	/* A string the string stage did not read may go on at the start of the next block. */
	bool sskip_ascii, sskip_utf16;
	/*
	 * What the full tables dropped, each on a line of its own: the string
	 * and word stages count on their own threads.  A table samples once it
	 * has dropped as many as it holds: one bucket full early is no reason.
	 */
	char pad0[64];		/* padding, not alignment: calloc() gives 16 */
	uint64_t sdrops;
	char pad1[64];
	uint64_t wdrops;
	char pad2[64];
	int finished;
	int8_t ended[NGROUPS];	/* group_end(): 1 done, -1 out of memory */
	double *clog;		/* c * log2(c) for c <= block_size, or NULL */

	uint8_t *blk;		/* a partial block between feeds */
	uint64_t *rep;		/* a block's words of one byte over (struct blkinfo) */
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
	struct textpool texts;	/* the strings' long texts: the string stage's */
	struct strpend spend[STR_BATCH];
	size_t nspend;
	char sscratch[MS_HIST_STRING_MAX];	/* a queued string begun in an earlier block */
	struct strhot *shot;
	struct strent *strs;
	size_t nstrs_slots;
	uint32_t *sused;	/* the slots taken, in the order taken: a slot is never freed */
	size_t nsused;

	struct wordhot *whot;
	struct fills wfills;	/* the word stage's, with the run stage on its thread */
	uint8_t *wtag;		/* a byte of each slot's word's hash, 0 when free; for word_add_at() */
	struct wordent *words;
	size_t nword_slots;
	uint64_t *wseen;	/* a bit per bucket ever used: Misra-Gries frees slots */
	uint32_t *wused;	/* those buckets, in the order first used */
	size_t nwused;

	uint16_t *rused;	/* the run slots taken, NRUNS of them */

	magic_t magic;
	/* magic_open_region(): the largest regions so far, o.magic_max of them, then the open one */
	struct magic_cand *mc;
	size_t nmc, mc_lo;	/* MC_LO: the kept one a larger region replaces, once all are kept */
	bool mc_open, mc_asked;
	char **types;
	size_t ntypes;

	struct ms_patscan *scan;

	/* results, after ms_hist_finish() */
	struct ms_hist_string *rstrs;
	size_t nrstrs;
	struct shapemass *smass;	/* allocated at the first eviction */
	struct ms_hist_shape *rshapes;
	size_t nrshapes;
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

/* All ones for the bytes of text (string characters and line ends), for a count's AND. */
#define T16(x) [x] = ~0u, [x + 1] = ~0u, [x + 2] = ~0u, [x + 3] = ~0u, [x + 4] = ~0u, \
	[x + 5] = ~0u, [x + 6] = ~0u, [x + 7] = ~0u, [x + 8] = ~0u, [x + 9] = ~0u, \
	[x + 10] = ~0u, [x + 11] = ~0u, [x + 12] = ~0u, [x + 13] = ~0u, [x + 14] = ~0u, \
	[x + 15] = ~0u
static const uint32_t text_mask[256] = {
	['\t'] = ~0u, ['\n'] = ~0u, ['\r'] = ~0u,
	T16(0x20), T16(0x30), T16(0x40), T16(0x50), T16(0x60),
	[0x70] = ~0u, [0x71] = ~0u, [0x72] = ~0u, [0x73] = ~0u, [0x74] = ~0u, [0x75] = ~0u,
	[0x76] = ~0u, [0x77] = ~0u, [0x78] = ~0u, [0x79] = ~0u, [0x7a] = ~0u, [0x7b] = ~0u,
	[0x7c] = ~0u, [0x7d] = ~0u, [0x7e] = ~0u,	/* 0x7f, DEL, is none */
};
#undef T16

/*
 * Eight bytes at a time (SWAR): a mask with the top bit of each byte of W
 * that is a string character (is_strchar()), or that is zero.  No byte's
 * sum carries into the next: each adds at most 0x7f to at most 0x7f.
 */
#define HI8 0x8080808080808080ULL
#define LO7 0x7f7f7f7f7f7f7f7fULL

static inline uint64_t mask_zero(uint64_t w)
{
	return ~(((w & LO7) + LO7) | w) & HI8;
}

static inline uint64_t mask_eq(uint64_t w, uint8_t c)
{
	return mask_zero(w ^ REP8(c));
}

static inline uint64_t mask_strchar(uint64_t w)
{
	uint64_t x = w & LO7;
	uint64_t ge20 = (x + REP8(0x60)) & HI8, lt7f = ~(x + REP8(0x01)) & HI8;

	return ((ge20 & lt7f) | mask_eq(w, '\t')) & ~w & HI8;
}

static inline uint64_t load8(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
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

/*
 * N zeroed entries of SIZE bytes from the kernel, on a 2 MiB boundary and
 * in huge pages where it gives them (THP, "madvise" on Debian).  Its zero
 * pages cost nothing until touched: a memset() of the 10 MiB of tables was
 * most of the start of every run, on the scanning thread before the
 * workers began.  Huge pages spare the hash tables' random probes most of
 * their TLB misses (-j 1 on the mixed bench: 2.5% faster).  Freed with
 * free_lines().
 */
static void *calloc_lines(size_t n, size_t size)
{
	const size_t huge = 2 << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len, head;
	uint8_t *p;

	if (!n || !size || size > (SIZE_MAX - 2 * huge) / n)
		return NULL;
	len = (n * size + page - 1) / page * page;
	p = mmap(NULL, len + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* The mapping's ends outside the aligned LEN go back. */
	head = (huge - ((uintptr_t)p & (huge - 1))) & (huge - 1);
	if (head)
		munmap(p, head);
	munmap(p + head + len, huge - head);
	madvise(p + head, len, MADV_HUGEPAGE);
	return p + head;
}

static void free_lines(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size);
}

/*
 * The fixed tables an analysis fills, 10 MiB at the default budgets, and the
 * lists of what it used in them.  Zeroing and walking them whole cost more
 * than analysing a small dump (bytehist over many small files, the fuzzer),
 * so an analysis freed clears only the slots it used and leaves its tables
 * to the next one of the same sizes, with the c * log2(c) table and the
 * loaded libmagic database.  Two sets are kept, for the process's life: a
 * comparison (bytehist --base) holds two analyses at once.
 */
struct tables {
	size_t nstrs_slots, nword_slots;
	uint64_t block_size;
	struct strhot *shot;
	struct strent *strs;
	uint32_t *sused;
	struct wordhot *whot;
	uint8_t *wtag;
	struct wordent *words;
	uint64_t *wseen;
	uint32_t *wused;
	struct runent *runs;
	uint16_t *rused;
	double *clog;
};

#define SPARES 2

static struct tables spare_tables[SPARES];
static magic_t spare_magic[SPARES];
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;

static void tables_free(struct tables *t)
{
	free_lines(t->shot, t->nstrs_slots / WAYS, sizeof(*t->shot));
	free_lines(t->strs, t->nstrs_slots, sizeof(*t->strs));
	free(t->sused);
	free_lines(t->whot, t->nword_slots / WAYS, sizeof(*t->whot));
	free(t->wtag);
	free_lines(t->words, t->nword_slots, sizeof(*t->words));
	free(t->wseen);
	free(t->wused);
	free(t->runs);
	free(t->rused);
	free(t->clog);
	memset(t, 0, sizeof(*t));
}

static void tables_get(struct tables *t, const struct ms_hist *h)
{
	*t = (struct tables){
		.nstrs_slots = h->nstrs_slots, .nword_slots = h->nword_slots,
		.block_size = h->o.block_size, .shot = h->shot, .strs = h->strs,
		.sused = h->sused, .whot = h->whot, .wtag = h->wtag, .words = h->words,
		.wseen = h->wseen, .wused = h->wused, .runs = h->runs, .rused = h->rused,
		.clog = h->clog };
}

static void tables_put(struct ms_hist *h, const struct tables *t)
{
	h->shot = t->shot;
	h->strs = t->strs;
	h->sused = t->sused;
	h->whot = t->whot;
	h->wtag = t->wtag;
	h->words = t->words;
	h->wseen = t->wseen;
	h->wused = t->wused;
	h->runs = t->runs;
	h->rused = t->rused;
	h->clog = t->clog;
}

/* Make H's tables as new again, at the cost of what it used. */
static void tables_clear(struct ms_hist *h)
{
	size_t i, b;

	for (i = 0; i < h->nsused; i++) {
		struct strent *e = &h->strs[h->sused[i]];

		memset(e, 0, sizeof(*e));
		h->shot[h->sused[i] / WAYS].hash[h->sused[i] % WAYS] = 0;
		h->shot[h->sused[i] / WAYS].bytes[h->sused[i] % WAYS] = 0;
	}
	for (i = 0; i < h->nwused; i++) {
		b = h->wused[i];
		memset(&h->whot[b], 0, sizeof(h->whot[b]));
		memset(h->wtag + b * WAYS, 0, WAYS);
		memset(&h->words[b * WAYS], 0, WAYS * sizeof(*h->words));
		h->wseen[b / 64] = 0;
	}
	for (i = 0; i < h->nruns; i++)
		memset(&h->runs[h->rused[i]], 0, sizeof(*h->runs));
	h->nsused = h->nwused = h->nruns = 0;
}

/* Take the spare tables when they fit H's options; false if H must make its own. */
static bool tables_take(struct ms_hist *h)
{
	struct tables *t;
	bool ok = false;
	int i;

	pthread_mutex_lock(&spare_lock);
	for (i = 0; i < SPARES && !ok; i++) {
		t = &spare_tables[i];
		ok = t->shot && t->nstrs_slots == h->nstrs_slots &&
		     t->nword_slots == h->nword_slots && t->block_size == h->o.block_size;
		if (ok) {
			tables_put(h, t);
			memset(t, 0, sizeof(*t));
		}
	}
	for (i = 0; h->o.magic && !(h->o.skip & MS_HIST_NO_REGIONS) && i < SPARES; i++)
		if (spare_magic[i]) {
			h->magic = spare_magic[i];
			spare_magic[i] = NULL;
			break;
		}
	pthread_mutex_unlock(&spare_lock);
	return ok;
}

/* Leave H's tables (complete ones) and libmagic to the next analysis, or free them. */
static void tables_leave(struct ms_hist *h)
{
	struct tables t, old = { 0 };
	int i;

	tables_get(&t, h);
	if (t.shot && t.strs && t.sused && t.whot && t.wtag && t.words && t.wseen && t.wused &&
	    t.runs && t.rused && (t.clog || t.block_size > 65536)) {
		tables_clear(h);
		pthread_mutex_lock(&spare_lock);
		/* A free place, else the oldest set makes room (the other may be another size). */
		for (i = 0; i < SPARES - 1 && spare_tables[i].shot; i++)
			;
		old = spare_tables[i];
		memmove(&spare_tables[1], &spare_tables[0], i * sizeof(*spare_tables));
		spare_tables[0] = t;
		for (i = 0; i < SPARES && h->magic; i++)
			if (!spare_magic[i]) {
				spare_magic[i] = h->magic;
				h->magic = NULL;
			}
		pthread_mutex_unlock(&spare_lock);
	} else {
		old = t;
	}
	tables_free(&old);
	if (h->magic)
		magic_close(h->magic);
	h->magic = NULL;
}

/* Zero in an option means its default, so callers set only what they change. */
static void opts_defaults(struct ms_hist *h, const struct ms_hist_opts *opts)
{
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
		h->o.magic_max = 64;
	if (!h->o.sample)
		h->o.sample = 8;
}

/*
 * The limits the scanning loops rely on.  Defaults always pass, so an error
 * names an option the caller gave (opts is not NULL then).
 */
static int opts_check(struct ms_ctx *ctx, const struct ms_hist *h, const struct ms_hist_opts *opts)
{
	if (h->o.block_size < 512 || h->o.block_size > (1 << 20) ||
	    (h->o.block_size & (h->o.block_size - 1)))
		return ms_err(ctx, -EINVAL, "block size %llu is not a power of two from 512 to 1M",
			      (unsigned long long)opts->block_size);
	if (h->o.min_string < 2 || h->o.min_string > MS_HIST_STRING_MAX)
		return ms_err(ctx, -EINVAL, "minimum string length %u is not from 2 to %d",
			      opts->min_string, MS_HIST_STRING_MAX);
	if (h->o.min_run < MS_HIST_MIN_RUN)
		return ms_err(ctx, -EINVAL, "minimum run length %u is below %d", opts->min_run,
			      MS_HIST_MIN_RUN);
	if (h->o.sample > 1024 || (h->o.sample & (h->o.sample - 1)))
		return ms_err(ctx, -EINVAL, "sampling of 1 block in %u: %u is not a power of two from 1 to 1024",
			      opts->sample, opts->sample);
	return 0;
}

/*
 * The counting tables, fresh when no spare set (tables_take()) fits.  clog
 * caches c*log2(c) for the entropy of blocks up to 64K; larger blocks
 * compute it.  On failure the caller frees what was allocated.
 */
static int tables_alloc(struct ms_ctx *ctx, struct ms_hist *h)
{
	uint64_t c;

	h->shot = calloc_lines(h->nstrs_slots / WAYS, sizeof(*h->shot));
	h->strs = calloc_lines(h->nstrs_slots, sizeof(*h->strs));
	h->sused = malloc(h->nstrs_slots * sizeof(*h->sused));
	h->whot = calloc_lines(h->nword_slots / WAYS, sizeof(*h->whot));
	h->wtag = calloc(h->nword_slots, 1);
	h->words = calloc_lines(h->nword_slots, sizeof(*h->words));
	h->wseen = calloc((h->nword_slots / WAYS + 63) / 64, sizeof(*h->wseen));
	h->wused = malloc(h->nword_slots / WAYS * sizeof(*h->wused));
	h->runs = calloc(2 * RUN_EXACT_MAX, sizeof(*h->runs));
	h->rused = malloc(RUN_EXACT_MAX * sizeof(*h->rused));
	if (h->o.block_size <= 65536)
		h->clog = malloc((h->o.block_size + 1) * sizeof(double));
	if (!h->shot || !h->strs || !h->sused || !h->whot || !h->wtag || !h->words ||
	    !h->wseen || !h->wused || !h->runs || !h->rused ||
	    (h->o.block_size <= 65536 && !h->clog))
		return ms_err(ctx, -ENOMEM, "out of memory");
	if (h->clog) {
		h->clog[0] = 0;
		for (c = 1; c <= h->o.block_size; c++)
			h->clog[c] = (double)c * log2((double)c);
	}
	return 0;
}

/* libmagic names regions; with none kept its database is not even loaded. */
static int magic_start(struct ms_ctx *ctx, struct ms_hist *h)
{
	if (h->o.magic && !(h->o.skip & MS_HIST_NO_REGIONS) && !h->magic) {
		h->magic = magic_open(MAGIC_NONE);
		if (!h->magic || magic_load(h->magic, NULL) < 0)
			return ms_err(ctx, -EIO, "libmagic: %s",
				      h->magic ? magic_error(h->magic) : "cannot start");
	}
	return 0;
}

int ms_hist_new(struct ms_ctx *ctx, const struct ms_hist_opts *opts, struct ms_hist **out)
{
	struct ms_hist *h;
	int rc;

	h = calloc(1, sizeof(*h));
	if (!h)
		return ms_err(ctx, -ENOMEM, "out of memory");
	opts_defaults(h, opts);
	rc = opts_check(ctx, h, opts);
	if (rc < 0)
		goto fail;
	h->nstrs_slots = pow2_at_least(h->o.string_budget);
	h->nword_slots = pow2_at_least(h->o.word_budget);
	h->blk = malloc(h->o.block_size);
	h->rep = malloc(REP_WORDS(h->o.block_size) * sizeof(*h->rep));
	if (!h->blk || !h->rep) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto fail;
	}
	if (!tables_take(h)) {
		rc = tables_alloc(ctx, h);
		if (rc < 0)
			goto fail;
	}
	rc = magic_start(ctx, h);
	if (rc < 0)
		goto fail;
	h->ascii.same = h->utf16.same = 1;
	h->ssample_from = h->wsample_from = UINT64_MAX;
	*out = h;
	return 0;
fail:
	ms_hist_free(h);
	return rc;
}

void ms_hist_free(struct ms_hist *h)
{
	size_t i;

	if (!h)
		return;
	tables_leave(h);
	textpool_free(&h->texts);
	for (i = 0; i < h->ntypes; i++)
		free(h->types[i]);
	ms_patscan_free(h->scan);
	free(h->types);
	free(h->rbucket);
	free(h->regions);
	free(h->blk);
	free(h->rep);
	free(h->rstrs);
	free(h->smass);
	free(h->rshapes);
	free(h->rruns);
	free(h->rwords);
	for (i = 0; h->mc && i <= h->o.magic_max; i++)
		free(h->mc[i].bytes);
	free(h->mc);
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
	h->approx_runs = MS_HIST_APPROX_RUNS;
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
	h->rused[h->nruns++] = (uint16_t)i;
}

/* Close the open run, which ends at offset END; most are too short to count, and cost a compare. */
static inline void run_close(struct ms_hist *h, uint64_t end)
{
	if (h->run_len >= h->o.min_run)
		run_emit(h, h->run_byte, h->run_len, end - h->run_len);
	h->run_len = 0;
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

/*
 * Whether a sampling table reads the block at OFF: one in o.sample, by a
 * hash of the block's number, so that no stride of the dump (arenas, slabs)
 * lines up with the choice, and a table on another thread makes the same.
 */
static inline bool block_chosen(const struct ms_hist *h, uint64_t off)
{
	return !(ms_hash64(off / h->o.block_size + 1) & (h->o.sample - 1));
}

/* ---- words ---- */

static void word_gap(struct wordent *e, uint64_t off, uint64_t weight)
{
	uint64_t d = off - e->last;

	e->last = off;
	if (d == e->gap) {
		e->vote++;
		e->gap_hits += weight;
		e->gap_last = off - d;	/* a whole record, from one word to the next */
	} else if (e->vote == 0) {
		e->gap = d;
		e->vote = 1;
		e->gap_hits = weight;
		e->gap_first = off - d;
	} else {
		e->vote--;
	}
}

/*
 * V's hash, murmur3's finaliser (every bit of V reaches every bit).  Its
 * low bits pick the bucket, as they always did: the slots words land in,
 * and so the record kept among equal ones (collect() takes the first), do
 * not change.  Its top byte is the tag word_add_at() compares eight at a time.
 */
static inline uint64_t word_hash(uint64_t v)
{
	return ms_hash64(v);
}

/* The first slot of the bucket of the word whose hash is HV. */
static inline size_t word_slot(const struct ms_hist *h, uint64_t hv)
{
	return (size_t)(hv & (h->nword_slots - 1)) & ~(size_t)(WAYS - 1);
}

static inline uint8_t word_tag(uint64_t hv)
{
	return (uint8_t)(hv >> 56) | 1;
}

/* A recurrence whose gap is still to be voted on: the slot, where. */
struct wordhit {
	size_t slot;
	uint64_t off;
};

/*
 * The slot's FIRST is read here, not at the hit, so the hit costs no miss
 * on its line.  A FIRST past the hit means a later word of the batch took
 * the slot over: the vote was for a word gone, whose cold slot nothing
 * reads again (FIRST no longer matches it), so it is skipped.
 */
static void word_vote(struct ms_hist *h, const struct wordhit *x)
{
	struct wordent *e = &h->words[x->slot];
	uint64_t first = h->whot[x->slot / WAYS].first[x->slot % WAYS];

	if (first > x->off)
		return;
	if (e->first != first)
		*e = (struct wordent){ .first = first, .last = first };
	word_gap(e, x->off, x->off >= h->wsample_from ? h->o.sample : 1);
}

/* Out of line: word_add_at() must stay small enough to be inlined in block_words(). */
static __attribute__((noinline)) void word_bucket_seen(struct ms_hist *h, size_t bk)
{
	h->wseen[bk / 64] |= 1ULL << bk % 64;
	h->wused[h->nwused++] = (uint32_t)bk;
}

/*
 * Count N more of V (at OFF) in the bucket at AT.  A recurrence of a word
 * that may have a gap (VOTE: a single word, not a row of fills) returns 1
 * with *X set, for word_vote() to count its gap, which the caller may put
 * off (after prefetching the cold slot): only the gaps of one slot need to
 * be voted on in order.
 */
/* Inlined by force: the compiler's guess left it out of line, 20% more instructions. */
static inline __attribute__((always_inline)) int
word_add_at(struct ms_hist *h, size_t at, uint8_t tag, uint64_t v, uint64_t n, uint64_t off,
	    bool vote, struct wordhit *x)
{
	struct wordhot *b = &h->whot[at / WAYS];
	uint64_t tags = load8(h->wtag + at), m;
	unsigned i;

	for (m = mask_eq(tags, tag); m; m &= m - 1) {
		i = (unsigned)__builtin_ctzll(m) / 8;
		if (b->value[i] != v)
			continue;
		b->count[i] += n;
		if (!vote)
			return 0;
		*x = (struct wordhit){ at + i, off };
		__builtin_prefetch(&b->first[i]);
		return 1;
	}
	if ((m = mask_zero(tags))) {
		size_t bk = at / WAYS;

		if (__builtin_expect(!(h->wseen[bk / 64] & 1ULL << bk % 64), 0))
			word_bucket_seen(h, bk);
		i = (unsigned)__builtin_ctzll(m) / 8;
		h->wtag[at + i] = tag;
		b->value[i] = v;
		b->count[i] = n;
		b->first[i] = off;
		return 0;
	}
	/* Misra-Gries within the bucket: the counts kept stay lower bounds. */
	if (!h->approx_words)	/* written once: the scan thread's fields share its line */
		h->approx_words = MS_HIST_APPROX_WORDS;
	h->wdrops++;
	/* No branch per slot: the slots that reach 0 are freed by one store of their tags. */
	for (i = 0, m = 0; i < WAYS; i++) {
		b->count[i] -= b->count[i] < n ? b->count[i] : n;
		m |= (uint64_t)(b->count[i] == 0) << (8 * i);
	}
	if (m) {
		tags &= ~(m * 0xff);
		memcpy(h->wtag + at, &tags, 8);
	}
	return 0;
}

static void word_add(struct ms_hist *h, uint64_t v, uint64_t n, uint64_t off)
{
	uint64_t hv = word_hash(v);
	struct wordhit x;

	if (word_add_at(h, word_slot(h, hv), word_tag(hv), v, n, off, n == 1, &x))
		word_vote(h, &x);
}

/* ---- strings ---- */

/* The string key's hash.  Only placement depends on it. */
static inline uint64_t hash_str(const char *s, size_t len, int utf16)
{
	return ms_hash_words(s, len, (uint64_t)utf16);
}

/* The slot of the shape whose hash is HV, or of the lightest in its probe window. */
static struct shapemass *shape_slot(struct ms_hist *h, uint64_t hv)
{
	struct shapemass *m, *lo = NULL;
	size_t k;

	for (k = 0; k < SHAPE_PROBE; k++) {
		m = &h->smass[(hv + k) & (SHAPE_SLOTS - 1)];
		if (m->hash == hv || !m->hash)
			return m;
		if (!lo || m->bytes < lo->bytes)
			lo = m;
	}
	return lo;
}

/* The string in E, of BYTES in all, gives way: its shape keeps its count. */
static void shape_evict(struct ms_hist *h, struct strent *e, uint64_t bytes)
{
	char text[MS_SHAPE_MAX];
	uint64_t hv = ms_text_shape_keyed(str_text(e), e->len, text) | 1;
	struct shapemass *m;

	if (!h->smass && !(h->smass = calloc(SHAPE_SLOTS, sizeof(*h->smass))))
		return;
	m = shape_slot(h, hv);
	if (m->hash != hv) {
		if (m->hash) {
			/* Full around it: the lighter of the two shapes is lost. */
			if (!(h->approx_strings & MS_HIST_APPROX_SHAPES))
				h->approx_strings |= MS_HIST_APPROX_SHAPES;
			if (m->bytes >= bytes)
				return;
		}
		*m = (struct shapemass){ .hash = hv };
		/* The shape and its NUL: the rest of TEXT was never written. */
		memcpy(m->text, text, strlen(text) + 1);
	}
	m->count += e->count;
	m->bytes += bytes;
	m->strings++;
}

/*
 * Count a string of LEN characters whose first KEEP (the key) are at TEXT,
 * first seen at START, with HV its hash_str() | 1.
 */
static void str_add(struct ms_hist *h, const char *text, size_t keep, uint64_t len,
		    uint64_t start, uint64_t hv, int utf16)
{
	size_t bk = (hv & (h->nstrs_slots - 1)) / WAYS;
	struct strhot *sb = &h->shot[bk];
	struct strent *b = &h->strs[bk * WAYS], *e;
	/* Begun where the table samples: it stands for o.sample like it. */
	uint64_t wt = start >= h->ssample_from ? h->o.sample : 1;
	int i, fr = -1;
	size_t k = 0;
	char *t = NULL;
	bool fresh;

	for (i = 0; i < WAYS; i++) {
		if (sb->hash[i] == hv && b[i].len == keep && b[i].utf16 == utf16 &&
		    !memcmp(str_text(&b[i]), text, keep)) {
			b[i].count += wt;
			sb->bytes[i] += wt * (utf16 ? 2 * len : len);
			if (len > keep)
				b[i].trunc = 1;
			return;
		}
		if (!sb->hash[i] && fr < 0)
			fr = i;
	}
	fresh = fr >= 0;
	if (!fresh) {
		/* Full: the string with the fewest bytes in the bucket makes room. */
		if (!h->approx_strings)
			h->approx_strings = MS_HIST_APPROX_STRINGS;
		h->sdrops++;
		fr = 0;
		for (i = 1; i < WAYS; i++)
			if (sb->bytes[i] < sb->bytes[fr])
				fr = i;
	}
	e = &b[fr];
	/* An evicted string's text takes the next long one when it is big enough. */
	if (keep >= STR_INLINE && e->cap < keep + 1) {
		k = (keep + TEXT_STEP) / TEXT_STEP - 1;	/* keep + 1 bytes, rounded up */
		if (!(t = text_get(&h->texts, k)))
			return;
	}
	/* Its shape is counted from its text, before the text goes. */
	if (!fresh)
		shape_evict(h, e, sb->bytes[fr]);
	if (t) {
		if (e->ext)
			text_put(&h->texts, e->ext, e->cap / TEXT_STEP - 1);
		e->ext = t;
		e->cap = (uint16_t)((k + 1) * TEXT_STEP);
	}
	e->len = (uint16_t)keep;
	memcpy(str_text(e), text, keep);
	str_text(e)[keep] = '\0';
	if (fresh)
		h->sused[h->nsused++] = (uint32_t)(bk * WAYS + fr);
	sb->hash[fr] = hv;
	sb->bytes[fr] = wt * (utf16 ? 2 * len : len);
	e->utf16 = (uint8_t)utf16;
	e->trunc = len > keep;
	e->count = wt;
	e->first = start;
}

static void str_emit(struct ms_hist *h, struct strstate *st, int utf16)
{
	uint64_t len = st->len;
	size_t keep = len < MS_HIST_STRING_MAX ? len : MS_HIST_STRING_MAX;

	st->len = 0;
	/* One character over and over is a run, and counted as one. */
	if (len < h->o.min_string || st->same) {
		st->same = 1;
		return;
	}
	st->same = 1;
	str_add(h, st->buf, keep, len, st->start, hash_str(st->buf, keep, utf16) | 1, utf16);
}

/*
 * The ASCII strings of a block go to the table in batches, in the order
 * found: each batch's buckets, then their entries, then the entries' texts
 * are prefetched, so the cache misses of a batch overlap instead of coming
 * one string at a time.
 */
static void str_flush(struct ms_hist *h)
{
	struct strpend *q = h->spend;
	size_t i, n = h->nspend, bk;
	int k;

	for (i = 0; i < n; i++) {
		q[i].hv = hash_str(q[i].text, q[i].keep, 0) | 1;
		bk = (q[i].hv & (h->nstrs_slots - 1)) / WAYS;
		__builtin_prefetch(h->shot[bk].hash);
		__builtin_prefetch(h->shot[bk].bytes);
	}
	/* The entry a string will be compared with, or the one it will take. */
	for (i = 0; i < n; i++) {
		const struct strhot *sb;
		int fr = -1, lo = 0;

		bk = (q[i].hv & (h->nstrs_slots - 1)) / WAYS;
		sb = &h->shot[bk];
		for (k = 0; k < WAYS; k++) {
			if (sb->hash[k] == q[i].hv)
				break;
			if (!sb->hash[k] && fr < 0)
				fr = k;
			if (sb->bytes[k] < sb->bytes[lo])
				lo = k;
		}
		q[i].slot = bk * WAYS + (k < WAYS ? k : fr >= 0 ? fr : lo);
		__builtin_prefetch(&h->strs[q[i].slot]);
	}
	/* A long text is read to compare, or, given way to, to be shaped: both want it in cache. */
	for (i = 0; i < n; i++)
		if (h->strs[q[i].slot].len >= STR_INLINE)
			__builtin_prefetch(h->strs[q[i].slot].ext);
	for (i = 0; i < n; i++)
		str_add(h, q[i].text, q[i].keep, q[i].len, q[i].start, q[i].hv, 0);
	h->nspend = 0;
}

static void str_queue(struct ms_hist *h, const char *text, uint64_t len, uint64_t start)
{
	struct strpend *q = &h->spend[h->nspend++];

	q->text = text;
	q->len = len;
	q->keep = len < MS_HIST_STRING_MAX ? (uint16_t)len : MS_HIST_STRING_MAX;
	q->start = start;
	if (h->nspend == STR_BATCH)
		str_flush(h);
}

/*
 * The open ASCII string ends: queue it.  Its text is in the block P (at
 * offset OFF) when it started there; one that started in an earlier block,
 * at most one a block, is copied out of the state that the next string reuses.
 */
static void str_end_ascii(struct ms_hist *h, const uint8_t *p, uint64_t off)
{
	struct strstate *st = &h->ascii;
	uint64_t len = st->len;

	st->len = 0;
	if (len < h->o.min_string || st->same) {
		st->same = 1;
		return;
	}
	st->same = 1;
	if (st->start >= off) {
		str_queue(h, (const char *)p + (st->start - off), len, st->start);
		return;
	}
	memcpy(h->sscratch, st->buf, len < MS_HIST_STRING_MAX ? len : MS_HIST_STRING_MAX);
	str_queue(h, h->sscratch, len, st->start);
}

/* A whole string of LEN characters at S, offset OFF, found inside one window. */
static inline void str_whole(struct ms_hist *h, const uint8_t *s, size_t len, uint64_t off)
{
	if (!memcmp(s, s + 1, len - 1))
		return;
	str_queue(h, (const char *)s, len, off);
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

/* Append the K string characters at S (offset OFF) to the string in ST. */
static void str_chars(struct strstate *st, const uint8_t *s, size_t k, uint64_t off)
{
	size_t i, room;
	uint8_t c0;

	if (!st->len)
		st->start = off;
	room = st->len < MS_HIST_STRING_MAX ? MS_HIST_STRING_MAX - st->len : 0;
	c0 = st->len ? (uint8_t)st->buf[0] : s[0];
	/* A string past MS_HIST_STRING_MAX keeps its start: no pointer past the buffer. */
	if (room)
		memcpy(st->buf + st->len, s, k < room ? k : room);
	for (i = 0; st->same && i < k; i++)
		if (s[i] != c0)
			st->same = 0;
	st->len += k;
}

/*
 * Sixteen bytes at P as a mask, bit K for byte K: string characters, zero
 * bytes, line ends (\n, \r).  SSE2 is in every x86-64; elsewhere two SWAR
 * words, their top bits gathered.
 */
#ifdef __SSE2__
static inline unsigned m16_strchar(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);
	/* Signed compares: bytes from 0x80 are negative, and not above 0x1f. */
	__m128i in = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1f)),
				   _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(in, _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
}

static inline unsigned m16_zero(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
}

static inline unsigned m16_eol(const uint8_t *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)p);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
}
#else
/* The top bits of the bytes of M, as bits 0 to 7. */
static inline unsigned gather8(uint64_t m)
{
	return (unsigned)(((m >> 7) * 0x0102040810204080ULL) >> 56);
}

static inline unsigned m16_strchar(const uint8_t *p)
{
	return gather8(mask_strchar(load8(p))) | gather8(mask_strchar(load8(p + 8))) << 8;
}

static inline unsigned m16_zero(const uint8_t *p)
{
	return gather8(mask_zero(load8(p))) | gather8(mask_zero(load8(p + 8))) << 8;
}

static inline unsigned m16_eol(const uint8_t *p)
{
	uint64_t a = load8(p), b = load8(p + 8);

	return gather8(mask_eq(a, '\n') | mask_eq(a, '\r')) |
	       gather8(mask_eq(b, '\n') | mask_eq(b, '\r')) << 8;
}
#endif

static inline unsigned pop16(unsigned x)
{
	x = x - ((x >> 1) & 0x5555);
	x = (x & 0x3333) + ((x >> 2) & 0x3333);
	x = (x + (x >> 4)) & 0x0f0f;
	return (x + (x >> 8)) & 0x1f;
}

/* The first offset from I on (or N) whose byte is (WANT) or is not (!WANT) a string character. */
static inline size_t str_span(const uint8_t *p, size_t i, size_t n, int want)
{
	unsigned m;

	for (; i + 16 <= n; i += 16) {
		m = m16_strchar(p + i);
		m = want ? m : ~m & 0xffff;
		if (m)
			return i + (unsigned)__builtin_ctz(m);
	}
	while (i < n && is_strchar(p[i]) != want)
		i++;
	return i;
}

/* Sixty-four bytes at P as a mask of string characters, bit K for byte K. */
static inline uint64_t m64_strchar(const uint8_t *p)
{
	return (uint64_t)m16_strchar(p) | (uint64_t)m16_strchar(p + 16) << 16 |
	       (uint64_t)m16_strchar(p + 32) << 32 | (uint64_t)m16_strchar(p + 48) << 48;
}

/*
 * The bits of M that start K or more ones in a row, in doubling steps.
 * More than 64 in a row are in no mask (and the next step would shift by 64).
 */
static inline uint64_t runs_from(uint64_t m, unsigned k)
{
	unsigned have = 1, st;

	if (k > 64)
		return 0;
	while (have < k && m) {
		st = have < k - have ? have : k - have;
		m &= m >> st;
		have += st;
	}
	return m;
}

/*
 * One window of WIDTH (16 or 64) bytes at P + I, M its mask of string
 * characters: the open string goes on or ends, and the runs inside it are
 * strings when long enough.  A window with no run as long as a string and
 * none open at either end costs a few shifts: binary data is full of them.
 */
static inline void str_window(struct ms_hist *h, const uint8_t *p, size_t i, uint64_t off,
			      uint64_t m, unsigned width)
{
	struct strstate *st = &h->ascii;
	unsigned pos, r, k = h->o.min_string;
	uint64_t x;

	if (st->len) {
		/* The string open from before goes on. */
		r = ~m ? (unsigned)__builtin_ctzll(~m) : 64;
		if (r)
			str_chars(st, p + i, r, off + i);
		if (r == width)
			return;
		str_end_ascii(h, p, off);
		m &= ~((2ULL << r) - 1);
	}
	if (!runs_from(m, k) && !(m >> (width - 1)))
		return;
	while (m) {
		pos = (unsigned)__builtin_ctzll(m);
		x = ~(m >> pos);
		r = x ? (unsigned)__builtin_ctzll(x) : 64;
		if (pos + r == width) {
			str_chars(st, p + i + pos, r, off + i + pos);
			return;
		}
		if (r >= k)
			str_whole(h, p + i + pos, r, off + i + pos);
		m &= ~((1ULL << (pos + r)) - 1);
	}
}

/*
 * Strings, 64 bytes at a time, then 16, and the last bytes of the block one
 * run at a time: the runs of string characters are the runs of ones in a
 * window's mask.
 */
static void strings_ascii(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off)
{
	struct strstate *st = &h->ascii;
	size_t i, j;

	for (i = 0; i + 64 <= n; i += 64)
		str_window(h, p, i, off, m64_strchar(p + i), 64);
	for (; i + 16 <= n; i += 16)
		str_window(h, p, i, off, m16_strchar(p + i), 16);
	while (i < n) {
		if (!st->len && (i = str_span(p, i, n, 1)) == n)
			break;
		j = str_span(p, i, n, 0);
		if (j > i)
			str_chars(st, p + i, j - i, off + i);
		if (j == n)
			break;
		str_end_ascii(h, p, off);
		i = j + 1;
	}
	str_flush(h);
}

/* Whether the pair at P is a UTF-16LE string character: (character, 0). */
static inline bool utf16_char(const uint8_t *p)
{
	return p[1] == 0 && is_strchar(p[0]);
}

/* One (character, 0) pair or not, at P; for strings_utf16(). */
static inline void utf16_pair(struct ms_hist *h, struct strstate *st, const uint8_t *p,
			      uint64_t off)
{
	if (utf16_char(p))
		str_char(st, p[0], off);
	else if (st->len)
		str_emit(h, st, 1);
}

/* The (character, 0) pairs of the 64 bytes at P as a mask: bits 2K and 2K + 1 for the pair at 2K. */
static inline uint64_t m64_utf16(const uint8_t *p)
{
	uint64_t m = 0;
	unsigned k;

	for (k = 0; k < 4; k++)
		m |= (uint64_t)(m16_strchar(p + 16 * k) & (m16_zero(p + 16 * k) >> 1) & 0x5555) << 16 * k;
	return m | m << 1;
}

/*
 * UTF-16LE strings at even offsets.  Heap blocks are full of (character, 0)
 * pairs that are no string: a small integer's low bytes, a record's flag.
 * So 32 pairs are looked at in one mask: with no string open, a window
 * whose runs of pairs are all shorter than a string holds nothing to
 * count but the run that ends it, which may go on into the next.  Pair by
 * pair, that was 3% of a run.  A tail of under 64 bytes (a short last
 * block, or one whose first bytes a sampled string's tail took) goes pair
 * by pair.
 */
static void strings_utf16(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off)
{
	struct strstate *st = &h->utf16;
	unsigned run = 2 * h->o.min_string;	/* in the mask's bits */
	size_t i, k;
	uint64_t m;

	for (i = 0; i + 64 <= n; i += 64) {
		m = m64_utf16(p + i);
		if (st->len && !(m & 1))
			str_emit(h, st, 1);
		k = 0;
		if (!st->len && !runs_from(m, run)) {
			/* Only a run that ends the window may be a string's start. */
			if (!(m >> 63))
				continue;
			k = ~m ? 64 - (unsigned)__builtin_clzll(~m) : 0;
		}
		for (; k < 64; k += 2)
			utf16_pair(h, st, p + i + k, off + i + k);
	}
	for (; i + 1 < n; i += 2)
		utf16_pair(h, st, p + i, off + i);
}

/* ---- blocks ---- */

/* libmagic's name for the N bytes at P, or NULL when it says no more than the class. */
static const char *magic_ask(struct ms_hist *h, const uint8_t *p, size_t n, int random)
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

/*
 * libmagic costs some 185 us a call, whatever the block, so it is asked
 * about o.magic_max regions: the largest of those it may name (the first
 * ones on ties), which the block map shows, not the first ones in the
 * dump.  A region's size is known when the next begins, so the first bytes
 * of the open one are kept (MAGIC_BYTES of its first block: libmagic's
 * rules look at a file's start) until then, and the calls are made, in
 * address order, once the scan is over: -j makes them while the workers
 * end their tables.
 */
#define MAGIC_BYTES 65536

/* The open region, REGION, whose first block is at P, may be asked about. */
static void magic_open_region(struct ms_hist *h, size_t region, const uint8_t *p, size_t n,
			      int random)
{
	size_t k = h->o.magic_max;
	struct magic_cand *c;

	if (!h->mc && !(h->mc = calloc(k + 1, sizeof(*h->mc))))
		return;
	c = &h->mc[h->nmc];	/* the slot after the kept ones */
	n = n < MAGIC_BYTES ? n : MAGIC_BYTES;
	if (!c->bytes && !(c->bytes = malloc(h->o.block_size < MAGIC_BYTES ?
					      h->o.block_size : MAGIC_BYTES)))
		return;
	memcpy(c->bytes, p, n);
	c->region = region;
	c->n = n;
	c->random = random;
	h->mc_open = true;
}

/* Of the kept regions, the smallest, the latest of equal ones: it gives way to a larger one only. */
static size_t magic_smallest(const struct ms_hist *h)
{
	size_t i, lo = 0;

	for (i = 1; i < h->nmc; i++) {
		uint64_t li = h->regions[h->mc[i].region].length;
		uint64_t llo = h->regions[h->mc[lo].region].length;

		if (li < llo || (li == llo && h->mc[i].region > h->mc[lo].region))
			lo = i;
	}
	return lo;
}

/* The open region is complete: kept if it is among the largest so far. */
static void magic_close_region(struct ms_hist *h)
{
	struct magic_cand t, *c;

	if (!h->mc_open)
		return;
	h->mc_open = false;
	if (h->nmc < h->o.magic_max) {
		if (++h->nmc == h->o.magic_max)
			h->mc_lo = magic_smallest(h);
		return;
	}
	c = &h->mc[h->nmc];
	if (h->regions[c->region].length <= h->regions[h->mc[h->mc_lo].region].length)
		return;
	t = h->mc[h->mc_lo];
	h->mc[h->mc_lo] = *c;
	*c = t;
	h->mc_lo = magic_smallest(h);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct magic_cand *x = a, *y = b;

	return (x->region > y->region) - (x->region < y->region);
}

/* After the scan: the regions kept, asked about in address order. */
static void magic_ask_regions(struct ms_hist *h)
{
	size_t i;

	if (h->mc_asked)
		return;
	h->mc_asked = true;
	magic_close_region(h);
	if (!h->nmc)
		return;
	qsort(h->mc, h->nmc, sizeof(*h->mc), cmp_cand);
	for (i = 0; i < h->nmc; i++)
		h->regions[h->mc[i].region].type = magic_ask(h, h->mc[i].bytes, h->mc[i].n,
							     h->mc[i].random);
}

static void region_add(struct ms_hist *h, uint64_t off, size_t n, enum ms_block_class cls,
		       uint8_t fill, const uint8_t *p)
{
	struct ms_hist_region *r = h->nregions ? &h->regions[h->nregions - 1] : NULL;

	h->blocks++;
	h->class_blocks[cls]++;
	h->class_bytes[cls] += n;
	if (h->o.skip & MS_HIST_NO_REGIONS)
		return;
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
	magic_close_region(h);
	r = &h->regions[h->nregions++];
	r->start = off;
	r->length = n;
	r->cls = cls;
	r->fill = fill;
	r->type = NULL;
	/*
	 * Not a region of pointers: no file format is one, and libmagic's
	 * weak rules match them ("OpenPGP Public Key"); its calls go to
	 * regions it may name.
	 */
	if (h->magic && cls > MS_BLOCK_FILL && cls != MS_BLOCK_POINTERS)
		magic_open_region(h, h->nregions - 1, p, n, cls == MS_BLOCK_RANDOM);
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

/*
 * Whether a block whose most frequent byte occurs MOST times in N, and
 * DISTINCT byte values, can reach HIGH_ENTROPY: entropy is at most that of
 * the top byte's share, plus the rest's share spread evenly over the other
 * values, so most blocks (text, pointers, records) need no log summed.
 */
static bool maybe_random(uint32_t most, uint32_t distinct, size_t n)
{
	double q = (double)most / (double)n;

	if (distinct < 2 || q >= 1)
		return false;
	return -q * log2(q) - (1 - q) * log2(1 - q) + (1 - q) * log2(distinct - 1) >= HIGH_ENTROPY;
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

/*
 * What the scan of a block (stage A) tells the stages after it, which may
 * run on other threads: the string and word stages, and the in-order one
 * that places the block among the regions (block_place()).
 */
enum { BK_MIXED, BK_UNIFORM, BK_RANDOM };
struct blkinfo {
	uint8_t kind;
	uint8_t byte;		/* BK_UNIFORM: the byte */
	uint8_t utf16;		/* BK_MIXED: enough zeros and text to look for UTF-16 strings */
	uint8_t cls;		/* enum ms_block_class */
	uint8_t fill;		/* MS_BLOCK_FILL: the byte */
	/* Not BK_UNIFORM: a bit per word, set for a word of one byte over (REP_WORDS() of them). */
	const uint64_t *rep;
};

/*
 * Whether a quarter or more of the NW words at P look like pointers.  The
 * words are looked at 64 at a time, until the answer is known either way:
 * in a pointer array, after the first quarter.  All of them, it was a
 * tenth of the scan.
 */
static bool pointers_quarter(const uint8_t *p, size_t nw)
{
	size_t i = 0, end, ptrs = 0, need = (nw + 3) / 4;

	while (i < nw) {
		end = nw - i > 64 ? i + 64 : nw;
		for (; i < end; i++)
			ptrs += ms_hist_pointer_like(load8(p + 8 * i));
		if (ptrs >= need)
			return true;
		if (ptrs + (nw - i) < need)
			return false;
	}
	return false;
}

/* The (text, 0) pairs of P, line ends included, and the (0, 0) pairs, for the block class. */
static size_t utf16_count(const uint8_t *p, size_t n, size_t *zero_pairs)
{
	size_t i, text = 0, zero = 0;
	unsigned z, hi0;

	for (i = 0; i + 16 <= n; i += 16) {
		z = m16_zero(p + i);
		hi0 = (z >> 1) & 0x5555;	/* the pair's second byte is 0 */
		text += pop16((m16_strchar(p + i) | m16_eol(p + i)) & hi0);
		zero += pop16(z & hi0);
	}
	for (; i + 1 < n; i += 2) {
		text += p[i + 1] == 0 && (is_strchar(p[i]) || p[i] == '\n' || p[i] == '\r');
		zero += p[i] == 0 && p[i + 1] == 0;
	}
	*zero_pairs = zero;
	return text;
}

/*
 * The N bytes at P counted by value into CNT, a byte of each word to each
 * of eight tables: a counter waits on its last store, and in memory the
 * same byte is at the same place word after word (a pointer's top zeros, a
 * record's flags), so with one table to a place such a byte's counts do
 * not queue behind each other.  The tables' counts are 16 bits, so that all
 * eight take the L1 lines four of 32 bits did; they are added to CNT each
 * COUNT_SEG bytes, before any of them can overflow.  The loop waits on the
 * counters' stores, so marking the words of one byte over in REP, for the
 * run and word stages, costs nothing here, and spares them a loop over
 * every word.  The loop is as fast as the core issues its instructions: the
 * bytes are taken from 16-bit halves of 32-bit halves, which x86 reads
 * from a register's low and high bytes: four fewer instructions a word
 * than a shift for each byte, and a twentieth off the whole of bytehist -j 1
 * on a heap-like dump.
 */
#define COUNT_SEG (256 * 1024)

static inline __attribute__((always_inline)) void
block_count_as(const uint8_t *p, size_t n, uint32_t *cnt, uint64_t *rep, const bool mark)
{
	uint16_t c8[8][256];
	size_t i = 0, j = 0, end;
	uint64_t w, m;
	uint32_t q;
	unsigned k, kn;

	memset(cnt, 0, 256 * sizeof(*cnt));
	while (i + 8 <= n) {
		memset(c8, 0, sizeof(c8));
		end = n - i > COUNT_SEG ? i + COUNT_SEG : n;
		for (; i + 8 <= end; j++) {
			kn = (end - i) / 8 < 64 ? (unsigned)((end - i) / 8) : 64;
			for (k = 0, m = 0; k < kn; k++, i += 8) {
				w = load8(p + i);
				q = (uint32_t)w;
				c8[0][q & 0xff]++;
				c8[1][(q >> 8) & 0xff]++;
				q >>= 16;
				c8[2][q & 0xff]++;
				c8[3][q >> 8]++;
				q = (uint32_t)(w >> 32);
				c8[4][q & 0xff]++;
				c8[5][(q >> 8) & 0xff]++;
				q >>= 16;
				c8[6][q & 0xff]++;
				c8[7][q >> 8]++;
				if (mark)
					m |= (uint64_t)!((w ^ (w >> 8)) << 8) << k;
			}
			if (mark)
				rep[j] = m;
		}
		for (k = 0; k < 256; k++)
			cnt[k] += (uint32_t)c8[0][k] + c8[1][k] + c8[2][k] + c8[3][k] + c8[4][k] +
				  c8[5][k] + c8[6][k] + c8[7][k];
	}
	for (; i < n; i++)
		cnt[p[i]]++;
}

/* The marks only when a stage reads them: -s summary is the byte counts' loop alone. */
static void block_count(const struct ms_hist *h, const uint8_t *p, size_t n, uint32_t *cnt,
			uint64_t *rep)
{
	if ((h->o.skip & (MS_HIST_NO_RUNS | MS_HIST_NO_WORDS)) == (MS_HIST_NO_RUNS | MS_HIST_NO_WORDS))
		block_count_as(p, n, cnt, rep, false);
	else
		block_count_as(p, n, cnt, rep, true);
}

/*
 * Stage A: the block's byte counts, added to HIST, its class, and the
 * marks in REP.  It reads only the block and H's options, so under -j any
 * thread scans any chunk; what depends on the blocks before (zero pages,
 * regions) is block_place()'s.
 */
static struct blkinfo block_scan(const struct ms_hist *h, const uint8_t *p, size_t n,
				 uint64_t *hist, uint64_t *rep)
{
	uint32_t cnt[256], most = 0, distinct = 0;
	size_t i, nw = n / 8, text_pairs = 0, zero_pairs = 0;
	struct blkinfo bi = { .kind = BK_MIXED, .rep = rep };
	uint64_t printable = 0;
	size_t top;

	if (!memcmp(p, p + 1, n - 1)) {
		bi.kind = BK_UNIFORM;
		bi.byte = p[0];
		bi.cls = p[0] ? MS_BLOCK_FILL : MS_BLOCK_ZERO;
		bi.fill = p[0];
		hist[p[0]] += n;
		return bi;
	}
	block_count(h, p, n, cnt, rep);
	/* Branch-free loops the compiler makes vector code of: they ran a quarter of the scan. */
	for (i = 0; i < 256; i++) {
		hist[i] += cnt[i];
		printable += cnt[i] & text_mask[i];
		most = cnt[i] > most ? cnt[i] : most;
		distinct += cnt[i] != 0;
	}
	if (maybe_random(most, distinct, n) && block_entropy(h, cnt, n) >= HIGH_ENTROPY) {
		bi.kind = BK_RANDOM;
		bi.cls = MS_BLOCK_RANDOM;
		return bi;
	}

	bi.utf16 = cnt[0] >= h->o.min_string && printable >= h->o.min_string;
	/* UTF-16 text needs a zero byte in each of 95% of its pairs: no need to count them otherwise. */
	if (bi.utf16 && cnt[0] >= n / 2 * 19 / 20)
		text_pairs = utf16_count(p, n, &zero_pairs);
	/* Records filled with one byte and a header word between them: a fill. */
	for (top = 0; most >= n * 9 / 10 && cnt[top] != most; top++)
		;
	if (top && most >= n * 9 / 10) {
		bi.cls = MS_BLOCK_FILL;
		bi.fill = (uint8_t)top;
	} else if (n >= 2 && text_pairs >= n / 2 * 2 / 5 && text_pairs + zero_pairs >= n / 2 * 19 / 20)
		bi.cls = MS_BLOCK_UTF16;
	else if (printable >= n * 4 / 5 && printable + cnt[0] >= n * 97 / 100)
		bi.cls = MS_BLOCK_TEXT;
	else if (nw && pointers_quarter(p, nw))
		bi.cls = MS_BLOCK_POINTERS;
	else
		bi.cls = MS_BLOCK_BINARY;
	return bi;
}

/* Stage P, block by block in input order: the block at OFF, scanned, among the zero pages and regions. */
static void block_place(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			struct blkinfo bi)
{
	zero_pages(h, p, n, off, bi.kind == BK_UNIFORM ? p[0] == 0 : h->o.block_size <= 4096 ? 0 : -1);
	region_add(h, off, n, bi.cls, bi.fill, p);
}

static inline void fill_note(struct fills *f, uint8_t c, size_t i)
{
	if (!f->count[c]++) {
		f->first[c] = (uint32_t)i;
		f->seen[c / 64] |= 1ULL << c % 64;
	}
}

/* The tally without the run stage (-s without runs), from the scan's marks. */
static void fills_count(struct fills *f, const uint8_t *p, size_t nw, const uint64_t *rep)
{
	size_t i, j;
	uint64_t m;

	for (j = 0; j < REP_WORDS(8 * nw); j++)
		for (m = rep[j]; m; m &= m - 1) {
			i = 64 * j + (unsigned)__builtin_ctzll(m);
			fill_note(f, p[8 * i], i);
		}
}

/* The open run of BYTE, LEN bytes long, ends in W, the word at OFF, after W's leading equal bytes. */
static inline void run_end(struct ms_hist *h, uint8_t byte, uint64_t len, uint64_t w, uint64_t off)
{
	unsigned k = (unsigned)__builtin_ctzll(w ^ REP8(byte)) / 8;

	len += k;
	if (len >= h->o.min_run)
		run_emit(h, byte, len, off + k - len);
}

/*
 * Stage R: the runs, in every block.  A run long enough to count holds a
 * whole aligned word of its byte, so the words that are one byte over,
 * which the scan marked, are all that need a look: such a word starts a
 * run, taking the equal bytes at the end of the word before it, or goes on
 * with the open one; the first word after it that is not ends the run,
 * taking its leading equal bytes.  The open run is kept in locals, and in
 * H only across blocks.  FL, when set, gets the marked words' tally.
 */
static void block_runs(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
		       struct blkinfo bi, struct fills *fl)
{
	size_t i, j, nw = n / 8, next = 0;	/* NEXT: the first word not looked at */
	uint64_t x, m, len = h->run_len;
	uint8_t byte = h->run_byte, c;

	if (bi.kind == BK_UNIFORM) {
		run_uniform(h, bi.byte, off, n);
		return;
	}
	for (j = 0; j < REP_WORDS(n); j++) {
		for (m = bi.rep[j]; m; m &= m - 1) {
			i = 64 * j + (unsigned)__builtin_ctzll(m);
			c = p[8 * i];
			if (fl)
				fill_note(fl, c, i);
			/* Words not marked in between: the first of them ends the open run. */
			if (i > next && len >= 8) {
				run_end(h, byte, len, load8(p + 8 * next), off + 8 * next);
				len = 0;
			}
			next = i + 1;
			if (len >= 8 && c == byte) {
				len += 8;
				continue;
			}
			if (len >= 8 && len >= h->o.min_run)
				run_emit(h, byte, len, off + 8 * i - len);
			/* A run begins: with the equal bytes that end the word before, if any. */
			if (i)
				x = load8(p + 8 * (i - 1)) ^ load8(p + 8 * i);
			else
				x = byte == c ? 0 : ~0ULL;
			len = 8 + (i ? (x ? (unsigned)__builtin_clzll(x) / 8 : 8) : (x ? 0 : len));
			byte = c;
		}
	}
	if (next < nw && len >= 8) {
		run_end(h, byte, len, load8(p + 8 * next), off + 8 * next);
		len = 0;
	}
	/* The run open at the end: the last word's trailing equal bytes, or the run it continues. */
	if (nw && len < 8) {
		uint64_t w = load8(p + 8 * (nw - 1));

		byte = (uint8_t)(w >> 56);
		x = w ^ REP8(byte);
		len = (unsigned)__builtin_clzll(x) / 8;
	}
	h->run_len = len;
	h->run_byte = byte;
	for (i = 8 * nw; i < n; i++)
		run_byte(h, p[i], off + i);
}

/*
 * A block the sampling string table does not read: the strings open from
 * the block before end in it (or go on through it), and whether one it
 * does not read may go on into the next block is kept, for that block to
 * skip (a string's tail is no string).
 */
static void strings_pass(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			 struct blkinfo bi)
{
	struct strstate *st = &h->ascii;
	size_t j, k;

	h->sskip_ascii = h->sskip_utf16 = false;
	if (bi.kind != BK_MIXED) {
		if (h->ascii.len)
			str_emit(h, &h->ascii, 0);
		if (h->utf16.len)
			str_emit(h, &h->utf16, 1);
		return;
	}
	if (st->len) {
		j = str_span(p, 0, n, 0);
		if (j)
			str_chars(st, p, j, off);
		if (j < n) {
			str_end_ascii(h, p, off);
			str_flush(h);
		}
	}
	if (!st->len)
		h->sskip_ascii = is_strchar(p[n - 1]);
	st = &h->utf16;
	if (st->len && !bi.utf16)
		str_emit(h, st, 1);
	for (k = 0; st->len && k + 1 < n; k += 2)
		utf16_pair(h, st, p + k, off + k);
	if (!st->len && n >= 2 && bi.utf16)
		h->sskip_utf16 = utf16_char(p + n - 2);
}

/*
 * The bytes a sampled block's string scan starts at: past the tail of a
 * string begun in a block not read.
 */
static size_t strings_skip(const struct ms_hist *h, const uint8_t *p, size_t n, int utf16)
{
	size_t k = 0;

	if (!utf16)
		return h->sskip_ascii ? str_span(p, 0, n, 0) : 0;
	if (h->sskip_utf16)
		while (k + 1 < n && utf16_char(p + k))
			k += 2;
	return k;
}

/* Stage S: the strings, not looked for in uniform or random blocks. */
static void block_strings(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			  struct blkinfo bi)
{
	size_t a = 0, u = 0;

	if (h->o.skip & MS_HIST_NO_STRINGS)
		return;
	/* Full: from this block on, the table samples (its counts were no longer exact). */
	if (h->sdrops >= h->nstrs_slots && h->o.sample > 1 && h->ssample_from == UINT64_MAX)
		h->ssample_from = off;
	if (h->ssample_from != UINT64_MAX) {
		if (!block_chosen(h, off)) {
			strings_pass(h, p, n, off, bi);
			return;
		}
		if (bi.kind == BK_MIXED) {
			a = strings_skip(h, p, n, 0);
			u = bi.utf16 ? strings_skip(h, p, n, 1) : 0;
		}
		/* A tail through the whole block goes on into the next. */
		h->sskip_ascii = a == n;
		h->sskip_utf16 = u == n;
	}
	if (bi.kind == BK_MIXED)
		strings_ascii(h, p + a, n - a, off + a);
	else if (h->ascii.len)
		str_emit(h, &h->ascii, 0);
	if (bi.kind == BK_MIXED && bi.utf16)
		strings_utf16(h, p + u, n - u, off + u);
	else if (h->utf16.len)
		str_emit(h, &h->utf16, 1);
}

#define WORD_BATCH 64
#define WORD_AHEAD 12	/* words prefetched ahead: enough in flight, not more than the core tracks */

static inline void word_prefetch(const struct ms_hist *h, size_t at)
{
	__builtin_prefetch(h->wtag + at);
	__builtin_prefetch(h->whot[at / WAYS].value);
	__builtin_prefetch(h->whot[at / WAYS].count);
}

/*
 * A block the sampling word table does not read: its words of one byte
 * over (zeros, fills) still count, exactly, as they are the ones most often
 * on top.  One add for each byte found, at its first word, in byte order.
 */
static void block_fill_words(struct ms_hist *h, struct fills *fl, uint64_t off)
{
	struct wordhit x;
	uint64_t hv, m;
	unsigned k, c;

	for (k = 0; k < 4; k++) {
		for (m = fl->seen[k]; m; m &= m - 1) {
			c = 64 * k + (unsigned)__builtin_ctzll(m);
			hv = word_hash(REP8(c));
			word_add_at(h, word_slot(h, hv), word_tag(hv), REP8(c), fl->count[c],
				    off + 8 * (uint64_t)fl->first[c], false, &x);
			fl->count[c] = 0;
		}
		fl->seen[k] = 0;
	}
}

/*
 * Whether the word stage reads only the words of one byte over in the
 * block at OFF: its table samples, and this block is not one it reads.
 * Asked before the run stage, which then tallies them.
 */
static bool words_fills_only(struct ms_hist *h, uint64_t off, struct blkinfo bi)
{
	if ((h->o.skip & MS_HIST_NO_WORDS) || bi.kind != BK_MIXED)
		return false;
	/* Full: from this block on, the table samples (its counts were no longer exact). */
	if (h->wdrops >= h->nword_slots && h->o.sample > 1 && h->wsample_from == UINT64_MAX)
		h->wsample_from = off;
	return h->wsample_from != UINT64_MAX && !block_chosen(h, off);
}

/*
 * Stage W: the word table, which random blocks stay out of (their words
 * are noise that would crowd it).  The table is far bigger than L1, so each
 * batch's buckets are computed and prefetched first, and their cache misses
 * overlap; so are the cold slots of the words that recurred, whose gaps are
 * voted on last.
 */
static void block_words(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			struct blkinfo bi)
{
	size_t at[WORD_BATCH], i, k, b, nx, nw = n / 8;
	uint8_t tag[WORD_BATCH];
	struct wordhit x[WORD_BATCH];
	uint64_t weight = 1;

	if ((h->o.skip & MS_HIST_NO_WORDS) || bi.kind == BK_RANDOM)
		return;
	if (bi.kind == BK_UNIFORM) {
		if (nw)
			word_add(h, REP8(bi.byte), nw, off);
		return;
	}
	/* words_fills_only() said this block is read; from where the table samples, times o.sample. */
	if (h->wsample_from != UINT64_MAX)
		weight = h->o.sample;
	for (b = 0; b < nw; b += WORD_BATCH) {
		k = nw - b < WORD_BATCH ? nw - b : WORD_BATCH;
		for (i = 0; i < k; i++) {
			uint64_t hv = word_hash(load8(p + 8 * (b + i)));

			at[i] = word_slot(h, hv);
			tag[i] = word_tag(hv);
		}
		for (i = 0; i < k && i < WORD_AHEAD; i++)
			word_prefetch(h, at[i]);
		for (i = 0, nx = 0; i < k; i++) {
			uint64_t w = load8(p + 8 * (b + i));
			size_t same = 1;

			if (i + WORD_AHEAD < k)
				word_prefetch(h, at[i + WORD_AHEAD]);

			/*
			 * A word of one byte over (zeros, fills) is never a record's, so
			 * its gaps need no vote, and a row of them counts at once.
			 */
			if (w == REP8(w)) {
				while (i + same < k && load8(p + 8 * (b + i + same)) == w)
					same++;
				word_add_at(h, at[i], tag[i], w, same, off + 8 * (b + i), false, &x[nx]);
				i += same - 1;
				continue;
			}
			if (word_add_at(h, at[i], tag[i], w, weight, off + 8 * (b + i), true, &x[nx])) {
				__builtin_prefetch(&h->words[x[nx].slot], 1);
				nx++;
			}
		}
		for (i = 0; i < nx; i++)
			word_vote(h, &x[i]);
	}
}

enum { ST_STRINGS = 1, ST_WORDS = 2, ST_RUNS = 4, ST_PLACE = 8, ST_ALL = 15 };

/*
 * The stages after the scan of the block at OFF, those in STAGES.  The run
 * stage tallies the word stage's fills, so the two are on one thread.
 */
static void block_stages(struct ms_hist *h, const uint8_t *p, size_t n, uint64_t off,
			 struct blkinfo bi, unsigned stages)
{
	struct fills *fl = (stages & ST_WORDS) && words_fills_only(h, off, bi) ? &h->wfills : NULL;

	if (stages & ST_PLACE)
		block_place(h, p, n, off, bi);
	if ((stages & ST_RUNS) && !(h->o.skip & MS_HIST_NO_RUNS))
		block_runs(h, p, n, off, bi, fl);
	else if (fl)
		fills_count(fl, p, n / 8, bi.rep);
	if (stages & ST_STRINGS)
		block_strings(h, p, n, off, bi);
	if (fl)
		block_fill_words(h, fl, off);
	else if (stages & ST_WORDS)
		block_words(h, p, n, off, bi);
}

static void block(struct ms_hist *h, const uint8_t *p, size_t n)
{
	struct blkinfo bi = block_scan(h, p, n, h->hist, h->rep);

	block_stages(h, p, n, h->size, bi, ST_ALL);
	h->size += n;
}

int ms_hist_feed(struct ms_ctx *ctx, struct ms_hist *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t bs = h->o.block_size, k;
	int rc;

	if (h->finished)
		return ms_err(ctx, -EINVAL, "data fed after the end");
	if (h->o.tap && (rc = h->o.tap(buf, len, h->o.tap_data)) < 0)
		return rc;
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

/*
 * The strings, words and runs are sorted by a key, largest first, then
 * by where they were first seen: rows of those two and the row's index,
 * sorted with the compares inlined, then the rows moved.  65,536 strings
 * through qsort() and a compare called by pointer took 8 ms.  No two rows
 * share a first offset (one string or run starts there, one word is
 * there), so the index never decides; it keeps the order total all the same.
 */
struct sortrow {
	uint64_t key, first;
	size_t i;
};

static inline bool row_before(const struct sortrow *a, const struct sortrow *b)
{
	if (a->key != b->key)
		return a->key > b->key;
	if (a->first != b->first)
		return a->first < b->first;
	return a->i < b->i;
}

/* Sort R[0..N), with T for N / 2 rows; a merge sort, insertion sort below 16 rows. */
static void rows_sort(struct sortrow *r, struct sortrow *t, size_t n)
{
	size_t h = n / 2, i, j, k;

	if (n <= 16) {
		for (i = 1; i < n; i++) {
			struct sortrow x = r[i];

			for (j = i; j && row_before(&x, &r[j - 1]); j--)
				r[j] = r[j - 1];
			r[j] = x;
		}
		return;
	}
	rows_sort(r, t, h);
	rows_sort(r + h, t, n - h);
	if (!row_before(&r[h], &r[h - 1]))
		return;
	memcpy(t, r, h * sizeof(*r));
	for (i = 0, j = h, k = 0; i < h && j < n;)
		r[k++] = row_before(&r[j], &t[i]) ? r[j++] : t[i++];
	while (i < h)
		r[k++] = t[i++];
}

/*
 * The N rows of SIZE bytes at BASE, whose keys and first offsets are at
 * KEY_AT and FIRST_AT, put in order where they are: the order is sorted,
 * then the rows are moved along its cycles.  A sorted copy took as much
 * memory again, fresh pages for the kernel to fault in and zero (a full
 * string table's rows: 3 MiB).  -ENOMEM leaves them as they were.
 */
static int sort_rows(void *base, size_t n, size_t size, size_t key_at, size_t first_at)
{
	struct sortrow *r, *t;
	char *in = base, *row;
	size_t i, j, from;

	if (n < 2)
		return 0;
	r = malloc(n * sizeof(*r));
	t = malloc((n / 2 + 1) * sizeof(*t));
	row = malloc(size);
	if (!r || !t || !row) {
		free(r);
		free(t);
		free(row);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		memcpy(&r[i].key, in + i * size + key_at, sizeof(uint64_t));
		memcpy(&r[i].first, in + i * size + first_at, sizeof(uint64_t));
		r[i].i = i;
	}
	rows_sort(r, t, n);
	/* Place I takes row R[I].I; a place done is marked R[I].I == I. */
	for (i = 0; i < n; i++) {
		if (r[i].i == i)
			continue;
		memcpy(row, in + i * size, size);
		for (j = i; (from = r[j].i) != i; j = from) {
			memcpy(in + j * size, in + from * size, size);
			r[j].i = j;
		}
		memcpy(in + j * size, row, size);
		r[j].i = j;
	}
	free(r);
	free(t);
	free(row);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * A list of used slots in its table's order, so that entries the sorts
 * find equal come out as they always have.  A list of most of its table
 * (a large input) is rebuilt by a walk of the table, cheaper than sorting it.
 */
static void sort_used_strings(struct ms_hist *h)
{
	size_t i, n;

	if (h->nsused * 8 < h->nstrs_slots) {
		qsort(h->sused, h->nsused, sizeof(*h->sused), cmp_u32);
	} else {
		for (i = n = 0; i < h->nstrs_slots; i++)
			if (h->shot[i / WAYS].hash[i % WAYS])
				h->sused[n++] = (uint32_t)i;
	}
}

static void sort_used_words(struct ms_hist *h)
{
	size_t i, n;

	if (h->nwused * 8 < h->nword_slots / WAYS) {
		qsort(h->wused, h->nwused, sizeof(*h->wused), cmp_u32);
	} else {
		for (i = n = 0; i < h->nword_slots / WAYS; i++)
			if (h->wseen[i / 64] & 1ULL << i % 64)
				h->wused[n++] = (uint32_t)i;
	}
	if (h->nruns * 8 < 2 * RUN_EXACT_MAX) {
		qsort(h->rused, h->nruns, sizeof(*h->rused), cmp_u16);
	} else {
		for (i = n = 0; i < 2 * RUN_EXACT_MAX; i++)
			if (h->runs[i].length)
				h->rused[n++] = (uint16_t)i;
	}
}

static int cmp_shape(const void *a, const void *b)
{
	const struct ms_hist_shape *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* The shape of hash HV among the NRSHAPES found, by SLOT (CAP of them), or a new one. */
static struct ms_hist_shape *shape_of(struct ms_hist *h, uint32_t *slot, uint64_t *key,
				      size_t cap, uint64_t hv, const char *text)
{
	size_t j;

	for (j = hv & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
		if (key[j] == hv)
			return &h->rshapes[slot[j] - 1];
	key[j] = hv;
	slot[j] = (uint32_t)++h->nrshapes;
	h->rshapes[h->nrshapes - 1] = (struct ms_hist_shape){ .count = 0 };
	memcpy(h->rshapes[h->nrshapes - 1].text, text, strlen(text) + 1);
	return &h->rshapes[h->nrshapes - 1];
}

/*
 * The strings kept, and by shape those and the ones given way to.  A kept
 * string is shaped as it is collected, the one time its text is read.
 */
static int collect_strings(struct ms_hist *h)
{
	size_t cap = 64, i, j, n = h->nsused + (h->smass ? SHAPE_SLOTS : 0);
	struct ms_hist_shape *sh;
	char text[MS_SHAPE_MAX];
	uint32_t *slot;
	uint64_t *key, hv;
	int rc = 0;

	while (cap < 2 * n)
		cap *= 2;
	slot = calloc(cap, sizeof(*slot));
	key = malloc(cap * sizeof(*key));
	h->rshapes = malloc((n + 1) * sizeof(*h->rshapes));
	h->rstrs = calloc(h->nsused + 1, sizeof(*h->rstrs));
	if (!slot || !key || !h->rshapes || !h->rstrs) {
		rc = -ENOMEM;
		goto out;
	}
	sort_used_strings(h);
	for (j = 0; j < h->nsused; j++) {
		struct strent *e = &h->strs[i = h->sused[j]];
		struct ms_hist_string *s = &h->rstrs[h->nrstrs++];

		*s = (struct ms_hist_string){
			.text = str_text(e), .utf16 = e->utf16, .truncated = e->trunc,
			.count = e->count, .bytes = h->shot[i / WAYS].bytes[i % WAYS],
			.first = e->first };
		hv = ms_text_shape_keyed(s->text, e->len, text) | 1;
		sh = shape_of(h, slot, key, cap, hv, text);
		sh->count += s->count;
		sh->bytes += s->bytes;
		sh->strings++;
	}
	for (i = 0; h->smass && i < SHAPE_SLOTS; i++) {
		const struct shapemass *m = &h->smass[i];

		if (!m->hash)
			continue;
		sh = shape_of(h, slot, key, cap, m->hash, m->text);
		sh->count += m->count;
		sh->bytes += m->bytes;
		sh->strings += m->strings;
	}
	rc = sort_rows(h->rstrs, h->nrstrs, sizeof(*h->rstrs),
		       offsetof(struct ms_hist_string, bytes), offsetof(struct ms_hist_string, first));
	qsort(h->rshapes, h->nrshapes, sizeof(*h->rshapes), cmp_shape);
out:
	free(slot);
	free(key);
	return rc;
}

/* The words kept, the record among them, and the runs. */
static int collect_words(struct ms_hist *h)
{
	size_t i, k, j;

	h->rwords = calloc(h->nwused * WAYS + 1, sizeof(*h->rwords));
	h->rruns = calloc(h->nruns + (h->rbucket ? 256 * RUN_BUCKETS : 0) + 1, sizeof(*h->rruns));
	if (!h->rwords || !h->rruns)
		return -ENOMEM;
	sort_used_words(h);
	for (j = 0; j < h->nwused * WAYS; j++) {
		const struct wordhot *b = &h->whot[h->wused[j / WAYS]];
		uint64_t value, count, first;
		const struct wordent *e;

		i = h->wused[j / WAYS] * WAYS + j % WAYS;
		value = b->value[i % WAYS];
		count = b->count[i % WAYS];
		first = b->first[i % WAYS];
		e = &h->words[i];
		if (!count)
			continue;
		h->rwords[h->nrwords++] = (struct ms_hist_word){ value, count, first };
		/* A stale cold slot belongs to an evicted word: this one recurred at no gap. */
		if (e->first != first)
			continue;
		/*
		 * Records: the word that recurs most often at one stride, leaving
		 * out zero and fill words (any stride fits those) and strides too
		 * short or too long to be a record.
		 */
		if (value && value != REP8(value & 0xff) && e->gap >= 16 &&
		    e->gap <= MS_HIST_RECORD_MAX && e->gap_hits + 1 >= MS_HIST_RECORD_MIN &&
		    e->gap_hits + 1 > h->record.count) {
			h->record.size = e->gap;
			h->record.count = e->gap_hits + 1;
			h->record.first = e->gap_first;
			h->record.last = e->gap_last;
			h->record.word = value;
		}
	}
	for (j = 0; j < h->nruns; j++) {
		const struct runent *e = &h->runs[h->rused[j]];

		if (e->length)
			h->rruns[h->nrruns++] = (struct ms_hist_run){
				.byte = e->byte, .length = e->length, .count = e->count,
				.bytes = e->count * e->length, .first = e->first };
	}
	for (i = 0; h->rbucket && i < 256; i++)
		for (k = 0; k < RUN_BUCKETS; k++)
			if (h->rbucket[i][k].count)
				h->rruns[h->nrruns++] = h->rbucket[i][k];
	if (sort_rows(h->rruns, h->nrruns, sizeof(*h->rruns),
		      offsetof(struct ms_hist_run, bytes), offsetof(struct ms_hist_run, first)) < 0)
		return -ENOMEM;
	return sort_rows(h->rwords, h->nrwords, sizeof(*h->rwords),
			 offsetof(struct ms_hist_word, count), offsetof(struct ms_hist_word, first));
}

/*
 * The end of a stage group G: what its tables still hold open, then the
 * tables collected; libmagic asked about the regions.  -j ends the groups
 * on any threads, each as soon as its last chunk is done (pipe_work());
 * they share no field.
 */
static void group_end(struct ms_hist *h, unsigned g)
{
	int rc = 0;

	if (g == G_PLACE) {
		magic_ask_regions(h);
	} else if (g == G_STRINGS) {
		if (h->ascii.len)
			str_emit(h, &h->ascii, 0);
		if (h->utf16.len)
			str_emit(h, &h->utf16, 1);
		rc = collect_strings(h);
	} else {
		run_close(h, h->size);
		rc = collect_words(h);
	}
	h->ended[g] = rc < 0 ? -1 : 1;
}

int ms_hist_finish(struct ms_ctx *ctx, struct ms_hist *h)
{
	unsigned g;
	int rc;

	if (h->finished)
		return 0;
	if (h->scan && (rc = ms_patscan_feed(ctx, h->scan, NULL, 0, true)) < 0)
		return rc;
	if (h->blen)
		block(h, h->blk, h->blen);
	h->blen = 0;
	h->finished = 1;
	for (g = 0; g < NGROUPS; g++) {
		if (!h->ended[g])
			group_end(h, g);
		if (h->ended[g] < 0)
			return ms_err(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Read up to LEN bytes, fewer only at the end: a pipe gives less at a time. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

bool ms_hist_is_zstd(const void *head, size_t len)
{
	static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	return len >= 4 && !memcmp(head, magic, 4);
}

/*
 * The input of ms_hist_scan_fd(): the bytes read, or those of a zstd
 * stream (regiondump -z), decompressed as they are read, in memory bounded
 * by zstd's window whatever the dump's size.  Its first bytes decide,
 * read before the rest so a pipe works too.
 */
struct src {
	int fd;
	const char *name;
	ZSTD_DCtx *z;
	uint8_t *in;		/* read and not yet used: IN_POS..IN_LEN */
	size_t in_len, in_pos, in_cap;
	bool in_eof;
	bool frame_open;	/* the last frame is not whole yet */
};

static int src_open(struct ms_ctx *ctx, struct src *s, int fd, const char *name)
{
	ssize_t n;

	*s = (struct src){ .fd = fd, .name = name, .in_cap = ZSTD_DStreamInSize() };
	if (s->in_cap < 4)
		s->in_cap = 4;
	s->in = malloc(s->in_cap);
	if (!s->in)
		return ms_err(ctx, -ENOMEM, "out of memory");
	n = read_full(fd, s->in, 4);
	if (n < 0)
		return ms_err_errno(ctx, -errno, "%s", name);
	s->in_len = (size_t)n;
	if (ms_hist_is_zstd(s->in, s->in_len) && !(s->z = ZSTD_createDCtx()))
		return ms_err(ctx, -ENOMEM, "out of memory");
	s->frame_open = s->z;
	return 0;
}

static void src_close(struct src *s)
{
	ZSTD_freeDCtx(s->z);
	free(s->in);
}

/* Up to LEN bytes of the input into BUF, fewer only at its end; or a negative errno. */
static ssize_t src_read(struct ms_ctx *ctx, struct src *s, uint8_t *buf, size_t len)
{
	ZSTD_outBuffer out = { buf, len, 0 };
	size_t k, r, before, used;
	ssize_t n;

	if (!s->z) {
		k = s->in_len - s->in_pos < len ? s->in_len - s->in_pos : len;
		memcpy(buf, s->in + s->in_pos, k);
		s->in_pos += k;
		n = read_full(s->fd, buf + k, len - k);
		if (n < 0)
			return ms_err_errno(ctx, -errno, "%s", s->name);
		return (ssize_t)k + n;
	}
	while (out.pos < out.size) {
		if (s->in_pos == s->in_len && !s->in_eof) {
			n = read_full(s->fd, s->in, s->in_cap);
			if (n < 0)
				return ms_err_errno(ctx, -errno, "%s", s->name);
			s->in_len = (size_t)n;
			s->in_pos = 0;
			s->in_eof = (size_t)n < s->in_cap;
		}
		before = out.pos;
		used = s->in_pos;
		{
			ZSTD_inBuffer in = { s->in, s->in_len, s->in_pos };

			r = ZSTD_decompressStream(s->z, &out, &in);
			s->in_pos = in.pos;
		}
		if (ZSTD_isError(r))
			return ms_err(ctx, -EBADMSG, "%s: zstd: %s", s->name, ZSTD_getErrorName(r));
		/* 0 when a frame ends; a call that moves nothing says nothing about it. */
		if (out.pos != before || s->in_pos != used)
			s->frame_open = r != 0;
		if (s->in_pos == s->in_len && s->in_eof && out.pos == before) {
			if (s->frame_open)
				return ms_err(ctx, -EBADMSG, "%s: the zstd stream is cut short; is the dump complete?",
					      s->name);
			break;
		}
	}
	return (ssize_t)out.pos;
}

/*
 * -j: a pipeline over chunks of the input.  The calling thread reads the
 * chunks, in order, and feeds them to the pattern scan and the tap.  Each
 * chunk is then scanned (stage A) by any one thread, several chunks at
 * once.  The reader reads ahead while a slot is free, so that a thread
 * with nothing else to do finds a chunk to scan: when it scanned each
 * chunk it read, itself, while its bytes were in its cache, a worker
 * waited a quarter of the time.  The stages after the scan go in groups
 * (the places, the strings, the words with the runs, which tally the
 * words' fills), each group's chunks in input order, one thread at a
 * time, alone with its fields; so every table is filled as by one thread,
 * approximate ones included.  Whichever thread is free takes the next
 * piece of work.  The scan is the largest stage, and the tables read
 * every block until they are full (the first 20 MiB of the mixed bench)
 * at three times its cost: any fixed division of the work left a thread
 * idle in one part or the other.
 */
#define PIPE_SLOTS 4
#define PIPE_WORKERS (PIPE_SLOTS - 1)	/* a chunk in each slot, one read while the others scan */

static const unsigned group_stages[NGROUPS] = { ST_PLACE, ST_STRINGS, ST_WORDS | ST_RUNS };

struct pipe_chunk {
	uint8_t *buf;
	size_t len;
	uint64_t off;
	struct blkinfo *bi;
	uint64_t *rep;		/* the blocks' blkinfo.rep, REP_WORDS(block_size) each */
	uint64_t hist[256];	/* the scan's byte counts, added up in order by G_PLACE */
	bool scanned;
};

struct pipe {
	struct ms_hist *h;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t read;		/* chunks 0..read-1 are read */
	uint64_t scan_next;	/* the chunk scanned next */
	uint64_t published;	/* chunks 0..published-1 are scanned */
	int eof;		/* no chunk after `read` */
	uint64_t next[NGROUPS];	/* the chunk each group takes next */
	bool busy[NGROUPS];	/* a thread has the group's chunk, or its end */
	struct pipe_chunk slot[PIPE_SLOTS];
};

static void chunk_stages(struct ms_hist *h, const struct pipe_chunk *c, unsigned stages)
{
	size_t bs = h->o.block_size, i, k;

	if (stages & ST_PLACE)
		for (i = 0; i < 256; i++)
			h->hist[i] += c->hist[i];
	for (i = 0, k = 0; i < c->len; i += bs, k++) {
		size_t n = c->len - i < bs ? c->len - i : bs;

		block_stages(h, c->buf + i, n, c->off + i, c->bi[k], stages);
	}
}

/* Stage A of chunk C, on any thread: H's fields are not written. */
static void chunk_scan(const struct ms_hist *h, struct pipe_chunk *c)
{
	size_t bs = h->o.block_size, i, k;

	memset(c->hist, 0, sizeof(c->hist));
	for (i = 0, k = 0; i < c->len; i += bs, k++) {
		size_t n = c->len - i < bs ? c->len - i : bs;

		c->bi[k] = block_scan(h, c->buf + i, n, c->hist, c->rep + k * REP_WORDS(bs));
	}
}

/* PP->mu held: the next chunk read, scanned by this thread; published with those before it. */
static void pipe_scan(struct pipe *pp)
{
	struct pipe_chunk *c = &pp->slot[pp->scan_next++ % PIPE_SLOTS];

	pthread_mutex_unlock(&pp->mu);
	chunk_scan(pp->h, c);
	pthread_mutex_lock(&pp->mu);
	c->scanned = true;
	while (pp->published < pp->scan_next && pp->slot[pp->published % PIPE_SLOTS].scanned)
		pp->published++;
	pthread_cond_broadcast(&pp->cv);
}

/* PP->mu held: group G's chunk C, or its end when C is past the last, done by this thread. */
static void pipe_do(struct pipe *pp, unsigned g, uint64_t c)
{
	bool chunk = c < pp->published;	/* read under the lock: the scans move it */

	pp->busy[g] = true;
	pthread_mutex_unlock(&pp->mu);
	if (chunk)
		chunk_stages(pp->h, &pp->slot[c % PIPE_SLOTS], group_stages[g]);
	else
		group_end(pp->h, g);
	pthread_mutex_lock(&pp->mu);
	pp->next[g] = c + 1;
	pp->busy[g] = false;
	pthread_cond_broadcast(&pp->cv);
}

/* PP->mu held: every chunk read is scanned, and no other comes. */
static inline bool pipe_all_scanned(const struct pipe *pp)
{
	return pp->eof && pp->published == pp->read;
}

/*
 * PP->mu held: a group's next chunk, when one is free and scanned, or at
 * the input's end a group's end; else a chunk to scan; done.  False if
 * there was none.  The groups come first: they free the slots.
 */
static bool pipe_work(struct pipe *pp)
{
	unsigned g;

	for (g = 0; g < NGROUPS; g++)
		if (!pp->busy[g] && (pp->next[g] < pp->published ||
				     (pipe_all_scanned(pp) && pp->next[g] == pp->published))) {
			pipe_do(pp, g, pp->next[g]);
			return true;
		}
	if (pp->scan_next < pp->read) {
		pipe_scan(pp);
		return true;
	}
	return false;
}

/* PP->mu held: every group has done every chunk, and its end. */
static bool pipe_drained(const struct pipe *pp)
{
	unsigned g;

	if (!pipe_all_scanned(pp))
		return false;
	for (g = 0; g < NGROUPS; g++)
		if (pp->next[g] <= pp->published)
			return false;
	return true;
}

/* A worker: any work there is, until the input's end and the last group's end. */
static void *pipe_worker(void *arg)
{
	struct pipe *pp = arg;

	pthread_mutex_lock(&pp->mu);
	for (;;) {
		if (pipe_work(pp))
			continue;
		if (pipe_drained(pp))
			break;
		pthread_cond_wait(&pp->cv, &pp->mu);
	}
	pthread_mutex_unlock(&pp->mu);
	return NULL;
}

/*
 * The chunk buffers and the lock, then NW workers.  *started is how many
 * threads pipe_finish() must join, also when this fails half-way.
 */
static int pipe_start(struct ms_ctx *ctx, struct pipe *pp, pthread_t *tid, unsigned nw,
		      size_t *started)
{
	size_t i, nblk = READ_CHUNK / pp->h->o.block_size;
	int rc = 0;

	for (i = 0; i < PIPE_SLOTS; i++) {
		pp->slot[i].buf = malloc(READ_CHUNK);
		pp->slot[i].bi = malloc(nblk * sizeof(*pp->slot[i].bi));
		pp->slot[i].rep = malloc(nblk * REP_WORDS(pp->h->o.block_size) * sizeof(uint64_t));
		if (!pp->slot[i].buf || !pp->slot[i].bi || !pp->slot[i].rep)
			rc = ms_err(ctx, -ENOMEM, "out of memory");
	}
	pthread_mutex_init(&pp->mu, NULL);
	pthread_cond_init(&pp->cv, NULL);
	for (i = 0; !rc && i < nw; i++)
		if ((errno = pthread_create(&tid[i], NULL, pipe_worker, pp)) != 0)
			rc = ms_err_errno(ctx, -errno, "cannot start a thread");
	*started = rc ? (i ? i - 1 : 0) : nw;
	return rc;
}

/* PP->mu held: chunk C's slot is free, every group done with the chunk it held. */
static inline bool pipe_slot_free(const struct pipe *pp, uint64_t c)
{
	unsigned g;

	for (g = 0; g < NGROUPS; g++)
		if (pp->next[g] + PIPE_SLOTS <= c)
			return false;
	return true;
}

/* The workers are gone: what pipe_start() made. */
static void pipe_finish(struct pipe *pp, pthread_t *tid, size_t started)
{
	size_t i;

	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&pp->cv);
	pthread_mutex_destroy(&pp->mu);
	for (i = 0; i < PIPE_SLOTS; i++) {
		free(pp->slot[i].buf);
		free(pp->slot[i].bi);
		free(pp->slot[i].rep);
	}
}

/*
 * PP->mu held: the next chunk read into its slot, unlocked meanwhile, and
 * fed to the pattern scan and the tap, which take the input in order.  At
 * the end or an error, PP->eof.
 */
static int pipe_read(struct ms_ctx *ctx, struct pipe *pp, struct src *in)
{
	struct ms_hist *h = pp->h;
	struct pipe_chunk *ch = &pp->slot[pp->read % PIPE_SLOTS];
	ssize_t n;
	int rc = 0;

	pthread_mutex_unlock(&pp->mu);
	n = src_read(ctx, in, ch->buf, READ_CHUNK);
	if (n < 0)
		rc = (int)n;
	else if (n > 0 && h->scan)
		rc = ms_patscan_feed(ctx, h->scan, ch->buf, (size_t)n, false);
	if (n > 0 && rc >= 0 && h->o.tap)
		rc = h->o.tap(ch->buf, (size_t)n, h->o.tap_data);
	pthread_mutex_lock(&pp->mu);
	if (n <= 0 || rc < 0) {
		pp->eof = 1;
		pthread_cond_broadcast(&pp->cv);
		return rc;
	}
	ch->len = (size_t)n;
	ch->off = h->size;
	ch->scanned = false;
	h->size += (size_t)n;
	pp->read++;
	if ((size_t)n < READ_CHUNK)
		pp->eof = 1;
	pthread_cond_broadcast(&pp->cv);
	return 0;
}

static int scan_threads(struct ms_ctx *ctx, struct ms_hist *h, struct src *in)
{
	struct pipe pp = { .h = h };
	unsigned nw = h->o.jobs - 1 < PIPE_WORKERS ? h->o.jobs - 1 : PIPE_WORKERS;
	pthread_t tid[PIPE_WORKERS];
	size_t started;
	int rc;

	rc = pipe_start(ctx, &pp, tid, nw, &started);
	pthread_mutex_lock(&pp.mu);
	/* An error ends the input: no read follows one. */
	if (rc < 0)
		pp.eof = 1;
	for (;;) {
		if (!pp.eof && pipe_slot_free(&pp, pp.read)) {
			rc = pipe_read(ctx, &pp, in);
			continue;
		}
		if (pipe_work(&pp))
			continue;
		if (pipe_drained(&pp))
			break;
		/* A group's chunk or a scan is on another thread. */
		pthread_cond_wait(&pp.cv, &pp.mu);
	}
	pthread_mutex_unlock(&pp.mu);
	pipe_finish(&pp, tid, started);
	return rc;
}

int ms_hist_scan_fd(struct ms_ctx *ctx, struct ms_hist *h, int fd, const char *name)
{
	uint8_t *buf = NULL;
	struct src in;
	ssize_t n;
	int rc;

	if ((rc = src_open(ctx, &in, fd, name)) < 0)
		goto out;
	/* Threads only from the start: a partial block between feeds is the caller's. */
	if (h->o.jobs > 1 && !h->size && !h->blen && !h->finished) {
		rc = scan_threads(ctx, h, &in);
		goto out;
	}
	buf = malloc(READ_CHUNK);
	if (!buf) {
		rc = ms_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	while ((n = src_read(ctx, &in, buf, READ_CHUNK)) > 0)
		if ((rc = ms_hist_feed(ctx, h, buf, (size_t)n)) < 0)
			break;
	if (n < 0)
		rc = (int)n;
out:
	free(buf);
	src_close(&in);
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
	return h->approx | h->approx_strings | h->approx_words | h->approx_runs;
}

unsigned ms_hist_sampled(const struct ms_hist *h, unsigned table, uint64_t *from)
{
	uint64_t at = table == MS_HIST_APPROX_WORDS ? h->wsample_from :
		      table == MS_HIST_APPROX_STRINGS ? h->ssample_from : UINT64_MAX;

	if (at == UINT64_MAX)
		return 0;
	if (from)
		*from = at;
	return h->o.sample;
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

size_t ms_hist_shape_count(const struct ms_hist *h)
{
	return h->nrshapes;
}

const struct ms_hist_shape *ms_hist_shape(const struct ms_hist *h, size_t i)
{
	return i < h->nrshapes ? &h->rshapes[i] : NULL;
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
