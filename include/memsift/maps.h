/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Mappings of a process: /proc/PID/maps, /proc/PID/smaps and
 * /proc/PID/smaps_rollup, read live or from a saved copy.
 *
 * One parser serves all three formats (smaps is maps with field lines after
 * each mapping; smaps_rollup is smaps with one "[rollup]" pseudo-mapping), and
 * one code path serves live pids, saved snapshots and test fixtures: the pid
 * readers only open the /proc file and hand it to the stream parser.
 *
 * Every field the kernel prints is kept, in order, including ones this
 * library does not know yet; sizes are returned in bytes.
 */
#ifndef MEMSIFT_MAPS_H
#define MEMSIFT_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>

struct ms_maps;
struct ms_mapping;

/* What a parsed stream held. */
enum ms_maps_format {
	MS_MAPS_FMT_MAPS = 1,	/* /proc/PID/maps: no per-mapping fields */
	MS_MAPS_FMT_SMAPS,	/* /proc/PID/smaps */
	MS_MAPS_FMT_ROLLUP,	/* /proc/PID/smaps_rollup: one [rollup] entry */
};

/* Which /proc file ms_maps_read_pid() reads. */
enum ms_maps_source {
	MS_MAPS_SRC_MAPS = 1,
	MS_MAPS_SRC_SMAPS,
	MS_MAPS_SRC_ROLLUP,
};

/* What a mapping's name says it is, as the kernel names it. */
enum ms_mapping_kind {
	MS_MAPPING_ANON = 1,	/* no name: private or shared anonymous memory */
	MS_MAPPING_FILE,	/* a path (see ms_mapping_deleted()) */
	MS_MAPPING_HEAP,	/* [heap], the brk area */
	MS_MAPPING_STACK,	/* [stack], or [stack:TID] on kernels before 4.5 */
	MS_MAPPING_VDSO,	/* [vdso] */
	MS_MAPPING_VVAR,	/* [vvar], [vvar_vclock] */
	MS_MAPPING_VSYSCALL,	/* [vsyscall] */
	MS_MAPPING_ANON_NAMED,	/* [anon:NAME], named with PR_SET_VMA_ANON_NAME (5.17+) */
	MS_MAPPING_SHMEM_NAMED,	/* [anon_shmem:NAME] (6.2+) */
	MS_MAPPING_MEMFD,	/* /memfd:NAME (deleted) */
	MS_MAPPING_SHMEM,	/* /dev/zero (deleted), /SYSV........ (deleted) */
	MS_MAPPING_SPECIAL,	/* any other [bracketed] name: [uprobes], [rollup]... */
};

/*
 * The smaps fields this library knows.  ms_mapping_get() takes these; any
 * other field, known or not, is reachable by name with ms_mapping_field().
 */
enum ms_field {
	MS_F_SIZE = 0,
	MS_F_KERNELPAGESIZE,
	MS_F_MMUPAGESIZE,
	MS_F_RSS,
	MS_F_PSS,
	MS_F_PSS_DIRTY,
	MS_F_PSS_ANON,
	MS_F_PSS_FILE,
	MS_F_PSS_SHMEM,
	MS_F_SHARED_CLEAN,
	MS_F_SHARED_DIRTY,
	MS_F_PRIVATE_CLEAN,
	MS_F_PRIVATE_DIRTY,
	MS_F_REFERENCED,
	MS_F_ANONYMOUS,
	MS_F_KSM,
	MS_F_LAZYFREE,
	MS_F_ANONHUGEPAGES,
	MS_F_SHMEMPMDMAPPED,
	MS_F_FILEPMDMAPPED,
	MS_F_SHARED_HUGETLB,
	MS_F_PRIVATE_HUGETLB,
	MS_F_SWAP,
	MS_F_SWAPPSS,
	MS_F_LOCKED,
	MS_F_THPELIGIBLE,	/* 0 or 1, not a size */
	MS_F_PROTECTIONKEY,	/* a number, not a size */
	MS_F__KNOWN		/* count; not a field */
};

