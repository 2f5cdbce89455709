// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proc.bpf.c - process life: fork (and following children), exec, exit,
 * and moves between cgroups v2. Only processes, not threads: channels
 * belong to fd tables, which a thread group shares.
 */
#include "maps.bpf.h"
#include "filter.bpf.h"
#include "emit.bpf.h"
#include "core_fixes.bpf.h"

/* The task's cgroup v2 (kernfs id, the directory's inode number). */
static __always_inline __u64 task_cgroup_id(struct task_struct *p)
{
	return BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
}

static __always_inline void emit_proc(struct task_struct *p, __u16 op,
				      __u32 ppid, __s32 exit_code)
{
	struct ipcs_proc_rec *r = emit_reserve(sizeof(*r), IPCS_REC_PROC);

	if (!r)
		return;
	r->pid = BPF_CORE_READ(p, tgid);
	r->tid = BPF_CORE_READ(p, pid);
	r->ppid = ppid;
	r->op = op;
	r->exit_code = exit_code;
	/* The process's start: the leader's. The last thread out of a process
	 * (who fires exit) started later; exec gives the leader's start to its caller. */
	r->start_ns = BPF_CORE_READ(p, group_leader, start_boottime);
	if (bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), &p->comm) < 0)
		drop_count(IPCS_DROP_READ);
	r->cgroup_id = task_cgroup_id(p);
	emit_submit(r);
}

static __always_inline __u32 parent_tgid(struct task_struct *p)
{
	return BPF_CORE_READ(p, real_parent, tgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (BPF_CORE_READ(child, pid) != ctgid)	/* a new thread */
		return 0;
	if (!task_traced(parent, ptgid))
		return 0;
	/* The child runs only after this returns: none of its calls is missed. */
	if (targ_follow_children && tgid_in_traced_map(ptgid) &&
	    bpf_map_update_elem(&traced_tgids, &ctgid, &one, BPF_ANY))
		drop_count(IPCS_DROP_TRACED);
	emit_proc(child, IPCS_PROC_FORK, ptgid, 0);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	if (task_traced(p, BPF_CORE_READ(p, tgid)))
		emit_proc(p, IPCS_PROC_EXEC, parent_tgid(p), 0);
	return 0;
}

static __always_inline void proc_exit(struct task_struct *p, bool group_dead)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);

	/* Normally sys_exit has cleared it; a dying thread blocks nothing. */
	bpf_task_storage_delete(&inflight, p);
	if (!group_dead)
		return;
	if (task_traced(p, tgid))
		emit_proc(p, IPCS_PROC_EXIT, parent_tgid(p), BPF_CORE_READ(p, exit_code));
	if (targ_filter_pid)
		bpf_map_delete_elem(&traced_tgids, &tgid);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p, bool group_dead)
{
	proc_exit(p, group_dead);
	return 0;
}

/* Kernels whose sched_process_exit has no group_dead (see core_fixes.bpf.h). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit_legacy, struct task_struct *p)
{
	proc_exit(p, task_group_dead_legacy(p));
	return 0;
}

/*
 * A task was moved to another cgroup (fired once per move, after it, in the
 * writer's context; task is the moved one). Moves on cgroup v1 hierarchies
 * fire too: only the default (v2) hierarchy's, where the task now is, count.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cgroup_attach_task, struct cgroup *dst, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	struct ipcs_cgroup_rec *r;
	__u32 tgid = BPF_CORE_READ(task, tgid);

	if (BPF_CORE_READ(task, cgroups, dfl_cgrp) != dst || !task_traced(task, tgid))
		return 0;
	r = emit_reserve(sizeof(*r), IPCS_REC_CGROUP);
	if (!r)
		return 0;
	r->pid = tgid;
	r->tid = BPF_CORE_READ(task, pid);
	r->cgroup_id = task_cgroup_id(task);
	r->threadgroup = threadgroup;
	if (bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), &task->comm) < 0)
		drop_count(IPCS_DROP_READ);
	emit_submit(r);
	return 0;
}
