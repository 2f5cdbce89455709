/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * mq.bpf.h - POSIX message queue syscalls (part of syscalls.bpf.c: uses its
 * resolve_fd and cloexec_flag). An mq descriptor is an fd on the mqueue fs.
 */
#ifndef IPCS_MQ_BPF_H
#define IPCS_MQ_BPF_H

static __always_inline bool mq_enter(struct pt_regs *regs, struct task_struct *task,
				     struct inflight *in)
{
	switch (in->sys) {
	case IPCS_SYS_MQ_OPEN:
		in->uptr = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs);
		in->flags = cloexec_flag(in->arg);
		return true;
	case IPCS_SYS_MQ_UNLINK:
		in->uptr = SYS_ARG0(regs);
		return true;
	case IPCS_SYS_MQ_TIMEDSEND:
		in->fd = SYS_ARG0(regs);
		in->arg = SYS_ARG2(regs);
		in->fd2 = (__s32)SYS_ARG3(regs);
		return resolve_fd(in->fd, in);
	case IPCS_SYS_MQ_TIMEDRECEIVE:
		in->fd = SYS_ARG0(regs);
		in->arg = SYS_ARG2(regs);
		in->uptr = SYS_ARG3(regs);	/* unsigned *msg_prio, may be NULL */
		in->fd2 = -1;
		return resolve_fd(in->fd, in);
	case IPCS_SYS_MQ_NOTIFY:
		in->fd = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs) ? 1 : 0;
		return resolve_fd(in->fd, in);
	}
	return false;
}

static __always_inline bool mq_exit(struct inflight *in, long ret)
{
	__u32 prio = 0;

	switch (in->sys) {
	case IPCS_SYS_MQ_OPEN:
		in->fd = ret;
		return ret >= 0 && resolve_new_fd(ret, in);
	case IPCS_SYS_MQ_UNLINK:
		return ret == 0;
	case IPCS_SYS_MQ_TIMEDRECEIVE:
		if (ret >= 0 && in->uptr) {
			if (bpf_probe_read_user(&prio, sizeof(prio), (void *)in->uptr))
				drop_count(IPCS_DROP_READ);
			else
				in->fd2 = (__s32)prio;
		}
		return true;
	}
	return true;
}

#endif
