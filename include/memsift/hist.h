/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a region of memory is made of: one streaming pass over a dump that
 * counts its bytes, classes its blocks, groups its repeated-byte runs and
 * counts its strings, its most frequent 8-byte words and user patterns.
 *
 * Memory stays bounded whatever the input size: the block map keeps at most
 * MS_HIST_MAX_REGIONS regions, and strings, runs and words are counted in
 * tables of a fixed budget.  When a table had to drop or bucket an item,
 * ms_hist_approximate() says which counts are lower bounds.
 *
 *	ms_hist_new(ctx, &opts, &h);
 *	ms_hist_add_pattern(ctx, h, "deadbeef");
 *	while ((n = read(fd, buf, sizeof(buf))) > 0)
 *		ms_hist_feed(ctx, h, buf, n);
 *	ms_hist_finish(ctx, h);
 *	... ms_hist_size(h), ms_hist_byte_count(h, 'T'), ms_hist_string(h, 0) ...
 *	ms_hist_free(h);
 *
 * Offsets are from the start of the input; turning them into addresses
 * (with the regiondump manifest, <memsift/manifest.h>) is the presenter's.
 */
#ifndef MEMSIFT_HIST_H
#define MEMSIFT_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <memsift/cluster.h>
#include <memsift/ctx.h>
#include <memsift/pattern.h>

struct ms_hist;

/* The class of a block, in the order they are tested. */
enum ms_block_class {
	MS_BLOCK_ZERO = 0,	/* every byte 0 */
	MS_BLOCK_FILL,		/* 90% or more of its bytes one non-zero value */
	MS_BLOCK_UTF16,		/* UTF-16LE text: (printable, 0) pairs at even offsets */
	MS_BLOCK_TEXT,		/* ASCII or UTF-8 text, NUL separators allowed */
	MS_BLOCK_POINTERS,	/* a quarter or more of its 8-byte words look like pointers */
	MS_BLOCK_RANDOM,	/* high entropy: compressed, encrypted or random */
	MS_BLOCK_BINARY,	/* anything else: low-entropy binary */
	MS_BLOCK_NCLASSES
};

/* Bits of ms_hist_approximate(): which counts are lower bounds. */
enum {
	MS_HIST_APPROX_STRINGS = 1,	/* the string table was full: some dropped */
	MS_HIST_APPROX_RUNS = 2,	/* some runs counted by length bucket only */
	MS_HIST_APPROX_WORDS = 4,	/* the word table was full: counts are lower bounds */
	MS_HIST_APPROX_REGIONS = 8,	/* the region list stopped at MS_HIST_MAX_REGIONS */
	MS_HIST_APPROX_SHAPES = 16,	/* some evicted strings' shapes were not kept */
};

#define MS_HIST_MIN_RUN 16		/* runs are found word by word: 15 or more */
#define MS_HIST_STRING_MAX 256		/* longer strings are keyed by this prefix */
#define MS_HIST_MAX_REGIONS 65536
#define MS_HIST_MAX_PATTERNS 16
#define MS_HIST_PATTERN_MAX MS_PATTERN_HEX_MAX		/* longest -e pattern, in bytes */
#define MS_HIST_REGEX_WINDOW MS_PATTERN_REGEX_WINDOW	/* longest -E match across chunks */

/*
 * Bits of ms_hist_opts.skip: tables not built, for a caller that will not
 * show them (bytehist -s summary).  Their getters then give none, and their
 * MS_HIST_APPROX_* bits stay clear.  The byte counts, zero pages and block
 * classes are always counted.
 */
enum {
	MS_HIST_NO_RUNS = 1,		/* no run table */
	MS_HIST_NO_STRINGS = 2,		/* no string table */
	MS_HIST_NO_WORDS = 4,		/* no word table, hence no record */
	MS_HIST_NO_REGIONS = 8,		/* no region list (nor libmagic's types) */
};

