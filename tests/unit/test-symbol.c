// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/symbol.c and lib/symbol-string.c on real data: the
 * vtable and typeinfo names libstdc++ exports, checked against its own
 * demangler, and lookups in this very process (its functions, literals,
 * data, bss, heap and stack) through its live maps.
 */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memsift/elfscan.h>
#include <memsift/symbol.h>

#include "symbol-private.h"	/* ms_symbols_demangle(), the module's own */
#include "tap.h"

#define LIBSTDCXX "libstdc++.so.6"

static struct ms_ctx *ctx;

/* Named in the lookups below: a function, a literal, data and bss. */
__attribute__((noinline)) int ms_test_symbol_function(int x);
__attribute__((noinline)) int ms_test_symbol_function(int x)
{
	__asm__ volatile("");
	return x + 1;
}

static const char origin_literal[] = "memsift-unit-test-origin-literal";
uint64_t ms_test_symbol_data = 42;
uint64_t ms_test_symbol_bss;

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

/*
 * Every _ZTV/_ZTI/_ZTS symbol libstdc++ exports that ms_sym_demangle_type()
 * takes must come out as __cxa_demangle() says; the ones it refuses
 * (templates, substitutions) are left to the caller's fallback.
 */
static void demangle_libstdcxx(void)
{
	static const char *const pre[] = { "_ZTV", "_ZTI", "_ZTS" };
	unsigned taken[3] = { 0 }, agree[3] = { 0 };
	cxa_demangle_fn dem = NULL;
	char path[4096], buf[512];
	Elf_Scn *scn = NULL;
	void *h = dlopen(LIBSTDCXX, RTLD_LAZY);
	struct link_map *lm = NULL;
	GElf_Shdr sh;
	Elf *elf;
	int fd, k;

	if (h)
		*(void **)&dem = dlsym(h, "__cxa_demangle");
	if (!h || !dem || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		ok(1, "# SKIP no %s to compare with", LIBSTDCXX);
		return;
	}
	snprintf(path, sizeof(path), "%s", lm->l_name);
	fd = open(path, O_RDONLY);
	elf_version(EV_CURRENT);
	elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	while (elf && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !(d = elf_getdata(scn, NULL)))
			continue;
		n = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			char *want;
			int st;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			for (k = 0; k < 3 && strncmp(name, pre[k], 4); k++)
				;
			if (k == 3 || !ms_sym_demangle_type(name, buf, sizeof(buf)))
				continue;
			taken[k]++;
			want = dem(name, NULL, NULL, &st);
			if (want && st == 0 && !strcmp(want, buf))
				agree[k]++;
			else
				printf("# %s: ours \"%s\", __cxa_demangle \"%s\"\n", name, buf,
				       want ? want : "(null)");
			free(want);
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	ok(elf != NULL, "%s read with libelf", path);
	ok(taken[0] >= 20 && agree[0] == taken[0], "vtable names: %u of %u as __cxa_demangle says",
	   agree[0], taken[0]);
	ok(taken[1] >= 20 && agree[1] == taken[1], "typeinfo names: %u of %u as __cxa_demangle says",
	   agree[1], taken[1]);
	ok(taken[2] >= 20 && agree[2] == taken[2],
	   "typeinfo-name names: %u of %u as __cxa_demangle says", agree[2], taken[2]);
}

static void demangle_edges(void)
{
	char buf[64], tiny[12], big[128];

	is_str(ms_sym_demangle_type("_ZTVN5shape6CircleE", buf, sizeof(buf)),
	       "vtable for shape::Circle", "nested name");
	is_str(ms_sym_demangle_type("_ZTISt9bad_alloc", buf, sizeof(buf)),
	       "typeinfo for std::bad_alloc", "std:: abbreviation");
	is_str(ms_sym_demangle_type("_ZTVSt15basic_streambufIcSt11char_traitsIcEE", big, sizeof(big)),
	       "vtable for std::basic_streambuf<char, std::char_traits<char> >",
	       "a template, with c++filt's space between closing brackets");
	is_str(ms_sym_demangle_type("_ZTIN6ledger3BoxIPKcEE", big, sizeof(big)),
	       "typeinfo for ledger::Box<char const*>", "a template of a pointer to const");
	ok(!ms_sym_demangle_type("_ZTVNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE", big,
				 sizeof(big)),
	   "a substitution (Sa) is refused, not guessed");
	ok(!ms_sym_demangle_type("_ZN5shape6Circle4areaEv", buf, sizeof(buf)),
	   "a function is not a vtable");
	ok(!ms_sym_demangle_type("_ZTVN5shape6CircleE", tiny, sizeof(tiny)),
	   "a name that does not fit is refused");
	ok(!ms_sym_demangle_type("_ZTV99x", buf, sizeof(buf)), "a length past the end is refused");
	is_str(ms_sym_demangle_type("_ZTVN12_GLOBAL__N_15LocalE", buf, sizeof(buf)),
	       "vtable for (anonymous namespace)::Local", "an anonymous namespace, as c++filt says it");
}

