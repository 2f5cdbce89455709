/* diagnose.c - /proc + futex words -> wait-for graph. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"
#include "collect/procfs_parse.h"
#include "deadlock/diagnose.h"
#include "deadlock/futexword.h"
#include "deadlock/procscan.h"
#include "deadlock/stacks.h"
#include "deadlock/unixdiag.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

/* An edge to resolve once every process is scanned: to one thread, or to
 * any thread of a process (tid 0). */
struct pending {
	size_t from;
	pid_t pid, tid;
	char evidence[DL_EVID];
};

struct ctx {
	const struct dl_scan *s;
	struct dl_graph *g;
	struct dl_fdindex fds;
	struct dl_upeers peers;
	pid_t queue[DL_MAX_PROCS];
	size_t nqueue;
	struct pending *pend;
	size_t npend, cappend;
	char *maps;		/* /proc/PID/maps of the process being scanned, read on demand */
};

#define DL_MAPS_MAX (4 << 20)	/* a bigger maps file is cut: addresses past it get no name */

static void enqueue(struct ctx *c, pid_t pid)
{
	for (size_t i = 0; i < c->nqueue; i++)
		if (c->queue[i] == pid)
			return;
	if (c->nqueue < DL_MAX_PROCS)
		c->queue[c->nqueue++] = pid;
	else
		log_warn("deadlock: more than %d processes involved; process %d not scanned", DL_MAX_PROCS, pid);
}

