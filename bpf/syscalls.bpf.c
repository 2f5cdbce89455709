// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * syscalls.bpf.c - every traced syscall (pipes, FIFOs, sockets, eventfd, mq,
 * ptys, splice and friends, fd passing, futex, shm; the list is in
 * docs/architecture.md): what sys_enter sees is kept per thread in
 * `inflight`; sys_exit completes it into one record.
 */
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "sysnr.bpf.h"
#include "fdres.bpf.h"
#include "emit.bpf.h"
#include "futex.bpf.h"
#include "shm.bpf.h"
#include "payload.bpf.h"

#define O_CLOEXEC 02000000
#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static __always_inline __u16 cloexec_flag(__u64 flags)
{
	return flags & O_CLOEXEC ? IPCS_SYSF_CLOEXEC : 0;
}

static __always_inline bool resolve_flags(int fd, struct inflight *in, int flags)
{
	int r = ipcs_fd_chan(fd, flags, &in->chan);

	if (r == FDRES_FAULT)
		drop_count(IPCS_DROP_READ);
	return r > 0;
}

/* Resolve an fd of the current task into in->chan; true when it is a followed channel. */
static __always_inline bool resolve_fd(int fd, struct inflight *in)
{
	return resolve_flags(fd, in, 0);
}

/* The same for an fd the call has just created: never from the fd cache. */
static __always_inline bool resolve_new_fd(int fd, struct inflight *in)
{
	return resolve_flags(fd, in, FDC_FRESH);
}

/* The same for an fd whose file the call closes: nothing is cached for it. */
static __always_inline bool resolve_closing_fd(int fd, struct inflight *in)
{
	return resolve_flags(fd, in, FDC_NOSTORE);
}

/* True when fd is a followed channel (its identity is not kept). */
static __always_inline bool fd_followed(int fd)
{
	struct inflight tmp = {};

	return resolve_fd(fd, &tmp);
}

/* socket*, connect, accept*, bind, listen, shutdown: what enter knows. */
static __always_inline bool sock_enter_setup(struct pt_regs *regs, struct task_struct *task,
					     struct inflight *in)
{
	switch (in->sys) {
	case IPCS_SYS_SOCKET:
		in->arg = SYS_ARG0(regs);	/* domain: the kind is known at exit */
		in->flags = cloexec_flag(SYS_ARG1(regs));	/* SOCK_CLOEXEC == O_CLOEXEC */
		return true;
	case IPCS_SYS_SOCKETPAIR:
		in->arg = SYS_ARG0(regs);
		in->flags = cloexec_flag(SYS_ARG1(regs));
		in->uptr = SYS_ARG3(regs);
		return true;
	case IPCS_SYS_ACCEPT4:
		in->flags = cloexec_flag(SYS_ARG3(regs));
		break;
	case IPCS_SYS_LISTEN:
	case IPCS_SYS_SHUTDOWN:
		in->arg = SYS_ARG1(regs);
		break;
	}
	in->fd = SYS_ARG0(regs);
	return resolve_fd(in->fd, in);
}

/* The new socket(s) of socket/socketpair/accept: resolved from the new fd. */
static __always_inline bool sock_exit_setup(struct inflight *in, long ret)
{
	int fds[2];

	if (in->sys == IPCS_SYS_SOCKETPAIR) {
		if (ret != 0 || bpf_probe_read_user(fds, sizeof(fds), (void *)in->uptr))
			return false;
		in->fd = fds[0];
		in->fd2 = fds[1];
		fdc_forget(fds[1]);
		return resolve_new_fd(fds[0], in);
	}
	if (ret < 0)
		return false;
	if (in->sys == IPCS_SYS_SOCKET)
		in->fd = ret;
	else
		in->fd2 = ret;
	return resolve_new_fd(ret, in);
}
#include "mq.bpf.h"
#include "splice.bpf.h"
#include "fdpass.bpf.h"

#define MFD_CLOEXEC 0x1

static __always_inline bool is_fifo_mode(__u64 mode)
{
	return (mode & S_IFMT) == S_IFIFO;
}

