/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What users type: the one place every tool parses pids, addresses, sizes,
 * address ranges, durations and counts from the command line.
 *
 * Every function here returns 0 or a negative errno:
 *   -EINVAL  the text is not what was asked for ("12Q", "0x", "-1", "10-5")
 *   -ERANGE  the text is well formed but the value does not fit: it overflows
 *            64 bits, or lies outside the bounds the function names
 *   -ENOMEM  (ms_parse_pids() only) the array could not grow
 * On failure the output parameters are left untouched and CTX holds one line
 * naming the argument as the user typed it and, where there is one, the fix:
 *   bad size "12Q": unknown suffix "Q"; use K, M, G or T (binary: 1K = 1024)
 *   address "0x1ffffffffffffffff" overflows 64 bits
 * The message never names the tool or the option: the caller adds those.
 *
 * Common rules, so every tool reads the same text the same way:
 *   - ARG must not be NULL.  No whitespace is accepted anywhere in it (only
 *     ms_parse_pids() uses whitespace, as a separator): a quoted value with a
 *     space in it more often holds two values than a padded one.
 *   - No sign, neither "-" nor "+".  Nothing may follow the value.
 *   - Decimal numbers may have leading zeros and are never octal: "010" is 10.
 */
#ifndef MEMSIFT_PARSE_H
#define MEMSIFT_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>

/*
 * The largest pid Linux can hand out: PID_MAX_LIMIT in include/linux/threads.h
 * on 64-bit kernels, the ceiling for /proc/sys/kernel/pid_max.
 */
#define MS_PID_MAX 4194304

/*
 * Parse one pid: a decimal number from 1 to MS_PID_MAX, as ps and pidof
 * print it.  Whether that process exists is not checked.
 *
 * Returns: 0 with *OUT set, -EINVAL (empty, a sign, not decimal, trailing
 * junk) or -ERANGE (0, or above MS_PID_MAX).
 */
int ms_parse_pid(struct ms_ctx *ctx, const char *arg, pid_t *out);

/*
 * Parse a list of pids, each as ms_parse_pid() takes it, separated by any
 * run of whitespace and/or commas, so "1,2", "1, 2" and the output of
 * `pidof x` or `pgrep x` (one per line) all work.  Order and duplicates are
 * kept as given.
 *
 * The pids are appended to the caller's array *PIDS of *N entries, which
 * *PIDS may start NULL with *N 0.  On success *PIDS is a realloc()ed array
 * holding the old entries followed by the new ones, and *N counts them all;
 * the caller owns it and frees it with free().  On failure *PIDS and *N are
 * unchanged, and *PIDS is still the caller's to free.
 *
 * Returns: 0, -EINVAL (a bad item, or no pid at all: "" or ",", as when
 * pidof found nothing), -ERANGE (an item out of range), or -ENOMEM.
 */
int ms_parse_pids(struct ms_ctx *ctx, const char *arg, pid_t **pids, size_t *n);

/*
 * Parse an address.  Addresses are always hex, with or without "0x"/"0X",
 * in either case: "7f3a1c000000" (as /proc/PID/maps and pmap print it) and
 * "0x7f3a1c000000" (as gdb prints it) are the same address, and "1000" is
 * 0x1000, never one thousand.  At most 64 bits; leading zeros are free.
 *
 * Returns: 0 with *OUT set, -EINVAL (empty, "0x" alone, a sign, a non-hex
 * character) or -ERANGE (more than 64 bits).
 */
int ms_parse_addr(struct ms_ctx *ctx, const char *arg, uint64_t *out);

/*
 * Parse a size in bytes: a decimal number, or a hex number after "0x",
 * then an optional case-insensitive suffix.  Every unit is binary, as pmap
 * and /proc print kB meaning KiB:
 *   none, B           bytes
 *   K, KB, KiB        1024                 M, MB, MiB   1024^2
 *   G, GB, GiB        1024^3               T, TB, TiB   1024^4
 * So "131072K", "131072kb" and "128M" are all 134217728.
 *
 * A decimal number may have a fraction, "1.5M" or "0.25G"; the result is
 * rounded down to whole bytes, exactly (no floating point).  Hex numbers
 * take no fraction, and their digits are read greedily: "0x10B" is 0x10b
 * bytes, not 0x10 bytes; write "0x10" (or "0x10K" for 0x10 KiB).
 * Zero is allowed; callers that need a positive size check for it.
 *
 * Returns: 0 with *OUT set, -EINVAL (empty, a sign, no digits, an unknown
 * suffix) or -ERANGE (the value in bytes overflows 64 bits).
 */
int ms_parse_size(struct ms_ctx *ctx, const char *arg, uint64_t *out);

/*
 * Parse an address range, [*START, *END) with END exclusive, in either form:
 *   START-END     two addresses as ms_parse_addr() reads them: hex, as
 *                 /proc/PID/maps prints a mapping ("7f3a1c000000-7f3a1c021000")
 *   START+LENGTH  an address and a size as ms_parse_size() reads it
 *                 ("0xc000000000+128M", "7f3a1c000000+0x21000")
 * The range may not be empty: END must be above START, LENGTH above 0.
 * END must fit in 64 bits, so a range cannot reach the very last byte of the
 * 64-bit address space (no Linux mapping does).
 *
 * Returns: 0 with *START and *END set, -EINVAL (no "-" or "+", a bad part,
 * an empty or reversed range) or -ERANGE (a part, or START + LENGTH,
 * overflows 64 bits).
 */
int ms_parse_range(struct ms_ctx *ctx, const char *arg, uint64_t *start,
		   uint64_t *end);

/*
 * Parse a duration into microseconds: one or more parts, each a decimal
 * number (fraction allowed) followed by a unit, largest unit first, each
 * unit at most once:
 *   d  days   h  hours   m  minutes   s  seconds   ms  milliseconds
 *   us microseconds
 * e.g. "500ms", "5s", "2m", "1h", "1d", "1m30s", "1.5s".  Units are lower
 * case only ("M" and "S" are errors, not guesses).  A plain number with no
 * unit at all is seconds, as sleep(1) reads it: "90" and "0.5" work, but
 * "1m30" is an error.  The result is rounded down to whole microseconds.
 * Zero ("0", "0s") is allowed; whether it means "once", "never" or "no
 * wait" is for the caller to decide and document.
 *
 * Returns: 0 with *USEC set, -EINVAL (empty, a sign, a missing or unknown
 * unit, units out of order or repeated) or -ERANGE (over UINT64_MAX
 * microseconds, about 584,000 years).
 */
int ms_parse_duration(struct ms_ctx *ctx, const char *arg, uint64_t *usec);

/*
 * Parse a plain decimal count, for options such as --top N, and check
 * MIN <= value <= MAX; the message for a value outside names both bounds.
 * No suffix, no hex, no fraction.  MIN must not exceed MAX.
 *
 * Returns: 0 with *OUT set, -EINVAL (empty, a sign, not decimal, trailing
 * junk) or -ERANGE (outside MIN..MAX, including beyond 64 bits).
 */
int ms_parse_count(struct ms_ctx *ctx, const char *arg, uint64_t min,
		   uint64_t max, uint64_t *out);

#endif