/*
 * Function names, C++ and Rust (legacy and v0), come out as c++filt (binutils)
 * prints them: the peer a user would compare with.
 */
static void demangle_cfilt(void)
{
	static const char *const names[] = {
		"_ZN5shape6Circle4areaEv",
		"_ZNSt6vectorIiSaIiEE9push_backERKi",
		"_ZN4core3fmt5write17h0123456789abcdefE",
		"_RNvCs1234_7mycrate3foo",
		"_RNvNtCs1234_7mycrate6server12handle_async",
		"main",
	};
	char cmd[256], want[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *p;
		char *got;

		snprintf(cmd, sizeof(cmd), "c++filt '%s' 2>/dev/null", names[i]);
		p = popen(cmd, "r");
		if (!p || !fgets(want, sizeof(want), p)) {
			ok(1, "# SKIP no c++filt to compare with (binutils)");
			if (p)
				pclose(p);
			return;
		}
		pclose(p);
		want[strcspn(want, "\n")] = '\0';
		got = ms_symbols_demangle(names[i]);
		is_str(got, want, "%s as c++filt prints it", names[i]);
		if (!strncmp(names[i], "_R", 2))
			ok(strcmp(got, names[i]) != 0, "a Rust v0 name is demangled: %s", got);
		free(got);
	}
}

static const struct ms_sym *look(struct ms_symbols *s, uint64_t addr)
{
	const struct ms_sym *y = NULL;

	if (ms_symbols_lookup(ctx, s, addr, &y) < 0)
		printf("# lookup 0x%llx: %s\n", (unsigned long long)addr, ms_ctx_errmsg(ctx));
	return y;
}

