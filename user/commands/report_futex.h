/* report_futex.h - futex conversations in `report` (JSON and text). */
#ifndef IPCS_REPORT_FUTEX_H
#define IPCS_REPORT_FUTEX_H

#include "model/model.h"
#include "util/json.h"

/* {"pid", "comm"} under key; pid 0 is "not observed" (comm "?"). Shared by report.c. */
void report_json_proc(struct json_writer *w, const char *key, const struct model_proc_ref *p);
/* "PID/comm" (escaped), or "(not seen)" for pid 0 (report.c). */
void report_text_proc(char *buf, size_t n, const struct model_proc_ref *p);

/* Append one conversation object per futex conversation (inside the array). */
void report_futex_json(struct json_writer *w, const struct model *m);
/* One table line per futex conversation; returns how many were printed. */
size_t report_futex_text(const struct model *m);

#endif
