/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The body of struct ms_dump, shared by the files of the dump module:
 * dump.c (selecting ranges, reading, writing raw output), dump-core.c (the
 * ELF core writer) and dump-manifest.c (the JSON manifest).
 */
#ifndef MEMSIFT_LIB_DUMP_H
#define MEMSIFT_LIB_DUMP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <zstd.h>

#include <memsift/dump.h>
#include <memsift/maps.h>
#include <memsift/memread.h>
#include <memsift/pagehash.h>

struct dump_range {
	uint64_t start, end;
	uint64_t file_off;	/* where its bytes start in the output */
};

struct dump_sub {
	uint64_t start, end;
	enum ms_mem_status status;
	enum ms_mem_method method;
};

struct ms_dump {
	pid_t pid;
	struct ms_maps *maps;
	char *comm, *exe;
	struct timespec time;		/* CLOCK_REALTIME at ms_dump_new() */
	unsigned long long starttime;	/* which process: a reused pid or an exec changes these */
	char exe_id[40];
	const char *changed;		/* how it became another process mid-dump; NULL: it did not */
	bool allow_holes;		/* ranges mostly holes are taken (zero-filled) */
	uint64_t max_pause_ns;		/* --freeze: let go after this long; 0: never */
	uint64_t pause_cut;		/* the address the freeze was let go at; 0: not cut */
	uint64_t pause_cut_done;	/* bytes read frozen */

	struct dump_range *ranges;
	size_t nranges;
	/*
	 * --changed-since: the hashes of the snapshot (borrowed).  The ranges
	 * are then the mappings hashed, each page read once, hashed and written
	 * only when changed; once run, the ranges are the runs written.
	 */
	const struct ms_pagehash *changed_base;

	/* Filled by ms_dump_run(). */
	bool ran, complete;
	unsigned int flags;
	enum ms_dump_format format;
	struct dump_sub *subs;
	size_t nsubs, subcap;
	uint64_t bytes[MS_MEM_NOT_RESIDENT + 1];	/* by status */
	uint64_t checksum;		/* xxh3-64 of the memory bytes */
	uint64_t pause_ns;
	uint64_t out_bytes;		/* bytes written to the output file */

	ms_dump_event_cb event_cb;
	void *event_data;

	struct ms_patscan *redact;	/* borrowed; NULL: write the bytes as read */
	uint8_t redact_fill;

	/* A core's program headers as written (Elf64_Phdr), to be rewritten if cut short. */
	void *core_ph;
	size_t core_nph;
};

/* Where the output goes: a FILE, through zstd when asked (lib/dump.c). */
struct sink {
	struct ms_ctx *ctx;
	FILE *fp;
	ZSTD_CCtx *z;
	void *zbuf;
	size_t zcap;
	uint64_t written;	/* bytes handed to the sink, before compression */
	off_t base;		/* a core in a regular file: where it starts; -1: a stream */
};

/* Write LEN bytes, or LEN zeros, to S: 0 or -EIO (the message says why). */
int ms_dump_sink_write(struct sink *s, const void *buf, size_t len);
int ms_dump_sink_zeros(struct sink *s, uint64_t len);

/*
 * The ELF core writer (lib/dump-core.c): the front of the core, which sets
 * each range's file_off; and for a dump cut short, its program headers
 * rewritten to cover what was read.  0 or a negative errno.
 */
int ms_dump_core_header(struct ms_ctx *ctx, struct ms_dump *d, struct sink *s);
int ms_dump_core_cut(struct ms_ctx *ctx, struct ms_dump *d, struct sink *s);

#endif
