// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One parser for /proc/PID/maps, smaps and smaps_rollup (fs/proc/task_mmu.c).
 *
 * The input is fed in pieces and walked line by line with explicit bounds:
 * saved copies can be truncated, binary or have absurdly long lines, and
 * nothing here may read past a piece nor keep more of the input than a line.  Strings (names, field names,
 * odd field values) go into one arena per ms_maps, addressed by offset so the
 * arena can grow while parsing; pointers are handed out only afterwards.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <memsift/maps.h>
#include <memsift/procfs.h>

#include "internal.h"
#include "util.h"

/*
 * A field's name and shape.  The kernel prints the same fields in the same
 * order under every mapping, so a mapping keeps only its values (8 bytes a
 * field) and the index of its layout, the list of these it shares with the
 * others: a 20,000-mapping smaps has 500,000 fields, and the memory a watch
 * faults in each sample is a good part of its time.
 */
struct field_desc {
	uint32_t name : 30;	/* index into maps->names (fewer than 2^30) */
	uint32_t is_size : 1;	/* printed as "N kB" */
	uint32_t is_text : 1;	/* the value is the arena offset of its text */
};

/* The fields of a mapping, in order: one list shared by the mappings alike. */
struct layout {
	size_t first, n;	/* in maps->descs */
	uint32_t kpos[MS_F__KNOWN];	/* position + 1 of each known field, 0: absent */
};

struct field_name {
	size_t off;		/* in the arena */
	size_t len;
};

struct ms_mapping {
	const struct ms_maps *maps;
	uint64_t start, end, offset, inode;
	unsigned int dev_major, dev_minor;
	char perms[5];
	enum ms_mapping_kind kind;
	bool deleted;
	size_t name_off;	/* arena offset; 0 is the arena's empty string */
	size_t label_off, label_len;
	size_t vmflags_off;	/* 0: no VmFlags line */
	size_t field_first;	/* its values in maps->values */
	uint32_t layout;	/* index into maps->layouts */
};

/*
 * A hash index of entries 0..N-1 of an array (names, layouts): slots hold
 * index + 1, so 0 is empty, in a table kept at most half full.
 */
struct itab {
	uint32_t *slot;
	size_t cap;
};

struct ms_maps {
	enum ms_maps_format format;
	bool sorted;
	struct ms_mapping *v;
	size_t n, cap;
	uint64_t *values;		/* every mapping's field values, in order */
	size_t nvalues, capvalues;
	struct field_desc *descs;	/* the layouts' fields */
	size_t ndescs, capdescs;
	struct layout *layouts;		/* 0: no fields */
	size_t nlayouts, caplayouts;
	struct itab lindex;		/* of the layouts but 0 */
	struct field_desc *cur;		/* the fields of the mapping being parsed */
	size_t ncur, capcur;
	uint32_t pred;			/* the last layout given: the likely next one */
	uint32_t *files;		/* the first mapping of each run of one file */
	size_t nfiles;
	struct field_name *names;	/* interned field names */
	size_t nnames, capnames;
	struct itab nindex;		/* of the names */
	char *arena;
	size_t alen, acap;
};

/* In enum ms_field order: the index of a known name is its enum value. */
static const char *const known_names[MS_F__KNOWN] = {
	"Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Pss_Dirty",
	"Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean", "Shared_Dirty",
	"Private_Clean", "Private_Dirty", "Referenced", "Anonymous", "KSM",
	"LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
	"Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked",
	"THPeligible", "ProtectionKey",
};

/* Copy LEN bytes plus a NUL into the arena; returns the offset or 0 on ENOMEM. */
static size_t arena_add(struct ms_maps *maps, const char *s, size_t len)
{
	size_t off = maps->alen;

	if (MS_GROW(maps->arena, maps->acap, maps->alen + len + 1, 16))
		return 0;
	memcpy(maps->arena + off, s, len);
	maps->arena[off + len] = '\0';
	maps->alen += len + 1;
	return off;
}

static size_t name_hash_at(const struct ms_maps *maps, uint32_t i);

/* Open addressing: the first empty slot from hash H on. */
static void itab_put(struct itab *t, size_t h, uint32_t i)
{
	size_t mask = t->cap - 1, j = h & mask;

	while (t->slot[j])
		j = (j + 1) & mask;
	t->slot[j] = i + 1;
}

/*
 * Index entry N - 1, just added, of an array whose entries FIRST to N - 1
 * are indexed; when the table would be more than half full, build it anew,
 * twice as large, from them all.  HASH gives an entry's hash by its index.
 */
