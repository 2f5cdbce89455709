/*
 * model_waits.h - threads found blocked longer than a threshold (the
 * recorder's IPCS_REC_WAIT records): which ones are still blocked, and every
 * wait seen with the cycle (deadlock) or stall it belonged to.
 */
#ifndef IPCS_MODEL_WAITS_H
#define IPCS_MODEL_WAITS_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"

#define MODEL_WAITS_MAX 65536	/* waits kept; later ones are only counted */

struct model_wait {
	__u64 found_ns;		/* when it was first found past the threshold */
	__u64 flagged_ns;	/* when first found in a cycle or stall (later than
				 * found_ns when it waited alone first); 0: neither */
	__u64 enter_ns;		/* when the call began */
	__u64 end_ns;		/* when it returned (or its process exited); 0: still blocked */
	__u32 pid, tid;
	__u32 holder_pid, holder_tid;	/* 0: unknown */
	__u32 group;		/* cycle number (IPCS_WAITF_CYCLE), 0 none */
	__u16 sys;
	__u16 flags;		/* IPCS_WAITF_* */
	char kind[8];
	char object[48];
	char evidence[48];
	char comm[IPCS_COMM_LEN];
};

typedef int (*model_wait_cb)(const struct model_wait *w, void *ctx);

/* Every wait in the order found; a non-zero return from cb stops and is returned. */
int model_foreach_wait(const struct model *m, model_wait_cb cb, void *ctx);
size_t model_wait_count(const struct model *m);
/* Threads blocked now (at the last record applied). */
size_t model_waits_blocked(const struct model *m);
/* Waits past MODEL_WAITS_MAX: counted, not kept. */
__u64 model_waits_lost(const struct model *m);

#endif