/* Take the arguments; false when the call concerns no channel. */
static __always_inline bool enter_fill(struct pt_regs *regs,
				       struct task_struct *task,
				       struct inflight *in)
{
	bool ok;

	switch (in->sys) {
	case IPCS_SYS_READ:
	case IPCS_SYS_WRITE:
	case IPCS_SYS_READV:
	case IPCS_SYS_WRITEV:
	case IPCS_SYS_SENDTO:	/* arg: length; sendmsg/recvmsg: flags */
	case IPCS_SYS_SENDMSG:
		sock_enter_dest(regs, in);
		/* fall through */
	case IPCS_SYS_RECVFROM:
	case IPCS_SYS_RECVMSG:
		if (in->sys == IPCS_SYS_RECVMSG)
			in->uptr = SYS_ARG1(regs);	/* msghdr: its control data at exit */
		/* uptr: read/write buffer (an eventfd's value), or sendto's
		 * destination / sendmsg's msghdr, set by sock_enter_dest(). */
		in->fd = SYS_ARG0(regs);
		in->arg = SYS_ARG2(regs);
		return resolve_fd(in->fd, in);
	case IPCS_SYS_EVENTFD:
	case IPCS_SYS_EVENTFD2:
		in->arg = (__u32)SYS_ARG0(regs);
		if (in->sys == IPCS_SYS_EVENTFD2)
			in->flags = cloexec_flag(SYS_ARG1(regs));
		return true;
	case IPCS_SYS_MQ_OPEN:
	case IPCS_SYS_MQ_UNLINK:
	case IPCS_SYS_MQ_TIMEDSEND:
	case IPCS_SYS_MQ_TIMEDRECEIVE:
	case IPCS_SYS_MQ_NOTIFY:
		return mq_enter(regs, task, in);
	case IPCS_SYS_SPLICE:
	case IPCS_SYS_TEE:
	case IPCS_SYS_VMSPLICE:
	case IPCS_SYS_SENDFILE:
		return splice_enter(regs, task, in);
	case IPCS_SYS_CLOSE:
		in->fd = SYS_ARG0(regs);
		ok = resolve_closing_fd(in->fd, in);
		/* Followed or not, its file may be gone at return (and again at exit). */
		fdc_forget(in->fd);
		return ok;
	case IPCS_SYS_DUP:
		in->fd = SYS_ARG0(regs);
		return resolve_fd(in->fd, in);
	case IPCS_SYS_DUP2:
	case IPCS_SYS_DUP3: {
		struct inflight tmp = {};

		in->fd = SYS_ARG0(regs);
		in->fd2 = SYS_ARG1(regs);
		if (in->sys == IPCS_SYS_DUP3) {
			in->arg = SYS_ARG2(regs);
			in->flags = cloexec_flag(in->arg);
		}
		/* Onto a followed fd from another file: that channel end is closed. */
		ok = resolve_fd(in->fd, in) || resolve_closing_fd(in->fd2, &tmp);
		fdc_forget(in->fd2);	/* and again at exit */
		return ok;
	}
	case IPCS_SYS_FCNTL:
		in->fd = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs);
		if (in->arg != F_DUPFD && in->arg != F_DUPFD_CLOEXEC)
			return false;
		in->flags = in->arg == F_DUPFD_CLOEXEC ? IPCS_SYSF_CLOEXEC : 0;
		return resolve_fd(in->fd, in);
	case IPCS_SYS_SOCKET:
	case IPCS_SYS_SOCKETPAIR:
	case IPCS_SYS_ACCEPT:
	case IPCS_SYS_ACCEPT4:
	case IPCS_SYS_CONNECT:
	case IPCS_SYS_BIND:
	case IPCS_SYS_LISTEN:
	case IPCS_SYS_SHUTDOWN:
		return sock_enter_setup(regs, task, in);
	case IPCS_SYS_CLOSE_RANGE:
		/* Rare; the model knows which of these fds matter. Every
		 * cached fd goes (and again at exit). */
		__sync_fetch_and_add(&fdc_gen, 1);
		in->fd = SYS_ARG0(regs);
		in->fd2 = SYS_ARG1(regs);
		in->arg = SYS_ARG2(regs);
		return true;
	case IPCS_SYS_PIPE:
	case IPCS_SYS_PIPE2:
		in->uptr = SYS_ARG0(regs);
		if (in->sys == IPCS_SYS_PIPE2) {
			in->arg = SYS_ARG1(regs);
			in->flags = cloexec_flag(in->arg);
		}
		return true;
	case IPCS_SYS_OPEN:
		in->uptr = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs);
		in->flags = cloexec_flag(in->arg);
		return true;
	case IPCS_SYS_OPENAT:
		in->uptr = SYS_ARG1(regs);
		in->arg = SYS_ARG2(regs);
		in->flags = cloexec_flag(in->arg);
		return true;
	case IPCS_SYS_MKNOD:
		in->uptr = SYS_ARG0(regs);
		in->arg = (__u32)SYS_ARG1(regs);
		return is_fifo_mode(in->arg);
	case IPCS_SYS_MKNODAT:
		in->uptr = SYS_ARG1(regs);
		in->arg = (__u32)SYS_ARG2(regs);
		return is_fifo_mode(in->arg);
	case IPCS_SYS_FUTEX:
	case IPCS_SYS_FUTEX_WAKE:
	case IPCS_SYS_FUTEX_WAIT:
	case IPCS_SYS_FUTEX_WAITV:
		return futex_enter(regs, in);
	case IPCS_SYS_SHMGET ... IPCS_SYS_MUNMAP:
		return shm_enter(regs, in);
	case IPCS_SYS_MEMFD_CREATE:
		in->uptr = SYS_ARG0(regs);
		in->arg = (__u32)SYS_ARG1(regs);
		in->flags = in->arg & MFD_CLOEXEC ? IPCS_SYSF_CLOEXEC : 0;
		return true;
	}
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u16 sys = sysnr_to_ipcs(id);
	struct inflight in, *slot;
	struct task_struct *task;
	__u64 pid_tgid;

	/* Cheapest test first: most syscalls are not ours. */
	if (sys == IPCS_SYS_NONE)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	task = bpf_get_current_task_btf();
	if (!task_traced(task, pid_tgid >> 32) || task_in_compat_syscall(task))
		return 0;
	__builtin_memset(&in, 0, sizeof(in));
	in.sys = sys;
	if (!enter_fill(regs, task, &in))
		return 0;
	in.ts = bpf_ktime_get_ns();
	slot = bpf_task_storage_get(&inflight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot) {
		drop_count(IPCS_DROP_INFLIGHT);
		return 0;
	}
	/* sys last, so that inflight_dump never takes a half-written entry
	 * for a whole one (it rereads sys after its copy). */
	WRITE_ONCE(slot->sys, IPCS_SYS_NONE);
	in.sys = IPCS_SYS_NONE;
	compiler_barrier();
	*slot = in;
	compiler_barrier();
	WRITE_ONCE(slot->sys, sys);
	return 0;
}

