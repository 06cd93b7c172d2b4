/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A few macros for unit tests that print TAP, one line per check, so
 * Automake's tap-driver counts every case.  Include in one test file only.
 */
#ifndef MEMSIFT_TAP_H
#define MEMSIFT_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                        \
	do {                                                                 \
		int ok_c_ = !!(cond);                                        \
		printf("%sok %d - ", ok_c_ ? "" : "not ", ++tap_n);          \
		printf(__VA_ARGS__);                                         \
		printf("\n");                                                \
		if (!ok_c_) {                                                \
			tap_failed++;                                        \
			printf("#   failed at %s:%d: %s\n", __FILE__,        \
			       __LINE__, #cond);                             \
		}                                                            \
	} while (0)

#define is_int(got, want, ...)                                               \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		ok(g_ == w_, __VA_ARGS__);                                   \
		if (g_ != w_)                                                \
			printf("#   got %lld, want %lld\n", g_, w_);         \
	} while (0)

#define is_u64(got, want, ...)                                               \
	do {                                                                 \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);        \
		ok(g_ == w_, __VA_ARGS__);                                   \
		if (g_ != w_)                                                \
			printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n",  \
			       g_, w_);                                      \
	} while (0)

#define is_str(got, want, ...)                                               \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		int eq_ = (g_ && w_) ? !strcmp(g_, w_) : g_ == w_;           \
		ok(eq_, __VA_ARGS__);                                        \
		if (!eq_)                                                    \
			printf("#   got \"%s\", want \"%s\"\n",              \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");      \
	} while (0)

/* Print the plan and return the exit status: call as "return tap_done();". */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

/* Path of a fixture: FIXTURES is set by the build to tests/fixtures. */
static inline const char *tap_fixture(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("MS_FIXTURES");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/fixtures", rel);
	return buf;
}

#endif
