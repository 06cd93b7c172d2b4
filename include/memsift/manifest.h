/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The manifest regiondump writes beside a dump, FILE.json: where the dumped
 * bytes came from, so offsets in the dump become addresses.
 *
 * Only the few keys bytehist needs are read, from any of these forms:
 *
 *	{ "start": "0x7f3a1c000000", "length": 1048576, ... }
 *	{ "ranges": [ { "start": "0x7f3a1c000000", "length": 4096 }, ... ], ... }
 *	{ "requested": [ { "start": "0x7f3a1c000000", "size": 4096, ... }, ... ] }
 *
 * The last is what regiondump writes, with "maps" (see struct
 * ms_manifest_info.maps).  "start" is a hex string ("0x"
 * optional) or a number; "length" (or "size") a number.  With a list, the
 * dump holds the ranges back to back, in order, so its length is their sum
 * and an offset in it falls in one range (see ms_manifest_addr()).  Any
 * other key is skipped, whatever its value; the JSON must still be well
 * formed.
 */
#ifndef MEMSIFT_MANIFEST_H
#define MEMSIFT_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include <memsift/ctx.h>

struct ms_manifest_range {
	uint64_t start;		/* address */
	uint64_t length;
	uint64_t offset;	/* where it starts in the dump */
};

struct ms_manifest_info {
	uint64_t start;		/* address of the dump's first byte */
	uint64_t length;	/* bytes the dump should hold, when HAS_LENGTH */
	bool has_length;
	struct ms_manifest_range *ranges;	/* in dump order; release with ms_manifest_release() */
	size_t nranges;
	/*
	 * regiondump's "maps" (the process's mappings when it was dumped) as
	 * /proc/PID/maps text, one line a mapping, or NULL when the manifest
	 * has none; freed by ms_manifest_release().
	 */
	char *maps;
	/*
	 * The build-ids regiondump recorded for the files in "maps", one per
	 * path, as "PATH\tHEX\n" lines, or NULL when none; freed by
	 * ms_manifest_release().
	 */
	char *build_ids;
	/* The process dumped ("pid"), or 0: it may still run, or the pid be reused. */
	int pid;
};

/*
 * Read the manifest at PATH into *OUT.
 *
 * Returns: 0; -ENOENT when PATH does not exist (no manifest: not an error
 * for the caller); -EBADMSG when it is not JSON, has no start ("PATH:
 * offset N: ..."), or lies: a number past 64 bits, a range past the end of
 * the address space, lengths adding up past 2^64, or two ranges claiming
 * one address (ranges out of address order are fine); another negative
 * errno when it cannot be read.
 */
int ms_manifest_load(struct ms_ctx *ctx, const char *path, struct ms_manifest_info *out);

/* Free what ms_manifest_load() allocated in MI; MI itself is the caller's. */
void ms_manifest_release(struct ms_manifest_info *mi);

/*
 * The address of byte OFF of the dump.  A dump of one range (or a manifest
 * of the single-start form) maps OFF to start + OFF.
 * Returns: true, or false when OFF is past every range.
 */
bool ms_manifest_addr(const struct ms_manifest_info *mi, uint64_t off, uint64_t *addr);

/* The offset in the dump of address ADDR; false when the dump does not hold it. */
bool ms_manifest_offset(const struct ms_manifest_info *mi, uint64_t addr, uint64_t *off);

#endif
