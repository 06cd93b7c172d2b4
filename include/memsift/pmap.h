/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Saved pmap(1) output (procps-ng: pmap PID, pmap -x, -X, -XX), read into
 * the library's one model of mappings, struct ms_maps (<memsift/maps.h>).
 *
 * The reader rewrites pmap's table as the /proc/PID/smaps text it was made
 * from, and hands that to ms_maps_parse_buf(): one model, one parser, and
 * whatever pmap left out is simply absent (MS_FIELD_ABSENT), never guessed.
 * Mappings keep pmap's order; sizes become bytes as everywhere else.
 *
 * What each kind of output becomes:
 *
 *   pmap PID      Address Kbytes Mode Mapping.  A maps entry with no fields
 *                 (ms_maps_format() is MS_MAPS_FMT_MAPS), as pmap read it
 *                 from /proc/PID/maps.
 *   pmap -x PID   Address Kbytes RSS Dirty Mode Mapping.  Fields Size, Rss
 *                 and "Dirty".  pmap's Dirty is Shared_Dirty + Private_Dirty,
 *                 and the split is lost, so it is kept under its own name,
 *                 reachable with ms_mapping_field(m, "Dirty", ...), never as
 *                 Private_Dirty: a process that forked has Shared_Dirty pages
 *                 that Private_Dirty must not claim.
 *   pmap -X PID   The smaps fields pmap -X shows, under their smaps names
 *                 (Size, Rss, Pss, Pss_Dirty, Referenced, Anonymous, KSM,
 *                 LazyFree, ..., Swap, SwapPss, Locked, THPeligible: whatever
 *                 the kernel had), and the real offset, device and inode.
 *                 pmap -X hides KernelPageSize, MMUPageSize, Shared_Clean,
 *                 Shared_Dirty, Private_Clean, Private_Dirty, AnonHugePages
 *                 and VmFlags.
 *   pmap -XX PID  Every smaps field, and VmFlags.
 *
 * Every column except THPeligible and ProtectionKey is read as kB, which
 * pmap drops from its table; a future unitless smaps field would be
 * misread as a size.
 *
 * What pmap loses, so a caller comparing with smaps knows what it cannot
 * ask for:
 *   - Names.  Every format prints only the basename of a file ("libc.so.6",
 *     "x (deleted)"), and -X/-XX cut the path at 127 characters first, so a
 *     file mapping's kind is MS_MAPPING_SPECIAL, not MS_MAPPING_FILE, and
 *     two libraries of the same basename look alike.  pmap and pmap -x also
 *     print "[ anon ]" for [heap], [vdso], [vvar], [vsyscall] and anonymous
 *     memory alike (all become "", MS_MAPPING_ANON), "[ stack ]" (kept as
 *     "[stack]") for the mapping holding the main thread's stack start, and
 *     "[ shmid=0x... ]" (kept, without the leading spaces) for SysV shared
 *     memory, and replace bytes not valid in pmap's locale with '?'.
 *   - Offset, device and inode: 0, 00:00 and 0 for pmap and pmap -x.
 *   - Fields: none for pmap; Rss and the Dirty sum for -x; see -X above.
 *   - Consistency: pmap -X and -XX read smaps twice (once to size columns,
 *     once to print), so their totals line may not add up; it is not
 *     checked.  And values are of the moment pmap ran, with pmap running:
 *     pmap maps libc too, so in the leaker captures the libc text mapping
 *     shows a lower Pss than smaps read by cat, and some of its
 *     Private_Clean as Shared_Clean; every other value is equal.
 * pmap does not merge or drop mappings: [vsyscall] is there, as in smaps.
 *
 * Only output in the C locale (pmap translates its own headings), one
 * process per file, and with headings and totals (not pmap -q, -d, -f or -c)
 * is read.  Permissions "r-xs-" (pmap, pmap -x) become the kernel's "r-xs":
 * pmap turns the kernel's 'p' (private) into '-' and keeps 's' (shared), and
 * its fifth character is always '-' (Solaris's 'R' is accepted and dropped).
 */
#ifndef MEMSIFT_PMAP_H
#define MEMSIFT_PMAP_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include <memsift/ctx.h>
#include <memsift/maps.h>

/* Which pmap command wrote the output; pmap's --help names them so. */
enum ms_pmap_format {
	MS_PMAP_NONE = 0,	/* not pmap output, or a kind not read */
	MS_PMAP_PLAIN,		/* pmap PID */
	MS_PMAP_EXTENDED,	/* pmap -x PID (--extended) */
	MS_PMAP_MORE,		/* pmap -X PID ("show even more details") */
	MS_PMAP_ALL,		/* pmap -XX PID ("show everything the kernel provides") */
};

/*
 * Tell from its first lines whether the LEN bytes at BUF are pmap output,
 * and which kind.  BUF need not be NUL-terminated; nothing past LEN is read.
 * Looks no further than pmap's "PID:   command" line and the line after it
 * (the column headings, or pmap's first row), so a capture cut after them
 * is still recognised; ms_pmap_parse_buf() finds what is wrong further on.
 *
 * Returns: the format, or MS_PMAP_NONE for anything else: smaps or maps
 * text, a lone "PID:   command" line, binary data, an empty buffer, or
 * pmap output of a kind not read (see above).
 */
enum ms_pmap_format ms_pmap_detect(const char *buf, size_t len);

/*
 * Parse pmap output of any kind read here, detected with ms_pmap_detect(),
 * from LEN bytes at BUF (BUF is not kept and need not end in a newline).
 * NAME is used only in messages ("NAME:LINE: ..."), NULL reads as "-", and
 * LINE counts lines of the pmap output.
 *
 * On success *OUT owns a new ms_maps (release it with ms_maps_free()), and
 * *PID, if PID is not NULL, gets the pid from pmap's "PID:   command" line,
 * or 0 when the output lacks that line.  On failure neither is touched.
 *
 * A malformed row or totals line fails the parse unless the context's
 * parser callback (ms_ctx_set_parser_errcb()) says to skip it; no
 * mappings, a second process or a missing totals line always fails.  For
 * pmap and pmap -x the totals line must equal the sum of the Kbytes
 * column, which catches rows lost from the middle of a capture.
 *
 * Returns: 0; -EPROTONOSUPPORT when BUF is not pmap output of a kind read
 * here, headings included (see ms_ctx_errmsg()); -EBADMSG on malformed
 * output, or output with no mappings (a kernel thread); or -ENOMEM.
 */
int ms_pmap_parse_buf(struct ms_ctx *ctx, const char *buf, size_t len,
		      const char *name, pid_t *pid, struct ms_maps **out);

/*
 * The most bytes of pmap output read: 128 MiB, where pmap -XX of 370,000
 * mappings comes (65,530, the kernel's default vm.max_map_count, make
 * about 23 MiB).  Each row becomes a mapping of several hundred bytes, so
 * this keeps what is parsed within MS_INPUT_MAX too.
 */
#define MS_PMAP_INPUT_MAX (128ULL << 20)

/*
 * As ms_pmap_parse_buf(), reading FP to its end, at most MS_PMAP_INPUT_MAX
 * bytes of it.
 * Returns: as ms_pmap_parse_buf(), -EFBIG past the limit, or -EIO on a
 * read error.
 */
int ms_pmap_parse(struct ms_ctx *ctx, FILE *fp, const char *name, pid_t *pid,
		  struct ms_maps **out);

/*
 * As ms_pmap_parse(), for a caller that read the first FLEN bytes, FIRST,
 * to learn the format (ms_snapshot_load()): those, then the rest of FP.
 */
int ms_pmap_parse_rest(struct ms_ctx *ctx, const char *first, size_t flen, FILE *fp,
		       const char *name, pid_t *pid, struct ms_maps **out);

#endif