static int itab_add(const struct ms_maps *maps, struct itab *t, size_t n, uint32_t first,
		    size_t (*hash)(const struct ms_maps *, uint32_t))
{
	size_t ncap = t->cap ? t->cap : 16;
	uint32_t *nt;

	if (t->slot && n * 2 <= t->cap) {
		itab_put(t, hash(maps, (uint32_t)(n - 1)), (uint32_t)(n - 1));
		return 0;
	}
	while (n * 2 > ncap)
		ncap *= 2;
	nt = calloc(ncap, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	free(t->slot);
	t->slot = nt;
	t->cap = ncap;
	for (uint32_t k = first; k < n; k++)
		itab_put(t, hash(maps, k), k);
	return 0;
}

/* What ms_maps_parse() reads at a time. */
#define MS_READ_CHUNK (64 * 1024)

static struct ms_maps *maps_new(void)
{
	struct ms_maps *maps = calloc(1, sizeof(*maps));
	size_t i;

	if (!maps)
		return NULL;
	maps->sorted = true;
	/* Offset 0 is the empty string, so 0 can mean "none". */
	if (!arena_add(maps, "", 0) && maps->alen == 0)
		goto fail;
	if (MS_GROW(maps->names, maps->capnames, MS_F__KNOWN, 16))
		goto fail;
	for (i = 0; i < MS_F__KNOWN; i++) {
		maps->names[i].len = strlen(known_names[i]);
		maps->names[i].off = arena_add(maps, known_names[i], maps->names[i].len);
		if (!maps->names[i].off)
			goto fail;
	}
	maps->nnames = MS_F__KNOWN;
	if (itab_add(maps, &maps->nindex, maps->nnames, 0, name_hash_at) < 0)
		goto fail;
	/* Layout 0: no fields, as in maps input. */
	if (MS_GROW(maps->layouts, maps->caplayouts, 1, 16))
		goto fail;
	memset(&maps->layouts[0], 0, sizeof(maps->layouts[0]));
	maps->nlayouts = 1;
	return maps;
fail:
	ms_maps_free(maps);
	return NULL;
}

void ms_maps_free(struct ms_maps *maps)
{
	if (!maps)
		return;
	free(maps->v);
	free(maps->values);
	free(maps->descs);
	free(maps->layouts);
	free(maps->lindex.slot);
	free(maps->cur);
	free(maps->files);
	free(maps->names);
	free(maps->nindex.slot);
	free(maps->arena);
	free(maps);
}

/*
 * The value of hex digit C, or -1.  Not isxdigit(): the locale's table is a
 * call away per byte, and smaps is 14 MB of digits at 20,000 mappings.
 */
static inline int hexval(unsigned char c)
{
	if ((unsigned int)(c - '0') < 10)
		return c - '0';
	c |= 0x20;
	return (unsigned int)(c - 'a') < 6 ? c - 'a' + 10 : -1;
}

static inline bool is_digit(unsigned char c)
{
	return (unsigned int)(c - '0') < 10;
}

/* Parse up to 16 hex digits at *P (below END); advance *P past them. */
static bool parse_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0, d;

	while (s < end && (d = hexval((unsigned char)*s)) >= 0) {
		if (v >> 60)
			return false;
		v = (v << 4) | (uint64_t)d;
		s++;
		digits++;
	}
	if (!digits)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool parse_dec(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned int d;

	if (s >= end || !is_digit((unsigned char)*s))
		return false;
	while (s < end && is_digit((unsigned char)*s)) {
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
	}
	*p = s;
	*out = v;
	return true;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);

	return len >= pl && !memcmp(s, prefix, pl);
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/* Name the kind of mapping from its name, as fs/proc/task_mmu.c and mm/ write them. */
static void classify(struct ms_maps *maps, struct ms_mapping *m, const char *name,
		     size_t len)
{
	const char *colon;

	m->deleted = false;
	m->label_off = m->label_len = 0;
	if (len == 0) {
		m->kind = MS_MAPPING_ANON;
		return;
	}
	if (name[0] == '[') {
		if (len == 6 && !memcmp(name, "[heap]", 6))
			m->kind = MS_MAPPING_HEAP;
		else if (has_prefix(name, len, "[stack"))
			m->kind = MS_MAPPING_STACK;
		else if (len == 6 && !memcmp(name, "[vdso]", 6))
			m->kind = MS_MAPPING_VDSO;
		else if (has_prefix(name, len, "[vvar"))
			m->kind = MS_MAPPING_VVAR;
		else if (len == 10 && !memcmp(name, "[vsyscall]", 10))
			m->kind = MS_MAPPING_VSYSCALL;
		else if (has_prefix(name, len, "[anon:"))
			m->kind = MS_MAPPING_ANON_NAMED;
		else if (has_prefix(name, len, "[anon_shmem:"))
			m->kind = MS_MAPPING_SHMEM_NAMED;
		else
			m->kind = MS_MAPPING_SPECIAL;
		colon = memchr(name, ':', len);
		if (colon && name[len - 1] == ']' && m->kind != MS_MAPPING_SPECIAL) {
			m->label_off = (size_t)(colon + 1 - maps->arena);
			m->label_len = (size_t)(name + len - 1 - (colon + 1));
		}
		return;
	}
	m->deleted = has_suffix(name, len, " (deleted)");
	if (has_prefix(name, len, "/memfd:")) {
		m->kind = MS_MAPPING_MEMFD;
		m->label_off = (size_t)(name + 7 - maps->arena);
		m->label_len = len - 7 - (m->deleted ? 10 : 0);
	} else if (m->deleted && (has_prefix(name, len, "/dev/zero ") ||
				  has_prefix(name, len, "/SYSV"))) {
		m->kind = MS_MAPPING_SHMEM;
	} else if (name[0] == '/') {
		m->kind = MS_MAPPING_FILE;
	} else {
		/* anon_inode:[perf_event], anon_inode:dmabuf and the like */
		m->kind = MS_MAPPING_SPECIAL;
	}
}

/*
 * The state of one parse, fed in pieces of any size: whole captures, reads
 * of a pipe, or live /proc text.  Lines are taken from the pieces without a
 * copy when they are whole in one; only a line cut between two pieces is
 * gathered in LB.  Nothing of the input is kept once a line is parsed.
 */
struct ms_maps_parser {
	struct ms_ctx *ctx;
	struct ms_maps *maps;
	char *file;
	unsigned int flags;
	unsigned long lineno;	/* of the line being parsed or gathered */
	uint64_t fed;		/* bytes fed so far */
	uint64_t lineoff;	/* offset in the input of the line's first byte */
	const char *line;	/* its first byte, while it is parsed */
	char *lb;		/* a line cut between two pieces */
	size_t llen, lcap;
	enum {
		KEEP,		/* the line is parsed */
		QUIET,		/* ignored (a '#' line nobody reads), still checked for NULs */
		REPORTED,	/* reported bad and skipped: nothing more of it is looked at */
	} skip;
	bool in_header;		/* every line so far began with '#' */
	uint64_t max;		/* most bytes to take */
	int err;		/* the failure that ended the parse, sticky */
	ms_maps_header_cb hcb;
	void *hcb_data;
};

/*
 * Report a malformed line by its place, the byte OFF of the input, and never
 * by its content: the file may be anything, a password file given by mistake.
 */
static int bad_at(struct ms_maps_parser *ps, uint64_t off, const char *fmt, ...)
	MS_ATTR_PRINTF(3, 4);
static int bad_at(struct ms_maps_parser *ps, uint64_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ms_parser_error(ps->ctx, ps->file, ps->lineno, "byte %llu: %s",
			       (unsigned long long)off, msg);
}

/* As bad_at(), at AT in the line being parsed. */
#define bad(ps, at, ...) bad_at(ps, (ps)->lineoff + (uint64_t)((at) - (ps)->line), __VA_ARGS__)

static uint64_t layout_hash(const struct field_desc *d, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t w;

	while (n--) {
		memcpy(&w, d++, sizeof(w));
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static bool layout_is(const struct ms_maps *maps, const struct layout *l,
		      const struct field_desc *d, size_t n)
{
	return l->n == n && !memcmp(maps->descs + l->first, d, n * sizeof(*d));
}

static size_t layout_hash_at(const struct ms_maps *maps, uint32_t i)
{
	const struct layout *l = &maps->layouts[i];

	return layout_hash(maps->descs + l->first, l->n);
}

/* The index of the layout of the fields in maps->cur, added if new. */
static int64_t layout_intern(struct ms_maps *maps)
{
	const struct field_desc *d = maps->cur;
	size_t n = maps->ncur, j, mask;
	struct layout *l;

	/* Mappings alike follow each other: try the last one's first. */
	if (layout_is(maps, &maps->layouts[maps->pred], d, n))
		return maps->pred;
	if (maps->lindex.cap) {
		const uint32_t *slot = maps->lindex.slot;

		mask = maps->lindex.cap - 1;
		for (j = layout_hash(d, n) & mask; slot[j]; j = (j + 1) & mask)
			if (layout_is(maps, &maps->layouts[slot[j] - 1], d, n))
				return slot[j] - 1;
	}
	if (maps->nlayouts >= UINT32_MAX - 1 ||
	    MS_GROW(maps->layouts, maps->caplayouts, maps->nlayouts + 1, 16) ||
	    MS_GROW(maps->descs, maps->capdescs, maps->ndescs + n, 16))
		return -ENOMEM;
	l = &maps->layouts[maps->nlayouts];
	memset(l, 0, sizeof(*l));
	l->first = maps->ndescs;
	l->n = n;
	memcpy(maps->descs + maps->ndescs, d, n * sizeof(*d));
	maps->ndescs += n;
	/* A name printed twice under one mapping: the last one counts, as it always did. */
	for (j = 0; j < n; j++)
		if (d[j].name < MS_F__KNOWN && !d[j].is_text)
			l->kpos[d[j].name] = (uint32_t)j + 1;
	maps->nlayouts++;
	if (itab_add(maps, &maps->lindex, maps->nlayouts, 1, layout_hash_at) < 0)
		return -ENOMEM;
	return (int64_t)maps->nlayouts - 1;
}

/* The last mapping's fields are all read: give it its layout. */
static int end_mapping(struct ms_maps *maps)
{
	int64_t l;

	if (!maps->n || !maps->ncur)
		return 0;
	l = layout_intern(maps);
	if (l < 0)
		return -ENOMEM;
	maps->v[maps->n - 1].layout = (uint32_t)l;
	maps->pred = (uint32_t)l;
	maps->ncur = 0;
	return 0;
}

/* "start-end perms offset major:minor inode   name" */
static int parse_mapping_line(struct ms_maps_parser *ps, const char *p, const char *end)
{
	struct ms_maps *maps = ps->maps;
	const char *s = p;
	struct ms_mapping m;
	uint64_t major, minor;
	const char *name;
	size_t i;

	memset(&m, 0, sizeof(m));
	if (!parse_hex(&p, end, &m.start) || !expect(&p, end, '-') ||
	    !parse_hex(&p, end, &m.end) || !expect(&p, end, ' '))
		return bad(ps, s, "bad address range");
	if (m.end < m.start)
		return bad(ps, s, "address range ends before it starts");
	if (end - p < 5 || p[4] != ' ')
		return bad(ps, p, "bad permissions");
	for (i = 0; i < 4; i++) {
		static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };

		if (!memchr(allowed[i], p[i], 2))
			return bad(ps, p, "bad permissions");
		m.perms[i] = p[i];
	}
	p += 5;
	s = p;
	if (!parse_hex(&p, end, &m.offset) || !expect(&p, end, ' '))
		return bad(ps, s, "bad file offset");
	s = p;
	if (!parse_hex(&p, end, &major) || !expect(&p, end, ':') ||
	    !parse_hex(&p, end, &minor) || !expect(&p, end, ' ') ||
	    major > UINT32_MAX || minor > UINT32_MAX)
		return bad(ps, s, "bad device number");
	m.dev_major = (unsigned int)major;
	m.dev_minor = (unsigned int)minor;
	s = p;
	if (!parse_dec(&p, end, &m.inode))
		return bad(ps, s, "bad inode number");
	if (p < end && *p != ' ')
		return bad(ps, s, "bad inode number");
	/* The kernel pads to a column before the name; the name is the rest. */
	while (p < end && *p == ' ')
		p++;
	name = p;
	if (end > name) {
		m.name_off = arena_add(maps, name, (size_t)(end - name));
		if (!m.name_off)
			return -ENOMEM;
	}
	classify(maps, &m, maps->arena + m.name_off, (size_t)(end - name));
	m.field_first = maps->nvalues;
	if (end_mapping(maps) < 0 ||
	    MS_GROW(maps->v, maps->cap, maps->n + 1, 16))
		return -ENOMEM;
	if (maps->n && m.start < maps->v[maps->n - 1].end)
		maps->sorted = false;
	maps->v[maps->n++] = m;
	return 1;
}

/* FNV-1a: field names are short, and this is only the table's index. */
static size_t name_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
}

static size_t name_hash_at(const struct ms_maps *maps, uint32_t i)
{
	return name_hash(maps->arena + maps->names[i].off, maps->names[i].len);
}

/*
 * The index of field name S, added if new.  A hash, not a scan of the names
 * seen: a capture can hold any number of distinct names, and a scan made
 * 100,000 of them take most of a minute.
 */
static int intern_name(struct ms_maps *maps, const char *s, size_t len, size_t hint)
{
	size_t j, mask, off;
	uint32_t i;

	/* Every mapping lists its fields in one order: the hint is almost always right. */
	if (hint < maps->nnames && maps->names[hint].len == len &&
	    !memcmp(maps->arena + maps->names[hint].off, s, len))
		return (int)hint;
	mask = maps->nindex.cap - 1;
	for (j = name_hash(s, len) & mask; maps->nindex.slot[j]; j = (j + 1) & mask) {
		i = maps->nindex.slot[j] - 1;
		if (maps->names[i].len == len && !memcmp(maps->arena + maps->names[i].off, s, len))
			return (int)i;
	}
	if (maps->nnames >= (1U << 30) ||
	    MS_GROW(maps->names, maps->capnames, maps->nnames + 1, 16))
		return -ENOMEM;
	off = arena_add(maps, s, len);
	if (!off)
		return -ENOMEM;
	maps->names[maps->nnames].off = off;
	maps->names[maps->nnames].len = len;
	maps->nnames++;
	if (itab_add(maps, &maps->nindex, maps->nnames, 0, name_hash_at) < 0)
		return -ENOMEM;
	return (int)maps->nnames - 1;
}

/*
 * The name the next field line most likely has: the one at the same place
 * in the last layout given (the kernel prints the same fields in the same
 * order under every mapping), else the one interned after the last.
 */
static inline size_t next_name(const struct ms_maps *maps)
{
	const struct layout *l = &maps->layouts[maps->pred];

	if (maps->ncur < l->n)
		return maps->descs[l->first + maps->ncur].name;
	return maps->ncur ? maps->cur[maps->ncur - 1].name + 1 : 0;
}

/* "Name:   value" under the last mapping; P is at the name, COLON at its ':'. */
static int parse_field_line(struct ms_maps_parser *ps, const char *p, const char *colon,
			    const char *end, int id)
{
	struct ms_maps *maps = ps->maps;
	struct ms_mapping *m = &maps->v[maps->n - 1];
	struct field_desc f = { 0 };
	const char *v = colon + 1, *vend = end;
	uint64_t value = 0;
	size_t hint;

	/* The kernel right-aligns values in a wide field: skip its padding in words. */
	while (vend - v >= 8 && !memcmp(v, "        ", 8))
		v += 8;
	while (v < vend && *v == ' ')
		v++;
	if (colon - p == 7 && !memcmp(p, "VmFlags", 7)) {
		/* The kernel ends each flag with a space; keep them without it. */
		while (vend > v && vend[-1] == ' ')
			vend--;
		m->vmflags_off = arena_add(maps, v, (size_t)(vend - v));
		return m->vmflags_off ? 1 : -ENOMEM;
	}

	if (id < 0) {
		hint = next_name(maps);
		id = intern_name(maps, p, (size_t)(colon - p), hint);
		if (id < 0)
			return id;
	}
	f.name = (uint32_t)id;

	{
		const char *q = v;
		uint64_t val;

		/*
		 * The kernel prints every known field before THPeligible in kB
		 * (fs/proc/task_mmu.c: SEQ_PUT_DEC(" kB")): without its unit, the
		 * line was cut, as in a copy truncated at "Pss:   1".
		 */
		if (parse_dec(&q, vend, &val) &&
		    (q == vend || (vend - q == 3 && !memcmp(q, " kB", 3))) &&
		    (q != vend || f.name >= MS_F_THPELIGIBLE)) {
			f.is_size = q != vend;
			if (f.is_size && val > UINT64_MAX / 1024)
				return bad(ps, v, "field value overflows 64 bits");
			value = f.is_size ? val * 1024 : val;
		} else if (f.name < MS_F__KNOWN) {
			/*
			 * A field we know is always a number: this is a cut or
			 * mangled line.  Its text is not quoted: the file may
			 * be anything (a password file given by mistake).
			 */
			return bad(ps, v, "bad value for %s", known_names[f.name]);
		} else {
			/* A value of a shape not known yet: keep its text. */
			f.is_text = 1;
			value = arena_add(maps, v, (size_t)(vend - v));
			if (!value)
				return -ENOMEM;
		}
	}
	if ((maps->ncur == maps->capcur &&
	     MS_GROW(maps->cur, maps->capcur, maps->ncur + 1, 16)) ||
	    (maps->nvalues == maps->capvalues &&
	     MS_GROW(maps->values, maps->capvalues, maps->nvalues + 1, 16)))
		return -ENOMEM;
	maps->cur[maps->ncur++] = f;
	maps->values[maps->nvalues++] = value;
	return 1;
}

static bool is_mapping_line(const char *p, const char *end)
{
	while (p < end && hexval((unsigned char)*p) >= 0)
		p++;
	return p < end && *p == '-';
}

static bool is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* The ':' ending a field name ([A-Za-z_][A-Za-z0-9_]*), or NULL. */
static const char *field_colon(const char *p, const char *end)
{
	if (p >= end || !is_name_char((unsigned char)*p) || (*p >= '0' && *p <= '9'))
		return NULL;
	while (p < end && is_name_char((unsigned char)*p))
		p++;
	return p < end && *p == ':' ? p : NULL;
}

static int parse_line(struct ms_maps_parser *ps, const char *p, const char *end)
{
	struct ms_maps *maps = ps->maps;
	const char *colon, *q;

	for (q = p; q < end && isspace((unsigned char)*q); q++)
		;
	if (q == end)
		return 0;	/* blank lines carry nothing */
	/*
	 * The kernel prints the same fields in the same order under every
	 * mapping: try the field that follows the last one first, with one
	 * memcmp, before scanning the line to learn what it is.
	 */
	if (maps->n) {
		size_t hint = next_name(maps);

		if (hint < maps->nnames) {
			const struct field_name *fn = &maps->names[hint];

			if ((size_t)(end - p) > fn->len && p[fn->len] == ':' &&
			    !memcmp(p, maps->arena + fn->off, fn->len))
				return parse_field_line(ps, p, p + fn->len, end, (int)hint);
		}
	}
	if (is_mapping_line(p, end))
		return parse_mapping_line(ps, p, end);
	colon = field_colon(p, end);
	if (colon) {
		if (!maps->n)
			return bad(ps, p, "a field line before any mapping line");
		return parse_field_line(ps, p, colon, end, -1);
	}
	return bad(ps, p, "not a maps or smaps line; is this a maps or smaps capture?");
}

int ms_maps_parser_new(struct ms_ctx *ctx, const char *name, struct ms_maps_parser **out)
{
	struct ms_maps_parser *ps = calloc(1, sizeof(*ps));
	const char *file = name ? name : "-";

	if (ps) {
		ps->maps = maps_new();
		ps->file = strdup(file);
	}
	if (!ps || !ps->maps || !ps->file) {
		ms_maps_parser_free(ps);
		return ms_err(ctx, -ENOMEM, "%s: out of memory", file);
	}
	ps->ctx = ctx;
	ps->in_header = true;
	ps->max = UINT64_MAX;
	*out = ps;
	return 0;
}

void ms_maps_parser_set_header_cb(struct ms_maps_parser *ps, ms_maps_header_cb cb, void *data)
{
	ps->hcb = cb;
	ps->hcb_data = data;
}

void ms_maps_parser_set_max(struct ms_maps_parser *ps, uint64_t max)
{
	ps->max = max;
}

void ms_maps_parser_free(struct ms_maps_parser *ps)
{
	if (!ps)
		return;
	ms_maps_free(ps->maps);
	free(ps->lb);
	free(ps->file);
	free(ps);
}

/* The memory MAPS holds. */
static uint64_t maps_mem(const struct ms_maps *maps)
{
	return (uint64_t)maps->cap * sizeof(*maps->v) + maps->capvalues * sizeof(*maps->values) +
	       maps->capdescs * sizeof(*maps->descs) + maps->caplayouts * sizeof(*maps->layouts) +
	       (maps->lindex.cap + maps->nindex.cap) * sizeof(uint32_t) +
	       maps->capcur * sizeof(*maps->cur) + maps->nfiles * sizeof(*maps->files) +
	       maps->capnames * sizeof(*maps->names) +
	       maps->acap;
}

/* One whole line, newline removed, that starts at input offset ps->lineoff. */
static int do_line(struct ms_maps_parser *ps, const char *p, size_t len)
{
	const char *e = p + len;
	int rc;

	if (e > p && e[-1] == '\r')
		e--;
	ps->line = p;
	if (len && *p == '#') {
		/* mapsnap's header, handed on while no other line came before. */
		if (ps->in_header && ps->hcb)
			return ps->hcb(ps->hcb_data, p, (size_t)(e - p), ps->lineno);
		return 0;
	}
	ps->in_header = false;
	rc = parse_line(ps, p, e);
	if (rc > 0 && ps->max != UINT64_MAX && maps_mem(ps->maps) > ps->max)
		/* Three-letter lines can make 300-byte mappings: bound what is kept too. */
		return ms_err(ps->ctx, -EFBIG,
			      "%s:%lu: the mappings parsed take more than %llu MiB, more than memsift keeps of a capture",
			      ps->file, ps->lineno, (unsigned long long)(ps->max >> 20));
	return rc < 0 ? rc : 0;
}

/* The longest line read: no line of maps, smaps or pmap output comes near it. */
#define LINE_MAX_BYTES (1024 * 1024)

/*
 * Whether the line begun at P (LEN bytes so far, more to come) is kept:
 * '#' lines only while they are a header someone reads, other lines up to
 * LINE_MAX_BYTES.  An over-long line is an error, or skipped if the
 * callback says so; a '#' line nobody reads is skipped without a word.
 */
static int check_long(struct ms_maps_parser *ps, const char *p, size_t len)
{
	if (!len)
		return 0;
	if (*p == '#') {
		if (!(ps->in_header && ps->hcb))
			ps->skip = QUIET;
		return 0;
	}
	if (len <= LINE_MAX_BYTES)
		return 0;
	ps->skip = REPORTED;
	return bad_at(ps, ps->lineoff, "a line longer than 1 MiB; is this a maps or smaps capture?");
}

int ms_maps_parser_feed(struct ms_maps_parser *ps, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *nul;
	size_t n;
	int rc = 0;

	if (ps->err)
		return ps->err;
	if (len > ps->max || ps->fed > ps->max - len)
		return ps->err = ms_err(ps->ctx, -EFBIG,
					"%s: larger than %llu MiB, more than memsift reads of a capture; is this a maps or smaps capture?",
					ps->file, (unsigned long long)(ps->max >> 20));
	/* One look for binary data per piece, not one per line. */
	nul = memchr(buf, '\0', len);
	while (p < end && rc >= 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl ? nl : end) - p);
		if (!ps->llen && ps->skip == KEEP) {
			/* The line starts here; its offset is the bytes before it. */
			ps->lineno++;
			ps->lineoff = ps->fed + (uint64_t)(p - buf);
		}
		if (ps->skip != REPORTED && nul && nul < p + n) {
			rc = bad_at(ps, ps->fed + (uint64_t)(nul - buf),
				    "binary data (a NUL byte); is this a maps or smaps capture?");
			ps->skip = REPORTED;
			ps->llen = 0;
		}
		if (nul && nul < p + n)
			nul = memchr(p + n, '\0', (size_t)(end - p - n));
		if (rc < 0)
			break;
		if (ps->skip == KEEP && !ps->llen && nl) {
			rc = check_long(ps, p, n);
			if (rc == 0 && ps->skip == KEEP)
				rc = do_line(ps, p, n);
		} else if (ps->skip == KEEP) {
			/* A line cut between pieces: gather it. */
			if (MS_GROW(ps->lb, ps->lcap, ps->llen + n + 1, 16)) {
				rc = -ENOMEM;
				break;
			}
			memcpy(ps->lb + ps->llen, p, n);
			ps->llen += n;
			rc = check_long(ps, ps->lb, ps->llen);
			if (ps->skip != KEEP)
				ps->llen = 0;
			else if (nl) {
				rc = do_line(ps, ps->lb, ps->llen);
				ps->llen = 0;
			}
		}
		if (nl)
			ps->skip = KEEP;
		p = nl ? nl + 1 : end;
	}
	ps->fed += len;
	if (rc == -ENOMEM)
		rc = ms_err(ps->ctx, -ENOMEM, "%s: out of memory", ps->file);
	if (rc < 0)
		ps->err = rc;
	return rc < 0 ? rc : 0;
}

