/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a pointer points at: a function (with its source file:line), a C++
 * vtable or typeinfo, a string literal, a data or bss object, or memory of
 * no module (the heap, a stack, an anonymous mapping).  Built with libdwfl
 * from the process's maps: saved ones (regiondump's manifest, "maps") or a
 * live process's.  Debug info is found as elfutils finds it: in the file,
 * by build-id or .gnu_debuglink under /usr/lib/debug.
 *
 *	ms_symbols_new(ctx, maps_text, len, "leak.dump.json", &s);
 *	ms_symbols_count_words(ctx, s, buf, n);		(as often as needed)
 *	ms_symbols_rank(s);
 *	for (i = 0; i < ms_symbols_target_count(s); i++)
 *		... ms_symbols_target(s, i)->sym.name, ->count ...
 *	ms_symbols_free(s);
 *
 * Each distinct address is classified once and cached; memory of no module
 * is counted by mapping without a lookup, so a pointer-dense dump costs a
 * binary search and a hash probe per word.
 */
#ifndef MEMSIFT_SYMBOL_H
#define MEMSIFT_SYMBOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <memsift/ctx.h>

struct ms_symbols;

/* What an address is. */
enum ms_sym_kind {
	MS_SYM_TEXT = 1,	/* code: a function */
	MS_SYM_VTABLE,		/* a C++ vtable (_ZTV..., or named from its RTTI when stripped) */
	MS_SYM_TYPEINFO,	/* a C++ typeinfo or its name (_ZTI..., _ZTS...) */
	MS_SYM_STRING,		/* read-only data holding a string: NAME is its text */
	MS_SYM_RODATA,		/* other read-only data */
	MS_SYM_DATA,		/* initialised writable data */
	MS_SYM_BSS,		/* zero-initialised data */
	MS_SYM_HEAP,		/* [heap], the brk area */
	MS_SYM_STACK,		/* [stack] */
	MS_SYM_ANON,		/* anonymous memory: mmap'ed blocks, thread arenas and stacks */
	MS_SYM_MAPPING,		/* any other mapping: a non-ELF file, [vdso]... */
	MS_SYM_NKINDS
};

/* Where an address points. */
struct ms_sym {
	enum ms_sym_kind kind;
	/*
	 * The symbol, demangled ("vtable for shape::Circle"), the string's text
	 * (MS_SYM_STRING), MODULE+0xOFFSET when no symbol covers the address,
	 * or the mapping ("[heap]", "anon 0x7f3a1c000000").
	 */
	const char *name;
	const char *module;	/* the ELF file or mapping's path; NULL for anonymous memory */
	const char *file;	/* source file (MS_SYM_TEXT with line info), or NULL */
	int line;		/* its line, 0 when unknown */
	uint64_t addr;		/* the address looked up (the first one, for a counted target) */
	/* Why a name is missing, e.g. that the module has no symbols; NULL when none is. */
	const char *note;
};

/* A target of the counted words and how many pointed at it. */
struct ms_sym_count {
	struct ms_sym sym;
	uint64_t count;
};

/*
 * A symbolizer for the address space described by MAPS, LEN bytes of
 * /proc/PID/maps text (from ms_manifest_info.maps, or read live).  NAME
 * names the source in messages.  Modules' ELF files are opened by their
 * path when first needed; one that cannot be opened gives MODULE+offset
 * names, not an error.  On success *OUT owns the symbolizer; release it
 * with ms_symbols_free().
 *
 * Returns: 0, -EBADMSG when MAPS is not maps text, -EIO when libdwfl fails
 * (the message says why), or -ENOMEM.
 */
int ms_symbols_new(struct ms_ctx *ctx, const char *maps, size_t len, const char *name,
		   struct ms_symbols **out);

/*
 * As ms_symbols_new(), from the live process PID's /proc/PID/maps, with
 * ms_symbols_set_pid() applied.
 * Returns: as ms_symbols_new(), and -ESRCH or -EPERM as ms_procfs_read().
 */
int ms_symbols_new_pid(struct ms_ctx *ctx, pid_t pid, struct ms_symbols **out);