static int add_pending(struct ctx *c, size_t from, pid_t pid, pid_t tid, const char *evidence)
{
	if (c->npend == c->cappend) {
		size_t cap = c->cappend ? c->cappend * 2 : 16;
		struct pending *p = realloc(c->pend, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->pend = p;
		c->cappend = cap;
	}
	c->pend[c->npend] = (struct pending){ .from = from, .pid = pid, .tid = tid };
	snprintf(c->pend[c->npend].evidence, DL_EVID, "%s", evidence);
	c->npend++;
	enqueue(c, pid);
	return 0;
}

static const char *sys_name(long nr)
{
	static const struct { long nr; const char *name; } names[] = {
		{ SYS_read, "read" }, { SYS_write, "write" }, { SYS_readv, "readv" }, { SYS_writev, "writev" },
		{ SYS_sendto, "sendto" }, { SYS_recvfrom, "recvfrom" }, { SYS_sendmsg, "sendmsg" },
		{ SYS_recvmsg, "recvmsg" }, { SYS_recvmmsg, "recvmmsg" }, { SYS_sendmmsg, "sendmmsg" },
		{ SYS_futex, "futex" }, { 455, "futex_wait" }, { SYS_futex_waitv, "futex_waitv" },
		{ SYS_accept, "accept" }, { SYS_accept4, "accept4" }, { SYS_connect, "connect" },
		{ SYS_mq_timedsend, "mq_timedsend" }, { SYS_mq_timedreceive, "mq_timedreceive" },
		{ SYS_nanosleep, "nanosleep" }, { SYS_clock_nanosleep, "clock_nanosleep" },
		{ SYS_poll, "poll" }, { SYS_ppoll, "ppoll" }, { SYS_select, "select" },
		{ SYS_pselect6, "pselect6" }, { SYS_epoll_wait, "epoll_wait" }, { SYS_epoll_pwait, "epoll_pwait" },
		{ SYS_wait4, "wait4" }, { SYS_waitid, "waitid" }, { SYS_pause, "pause" },
		{ SYS_rt_sigsuspend, "rt_sigsuspend" }, { SYS_rt_sigtimedwait, "rt_sigtimedwait" },
		{ SYS_splice, "splice" }, { SYS_vmsplice, "vmsplice" }, { SYS_tee, "tee" },
		{ SYS_restart_syscall, "restart_syscall" },	/* a sleep resumed after a stop */
		{ SYS_io_uring_enter, "io_uring_enter" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].nr == nr)
			return names[i].name;
	return NULL;
}

static void describe_doing(const struct dl_task *tk, struct dl_thread *t)
{
	const char *n;

	if (tk->state == 'R' || tk->sys.running)
		snprintf(t->doing, sizeof(t->doing), "running");
	else if (tk->sys.nr < 0)
		snprintf(t->doing, sizeof(t->doing), "in kernel: %s", tk->wchan[0] ? tk->wchan : "?");
	else if ((n = sys_name(tk->sys.nr)))
		snprintf(t->doing, sizeof(t->doing), "%s", n);
	else
		snprintf(t->doing, sizeof(t->doing), "syscall %ld", tk->sys.nr);
}

/* Which direction a blocked fd syscall waits in; -1: not an fd wait. */
static int fd_wait_dir(long nr, bool *accept)
{
	*accept = false;
	switch (nr) {
	case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg: case SYS_recvmmsg:
	case SYS_mq_timedreceive:
		return 0;
	case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg: case SYS_sendmmsg:
	case SYS_mq_timedsend:
		return 1;
	case SYS_accept: case SYS_accept4:
		*accept = true;
		return 0;
	}
	return -1;
}

/* Holders of a pipe/FIFO/mq end that can unblock a waiter: writers for a
 * reader, readers for a writer. */
static bool holder_matches(struct ctx *c, const struct dl_fd *f, bool waiter_writes)
{
	unsigned flags, acc;

	if (dl_fd_flags(c->s->root, f->pid, f->fd, &flags))
		return false;
	acc = flags & O_ACCMODE;
	return waiter_writes ? acc != O_WRONLY : acc != O_RDONLY;
}

static int path_identity(const char *root, pid_t pid, int fd, struct stat *st, long *fstype)
{
	char path[PATH_MAX];
	struct statfs sfs;

	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	if (stat(path, st) || statfs(path, &sfs))
		return -errno;
	*fstype = (long)sfs.f_type;
	return 0;
}

static int fd_wait(struct ctx *c, size_t idx, const struct dl_task *tk, bool writes, bool accept)
{
	struct dl_thread *t = &c->g->t[idx];
	const struct dl_fd *f = dl_fdindex_get(&c->fds, tk->pid, (int)tk->sys.args[0]);
	const char *side = writes ? "read end" : "write end";
	char ev[DL_EVID];
	int rc = 0;

	t->write = writes;
	if (!f)
		return 0;	/* not a channel (a regular file, a tty...) */
	if (f->type == DL_FD_PIPE) {
		t->kind = DL_K_PIPE;
		snprintf(t->object, sizeof(t->object), "pipe:[%llu]", (unsigned long long)f->ino);
		snprintf(ev, sizeof(ev), "pipe %s held by", side);
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type == DL_FD_PIPE && h->ino == f->ino && holder_matches(c, h, writes))
				rc = add_pending(c, idx, h->pid, 0, ev);
		}
		return rc;
	}
	if (f->type == DL_FD_SOCKET) {
		uint64_t peer = dl_upeers_get(&c->peers, f->ino);

		t->kind = DL_K_SOCKET;
		snprintf(t->object, sizeof(t->object), "socket:[%llu]", (unsigned long long)f->ino);
		if (accept || !peer)
			return 0;	/* listening or unconnected: anyone may unblock it */
		snprintf(ev, sizeof(ev), "peer socket:[%llu] held by", (unsigned long long)peer);
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type == DL_FD_SOCKET && h->ino == peer)
				rc = add_pending(c, idx, h->pid, 0, ev);
		}
		return rc;
	}
	if (f->type == DL_FD_PATH) {
		struct stat st, hst;
		long fstype, hfs;

		if (path_identity(c->s->root, tk->pid, f->fd, &st, &fstype))
			return 0;
		if (fstype == MQUEUE_MAGIC) {
			t->kind = DL_K_MQ;
			snprintf(t->object, sizeof(t->object), "mq:%s", f->link);
			snprintf(ev, sizeof(ev), "message queue %s held by", writes ? "receiver" : "sender");
		} else if (S_ISFIFO(st.st_mode)) {
			t->kind = DL_K_FIFO;
			snprintf(t->object, sizeof(t->object), "fifo:%s", f->link);
			snprintf(ev, sizeof(ev), "fifo %s held by", side);
		} else {
			return 0;
		}
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type != DL_FD_PATH || strcmp(h->link, f->link) ||
			    path_identity(c->s->root, h->pid, h->fd, &hst, &hfs) ||
			    hst.st_dev != st.st_dev || hst.st_ino != st.st_ino)
				continue;
			if (holder_matches(c, h, writes))
				rc = add_pending(c, idx, h->pid, 0, ev);
		}
		return rc;
	}
	return 0;
}

/* Asleep in io_uring_enter with a receive pending on fd: a reader of that fd. */
static int uring_wait(struct ctx *c, size_t idx, const struct dl_task *tk)
{
	const struct dl_hints *h = c->s->hints;
	struct dl_task as_read = *tk;
	int fd = h && h->uring_fd ? h->uring_fd(tk->tid, h->ctx) : -1;

	if (fd < 0)
		return 0;
	as_read.sys.args[0] = (uint64_t)fd;
	return fd_wait(c, idx, &as_read, false, false);
}

