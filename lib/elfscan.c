// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/elfscan.h>
#include <memsift/memread.h>

#include "internal.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

/* Look through one note buffer; true with *HEX set when the build-id is there. */
static bool find_in_notes(Elf_Data *data, char **hex, int *rc)
{
	size_t off = 0, name_off, desc_off, i;
	const unsigned char *desc;
	GElf_Nhdr nh;
	char *h;

	while (data && off < data->d_size &&
	       (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((const char *)data->d_buf + name_off, "GNU", 4) != 0 ||
		    nh.n_descsz == 0)
			continue;
		desc = (const unsigned char *)data->d_buf + desc_off;
		h = malloc(2 * nh.n_descsz + 1);
		if (!h) {
			*rc = -ENOMEM;
			return true;
		}
		for (i = 0; i < nh.n_descsz; i++)
			sprintf(h + 2 * i, "%02x", desc[i]);
		*hex = h;
		*rc = 0;
		return true;
	}
	return false;
}

int ms_elf_build_id(struct ms_ctx *ctx, int fd, const char *what, char **hex)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Phdr ph;
	size_t n, i;
	int rc = -ENOENT;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return ms_err(ctx, -ENOENT, "%s: libelf out of date", what);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return ms_err(ctx, -ENOENT, "%s: %s", what, elf_errmsg(-1));
	if (elf_kind(elf) != ELF_K_ELF) {
		rc = ms_err(ctx, -ENOENT, "%s: not an ELF file", what);
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    find_in_notes(elf_getdata(scn, NULL), hex, &rc))
			goto out;
	/* Stripped of section headers: the loader's view still has PT_NOTE. */
	if (elf_getphdrnum(elf, &n) == 0)
		for (i = 0; i < n; i++)
			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_NOTE &&
			    find_in_notes(elf_getdata_rawchunk(elf, (int64_t)ph.p_offset,
							       ph.p_filesz, ELF_T_NHDR), hex, &rc))
				goto out;
	rc = ms_err(ctx, -ENOENT, "%s: no build-id", what);
out:
	if (rc == -ENOMEM)
		ms_err(ctx, rc, "%s: out of memory", what);
	elf_end(elf);
	return rc;
}

#define MEM_NOTES_MAX 4096	/* PT_NOTE bytes read from memory */
#define MEM_PHNUM_MAX 64

/* Lowercase hex of N bytes at P, new; NULL when out of memory. */
static char *hex_of(const unsigned char *p, size_t n)
{
	char *h = malloc(n * 2 + 1);
	size_t i;

	for (i = 0; h && i < n; i++)
		snprintf(h + i * 2, 3, "%02x", p[i]);
	return h;
}

/* NT_GNU_BUILD_ID in the raw notes at P (LEN bytes, native byte order) as new hex, or NULL. */
static char *raw_note_build_id(const unsigned char *p, size_t len)
{
	size_t off = 0, namesz, descsz;
	Elf64_Nhdr nh;

	while (off + sizeof(nh) <= len) {
		memcpy(&nh, p + off, sizeof(nh));
		namesz = (nh.n_namesz + 3) & ~(size_t)3;
		descsz = (nh.n_descsz + 3) & ~(size_t)3;
		off += sizeof(nh);
		if (namesz > len - off || descsz > len - off - namesz)
			return NULL;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(p + off, "GNU", 4) && nh.n_descsz && nh.n_descsz <= 64)
			return hex_of(p + off + namesz, nh.n_descsz);
		off += namesz + descsz;
	}
	return NULL;
}

int ms_elf_build_id_pid(struct ms_ctx *ctx, pid_t pid, uint64_t start, uint64_t size,
			char **hex)
{
	unsigned char notes[MEM_NOTES_MAX];
	Elf64_Phdr ph[MEM_PHNUM_MAX];
	uint64_t bias = 0;
	bool have_bias = false;
	Elf64_Ehdr eh;
	char *h = NULL;
	size_t i, n;
	int rc;

	if ((rc = ms_memread_peek(ctx, pid, start, &eh, sizeof(eh))) < 0)
		return rc;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum || eh.e_phnum > MEM_PHNUM_MAX ||
	    eh.e_phoff >= size)
		return ms_err(ctx, -ENOENT, "pid %d: 0x%llx: no 64-bit ELF header", (int)pid,
			      (unsigned long long)start);
	if ((rc = ms_memread_peek(ctx, pid, start + eh.e_phoff, ph, eh.e_phnum * sizeof(*ph))) < 0)
		return rc;
	/* The segment loaded from file offset 0 is the one mapped at START. */
	for (i = 0; i < eh.e_phnum && !have_bias; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias = start - ph[i].p_vaddr;
			have_bias = true;
		}
	for (i = 0; have_bias && !h && i < eh.e_phnum; i++) {
		n = ph[i].p_filesz < sizeof(notes) ? ph[i].p_filesz : sizeof(notes);
		if (ph[i].p_type != PT_NOTE ||
		    ms_memread_peek(ctx, pid, bias + ph[i].p_vaddr, notes, n) < 0)
			continue;
		h = raw_note_build_id(notes, n);
	}
	if (!h)
		return ms_err(ctx, -ENOENT, "pid %d: 0x%llx: no build-id in the image's notes",
			      (int)pid, (unsigned long long)start);
	*hex = h;
	return 0;
}

int ms_elf_find_symbol(struct ms_ctx *ctx, int fd, const char *const *names, size_t n)
{
	Elf_Scn *scn = NULL;
	Elf *e;
	int found = -ENOENT;

	(void)ctx;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return -ENOENT;
	/* .symtab when not stripped, .dynsym always: both are looked at. */
	while (found < 0 && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, k, count;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		count = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < count && found < 0; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    !(name = elf_strptr(e, sh.sh_link, sym.st_name)) || !name[0])
				continue;
			for (k = 0; k < n; k++)
				if (!strcmp(name, names[k])) {
					found = (int)k;
					break;
				}
		}
	}
	elf_end(e);
	return found;
}
