/*
 * report_common.h - what report.c and the report_*.c sections share, below
 * them all: the conversations table's columns (futex rows join it),
 * processes as JSON or text, and the set of processes a filter kept.
 */
#ifndef IPCS_REPORT_COMMON_H
#define IPCS_REPORT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"
#include "util/json.h"
#include "util/texttable.h"

/* Columns of the conversations table. */
enum report_col { RC_KIND, RC_CHANNEL, RC_A, RC_B, RC_MSGS, RC_BYTES, RC_BLOCKED, RC_NOTE, RC_COUNT };
extern const struct tt_col report_conv_cols[RC_COUNT];

/* {"pid", "comm"} under key; pid 0 is "not observed" (comm "?"). */
void report_json_proc(struct json_writer *w, const char *key, const struct model_proc_ref *p);
/* "PID/comm" (escaped), or "(not seen)" for pid 0. */
void report_text_proc(char *buf, size_t n, const struct model_proc_ref *p);

/* pids of the processes the listed conversations name (sorted). */
struct pid_set {
	__u32 *v;
	size_t n, cap;
};
/* Add pid (0, the unobserved peer, is not added); 0 or -ENOMEM. */
int report_pid_add(struct pid_set *s, __u32 pid);
/* Sort s once every pid is in, for report_pid_shown. */
void report_pid_sort(struct pid_set *s);
/* Is pid in s (s NULL: everything is)? */
bool report_pid_shown(const struct pid_set *s, __u32 pid);

#endif
