// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unwinding a perf sample's user stack offline, as perf's
 * tools/perf/util/unwind-libdw.c does: libdwfl is given the registers and
 * the stack copy of the sample through Dwfl_Thread_Callbacks, never the
 * live thread, which has moved on.  libdwfl uses the modules' CFI
 * (.eh_frame, .debug_frame) and its backend falls back to frame pointers
 * where there is none (Go's runtime, hand-written assembly).
 */
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memsift/procfs.h>

#include "growtrace-private.h"
#include "internal.h"

struct gt_unwind {
	Dwfl *dwfl;
	pid_t pid;
	bool attached;
	/* The sample being unwound: the callbacks read it through dwfl_arg. */
	const struct gt_regs *regs;
	const unsigned char *stack;
	uint64_t stack_size, sp;
	uint64_t copy_size;	/* bytes asked for: a full copy may have cut the stack */
	bool cut;
	uint64_t *pcs;
	size_t max, n;
	bool unknown;
};

static char *debuginfo_path;

/*
 * Open module NAME as the process sees it, through /proc/PID/root: a
 * process in another mount namespace (a container) maps files that are
 * elsewhere, or other files, at that path on this host, and their CFI is
 * what unwinds its stacks.  libdwfl's dwfl_linux_proc_find_elf opens the
 * host's path; it still handles what is no regular file there (a deleted
 * file, read from memory; the vdso).  The unwinder is found through the
 * module's userdata, set by report() before any file is opened.
 */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	const struct gt_unwind *u = *userdata;
	char path[PATH_MAX + 32];
	struct stat st;
	void *none = NULL;
	int fd;

	if (u && name[0] == '/' &&
	    ms_procfs_path(u->pid, "root", path, sizeof(path) - strlen(name)) == 0) {
		strcat(path, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			*file_name = strdup(path);
			*elfp = NULL;
			return fd;
		}
		if (fd >= 0)
			close(fd);
	}
	return dwfl_linux_proc_find_elf(mod, &none, name, base, file_name, elfp);
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

#if defined(__x86_64__)
/*
 * perf's x86_64 register numbers (arch/x86/include/uapi/asm/perf_regs.h):
 * AX BX CX DX SI DI BP SP IP FLAGS CS SS (0-11), DS ES FS GS (12-15, which
 * the kernel refuses on x86_64), R8-R15 (16-23).
 */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_FLAGS, P_CS, P_SS,
       P_R8 = 16, P_R10 = 18, P_R12 = 20, P_R13, P_R14, P_R15 };
/*
 * The registers the unwinder reads: the pc, the stack pointer and the
 * callee-saved ones (BX BP R12-R15), which are all a caller's frame has at
 * a call; and R10, which gcc's realigned frames (DRAP) define the CFA from
 * in their prologue.  Each register costs the sampled thread time (20 of
 * them 0.66 us a sample here, these 9 0.28 us: bench/results/growtrace.md);
 * perf asks for all 20.  The others are left undefined, so a rule that
 * needs one ends the stack instead of reading a made-up 0.
 */
#define BIT(r) (1ULL << (r))
#define REGS_MASK (BIT(P_BX) | BIT(P_BP) | BIT(P_SP) | BIT(P_IP) | BIT(P_R10) | BIT(P_R12) | \
		   BIT(P_R13) | BIT(P_R14) | BIT(P_R15))
/* DWARF's x86_64 numbering 0-16 (the psABI): rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip. */
static const int dwarf_to_perf[17] = {
	P_AX, P_DX, P_CX, P_BX, P_SI, P_DI, P_BP, P_SP,
	P_R8, P_R8 + 1, P_R8 + 2, P_R8 + 3, P_R8 + 4, P_R8 + 5, P_R8 + 6, P_R15, P_IP,
};
#define REG_SP P_SP
#define REG_IP P_IP
#else
#define REGS_MASK 0ULL
static const int dwarf_to_perf[1] = { 0 };
#define REG_SP 0
#define REG_IP 0
#endif

uint64_t ms_gt_unwind_regs_mask(void)
{
	return REGS_MASK;
}