/* pipe/pipe2 succeeded: the fds are in user memory now. */
static __always_inline bool exit_pipe(struct inflight *in)
{
	int fds[2];

	if (bpf_probe_read_user(fds, sizeof(fds), (void *)in->uptr)) {
		drop_count(IPCS_DROP_READ);
		return false;
	}
	in->fd = fds[0];
	in->fd2 = fds[1];
	fdc_forget(fds[1]);
	return resolve_new_fd(fds[0], in);
}

/* An eventfd read/write moved 8 bytes: the counter value replaces arg. */
static __always_inline void eventfd_value(struct inflight *in)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)in->uptr)) {
		drop_count(IPCS_DROP_READ);
		v = 0;
	}
	in->arg = v;
}

/* memfd_create: the new memfd is a shared-memory segment (kind SHM, its inode). */
static __always_inline bool exit_memfd(struct inflight *in, long ret)
{
	struct ipcs_fdpass_fd d = {};

	if (ret < 0)
		return true;	/* the failure is recorded too */
	in->fd = ret;
	if (ipcs_fd_describe(ret, &d) <= 0)
		return false;
	in->chan.ino = d.ino;
	in->chan.dev = d.dev;
	in->chan.kind = IPCS_KIND_SHM;
	in->chan.fmode = IPCS_FMODE_READ | IPCS_FMODE_WRITE;
	return true;
}

