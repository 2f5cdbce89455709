/*
 * snapshot.h - a copy of what the views show, taken out of the model once
 * per refresh (snapshot.c).
 */
#ifndef IPCS_SNAPSHOT_H
#define IPCS_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"
#include "model/model_waits.h"

/* Per-process figures derived from the conversations. */
struct snap_proc {
	struct model_proc p;
	size_t channels;		/* distinct channels it talked over */
	size_t peers;			/* distinct processes it talked to (seen ones) */
	__u64 bytes_out, bytes_in;
	__u64 blocked_ns;		/* time blocked in its conversations' calls */
};

/* A copy of what the views show, taken once per refresh. */
struct snapshot {
	struct model_conv *convs;
	size_t nconvs;
	struct snap_proc *procs;
	size_t nprocs;
	struct model_wait *waits;	/* long waits (recorded IPCS_REC_WAIT) */
	size_t nwaits;
	struct model_totals totals;
	__u64 now_ns;		/* rates and ages are as of this time */
	double ev_rate;		/* events/s since the last refresh; < 0: not known yet */
	char state[64];		/* the feed's word on the source ("paused", ...) */
	struct snap_msg *msgs;	/* sequence view: its messages, oldest first */
	size_t nmsgs;
	__u64 msgs_dropped;	/* older messages the logs no longer hold */
};

/* A message of the sequence view and its conversation (an index into convs). */
struct snap_msg {
	struct model_msg m;	/* payload: the snapshot's copy */
	size_t conv;
};

/* Whose messages the snapshot copies: one conversation, or every conversation
 * with both ends among procs (nprocs >= 2). */
struct seq_select {
	const struct model_conv *conv;
	const struct model_proc_ref *procs;
	size_t nprocs;
};

/* Copy the model; sel (NULL: no messages): the messages to copy. */
int snapshot_build(const struct model *m, const struct seq_select *sel, struct snapshot *s);
void snapshot_free(struct snapshot *s);

#endif