/* Options; zero fields take the defaults given. */
struct ms_hist_opts {
	uint64_t block_size;	/* a power of two, 512..1M; default 4096 */
	unsigned min_string;	/* characters, 2..MS_HIST_STRING_MAX; default 6 */
	unsigned min_run;	/* bytes, MS_HIST_MIN_RUN or more; default MS_HIST_MIN_RUN */
	size_t string_budget;	/* distinct strings kept; default 65536 */
	size_t word_budget;	/* distinct words kept; default 65536 */
	/*
	 * Once the string or the word table is full (its counts no longer
	 * exact), that table reads one block in SAMPLE from the next block on,
	 * chosen by a hash of the block's number, and counts what it finds
	 * there SAMPLE times: its counts become estimates, at a fraction of the
	 * cost.  Words of one byte over (zeros, fills) are still counted in
	 * every block.  A power of two up to 1024; 0: 8; 1: never sample.
	 */
	unsigned sample;
	bool magic;		/* ask libmagic about the first block of the largest regions */
	unsigned magic_max;	/* that many of them (not pointers, zeros, fills); default 64 */
	/*
	 * Offsets, in increasing order, at which a region must end because the
	 * dump jumps there from one address range to another (a manifest's
	 * ranges); borrowed, may be NULL.
	 */
	const uint64_t *breaks;
	size_t nbreaks;
	unsigned skip;		/* MS_HIST_NO_*; 0: every table */
	/*
	 * Threads for ms_hist_scan_fd(): 1 (or 0) scans in the caller's; 2 or
	 * more share the scan of the bytes and fill the tables beside it, on up
	 * to four threads (4 MiB of buffers between them); the caller's reads.
	 * The results are the same either way.
	 */
	unsigned jobs;
	/*
	 * Another consumer of the same bytes (bytehist --symbols counts the
	 * words), so the input is read once: called with every piece of the
	 * input, in order, on the calling thread whatever opts.jobs: from
	 * ms_hist_feed() with what it was given, from ms_hist_scan_fd() with
	 * its 1 MiB reads.  A negative return stops the analysis and is
	 * returned.  NULL: none.
	 */
	int (*tap)(const void *buf, size_t len, void *data);
	void *tap_data;
};

/* A run of one byte value: COUNT runs of exactly LENGTH bytes BYTE. */
struct ms_hist_run {
	uint8_t byte;
	bool bucket;		/* LENGTH is a power-of-two bucket: LENGTH..2*LENGTH-1 */
	uint64_t length;
	uint64_t count;
	uint64_t bytes;		/* total bytes in these runs */
	uint64_t first;		/* offset of the first one */
};

/* A string and how often it occurs. */
struct ms_hist_string {
	const char *text;	/* NUL-terminated, at most MS_HIST_STRING_MAX bytes */
	bool utf16;		/* found as UTF-16LE (TEXT holds its ASCII) */
	bool truncated;		/* longer than TEXT: keyed by this prefix */
	uint64_t count;
	uint64_t bytes;		/* total bytes of all its occurrences */
	uint64_t first;		/* offset of the first one */
};

/*
 * Strings of one shape (ms_text_shape(): digit and hex runs folded to #),
 * counted whole: with the strings a full table gave way to.
 */
struct ms_hist_shape {
	char text[MS_SHAPE_MAX];
	uint64_t count;		/* occurrences */
	uint64_t bytes;		/* their total bytes */
	/*
	 * Different strings of the shape as they entered the table: exact
	 * while it is not full; then one evicted and found again counts again.
	 */
	uint64_t strings;
};

/* An 8-byte aligned word (native byte order) and how often it occurs. */
struct ms_hist_word {
	uint64_t value;
	uint64_t count;
	uint64_t first;
};

/*
 * Repeating structure: a word recurring at a fixed stride, COUNT times in a
 * row (interruptions aside) from offset FIRST: records of SIZE bytes, such
 * as malloc chunks of one size whose size field is the word.
 */