/*
 * The files mapped, each run of one file's mappings (a library's 4 or 5
 * segments) once: what a question about the process's programs and
 * libraries walks, not 20,000 mappings for each mapping labelled.
 */
static int index_files(struct ms_maps *maps)
{
	const char *last = NULL, *name;
	size_t i, n = 0;

	for (i = 0; i < maps->n; i++)
		n += maps->v[i].kind == MS_MAPPING_FILE;
	if (n && !(maps->files = malloc(n * sizeof(*maps->files))))
		return -ENOMEM;
	for (i = 0; i < maps->n; i++) {
		if (maps->v[i].kind != MS_MAPPING_FILE) {
			last = NULL;
			continue;
		}
		name = maps->arena + maps->v[i].name_off;
		if (!last || strcmp(last, name))
			maps->files[maps->nfiles++] = (uint32_t)i;
		last = name;
	}
	return 0;
}

int ms_maps_parser_end(struct ms_maps_parser *ps, unsigned int flags, struct ms_maps **out)
{
	struct ms_maps *maps = ps->maps;
	bool cut = ps->llen > 0 || ps->skip != KEEP;
	int rc;
	size_t i;

	if (ps->err)
		return ps->err;
	/* A last line without a newline still counts, as the kernel's never lacks one. */
	if (ps->llen) {
		rc = do_line(ps, ps->lb, ps->llen);
		ps->llen = 0;
		if (rc == -ENOMEM)
			rc = ms_err(ps->ctx, -ENOMEM, "%s: out of memory", ps->file);
		if (rc < 0)
			return ps->err = rc;
	}
	if (cut && (flags & MS_MAPS_WHOLE)) {
		/*
		 * mapsnap and the kernel end every line: a last line without
		 * its newline was cut, and the mappings after it are missing
		 * (--grown would take every one of them for new).
		 */
		rc = ms_parser_error(ps->ctx, ps->file, ps->lineno,
				     "cut short (the last line has no newline); is the file whole?");
		if (rc < 0)
			return ps->err = rc;
	}
	if (!maps->n)
		return ps->err = ms_err(ps->ctx, -EBADMSG,
					"%s: no mappings in it; is this a maps or smaps capture?",
					ps->file);
	if (end_mapping(maps) < 0)
		return ps->err = ms_err(ps->ctx, -ENOMEM, "%s: out of memory", ps->file);
	if (index_files(maps) < 0)
		return ps->err = ms_err(ps->ctx, -ENOMEM, "%s: out of memory", ps->file);
	maps->format = maps->nvalues ? MS_MAPS_FMT_SMAPS : MS_MAPS_FMT_MAPS;
	if (maps->n == 1 && !strcmp(maps->arena + maps->v[0].name_off, "[rollup]"))
		maps->format = MS_MAPS_FMT_ROLLUP;
	for (i = 0; i < maps->n; i++)
		maps->v[i].maps = maps;
	ps->maps = NULL;
	ps->err = -EALREADY;
	*out = maps;
	return 0;
}

