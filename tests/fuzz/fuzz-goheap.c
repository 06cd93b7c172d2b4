// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the Go heap model (lib/goheap.c) over a fake memory image:
 * what a dump or a racing runtime gives, mheap_ -> arenas -> spans ->
 * mspans -> allocBits, read through ms_goheap_new()'s callback.
 *
 * The executable is made once, in memory (a memfd), by libelf: an ET_EXEC
 * with a .go.buildinfo naming go1.19.8 or go1.22.1 (the two layout tables),
 * with runtime.mheap_ in .symtab or stripped (mheap_ then found by its shape
 * in .bss).  No DWARF: the layouts come from the tables, and no object is
 * typed (that needs the DWARF of a real Go binary).
 *
 * The input: byte 0 picks the binary (bit 0: go1.22, bit 1: stripped); the
 * rest is windows of memory, each
 *
 *	u64 addr, u32 len (little-endian), u8 zero, then LEN bytes unless ZERO
 *
 * a later window over an earlier one.  A read succeeds when every byte it
 * asks for is in some window, as a dump's ranges would give.
 *
 * Seeds: with MS_FUZZ_SEED_DIR set, the target writes there one input per
 * binary that walks a real heap (one arena, three spans, one large), which
 * tests/fuzz/run.sh does before it fuzzes.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memsift/goheap.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MHEAP 0x600000ULL	/* runtime.mheap_, where the symbol says */
#define BSS 0x700000ULL		/* .bss of the stripped binary */
#define BSS_SIZE 0x11000ULL	/* room for an mheap_ (66 KiB) */
#define MAX_WINDOWS 256

static int exe[4] = { -1, -1, -1, -1 };

struct window {
	uint64_t addr, len;
	const uint8_t *bytes;	/* NULL: zeros */
};

struct mem {
	struct window w[MAX_WINDOWS];
	size_t n;
};

static int add_section(Elf *e, const char *name, size_t *shoff, GElf_Word type, uint64_t addr,
		       void *buf, size_t size, size_t entsize, GElf_Word link)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d;
	GElf_Shdr sh;

	(void)name;
	if (!scn || !(d = elf_newdata(scn)) || !gelf_getshdr(scn, &sh))
		return -1;
	d->d_buf = type == SHT_NOBITS ? NULL : buf;
	d->d_size = size;
	d->d_type = type == SHT_SYMTAB ? ELF_T_SYM : ELF_T_BYTE;
	d->d_align = 8;
	sh.sh_name = (GElf_Word)*shoff;
	sh.sh_type = type;
	sh.sh_flags = SHF_ALLOC | (type == SHT_NOBITS ? SHF_WRITE : 0);
	if (type == SHT_SYMTAB || type == SHT_STRTAB)
		sh.sh_flags = 0;
	sh.sh_addr = addr;
	sh.sh_size = size;
	sh.sh_entsize = entsize;
	sh.sh_link = link;
	*shoff += strlen(name) + 1;
	return gelf_update_shdr(scn, &sh) ? (int)elf_ndxscn(scn) : -1;
}

