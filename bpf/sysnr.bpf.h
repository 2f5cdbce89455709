/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sysnr.bpf.h - native syscall numbers -> enum ipcs_sys, and where a
 * syscall's arguments and number sit in struct pt_regs.
 */
#ifndef IPCS_SYSNR_BPF_H
#define IPCS_SYSNR_BPF_H

#include "maps.bpf.h"

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define NR_read		0
#define NR_write	1
#define NR_open		2
#define NR_close	3
#define NR_readv	19
#define NR_writev	20
#define NR_pipe		22
#define NR_dup		32
#define NR_dup2		33
#define NR_mknod	133
#define NR_openat	257
#define NR_mknodat	259
#define NR_dup3		292
#define NR_fcntl	72
#define NR_close_range	436
#define NR_pipe2	293
#define NR_sendto	44
#define NR_socket	41
#define NR_connect	42
#define NR_accept	43
#define NR_shutdown	48
#define NR_bind		49
#define NR_listen	50
#define NR_socketpair	53
#define NR_accept4	288
#define NR_recvfrom	45
#define NR_sendmsg	46
#define NR_recvmsg	47
#define NR_eventfd	284
#define NR_sendfile	40
#define NR_splice	275
#define NR_tee		276
#define NR_vmsplice	278
#define NR_mq_open	240
#define NR_mq_unlink	241
#define NR_mq_timedsend	242
#define NR_mq_timedreceive 243
#define NR_mq_notify	244
#define NR_eventfd2	290
#define NR_futex	202
#define NR_shmget	29
#define NR_shmat	30
#define NR_shmctl	31
#define NR_shmdt	67
#define NR_mmap		9
#define NR_munmap	11
#define NR_futex_wake	454
#define NR_futex_waitv	449
#define NR_futex_wait	455
#define NR_memfd_create	319

/* x86_64 syscall ABI: di, si, dx, r10, r8, r9. */
#define SYS_ARG0(regs) ((regs)->di)
#define SYS_ARG1(regs) ((regs)->si)
#define SYS_ARG2(regs) ((regs)->dx)
#define SYS_ARG3(regs) ((regs)->r10)
#define SYS_ARG4(regs) ((regs)->r8)
#define SYS_ARG5(regs) ((regs)->r9)
#define SYS_NR_AT_EXIT(regs) ((long)(regs)->orig_ax)

#define TS_COMPAT 0x0002	/* arch/x86/include/asm/thread_info.h */

/* A 32-bit (ia32) syscall uses other numbers: not followed (yet). */
static __always_inline bool task_in_compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}
#else
#error "ipcscope: syscall numbers for this architecture are missing (bpf/sysnr.bpf.h)"
#endif

static __always_inline __u16 sysnr_to_ipcs(long nr)
{
	switch (nr) {
	case NR_read:    return IPCS_SYS_READ;
	case NR_write:   return IPCS_SYS_WRITE;
	case NR_readv:   return IPCS_SYS_READV;
	case NR_writev:  return IPCS_SYS_WRITEV;
	case NR_close:   return IPCS_SYS_CLOSE;
	case NR_pipe:    return IPCS_SYS_PIPE;
	case NR_pipe2:   return IPCS_SYS_PIPE2;
	case NR_dup:     return IPCS_SYS_DUP;
	case NR_dup2:    return IPCS_SYS_DUP2;
	case NR_dup3:    return IPCS_SYS_DUP3;
	case NR_open:    return IPCS_SYS_OPEN;
	case NR_openat:  return IPCS_SYS_OPENAT;
	case NR_mknod:   return IPCS_SYS_MKNOD;
	case NR_mknodat: return IPCS_SYS_MKNODAT;
	case NR_fcntl:   return IPCS_SYS_FCNTL;
	case NR_close_range: return IPCS_SYS_CLOSE_RANGE;
	case NR_sendto:   return IPCS_SYS_SENDTO;
	case NR_recvfrom: return IPCS_SYS_RECVFROM;
	case NR_sendmsg:  return IPCS_SYS_SENDMSG;
	case NR_recvmsg:  return IPCS_SYS_RECVMSG;
	case NR_socket:   return IPCS_SYS_SOCKET;
	case NR_socketpair: return IPCS_SYS_SOCKETPAIR;
	case NR_connect:  return IPCS_SYS_CONNECT;
	case NR_accept:   return IPCS_SYS_ACCEPT;
	case NR_accept4:  return IPCS_SYS_ACCEPT4;
	case NR_bind:     return IPCS_SYS_BIND;
	case NR_listen:   return IPCS_SYS_LISTEN;
	case NR_shutdown: return IPCS_SYS_SHUTDOWN;
	case NR_eventfd:  return IPCS_SYS_EVENTFD;
	case NR_eventfd2: return IPCS_SYS_EVENTFD2;
	case NR_mq_open:  return IPCS_SYS_MQ_OPEN;
	case NR_mq_unlink: return IPCS_SYS_MQ_UNLINK;
	case NR_mq_timedsend: return IPCS_SYS_MQ_TIMEDSEND;
	case NR_mq_timedreceive: return IPCS_SYS_MQ_TIMEDRECEIVE;
	case NR_mq_notify: return IPCS_SYS_MQ_NOTIFY;
	case NR_splice:   return IPCS_SYS_SPLICE;
	case NR_tee:      return IPCS_SYS_TEE;
	case NR_vmsplice: return IPCS_SYS_VMSPLICE;
	case NR_sendfile: return IPCS_SYS_SENDFILE;
	case NR_futex:      return IPCS_SYS_FUTEX;
	case NR_futex_wake: return IPCS_SYS_FUTEX_WAKE;
	case NR_futex_wait: return IPCS_SYS_FUTEX_WAIT;
	case NR_futex_waitv: return IPCS_SYS_FUTEX_WAITV;
	case NR_shmget:  return IPCS_SYS_SHMGET;
	case NR_shmat:   return IPCS_SYS_SHMAT;
	case NR_shmdt:   return IPCS_SYS_SHMDT;
	case NR_shmctl:  return IPCS_SYS_SHMCTL;
	case NR_mmap:    return IPCS_SYS_MMAP;
	case NR_munmap:  return IPCS_SYS_MUNMAP;
	case NR_memfd_create: return IPCS_SYS_MEMFD_CREATE;
	default:         return IPCS_SYS_NONE;
	}
}

#endif
