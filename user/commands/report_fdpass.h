/* report_fdpass.h - fds passed over unix sockets in `report` (JSON and text). */
#ifndef IPCS_REPORT_FDPASS_H
#define IPCS_REPORT_FDPASS_H

#include "model/model.h"
#include "util/json.h"

/* "fd_passes": {totals, "passes": [...]} as a member of the open top-level object. */
void report_fdpass_json(struct json_writer *w, const struct model *m);
/* "A passed fd N (what) to B as fd M" lines, when there are any. */
void report_fdpass_text(const struct model *m);

#endif
