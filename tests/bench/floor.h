/* floor.h - what the floor tracer's BPF side and user side share. */
#ifndef FLOOR_H
#define FLOOR_H

enum floor_mode {
	FLOOR_RETURN = 0,	/* attached, returns at once */
	FLOOR_RINGBUF = 1,	/* one record per syscall, every record wakes the reader */
	FLOOR_BATCHED = 2,	/* one record per syscall, BPF_RB_NO_WAKEUP + backlog wake */
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
	__u64 _spare;
};

#endif
