/*
 * blocked.h - the threads the probes see blocked right now (a copy of the
 * BPF `inflight` map), which of them crossed the threshold since the last
 * look, and which cycles were already reported: the bookkeeping of
 * `deadlock --watch` and of the recorder's wait records.
 */
#ifndef IPCS_DL_BLOCKED_H
#define IPCS_DL_BLOCKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ipcscope_abi.h"
#include "deadlock/waitgraph.h"
#include "util/hashmap.h"

struct dl_blocked {
	pid_t tid;
	bool fresh;		/* crossed the threshold at the last dl_blockset_crossed */
	struct ipcs_inflight in;
};

struct dl_blockset {
	struct dl_blocked *v;	/* sorted by tid after dl_blockset_sort */
	size_t n, cap;
	struct hashmap seen;	/* (tid, enter ts) already past the threshold */
	struct hashmap reported;	/* cycle keys already reported */
};

int dl_blockset_init(struct dl_blockset *b);
void dl_blockset_fini(struct dl_blockset *b);

/* Start a new snapshot; add one inflight entry (live_scan_inflight's cb). */
void dl_blockset_clear(struct dl_blockset *b);
int dl_blockset_add(struct dl_blockset *b, pid_t tid, const struct ipcs_inflight *in);
/* Sort, keep one entry per thread. */
void dl_blockset_sort(struct dl_blockset *b);
/* dl_blockset_add with the signature of live_scan_inflight's callback. */
int dl_blockset_add_cb(__u32 tid, const struct ipcs_inflight *in, void *blockset);

/* The entry of tid, or NULL. */
const struct dl_blocked *dl_blockset_get(const struct dl_blockset *b, pid_t tid);

/* How long tid has been blocked at now_ns, -1 if it is not. */
int64_t dl_blockset_wait_ns(const struct dl_blockset *b, pid_t tid, uint64_t now_ns);

/* Threads blocked at least threshold_ns; marks them seen. Returns how many
 * of them were not seen before (each blocked call counts once; their fresh
 * flag is set), or -ENOMEM. */
long dl_blockset_crossed(struct dl_blockset *b, uint64_t now_ns, uint64_t threshold_ns);

/* Every thread of the cycle blocked at least threshold_ns (per its ns). */
bool dl_cycle_all_long(const struct dl_graph *g, const struct dl_chain *c, uint64_t threshold_ns);

/* Report a cycle once: true the first time this set of (tid, enter ts) is
 * seen. A cycle that breaks and forms again (new calls) counts again. */
bool dl_cycle_first_time(struct dl_blockset *b, const struct dl_graph *g, const struct dl_chain *c);

#endif
