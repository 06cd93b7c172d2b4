// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regiondump --format core: the ELF core writer.  The header (ELF header,
 * one PT_LOAD per range, the NT_FILE note) goes out first, the ranges'
 * bytes after it through dump.c's sink; a core cut short has its headers
 * rewritten to what was read.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "dump.h"

/* Each segment's data starts on a page boundary of the core file. */
static uint64_t core_align(uint64_t off)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	return (off + page - 1) & ~(page - 1);
}

static size_t note_size(size_t namesz, size_t descsz)
{
	return sizeof(Elf64_Nhdr) + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
}

static unsigned char *put_note(unsigned char *p, const char *name, uint32_t type,
			       const void *desc, size_t descsz)
{
	Elf64_Nhdr nh = {
		.n_namesz = (Elf64_Word)strlen(name) + 1,
		.n_descsz = (Elf64_Word)descsz,
		.n_type = type,
	};

	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memset(p, 0, (nh.n_namesz + 3) & ~3u);
	memcpy(p, name, nh.n_namesz);
	p += (nh.n_namesz + 3) & ~3u;
	memset(p, 0, (descsz + 3) & ~3u);
	memcpy(p, desc, descsz);
	return p + ((descsz + 3) & ~3u);
}

/*
 * NT_FILE, as the kernel writes it in fill_files_note(): count, page size,
 * then (start, end, offset in pages) per file mapping, then their names.
 */
static void *nt_file_desc(const struct ms_maps *maps, size_t *len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), count = 0, *w;
	size_t i, n = ms_maps_count(maps), names = 0;
	const struct ms_mapping *m;
	char *desc, *s;

	for (i = 0; i < n; i++) {
		m = ms_maps_get(maps, i);
		if (ms_mapping_name(m)[0] == '/' && ms_mapping_inode(m)) {
			count++;
			names += strlen(ms_mapping_name(m)) + 1;
		}
	}
	*len = (size_t)(2 + 3 * count) * 8 + names;
	desc = calloc(1, *len);
	if (!desc)
		return NULL;
	w = (uint64_t *)(void *)desc;
	*w++ = count;
	*w++ = page;
	s = desc + (2 + 3 * count) * 8;
	for (i = 0; i < n; i++) {
		m = ms_maps_get(maps, i);
		if (ms_mapping_name(m)[0] != '/' || !ms_mapping_inode(m))
			continue;
		*w++ = ms_mapping_start(m);
		*w++ = ms_mapping_end(m);
		*w++ = ms_mapping_offset(m) / page;
		strcpy(s, ms_mapping_name(m));
		s += strlen(s) + 1;
	}
	return desc;
}

static unsigned int seg_flags(const struct ms_maps *maps, uint64_t addr)
{
	const struct ms_mapping *m = ms_maps_find(maps, addr);
	const char *p = m ? ms_mapping_perms(m) : "r--";

	return (p[0] == 'r' ? PF_R : 0) | (p[1] == 'w' ? PF_W : 0) | (p[2] == 'x' ? PF_X : 0);
}

/* The ELF header of a core of NPH program headers, in this machine's byte order. */
static void core_ehdr(Elf64_Ehdr *eh, size_t nph)
{
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
#if defined(__x86_64__)
	eh->e_machine = EM_X86_64;
#elif defined(__aarch64__)
	eh->e_machine = EM_AARCH64;
#endif
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (Elf64_Half)nph;
}

/*
 * The front of the core file: ELF header, program headers, the notes.
 * Segment data follows at page-aligned offsets, which set each range's
 * file_off.  libelf translates the headers to file layout.
 */
int ms_dump_core_header(struct ms_ctx *ctx, struct ms_dump *d, struct sink *s)
{
	size_t nph = d->nranges + 1, filesz, notesz, hdrsz, i;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr *ph = calloc(nph, sizeof(*ph));
	unsigned char *hdr = NULL, *p;
	void *files = nt_file_desc(d->maps, &filesz);
	Elf_Data src, dst;
	uint64_t off;
	int rc;

	if (!ph || !files) {
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
		goto out;
	}
	notesz = note_size(5, filesz);
	hdrsz = sizeof(eh) + nph * sizeof(*ph) + notesz;
	hdr = calloc(1, hdrsz);
	if (!hdr) {
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)d->pid);
		goto out;
	}
	core_ehdr(&eh, nph);

	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = hdrsz - notesz;
	ph[0].p_filesz = notesz;
	ph[0].p_align = 4;
	off = core_align(hdrsz);
	for (i = 0; i < d->nranges; i++) {
		ph[i + 1].p_type = PT_LOAD;
		ph[i + 1].p_flags = seg_flags(d->maps, d->ranges[i].start);
		ph[i + 1].p_offset = off;
		ph[i + 1].p_vaddr = d->ranges[i].start;
		ph[i + 1].p_filesz = ph[i + 1].p_memsz = d->ranges[i].end - d->ranges[i].start;
		ph[i + 1].p_align = 1;
		d->ranges[i].file_off = off;
		off = core_align(off + ph[i + 1].p_filesz);
	}

	elf_version(EV_CURRENT);
	src = (Elf_Data){ .d_buf = &eh, .d_type = ELF_T_EHDR, .d_size = sizeof(eh),
			  .d_version = EV_CURRENT };
	dst = (Elf_Data){ .d_buf = hdr, .d_size = sizeof(eh), .d_version = EV_CURRENT };
	if (!elf64_xlatetof(&dst, &src, eh.e_ident[EI_DATA])) {
		rc = ms_err(ctx, -EIO, "core header: %s", elf_errmsg(-1));
		goto out;
	}
	src = (Elf_Data){ .d_buf = ph, .d_type = ELF_T_PHDR, .d_size = nph * sizeof(*ph),
			  .d_version = EV_CURRENT };
	dst = (Elf_Data){ .d_buf = hdr + sizeof(eh), .d_size = nph * sizeof(*ph),
			  .d_version = EV_CURRENT };
	if (!elf64_xlatetof(&dst, &src, eh.e_ident[EI_DATA])) {
		rc = ms_err(ctx, -EIO, "core header: %s", elf_errmsg(-1));
		goto out;
	}
	p = hdr + sizeof(eh) + nph * sizeof(*ph);
	put_note(p, "CORE", NT_FILE, files, filesz);
	/* Kept for ms_dump_core_cut(): the output may be write-only (a shell's > FILE). */
	free(d->core_ph);
	d->core_ph = ph;
	d->core_nph = nph;
	ph = NULL;
	rc = ms_dump_sink_write(s, hdr, hdrsz);
	if (rc == 0)
		rc = ms_dump_sink_zeros(s, d->ranges[0].file_off - hdrsz);
