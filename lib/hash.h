/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hashes the library's open-addressing tables share: one mixer for
 * integer keys and one for bytes, so no module writes its own again.
 */
#ifndef MEMSIFT_HASH_H
#define MEMSIFT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* murmur3's finaliser: every bit of X reaches every bit of the result. */
static inline uint64_t ms_hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* FNV-1a over LEN bytes at P, from SEED (0: FNV's offset basis alone). */
static inline uint64_t ms_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * LEN bytes at P, 8 a step, from SEED: for keys hashed by the hundred
 * thousand (strings, shapes), where FNV's byte loop cost more than the
 * rest of a short key's handling.
 */
static inline uint64_t ms_hash_words(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t hv = 0x9e3779b97f4a7c15ULL * (len + 1) + seed, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		hv = (hv ^ w) * 0xff51afd7ed558ccdULL;
		hv ^= hv >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		hv = (hv ^ w) * 0xff51afd7ed558ccdULL;
	}
	return ms_hash64(hv);
}

#endif
