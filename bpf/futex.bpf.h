/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * futex.bpf.h - futex(2), futex_wake(2), futex_wait(2) into struct
 * ipcs_futex_rec. futex is hot (glibc locks), so enter keeps only what
 * `inflight` already has room for:
 *   uptr = uaddr, arg = op | (u64)val << 32, fd = word, fd2 = owner hint,
 *   flags = IPCS_FKEY_WORD when both reads succeeded.
 * The key is resolved at exit with bpf_find_vma (the mapping is still there).
 */
#ifndef IPCS_FUTEX_BPF_H
#define IPCS_FUTEX_BPF_H

#include "maps.bpf.h"
#include "sysnr.bpf.h"
#include "emit.bpf.h"

#define FUTEX2_PRIVATE 128	/* futex_wake/futex_wait flags */
#define IPCS_PAGE_SHIFT 12
#define IPCS_FKEY_SEQ_BIT (1ull << 63)	/* key_ino is an inode sequence number */
#define VM_SHARED_FLAG 0x8	/* include/linux/mm.h VM_SHARED */

static __always_inline bool futex_sys(__u16 sys)
{
	return sys == IPCS_SYS_FUTEX || sys == IPCS_SYS_FUTEX_WAKE ||
	       sys == IPCS_SYS_FUTEX_WAIT || sys == IPCS_SYS_FUTEX_WAITV;
}

/* Calls whose lock word tells something: waits, and PI ops (owner TID, waiters bit). */
static __always_inline bool futex_cmd_reads_word(__u32 cmd)
{
	return cmd == IPCS_FUTEX_WAIT || cmd == IPCS_FUTEX_WAIT_BITSET ||
	       cmd == IPCS_FUTEX_LOCK_PI || cmd == IPCS_FUTEX_LOCK_PI2 ||
	       cmd == IPCS_FUTEX_TRYLOCK_PI || cmd == IPCS_FUTEX_WAIT_REQUEUE_PI ||
	       cmd == IPCS_FUTEX_UNLOCK_PI;
}

/* Ops with a second futex at uaddr2 (the fifth argument). */
static __always_inline bool futex_cmd_has_uaddr2(__u32 cmd)
{
	return cmd == IPCS_FUTEX_REQUEUE || cmd == IPCS_FUTEX_CMP_REQUEUE ||
	       cmd == IPCS_FUTEX_CMP_REQUEUE_PI || cmd == IPCS_FUTEX_WAKE_OP;
}

/* Arguments; the lock word and owner hint for calls that may wait. */
static __always_inline bool futex_enter(struct pt_regs *regs, struct inflight *in)
{
	__u32 op, val, flags, words[3];

	in->uptr = SYS_ARG0(regs);
	if (in->sys == IPCS_SYS_FUTEX_WAITV) {	/* (waiters, nr, flags, timeout, clock) */
		in->arg = IPCS_FUTEX_WAIT_BITSET | (__u64)SYS_ARG1(regs) << 32;
		return true;
	}
	if (in->sys == IPCS_SYS_FUTEX) {
		op = SYS_ARG1(regs);
		val = SYS_ARG2(regs);
	} else {	/* futex_wake(uaddr, mask, nr, flags), futex_wait(uaddr, val, mask, flags, ...) */
		flags = SYS_ARG3(regs);
		op = in->sys == IPCS_SYS_FUTEX_WAKE ? IPCS_FUTEX_WAKE_BITSET : IPCS_FUTEX_WAIT_BITSET;
		if (flags & FUTEX2_PRIVATE)
			op |= IPCS_FUTEX_PRIVATE_FLAG;
		val = in->sys == IPCS_SYS_FUTEX_WAKE ? SYS_ARG2(regs) : SYS_ARG1(regs);
	}
	in->arg = op | (__u64)val << 32;
	if (futex_cmd_reads_word(op & IPCS_FUTEX_CMD_MASK) &&
	    !bpf_probe_read_user(words, sizeof(words), (void *)in->uptr)) {
		in->fd = words[0];
		in->fd2 = words[2];	/* glibc pthread_mutex_t: __lock, __count, __owner */
		in->flags = IPCS_FKEY_WORD;
	}
	return true;
}

struct futex_vma_ctx {
	__u64 uaddr;
	__u64 ino;
	__u64 off;
	__u32 dev;
	__u32 found;
};

