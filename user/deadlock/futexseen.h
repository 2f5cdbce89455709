/*
 * futexseen.h - what the probes saw of each futex: the last thread whose
 * wake woke someone, and the last thread seen acquiring it (a wait that was
 * woken, or a LOCK_PI that returned 0). The evidence of a futex wait whose
 * lock word names no owner (custom locks, semaphores, raw futex words).
 * Fed with decoded IPCS_REC_FUTEX records; knows no BPF.
 */
#ifndef IPCS_DL_FUTEXSEEN_H
#define IPCS_DL_FUTEXSEEN_H

#include <stdint.h>
#include <sys/types.h>
#include "ipcscope_abi.h"
#include "util/hashmap.h"

#define DL_FUTEXSEEN_MAX 65536	/* futexes remembered; past it, everything is forgotten */

#define DL_EVID_LAST_ACQUIRER "last acquirer seen by the probes"
#define DL_EVID_LAST_WAKER "last waker seen by the probes"

struct dl_futexseen {
	struct hashmap alias;	/* (tgid, uaddr) -> its kernel key (the value of keys) */
	struct hashmap keys;	/* kernel key -> struct dl_futex_seen */
};

int dl_futexseen_init(struct dl_futexseen *s);
void dl_futexseen_fini(struct dl_futexseen *s);

/* Take one decoded futex record. 0 or -ENOMEM. */
int dl_futexseen_add(struct dl_futexseen *s, const struct ipcs_futex_rec *r);

/* Who the probes say can end tid's wait on uaddr in process tgid: the last
 * acquirer other than tid, else the last waker other than tid. Returns the
 * TID (its evidence in *evidence) or 0 when the probes saw nobody. */
pid_t dl_futexseen_holder(const struct dl_futexseen *s, pid_t tgid, pid_t tid, uint64_t uaddr,
			  const char **evidence);

#endif
