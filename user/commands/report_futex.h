/* report_futex.h - futex conversations in `report` (JSON and text). */
#ifndef IPCS_REPORT_FUTEX_H
#define IPCS_REPORT_FUTEX_H

#include "model/model.h"
#include "util/json.h"
#include "util/texttable.h"

/* Append one conversation object per futex conversation (inside the array). */
void report_futex_json(struct json_writer *w, const struct model *m);
/* Rows of the conversations table, one (or two) per futex conversation;
 * returns how many conversations. */
size_t report_futex_text(const struct model *m, struct texttable *t);

#endif
