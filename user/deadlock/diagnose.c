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
#include "util/vec.h"

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
	if (vec_grow((void **)&c->pend, &c->cappend, c->npend + 1, sizeof(*c->pend), 16))
		return -ENOMEM;
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
		{ SYS_epoll_pwait2, "epoll_pwait2" },
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

/* Is anc an ancestor of pid (its parent, grandparent...)? */
static bool is_ancestor(const char *root, pid_t pid, pid_t anc)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		if (dl_ppid(root, pid, &pid))
			return false;
		if (pid == anc)
			return true;
	}
	return false;
}

/* What one fd of a waiter leads to. */
struct member {
	enum dl_kind kind;	/* DL_K_OTHER: no channel we follow */
	char object[DL_OBJ];
	bool external;		/* can be woken from outside the graph */
	bool latch;		/* an eventfd, a signalfd, a self-pipe: its setter is not recorded */
	bool parent_only;	/* every other holder is an ancestor (a parent-death pipe) */
	unsigned nholders;	/* holding processes other than the waiter's */
};

/* A holder of the other end: an edge to its threads (pid == the waiter's
 * own: its other threads), counted for the member. */
static int holder(struct ctx *c, size_t idx, pid_t wpid, pid_t hpid, const char *ev, struct member *m,
		  pid_t *last)
{
	if (hpid == *last)
		return 0;	/* one process's several fds of the same end */
	*last = hpid;
	if (hpid != wpid) {
		if (!m->nholders++)
			m->parent_only = true;
		if (!is_ancestor(c->s->root, wpid, hpid))
			m->parent_only = false;
	}
	return add_pending(c, idx, hpid, 0, ev);
}

static int resolve_member(struct ctx *c, size_t idx, pid_t pid, int fd, bool writes, bool accept,
			  struct member *m)
{
	char path[PATH_MAX], link[PATH_MAX];
	const struct dl_fd *f = dl_fdindex_get(&c->fds, pid, fd);
	const char *side = writes ? "read end" : "write end";
	char ev[DL_EVID];
	pid_t last = 0;
	ssize_t ln;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	m->kind = DL_K_OTHER;
	m->external = true;	/* until we know better: a terminal, a file, an inode we do not follow */
	snprintf(path, sizeof(path), "%s/%d/fd/%d", c->s->root, pid, fd);
	ln = readlink(path, link, sizeof(link) - 1);
	if (ln <= 0) {
		snprintf(m->object, sizeof(m->object), "fd %d (closed?)", fd);
		return 0;
	}
	link[ln] = '\0';
	snprintf(m->object, sizeof(m->object), "%.*s", (int)sizeof(m->object) - 1, link);
	if (!strcmp(link, "anon_inode:[eventfd]") || !strcmp(link, "anon_inode:[signalfd]")) {
		m->latch = true;	/* any holder, or any signal sender, may set it */
		return 0;
	}
	if (!f)
		return 0;
	if (f->type == DL_FD_PIPE) {
		m->kind = DL_K_PIPE;
		m->external = false;
		snprintf(ev, sizeof(ev), "pipe %s held by", side);
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type == DL_FD_PIPE && h->ino == f->ino && holder_matches(c, h, writes))
				rc = holder(c, idx, pid, h->pid, ev, m, &last);
		}
		if (!m->nholders && last == pid) {
			/* a self-pipe: written by its own threads or signal handler */
			m->latch = true;
			m->external = true;
		}
		return rc;
	}
	if (f->type == DL_FD_SOCKET) {
		uint64_t peer = dl_upeers_get(&c->peers, f->ino);

		m->kind = DL_K_SOCKET;
		if (accept || !peer)
			return 0;	/* listening, unconnected, or a peer off this host: anyone may act */
		m->external = false;
		snprintf(ev, sizeof(ev), "peer socket:[%llu] held by", (unsigned long long)peer);
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type == DL_FD_SOCKET && h->ino == peer)
				rc = holder(c, idx, pid, h->pid, ev, m, &last);
		}
		return rc;
	}
	if (f->type == DL_FD_PATH) {
		struct stat st, hst;
		long fstype, hfs;

		if (path_identity(c->s->root, pid, f->fd, &st, &fstype))
			return 0;
		if (fstype == MQUEUE_MAGIC) {
			m->kind = DL_K_MQ;
			snprintf(m->object, sizeof(m->object), "mq:%s", f->link);
			snprintf(ev, sizeof(ev), "message queue %s held by", writes ? "receiver" : "sender");
		} else if (S_ISFIFO(st.st_mode)) {
			m->kind = DL_K_FIFO;
			snprintf(m->object, sizeof(m->object), "fifo:%s", f->link);
			snprintf(ev, sizeof(ev), "fifo %s held by", side);
		} else {
			return 0;	/* a terminal, a device, a file */
		}
		m->external = false;
		for (size_t i = 0; !rc && i < c->fds.n; i++) {
			const struct dl_fd *h = &c->fds.v[i];

			if (h->type != DL_FD_PATH || strcmp(h->link, f->link) ||
			    path_identity(c->s->root, h->pid, h->fd, &hst, &hfs) ||
			    hst.st_dev != st.st_dev || hst.st_ino != st.st_ino)
				continue;
			if (holder_matches(c, h, writes))
				rc = holder(c, idx, pid, h->pid, ev, m, &last);
		}
		return rc;
	}
	return 0;
}

