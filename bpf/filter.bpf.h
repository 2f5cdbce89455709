/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* filter.bpf.h - is this process traced (-p, -c, --cgroup: a union)? Called first in every program. */
#ifndef IPCS_FILTER_BPF_H
#define IPCS_FILTER_BPF_H

#include "maps.bpf.h"

/* The targets: -p (traced_tgids, with descendants), -c and --cgroup, each repeatable; a task
 * matching any of them is traced (a union). Set by user space between open and load. */
#define IPCS_TARGET_COMMS 8
#define IPCS_TARGET_CGROUPS 8
const volatile __u32 targ_ncomms __weak = 0;
const volatile char targ_comms[IPCS_TARGET_COMMS][IPCS_COMM_LEN] __weak = {};
/* --cgroup: a task in this cgroup v2 (by kernfs id, at this depth) or below it. */
const volatile __u32 targ_ncgroups __weak = 0;
const volatile __u64 targ_cgroup_ids[IPCS_TARGET_CGROUPS] __weak = {};
const volatile __u32 targ_cgroup_levels[IPCS_TARGET_CGROUPS] __weak = {};

static __always_inline bool comm_is(const char *comm, __u32 k)
{
	for (int i = 0; i < IPCS_COMM_LEN; i++) {
		if (comm[i] != targ_comms[k][i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool comm_matches(const char *comm)
{
#pragma clang loop unroll(disable)
	for (__u32 k = 0; k < IPCS_TARGET_COMMS; k++) {
		if (k >= targ_ncomms)
			break;
		if (comm_is(comm, k))
			return true;
	}
	return false;
}

/* The task's cgroup v2 is one of the targets or below it: its ancestor at that one's depth. */
static __always_inline bool task_in_cgroups(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp), *anc;
	__u32 level, lvl;

	if (!cg)
		return false;
	level = (__u32)BPF_CORE_READ(cg, level);
#pragma clang loop unroll(disable)
	for (__u32 k = 0; k < IPCS_TARGET_CGROUPS; k++) {
		if (k >= targ_ncgroups)
			break;
		lvl = targ_cgroup_levels[k];
		if (level < lvl || lvl > 255)
			continue;
		anc = NULL;
		if (bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[lvl]) || !anc)
			continue;
		if (BPF_CORE_READ(anc, kn, id) == targ_cgroup_ids[k])
			return true;
	}
	return false;
}

/*
 * -p: tgid is in traced_tgids. Asked of the task's mark first (maps.bpf.h
 * traced_mark): a task-storage read instead of a hash lookup on every call;
 * the map is read only when the mark is missing or older than traced_gen.
 * No mark to be had (the storage busy in a nested program, or out of
 * memory): the map, as before.
 */
static __always_inline bool tgid_traced(struct task_struct *task, __u32 tgid)
{
	__u64 gen = (__u64)READ_ONCE(traced_gen) + 1;	/* a new mark is 0: never valid */
	__u64 *m = bpf_task_storage_get(&traced_mark, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	bool in;

	if (m) {
		__u64 v = READ_ONCE(*m);

		if (v >> 1 == gen)
			return v & 1;
	}
	in = bpf_map_lookup_elem(&traced_tgids, &tgid) != NULL;
	if (m)
		WRITE_ONCE(*m, gen << 1 | in);	/* one store: a reader on another CPU sees both or neither */
	return in;
}

/* task belongs to thread group tgid; task need not be current. */
static __always_inline bool task_traced(struct task_struct *task, __u32 tgid)
{
	char comm[IPCS_COMM_LEN];

	if (tgid == targ_self_tgid)
		return false;
	if (!targ_filter_pid && !targ_ncomms && !targ_ncgroups)
		return true;	/* no targets: the whole host */
	if (targ_filter_pid && tgid_traced(task, tgid))
		return true;
	if (targ_ncgroups && task_in_cgroups(task))
		return true;
	if (targ_ncomms) {
		/* The process's name: its leader's (threads may name themselves otherwise). */
		struct task_struct *leader = BPF_CORE_READ(task, group_leader);

		if (!leader || bpf_probe_read_kernel(comm, sizeof(comm), &leader->comm))
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
