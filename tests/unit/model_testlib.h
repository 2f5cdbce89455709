/*
 * model_testlib.h - event builders and model queries shared by the model
 * unit tests (static inline: each test uses a subset).
 */
#ifndef IPCS_MODEL_TESTLIB_H
#define IPCS_MODEL_TESTLIB_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model.h"

#define PIPEFS 14u
#define DISK 0x800001u
#define MIB (1ull << 20)

static __u64 now = 1000;	/* event clock */

/* ---- event builders ---- */

static inline struct ipcs_event sys_ev(__u32 pid, __u16 sys, __s64 ret, __s32 fd,
				       __s32 fd2, __u64 arg, __u16 kind, __u64 ino,
				       __u16 fmode)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SYS;
	ev.path = "";
	ev.sys.h.type = IPCS_REC_SYS;
	ev.sys.h.size = sizeof(ev.sys);
	ev.sys.h.ts_ns = now++;
	ev.sys.pid = pid;
	ev.sys.tid = pid + 1000000;	/* a worker thread: its comm does not rename the process */
	ev.sys.sys = sys;
	ev.sys.ret = ret;
	ev.sys.fd = fd;
	ev.sys.fd2 = fd2;
	ev.sys.arg = arg;
	ev.sys.chan.kind = kind;
	ev.sys.chan.ino = ino;
	ev.sys.chan.dev = kind == IPCS_KIND_FIFO ? DISK : PIPEFS;
	ev.sys.chan.fmode = fmode;
	snprintf(ev.sys.comm, sizeof(ev.sys.comm), "p%u", pid);
	return ev;
}

static inline void apply(struct model *m, const struct ipcs_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
}

static inline void do_pipe(struct model *m, __u32 pid, __s32 rfd, __s32 wfd, __u64 ino,
			   bool cloexec)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_PIPE2, 0, rfd, wfd, 0, IPCS_KIND_PIPE, ino, 0);

	ev.sys.flags = cloexec ? IPCS_SYSF_CLOEXEC : 0;
	apply(m, &ev);
}

/* read/write (or readv/writev) of n bytes, blocked ns in the call. */
static inline void do_rw_b(struct model *m, __u32 pid, __u16 sys, __s32 fd, __u16 kind,
			   __u64 ino, __s64 n, __u64 blocked)
{
	bool wr = sys == IPCS_SYS_WRITE || sys == IPCS_SYS_WRITEV;
	struct ipcs_event ev = sys_ev(pid, sys, n, fd, -1, n > 0 ? (__u64)n : 100, kind, ino,
				      wr ? IPCS_FMODE_WRITE : IPCS_FMODE_READ);

	ev.sys.blocked_ns = blocked;
	apply(m, &ev);
}

static inline void do_write(struct model *m, __u32 pid, __s32 fd, __u64 ino, __s64 n)
{
	do_rw_b(m, pid, IPCS_SYS_WRITE, fd, IPCS_KIND_PIPE, ino, n, 0);
}

static inline void do_read(struct model *m, __u32 pid, __s32 fd, __u64 ino, __s64 n)
{
	do_rw_b(m, pid, IPCS_SYS_READ, fd, IPCS_KIND_PIPE, ino, n, 0);
}

static inline void do_close(struct model *m, __u32 pid, __s32 fd)
{
	struct ipcs_event ev = sys_ev(pid, IPCS_SYS_CLOSE, 0, fd, -1, 0, IPCS_KIND_NONE, 0, 0);

	apply(m, &ev);
}

static inline void do_dup(struct model *m, __u32 pid, __u16 sys, __s32 oldfd, __s32 newfd,
			  bool cloexec)
{
	struct ipcs_event ev = sys_ev(pid, sys, newfd, oldfd, newfd, 0, IPCS_KIND_NONE, 0, 0);

	ev.sys.flags = cloexec ? IPCS_SYSF_CLOEXEC : 0;
	apply(m, &ev);
}

static inline void do_proc(struct model *m, __u16 op, __u32 pid, __u32 ppid, __u64 start,
			   const char *comm, __s32 code)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_PROC;
	ev.path = "";
	ev.proc.h.type = IPCS_REC_PROC;
	ev.proc.h.ts_ns = now++;
	ev.proc.pid = pid;
	ev.proc.tid = pid;
	ev.proc.ppid = ppid;
	ev.proc.op = op;
	ev.proc.start_ns = start;
	ev.proc.exit_code = code;
	snprintf(ev.proc.comm, sizeof(ev.proc.comm), "%s", comm);
	apply(m, &ev);
}

static inline void do_fork(struct model *m, __u32 parent, __u32 child, __u64 start)
{
	char comm[16];

	snprintf(comm, sizeof(comm), "p%u", parent);
	do_proc(m, IPCS_PROC_FORK, child, parent, start, comm, 0);
}

/* IPCS_REC_CGROUP_NAME: id's path. */
static inline void do_cgroup_name(struct model *m, __u64 id, const char *path)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_CGROUP_NAME;
	ev.cgroup_name.h.type = IPCS_REC_CGROUP_NAME;
	ev.cgroup_name.h.ts_ns = now++;
	ev.cgroup_name.cgroup_id = id;
	snprintf(ev.cgroup_name.path, sizeof(ev.cgroup_name.path), "%s", path);
	ev.path = ev.cgroup_name.path;
	apply(m, &ev);
}

