// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * signal.bpf.c - signals as IPC: tp_btf/signal_generate (sender = current)
 * and tp_btf/signal_deliver (receiver = current), one record each.
 */
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "emit.bpf.h"

#define SEND_SIG_PRIV_PTR 1UL	/* include/linux/sched/signal.h: info 0 or 1 */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TIMER (-2)
#define SIG_DFL_PTR 0UL
#define SIG_IGN_PTR 1UL

static __always_inline __s32 info_code(struct kernel_siginfo *info)
{
	int code = 0;

	/* SEND_SIG_NOINFO (0) is from a user, SEND_SIG_PRIV (1) from the kernel. */
	if ((unsigned long)info <= SEND_SIG_PRIV_PTR)
		return info ? SI_KERNEL : SI_USER;
	bpf_core_read(&code, sizeof(code), &info->si_code);
	return code;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ipcs_signal_rec *r;
	__u32 rpid = task->tgid;
	__s32 code = info_code(info);
	/* Timers (itimer, POSIX, CPU-time) fire from interrupts in whatever task
	 * runs: current did not send them. */
	bool by_kernel = code == SI_KERNEL || code == SI_TIMER;

	/* Sender or receiver traced; ipcscope's own (SIGCONT to start a
	 * workload, SIGCHLD when it ends) are plumbing, not the workload's. */
	if (rpid == targ_self_tgid || (!by_kernel && (pid_tgid >> 32) == targ_self_tgid) ||
	    ((by_kernel || !task_traced(cur, pid_tgid >> 32)) && !task_traced(task, rpid)))
		return 0;
	r = emit_reserve(sizeof(*r), IPCS_REC_SIGNAL);
	if (!r)
		return 0;
	r->pid = by_kernel ? 0 : pid_tgid >> 32;	/* 0: the kernel */
	r->tid = by_kernel ? 0 : (__u32)pid_tgid;
	r->rpid = rpid;
	r->rtid = task->pid;
	r->sig = sig;
	r->result = result;
	r->si_code = code;
	r->op = IPCS_SIG_GENERATE;
	r->group = group ? 1 : 0;
	if (by_kernel)
		__builtin_memcpy(r->comm, "kernel", sizeof("kernel"));
	else
		bpf_get_current_comm(r->comm, sizeof(r->comm));
	if (bpf_probe_read_kernel_str(r->rcomm, sizeof(r->rcomm), task->comm) < 0)
		drop_count(IPCS_DROP_READ);
	emit_submit(r);
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info,
	     struct k_sigaction *ka)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ipcs_signal_rec *r;
	unsigned long handler = 0;
	int si_pid = 0;

	if (!task_traced(cur, pid_tgid >> 32))
		return 0;
	r = emit_reserve(sizeof(*r), IPCS_REC_SIGNAL);
	if (!r)
		return 0;
	bpf_core_read(&handler, sizeof(handler), &ka->sa.sa_handler);
	r->si_code = info_code(info);
	/* _kill._pid, _rt._pid and _sigchld._pid share the same offset. */
	if ((unsigned long)info > SEND_SIG_PRIV_PTR)
		bpf_core_read(&si_pid, sizeof(si_pid), &info->_sifields._kill._pid);
	r->pid = si_pid > 0 ? si_pid : 0;
	r->rpid = pid_tgid >> 32;
	r->rtid = (__u32)pid_tgid;
	r->sig = sig;
	r->op = IPCS_SIG_DELIVER;
	r->disp = handler == SIG_DFL_PTR ? IPCS_SIGD_DEFAULT :
		  handler == SIG_IGN_PTR ? IPCS_SIGD_IGNORE : IPCS_SIGD_HANDLER;
	bpf_get_current_comm(r->rcomm, sizeof(r->rcomm));
	emit_submit(r);
	return 0;
}
