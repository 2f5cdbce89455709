/* report_waits.h - deadlocks (wait-for cycles) and stalls of a recording in `report`. */
#ifndef IPCS_REPORT_WAITS_H
#define IPCS_REPORT_WAITS_H

#include "model/model.h"
#include "util/json.h"

/* "deadlocks": {cycles[], stalls[], blocked_at_end, lost}; end_ns: the
 * recording's last event (the wait of a thread still blocked lasted until then). */
void report_waits_json(struct json_writer *w, const struct model *m, __u64 end_ns);
/* A DEADLOCKS / STALLS section when the recording has any; times in seconds
 * since first_ns. */
void report_waits_text(const struct model *m, __u64 first_ns, __u64 end_ns);

#endif
