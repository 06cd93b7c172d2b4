// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/core.h>
#include <memsift/manifest.h>

#include "internal.h"

struct ms_core {
	struct ms_core_segment *seg;
	size_t nseg;
	struct ms_core_file *files;
	size_t nfiles;
	char *names;		/* the NT_FILE name table, copied */
	struct ms_core_thread *thr;	/* from NT_PRSTATUS */
	size_t nthr;
};

bool ms_core_detect(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	/* e_type sits at 16 in both classes; cores are ET_CORE (4), little-endian here. */
	return len >= 18 && !memcmp(b, ELFMAG, SELFMAG) &&
	       ((b[EI_DATA] == ELFDATA2LSB && b[16] == ET_CORE && b[17] == 0) ||
		(b[EI_DATA] == ELFDATA2MSB && b[17] == ET_CORE && b[16] == 0));
}

void ms_core_free(struct ms_core *c)
{
	if (!c)
		return;
	free(c->seg);
	free(c->files);
	free(c->names);
	free(c->thr);
	free(c);
}

/* A 4- or 8-byte word at P, which need not be aligned. */
static uint64_t word_at(const unsigned char *p, size_t w)
{
	uint64_t v64;
	uint32_t v32;

	if (w == 8) {
		memcpy(&v64, p, 8);
		return v64;
	}
	memcpy(&v32, p, 4);
	return v32;
}

/*
 * NT_FILE: count, page size, then COUNT (start, end, page offset) triples,
 * then COUNT NUL-terminated names (fs/binfmt_elf.c: fill_files_note).
 */
static int parse_nt_file(struct ms_ctx *ctx, struct ms_core *c, const char *name,
			 const unsigned char *d, size_t len, int cls)
{
	size_t w = cls == ELFCLASS64 ? 8 : 4, i, n, table;
	uint64_t count, page;
	const char *p, *end;

#define WORD(off) word_at(d + (off), w)
	if (len < 2 * w)
		return ms_err(ctx, -EBADMSG, "%s: NT_FILE note too short", name);
	count = WORD(0);
	page = WORD(w);
	if (count > (len - 2 * w) / (3 * w))
		return ms_err(ctx, -EBADMSG, "%s: NT_FILE note claims %llu files", name,
			      (unsigned long long)count);
	n = (size_t)count;
	table = 2 * w + 3 * w * n;
	c->names = malloc(len - table + 1);
	c->files = calloc(n + 1, sizeof(*c->files));
	if (!c->names || !c->files)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", name);
	memcpy(c->names, d + table, len - table);
	c->names[len - table] = '\0';
	p = c->names;
	end = c->names + (len - table);
	for (i = 0; i < n && p < end; i++) {
		c->files[i].start = WORD(2 * w + 3 * w * i);
		c->files[i].end = WORD(2 * w + 3 * w * i + w);
		c->files[i].pgoff = WORD(2 * w + 3 * w * i + 2 * w) * page;
		c->files[i].name = p;
		p += strlen(p) + 1;
	}
	c->nfiles = i;
#undef WORD
	return 0;
}

/*
 * NT_PRSTATUS, struct elf_prstatus on 64-bit: pr_pid at 32, pr_reg at
 * 112, then pr_fpvalid (an int, padded to 8) (include/linux/elfcore.h).
 */
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112
static int parse_prstatus(struct ms_ctx *ctx, struct ms_core *c, const char *name,
			  const unsigned char *d, size_t len)
{
	struct ms_core_thread *t;
	int32_t tid;
	size_t n;

	/* A note of another layout names no registers; the memory still stands. */
	if (len < PRSTATUS_REG + 8)
		return 0;
	t = realloc(c->thr, (c->nthr + 1) * sizeof(*t));
	if (!t)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", name);
	c->thr = t;
	t = &c->thr[c->nthr++];
	memcpy(&tid, d + PRSTATUS_PID, sizeof(tid));
	n = (len - PRSTATUS_REG - 8) / 8;
	t->tid = tid;
	t->nregs = n < MS_CORE_REGS_MAX ? n : MS_CORE_REGS_MAX;
	memcpy(t->regs, d + PRSTATUS_REG, t->nregs * 8);
	return 0;
}