/* Returned by ms_mapping_get() for a field the input did not have. */
#define MS_FIELD_ABSENT UINT64_MAX

/*
 * Parse a maps, smaps or smaps_rollup stream, detected from its content.
 * NAME is used only in messages ("NAME:LINE: byte OFFSET: ..."); NULL reads
 * as "-".  The stream is read to its end, in pieces (see
 * ms_maps_parser_feed()), and at most MS_INPUT_MAX bytes of it.
 *
 * A malformed line fails the parse unless the context's parser callback
 * (ms_ctx_set_parser_errcb()) says to skip it; a skipped field line is
 * dropped, a skipped mapping line drops the mapping's fields too.
 * Blank lines and lines starting with '#' (mapsnap's header) are skipped.
 * A stream with no mapping is an error: no process has no mappings.
 *
 * On success *OUT owns a new ms_maps; release it with ms_maps_free().
 *
 * Returns: 0, -EBADMSG on malformed or empty input (see ms_ctx_errmsg()),
 * -EFBIG past MS_INPUT_MAX, -EIO on a read error, or -ENOMEM.
 */
int ms_maps_parse(struct ms_ctx *ctx, FILE *fp, const char *name,
		  struct ms_maps **out);

/*
 * As ms_maps_parse(), over LEN bytes at BUF, which need not end in a
 * newline nor be NUL-terminated; BUF is not kept.
 */
int ms_maps_parse_buf(struct ms_ctx *ctx, const char *buf, size_t len,
		      const char *name, struct ms_maps **out);

/*
 * The most bytes memsift reads of a saved capture (ms_maps_parse(), and
 * ms_snapshot_load() of any format), and the most memory it keeps of the
 * mappings parsed from one: 1 GiB, where no real maps, smaps, pmap output
 * or snapshot comes (65,530 mappings, the kernel's default
 * vm.max_map_count, make about 45 MiB of smaps and take about 60 MiB
 * parsed).  It keeps a wrong file
 * name (a disk image, /dev/zero, a FIFO that never ends) from taking the
 * memory of the sick machine the tools are run on.
 */
#define MS_INPUT_MAX (1ULL << 30)

/*
 * A parse fed in pieces, for a caller that reads the input itself
 * (ms_snapshot_load() looks at the first bytes to learn the format).
 * Memory is the parsed result plus the longest line, never the input: a
 * line is at most 1 MiB (a '#' line that ms_maps_parser_set_header_cb()
 * reads excepted), and a NUL byte is refused as soon as it is fed.
 */
struct ms_maps_parser;

/*
 * Called for each line that starts with '#' before any other line (a
 * snapshot's header), newline removed: LINE is LEN bytes, not
 * NUL-terminated, and only valid during the call.  Returns 0, or a negative
 * errno (with the message set) that ends the parse.
 */
typedef int (*ms_maps_header_cb)(void *data, const char *line, size_t len,
				 unsigned long lineno);

/* Flags for ms_maps_parser_end(). */
enum {
	/* The input must end with a newline: else it was cut short (-EBADMSG). */
	MS_MAPS_WHOLE = 1,
};

/*
 * Start a parse; NAME is used in messages.  *OUT is the caller's to
 * release with ms_maps_parser_free().  Returns: 0 or -ENOMEM.
 */
int ms_maps_parser_new(struct ms_ctx *ctx, const char *name, struct ms_maps_parser **out);

/*
 * Refuse input past MAX bytes, and parsed mappings that take more than MAX
 * bytes of memory (-EFBIG); by default there is no limit.
 */
void ms_maps_parser_set_max(struct ms_maps_parser *ps, uint64_t max);

/* Hand '#' header lines to CB (see ms_maps_header_cb); by default they are skipped. */
void ms_maps_parser_set_header_cb(struct ms_maps_parser *ps, ms_maps_header_cb cb, void *data);