/* A read, write, send, recv or accept on one fd. */
static int fd_wait(struct ctx *c, size_t idx, const struct dl_task *tk, bool writes, bool accept)
{
	struct dl_thread *t = &c->g->t[idx];
	struct member m;
	int rc = resolve_member(c, idx, tk->pid, (int)tk->sys.args[0], writes, accept, &m);

	t->write = writes;
	t->kind = m.kind;
	t->external = m.external;
	snprintf(t->object, sizeof(t->object), "%s", m.object);
	if (tk->sys.nr == SYS_mq_timedreceive || tk->sys.nr == SYS_mq_timedsend)
		t->timed = t->external = t->external || tk->sys.args[4];
	if (m.latch && !t->timed) {
		/* read(2) of an eventfd or a self-pipe: a latch, like a set of them */
		t->owner_unknown = true;
		snprintf(t->note, sizeof(t->note), "owner unknown: a latch (eventfd, signalfd or self-pipe) "
			 "records no setter; any process may signal it");
	} else if (accept)
		snprintf(t->note, sizeof(t->note), "a listening socket: any client may connect");
	else if (m.kind == DL_K_SOCKET && m.external)
		snprintf(t->note, sizeof(t->note), "no local peer known (not a connected unix socket): "
			 "the other end may act");
	else if (m.kind == DL_K_OTHER)
		snprintf(t->note, sizeof(t->note), "not a channel ipcscope follows: it may be woken from outside");
	return rc;
}

#define DL_SET_MAX 1024

/* The fds of a blocked epoll_wait/poll/select, read without stopping it:
 * epoll's from fdinfo, poll's and select's from the arrays in its memory. */
static size_t set_fds(struct ctx *c, const struct dl_task *tk, int *fds, unsigned *wr, size_t max)
{
	const uint64_t *a = tk->sys.args;
	size_t n = 0;

	switch (tk->sys.nr) {
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2: {
		char path[PATH_MAX];
		char *buf = malloc(1 << 16);
		unsigned ev[DL_SET_MAX];

		if (!buf)
			return 0;
		snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", c->s->root, tk->pid, (int)a[0]);
		if (procfs_read_small(path, buf, 1 << 16) > 0)
			n = dl_parse_epoll_tfds(buf, fds, ev, max);
		for (size_t i = 0; i < n; i++)
			wr[i] = (ev[i] & 0x4) && !(ev[i] & 0x1);	/* EPOLLOUT without EPOLLIN */
		free(buf);
		return n;
	}
	case SYS_poll: case SYS_ppoll: {
		struct pollfd { int fd; short events, revents; } pf[DL_SET_MAX];
		size_t cnt = a[1] < max ? (size_t)a[1] : max;

		if (!cnt || dl_mem_read(tk->pid, a[0], pf, cnt * sizeof(pf[0])))
			return 0;
		for (size_t i = 0; i < cnt; i++)
			if (pf[i].fd >= 0) {
				fds[n] = pf[i].fd;
				wr[n++] = (pf[i].events & 0x4) && !(pf[i].events & 0x1);	/* POLLOUT, not POLLIN */
			}
		return n;
	}
	case SYS_select: case SYS_pselect6: {
		uint64_t bits[3][DL_SET_MAX / 64];
		size_t nfds = a[0] < DL_SET_MAX ? (size_t)a[0] : DL_SET_MAX;
		size_t words = (nfds + 63) / 64;
		bool have[3];

		for (int k = 0; k < 3; k++)
			have[k] = a[1 + k] && words && !dl_mem_read(tk->pid, a[1 + k], bits[k], words * 8);
		for (size_t fd = 0; fd < nfds && n < max; fd++) {
			bool r = have[0] && (bits[0][fd / 64] >> (fd % 64) & 1);
			bool w = have[1] && (bits[1][fd / 64] >> (fd % 64) & 1);
			bool x = have[2] && (bits[2][fd / 64] >> (fd % 64) & 1);

			if (r || w || x) {
				fds[n] = (int)fd;
				wr[n++] = w && !r;
			}
		}
		return n;
	}
	}
	return 0;
}

