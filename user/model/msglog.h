/*
 * msglog.h - a bounded log of one conversation's recent messages, for the
 * viewer's sequence diagram and message pane. Internal to the model.
 *
 * Payload bytes (IPCS_REC_PAYLOAD, emitted right after the write's SYS/SOCK
 * record) are attached to the entry of that write: msglog_find(seq), then
 * msglog_set_payload(), which copies them; the log frees them when the entry
 * leaves the ring. conv.c does this, and sets nfds from IPCS_REC_FDPASS; a
 * write still queued for its reader holds them on its segment until then.
 */
#ifndef IPCS_MSGLOG_H
#define IPCS_MSGLOG_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"

struct msglog {
	struct model_msg *v;	/* ring of cap entries, oldest at head */
	size_t head, len, cap;
	__u64 dropped;		/* entries pushed out of the ring */
};

/*
 * n bytes of write seq delivered in direction rev. The same write as the
 * newest entry of that direction (a write read in pieces) adds to it; else a
 * new entry, the oldest going when max are held. 0 or -ENOMEM.
 */
int msglog_note(struct msglog *l, size_t max, __u64 seq, bool rev, __u64 n, __u64 ts_w,
		__u64 ts_r, __u16 sys);
/* The entry of write seq, newest first; NULL if not (or no longer) held. */
struct model_msg *msglog_find(struct msglog *l, __u64 seq);
/* Copy up to n payload bytes into e (replacing any). 0 or -ENOMEM. */
int msglog_set_payload(struct model_msg *e, const void *p, size_t n);
/* The i-th entry, oldest first (i < l->len). */
const struct model_msg *msglog_at(const struct msglog *l, size_t i);
void msglog_fini(struct msglog *l);

#endif