static int futex_wait(struct ctx *c, size_t idx, const struct dl_task *tk)
{
	struct dl_thread *t = &c->g->t[idx];
	struct dl_futex_wait w;
	uint32_t words[3];
	const char *evidence;
	bool mutex, have_owner;
	pid_t owner, owner_pid;

	if (dl_futex_from_syscall(&tk->sys, &w))
		return 0;
	t->kind = DL_K_FUTEX;
	t->uaddr = w.uaddr;
	snprintf(t->object, sizeof(t->object), "0x%llx", (unsigned long long)w.uaddr);
	if (!c->maps && (c->maps = malloc(DL_MAPS_MAX))) {	/* once per process */
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%d/maps", c->s->root, tk->pid);
		if (procfs_read_small(path, c->maps, DL_MAPS_MAX) < 0)
			c->maps[0] = '\0';
	}
	if (c->maps)
		dl_maps_describe(c->maps, w.uaddr, t->where, sizeof(t->where));
	if (dl_futex_read(tk->pid, w.uaddr, words, 1))
		return 0;
	have_owner = !dl_futex_read(tk->pid, w.uaddr + 8, &words[2], 1);
	owner = dl_futex_owner(&w, words[0], words[2], have_owner, &evidence, &mutex);
	if (mutex)
		t->kind = DL_K_MUTEX;
	if (owner <= 0 || owner == tk->tid)
		goto hint;
	if (dl_tid_tgid(c->s->root, owner, &owner_pid))
		return 0;	/* the owner died holding it: nobody will unlock */
	return add_pending(c, idx, owner_pid, owner, evidence);
hint:
	if (owner == 0 && c->s->hints && c->s->hints->futex_holder) {
		pid_t who = c->s->hints->futex_holder(tk->pid, tk->tid, w.uaddr, &evidence, c->s->hints->ctx);

		if (who > 0 && who != tk->tid && evidence && !dl_tid_tgid(c->s->root, who, &owner_pid))
			return add_pending(c, idx, owner_pid, who, evidence);
	}
	return 0;
}

static int scan_pid(struct ctx *c, pid_t pid)
{
	struct dl_task *tasks = NULL;
	size_t n = 0;
	char pcomm[DL_COMM] = "", path[PATH_MAX], buf[1024], state;
	int rc = dl_scan_tasks(c->s->root, pid, &tasks, &n);

	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%d/stat", c->s->root, pid);
	if (procfs_read_small(path, buf, sizeof(buf)) > 0)
		dl_parse_task_stat(buf, &state, pcomm, sizeof(pcomm));
	for (size_t i = 0; !rc && i < n; i++) {
		const struct dl_task *tk = &tasks[i];
		struct dl_thread t = { .pid = pid, .tid = tk->tid, .state = tk->state, .ns = -1 };
		bool sleeping = tk->state == 'S' || tk->state == 'D';
		bool accept;
		long idx;
		int dir;

		snprintf(t.comm, sizeof(t.comm), "%s", tk->comm);
		snprintf(t.pcomm, sizeof(t.pcomm), "%s", pcomm);
		describe_doing(tk, &t);
		if (c->s->hints && c->s->hints->wait_ns)
			t.ns = c->s->hints->wait_ns(tk->tid, c->s->hints->ctx);
		idx = dl_graph_add_thread(c->g, &t);
		if (idx < 0) {
			rc = (int)idx;
			break;
		}
		if (!sleeping || tk->sys.running || tk->sys.nr < 0)
			continue;
		if ((dir = fd_wait_dir(tk->sys.nr, &accept)) >= 0)
			rc = fd_wait(c, (size_t)idx, tk, dir == 1, accept);
		else if (tk->sys.nr == SYS_io_uring_enter)
			rc = uring_wait(c, (size_t)idx, tk);
		else
			rc = futex_wait(c, (size_t)idx, tk);
	}
	free(tasks);
	free(c->maps);
	c->maps = NULL;
	return rc;
}

/* A holder we may not look into: one node of unknown state, so the chains
 * that reach it end there (a stall, never a cycle). */
static int unreadable_holder(struct ctx *c, pid_t pid)
{
	struct dl_thread t = { .pid = pid, .tid = pid, .state = '?', .ns = -1 };
	long idx;

	log_warn("deadlock: process %d holds the other end of a channel but cannot be read "
		 "(no ptrace access): its state is unknown", pid);
	snprintf(t.comm, sizeof(t.comm), "?");
	snprintf(t.pcomm, sizeof(t.pcomm), "?");
	snprintf(t.doing, sizeof(t.doing), "unknown (no ptrace access)");
	idx = dl_graph_add_thread(c->g, &t);
	return idx < 0 ? (int)idx : 0;
}

