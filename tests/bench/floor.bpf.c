// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c - the benchmark's floor: the least a syscall tracer can do.
 * One tp_btf/sys_exit program; per mode it returns at once, or writes one
 * 64-byte record per syscall of a traced process, waking the reader on
 * every record or in batches; the pair modes add a tp_btf/sys_enter program
 * that keeps the enter time per thread (hash map or task storage), the way
 * ipcscope times blocking calls. Not part of ipcscope: its cost is what
 * ipcscope's is compared with.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "floor.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_mode = FLOOR_RETURN;
const volatile __u64 targ_wake_bytes = 1 << 20;	/* batched: wake at this backlog */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} enter_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} enter_ts_task SEC(".maps");

/* Loaded only in the pair modes. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), ts, *slot;
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;

	if (!bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	ts = bpf_ktime_get_ns();
	if (targ_mode == FLOOR_PAIR_HASH) {
		bpf_map_update_elem(&enter_ts, &tid, &ts, BPF_ANY);
	} else {
		slot = bpf_task_storage_get(&enter_ts_task, bpf_get_current_task_btf(), 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (slot)
			*slot = ts;
	}
	return 0;
}

/* The enter time of this thread's syscall, consumed; 0 when none. */
static __always_inline __u64 take_enter_ts(__u32 tid)
{
	__u64 *p, ts = 0;

	if (targ_mode == FLOOR_PAIR_HASH) {
		p = bpf_map_lookup_elem(&enter_ts, &tid);
		if (p) {
			ts = *p;
			bpf_map_delete_elem(&enter_ts, &tid);
		}
	} else if (targ_mode == FLOOR_PAIR_TASK) {
		p = bpf_task_storage_get(&enter_ts_task, bpf_get_current_task_btf(), 0, 0);
		if (p) {
			ts = *p;
			*p = 0;
		}
	}
	return ts;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid, flags = 0;
	struct floor_rec *r;
	__u32 tgid, zero = 0;
	__u64 *d, t0;

	if (targ_mode == FLOOR_RETURN)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return 0;
	t0 = take_enter_ts((__u32)pid_tgid);
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		d = bpf_map_lookup_elem(&drops, &zero);
		if (d)
			(*d)++;
		return 0;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->pid = tgid;
	r->tid = (__u32)pid_tgid;
	r->nr = regs->orig_ax;
	r->ret = ret;
	r->cpu = bpf_get_smp_processor_id();
	r->blocked_ns = t0 ? r->ts_ns - t0 : 0;
	r->_pad = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	if (targ_mode != FLOOR_RINGBUF)
		flags = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= targ_wake_bytes ?
			BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(r, flags);
	return 0;
}

/* Children of traced processes are traced (the workloads fork). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&traced, &ptgid))
		bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY);
	return 0;
}
