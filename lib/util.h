/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The small helpers several modules need, written once: growing an array,
 * scanning a number, measuring a UTF-8 sequence.  Static inline, like
 * hash.h, so that the parsers' inner loops pay no call.
 */
#ifndef MEMSIFT_UTIL_H
#define MEMSIFT_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make room in the array *P, of *CAP elements of ELEM bytes, for NEED of
 * them: its size doubles, from FIRST.  Returns 0, or -ENOMEM with *P and
 * *CAP unchanged (the caller names what ran out).  Through MS_GROW(), which
 * takes the array itself: MS_GROW(t->v, t->cap, t->n + 1, 64).  The one way
 * the library doubles an array; call ms_grow() itself only when an element
 * is not *P (pprof.c keeps a (name, file) pair of words per function).
 */
static inline int ms_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	np = reallocarray(*p, ncap, elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}
#define MS_GROW(arr, cap, need, first) \
	ms_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)), (first))

/*
 * Decimal digits at *P, up to END (NULL: up to the first other character),
 * into *V.  Returns false when there is none or the number overflows 64
 * bits; on success *P is past the digits.
 */
static inline bool ms_scan_u64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0, d;

	if (s == end || *s < '0' || *s > '9')
		return false;
	for (; s != end && *s >= '0' && *s <= '9'; s++) {
		d = (uint64_t)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*p = s;
	*v = x;
	return true;
}

static inline int ms_hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The same for hexadecimal digits, without 0x; at most 64 bits of them. */
static inline bool ms_scan_x64(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int d;

	if (s == end || ms_hex_digit(*s) < 0)
		return false;
	for (; s != end && (d = ms_hex_digit(*s)) >= 0; s++) {
		if (x >> 60)
			return false;
		x = (x << 4) | (uint64_t)d;
	}
	*p = s;
	*v = x;
	return true;
}

/*
 * The length of the valid UTF-8 sequence of two to four bytes at S, or 0
 * when S starts no such sequence (ASCII included): no overlong forms, no
 * surrogates, nothing past U+10FFFF.  S must hold a NUL or the sequence's
 * bytes, as a C string does.
 */
static inline size_t ms_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

#endif