/*
 * The build-ids the files had when the maps were taken: LINES of
 * "PATH\tHEX\n" (ms_manifest_info.build_ids).  A module whose file now has
 * another build-id, or none, was replaced since: its addresses are named
 * MODULE+offset with a note saying so, never by the symbols of the wrong
 * file, and its data is not searched for strings.  Call before the first
 * lookup; LINES is copied.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_symbols_expect_build_ids(struct ms_ctx *ctx, struct ms_symbols *s, const char *lines);

/*
 * The maps are of live process PID: open its modules through
 * /proc/PID/map_files and /proc/PID/root, and read C++ RTTI from its
 * memory.  Call before the first lookup.
 *
 * Each module's file is the first of its path, /proc/PID/root/PATH (the
 * process's own root: a container), /proc/PID/map_files/START-END (the
 * very file mapped; needs CAP_SYS_ADMIN) and /proc/PID/exe that has the
 * build-id expected: the one in the process's memory, else the one
 * recorded (ms_symbols_expect_build_ids()), else map_files' file's.  Names
 * from a file read other than by its path carry a note saying which file
 * was used and why ("read through /proc/PID/map_files: the file at PATH
 * was replaced since (gone)"); a module none of whose files has the
 * build-id is named MODULE+offset, as a replaced one.
 *
 * Returns: 0; -ESRCH when PID is gone or is not the process of the maps
 * (its files are mapped elsewhere: the pid was reused); -EPERM when its
 * maps may not be read; or -ENOMEM.  On failure S is unchanged and still
 * usable without the process.
 */
int ms_symbols_set_pid(struct ms_ctx *ctx, struct ms_symbols *s, pid_t pid);

/* Release S and every string it handed out; NULL is accepted. */
void ms_symbols_free(struct ms_symbols *s);

/*
 * Classify ADDR.  *OUT is borrowed from S and NULL when no mapping holds
 * ADDR, or when ADDR, in a module, cannot be a pointer where it falls: into
 * code other than a function's start or a return site (right after a call),
 * into read-only data other than an object's start (vtables and strings
 * included), into data or bss outside a symbol's start or a sized object.
 * Counting (below) skips such words too: an integer in a non-PIE binary's
 * range is not code, and no byte inside code is looked up.  The struct is valid until the next lookup or count (the table
 * behind it grows); the strings it points to until ms_symbols_free(), so
 * copy the struct to keep it.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_symbols_lookup(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t addr,
		      const struct ms_sym **out);

/*
 * Name PC, an instruction address from an unwound stack (a sampled pc, or
 * a return address minus one): as ms_symbols_lookup(), but any pc inside a
 * function is named, by the function covering it (demangled) and the line
 * table's file:line, with the module's checks (build-id, replaced files,
 * containers) alike.  *OUT is borrowed as for ms_symbols_lookup(), and NULL
 * only when no mapping holds PC.  Not cached: a caller that names a pc
 * often keeps the answer.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_symbols_lookup_code(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t pc,
			   const struct ms_sym **out);

/*
 * Name PC as ms_symbols_lookup_code() does, with the functions the
 * compiler inlined there expanded, as `addr2line -i` and `perf report
 * --inline` show them: OUT[0] is the innermost function inlined at PC
 * (DW_TAG_inlined_subroutine) with PC's file:line from the line table,
 * each next one the function it was inlined into with the call's
 * file:line (DW_AT_call_file, DW_AT_call_line), and OUT[*N - 1] the
 * function that holds the code, as ms_symbols_lookup_code() names it but
 * with the line of its call to the outermost inlined function.  All are
 * MS_SYM_TEXT at PC in one module; names are demangled.  One frame,
 * ms_symbols_lookup_code()'s, where nothing is inlined, where the module
 * has no debug info (stripped) or was replaced, and when the chain would
 * not fit in MAX.  *N is 0 only when no mapping holds PC.  OUT gets
 * copies; the strings they point to live until ms_symbols_free().
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_symbols_lookup_inline(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t pc,
			     struct ms_sym *out, size_t max, size_t *n);

/*
 * Count each aligned 8-byte word (native byte order) of the LEN bytes at
 * BUF that points into a mapping, by target: a symbol (and source line),
 * a string, or a mapping of no module.  A LEN that is not a multiple of 8
 * leaves its tail uncounted; feed whole words.
 *
 * Returns: 0 or -ENOMEM.
 */
