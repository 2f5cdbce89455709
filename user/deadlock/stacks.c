/* stacks.c - libdwfl unwinding of another process's threads. */
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/stacks.h"

struct dl_unwinder {
	Dwfl *dwfl;
	pid_t pid;
	bool attached;
	int attach_err;
};

static char *debuginfo_path;
static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

int dl_unwind_open(pid_t pid, struct dl_unwinder **out)
{
	struct dl_unwinder *u = calloc(1, sizeof(*u));
	int rc;

	if (!u)
		return -ENOMEM;
	u->pid = pid;
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

int dl_unwind_symbol(struct dl_unwinder *u, uint64_t addr, char *out, size_t outsz)
{
	Dwfl_Module *m = dwfl_addrmodule(u->dwfl, addr);
	const char *sym, *mname;
	GElf_Off off = 0;
	GElf_Sym s;
	Dwarf_Addr base;

	if (!m)
		return -ENOENT;
	sym = dwfl_module_addrinfo(m, addr, &off, &s, NULL, NULL, NULL);
	mname = dwfl_module_info(m, NULL, &base, NULL, NULL, NULL, NULL, NULL);
	if (sym)
		snprintf(out, outsz, "%s+0x%llx", sym, (unsigned long long)off);
	else
		snprintf(out, outsz, "%s+0x%llx", mname ? mname : "?", (unsigned long long)(addr - base));
	return 0;
}

struct frames {
	struct dl_unwinder *u;
	char **v;
	size_t n;
};

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct frames *f = arg;
	Dwarf_Addr pc, lookup;
	bool activation;
	char sym[256], line[400];
	const char *mname = NULL, *slash;
	Dwfl_Module *m;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	/* a return address points after the call: look up the call itself */
	lookup = activation ? pc : pc - 1;
	m = dwfl_addrmodule(f->u->dwfl, lookup);
	if (m)
		mname = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (dl_unwind_symbol(f->u, lookup, sym, sizeof(sym)))
		snprintf(sym, sizeof(sym), "0x%llx", (unsigned long long)pc);
	slash = mname ? strrchr(mname, '/') : NULL;
	snprintf(line, sizeof(line), "%s (%s)", sym, slash ? slash + 1 : mname ? mname : "?");
	f->v[f->n] = strdup(line);
	if (!f->v[f->n])
		return DWARF_CB_ABORT;
	return ++f->n < DL_MAX_FRAMES ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int dl_unwind_thread(struct dl_unwinder *u, pid_t tid, char ***out, size_t *n)
{
	struct frames f = { .u = u };

	if (!u->attached && !u->attach_err) {
		int rc = dwfl_linux_proc_attach(u->dwfl, u->pid, false);

		if (rc)
			u->attach_err = rc > 0 ? -rc : -EPERM;
		else
			u->attached = true;
	}
	if (u->attach_err)
		return u->attach_err;
	f.v = calloc(DL_MAX_FRAMES, sizeof(char *));
	if (!f.v)
		return -ENOMEM;
	/* a partial stack is still worth showing: ignore the walk's end status */
	(void)dwfl_getthread_frames(u->dwfl, tid, frame_cb, &f);
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
	dwfl_end(u->dwfl);	/* detaches the threads */
	free(u);
}