struct ms_hist_record {
	uint64_t size;		/* the stride, in bytes */
	uint64_t count;		/* occurrences at that stride */
	uint64_t first;		/* offset of the word in the first record of the streak */
	uint64_t last;		/* offset of the last whole record: a typical one, to show */
	uint64_t word;
};

#define MS_HIST_RECORD_MIN 8		/* records fewer than this are not reported */
#define MS_HIST_RECORD_MAX 65536	/* the longest stride looked for */

/* A stretch of consecutive blocks of one class (and one fill byte). */
struct ms_hist_region {
	uint64_t start;
	uint64_t length;
	enum ms_block_class cls;
	uint8_t fill;		/* MS_BLOCK_FILL: the byte */
	const char *type;	/* libmagic's description of its first block, or NULL */
};

/*
 * Create an analysis with OPTS (NULL for the defaults).  On success *OUT
 * owns it; release it with ms_hist_free().
 *
 * Returns: 0, -EINVAL on a bad option (the message names it), -ENOMEM, or
 * -EIO when libmagic was asked for and cannot load its database.
 */
int ms_hist_new(struct ms_ctx *ctx, const struct ms_hist_opts *opts, struct ms_hist **out);

/*
 * Release H; NULL is accepted.  Its tables (about 10 MiB at the default
 * budgets), cleared of what it used, and its libmagic database are kept for
 * the next ms_hist_new() with the same budgets and block size, so a small
 * input costs in proportion to its size; one set is kept per process.
 */
void ms_hist_free(struct ms_hist *h);

/*
 * Count the occurrences of a byte string given in HEX ("deadbeef", "de ad
 * be ef", "0xdeadbeef"; 1 to MS_HIST_PATTERN_MAX bytes), overlapping ones
 * included.  Call before the first ms_hist_feed().
 *
 * Returns: 0, -EINVAL (not hex, odd digits, too long, too many patterns),
 * -EBUSY after feeding started, or -ENOMEM.
 */
int ms_hist_add_pattern(struct ms_ctx *ctx, struct ms_hist *h, const char *hex);

/*
 * Count the matches of a PCRE2 regular expression over the bytes (no UTF
 * mode: "." is any byte), each match counted once, without overlaps.
 * Matches longer than MS_HIST_REGEX_WINDOW bytes may be missed where the
 * input was fed in pieces.  Call before the first ms_hist_feed().
 *
 * Returns: 0, -EINVAL (does not compile: the message says where), -EBUSY,
 * or -ENOMEM.
 */
int ms_hist_add_regex(struct ms_ctx *ctx, struct ms_hist *h, const char *re);

/*
 * Analyse the next LEN bytes of the input.  Any split of the input into
 * pieces gives the same results, except for regex matches longer than
 * MS_HIST_REGEX_WINDOW.
 *
 * Returns: 0, -EINVAL after ms_hist_finish(), or -ENOMEM.
 */
int ms_hist_feed(struct ms_ctx *ctx, struct ms_hist *h, const void *buf, size_t len);

/*
 * Finish: analyse the last partial block and close open runs and strings,
 * then sort the results (strings and runs by total bytes, words by count,
 * largest first).  The getters below are valid only after this.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_hist_finish(struct ms_ctx *ctx, struct ms_hist *h);

/*
 * Read FD to its end in 1 MiB reads, feeding each to H, then finish.  A
 * zstd stream (regiondump -z: ms_hist_is_zstd() of its first bytes) is
 * decompressed as it is read, in bounded memory, and its bytes analysed.
 * NAME is used only in messages.  With opts.jobs above 1, and nothing fed
 * before, the work is shared by threads (opts.jobs).
 *
 * Returns: 0, the read(2) error as a negative errno, -EBADMSG on a broken
 * or truncated zstd stream (the message says which), -ENOMEM, or -EAGAIN
 * (or another pthread_create(3) error) when a thread cannot start.
 */