int ms_maps_parse_buf(struct ms_ctx *ctx, const char *buf, size_t len,
		      const char *name, struct ms_maps **out)
{
	struct ms_maps_parser *ps;
	int rc;

	rc = ms_maps_parser_new(ctx, name, &ps);
	if (rc < 0)
		return rc;
	rc = ms_maps_parser_feed(ps, buf, len);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
	ms_maps_parser_free(ps);
	return rc;
}

int ms_maps_parse(struct ms_ctx *ctx, FILE *fp, const char *name,
		  struct ms_maps **out)
{
	const char *file = name ? name : "-";
	struct ms_maps_parser *ps = NULL;
	char *buf = malloc(MS_READ_CHUNK);
	size_t n;
	int rc;

	if (!buf)
		return ms_err(ctx, -ENOMEM, "%s: out of memory", file);
	rc = ms_maps_parser_new(ctx, name, &ps);
	if (rc == 0)
		ms_maps_parser_set_max(ps, MS_INPUT_MAX);
	while (rc == 0 && (n = fread(buf, 1, MS_READ_CHUNK, fp)) > 0)
		rc = ms_maps_parser_feed(ps, buf, n);
	if (rc == 0 && ferror(fp))
		rc = ms_err_errno(ctx, -EIO, "%s: read failed", file);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
	ms_maps_parser_free(ps);
	free(buf);
	return rc;
}

