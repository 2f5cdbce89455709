/* stacks.c - libdwfl unwinding of another process's threads, without stopping them. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include "deadlock/stacks.h"

/* x86_64 DWARF register numbers */
#define DWARF_RBP 6
#define DWARF_RSP 7
#define DWARF_RIP 16

#define GUESS_WINDOW 4096	/* bytes above sp searched for a saved rbp */
#define GUESS_TRIES 16

struct dl_unwinder {
	Dwfl *dwfl;
	pid_t pid;
	bool use_ptrace;
	bool attached;
	int attach_err;
	/* the thread being unwound (no-ptrace callbacks) */
	pid_t tid;
	uint64_t sp, pc, rbp;	/* rbp 0: unknown */
};

static char *debuginfo_path;
static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* Only the thread asked for: dwfl_getthread_frames goes through get_thread. */
static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0;
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct dl_unwinder *u = arg;

	(void)dwfl;
	*thread_argp = u;
	return tid == u->tid;
}

/* One word of the target's memory; the thread sleeps in a syscall, so its
 * stack does not move under us (a thread that woke meanwhile is caught by
 * the caller's re-check of its syscall line). */
static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct dl_unwinder *u = arg;
	struct iovec local = { .iov_base = result, .iov_len = sizeof(*result) };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = sizeof(*result) };

	(void)dwfl;
	return process_vm_readv(u->pid, &local, 1, &remote, 1, 0) == (ssize_t)sizeof(*result);
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct dl_unwinder *u = arg;
	Dwarf_Word sp = u->sp, regs[2] = { u->rbp, u->sp };

	if (u->rbp ? !dwfl_thread_state_registers(thread, DWARF_RBP, 2, regs)
		   : !dwfl_thread_state_registers(thread, DWARF_RSP, 1, &sp))
		return false;
	dwfl_thread_state_register_pc(thread, u->pc);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

int dl_unwind_open(pid_t pid, bool use_ptrace, struct dl_unwinder **out)
{
	struct dl_unwinder *u = calloc(1, sizeof(*u));
	int rc;

	if (!u)
		return -ENOMEM;
	u->pid = pid;
	u->use_ptrace = use_ptrace;
	u->dwfl = dwfl_begin(&proc_callbacks);
	if (!u->dwfl) {
		free(u);
		return -ENOMEM;
	}
	dwfl_report_begin(u->dwfl);
	rc = dwfl_linux_proc_report(u->dwfl, pid);
	dwfl_report_end(u->dwfl, NULL, NULL);
	if (rc) {
		dl_unwind_close(u);
		return rc > 0 ? -rc : -ESRCH;
	}
	*out = u;
	return 0;
}

static void basename_of(const char *path, char *out, size_t outsz)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	snprintf(out, outsz, "%s", slash ? slash + 1 : path ? path : "");
}

/* Symbol, offset and module of one address; false when no module maps it. */
static bool resolve(struct dl_unwinder *u, uint64_t addr, struct dl_frame *f)
{
	Dwfl_Module *m = dwfl_addrmodule(u->dwfl, addr);
	const char *sym, *mname;
	GElf_Off off = 0;
	GElf_Sym s;
	Dwarf_Addr base = 0;

	f->symbol[0] = f->module[0] = '\0';
	f->offset = 0;
	if (!m)
		return false;
	mname = dwfl_module_info(m, NULL, &base, NULL, NULL, NULL, NULL, NULL);
	basename_of(mname, f->module, sizeof(f->module));
	sym = dwfl_module_addrinfo(m, addr, &off, &s, NULL, NULL, NULL);
	if (sym) {
		snprintf(f->symbol, sizeof(f->symbol), "%s", sym);
		f->offset = off;
	} else {
		f->offset = addr - base;
	}
	return true;
}

int dl_unwind_symbol(struct dl_unwinder *u, uint64_t addr, char *out, size_t outsz)
{
	struct dl_frame f;

	if (!resolve(u, addr, &f))
		return -ENOENT;
	snprintf(out, outsz, "%s+0x%llx", f.symbol[0] ? f.symbol : f.module, (unsigned long long)f.offset);
	return 0;
}

void dl_frame_format(const struct dl_frame *f, char *out, size_t outsz)
{
	if (f->symbol[0])
		snprintf(out, outsz, "%s+0x%llx (%s)", f->symbol, (unsigned long long)f->offset,
			 f->module[0] ? f->module : "?");
	else if (f->module[0])
		snprintf(out, outsz, "%s+0x%llx", f->module, (unsigned long long)f->offset);
	else
		snprintf(out, outsz, "0x%llx", (unsigned long long)f->addr);
}

