/* report_misc.h - kind-specific JSON fields of conversations (signal, mq, eventfd, pty). */
#ifndef IPCS_REPORT_MISC_H
#define IPCS_REPORT_MISC_H

#include "model/model.h"
#include "util/json.h"

/* Adds the fields of c's kind to the open conversation object; nothing for other kinds. */
void report_json_misc_fields(struct json_writer *w, const struct model_conv *c);

#endif