/*
 * Parse the next LEN bytes of input, cut anywhere.  Errors are as for
 * ms_maps_parse(); messages name the file, the line and the byte offset of
 * what is wrong, never the content.  After a failure every call returns
 * the same error.
 * Returns: 0, -EBADMSG, -EFBIG (past the limit), or -ENOMEM.
 */
int ms_maps_parser_feed(struct ms_maps_parser *ps, const char *buf, size_t len);

/*
 * End of input: parse a last line without a newline, and on success put the
 * new ms_maps in *OUT (the caller's to release with ms_maps_free()).  FLAGS:
 * MS_MAPS_WHOLE.  Returns: as ms_maps_parser_feed(), or -EBADMSG when no
 * mapping was read.
 */
int ms_maps_parser_end(struct ms_maps_parser *ps, unsigned int flags, struct ms_maps **out);

/* Release PS; NULL is accepted. */
void ms_maps_parser_free(struct ms_maps_parser *ps);

/*
 * Read the mappings of live process PID from the /proc file SRC names.
 * Returns: 0, -ESRCH (no such process, or it exited while being read),
 * -EPERM (not allowed to read it), -ENODATA (no mappings: a kernel thread,
 * or a zombie), -EBADMSG, or -ENOMEM.
 */
int ms_maps_read_pid(struct ms_ctx *ctx, pid_t pid, enum ms_maps_source src,
		     struct ms_maps **out);

/*
 * Called by ms_maps_read_pid_cb() with each piece of the /proc text as it
 * is read, before it is parsed: LEN bytes at BUF, cut anywhere, valid only
 * during the call.  Returns 0, or a negative errno (with the message set)
 * that ends the read.
 */
typedef int (*ms_maps_piece_cb)(void *data, const char *buf, size_t len);

/*
 * As ms_maps_read_pid(), parsing the text as it is read, so that memory
 * holds the mappings and never the text; CB, when not NULL, sees the text
 * too (ms_snapshot_take() keeps it that way).
 * Returns: as ms_maps_read_pid(), or CB's error.
 */
int ms_maps_read_pid_cb(struct ms_ctx *ctx, pid_t pid, enum ms_maps_source src,
			ms_maps_piece_cb cb, void *data, struct ms_maps **out);

/* Release MAPS and every mapping in it; NULL is accepted. */
void ms_maps_free(struct ms_maps *maps);

/* The format the parsed input was in. */
enum ms_maps_format ms_maps_format(const struct ms_maps *maps);

/* Number of mappings, in the order the input gave them (by address). */
size_t ms_maps_count(const struct ms_maps *maps);

/* Mapping I (0-based; NULL when out of range), borrowed from MAPS. */
const struct ms_mapping *ms_maps_get(const struct ms_maps *maps, size_t i);

/*
 * The files mapped, in address order: of each run of consecutive file
 * mappings (MS_MAPPING_FILE) of one name, such as a library's segments,
 * the first.  A question about the programs and libraries of the process
 * walks these, a few hundred, rather than every mapping.  ms_maps_file()
 * returns the Ith (0-based; NULL when out of range), borrowed from MAPS.
 */
size_t ms_maps_nfiles(const struct ms_maps *maps);
const struct ms_mapping *ms_maps_file(const struct ms_maps *maps, size_t i);

/*
 * The mapping containing ADDR (start <= ADDR < end), or NULL.
 * Logarithmic when the input was in address order, as /proc gives it.
 */
const struct ms_mapping *ms_maps_find(const struct ms_maps *maps, uint64_t addr);

/*
 * Sum field F over all mappings, in bytes (or plain units for the
 * non-size fields); MS_FIELD_ABSENT when no mapping has it.
 */
uint64_t ms_maps_total(const struct ms_maps *maps, enum ms_field f);

/* The position of M in the ms_maps it belongs to (ms_maps_get(maps, i) == M). */
size_t ms_mapping_index(const struct ms_mapping *m);

/* The ms_maps M belongs to. */
const struct ms_maps *ms_mapping_maps(const struct ms_mapping *m);