struct frames {
	struct dl_unwinder *u;
	struct dl_frame *v;
	size_t n;
};

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct frames *f = arg;
	struct dl_frame *fr = &f->v[f->n];
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (!pc)
		return DWARF_CB_ABORT;	/* the outermost frame's return address */
	fr->addr = pc;
	/* a return address points after the call: name the call itself */
	resolve(f->u, activation ? pc : pc - 1, fr);
	if (!activation)
		fr->offset++;	/* but show the return address's offset, as eu-stack */
	return ++f->n < DL_MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* A frame where every stack ends (the walk stopped for good reason). */
static bool outermost(const struct dl_frame *f)
{
	return !strcmp(f->symbol, "_start") || !strncmp(f->symbol, "__clone", 7) ||
	       !strcmp(f->symbol, "clone") || !strcmp(f->symbol, "start_thread");
}

static int attach(struct dl_unwinder *u)
{
	int rc;

	if (u->attached || u->attach_err)
		return u->attach_err;
	if (u->use_ptrace) {
		rc = dwfl_linux_proc_attach(u->dwfl, u->pid, false);
		if (rc)
			u->attach_err = rc > 0 ? -rc : -EPERM;
	} else if (!dwfl_attach_state(u->dwfl, NULL, u->pid, &thread_callbacks, u)) {
		u->attach_err = -EINVAL;
	}
	u->attached = !u->attach_err;
	return u->attach_err;
}

static int walk(struct dl_unwinder *u, pid_t tid, struct frames *f)
{
	f->n = 0;
	f->v = calloc(DL_MAX_FRAMES, sizeof(*f->v));
	if (!f->v)
		return -ENOMEM;
	/* a partial stack is still worth showing: ignore the walk's end status */
	(void)dwfl_getthread_frames(u->dwfl, tid, frame_cb, f);
	return 0;
}

static bool read_mem(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* Does a call instruction end at ret (a return address)? e8 rel32, or
 * ff /2 in its register and memory forms. */
static bool call_before(struct dl_unwinder *u, uint64_t ret)
{
	unsigned char b[8];

	if (ret < 8 || !dwfl_addrmodule(u->dwfl, ret - 1) || !read_mem(u->pid, ret - 8, b, sizeof(b)))
		return false;
	if (b[3] == 0xe8)
		return true;
	for (int len = 2; len <= 7; len++)
		if (b[8 - len] == 0xff && (b[8 - len + 1] & 0x38) == 0x10)
			return true;
	return false;
}

/*
 * The walk stopped early: a frame's CFI wants rbp, which /proc does not
 * show. Guess it: the lowest stack slot above sp that looks like a pushed
 * rbp (it points higher up the stack, and the slot after it is a return
 * address right after a call), kept only if the walk with it goes deeper
 * and agrees with the frames found without it.
 */
static void guess_rbp(struct dl_unwinder *u, pid_t tid, struct frames *best)
{
	uint64_t *stk = malloc(GUESS_WINDOW);
	int tries = 0;

	if (!stk || !read_mem(u->pid, u->sp, stk, GUESS_WINDOW)) {
		free(stk);
		return;
	}
	for (size_t i = 0; i + 1 < GUESS_WINDOW / 8 && tries < GUESS_TRIES; i++) {
		uint64_t slot = u->sp + i * 8, saved = stk[i];
		struct frames f = { .u = u };
		bool same = true;

		if ((saved && (saved <= slot || saved - slot > (8u << 20))) || !call_before(u, stk[i + 1]))
			continue;
		tries++;
		u->rbp = slot;
		if (walk(u, tid, &f))
			break;
		for (size_t k = 0; same && k < best->n && k < f.n; k++)
			same = f.v[k].addr == best->v[k].addr;
		if (same && f.n > best->n) {
			for (size_t k = best->n; k < f.n; k++)
				f.v[k].guessed = true;
			free(best->v);
			*best = f;
			break;
		}
		free(f.v);
	}
	u->rbp = 0;
	free(stk);
}

int dl_unwind_thread(struct dl_unwinder *u, pid_t tid, uint64_t sp, uint64_t pc,
		     struct dl_frame **out, size_t *n)
{
	struct frames f = { .u = u };
	int rc;

	if (!u->use_ptrace && (!sp || !pc))
		return -ENODATA;	/* running: its registers are not in /proc */
	rc = attach(u);
	if (rc)
		return rc;
	u->tid = tid;
	u->sp = sp;
	u->pc = pc;
	u->rbp = 0;
	rc = walk(u, tid, &f);
	if (rc)
		return rc;
	if (!u->use_ptrace && f.n && f.n < DL_MAX_FRAMES && !outermost(&f.v[f.n - 1]))
		guess_rbp(u, tid, &f);
	if (!f.n) {
		free(f.v);
		return -ENODATA;
	}
	*out = f.v;
	*n = f.n;
	return 0;
}

void dl_unwind_close(struct dl_unwinder *u)
{
	if (!u)
		return;
	dwfl_end(u->dwfl);	/* with ptrace: detaches the threads */
	free(u);
}
