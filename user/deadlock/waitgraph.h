/*
 * waitgraph.h - the wait-for graph of a deadlock diagnosis: nodes are
 * threads, an edge says "this thread can be unblocked by that one" and
 * carries its evidence. Pure data and analysis (no /proc): cycles are
 * deadlocks, chains that end in a thread that can still move are stalls.
 */
#ifndef IPCS_DL_WAITGRAPH_H
#define IPCS_DL_WAITGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "deadlock/stacks.h"

#define DL_COMM 16
#define DL_OBJ 96
#define DL_WHERE 160
#define DL_EVID 64
#define DL_DOING 64

/* What a thread waits on (JSON "kind"). */
enum dl_kind {
	DL_K_NONE = 0,		/* not waiting on IPC we understand */
	DL_K_MUTEX,		/* futex that is a lock word with a known owner */
	DL_K_FUTEX,
	DL_K_PIPE,
	DL_K_FIFO,
	DL_K_SOCKET,
	DL_K_MQ,
	DL_K_SET,		/* epoll/poll/select: any fd of a set */
	DL_K_SIGNAL,		/* sigtimedwait, pause, sigsuspend: any sender */
	DL_K_SLEEP,		/* nanosleep: the clock */
	DL_K_OTHER,		/* another wait (a tty, a file...) */
	DL_K_CHILD,		/* wait4/waitid: any child it waits for, exiting */
};

/* One fd of a wait set (epoll, poll, select). */
struct dl_setfd {
	int fd;
	bool write;		/* waits to write (POLLOUT) rather than read */
	char object[DL_OBJ];	/* pipe:[..], socket:[..], anon_inode:[eventfd], /dev/pts/1 ... */
	unsigned nholders;	/* threads' processes holding the other end, outside the waiter */
};

const char *dl_kind_name(enum dl_kind k);

struct dl_thread {
	pid_t pid, tid;
	char comm[DL_COMM];	/* the thread's name */
	char pcomm[DL_COMM];	/* its process's name */
	char state;		/* /proc stat state: R S D T Z ... */
	char doing[DL_DOING];	/* "read", "futex", "running", "nanosleep" ... */
	enum dl_kind kind;	/* DL_K_NONE: not blocked in IPC */
	bool write;		/* blocked writing/sending (else reading/waiting) */
	char object[DL_OBJ];	/* lock address or channel name */
	char where[DL_WHERE];	/* mapping or symbol of a lock address */
	int64_t ns;		/* waited so far, -1 unknown */
	uint64_t uaddr;		/* futex address, 0 if none */
	size_t first_edge, nedges;	/* set by dl_graph_finish */
	struct dl_frame *stack;	/* frames, innermost first (owned) */
	size_t nstack;
	uint64_t sp, pc;	/* user registers of a sleeping thread (/proc syscall), 0 unknown */
	bool named;		/* of a process asked for (-p), not only a holder */
	bool external;		/* can be woken from outside the graph: a timeout, a signal,
				 * a terminal, a listening socket, a remote peer */
	bool timed;		/* its call has a timeout */
	bool owner_unknown;	/* a lock or latch wait whose owner nothing records */
	int64_t idle_ns;	/* since the scheduler last ran it, -1 unknown */
	char note[128];		/* what cannot be known about this wait */
	struct dl_setfd *set;	/* a wait set's fds (owned) */
	size_t nset;
};

struct dl_edge {
	size_t from, to;		/* thread indices */
	char evidence[DL_EVID];
};

struct dl_graph {
	struct dl_thread *t;
	size_t nt, capt;
	struct dl_edge *e;
	size_t ne, cape;
	bool finished;
};

/* A cycle or a stall chain: thread indices in wait order; edge[i] is the
 * edge from th[i] to th[i+1] (to th[0] for a cycle's last one). A stall's
 * last thread has no edge (n - 1 edges). */
struct dl_chain {
	size_t *th;
	size_t *edge;
	size_t n;
};

struct dl_result {
	struct dl_chain *cycles;
	size_t ncycles;
	struct dl_chain *stalls;
	size_t nstalls;
};

void dl_graph_init(struct dl_graph *g);
void dl_graph_fini(struct dl_graph *g);

/* Add a thread (copied; stack ownership moves to the graph). Returns its
 * index >= 0 or -ENOMEM. */
long dl_graph_add_thread(struct dl_graph *g, const struct dl_thread *t);

/* The index of thread tid, or -1. */
long dl_graph_find(const struct dl_graph *g, pid_t tid);

/* from waits for to; duplicates (same from, to) are ignored. 0 or -errno. */
int dl_graph_add_edge(struct dl_graph *g, size_t from, size_t to, const char *evidence);

/* Sort edges by source and index them per thread; no more edges after. */
int dl_graph_finish(struct dl_graph *g);

/*
 * Every thread that is blocked waits for ANY of its edges' threads (a pipe
 * has several possible writers, a wait set several fds). A thread is
 * deadlocked when each of them is deadlocked and nothing outside the graph
 * can wake it (not external): the largest such set (a knot), found by
 * removing threads that can be unblocked by someone who can still move. Cycles inside it are reported
 * once each; every other blocked thread with an edge heads a stall chain
 * (unless another stalled thread waits for it). Returns 0 or -ENOMEM.
 */
int dl_analyse(const struct dl_graph *g, struct dl_result *r);
void dl_result_fini(struct dl_result *r);

enum dl_verdict { DL_V_NONE = 0, DL_V_DEADLOCK, DL_V_SUSPECTED };

/*
 * DEADLOCK when the analysis found a cycle (a knot). Else SUSPECTED when no
 * thread of the named processes can act (none runs, none has a timeout, none
 * waits for something outside but a latch) and one of them has not run for at
 * least threshold_ns while waiting, with no timeout, on a lock or latch
 * whose owner cannot be read. Else NONE.
 */
enum dl_verdict dl_verdict_of(const struct dl_graph *g, const struct dl_result *r, int64_t threshold_ns);
const char *dl_verdict_name(enum dl_verdict v);

#endif
