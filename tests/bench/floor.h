/* floor.h - what the floor tracer's BPF side and user side share. */
#ifndef FLOOR_H
#define FLOOR_H

enum floor_mode {
	FLOOR_RETURN = 0,	/* attached, returns at once */
	FLOOR_RINGBUF = 1,	/* one record per syscall, every record wakes the reader */
	FLOOR_BATCHED = 2,	/* one record per syscall, BPF_RB_NO_WAKEUP + backlog wake */
	/* batched, plus what pairing enter with exit costs (as ipcscope does to
	 * time blocking calls): the enter time kept per thread ... */
	FLOOR_PAIR_HASH = 3,	/* ... in a hash map keyed by tid (update + lookup + delete) */
	FLOOR_PAIR_TASK = 4,	/* ... in task-local storage */
};

/* 64 bytes, like a small fixed-size tracer record. */
struct floor_rec {
	__u64 ts_ns;
	__u32 pid;
	__u32 tid;
	__s64 nr;
	__s64 ret;
	__u32 cpu;
	__u32 _pad;
	char comm[16];
	__u64 blocked_ns;	/* pair modes: exit - enter */
};

#endif
