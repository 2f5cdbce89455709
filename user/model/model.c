/*
 * model.c - model_apply(): one decoded record at a time into processes,
 * fd tables, channels and conversations; totals, aging and iteration.
 * Odd input (unknown fds, kind NONE, impossible counts) is ignored, never
 * fatal: the only error is running out of memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "model/model_int.h"

/* Linux caps one read/write at MAX_RW_COUNT (INT_MAX & PAGE_MASK). */
#define RW_RET_MAX 0x7ffff000LL

static const struct model_limits default_limits = {
	.max_convs = 200000,
	.max_exited_procs = 8192,
	.max_orphan_chans = 16384,
	.age_events = 65536,
	.queue_bytes_max = 2u << 20,
	.queue_segs_max = 65536,
	.pending_bytes_max = 2u << 20,
	.msglog_max = 256,
};

/* channels.c's hook: a channel's per-kind state goes with it. */
static void chan_release(struct mchan *c)
{
	mq_state_free(c->mq);
}

int model_new(struct model **out)
{
	struct model *m;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->lim = default_limits;
	m->chan_flush = conv_flush_chan;
	m->chan_release = chan_release;
	err = proctab_init(m);
	if (!err)
		err = chantab_init(m);
	if (!err)
		err = convtab_init(m);
	if (!err)
		err = futex_init(m);
	if (!err)
		err = shm_init(m);
	if (!err)
		err = fdpass_init(m);
	if (!err)
		err = waits_init(m);
	if (!err)
		err = cgtab_init(m);
	if (err) {
		free(m);
		return err;
	}
	*out = m;
	return 0;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	cgtab_fini(m);
	fdpass_fini(m);
	waits_fini(m);
	shm_fini(m);
	futex_fini(m);
	convtab_fini(m);
	chantab_fini(m);
	proctab_fini(m);
	free(m);
}

static bool kind_is_stream(__u16 kind)
{
	return kind == IPCS_KIND_PIPE || kind == IPCS_KIND_FIFO;
}

/* ---- syscalls ---- */

static int sys_pipe(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s)
{
	bool cloexec = s->flags & IPCS_SYSF_CLOEXEC;
	struct mchan *c;
	int err;

	if (s->ret != 0 || s->chan.kind != IPCS_KIND_PIPE)
		return 0;
	err = chan_renew(m, &s->chan, &c);
	if (err || !c)
		return err;
	err = fd_add(m, p, s->fd, c, IPCS_FMODE_READ, cloexec);
	if (!err)
		err = fd_add(m, p, s->fd2, c, IPCS_FMODE_WRITE, cloexec);
	chan_note_unheld(m, c);
	return err;
}

/* The kernel resolved the fd: if our table disagrees, it missed something. */
static int fd_learn(struct model *m, struct mproc *p, __s32 fd, struct mchan *c,
		    __u16 fmode)
{
	struct mfd *f = fd_lookup(m, p, fd);

	if (f && f->chan == c) {
		f->fmode = fmode;
		return 0;
	}
	return fd_add(m, p, fd, c, fmode, false);
}

static int sys_rw(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
		  bool is_write)
{
	__u16 fmode = s->chan.fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	bool plain = s->sys == IPCS_SYS_READ || s->sys == IPCS_SYS_WRITE;
	struct mchan *c;
	__u64 n;
	int err;

	if (s->chan.kind == IPCS_KIND_EVENTFD)
		return eventfd_rw(m, p, s, is_write);
	if (s->ret > 0 && (s->ret > RW_RET_MAX || (plain && (__u64)s->ret > s->arg))) {
		m->ignored++;	/* more bytes than asked or possible: corrupt */
		return 0;
	}
	if (s->ret == -EBADF)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err || !c)
		return err;
	if (!fmode)
		fmode = is_write ? IPCS_FMODE_WRITE : IPCS_FMODE_READ;
	err = fd_learn(m, p, s->fd, c, fmode);
	if (!err && s->ret > 0 && c->kind == IPCS_KIND_PTY)
		err = pty_rw(m, c, p, s, is_write);	/* per-direction streams */
	if (!err && s->ret > 0) {
		n = (__u64)s->ret;
		if (!kind_is_stream(c->kind) && is_write)
			c->bytes_written += n;	/* no stream semantics (yet) */
		else if (!kind_is_stream(c->kind))
			c->bytes_read += n;
		else if (is_write)
			err = conv_pipe_write(m, c, p, n, s->h.ts_ns, s->blocked_ns);
		else
			err = conv_pipe_read(m, c, p, n, s->h.ts_ns, s->blocked_ns);
	}
	if (!c->nholders && chan_is_closed(c))
		m->closed_gen++;
	chan_note_unheld(m, c);
	return err;
}