/* An ELF executable that looks like a Go program of VERSION to lib/goheap.c. */
static int make_exe(const char *version, bool stripped)
{
	static char shstr[] = "\0.go.buildinfo\0.strtab\0.symtab\0.bss\0.shstrtab";
	static char strtab[] = "\0runtime.mheap_";
	unsigned char bi[64] = "\xff Go buildinf:";
	Elf64_Sym syms[2] = { { 0 } };
	int fd = memfd_create("fuzz-goheap-exe", MFD_CLOEXEC);
	size_t off = 1, n = strlen(version);
	int strndx, shstrndx;
	GElf_Ehdr eh;
	Elf *e;

	if (fd < 0 || !(e = elf_begin(fd, ELF_C_WRITE, NULL)) || !gelf_newehdr(e, ELFCLASS64))
		return -1;
	gelf_getehdr(e, &eh);
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	gelf_update_ehdr(e, &eh);
	/* Go 1.18's form: pointer size, flag 2 (version inline), at 32 a uvarint length. */
	bi[14] = 8;
	bi[15] = 2;
	bi[32] = (unsigned char)n;
	memcpy(bi + 33, version, n);
	add_section(e, ".go.buildinfo", &off, SHT_PROGBITS, 0x500000, bi, sizeof(bi), 0, 0);
	strndx = add_section(e, ".strtab", &off, SHT_STRTAB, 0, strtab, sizeof(strtab), 0, 0);
	syms[1].st_name = 1;
	syms[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
	syms[1].st_value = MHEAP;
	syms[1].st_size = 70000;
	if (!stripped)
		add_section(e, ".symtab", &off, SHT_SYMTAB, 0, syms, sizeof(syms), sizeof(syms[0]),
			    (GElf_Word)strndx);
	else
		off += strlen(".symtab") + 1;
	add_section(e, ".bss", &off, SHT_NOBITS, BSS, NULL, BSS_SIZE, 0, 0);
	shstrndx = add_section(e, ".shstrtab", &off, SHT_STRTAB, 0, shstr, sizeof(shstr), 0, 0);
	gelf_getehdr(e, &eh);
	eh.e_shstrndx = (Elf64_Half)shstrndx;
	if (shstrndx < 0 || !gelf_update_ehdr(e, &eh) || elf_update(e, ELF_C_WRITE) < 0) {
		fprintf(stderr, "fuzz-goheap: cannot make the executable: %s\n", elf_errmsg(-1));
		abort();
	}
	elf_end(e);
	return fd;
}

static int mem_read(struct ms_ctx *ctx, uint64_t addr, void *buf, size_t len, void *data)
{
	const struct mem *m = data;
	unsigned char *covered;
	size_t i, k;

	(void)ctx;
	if (!len)
		return 0;
	if (addr + len < addr || !(covered = calloc(len, 1)))
		return -5;
	for (i = 0; i < m->n; i++) {
		const struct window *w = &m->w[i];
		uint64_t lo = addr > w->addr ? addr : w->addr;
		uint64_t hi = addr + len < w->addr + w->len ? addr + len : w->addr + w->len;

		if (lo >= hi)
			continue;
		if (w->bytes)
			memcpy((unsigned char *)buf + (lo - addr), w->bytes + (lo - w->addr), hi - lo);
		else
			memset((unsigned char *)buf + (lo - addr), 0, hi - lo);
		memset(covered + (lo - addr), 1, hi - lo);
	}
	for (k = 0; k < len && covered[k]; k++)
		;
	free(covered);
	return k == len ? 0 : -5;
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Seeds: a heap the model walks, for each of the four binaries. */
struct seed {
	unsigned char *b;
	size_t n, cap;
};

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		s->b = realloc(s->b, s->cap);
		if (!s->b)
			abort();
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void win(struct seed *s, uint64_t addr, const void *p, uint32_t len)
{
	unsigned char h[13];
	int i;

	for (i = 0; i < 8; i++)
		h[i] = (unsigned char)(addr >> (8 * i));
	for (i = 0; i < 4; i++)
		h[8 + i] = (unsigned char)(len >> (8 * i));
	h[12] = p == NULL;
	put(s, h, sizeof(h));
	if (p)
		put(s, p, len);
}

static void win64(struct seed *s, uint64_t addr, uint64_t v)
{
	win(s, addr, &v, 8);
}

/* The offsets lib/goheap.c's tables hold (go1.19.8 and go1.22.12 on amd64). */
struct lay {
	uint64_t arenas, allarenas, sweepgen, arena_spans;
	uint64_t start, npages, freeindex, nelems, allocbits, markbits, ssweepgen, spanclass,
		state, elemsize, largetype, size, fsize;
};

static const struct lay lay119 = { 65936, 66016, 65848, 2097152, 24, 32, 48, 56, 72, 80, 88,
				   98, 99, 104, 0, 144, 8 };
static const struct lay lay122 = { 66008, 66096, 65856, 0, 24, 32, 48, 50, 64, 72, 88, 98, 99,
				   104, 152, 160, 2 };

static void span(struct seed *s, const struct lay *l, uint64_t at, uint64_t start, uint64_t npages,
		 uint8_t sizeclass, bool noscan, uint64_t elemsize, uint64_t nelems,
		 uint64_t freeindex, uint64_t bits, uint32_t sweepgen)
{
	unsigned char m[512] = { 0 };

	memcpy(m + l->start, &start, 8);
	memcpy(m + l->npages, &npages, 8);
	memcpy(m + l->freeindex, &freeindex, l->fsize);
	memcpy(m + l->nelems, &nelems, l->fsize);
	memcpy(m + l->allocbits, &bits, 8);
	memcpy(m + l->markbits, &bits, 8);
	memcpy(m + l->ssweepgen, &sweepgen, 4);
	m[l->spanclass] = (uint8_t)(sizeclass << 1 | noscan);
	m[l->state] = 1;
	memcpy(m + l->elemsize, &elemsize, 8);
	if (l->largetype)
		memcpy(m + l->largetype, &(uint64_t){ 0x4a0000 }, 8);
	win(s, at, m, (uint32_t)l->size);
}

static void write_seed(const char *dir, unsigned variant)
{
	const struct lay *l = variant & 1 ? &lay122 : &lay119;
	const uint64_t mheap = variant & 2 ? BSS + 0x100 : MHEAP;
	const uint64_t abase = 0xc000000000ULL;
	const uint64_t idx = (abase - 0xffff800000000000ULL) >> 26;
	const uint64_t l2 = 0x800000, all = 0x810000, ha = 0x900000, spans = ha + l->arena_spans;
	const uint64_t sp = 0xa00000, bits = 0xa10000;
	struct seed s = { 0 };
	unsigned char v = (unsigned char)variant, allbits[64];
	char path[4096];
	FILE *fp;

	put(&s, &v, 1);
	if (variant & 2)
		win(&s, BSS, NULL, (uint32_t)BSS_SIZE);
	win(&s, mheap + l->sweepgen, &(uint32_t){ 6 }, 4);
	win64(&s, mheap + l->arenas, l2);
	win(&s, mheap + l->allarenas, (uint64_t[3]){ all, 1, 1 }, 24);
	win64(&s, all, idx);
	win64(&s, l2 + idx * 8, ha);
	win(&s, spans, NULL, 8192 * 8);
	/* Page 0: 16-byte objects; pages 1-2: one 9472-byte span of two; page 4: a large one. */
	win64(&s, spans + 0 * 8, sp);
	win64(&s, spans + 1 * 8, sp + 0x200);
	win64(&s, spans + 2 * 8, sp + 0x200);
	win64(&s, spans + 4 * 8, sp + 0x400);
	win64(&s, spans + 5 * 8, sp + 0x400);
	span(&s, l, sp, abase, 1, 2, true, 16, 512, 100, bits, 6);
	span(&s, l, sp + 0x200, abase + 8192, 2, 52, false, 9472, 1, 0, bits + 64, 4);
	span(&s, l, sp + 0x400, abase + 4 * 8192, 2, 0, false, 16384, 1, 0, bits + 128, 5);
	memset(allbits, 0xa5, sizeof(allbits));
	win(&s, bits, allbits, sizeof(allbits));
	win(&s, bits + 64, allbits, 1);
	win(&s, bits + 128, allbits, 1);
	snprintf(path, sizeof(path), "%s/goheap-seed-%u", dir, variant);
	if ((fp = fopen(path, "w"))) {
		fwrite(s.b, 1, s.n, fp);
		fclose(fp);
	}
	free(s.b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MS_FUZZ_SEED_DIR");
	unsigned i;

	(void)argc;
	(void)argv;
	elf_version(EV_CURRENT);
	for (i = 0; i < 4; i++)
		exe[i] = make_exe(i & 1 ? "go1.22.1" : "go1.19.8", i & 2);
	if (dir)
		for (i = 0; i < 4; i++)
			write_seed(dir, i);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ms_ctx *ctx;
	struct ms_goheap *h = NULL;
	struct mem m = { .n = 0 };
	size_t pos = 1, i;
	uint64_t sum = 0;

	if (size < 1)
		return 0;
	while (pos + 13 <= size && m.n < MAX_WINDOWS) {
		struct window *w = &m.w[m.n];

		w->addr = le(data + pos, 8);
		w->len = le(data + pos + 8, 4);
		pos += 13;
		if (data[pos - 1]) {
			/* Zeros cost no input, but a read of them costs time: at most 1 MiB. */
			if (w->len > (1u << 20))
				w->len = 1u << 20;
			w->bytes = NULL;
		} else {
			if (w->len > size - pos)
				w->len = size - pos;
			w->bytes = data + pos;
			pos += w->len;
		}
		if (w->addr + w->len < w->addr)
			continue;
		m.n++;
	}
	if (!(ctx = ms_ctx_new()))
		return 0;
	if (ms_goheap_new(ctx, exe[data[0] & 3], "fuzz", 0x400000, mem_read, &m, MS_GOHEAP_TYPES,
			  &h) == 0) {
		const struct ms_gospan *prev = NULL, *s;
		uint64_t live = 0;

		for (i = 0; (s = ms_goheap_span(h, i)); i++) {
			uint32_t slot, k, inuse = 0;

			/* Sorted, each slot inside its span, the used bytes as counted. */
			if (prev && prev->start > s->start)
				__builtin_trap();
			for (k = 0; k < s->nelems; k++)
				inuse += s->used[k];
			if (inuse != s->inuse)
				__builtin_trap();
			live += (uint64_t)s->inuse * s->elemsize;
			if (ms_goheap_span_at(h, s->start, &slot) && slot != 0)
				__builtin_trap();
			sum += ms_goheap_span_at(h, s->start + s->npages * 8192 - 1, NULL) != NULL;
			(void)ms_goheap_type(h, s->start, NULL);
			prev = s;
		}
		if (live != ms_goheap_live_bytes(h))
			__builtin_trap();
		for (i = 0; i < ms_goheap_arena_count(h); i++)
			sum += ms_goheap_arena(h, i, NULL);
		sum += ms_goheap_marked_bytes(h) + ms_goheap_gc_cycles(h) + ms_goheap_typed(h);
		sum += strlen(ms_goheap_version(h)) + strlen(ms_goheap_layout(h));
		if (getenv("MS_FUZZ_VERBOSE"))
			fprintf(stderr, "fuzz-goheap: %s, %s: %zu spans, %zu arenas, %llu live bytes\n",
				ms_goheap_version(h), ms_goheap_layout(h), ms_goheap_span_count(h),
				ms_goheap_arena_count(h), (unsigned long long)ms_goheap_live_bytes(h));
		ms_goheap_free(h);
	} else if (getenv("MS_FUZZ_VERBOSE")) {
		fprintf(stderr, "fuzz-goheap: %s\n", ms_ctx_errmsg(ctx));
	}
	(void)sum;
	ms_ctx_free(ctx);
	return 0;
}
