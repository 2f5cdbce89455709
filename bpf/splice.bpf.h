/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * splice.bpf.h - splice, tee, vmsplice and sendfile on pipes (part of
 * syscalls.bpf.c: uses its resolve_fd and emit_sys). One call may read one pipe and write
 * another: each followed side becomes its own record, fd = that side's fd,
 * fd2 = the other fd, IPCS_SYSF_OUT on the side bytes were written into.
 */
#ifndef IPCS_SPLICE_BPF_H
#define IPCS_SPLICE_BPF_H

static __always_inline __u64 emit_sys(const struct inflight *in, long ret);

static __always_inline bool is_splice_sys(__u16 sys)
{
	return sys == IPCS_SYS_SPLICE || sys == IPCS_SYS_TEE ||
	       sys == IPCS_SYS_VMSPLICE || sys == IPCS_SYS_SENDFILE;
}

/* in->fd = source, in->fd2 = destination (vmsplice: fd2 = fd). */
static __always_inline bool splice_enter(struct pt_regs *regs, struct task_struct *task,
					 struct inflight *in)
{
	switch (in->sys) {
	case IPCS_SYS_SPLICE:
		in->fd = SYS_ARG0(regs);
		in->fd2 = SYS_ARG2(regs);
		in->arg = SYS_ARG4(regs);
		break;
	case IPCS_SYS_TEE:
		in->fd = SYS_ARG0(regs);
		in->fd2 = SYS_ARG1(regs);
		in->arg = SYS_ARG2(regs);
		break;
	case IPCS_SYS_VMSPLICE:
		in->fd = SYS_ARG0(regs);
		in->fd2 = in->fd;
		in->arg = SYS_ARG2(regs);	/* iovec count */
		break;
	case IPCS_SYS_SENDFILE:
		in->fd = SYS_ARG1(regs);
		in->fd2 = SYS_ARG0(regs);
		in->arg = SYS_ARG3(regs);
		break;
	}
	return fd_followed(in->fd) || fd_followed(in->fd2);
}

/* One side: fd is followed (resolved again at exit: same fd table). */
static __always_inline void splice_side(struct inflight *in, int fd, int other, bool out,
					long ret)
{
	if (!resolve_fd(fd, in))
		return;
	in->fd = fd;
	in->fd2 = other;
	in->flags = out ? IPCS_SYSF_OUT : 0;
	emit_sys(in, ret);
}

static __always_inline void splice_exit(struct inflight *in, long ret)
{
	int src = in->fd, dst = in->fd2;

	if (ret <= 0)
		return;
	if (in->sys == IPCS_SYS_VMSPLICE) {
		/* Into the write end, or out of the read end. */
		if (resolve_fd(src, in))
			splice_side(in, src, src, in->chan.fmode & IPCS_FMODE_WRITE, ret);
		return;
	}
	if (in->sys != IPCS_SYS_TEE)	/* tee copies: the source keeps its bytes */
		splice_side(in, src, dst, false, ret);
	__builtin_memset(&in->chan, 0, sizeof(in->chan));
	splice_side(in, dst, src, true, ret);
}

#endif
