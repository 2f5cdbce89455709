/*
 * diagnose.h - build the wait-for graph of some processes as they are now:
 * each thread's syscall from /proc, the channel behind its fd and who holds
 * the other end, the owner a futex word names. Processes that hold the
 * other end (or own the lock) are scanned too, so every chain ends in a
 * thread whose state is known.
 */
#ifndef IPCS_DL_DIAGNOSE_H
#define IPCS_DL_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "deadlock/waitgraph.h"

#define DL_MAX_PROCS 256

/* Extra knowledge from the probes (--watch): how long tid has been blocked
 * (-1 unknown), and who the probes saw on a futex whose lock word names no
 * owner (its last acquirer or waker; 0 if none, else *evidence says which). */
struct dl_hints {
	int64_t (*wait_ns)(pid_t tid, void *ctx);
	pid_t (*futex_holder)(pid_t pid, pid_t tid, uint64_t uaddr, const char **evidence, void *ctx);
	/* A thread asleep in io_uring_enter: the fd of the receive it waits on
	 * (the probes' io_uring wait), -1 when none is known. */
	int (*uring_fd)(pid_t tid, void *ctx);
	void *ctx;
};

struct dl_scan {
	const char *root;		/* "/proc" */
	const pid_t *pids;
	size_t npids;
	const struct dl_hints *hints;	/* may be NULL */
	bool skip_gone;			/* a pid that exited is skipped (watch), not an error */
};

/* Scan and fill g (dl_graph_finish done). 0 or -errno: -ESRCH when a
 * requested process does not exist, -EACCES without ptrace rights. */
int dl_diagnose(const struct dl_scan *s, struct dl_graph *g);

/* Unwind the user stacks of the threads in the result's cycles and stalls
 * (and with all_named, of every thread of the named processes), and name the
 * mappings' symbols of their lock addresses. Without use_ptrace nobody is
 * stopped (registers from /proc, memory with process_vm_readv); with it the
 * processes are ptrace-attached (their blocked calls restart). Failures
 * leave a thread without a stack (logged). */
void dl_add_stacks_ex(struct dl_graph *g, const struct dl_result *r, bool all_named, bool use_ptrace);
/* The same for cycles and stalls, without ptrace. */
void dl_add_stacks(struct dl_graph *g, const struct dl_result *r);

#endif