static bool set_timed(const struct dl_sysline *s)
{
	switch (s->nr) {
	case SYS_epoll_wait: case SYS_epoll_pwait:
		return (int)s->args[3] >= 0;
	case SYS_poll:
		return (int)s->args[2] >= 0;
	case SYS_epoll_pwait2: case SYS_select: case SYS_pselect6:
		return s->args[4] != 0 || (s->nr == SYS_epoll_pwait2 && s->args[3] != 0);
	case SYS_ppoll:
		return s->args[2] != 0;
	}
	return false;
}

/* epoll_wait, poll, select: woken by any fd of the set (OR). */
static int set_wait(struct ctx *c, size_t idx, const struct dl_task *tk)
{
	int fds[DL_SET_MAX];
	unsigned wr[DL_SET_MAX];
	size_t n = set_fds(c, tk, fds, wr, DL_SET_MAX), nlatch = 0, nparent = 0;
	struct dl_thread *t = &c->g->t[idx];
	bool external = false;
	int rc = 0;

	t->kind = DL_K_SET;
	t->timed = set_timed(&tk->sys);
	if (tk->sys.nr == SYS_epoll_wait || tk->sys.nr == SYS_epoll_pwait || tk->sys.nr == SYS_epoll_pwait2)
		snprintf(t->object, sizeof(t->object), "epoll fd %d: %zu fds", (int)tk->sys.args[0], n);
	else
		snprintf(t->object, sizeof(t->object), "%zu fds", n);
	t->set = calloc(n ? n : 1, sizeof(*t->set));
	if (!t->set)
		return -ENOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		struct member m;

		rc = resolve_member(c, idx, tk->pid, fds[i], wr[i], false, &m);
		t = &c->g->t[idx];
		t->set[i] = (struct dl_setfd){ .fd = fds[i], .write = wr[i], .nholders = m.nholders };
		snprintf(t->set[i].object, sizeof(t->set[i].object), "%s", m.object);
		t->nset = i + 1;
		external = external || m.external;
		nlatch += m.latch;
		nparent += m.parent_only;
	}
	t->external = external || t->timed;
	/* A latch wait (PostgreSQL's WaitLatch, a condition signalled through an
	 * eventfd): nothing says who will set it. Suspect only when the set holds
	 * nothing else but pipes from its ancestors (a parent-death pipe). */
	if (!t->timed && nlatch && nlatch + nparent == n) {
		t->owner_unknown = true;
		snprintf(t->note, sizeof(t->note), "owner unknown: a latch (eventfd, signalfd or self-pipe) "
			 "records no setter; any process may signal it");
	} else if (t->timed) {
		snprintf(t->note, sizeof(t->note), "has a timeout: it wakes by itself");
	} else if (external) {
		snprintf(t->note, sizeof(t->note), "an fd of the set may be woken from outside "
			 "(a listener, a terminal, a remote peer, a latch)");
	}
	if (!n)
		t->external = true;	/* an empty or unreadable set: nothing to follow */
	return rc;
}
static bool futex_timed(const struct dl_sysline *s)
{
	if (s->nr == SYS_futex)
		return s->args[3] != 0;	/* the timeout pointer of the wait and lock commands */
	if (s->nr == SYS_futex_waitv)
		return s->args[3] != 0;
	return s->args[4] != 0;		/* futex_wait(2) */
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

	if (tk->sys.nr == SYS_futex_waitv) {
		t->kind = DL_K_FUTEX;
		t->timed = t->external = futex_timed(&tk->sys);
		snprintf(t->object, sizeof(t->object), "futex_waitv: %llu futexes", (unsigned long long)tk->sys.args[1]);
		t->owner_unknown = true;
		snprintf(t->note, sizeof(t->note), "owner unknown: futex_waitv words are not read");
		return 0;
	}
	if (dl_futex_from_syscall(&tk->sys, &w))
		return 0;
	t->kind = DL_K_FUTEX;
	t->uaddr = w.uaddr;
	t->timed = t->external = futex_timed(&tk->sys);
	snprintf(t->object, sizeof(t->object), "0x%llx", (unsigned long long)w.uaddr);
	if (!c->maps && (c->maps = malloc(DL_MAPS_MAX))) {	/* once per process */
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%d/maps", c->s->root, tk->pid);
		if (procfs_read_small(path, c->maps, DL_MAPS_MAX) < 0)
			c->maps[0] = '\0';
	}
	if (c->maps)
		dl_maps_describe(c->maps, w.uaddr, t->where, sizeof(t->where));
	if (dl_futex_read(tk->pid, w.uaddr, words, 1)) {
		t->owner_unknown = true;
		snprintf(t->note, sizeof(t->note), "owner unknown: the futex word cannot be read");
		return 0;
	}
	have_owner = !dl_futex_read(tk->pid, w.uaddr + 8, &words[2], 1);
	owner = dl_futex_owner(&w, words[0], words[2], have_owner, &evidence, &mutex);
	if (mutex)
		t->kind = DL_K_MUTEX;
	if (owner <= 0 || owner == tk->tid)
		goto hint;
	if (dl_tid_tgid(c->s->root, owner, &owner_pid)) {
		snprintf(t->note, sizeof(t->note), "the owner %d named by the lock word has exited: "
			 "nobody will unlock it", owner);
		return 0;	/* the owner died holding it: nobody will unlock */
	}
	return add_pending(c, idx, owner_pid, owner, evidence);
hint:
	if (owner == 0 && c->s->hints && c->s->hints->futex_holder) {
		pid_t who = c->s->hints->futex_holder(tk->pid, tk->tid, w.uaddr, &evidence, c->s->hints->ctx);

		if (who > 0 && who != tk->tid && evidence && !dl_tid_tgid(c->s->root, who, &owner_pid))
			return add_pending(c, idx, owner_pid, who, evidence);
	}
	t->owner_unknown = true;
	snprintf(t->note, sizeof(t->note), "owner unknown: the futex word names no owner (a sem_t, "
		 "a condition variable, rwlock readers or a custom lock hold none)");
	return 0;
}