static void classify_self(void)
{
	const struct ms_sym_origin *o = NULL;
	const struct ms_sym *y;
	struct ms_symbols *s = NULL;
	const char *lit = origin_literal;
	void *heap = malloc(64);
	int on_stack = 0;
	char absent[64];
	size_t n;

	if (ms_symbols_new_pid(ctx, getpid(), &s) < 0) {
		ok(0, "ms_symbols_new_pid(self): %s", ms_ctx_errmsg(ctx));
		free(heap);
		return;
	}
	y = look(s, (uint64_t)(uintptr_t)ms_test_symbol_function);
	ok(y && y->kind == MS_SYM_TEXT && !strcmp(y->name, "ms_test_symbol_function"),
	   "a function: kind text, its name (%s)", y ? y->name : "none");
	ok(y && y->file && strstr(y->file, "test-symbol.c") && y->line > 0,
	   "a function: its file and line (%s:%d)", y && y->file ? y->file : "none", y ? y->line : 0);
	y = look(s, (uint64_t)(uintptr_t)&ms_test_symbol_data);
	ok(y && y->kind == MS_SYM_DATA && !strcmp(y->name, "ms_test_symbol_data"),
	   "initialised data: kind data, its name (%s)", y ? y->name : "none");
	y = look(s, (uint64_t)(uintptr_t)&ms_test_symbol_bss);
	ok(y && y->kind == MS_SYM_BSS && !strcmp(y->name, "ms_test_symbol_bss"),
	   "zeroed data: kind bss, its name (%s)", y ? y->name : "none");
	y = look(s, (uint64_t)(uintptr_t)&on_stack);
	ok(y && y->kind == MS_SYM_STACK, "a local: the stack (%s)", y ? y->name : "none");
	/* The brk heap, or a sanitizer's allocator's anonymous mapping. */
	y = look(s, (uint64_t)(uintptr_t)heap);
	ok(y && (y->kind == MS_SYM_HEAP || y->kind == MS_SYM_ANON), "malloc'ed memory: %s",
	   y ? y->name : "none");
	ok(!look(s, 8), "an address in no mapping: NULL");
	/* A pc inside a function (an unwound frame's): named whatever a pointer may be. */
	{
		const struct ms_sym *c = NULL;
		uint64_t pc = (uint64_t)(uintptr_t)ms_test_symbol_function + 1;

		is_int(ms_symbols_lookup_code(ctx, s, pc, &c), 0, "a pc inside a function: looked up");
		ok(c && c->kind == MS_SYM_TEXT && !strcmp(c->name, "ms_test_symbol_function") &&
		   c->file && strstr(c->file, "test-symbol.c") && c->line > 0,
		   "a pc inside a function: its name, file and line (%s %s:%d)", c ? c->name : "none",
		   c && c->file ? c->file : "none", c ? c->line : 0);
		c = (const struct ms_sym *)1;
		ok(ms_symbols_lookup_code(ctx, s, 8, &c) == 0 && !c, "a pc in no mapping: NULL");
	}

	/* Counting: one target per symbol, the counts as fed. */
	{
		uint64_t words[6] = { (uintptr_t)ms_test_symbol_function,
				      (uintptr_t)ms_test_symbol_function,
				      (uintptr_t)ms_test_symbol_function, 7,
				      (uintptr_t)&ms_test_symbol_data, 0 };
		const struct ms_sym_count *c;

		is_int(ms_symbols_count_words(ctx, s, words, sizeof(words)), 0, "count 6 words");
		ms_symbols_rank(s);
		c = ms_symbols_target(s, 0);
		ok(c && c->count == 3 && !strcmp(c->sym.name, "ms_test_symbol_function"),
		   "the function ranks first, 3 words");
		is_u64(ms_symbols_words(s), 6, "6 words counted");
		is_u64(ms_symbols_module_hits(s), 4, "4 of them into modules");
	}

	/* Where a string is: the literal, whole, in this binary's .rodata. */
	is_int(ms_symbols_find_string(ctx, s, lit, false, &o), 0, "find the literal's text");
	ok(o && o->addr == (uint64_t)(uintptr_t)origin_literal && o->whole &&
	   !strcmp(o->section, ".rodata") && o->symbol && !strcmp(o->symbol, "origin_literal"),
	   "at the literal's address, whole, .rodata, symbol origin_literal");
	/* Made at run time: a literal would be in this binary. */
	snprintf(absent, sizeof(absent), "no%ssuch%xstring", "-", (unsigned)getpid() * 2654435761u);
	is_int(ms_symbols_find_string(ctx, s, absent, false, &o), -ENOENT,
	       "a string of no module: -ENOENT");
	is_int(ms_symbols_find_string(ctx, s, "abc", false, &o), -ENOENT,
	       "shorter than 4 characters: not looked up");
	n = ms_symbols_origin_count(s);
	ok(n == 1 && ms_symbols_origin(s, 0) && !ms_symbols_origin(s, 1),
	   "one origin kept, in call order");
	ms_symbols_free(s);
	free(heap);
}

/*
 * A module whose file is nowhere (deleted, another root): its code is
 * still text, its writable data data, its read-only data rodata, each
 * MODULE+offset with a note that the file cannot be read.  And such maps
 * are not this process's: ms_symbols_set_pid() refuses them.
 */