static int sys_close(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s)
{
	struct mfd *f;

	/* Linux releases the fd even when close fails, except for EBADF. */
	if (s->ret == -EBADF)
		return 0;
	f = fd_lookup(m, p, s->fd);
	if (f)
		fd_remove(m, f);
	return 0;
}

/* close_range(first, last, flags): close, or with CLOSE_RANGE_CLOEXEC mark, the fds. */
#define CLOSE_RANGE_CLOEXEC (1u << 2)
static int sys_close_range(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s)
{
	struct mfd *f = p->fds, *next;
	__u32 first = (__u32)s->fd, last = (__u32)s->fd2;

	if (s->ret != 0)
		return 0;
	for (; f; f = next) {
		next = f->pnext;
		if ((__u32)f->fd < first || (__u32)f->fd > last)
			continue;
		if (s->arg & CLOSE_RANGE_CLOEXEC)
			f->cloexec = true;
		else
			fd_remove(m, f);
	}
	return 0;
}

static int sys_dup(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s)
{
	bool cloexec = (s->sys == IPCS_SYS_DUP3 || s->sys == IPCS_SYS_FCNTL) &&
		       (s->flags & IPCS_SYSF_CLOEXEC);
	struct mfd *src, *dst;
	struct mchan *c;
	__s32 newfd;
	int err;

	/* Every dup variant returns the new fd. */
	if (s->ret < 0 || s->ret > 0x7fffffff || s->ret == s->fd)
		return 0;
	newfd = (__s32)s->ret;
	src = fd_lookup(m, p, s->fd);
	if (src)
		return fd_add(m, p, newfd, src->chan, src->fmode, cloexec);
	err = chan_get(m, &s->chan, &c);
	if (err)
		return err;
	if (!c) {
		/* Not IPC: whatever newfd was is closed now. */
		dst = fd_lookup(m, p, newfd);
		if (dst)
			fd_remove(m, dst);
		return 0;
	}
	err = fd_add(m, p, s->fd, c, s->chan.fmode, false);
	if (!err)
		err = fd_add(m, p, newfd, c, s->chan.fmode, cloexec);
	chan_note_unheld(m, c);
	return err;
}

static int sys_open(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
		    const char *path)
{
	__u16 fmode = s->chan.fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	struct mchan *c;
	struct mfd *f;
	int err;

	if (s->ret < 0 || s->ret > 0x7fffffff)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err)
		return err;
	if (!c) {
		/* The number is reused for a file we do not follow. */
		f = fd_lookup(m, p, (__s32)s->ret);
		if (f)
			fd_remove(m, f);
		return 0;
	}
	chan_set_path(c, path);
	if (!fmode) {	/* O_RDONLY 0, O_WRONLY 1, O_RDWR 2 on every arch */
		__u64 acc = s->arg & 3;

		fmode = acc == 0 ? IPCS_FMODE_READ : acc == 1 ? IPCS_FMODE_WRITE :
			IPCS_FMODE_READ | IPCS_FMODE_WRITE;
	}
	err = fd_add(m, p, (__s32)s->ret, c, fmode, s->flags & IPCS_SYSF_CLOEXEC);
	chan_note_unheld(m, c);
	return err;
}

