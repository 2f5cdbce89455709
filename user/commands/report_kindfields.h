/*
 * report_kindfields.h - the kind-specific fields of a conversation's JSON
 * object (signals, unix sockets).
 */
#ifndef IPCS_REPORT_KINDFIELDS_H
#define IPCS_REPORT_KINDFIELDS_H

#include "model/model.h"
#include "util/json.h"

/* Adds the fields of c's kind to the open conversation object; nothing for other kinds. */
void report_json_kind_fields(struct json_writer *w, const struct model_conv *c);

#endif