/* What only the return value tells; false when there is nothing to emit. */
static __always_inline bool exit_fill(struct inflight *in, long ret)
{
	switch (in->sys) {
	case IPCS_SYS_PIPE:
	case IPCS_SYS_PIPE2:
		return ret == 0 && exit_pipe(in);
	case IPCS_SYS_DUP:
	case IPCS_SYS_FCNTL:
		in->fd2 = ret;
		return ret >= 0;
	case IPCS_SYS_CLOSE_RANGE:
		__sync_fetch_and_add(&fdc_gen, 1);
		return ret == 0;
	case IPCS_SYS_DUP2:
	case IPCS_SYS_DUP3:
		/* Another thread may have cached fd2's old file meanwhile. */
		fdc_forget(in->fd2);
		return ret >= 0;
	case IPCS_SYS_OPEN:
	case IPCS_SYS_OPENAT:
		/* Any followed kind: opening /proc/PID/fd/N of a pipe is one too. */
		in->fd = ret;
		return ret >= 0 && resolve_new_fd(ret, in);
	case IPCS_SYS_MKNOD:
	case IPCS_SYS_MKNODAT:
		in->chan.kind = IPCS_KIND_FIFO;
		return true;
	case IPCS_SYS_SOCKET:
	case IPCS_SYS_SOCKETPAIR:
	case IPCS_SYS_ACCEPT:
	case IPCS_SYS_ACCEPT4:
		return sock_exit_setup(in, ret);
	case IPCS_SYS_MQ_OPEN:
	case IPCS_SYS_MQ_UNLINK:
	case IPCS_SYS_MQ_TIMEDRECEIVE:
		return mq_exit(in, ret);
	case IPCS_SYS_MEMFD_CREATE:
		return exit_memfd(in, ret);
	case IPCS_SYS_EVENTFD:
	case IPCS_SYS_EVENTFD2:
		in->fd = ret;
		return ret >= 0 && resolve_new_fd(ret, in);
	case IPCS_SYS_CLOSE:
		fdc_forget(in->fd);	/* a thread may have cached it during the call */
		return true;
	case IPCS_SYS_READ:
	case IPCS_SYS_WRITE:
		if (in->chan.kind == IPCS_KIND_EVENTFD && ret == 8)
			eventfd_value(in);
		return true;
	}
	return true;	/* read, write, readv, writev, close: every outcome */
}

static __always_inline void fill_sys(struct ipcs_sys_rec *r,
				     const struct inflight *in, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->sys = in->sys;
	r->flags = in->flags;
	r->ret = ret;
	r->blocked_ns = r->h.ts_ns - in->ts;
	r->fd = in->fd;
	r->fd2 = in->fd2;
	r->arg = in->arg;
	r->chan = in->chan;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
}

static __always_inline bool sys_has_path(__u16 sys)
{
	return sys == IPCS_SYS_OPEN || sys == IPCS_SYS_OPENAT ||
	       sys == IPCS_SYS_MKNOD || sys == IPCS_SYS_MKNODAT ||
	       sys == IPCS_SYS_MQ_OPEN || sys == IPCS_SYS_MQ_UNLINK ||
	       sys == IPCS_SYS_MEMFD_CREATE;
}

/* Calls on sockets carry the peer: struct ipcs_sock_rec. */
static __always_inline bool sys_is_sock_data(const struct inflight *in)
{
	if (in->chan.kind < IPCS_KIND_UNIX_STREAM || in->chan.kind > IPCS_KIND_UDP)
		return false;
	return in->sys == IPCS_SYS_READ || in->sys == IPCS_SYS_WRITE ||
	       in->sys == IPCS_SYS_READV || in->sys == IPCS_SYS_WRITEV ||
	       (in->sys >= IPCS_SYS_SENDTO && in->sys <= IPCS_SYS_SHUTDOWN);
}