static long futex_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct futex_vma_ctx *c = data;
	struct file *file = BPF_CORE_READ(vma, vm_file);
	struct inode *inode;

	/* Private memory (anonymous, or copy-on-write file pages): the kernel keys it by mm. */
	if (!file || !(BPF_CORE_READ(vma, vm_flags) & VM_SHARED_FLAG))
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (!inode)
		return 0;
	c->ino = BPF_CORE_READ(inode, i_ino);
	/* SysV shm inodes have no number; the kernel's futex key uses i_sequence. */
	if (!c->ino)
		c->ino = IPCS_FKEY_SEQ_BIT | BPF_CORE_READ(inode, i_sequence.counter);
	c->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	c->off = (c->uaddr - BPF_CORE_READ(vma, vm_start)) +
		 (BPF_CORE_READ(vma, vm_pgoff) << IPCS_PAGE_SHIFT);
	c->found = 1;
	return 0;
}

/* The kernel's key of the futex at uaddr; returns IPCS_FKEY_SHARED or 0 (private: off = uaddr). */
static __always_inline __u16 futex_key_of(__u64 uaddr, bool private, __u64 *ino, __u32 *dev,
					  __u64 *off)
{
	struct futex_vma_ctx c = { .uaddr = uaddr };

	*off = uaddr;
	if (private)
		return 0;
	/* No vma (the call failed with EFAULT), mmap lock busy, or private memory: keyed by process. */
	if (!targ_find_vma ||
	    bpf_find_vma(bpf_get_current_task_btf(), uaddr, futex_vma_cb, &c, 0) || !c.found)
		return 0;
	*ino = c.ino;
	*dev = c.dev;
	*off = c.off;
	return IPCS_FKEY_SHARED;
}

static __always_inline void futex_key(struct ipcs_futex_rec *r, bool private)
{
	r->key_flags |= futex_key_of(r->uaddr, private, &r->key_ino, &r->key_dev, &r->key_off);
}

/* struct futex_waitv of linux/futex.h */
struct ipcs_futex_waitv {
	__u64 val;
	__u64 uaddr;
	__u32 flags;
	__u32 reserved;
};

#define FUTEX_WAITV_MAX 128

/* futex_waitv woke on waiters[ret]: report that futex as the one waited on. */
static __always_inline bool futex_waitv_fill(struct inflight *in, long ret)
{
	struct ipcs_futex_waitv w;

	if (ret < 0 || ret >= FUTEX_WAITV_MAX)
		return ret < 0;	/* failed: recorded with no futex */
	if (bpf_probe_read_user(&w, sizeof(w), (void *)(in->uptr + ret * sizeof(w)))) {
		drop_count(IPCS_DROP_READ);
		return false;
	}
	in->uptr = w.uaddr;
	in->arg = IPCS_FUTEX_WAIT_BITSET | (w.flags & FUTEX2_PRIVATE ? IPCS_FUTEX_PRIVATE_FLAG : 0);
	return true;
}

static __always_inline void futex_emit(struct pt_regs *regs, struct inflight *in, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ipcs_futex_rec *r;

	if (in->sys == IPCS_SYS_FUTEX_WAITV && !futex_waitv_fill(in, ret))
		return;
	r = emit_reserve(sizeof(*r), IPCS_REC_FUTEX);
	if (!r)
		return;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->sys = in->sys;
	r->key_flags = in->flags & IPCS_FKEY_WORD;
	r->op = (__u32)in->arg;
	r->val = in->arg >> 32;
	r->ret = ret;
	r->blocked_ns = r->h.ts_ns - in->ts;
	r->uaddr = in->uptr;
	r->word = in->fd;
	r->owner_hint = in->fd2;
	futex_key(r, r->op & IPCS_FUTEX_PRIVATE_FLAG);
	/* UNLOCK_PI: whom the kernel handed the lock to is in the word now. */
	if (in->sys == IPCS_SYS_FUTEX && (r->op & IPCS_FUTEX_CMD_MASK) == IPCS_FUTEX_UNLOCK_PI &&
	    bpf_probe_read_user(&r->owner_hint, sizeof(r->owner_hint), (void *)r->uaddr))
		r->owner_hint = 0;
	/* Syscall arguments are still in the saved user registers at exit. */
	if (in->sys == IPCS_SYS_FUTEX && futex_cmd_has_uaddr2(r->op & IPCS_FUTEX_CMD_MASK)) {
		r->uaddr2 = SYS_ARG4(regs);
		r->key2_flags = futex_key_of(r->uaddr2, r->op & IPCS_FUTEX_PRIVATE_FLAG,
					     &r->key2_ino, &r->key2_dev, &r->key2_off);
	}
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	emit_submit(r);
}

#endif