static int sys_mknod(struct model *m, const struct ipcs_sys_rec *s, const char *path)
{
	struct mchan *c;
	int err;

	/* Naming needs the inode; without it the later open names the FIFO. */
	if (s->ret != 0 || s->chan.kind != IPCS_KIND_FIFO || !s->chan.ino)
		return 0;
	err = chan_get(m, &s->chan, &c);
	if (err || !c)
		return err;
	chan_set_path(c, path);
	chan_note_unheld(m, c);
	return 0;
}

static int apply_sys(struct model *m, const struct ipcs_event *ev)
{
	const struct ipcs_sys_rec *s = &ev->sys;
	const char *path = ev->type == IPCS_REC_SYS_PATH && ev->path ? ev->path : "";
	struct mproc *p;
	int err;

	if (!s->pid || s->sys == IPCS_SYS_NONE || s->sys >= IPCS_SYS_MAX) {
		m->ignored++;
		return 0;
	}
	err = proc_get(m, s->pid, s->comm, &p);
	if (err)
		return err;
	p->ref.untraced = false;	/* its own record: it is traced */
	/* prctl(PR_SET_NAME) renames without an exec; the main thread's comm names the process. */
	if (s->tid == s->pid && s->comm[0] && strncmp(p->ref.comm, s->comm, IPCS_COMM_LEN))
		proc_set_comm(p, s->comm);
	if (ev->type == IPCS_REC_SOCK)
		return sock_apply(m, p, &ev->sock);
	switch (s->sys) {
	case IPCS_SYS_PIPE:
	case IPCS_SYS_PIPE2:
		return sys_pipe(m, p, s);
	case IPCS_SYS_READ:
	case IPCS_SYS_READV:
		return sys_rw(m, p, s, false);
	case IPCS_SYS_WRITE:
	case IPCS_SYS_WRITEV:
		return sys_rw(m, p, s, true);
	case IPCS_SYS_CLOSE:
		return sys_close(m, p, s);
	case IPCS_SYS_DUP:
	case IPCS_SYS_DUP2:
	case IPCS_SYS_DUP3:
	case IPCS_SYS_FCNTL:
		return sys_dup(m, p, s);
	case IPCS_SYS_CLOSE_RANGE:
		return sys_close_range(m, p, s);
	case IPCS_SYS_OPEN:
	case IPCS_SYS_OPENAT:
		return sys_open(m, p, s, path);
	case IPCS_SYS_MKNOD:
	case IPCS_SYS_MKNODAT:
		return sys_mknod(m, s, path);
	case IPCS_SYS_EVENTFD:
	case IPCS_SYS_EVENTFD2:
		return eventfd_create(m, p, s);
	case IPCS_SYS_MEMFD_CREATE:
		return shm_memfd_create(m, p, s, path);
	case IPCS_SYS_MQ_OPEN:
	case IPCS_SYS_MQ_UNLINK:
	case IPCS_SYS_MQ_TIMEDSEND:
	case IPCS_SYS_MQ_TIMEDRECEIVE:
	case IPCS_SYS_MQ_NOTIFY:
		return mq_apply(m, p, s, path);
	case IPCS_SYS_SPLICE:
	case IPCS_SYS_TEE:
	case IPCS_SYS_VMSPLICE:
	case IPCS_SYS_SENDFILE:
		/* One side of the call: a write into, or a read out of, this channel. */
		if (s->chan.kind == IPCS_KIND_UNIX_STREAM || s->chan.kind == IPCS_KIND_UNIX_SEQPACKET ||
		    s->chan.kind == IPCS_KIND_TCP)
			return sock_splice(m, p, s, s->flags & IPCS_SYSF_OUT);
		return sys_rw(m, p, s, s->flags & IPCS_SYSF_OUT);
	}
	return 0;
}

/* ---- processes, seeds, drops ---- */