#define DL_MAX_CHILDREN 64

/* wait4/waitid: woken when a child it waits for exits, so it waits for any
 * thread of those children (each may be what keeps its process alive). */
static int child_wait(struct ctx *c, size_t idx, const struct dl_task *tk)
{
	struct dl_thread *t = &c->g->t[idx];
	pid_t kids[DL_MAX_CHILDREN], want = 0;
	long n;
	int rc = 0;

	t->kind = DL_K_CHILD;
	if (tk->sys.nr == SYS_wait4 && (int)tk->sys.args[0] > 0)
		want = (pid_t)tk->sys.args[0];
	else if (tk->sys.nr == SYS_waitid && tk->sys.args[0] == 1 /* P_PID */)
		want = (pid_t)tk->sys.args[1];
	n = dl_children(c->s->root, tk->pid, kids, DL_MAX_CHILDREN);
	if (want)
		snprintf(t->object, sizeof(t->object), "child %d", want);
	else
		snprintf(t->object, sizeof(t->object), "any of %ld children", n > 0 ? n : 0);
	for (long i = 0; !rc && i < n; i++)
		if (!want || kids[i] == want)
			rc = add_pending(c, idx, kids[i], 0, "waits for the exit of child");
	if (n < 0 || n == DL_MAX_CHILDREN) {
		t->external = true;	/* children not all known */
		snprintf(t->note, sizeof(t->note), "its children could not all be listed");
	}
	return rc;
}

/* The waits that are not on a channel or a lock: who ends them is outside
 * the graph (the clock, any signal sender). */
static bool other_wait(struct dl_thread *t, const struct dl_task *tk)
{
	switch (tk->sys.nr) {
	case SYS_nanosleep: case SYS_clock_nanosleep:
		t->kind = DL_K_SLEEP;
		t->timed = t->external = true;
		snprintf(t->note, sizeof(t->note), "sleeps: the clock wakes it");
		return true;
	case SYS_rt_sigtimedwait: case SYS_pause: case SYS_rt_sigsuspend:
		t->kind = DL_K_SIGNAL;
		t->timed = tk->sys.nr == SYS_rt_sigtimedwait && tk->sys.args[2];
		t->external = true;
		snprintf(t->note, sizeof(t->note), "waits for a signal: any process may send it");
		return true;
	case SYS_restart_syscall: case SYS_connect:
		t->kind = DL_K_OTHER;
		t->external = true;
		return true;
	}
	return false;
}

static bool set_fds_syscall(long nr)
{
	return nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == SYS_epoll_pwait2 || nr == SYS_poll ||
	       nr == SYS_ppoll || nr == SYS_select || nr == SYS_pselect6;
}

