/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * shm.bpf.h - shared memory: shmget, shmat, shmdt, shmctl(IPC_RMID), and
 * mmap / munmap of shared shmem mappings, into struct ipcs_shm_rec.
 * `inflight` holds: uptr = address, arg = length, fd = fd / shmid,
 * fd2 = mmap flags / IPC key (low 32 bits), chan = the segment (unmaps).
 * The segment is found with bpf_find_vma: the vma's file is a shmem inode.
 */
#ifndef IPCS_SHM_BPF_H
#define IPCS_SHM_BPF_H

#include "maps.bpf.h"
#include "sysnr.bpf.h"
#include "emit.bpf.h"

#define TMPFS_MAGIC_SHM 0x01021994	/* shmem: /dev/shm, memfd, SysV shm, shared anonymous */
#define MAP_TYPE_MASK 0x0f
#define MAP_SHARED_ 0x01
#define MAP_SHARED_VALIDATE_ 0x03
#define IPC_RMID_ 0
#define VM_SHARED_BIT 0x8

static __always_inline bool shm_sys(__u16 sys)
{
	return sys >= IPCS_SYS_SHMGET && sys <= IPCS_SYS_MUNMAP;
}

struct shm_vma_ctx {
	__u64 ino;
	__u64 size;
	__u64 pgoff;
	__u64 start;
	__u32 dev;
	__u32 found;
};

static long shm_vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct shm_vma_ctx *c = data;
	struct file *file = BPF_CORE_READ(vma, vm_file);
	struct inode *inode;

	if (!file || !(BPF_CORE_READ(vma, vm_flags) & VM_SHARED_BIT))
		return 0;
	inode = BPF_CORE_READ(file, f_inode);
	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != TMPFS_MAGIC_SHM)
		return 0;
	c->ino = BPF_CORE_READ(inode, i_ino);
	c->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	c->start = BPF_CORE_READ(vma, vm_start);
	c->size = BPF_CORE_READ(vma, vm_end) - c->start;
	c->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	c->found = 1;
	return 0;
}

/* The shared shmem mapping at addr, if any. */
static __always_inline bool shm_vma_at(__u64 addr, struct shm_vma_ctx *c)
{
	return targ_find_vma &&
	       !bpf_find_vma(bpf_get_current_task_btf(), addr, shm_vma_cb, c, 0) && c->found;
}

static __always_inline bool shm_enter(struct pt_regs *regs, struct inflight *in)
{
	struct shm_vma_ctx c = {};

	switch (in->sys) {
	case IPCS_SYS_SHMGET:	/* (key, size, flags) */
		in->fd2 = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs);
		return true;
	case IPCS_SYS_SHMAT:	/* (shmid, addr, flags) */
		in->fd = SYS_ARG0(regs);
		return true;
	case IPCS_SYS_SHMCTL:	/* (shmid, cmd, buf) */
		in->fd = SYS_ARG0(regs);
		return (SYS_ARG1(regs) & 0xff) == IPC_RMID_;
	case IPCS_SYS_MMAP:	/* (addr, len, prot, flags, fd, off): shared mappings only */
		in->fd2 = SYS_ARG3(regs);
		in->fd = SYS_ARG4(regs);
		in->arg = SYS_ARG1(regs);
		return (in->fd2 & MAP_TYPE_MASK) == MAP_SHARED_ ||
		       (in->fd2 & MAP_TYPE_MASK) == MAP_SHARED_VALIDATE_;
	case IPCS_SYS_SHMDT:	/* (addr) */
	case IPCS_SYS_MUNMAP:	/* (addr, len) */
		in->uptr = SYS_ARG0(regs);
		in->arg = SYS_ARG1(regs);	/* read before: the verifier rejects a merged load */
		if (!shm_vma_at(in->uptr, &c))
			return false;
		if (in->sys == IPCS_SYS_SHMDT)
			in->arg = c.size;
		in->chan.ino = c.ino;
		in->chan.dev = c.dev;
		in->chan.kind = IPCS_KIND_SHM;
		return true;
	}
	return false;
}

static __always_inline void shm_emit(const struct inflight *in, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct shm_vma_ctx c = {};
	struct ipcs_shm_rec *r;
	bool maps = in->sys == IPCS_SYS_SHMAT || in->sys == IPCS_SYS_MMAP;

	/* A new mapping: its segment is known once it exists. */
	if (maps && (ret < 0 || !shm_vma_at(ret, &c)))
		return;
	r = emit_reserve(sizeof(*r), IPCS_REC_SHM);
	if (!r)
		return;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->sys = in->sys;
	r->id = in->sys == IPCS_SYS_SHMGET ? ret : in->fd;
	r->ret = ret;
	r->addr = maps ? (__u64)ret : in->uptr;
	r->len = in->arg;
	if (maps) {
		r->len = c.size;
		r->pgoff = c.pgoff;
		r->ino = c.ino;
		r->dev = c.dev;
	} else {
		r->ino = in->chan.ino;
		r->dev = in->chan.dev;
	}
	if (in->sys == IPCS_SYS_SHMGET)
		r->key = (__u32)in->fd2;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	emit_submit(r);
}

#endif