/* Returns the record's timestamp, 0 when it was not emitted. */
static __always_inline __u64 emit_sys(const struct inflight *in, long ret)
{
	struct ipcs_sys_path_rec *pr;
	struct ipcs_sock_rec *sr;
	struct ipcs_sys_rec *r;
	__u64 ts;

	if (sys_is_sock_data(in)) {
		sr = emit_reserve(sizeof(*sr), IPCS_REC_SOCK);
		if (!sr)
			return 0;
		fill_sys(&sr->s, in, ret);
		sock_fill(sr);
		sock_fill_dest(sr, in);
		ts = sr->s.h.ts_ns;
		emit_submit(sr);
		return ts;
	}
	if (!sys_has_path(in->sys)) {
		r = emit_reserve(sizeof(*r), IPCS_REC_SYS);
		if (!r)
			return 0;
		fill_sys(r, in, ret);
		ts = r->h.ts_ns;
		emit_submit(r);
		return ts;
	}
	pr = emit_reserve(sizeof(*pr), IPCS_REC_SYS_PATH);
	if (!pr)
		return 0;
	fill_sys(&pr->s, in, ret);
	/* The kernel has just copied this path in: it is resident. */
	if (bpf_probe_read_user_str(pr->path, sizeof(pr->path), (void *)in->uptr) < 0)
		drop_count(IPCS_DROP_READ);
	ts = pr->s.h.ts_ns;
	emit_submit(pr);
	return ts;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	struct inflight *in;
	__u16 sys;

	sys = sysnr_to_ipcs(SYS_NR_AT_EXIT(regs));
	if (sys == IPCS_SYS_NONE)
		return 0;
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!in || in->sys == IPCS_SYS_NONE)
		return 0;
	if (in->sys != sys)	/* stale entry: its exit was never seen */
		goto done;
	/* Completed in place (only this thread writes its entry; no copy on
	 * a stack the verifier caps at 512 bytes), hidden from inflight_dump
	 * meanwhile. */
	WRITE_ONCE(in->exiting, 1);
	compiler_barrier();
	if (is_splice_sys(sys)) {
		splice_exit(in, ret);
		goto done;
	}
	if (futex_sys(sys)) {
		futex_emit(regs, in, ret);
		goto done;
	}
	if (shm_sys(sys)) {
		shm_emit(in, ret);
		goto done;
	}
	if (exit_fill(in, ret)) {
		__u64 ts = emit_sys(in, ret);

		if (ts)	/* no payload without its call's record */
			payload_emit(regs, in, ret, ts);
	}
	if (fdpass_wanted(in, ret))
		fdpass_emit(in);	/* after the data record, as user space expects */
done:
	compiler_barrier();
	WRITE_ONCE(in->sys, IPCS_SYS_NONE);
	return 0;
}

/*
 * One struct ipcs_inflight_entry per thread inside a traced call now, for
 * user space's scan of blocked threads (live_scan_inflight). Task storage
 * cannot be walked from user space; a task iterator can read it.
 */
SEC("iter/task")
int inflight_dump(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct ipcs_inflight_entry e = {};
	struct inflight *p;
	__u16 sys;

	if (!task)
		return 0;
	p = bpf_task_storage_get(&inflight, task, 0, 0);
	if (!p)
		return 0;
	sys = READ_ONCE(p->sys);
	if (sys == IPCS_SYS_NONE || READ_ONCE(p->exiting))
		return 0;
	compiler_barrier();
	__builtin_memcpy(&e.in, p, sizeof(e.in));
	compiler_barrier();
	/* The thread may have left (or re-entered) meanwhile: skip a torn copy.
	 * A copy that passes has sys and a zero exiting word in it. */
	if (READ_ONCE(p->sys) != sys || READ_ONCE(p->ts) != e.in.ts || READ_ONCE(p->exiting))
		return 0;
	e.tid = task->pid;
	e.tgid = task->tgid;
	bpf_seq_write(ctx->meta->seq, &e, sizeof(e));
	return 0;
}