int ms_core_open(struct ms_ctx *ctx, int fd, const char *name, struct ms_core **out)
{
	struct ms_core *c = calloc(1, sizeof(*c));
	size_t phnum = 0, i;
	struct stat st;
	GElf_Ehdr eh;
	Elf *e = NULL;
	int rc = 0;

	if (!c)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", name);
	elf_version(EV_CURRENT);
	if (fstat(fd, &st) < 0) {
		rc = ms_err_errno(ctx, -errno, "%s", name);
		goto out;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || eh.e_type != ET_CORE ||
	    elf_getphdrnum(e, &phnum) != 0) {
		rc = ms_err(ctx, -EPROTONOSUPPORT, "%s: not an ELF core file", name);
		goto out;
	}
	c->seg = calloc(phnum + 1, sizeof(*c->seg));
	if (!c->seg) {
		rc = ms_err(ctx, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	for (i = 0; i < phnum && rc == 0; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_offset > (uint64_t)st.st_size || ph.p_filesz > (uint64_t)st.st_size - ph.p_offset) {
			rc = ms_err(ctx, -EBADMSG, "%s: segment %zu runs past the end of the file; truncated?",
				    name, i);
			break;
		}
		if (ph.p_type == PT_LOAD && ph.p_filesz) {
			c->seg[c->nseg++] = (struct ms_core_segment){ ph.p_vaddr, ph.p_offset,
								      ph.p_filesz, ph.p_memsz };
		} else if (ph.p_type == PT_NOTE && !c->files) {
			Elf_Data *data = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
							      ELF_T_NHDR);
			size_t off = 0, next, noff, doff;
			GElf_Nhdr nh;

			while (data && rc == 0 && (next = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
				const unsigned char *d = (const unsigned char *)data->d_buf + doff;

				if (nh.n_type == NT_FILE && !c->files)
					rc = parse_nt_file(ctx, c, name, d, nh.n_descsz, gelf_getclass(e));
				else if (nh.n_type == NT_PRSTATUS && gelf_getclass(e) == ELFCLASS64)
					rc = parse_prstatus(ctx, c, name, d, nh.n_descsz);
				off = next;
			}
		}
	}
out:
	if (e)
		elf_end(e);
	if (rc < 0) {
		ms_core_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

size_t ms_core_nsegments(const struct ms_core *c) { return c->nseg; }
size_t ms_core_nfiles(const struct ms_core *c) { return c->nfiles; }
size_t ms_core_nthreads(const struct ms_core *c) { return c->nthr; }

const struct ms_core_thread *ms_core_thread(const struct ms_core *c, size_t i)
{
	return i < c->nthr ? &c->thr[i] : NULL;
}

const struct ms_core_segment *ms_core_segment(const struct ms_core *c, size_t i)
{
	return i < c->nseg ? &c->seg[i] : NULL;
}

const struct ms_core_file *ms_core_file(const struct ms_core *c, size_t i)
{
	return i < c->nfiles ? &c->files[i] : NULL;
}

int ms_core_read(struct ms_ctx *ctx, const struct ms_core *c, int fd,
		 int (*cb)(const void *buf, size_t len, void *data), void *data)
{
	size_t bufsz = 1 << 20, i;
	char *buf = malloc(bufsz);
	int rc = 0;

	if (!buf)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < c->nseg && rc == 0; i++) {
		uint64_t done = 0;

		while (done < c->seg[i].filesz && rc == 0) {
			uint64_t left = c->seg[i].filesz - done;
			size_t want = left < bufsz ? (size_t)left : bufsz;
			ssize_t n = pread(fd, buf, want, (off_t)(c->seg[i].offset + done));

			if (n < 0)
				rc = ms_err_errno(ctx, -errno, "reading segment %zu at 0x%llx", i,
						  (unsigned long long)c->seg[i].vaddr);
			else if (n == 0)
				rc = ms_err(ctx, -EIO, "segment %zu at 0x%llx: the file ends early; truncated?",
					    i, (unsigned long long)c->seg[i].vaddr);
			else
				rc = cb(buf, (size_t)n, data);
			done += n > 0 ? (uint64_t)n : 0;
		}
	}
	free(buf);
	return rc;
}

int ms_core_manifest(struct ms_ctx *ctx, const struct ms_core *c, struct ms_manifest_info *out)
{
	struct ms_manifest_info mi = { 0 };
	uint64_t total = 0;
	size_t i;

	mi.ranges = calloc(c->nseg + 1, sizeof(*mi.ranges));
	if (!mi.ranges)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < c->nseg; i++) {
		mi.ranges[i] = (struct ms_manifest_range){ c->seg[i].vaddr, c->seg[i].filesz, total };
		total += c->seg[i].filesz;
	}
	mi.nranges = c->nseg;
	mi.start = c->nseg ? c->seg[0].vaddr : 0;
	mi.length = total;
	mi.has_length = true;
	*out = mi;
	return 0;
}

ssize_t ms_core_pread(const struct ms_core *c, int fd, void *buf, size_t len, uint64_t off)
{
	uint64_t pos = 0;
	size_t i;

	for (i = 0; i < c->nseg; pos += c->seg[i++].filesz) {
		uint64_t in = off - pos;

		if (off < pos || in >= c->seg[i].filesz)
			continue;
		if (len > c->seg[i].filesz - in)
			len = (size_t)(c->seg[i].filesz - in);
		return pread(fd, buf, len, (off_t)(c->seg[i].offset + in));
	}
	return 0;
}

struct maps_line {
	uint64_t start, end, pgoff;
	const char *name;	/* NULL: anonymous */
	size_t ino;		/* made up: one per file name */
};

static int line_cmp(const void *a, const void *b)
{
	const struct maps_line *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool file_covers(const struct ms_core *c, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].start < end && start < c->files[i].end)
			return true;
	return false;
}

