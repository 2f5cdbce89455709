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

static int32_t le32(const unsigned char *b)
{
	return (int32_t)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
}

/* Through a PLT stub (endbr64, bnd, jmp *GOT(%rip)) to what its GOT slot holds. */
static uint64_t follow_plt(struct dl_unwinder *u, uint64_t t)
{
	unsigned char b[16];
	size_t i = 0;
	uint64_t got;

	if (!read_mem(u->pid, t, b, sizeof(b)))
		return t;
	if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa)
		i = 4;
	if (b[i] == 0xf2)
		i++;
	if (b[i] != 0xff || b[i + 1] != 0x25)
		return t;
	if (!read_mem(u->pid, t + i + 6 + (uint64_t)(int64_t)le32(b + i + 2), &got, sizeof(got)))
		return t;
	return got;
}

/* Where the call instruction ending at ret (a return address) goes, when
 * the instruction says it: e8 rel32, or ff 15 (through a rip-relative
 * pointer); PLT stubs followed. 0: not such a call. */
static uint64_t call_target(struct dl_unwinder *u, uint64_t ret)
{
	unsigned char b[8];
	uint64_t t;

	if (ret < 8 || !dwfl_addrmodule(u->dwfl, ret - 1) || !read_mem(u->pid, ret - 8, b, sizeof(b)))
		return 0;
	if (b[3] == 0xe8)
		return follow_plt(u, ret + (uint64_t)(int64_t)le32(b + 4));
	if (b[2] == 0xff && b[3] == 0x15 && read_mem(u->pid, ret + (uint64_t)(int64_t)le32(b + 4), &t, sizeof(t)))
		return follow_plt(u, t);
	return 0;
}

/* As much of the stack above sp as can be read, up to GUESS_WINDOW bytes. */
static size_t read_stack(struct dl_unwinder *u, uint64_t *stk)
{
	size_t got = 0;

	while (got < GUESS_WINDOW && read_mem(u->pid, u->sp + got, (char *)stk + got, 512))
		got += 512;
	return got / 8;
}

/*
 * The walk stopped early: the last frame's CFI wants rbp, which /proc does
 * not show. Guess it: the lowest stack slot above sp that can be the one
 * the function pushed rbp into (the slot after it is a return address
 * right after a call whose target is the very function of that last
 * frame), kept only if the walk with it goes deeper and agrees
 * with the frames found without it. A call we cannot follow (through a
 * register) gives no guess: a shorter stack rather than a wrong one.
 */
static void guess_rbp(struct dl_unwinder *u, pid_t tid, struct frames *best)
{
	const struct dl_frame *last = &best->v[best->n - 1];
	uint64_t *stk = malloc(GUESS_WINDOW), func;
	size_t nw;
	int tries = 0;

	if (!last->symbol[0] || !stk) {
		free(stk);
		return;	/* no function start to match calls against */
	}
	func = last->addr - last->offset;
	nw = read_stack(u, stk);
	for (size_t i = 0; i + 1 < nw && tries < GUESS_TRIES; i++) {
		uint64_t slot = u->sp + i * 8;
		struct frames f = { .u = u };
		bool same = true;

		/* (what the slot itself holds is the caller's rbp: any value, when
		 * the caller uses rbp as a general register) */
		if (call_target(u, stk[i + 1]) != func)
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
