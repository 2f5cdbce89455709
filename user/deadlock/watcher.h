/*
 * watcher.h - one step of watching with the probes: given the threads
 * blocked now (a dl_blockset filled from the `inflight` map), build the
 * wait-for graph when some call crossed the threshold, hand each new cycle
 * to on_cycle and each new stall to on_stall (deadlock --watch), each long wait as an IPCS_REC_WAIT
 * record to on_wait (the recorder). Knows no BPF: the caller scans.
 */
#ifndef IPCS_DL_WATCHER_H
#define IPCS_DL_WATCHER_H

#include <stdint.h>
#include "collect/decode.h"
#include "deadlock/blocked.h"
#include "deadlock/futexseen.h"
#include "deadlock/locks.h"
#include "deadlock/waitgraph.h"

struct dl_watch_cbs {
	void (*on_cycle)(struct dl_graph *g, struct dl_chain *c, void *ctx);
	/* a stall whose waiting threads all waited past the threshold, once */
	void (*on_stall)(struct dl_graph *g, struct dl_chain *c, void *ctx);
	int (*on_wait)(const struct ipcs_wait_rec *r, void *ctx);
	void *ctx;
};

struct dl_watcher {
	struct dl_blockset b;	/* the caller fills it before each step */
	const char *root;	/* "/proc" */
	uint64_t threshold_ns;
	uint64_t now_ns;	/* of the current step */
	uint32_t next_group;	/* cycle numbers in wait records */
	struct dl_futexseen seen;	/* futex evidence from the records (dl_watcher_see) */
	struct dl_locks *locks;	/* --locks: lock owners from the uprobes (the caller's), or NULL */
};

int dl_watcher_init(struct dl_watcher *w, const char *root, uint64_t threshold_ns);
void dl_watcher_fini(struct dl_watcher *w);

/* Every decoded event, as it comes (a pipeline tap): futex records teach who
 * woke and who acquired each futex, lock records (with w->locks) who holds
 * each lock; others are ignored. 0 or -ENOMEM. */
int dl_watcher_see(struct dl_watcher *w, const struct ipcs_event *ev);

/* After dl_blockset_clear/add/sort on w->b. 0 or -errno. */
int dl_watcher_step(struct dl_watcher *w, uint64_t now_ns, const struct dl_watch_cbs *cbs);

/* The wait record of graph thread i (held_by: edge e, or none with -1). */
void dl_wait_record(const struct dl_graph *g, size_t i, size_t e, const struct dl_blocked *bl,
		    uint64_t ts_ns, uint16_t flags, uint32_t group, struct ipcs_wait_rec *r);

#endif