static int scan_pid(struct ctx *c, pid_t pid, bool named)
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
		struct dl_thread t = { .pid = pid, .tid = tk->tid, .state = tk->state, .ns = -1, .idle_ns = -1,
				       .sp = tk->sys.sp, .pc = tk->sys.pc, .named = named };
		bool sleeping = tk->state == 'S' || tk->state == 'D';
		bool accept;
		long idx;
		int dir;

		snprintf(t.comm, sizeof(t.comm), "%s", tk->comm);
		snprintf(t.pcomm, sizeof(t.pcomm), "%s", pcomm);
		describe_doing(tk, &t);
		if (c->s->hints && c->s->hints->wait_ns)
			t.ns = c->s->hints->wait_ns(tk->tid, c->s->hints->ctx);
		if (named && sleeping && !c->s->hints && dl_task_idle_ns(c->s->root, pid, tk->tid, &t.idle_ns))
			t.idle_ns = -1;
		idx = dl_graph_add_thread(c->g, &t);
		if (idx < 0) {
			rc = (int)idx;
			break;
		}
		if (!sleeping || tk->sys.running || tk->sys.nr < 0)
			continue;
		if ((dir = fd_wait_dir(tk->sys.nr, &accept)) >= 0)
			rc = fd_wait(c, (size_t)idx, tk, dir == 1, accept);
		else if (set_fds_syscall(tk->sys.nr))
			rc = set_wait(c, (size_t)idx, tk);
		else if (tk->sys.nr == SYS_wait4 || tk->sys.nr == SYS_waitid)
			rc = child_wait(c, (size_t)idx, tk);
		else if (tk->sys.nr == SYS_io_uring_enter)
			rc = uring_wait(c, (size_t)idx, tk);
		else if (!other_wait(&c->g->t[idx], tk))
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
	if (dl_tcp_peers_load(&c.peers))
		log_warn("deadlock: /proc/net/tcp unreadable: TCP peers on this host unknown");
	for (size_t i = 0; !rc && i < c.nqueue; i++) {
		rc = scan_pid(&c, c.queue[i], i < s->npids);
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

/* Is the thread still where its stack was read from (same syscall, sp, pc)? */
static bool still_there(const char *root, const struct dl_thread *t)
{
	char path[PATH_MAX], buf[512];
	struct dl_sysline now;

	snprintf(path, sizeof(path), "%s/%d/task/%d/syscall", root, t->pid, t->tid);
	return procfs_read_small(path, buf, sizeof(buf)) > 0 && !dl_parse_syscall(buf, &now) &&
	       now.sp == t->sp && now.pc == t->pc;
}

static void stacks_of_pid(struct dl_graph *g, const bool *want, pid_t pid, bool use_ptrace)
{
	struct dl_unwinder *u;
	int rc = dl_unwind_open(pid, use_ptrace, &u);

	if (rc) {
		log_warn("deadlock: cannot read the modules of process %d: %s", pid, strerror(-rc));
		return;
	}
	for (size_t i = 0; i < g->nt; i++) {
		struct dl_thread *t = &g->t[i];
		char sym[128];

		if (!want[i] || t->pid != pid || t->stack)
			continue;
		if (t->uaddr && !dl_unwind_symbol(u, t->uaddr, sym, sizeof(sym))) {
			size_t l = strlen(t->where);

			snprintf(t->where + l, sizeof(t->where) - l, "%s%s", l ? " " : "", sym);
		}
		rc = dl_unwind_thread(u, t->tid, t->sp, t->pc, &t->stack, &t->nstack);
		if (rc && rc != -ENODATA) {
			log_warn("deadlock: cannot unwind process %d (%s): no stacks", pid, strerror(-rc));
			break;
		}
		if (!rc && !use_ptrace && !still_there("/proc", t)) {
			/* it woke while we read its stack: the frames may be torn */
			free(t->stack);
			t->stack = NULL;
			t->nstack = 0;
			log_info("deadlock: thread %d moved while its stack was read: no stack", t->tid);
		}
	}
	dl_unwind_close(u);
}

void dl_add_stacks_ex(struct dl_graph *g, const struct dl_result *r, bool all_named, bool use_ptrace)
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
	for (size_t i = 0; all_named && i < g->nt; i++)
		want[i] = want[i] || g->t[i].named;
	for (size_t i = 0; i < g->nt; i++) {
		bool first = want[i] && g->t[i].state != '?';

		for (size_t j = 0; first && j < i; j++)
			if (want[j] && g->t[j].pid == g->t[i].pid)
				first = false;
		if (first)
			stacks_of_pid(g, want, g->t[i].pid, use_ptrace);
	}
	free(want);
}

void dl_add_stacks(struct dl_graph *g, const struct dl_result *r)
{
	dl_add_stacks_ex(g, r, false, false);
}
