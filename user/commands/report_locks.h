/* report_locks.h - lock-order inversions of a --locks recording in `report` (JSON and text). */
#ifndef IPCS_REPORT_LOCKS_H
#define IPCS_REPORT_LOCKS_H

#include "collect/decode.h"
#include "deadlock/locks.h"
#include "util/json.h"

/* A pipeline tap: lock records (and process exits) into the dl_locks ctx. */
int report_locks_tap(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len);
/* "lock_events": N, "lock_inversions": [...] as members of the open top-level object, when the
 * recording has lock records. */
void report_locks_json(struct json_writer *w, const struct dl_locks *s);
/* "Lock-order inversions" and each with both orders' stacks, when it has them. */
void report_locks_text(const struct dl_locks *s);

#endif