/* IPCS_REC_CGROUP: pid moved to cgroup id. */
static inline void do_cgroup_move(struct model *m, __u32 pid, __u64 id)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_CGROUP;
	ev.path = "";
	ev.cgroup.h.type = IPCS_REC_CGROUP;
	ev.cgroup.h.ts_ns = now++;
	ev.cgroup.pid = pid;
	ev.cgroup.tid = pid;
	ev.cgroup.cgroup_id = id;
	ev.cgroup.threadgroup = 1;
	apply(m, &ev);
}

static inline void do_open_path(struct model *m, __u32 pid, __u16 sys, const char *path,
				__s32 fd, __u64 ino, __u16 fmode)
{
	struct ipcs_event ev = sys_ev(pid, sys, fd, fd, -1, 0, IPCS_KIND_FIFO, ino, fmode);

	ev.type = IPCS_REC_SYS_PATH;
	ev.sys.h.type = IPCS_REC_SYS_PATH;
	snprintf(ev.sys_path.path, sizeof(ev.sys_path.path), "%s", path);
	ev.path = ev.sys_path.path;
	apply(m, &ev);
}

static inline void seed_proc(struct model *m, __u32 pid, __u32 ppid, __u64 start,
			     const char *comm)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SEED_PROC;
	ev.path = "";
	ev.seed_proc.h.ts_ns = now++;
	ev.seed_proc.pid = pid;
	ev.seed_proc.ppid = ppid;
	ev.seed_proc.start_ns = start;
	snprintf(ev.seed_proc.comm, sizeof(ev.seed_proc.comm), "%s", comm);
	apply(m, &ev);
}

static inline void seed_fd(struct model *m, __u32 pid, __s32 fd, __u16 kind, __u64 ino,
			   __u16 fmode, const char *path)
{
	struct ipcs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = IPCS_REC_SEED_FD;
	ev.seed_fd.h.ts_ns = now++;
	ev.seed_fd.pid = pid;
	ev.seed_fd.fd = fd;
	ev.seed_fd.chan.kind = kind;
	ev.seed_fd.chan.ino = ino;
	ev.seed_fd.chan.dev = kind == IPCS_KIND_FIFO ? DISK : PIPEFS;
	ev.seed_fd.chan.fmode = fmode;
	snprintf(ev.seed_fd.path, sizeof(ev.seed_fd.path), "%s", path);
	ev.path = ev.seed_fd.path;
	apply(m, &ev);
}

/* ---- queries ---- */

#define MAXC 64

struct convs {
	size_t n;
	struct model_conv v[MAXC];
};

static inline int collect_conv(const struct model_conv *c, void *ctx)
{
	struct convs *cs = ctx;

	if (cs->n < MAXC)
		cs->v[cs->n] = *c;
	cs->n++;
	return 0;
}

/* The conversation on ino from a_pid (start a_start, ~0 for any) to b_pid. */
static inline const struct model_conv *conv_of(struct model *m, struct convs *cs,
					       __u64 ino, __u32 a_pid, __u64 a_start,
					       __u32 b_pid)
{
	size_t i;

	cs->n = 0;
	assert_int_equal(model_foreach_conv(m, collect_conv, cs), 0);
	for (i = 0; i < cs->n && i < MAXC; i++) {
		const struct model_conv *c = &cs->v[i];

		if (c->ino == ino && c->a.pid == a_pid && c->b.pid == b_pid &&
		    (a_start == ~0ull || c->a.start_ns == a_start))
			return c;
	}
	return NULL;
}

struct chan_q {
	__u64 ino;
	bool found;
	struct model_chan c;
	struct model_holder h[16];
};

static inline int find_chan_cb(const struct model_chan *c, void *ctx)
{
	struct chan_q *q = ctx;
	size_t i;

	if (c->ino != q->ino)
		return 0;
	q->found = true;
	q->c = *c;
	for (i = 0; i < c->nholders && i < 16; i++)
		q->h[i] = c->holders[i];
	q->c.holders = q->h;
	return 1;
}

static inline struct chan_q chan_of(struct model *m, __u64 ino)
{
	struct chan_q q;

	memset(&q, 0, sizeof(q));
	q.ino = ino;
	model_foreach_chan(m, find_chan_cb, &q);
	return q;
}

static inline bool has_holder(const struct chan_q *q, __u32 pid, __s32 fd, __u16 fmode)
{
	size_t i;

	for (i = 0; i < q->c.nholders; i++)
		if (q->h[i].proc.pid == pid && q->h[i].fd == fd && q->h[i].fmode == fmode)
			return true;
	return false;
}

static inline int count_cb(const void *x, void *ctx)
{
	(void)x;
	(*(size_t *)ctx)++;
	return 0;
}

static inline size_t count_chans(struct model *m)
{
	size_t n = 0;

	model_foreach_chan(m, (model_chan_cb)count_cb, &n);
	return n;
}

struct proc_q {
	__u32 pid;
	size_t n;
	struct model_proc v[8];
};

static inline int find_proc_cb(const struct model_proc *p, void *ctx)
{
	struct proc_q *q = ctx;

	if (p->ref.pid == q->pid && q->n < 8)
		q->v[q->n++] = *p;
	return 0;
}

static inline struct proc_q procs_of(struct model *m, __u32 pid)
{
	struct proc_q q;

	memset(&q, 0, sizeof(q));
	q.pid = pid;
	model_foreach_proc(m, find_proc_cb, &q);
	return q;
}

static inline int setup(void **state)
{
	struct model *m;

	if (model_new(&m))
		return -1;
	*state = m;
	return 0;
}

static inline int teardown(void **state)
{
	model_free(*state);
	return 0;
}

#endif
