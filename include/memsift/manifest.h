/*
 * The manifest regiondump writes beside a dump, FILE.json: where the dumped
 * bytes came from, so offsets in the dump become addresses.
 *
 * Only the few keys bytehist needs are read, from either form:
 *
 *	{ "start": "0x7f3a1c000000", "length": 1048576, ... }
 *	{ "ranges": [ { "start": "0x7f3a1c000000", "length": 4096 }, ... ], ... }
 *
 * "start" is a hex string ("0x" optional) or a number; "length" (or "size")
 * a number.  With "ranges", the dump starts at the first range's start and
 * holds the ranges back to back, so its length is their sum.  Any other key
 * is skipped, whatever its value; the JSON must still be well formed.
 */
#ifndef MEMSIFT_MANIFEST_H
#define MEMSIFT_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include <memsift/ctx.h>

struct ms_manifest_info {
	uint64_t start;		/* address of the dump's first byte */
	uint64_t length;	/* bytes the dump should hold, when HAS_LENGTH */
	bool has_length;
};

/*
 * Read the manifest at PATH into *OUT.
 *
 * Returns: 0; -ENOENT when PATH does not exist (no manifest: not an error
 * for the caller); -EBADMSG when it is not JSON or has no start ("PATH:
 * offset N: ..."); another negative errno when it cannot be read.
 */
int ms_manifest_load(struct ms_ctx *ctx, const char *path, struct ms_manifest_info *out);

#endif