/* Address range [start, end) and its size in bytes. */
uint64_t ms_mapping_start(const struct ms_mapping *m);
uint64_t ms_mapping_end(const struct ms_mapping *m);
uint64_t ms_mapping_size(const struct ms_mapping *m);

/* Permissions as the kernel prints them, e.g. "rw-p"; always 4 characters. */
const char *ms_mapping_perms(const struct ms_mapping *m);

/* File offset, device numbers and inode (0 for anonymous mappings). */
uint64_t ms_mapping_offset(const struct ms_mapping *m);
unsigned int ms_mapping_dev_major(const struct ms_mapping *m);
unsigned int ms_mapping_dev_minor(const struct ms_mapping *m);
uint64_t ms_mapping_inode(const struct ms_mapping *m);

/*
 * The name exactly as the kernel printed it ("" for none), with any
 * " (deleted)" suffix kept: "/usr/lib/x.so (deleted)", "[anon:cache]".
 */
const char *ms_mapping_name(const struct ms_mapping *m);

/* What the name says the mapping is. */
enum ms_mapping_kind ms_mapping_kind(const struct ms_mapping *m);

/*
 * True when the kernel marked the backing file " (deleted)".  A file whose
 * own name ends in " (deleted)" looks the same; the kernel gives no way to
 * tell them apart.
 */
bool ms_mapping_deleted(const struct ms_mapping *m);

/*
 * The label inside [anon:NAME], [anon_shmem:NAME] or /memfd:NAME, and the
 * TID of [stack:TID]; NULL (or 0) for other kinds.  The returned string
 * points into MAPS.
 */
const char *ms_mapping_label(const struct ms_mapping *m, size_t *len);

/*
 * Value of known field F in bytes (kB fields scaled), or as printed for
 * THPeligible and ProtectionKey; MS_FIELD_ABSENT when the input lacks it.
 */
uint64_t ms_mapping_get(const struct ms_mapping *m, enum ms_field f);

/*
 * As ms_mapping_get(), but for maps input, which has no fields, the size
 * of the mapping stands in for MS_F_RSS (a mapping is at most all resident):
 * the one rule by which a diff or a trend compares maps captures.
 */
uint64_t ms_mapping_get_or_size(const struct ms_mapping *m, enum ms_field f);

/* RSS in bytes: the smaps Rss field; MS_FIELD_ABSENT for plain maps input. */
static inline uint64_t ms_mapping_rss(const struct ms_mapping *m)
{
	return ms_mapping_get(m, MS_F_RSS);
}

/*
 * Look up any field by its name as printed ("Rss", "Pss_Dirty", or one this
 * library does not know).  *VALUE gets the number (in bytes for "kB"
 * fields); *TEXT, if not NULL, the value text as printed when it is not a
 * plain number ("" otherwise).
 * Returns: 0, or -ENOENT when the mapping has no such field.
 */
int ms_mapping_field(const struct ms_mapping *m, const char *name,
		     uint64_t *value, const char **text);

/* Number of fields of M, in input order, VmFlags excluded. */
size_t ms_mapping_nfields(const struct ms_mapping *m);

/*
 * Field I of M: its name, value (bytes for "kB" fields), whether it was a
 * "kB" size, and its text when not a plain number (else "").
 * Returns: 0, or -ENOENT when I is out of range.
 */
int ms_mapping_field_at(const struct ms_mapping *m, size_t i, const char **name,
			uint64_t *value, bool *is_size, const char **text);

/*
 * The VmFlags line's flags, space-separated as printed ("rd wr mr mw me ac"),
 * without the trailing space; NULL when the input had no VmFlags (maps
 * input, or kernels before 3.8).
 */
const char *ms_mapping_vmflags(const struct ms_mapping *m);

/* True when VmFlags lists FLAG (a two-letter code, e.g. "sd", "hg"). */
bool ms_mapping_has_vmflag(const struct ms_mapping *m, const char *flag);

#endif