int ms_symbols_count_words(struct ms_ctx *ctx, struct ms_symbols *s, const void *buf,
			   size_t len);

/*
 * Count the words of the file open at FD, from offset 0 to its end, with
 * pread(2): a second pass over a file another analysis read, FD's offset
 * untouched.  NAME is used only in messages.
 *
 * Returns: 0, -ESPIPE when FD is not a regular file (a pipe cannot be read
 * twice), the pread(2) error as a negative errno, or -ENOMEM.
 */
int ms_symbols_scan_fd(struct ms_ctx *ctx, struct ms_symbols *s, int fd, const char *name);

/* Count VALUE as N words, as ms_symbols_count_words() does.  Returns: 0 or -ENOMEM. */
int ms_symbols_count(struct ms_ctx *ctx, struct ms_symbols *s, uint64_t value, uint64_t n);

/*
 * Rank the targets counted so far: symbols in modules (MS_SYM_TEXT to
 * MS_SYM_BSS) first, then memory of no module, each most pointed-at first
 * (ties: the first met first).  Call before ms_symbols_target(); counting may go on after.
 */
void ms_symbols_rank(struct ms_symbols *s);

/* Targets counted, and target I in rank order (NULL when out of range), borrowed. */
size_t ms_symbols_target_count(const struct ms_symbols *s);
const struct ms_sym_count *ms_symbols_target(const struct ms_symbols *s, size_t i);

/* Words counted, and those that pointed into a mapping. */
uint64_t ms_symbols_words(const struct ms_symbols *s);
uint64_t ms_symbols_hits(const struct ms_symbols *s);

/* Words that pointed into modules (ELF files), the part that needed libdwfl. */
uint64_t ms_symbols_module_hits(const struct ms_symbols *s);

/* Where a string of a dump is also found: in a module's file. */
struct ms_sym_origin {
	const char *text;	/* the string looked up */
	const char *module;	/* the ELF file's path, as mapped */
	const char *section;	/* the section holding it: ".rodata", ".data"... */
	uint64_t addr;		/* its address in the process */
	/* The symbol covering it ("leaker_config_line", Go's "go.string.*"), or NULL. */
	const char *symbol;
	/* A C string of its own there (NUL before and after), not part of a longer one. */
	bool whole;
};

/*
 * Look TEXT up in the allocated, non-executable sections (.rodata, .data,
 * Go's .rodata blobs...) of every module S reported: a string a program
 * copied from a literal or a table is found where it came from.  A place
 * where TEXT is a whole C string wins over one inside a longer string; with
 * PREFIX (TEXT is the start of a longer string) any place will do.  *OUT is
 * borrowed from S and stays listed in ms_symbols_origin() until
 * ms_symbols_free().  Each call reads the sections again: call it for a
 * dump's top strings, not for all of them.
 *
 * Returns: 0, -ENOENT when no module holds TEXT (or TEXT is shorter than 4
 * characters: too common to mean anything), or -ENOMEM.
 */
int ms_symbols_find_string(struct ms_ctx *ctx, struct ms_symbols *s, const char *text,
			   bool prefix, const struct ms_sym_origin **out);

/* Strings found so far by ms_symbols_find_string(), in call order, borrowed. */
size_t ms_symbols_origin_count(const struct ms_symbols *s);
const struct ms_sym_origin *ms_symbols_origin(const struct ms_symbols *s, size_t i);

/* The kind's name: "text", "vtable", "typeinfo", "string", "rodata", "data",
 * "bss", "heap", "stack", "anon", "mapping". */
const char *ms_sym_kind_str(enum ms_sym_kind kind);

/*
 * Demangle a C++ vtable, typeinfo or typeinfo-name symbol with a plain or
 * nested name ("_ZTVN5shape6CircleE" -> "vtable for shape::Circle"), into
 * BUF of LEN bytes; template arguments of builtin types, pointers, const and
 * such names too ("ledger::Box<char const*>").  Substitutions (Sa, S_) and
 * other manglings are not understood here; lookups hand those to
 * libstdc++'s demangler when it is installed.
 * Returns: BUF, or NULL when MANGLED is not such a symbol or does not fit.
 */
char *ms_sym_demangle_type(const char *mangled, char *buf, size_t len);

#endif