static int apply_proc(struct model *m, const struct ipcs_proc_rec *r)
{
	struct mproc *p, *parent;
	int err;

	if (!r->pid) {
		m->ignored++;
		return 0;
	}
	switch (r->op) {
	case IPCS_PROC_FORK:
		if (r->pid == r->ppid)
			return 0;	/* a new thread, not a new process */
		/* The fork tracepoint fires before the child runs, so a live
		 * instance under this pid is an older process: pid reuse. */
		err = proc_create(m, r->pid, r->start_ns, r->ppid, r->comm, &p);
		if (err)
			return err;
		p->cgroup_id = r->cgroup_id;
		parent = proc_lookup(m, r->ppid);
		if (!parent || parent->exited)
			return 0;
		/* A child's argv area is its parent's until it execs or rewrites it. */
		err = parent->cmdline ? proc_set_cmdline(p, parent->cmdline, strlen(parent->cmdline),
							 parent->cmdline_cut) : 0;
		if (!err)
			err = fd_copy_table(m, parent, p);
		return err ? err : shm_fork(m, parent, p, r->h.ts_ns);
	case IPCS_PROC_EXEC:
		err = proc_get_started(m, r->pid, r->start_ns, r->ppid, r->comm, &p);
		if (err)
			return err;
		proc_set_comm(p, r->comm);
		if (r->cgroup_id)
			p->cgroup_id = r->cgroup_id;
		proc_set_cmdline(p, "", 0, false);	/* the new image's title follows */
		fd_remove_all(m, p, true);
		return 0;
	case IPCS_PROC_EXIT:
		err = proc_get_started(m, r->pid, r->start_ns, r->ppid, r->comm, &p);
		if (err)
			return err;
		if (r->cgroup_id)
			p->cgroup_id = r->cgroup_id;
		return proc_exit(m, p, r->exit_code);
	}
	m->ignored++;
	return 0;
}

static int apply_seed_proc(struct model *m, const struct ipcs_seed_proc_rec *r)
{
	struct mproc *p;

	if (!r->pid) {
		m->ignored++;
		return 0;
	}
	int err;

	p = proc_lookup(m, r->pid);
	if (!p || p->exited) {
		err = proc_create(m, r->pid, r->start_ns, r->ppid, r->comm, &p);
		if (!err)
			p->cgroup_id = r->cgroup_id;
		return err;
	}
	/* A pid names one live process at a time: same process, better data. */
	if (r->start_ns)
		p->ref.start_ns = r->start_ns;
	p->ppid = r->ppid;
	proc_set_comm(p, r->comm);
	if (r->cgroup_id)
		p->cgroup_id = r->cgroup_id;
	return 0;
}

static int apply_seed_fd(struct model *m, const struct ipcs_seed_fd_rec *r,
			 const char *path)
{
	struct mproc *p;
	struct mchan *c;
	int err;

	if (!r->pid || r->fd < 0) {
		m->ignored++;
		return 0;
	}
	if (r->flags & IPCS_SEEDF_SOCK_INODE) {
		err = proc_get(m, r->pid, "", &p);
		return err ? err : sock_seed_fd(m, p, r, path);
	}
	err = chan_get(m, &r->chan, &c);
	if (err || !c)
		return err;
	chan_set_path(c, path);
	err = proc_get(m, r->pid, "", &p);
	if (!err)
		err = fd_add(m, p, r->fd, c, r->chan.fmode, r->flags & IPCS_SYSF_CLOEXEC);
	chan_note_unheld(m, c);
	return err;
}

static void apply_drops(struct model *m, const struct ipcs_drops_rec *r)
{
	int i;

	for (i = 0; i < IPCS_DROP_SLOTS; i++)
		/* Cumulative counters: a smaller value is an older record. */
		if (r->drops[i] > m->tot.drops[i])
			m->tot.drops[i] = r->drops[i];
	m->tot.drops_total = ipcs_drops_lost(m->tot.drops);
}

