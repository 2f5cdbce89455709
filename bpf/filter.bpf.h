/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* filter.bpf.h - is this process traced? Called first in every program. */
#ifndef IPCS_FILTER_BPF_H
#define IPCS_FILTER_BPF_H

#include "maps.bpf.h"

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < IPCS_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* The task's cgroup v2 is targ_cgroup_id or below it: its ancestor at that depth. */
static __always_inline bool task_in_cgroup(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp), *anc = NULL;
	__u32 lvl = targ_cgroup_level;

	if (!cg || (__u32)BPF_CORE_READ(cg, level) < lvl || lvl > 255)
		return false;
	if (bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[lvl]) || !anc)
		return false;
	return BPF_CORE_READ(anc, kn, id) == targ_cgroup_id;
}

/* task belongs to thread group tgid; task need not be current. */
static __always_inline bool task_traced(struct task_struct *task, __u32 tgid)
{
	char comm[IPCS_COMM_LEN];

	if (tgid == targ_self_tgid)
		return false;
	if (targ_filter_cgroup && !task_in_cgroup(task))
		return false;
	if (!targ_filter_pid && !targ_filter_comm)
		return true;
	if (targ_filter_pid && bpf_map_lookup_elem(&traced_tgids, &tgid))
		return true;
	if (targ_filter_comm) {
		if (bpf_probe_read_kernel(comm, sizeof(comm), &task->comm))
			return false;
		return comm_matches(comm);
	}
	return false;
}

/* In pid-filter mode a traced parent's new process is traced too. */
static __always_inline bool tgid_in_traced_map(__u32 tgid)
{
	return targ_filter_pid && bpf_map_lookup_elem(&traced_tgids, &tgid);
}

#endif