int ms_hist_scan_fd(struct ms_ctx *ctx, struct ms_hist *h, int fd, const char *name);

/* Whether the LEN bytes at HEAD start a zstd frame (magic 28 b5 2f fd). */
bool ms_hist_is_zstd(const void *head, size_t len);

/* The options in force, defaults filled in. */
const struct ms_hist_opts *ms_hist_get_opts(const struct ms_hist *h);

/* Bytes analysed. */
uint64_t ms_hist_size(const struct ms_hist *h);

/* How many bytes of value B there are. */
uint64_t ms_hist_byte_count(const struct ms_hist *h, uint8_t b);

/* Shannon entropy of the whole input, in bits per byte (0 to 8); 0 when empty. */
double ms_hist_entropy(const struct ms_hist *h);

/* Whole 4 KiB pages, at offsets that are multiples of 4096, that are all zero. */
uint64_t ms_hist_zero_pages(const struct ms_hist *h);

/* A mask of MS_HIST_APPROX_* bits; 0 when every count is exact. */
unsigned ms_hist_approximate(const struct ms_hist *h);

/*
 * How the table MS_HIST_APPROX_STRINGS or MS_HIST_APPROX_WORDS was sampled:
 * 0 when it was not (its counts are exact, or lower bounds when full), else
 * the one-in-N it read, from *FROM (an offset) on.
 */
unsigned ms_hist_sampled(const struct ms_hist *h, unsigned table, uint64_t *from);

/* Blocks (the last one may be partial), and those of class CLS. */
uint64_t ms_hist_blocks(const struct ms_hist *h);
uint64_t ms_hist_class_blocks(const struct ms_hist *h, enum ms_block_class cls);

/* Bytes in blocks of class CLS (the last partial block counts its real size). */
uint64_t ms_hist_class_bytes(const struct ms_hist *h, enum ms_block_class cls);

/* The class's name: "zero", "fill", "utf16", "text", "pointers", "random", "binary". */
const char *ms_block_class_str(enum ms_block_class cls);

/*
 * The results, ranked, each borrowed from H.  I counts from 0; out of range
 * gives NULL.  Strings and runs are ranked by total bytes, words by count;
 * ties go to the one found first.
 */
size_t ms_hist_string_count(const struct ms_hist *h);
const struct ms_hist_string *ms_hist_string(const struct ms_hist *h, size_t i);
/* The shapes of the strings, most bytes first. */
size_t ms_hist_shape_count(const struct ms_hist *h);
const struct ms_hist_shape *ms_hist_shape(const struct ms_hist *h, size_t i);
size_t ms_hist_run_count(const struct ms_hist *h);
const struct ms_hist_run *ms_hist_run(const struct ms_hist *h, size_t i);
size_t ms_hist_word_count(const struct ms_hist *h);

/*
 * The most repeated record, found on the way: the non-zero, non-fill
 * 8-byte word that recurs most often at one stride.
 * Returns: 0, or -ENOENT when nothing repeats MS_HIST_RECORD_MIN times.
 */
int ms_hist_record_get(const struct ms_hist *h, struct ms_hist_record *out);
const struct ms_hist_word *ms_hist_word(const struct ms_hist *h, size_t i);
size_t ms_hist_region_count(const struct ms_hist *h);
const struct ms_hist_region *ms_hist_region(const struct ms_hist *h, size_t i);
size_t ms_hist_pattern_count(const struct ms_hist *h);
const struct ms_pattern *ms_hist_pattern(const struct ms_hist *h, size_t i);

/*
 * Whether VALUE looks like a canonical x86-64 or arm64 user-space pointer
 * (4 GiB <= VALUE < 128 TiB: PIE heaps at 0x55..., mmaps at 0x7f..., Go's
 * heap at 0xc000000000), the test pointer-dense blocks use.
 */
bool ms_hist_pointer_like(uint64_t value);

#endif