int model_apply(struct model *m, const struct ipcs_event *ev)
{
	bool is_call;
	__u64 ts;
	int err = 0;

	if (!m || !ev)
		return -EINVAL;
	m->tot.events++;
	ts = ev->h.ts_ns;
	if (ts) {
		if (!m->tot.first_ns || ts < m->tot.first_ns)
			m->tot.first_ns = ts;
		if (ts > m->tot.last_ns)
			m->tot.last_ns = ts;
	}
	is_call = ev->type == IPCS_REC_SYS || ev->type == IPCS_REC_SYS_PATH ||
		  ev->type == IPCS_REC_SOCK;
	m->cur_sys = is_call ? ev->sys.sys : 0;
	m->cur_tid = is_call ? ev->sys.tid : 0;
	switch (ev->type) {
	case IPCS_REC_SYS:
	case IPCS_REC_SYS_PATH:
	case IPCS_REC_SOCK:
		waits_call_ended(m, ev->sys.tid, ts);
		conv_forget_write(m, ev->sys.tid);
		err = apply_sys(m, ev);
		break;
	case IPCS_REC_PROC:
		if (ev->proc.op == IPCS_PROC_EXIT)
			waits_proc_exited(m, ev->proc.pid, ts);
		err = apply_proc(m, &ev->proc);
		break;
	case IPCS_REC_SEED_PROC:
		err = apply_seed_proc(m, &ev->seed_proc);
		break;
	case IPCS_REC_SEED_FD:
		err = apply_seed_fd(m, &ev->seed_fd, ev->path ? ev->path : "");
		break;
	case IPCS_REC_DROPS:
		apply_drops(m, &ev->drops);
		break;
	case IPCS_REC_SIGNAL:
		err = signal_apply(m, &ev->sig);
		break;
	case IPCS_REC_FUTEX:
		waits_call_ended(m, ev->futex.tid, ts);
		err = futex_apply(m, &ev->futex);
		break;
	case IPCS_REC_SHM:
		waits_call_ended(m, ev->shm.tid, ts);
		err = shm_apply(m, &ev->shm);
		break;
	case IPCS_REC_FDPASS:
		err = fdpass_apply(m, &ev->fdpass);
		if (!err && ev->fdpass.sys == IPCS_SYS_SENDMSG &&
		    (ev->fdpass.flags & IPCS_FDPF_RIGHTS) && ev->fdpass.nfds)
			err = conv_attach(m, ev->fdpass.tid, NULL, 0, ev->fdpass.nfds);
		break;
	case IPCS_REC_WAIT:
		err = waits_apply(m, &ev->wait);
		break;
	case IPCS_REC_CGROUP:
		err = cgroup_move_apply(m, &ev->cgroup);
		break;
	case IPCS_REC_CGROUP_NAME:
		err = cgroup_name_apply(m, &ev->cgroup_name);
		break;
	case IPCS_REC_CMDLINE:
		err = proc_cmdline_apply(m, &ev->cmdline);
		break;
	case IPCS_REC_SHM_NAME:
		err = shm_path_apply(m, &ev->shm_name);
		break;
	case IPCS_REC_PEER:
		err = sock_peer_apply(m, &ev->peer);
		break;
	case IPCS_REC_PAYLOAD:
		/* Counts come from the call's record; a write's bytes go to its message. */
		if (ev->payload.flags & IPCS_PAYF_OUT)
			err = conv_attach(m, ev->payload.tid, ev->payload.data,
					  ev->payload.cap_len < IPCS_PAYLOAD_MAX ?
					  ev->payload.cap_len : IPCS_PAYLOAD_MAX, 0);
		break;
	default:
		m->ignored++;
		break;
	}
	proc_age(m);
	chan_age(m);
	conv_age(m);
	if (err)
		log_debug("model: record type %u not applied: %s", ev->type, strerror(-err));
	return err;
}

void model_flush(struct model *m)
{
	struct mchan *c;
	size_t it = 0;

	if (!m)
		return;
	while (hashmap_next(&m->chans, &it, NULL, (void **)&c)) {
		if (conv_flush_chan(m, c))
			log_warn("model: out of memory while flushing %llu unread bytes",
				 (unsigned long long)(c->writes.bytes + c->reads.bytes));
	}
	if (futex_flush(m))
		log_warn("model: out of memory while flushing futex waits");
	if (fdpass_flush(m))
		log_warn("model: out of memory while flushing passed fds");
	m->closed_gen++;
}