/* The value of perf register R in REGS, if it was sampled. */
static bool reg_get(const struct gt_regs *regs, int r, uint64_t *v)
{
	if (!(regs->mask & (1ULL << r)))
		return false;
	*v = regs->val[__builtin_popcountll(regs->mask & ((1ULL << r) - 1))];
	return true;
}

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct gt_unwind *u = arg;

	(void)dwfl;
	/* One thread: the sample's.  dwfl_getthread_frames() asks get_thread. */
	if (*thread_argp)
		return 0;
	*thread_argp = u;
	return u->pid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)tid;
	*thread_argp = arg;
	return true;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct gt_unwind *u = arg;

	(void)dwfl;
	/*
	 * Only the copy: the live stack has moved on since the fault, and
	 * reading it would make up frames.  A frame whose CFI reads elsewhere
	 * ends the stack there.
	 */
	if (addr < u->sp || addr + sizeof(*result) > u->sp + u->stack_size ||
	    addr + sizeof(*result) < addr) {
		/* Just past the copy: the stack went on, --stack-size cut it. */
		if (addr >= u->sp + u->stack_size && addr - u->sp < u->stack_size + 65536 &&
		    u->stack_size == u->copy_size)
			u->cut = true;
		return false;
	}
	memcpy(result, u->stack + (addr - u->sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct gt_unwind *u = arg;
	size_t i;

	/* Only those sampled: the rest stay undefined to libdwfl. */
	for (i = 0; i < MS_ARRAY_SIZE(dwarf_to_perf); i++) {
		uint64_t v;
		Dwarf_Word w;

		if (!reg_get(u->regs, dwarf_to_perf[i], &v))
			continue;
		w = v;
		if (!dwfl_thread_state_registers(thread, (int)i, 1, &w))
			return false;
	}
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int open_deleted(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr start, void *arg)
{
	static const char deleted[] = " (deleted)";
	size_t n = name ? strlen(name) : 0;
	Dwarf_Addr bias;

	(void)userdata;
	(void)start;
	(void)arg;
	if (n > sizeof(deleted) - 1 && !strcmp(name + n - (sizeof(deleted) - 1), deleted))
		dwfl_module_getelf(mod, &bias);
	return DWARF_CB_OK;
}

static int set_userdata(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr start, void *arg)
{
	(void)mod;
	(void)name;
	(void)start;
	*userdata = arg;
	return DWARF_CB_OK;
}

/*
 * Report the process's modules, and open now those whose file was deleted
 * or replaced since it was mapped: libdwfl reads them (and their CFI) from
 * the process's memory, which is gone once it exits, and its last samples
 * may be unwound after that.  Only those: reading the memory of a page the
 * process has not touched ([vdso], an ELF header) makes it resident there.
 */
static int report(struct gt_unwind *u)
{
	int rc;

	dwfl_report_begin_add(u->dwfl);
	rc = dwfl_linux_proc_report(u->dwfl, u->pid);
	dwfl_report_end(u->dwfl, NULL, NULL);
	if (rc != 0)
		return rc;
	/* Before anything opens a module: attaching opens one for its machine. */
	dwfl_getmodules(u->dwfl, set_userdata, u, 0);
	/* Reading from memory needs the process attached (dwfl_pid()). */
	if (!u->attached && dwfl_attach_state(u->dwfl, NULL, u->pid, &thread_callbacks, u))
		u->attached = true;
	dwfl_getmodules(u->dwfl, open_deleted, NULL, 0);
	return 0;
}

int ms_gt_unwind_new(struct ms_ctx *ctx, pid_t pid, struct gt_unwind **out)
{
	struct gt_unwind *u;
	int rc;

	if (!REGS_MASK)
		return ms_err(ctx, -EOPNOTSUPP, "unwinding perf samples is done only on x86_64 so far");
	u = calloc(1, sizeof(*u));
	if (!u)
		return ms_err(ctx, -ENOMEM, "out of memory");
	u->pid = pid;
	u->dwfl = dwfl_begin(&proc_callbacks);
	if (!u->dwfl) {
		free(u);
		return ms_err(ctx, -EIO, "libdwfl: %s", dwfl_errmsg(-1));
	}
	rc = report(u);
	if (rc != 0) {
		ms_gt_unwind_free(u);
		if (rc > 0)
			return ms_err_errno(ctx, rc == ENOENT ? -ESRCH : -rc,
					    "pid %d: cannot read its modules", (int)pid);
		return ms_err(ctx, -EIO, "pid %d: libdwfl: %s", (int)pid, dwfl_errmsg(-1));
	}
	*out = u;
	return 0;
}

void ms_gt_unwind_refresh(struct gt_unwind *u)
{
	report(u);
}

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct gt_unwind *u = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	/* A return address is past the call: step back into it. */
	if (!activation)
		pc--;
	if (!dwfl_addrmodule(u->dwfl, pc))
		u->unknown = true;
	u->pcs[u->n++] = pc;
	return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

size_t ms_gt_unwind(struct gt_unwind *u, pid_t tid, const struct gt_regs *regs,
		 const void *stack, uint64_t size, uint64_t asked, uint64_t *pcs, size_t max,
		 bool *unknown, bool *cut)
{
	uint64_t ip, sp;

	*unknown = false;
	*cut = false;
	u->copy_size = asked;
	u->cut = false;
	if (!max || !reg_get(regs, REG_IP, &ip) || !reg_get(regs, REG_SP, &sp))
		return 0;
	u->regs = regs;
	u->stack = stack;
	u->stack_size = size;
	u->sp = sp;
	u->pcs = pcs;
	u->max = max;
	u->n = 0;
	u->unknown = false;
	if (!u->attached) {
		/* NULL ELF: libdwfl takes the machine from a reported module. */
		if (!dwfl_attach_state(u->dwfl, NULL, u->pid, &thread_callbacks, u))
			goto first_only;
		u->attached = true;
	}
	dwfl_getthread_frames(u->dwfl, tid, frame_cb, u);
	if (u->n) {
		*unknown = u->unknown;
		*cut = u->cut && u->n < max;
		return u->n;
	}
first_only:
	pcs[0] = ip;
	*unknown = !dwfl_addrmodule(u->dwfl, ip);
	return 1;
}

void ms_gt_unwind_name(struct gt_unwind *u, uint64_t pc, const char **name, const char **module,
		       const char **file, int *line)
{
	Dwfl_Module *mod = dwfl_addrmodule(u->dwfl, pc);
	Dwfl_Line *l;
	GElf_Off off;
	GElf_Sym sym;

	*name = *module = *file = NULL;
	*line = 0;
	if (!mod)
		return;
	*module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	*name = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
	l = dwfl_module_getsrc(mod, pc);
	if (l)
		*file = dwfl_lineinfo(l, NULL, line, NULL, NULL, NULL);
}

void ms_gt_unwind_free(struct gt_unwind *u)
{
	if (!u)
		return;
	if (u->dwfl)
		dwfl_end(u->dwfl);
	free(u);
}
