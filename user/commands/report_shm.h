/* report_shm.h - shared-memory segments in `report` (JSON and text). */
#ifndef IPCS_REPORT_SHM_H
#define IPCS_REPORT_SHM_H

#include "model/model.h"
#include "util/json.h"

/* Append one channel object per segment (inside the "channels" array). */
void report_shm_json(struct json_writer *w, const struct model *m);
/* A table of segments and their mappers, when there are any. */
void report_shm_text(const struct model *m, int width);

#endif