static void no_file(void)
{
	static const char maps[] =
		"10000000-10001000 r--p 00000000 fe:00 4242 /nonexistent/memsift-unit-bin\n"
		"10001000-10002000 r-xp 00001000 fe:00 4242 /nonexistent/memsift-unit-bin\n"
		"10002000-10003000 rw-p 00002000 fe:00 4242 /nonexistent/memsift-unit-bin\n";
	struct ms_symbols *s = NULL;
	const struct ms_sym *y;
	pid_t child;

	if (ms_symbols_new(ctx, maps, strlen(maps), "unit", &s) < 0) {
		ok(0, "ms_symbols_new(no file): %s", ms_ctx_errmsg(ctx));
		return;
	}
	is_int(ms_symbols_set_pid(ctx, s, getpid()), -ESRCH,
	       "maps of files this process does not map: not its maps (%s)", ms_ctx_errmsg(ctx));
	child = fork();
	if (child == 0)
		_exit(0);
	if (child > 0)
		waitpid(child, NULL, 0);
	is_int(child > 0 ? ms_symbols_set_pid(ctx, s, child) : -ESRCH, -ESRCH,
	       "a process that exited: -ESRCH");
	y = look(s, 0x10001800);
	ok(y && y->kind == MS_SYM_TEXT && !strcmp(y->name, "memsift-unit-bin+0x1800") && y->note &&
	   strstr(y->note, "cannot be read"),
	   "code of a file that cannot be read: text, module+offset, a note (%s, %s)",
	   y ? ms_sym_kind_str(y->kind) : "none", y && y->note ? y->note : "no note");
	y = look(s, 0x10002010);
	ok(y && y->kind == MS_SYM_DATA, "its writable data: data (%s)",
	   y ? ms_sym_kind_str(y->kind) : "none");
	y = look(s, 0x10000010);
	ok(y && y->kind == MS_SYM_RODATA, "its read-only data: rodata (%s)",
	   y ? ms_sym_kind_str(y->kind) : "none");
	ms_symbols_free(s);
}

/*
 * The build-id of each ELF image this process maps, read from its memory,
 * is the one libelf reads from the file at the mapping's path.
 */
static void build_id_memory(void)
{
	unsigned long long start, end, off;
	unsigned same = 0, images = 0;
	char line[4096], path[4096];
	char *mem, *file;
	FILE *fp = fopen("/proc/self/maps", "re");
	int fd;

	while (fp && fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095s", &start, &end, &off, path) != 4 ||
		    off != 0 || path[0] != '/' || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		mem = file = NULL;
		if (ms_elf_build_id(ctx, fd, path, &file) == 0) {
			images++;
			if (ms_elf_build_id_pid(ctx, getpid(), start, end - start, &mem) == 0 &&
			    !strcmp(mem, file))
				same++;
			else
				printf("# %s: %s in the file, %s in memory\n", path, file,
				       mem ? mem : ms_ctx_errmsg(ctx));
		}
		free(mem);
		free(file);
		close(fd);
	}
	if (fp)
		fclose(fp);
	ok(images >= 2 && same == images,
	   "build-ids read from memory: %u of %u images as libelf reads their files", same, images);
}

/* This very process, live: its modules opened by their paths, with no note. */
static void set_pid_self(void)
{
	struct ms_symbols *s = NULL;
	const struct ms_sym *y;
	size_t len = 0;
	char *maps = NULL;
	FILE *fp = fopen("/proc/self/maps", "re");
	int c;

	if (!fp || !(maps = malloc(1 << 20))) {
		ok(0, "read /proc/self/maps");
		if (fp)
			fclose(fp);
		return;
	}
	while ((c = getc(fp)) != EOF && len < (1 << 20) - 1)
		maps[len++] = (char)c;
	fclose(fp);
	if (ms_symbols_new(ctx, maps, len, "/proc/self/maps", &s) < 0) {
		ok(0, "ms_symbols_new(self): %s", ms_ctx_errmsg(ctx));
		free(maps);
		return;
	}
	is_int(ms_symbols_set_pid(ctx, s, getpid()), 0, "this process's maps: its pid is taken");
	y = look(s, (uint64_t)(uintptr_t)ms_test_symbol_function);
	ok(y && y->kind == MS_SYM_TEXT && !strcmp(y->name, "ms_test_symbol_function") && !y->note,
	   "read by its path, checked against its memory: named, no note (%s)",
	   y && y->note ? y->note : "no note");
	ms_symbols_free(s);
	free(maps);
}

int main(void)
{
	ctx = ms_ctx_new();
	demangle_edges();
	demangle_libstdcxx();
	demangle_cfilt();
	classify_self();
	no_file();
	set_pid_self();
	build_id_memory();
	ms_ctx_free(ctx);
	return tap_done();
}