/* What a live read takes at a time: /proc hands smaps out a page or so per record anyway. */
#define MS_PROC_CHUNK (64 * 1024)

int ms_maps_read_pid_cb(struct ms_ctx *ctx, pid_t pid, enum ms_maps_source src,
			ms_maps_piece_cb cb, void *data, struct ms_maps **out)
{
	const char *fname = src == MS_MAPS_SRC_MAPS ? "maps" :
			    src == MS_MAPS_SRC_ROLLUP ? "smaps_rollup" : "smaps";
	struct ms_maps_parser *ps = NULL;
	char name[64], *buf = NULL;
	uint64_t total = 0;
	ssize_t n;
	int fd, rc;

	rc = ms_procfs_open(ctx, pid, fname, O_RDONLY, &fd);
	if (rc < 0)
		return rc;
	ms_procfs_mm_path(pid, fname, name, sizeof(name));
	buf = malloc(MS_PROC_CHUNK);
	if (!buf) {
		rc = ms_err(ctx, -ENOMEM, "pid %d: out of memory", (int)pid);
		goto out;
	}
	rc = ms_maps_parser_new(ctx, name, &ps);
	/*
	 * Parsed as it is read, a piece at a time while it is in the cache:
	 * memory holds the mappings, never the text (14 MB at 20,000 mappings).
	 */
	while (rc == 0 && (n = read(fd, buf, MS_PROC_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			if (rc == -ESRCH)
				rc = ms_err(ctx, -ESRCH, "pid %d: exited while %s was read", (int)pid, name);
			else if (rc == -EACCES || rc == -EPERM)
				rc = ms_err(ctx, -EPERM,
					    "pid %d: permission denied reading %s; run as its owner or with CAP_SYS_PTRACE",
					    (int)pid, name);
			else
				rc = ms_err_errno(ctx, rc, "%s: read failed", name);
			break;
		}
		total += (uint64_t)n;
		if (cb && (rc = cb(data, buf, (size_t)n)) < 0)
			break;
		rc = ms_maps_parser_feed(ps, buf, (size_t)n);
	}
	if (rc == 0 && total == 0)
		rc = ms_procfs_pid_exists(pid) ?
		     ms_err(ctx, -ENODATA, "pid %d: no mappings (a kernel thread, or a zombie)", (int)pid) :
		     ms_err(ctx, -ESRCH, "pid %d: exited while %s was read", (int)pid, name);
	if (rc == 0)
		rc = ms_maps_parser_end(ps, 0, out);
out:
	ms_maps_parser_free(ps);
	free(buf);
	close(fd);
	return rc;
}

int ms_maps_read_pid(struct ms_ctx *ctx, pid_t pid, enum ms_maps_source src,
		     struct ms_maps **out)
{
	return ms_maps_read_pid_cb(ctx, pid, src, NULL, NULL, out);
}

enum ms_maps_format ms_maps_format(const struct ms_maps *maps)
{
	return maps->format;
}

size_t ms_maps_count(const struct ms_maps *maps)
{
	return maps->n;
}

const struct ms_mapping *ms_maps_get(const struct ms_maps *maps, size_t i)
{
	return i < maps->n ? &maps->v[i] : NULL;
}

size_t ms_maps_nfiles(const struct ms_maps *maps)
{
	return maps->nfiles;
}

const struct ms_mapping *ms_maps_file(const struct ms_maps *maps, size_t i)
{
	return i < maps->nfiles ? &maps->v[maps->files[i]] : NULL;
}

const struct ms_mapping *ms_maps_find(const struct ms_maps *maps, uint64_t addr)
{
	size_t lo = 0, hi = maps->n, mid, i;

	if (!maps->sorted) {
		for (i = 0; i < maps->n; i++)
			if (addr >= maps->v[i].start && addr < maps->v[i].end)
				return &maps->v[i];
		return NULL;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (addr < maps->v[mid].start)
			hi = mid;
		else if (addr >= maps->v[mid].end)
			lo = mid + 1;
		else
			return &maps->v[mid];
	}
	return NULL;
}

uint64_t ms_maps_total(const struct ms_maps *maps, enum ms_field f)
{
	uint64_t sum = 0;
	bool any = false;
	size_t i;

	if ((unsigned int)f >= MS_F__KNOWN)
		return MS_FIELD_ABSENT;
	for (i = 0; i < maps->n; i++) {
		uint64_t v = ms_mapping_get(&maps->v[i], f);

		if (v == MS_FIELD_ABSENT)
			continue;
		sum += v;
		any = true;
	}
	return any ? sum : MS_FIELD_ABSENT;
}

size_t ms_mapping_index(const struct ms_mapping *m) { return (size_t)(m - m->maps->v); }
const struct ms_maps *ms_mapping_maps(const struct ms_mapping *m) { return m->maps; }
uint64_t ms_mapping_start(const struct ms_mapping *m) { return m->start; }
uint64_t ms_mapping_end(const struct ms_mapping *m) { return m->end; }
uint64_t ms_mapping_size(const struct ms_mapping *m) { return m->end - m->start; }
const char *ms_mapping_perms(const struct ms_mapping *m) { return m->perms; }
uint64_t ms_mapping_offset(const struct ms_mapping *m) { return m->offset; }
unsigned int ms_mapping_dev_major(const struct ms_mapping *m) { return m->dev_major; }
unsigned int ms_mapping_dev_minor(const struct ms_mapping *m) { return m->dev_minor; }
uint64_t ms_mapping_inode(const struct ms_mapping *m) { return m->inode; }
enum ms_mapping_kind ms_mapping_kind(const struct ms_mapping *m) { return m->kind; }
bool ms_mapping_deleted(const struct ms_mapping *m) { return m->deleted; }

const char *ms_mapping_name(const struct ms_mapping *m)
{
	return m->maps->arena + m->name_off;
}

const char *ms_mapping_label(const struct ms_mapping *m, size_t *len)
{
	if (!m->label_len)
		return NULL;
	if (len)
		*len = m->label_len;
	return m->maps->arena + m->label_off;
}

uint64_t ms_mapping_get(const struct ms_mapping *m, enum ms_field f)
{
	uint32_t pos;

	if ((unsigned int)f >= MS_F__KNOWN)
		return MS_FIELD_ABSENT;
	pos = m->maps->layouts[m->layout].kpos[f];
	return pos ? m->maps->values[m->field_first + pos - 1] : MS_FIELD_ABSENT;
}

uint64_t ms_mapping_get_or_size(const struct ms_mapping *m, enum ms_field f)
{
	uint64_t v = ms_mapping_get(m, f);

	return v == MS_FIELD_ABSENT && f == MS_F_RSS ? ms_mapping_size(m) : v;
}

size_t ms_mapping_nfields(const struct ms_mapping *m)
{
	return m->maps->layouts[m->layout].n;
}

int ms_mapping_field_at(const struct ms_mapping *m, size_t i, const char **name,
			uint64_t *value, bool *is_size, const char **text)
{
	const struct ms_maps *maps = m->maps;
	const struct layout *l = &maps->layouts[m->layout];
	const struct field_desc *f;
	uint64_t v;

	if (i >= l->n)
		return -ENOENT;
	f = &maps->descs[l->first + i];
	v = maps->values[m->field_first + i];
	if (name)
		*name = maps->arena + maps->names[f->name].off;
	if (value)
		*value = f->is_text ? 0 : v;
	if (is_size)
		*is_size = f->is_size;
	if (text)
		*text = maps->arena + (f->is_text ? v : 0);
	return 0;
}

int ms_mapping_field(const struct ms_mapping *m, const char *name,
		     uint64_t *value, const char **text)
{
	const char *n;
	size_t i;

	for (i = 0; i < ms_mapping_nfields(m); i++) {
		ms_mapping_field_at(m, i, &n, NULL, NULL, NULL);
		if (!strcmp(n, name))
			return ms_mapping_field_at(m, i, NULL, value, NULL, text);
	}
	return -ENOENT;
}

const char *ms_mapping_vmflags(const struct ms_mapping *m)
{
	return m->vmflags_off ? m->maps->arena + m->vmflags_off : NULL;
}

bool ms_mapping_has_vmflag(const struct ms_mapping *m, const char *flag)
{
	const char *f = ms_mapping_vmflags(m);
	size_t fl = strlen(flag);

	while (f && *f) {
		if (!strncmp(f, flag, fl) && (f[fl] == ' ' || f[fl] == '\0'))
			return true;
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	return false;
}
