/*
 * locks.h - libc locks as the uprobes saw them (IPCS_REC_LOCK, --locks):
 * who holds each lock at every moment and who waits for it (the deadlock
 * scan's edges for semaphores, rwlocks and mutexes whose word names no
 * owner), and the lock-order graph: lock A held while B is taken is an edge
 * A -> B; an edge that closes a cycle is a lock-order inversion, a potential
 * deadlock, reported once per pair of locks with the stacks of both orders.
 * Locks are named by their futex key (a shared one is one lock in every
 * process). Fed with decoded records; knows no BPF.
 */
#ifndef IPCS_DL_LOCKS_H
#define IPCS_DL_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ipcscope_abi.h"
#include "util/hashmap.h"

#define DL_LOCKS_MAX 65536	/* locks remembered; past it, everything is forgotten */
#define DL_LOCKS_HELD 16	/* locks one thread holds at once that are followed */
#define DL_LOCKS_DFS 4096	/* locks a cycle search visits at most */

#define DL_EVID_LOCK_HOLDER "lock holder seen by the uprobes"

enum dl_lock_mode { DL_LM_EXCL = 0, DL_LM_READ = 1 };

struct dl_lock_key {
	uint64_t ino, off;	/* shared: (dev, ino, off); private: off = address */
	uint32_t dev;
	uint32_t pid;		/* private: the process; shared: 0 */
};

struct dl_lock {
	struct dl_lock_key key;
	uint32_t id;		/* index in dl_locks.byid */
	uint8_t kind;		/* enum ipcs_lock_kind */
	bool counting;		/* a semaphore used as a counter: no owner, no order */
	pid_t upid;		/* a process it was seen in, and its address there */
	uint64_t uaddr;
	uint64_t attempts, acquired, failed, released;	/* its records, by phase */
	struct dl_order **out;	/* order edges from it */
	size_t nout, capout;
};

/* Where a lock was taken: by whom, how, the user stack (innermost first). */
struct dl_taken {
	pid_t pid, tid;
	char comm[IPCS_COMM_LEN];
	uint8_t mode;		/* enum dl_lock_mode */
	uint8_t fn;		/* enum ipcs_lock_fn */
	uint8_t nstack;
	uint64_t ts_ns;
	uint64_t stack[IPCS_LOCK_STACK];
};

struct dl_held {
	struct dl_lock *l;
	uint32_t count;		/* recursive mutexes, read locks taken twice */
	struct dl_taken at;
};

struct dl_lthread {
	pid_t pid, tid;
	char comm[IPCS_COMM_LEN];
	struct dl_lock *pending;	/* a blocking call on it began and has not returned */
	uint8_t pending_fn;
	uint64_t pending_ns;
	size_t nheld;
	struct dl_held held[DL_LOCKS_HELD];
};

/* from was held (taken at .held) when to was taken (at .taken). */
struct dl_order {
	struct dl_lock *from, *to;
	struct dl_taken held, taken;
};

/* A lock as an inversion names it (a copy: the tables may be cleared since). */
struct dl_lockref {
	struct dl_lock_key key;
	uint8_t kind;
	pid_t upid;		/* a process it was seen in, and its address there */
	uint64_t uaddr;
};

/* The order a -> b seen (second) while b -> ... -> a was seen before (first:
 * b held while via was taken; via is a when the cycle has n == 2 locks). */
struct dl_inversion {
	struct dl_lockref a, b, via;
	struct dl_taken first_held, first_taken;
	struct dl_taken second_held, second_taken;
	size_t n;
};

typedef void (*dl_inversion_cb)(const struct dl_inversion *inv, void *ctx);

struct dl_locks {
	struct hashmap locks;	/* dl_lock_key -> struct dl_lock */
	struct hashmap threads;	/* tid -> struct dl_lthread */
	struct hashmap orders;	/* (from id, to id) -> struct dl_order */
	struct hashmap pairs;	/* (low id, high id) inverted pairs reported */
	struct dl_lock **byid;
	size_t nlocks, capid;
	struct dl_inversion *inv;	/* every inversion reported (copies) */
	size_t ninv, capinv;
	uint64_t forgotten;	/* times the tables were cleared (full) */
	uint64_t records;	/* lock records taken */
	dl_inversion_cb on_inversion;
	void *ctx;
};

int dl_locks_init(struct dl_locks *s, dl_inversion_cb cb, void *ctx);
void dl_locks_fini(struct dl_locks *s);

/* One decoded lock record. 0 or -ENOMEM. */
int dl_locks_add(struct dl_locks *s, const struct ipcs_lock_rec *r);
/* The process is gone: its threads' holds and waits go. */
void dl_locks_proc_exit(struct dl_locks *s, pid_t pid);

const struct dl_lthread *dl_locks_thread(const struct dl_locks *s, pid_t tid);

/* Who holds the lock tid waits for (a blocking lock call under way): a
 * holder other than tid, one that is itself blocked (blocked(tid, ctx))
 * first, so that a writer waiting for several readers is deadlocked when
 * any of them is. 0 when none; *evidence set otherwise. */
pid_t dl_locks_holder(const struct dl_locks *s, pid_t pid, pid_t tid, const char **evidence,
		      bool (*blocked)(pid_t tid, void *ctx), void *ctx);

const char *dl_lock_kind_name(uint8_t kind);

#endif
