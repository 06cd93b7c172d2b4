// SPDX-License-Identifier: GPL-2.0-or-later
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memsift/elfscan.h>

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