int ms_core_maps(struct ms_ctx *ctx, const struct ms_core *c, char **text, size_t *len)
{
	struct maps_line *l;
	size_t n = 0, i;
	char *buf = NULL;
	size_t blen = 0;
	FILE *fp;

	if (!c->nfiles)
		return ms_err(ctx, -ENOENT, "no NT_FILE note: the core does not say which files were mapped");
	l = calloc(c->nfiles + c->nseg, sizeof(*l));
	if (!l)
		return ms_err(ctx, -ENOMEM, "out of memory");
	for (i = 0; i < c->nfiles; i++)
		/* A newline would end the maps line early: such a file cannot be named. */
		if (!strchr(c->files[i].name, '\n')) {
			size_t j, ino = i + 1;

			for (j = 0; j < n; j++)
				if (l[j].name && !strcmp(l[j].name, c->files[i].name))
					ino = l[j].ino;
			l[n++] = (struct maps_line){ c->files[i].start, c->files[i].end, c->files[i].pgoff,
						     c->files[i].name, ino };
		}
	for (i = 0; i < c->nseg; i++)
		if (!file_covers(c, c->seg[i].vaddr, c->seg[i].vaddr + c->seg[i].memsz))
			l[n++] = (struct maps_line){ c->seg[i].vaddr, c->seg[i].vaddr + c->seg[i].memsz,
						     0, NULL, 0 };
	qsort(l, n, sizeof(*l), line_cmp);
	fp = open_memstream(&buf, &blen);
	if (!fp) {
		free(l);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "%" PRIx64 "-%" PRIx64 " %s %08" PRIx64 " %s %zu %s\n", l[i].start,
			l[i].end, l[i].name ? "r--p" : "rw-p", l[i].pgoff,
			l[i].name ? "00:01" : "00:00", l[i].name ? l[i].ino : 0,
			l[i].name ? l[i].name : "");
	free(l);
	if (fclose(fp) != 0 || !buf) {
		free(buf);
		return ms_err(ctx, -ENOMEM, "out of memory");
	}
	*text = buf;
	*len = blen;
	return 0;
}