static int resolve_edges(struct ctx *c)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < c->npend; i++) {
		const struct pending *p = &c->pend[i];

		for (size_t j = 0; !rc && j < c->g->nt; j++) {
			const struct dl_thread *to = &c->g->t[j];

			if (j == p->from || to->pid != p->pid || (p->tid && to->tid != p->tid && to->state != '?'))
				continue;
			rc = dl_graph_add_edge(c->g, p->from, j, p->evidence);
		}
	}
	return rc ? rc : dl_graph_finish(c->g);
}

int dl_diagnose(const struct dl_scan *s, struct dl_graph *g)
{
	struct ctx c = { .s = s, .g = g };
	int rc;

	dl_graph_init(g);
	for (size_t i = 0; i < s->npids; i++)
		enqueue(&c, s->pids[i]);
	rc = dl_fdindex_build(s->root, &c.fds);
	if (rc) {
		log_error("deadlock: cannot read %s: %s", s->root, strerror(-rc));
		return rc;
	}
	if (dl_upeers_load(&c.peers))
		log_warn("deadlock: sock_diag unavailable: unix socket peers unknown (no socket edges)");
	for (size_t i = 0; !rc && i < c.nqueue; i++) {
		rc = scan_pid(&c, c.queue[i]);
		if (rc == -ESRCH && (i >= s->npids || s->skip_gone))
			rc = 0;	/* a holder that exited meanwhile */
		else if ((rc == -EACCES || rc == -EPERM) && i >= s->npids)
			rc = unreadable_holder(&c, c.queue[i]);
		else if (rc == -ESRCH)
			log_error("deadlock: no process %d (has it exited? check the PID)", c.queue[i]);
		else if ((rc == -EACCES || rc == -EPERM) && geteuid())
			log_error("deadlock: cannot read the syscalls of process %d: run as root "
				  "(or with CAP_SYS_PTRACE)", c.queue[i]);
		else if (rc == -EACCES || rc == -EPERM)
			log_error("deadlock: ptrace access to process %d is denied even to root: it runs in "
				  "another user namespace, or an LSM or Yama policy forbids it "
				  "(/proc/sys/kernel/yama/ptrace_scope)", c.queue[i]);
	}
	if (!rc)
		rc = resolve_edges(&c);
	dl_fdindex_fini(&c.fds);
	dl_upeers_fini(&c.peers);
	free(c.pend);
	if (rc)
		dl_graph_fini(g);
	return rc;
}

static void stacks_of_pid(struct dl_graph *g, const bool *want, pid_t pid)
{
	struct dl_unwinder *u;
	int rc = dl_unwind_open(pid, &u);

	if (rc) {
		log_warn("deadlock: cannot read the modules of process %d: %s", pid, strerror(-rc));
		return;
	}
	for (size_t i = 0; i < g->nt; i++) {
		struct dl_thread *t = &g->t[i];
		char sym[128];

		if (!want[i] || t->pid != pid)
			continue;
		if (t->uaddr && !dl_unwind_symbol(u, t->uaddr, sym, sizeof(sym))) {
			size_t l = strlen(t->where);

			snprintf(t->where + l, sizeof(t->where) - l, "%s%s", l ? " " : "", sym);
		}
		rc = dl_unwind_thread(u, t->tid, &t->stack, &t->nstack);
		if (rc && rc != -ENODATA) {
			log_warn("deadlock: cannot unwind process %d (%s): no stacks", pid, strerror(-rc));
			break;
		}
	}
	dl_unwind_close(u);
}

void dl_add_stacks(struct dl_graph *g, const struct dl_result *r)
{
	bool *want = calloc(g->nt + 1, sizeof(bool));

	if (!want)
		return;
	for (size_t i = 0; i < r->ncycles; i++)
		for (size_t j = 0; j < r->cycles[i].n; j++)
			want[r->cycles[i].th[j]] = true;
	for (size_t i = 0; i < r->nstalls; i++)
		for (size_t j = 0; j < r->stalls[i].n; j++)
			want[r->stalls[i].th[j]] = true;
	for (size_t i = 0; i < g->nt; i++) {
		bool first = want[i];

		for (size_t j = 0; first && j < i; j++)
			if (want[j] && g->t[j].pid == g->t[i].pid)
				first = false;
		if (first)
			stacks_of_pid(g, want, g->t[i].pid);
	}
	free(want);
}
