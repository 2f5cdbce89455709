/*
 * model_futex.h - futex conversations: who woke whom, on which futex.
 * A futex is named by its kernel key: shared (dev, inode, byte offset), so
 * two processes mapping one page meet on one key whatever their addresses,
 * or private (pid, uaddr).
 */
#ifndef IPCS_MODEL_FUTEX_H
#define IPCS_MODEL_FUTEX_H

#include <stdbool.h>
#include "model/model.h"

/* What one side's wakes did to the other side's waits. */
struct model_futex_dir {
	__u64 wakes;	/* wake calls that woke at least one of the other side's waits */
	__u64 waits;	/* the other side's waits (returned 0: woken) these wakes ended */
	__u64 wait_ns;	/* time the other side spent blocked in those waits */
};

/*
 * One futex and the pair of processes that woke each other on it (a is the
 * first waker seen). Two threads of one process: a == b, all in a_to_b.
 */
struct model_futex_conv {
	char channel[MODEL_NAME_MAX];	/* "futex:[INO]+OFF" or "futex:PID@0xADDR" */
	bool shared;
	__u32 key_pid;			/* private: the process; shared: 0 */
	__u32 key_dev;
	__u64 key_ino;			/* shared: inode; private: 0 */
	__u64 key_off;			/* shared: byte offset; private: uaddr */
	struct model_proc_ref a, b;	/* pid 0: not observed */
	struct model_futex_dir a_to_b, b_to_a;
	__u64 first_ns, last_ns;
	__u32 owner_tid;		/* PI futex: the owner TID (lock word) the last paired
					   LOCK_PI waited for; 0 when none */
	char segment[IPCS_PATH_MAX];	/* shared: the shm segment's name ("/dev/shm/X",
					   "memfd:X"; raw, unescaped), "" when not known */
};

/* One wake and the wait it ended, both seen (for flow arrows). */
struct model_futex_pair {
	struct model_proc_ref waker, waiter;
	__u32 waker_tid, waiter_tid;
	__u64 wake_ts, wake_ns;		/* the wake call's exit time and blocked ns */
	__u64 wait_ts, wait_ns;		/* the wait's exit time and the time it blocked */
};

typedef int (*model_futex_pair_cb)(const struct model_futex_pair *p, void *ctx);

/* cb is called for each pair as model_apply finds it (NULL: none); its error is
 * model_apply's. */
void model_set_futex_pair_cb(struct model *m, model_futex_pair_cb cb, void *ctx);

typedef int (*model_futex_conv_cb)(const struct model_futex_conv *c, void *ctx);

/* Iterate futex conversations; a non-zero return from cb stops and is returned. */
int model_foreach_futex_conv(const struct model *m, model_futex_conv_cb cb, void *ctx);
size_t model_futex_conv_count(const struct model *m);

#endif
