// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * floor.bpf.c - the benchmark's floor: the least a syscall tracer can do.
 * One tp_btf/sys_exit program; per mode it returns at once, or writes one
 * 64-byte record per syscall of a traced process, waking the reader on
 * every record or in batches. Not part of ipcscope: its cost is what
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

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid, flags = 0;
	struct floor_rec *r;
	__u32 tgid, zero = 0;
	__u64 *d;

	if (targ_mode == FLOOR_RETURN)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return 0;
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
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	if (targ_mode == FLOOR_BATCHED)
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