out:
	free(hdr);
	free(ph);
	free(files);
	return rc;
}

/* Of the HAVE bytes written of range R, those up to the last one read: no zero-filled tail. */
static uint64_t read_tail(const struct ms_dump *d, const struct dump_range *r, uint64_t have)
{
	uint64_t end = r->start + have;
	size_t k;

	for (k = d->nsubs; k-- > 0;) {
		const struct dump_sub *u = &d->subs[k];

		if (u->start >= end)
			continue;
		if (u->status == MS_MEM_READ || u->end < end)
			break;
		end = u->start > r->start ? u->start : r->start;
		if (end == r->start)
			break;
	}
	return end - r->start;
}

/*
 * A core cut short (the process exited mid-dump): its program headers,
 * written first, declare every range whole, and zeros in place of what was
 * never read would pass for memory.  In a regular file the headers are
 * rewritten to cover what was read, no more: a range cut keeps its first
 * bytes, one never reached keeps none, and the file ends at the last byte
 * read.  A stream (a pipe, zstd) cannot be rewritten: it ends there too,
 * so its segments run past its end, which a reader takes for a truncated
 * core (gdb warns, lib/core.c refuses it), never for zeros.  A range whose
 * end became unreadable or unmapped while it was read (zero-filled, as the
 * manifest says) loses that tail from its segment too, in a file; zeros
 * between bytes read stay, marked in the manifest only.  Returns: 0, or
 * -EIO (the message says why).
 */
int ms_dump_core_cut(struct ms_ctx *ctx, struct ms_dump *d, struct sink *s)
{
	size_t nph = d->core_nph, i;
	size_t len = nph * sizeof(Elf64_Phdr);
	off_t at = s->base + (off_t)sizeof(Elf64_Ehdr);
	Elf64_Phdr *ph;
	unsigned char *buf;
	Elf_Data src, dst;
	bool changed = false;
	int fd, rc = 0;

	if (s->z || s->base < 0 || !d->core_ph || nph != d->nranges + 1)
		return 0;
	fd = fileno(s->fp);
	if (fflush(s->fp) != 0)
		return ms_err_errno(ctx, errno ? -errno : -EIO, "pid %d: writing the core",
				    (int)d->pid);
	ph = d->core_ph;
	if (!(buf = malloc(len)))
		return ms_err(ctx, -EIO, "pid %d: out of memory", (int)d->pid);
	for (i = 0; i < d->nranges; i++) {
		const struct dump_range *r = &d->ranges[i];
		uint64_t have = 0;

		if (s->written > r->file_off)
			have = s->written - r->file_off;
		if (have > r->end - r->start)
			have = r->end - r->start;
		have = read_tail(d, r, have);
		changed |= have != ph[i + 1].p_filesz;
		ph[i + 1].p_filesz = ph[i + 1].p_memsz = have;
		/* None read: the segment is empty, at the end of what the file holds. */
		if (!have)
			ph[i + 1].p_offset = s->written;
	}
	if (!changed) {
		free(buf);
		return 0;
	}
	src = (Elf_Data){ .d_buf = ph, .d_type = ELF_T_PHDR, .d_size = len,
			  .d_version = EV_CURRENT };
	dst = (Elf_Data){ .d_buf = buf, .d_size = len, .d_version = EV_CURRENT };
	errno = EIO;	/* a short write sets none */
	if (!elf64_xlatetof(&dst, &src, __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ?
					ELFDATA2LSB : ELFDATA2MSB))
		rc = ms_err(ctx, -EIO, "core header: %s", elf_errmsg(-1));
	else if (pwrite(fd, buf, len, at) != (ssize_t)len)
		rc = ms_err_errno(ctx, -errno, "pid %d: rewriting the core's headers", (int)d->pid);
	free(buf);
	return rc;
}
