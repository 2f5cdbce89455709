/*
 * report_text.h - what report.c shares with the report_*.c sections of the
 * text report: the conversations table (futex rows join it), the width and
 * filter the sections lay out to, the processes the filter kept.
 */
#ifndef IPCS_REPORT_TEXT_H
#define IPCS_REPORT_TEXT_H

#include <stdbool.h>
#include <sys/types.h>
#include "model/model.h"
#include "util/texttable.h"

struct ipcs_opts;

/* Columns of the conversations table. */
enum report_col { RC_KIND, RC_CHANNEL, RC_A, RC_B, RC_MSGS, RC_BYTES, RC_BLOCKED, RC_NOTE, RC_COUNT };
extern const struct tt_col report_conv_cols[RC_COUNT];

/* How the report is shown (from the options; report_model fills defaults). */
struct dl_locks;

struct report_opts {
	int width;		/* text: columns to lay out to (tt_out_width) */
	bool all;		/* --all: every row, exit noise (SIGCHLD) not folded */
	bool filtered;		/* --kind/--since/--until narrowed the events */
	bool past_end;		/* --since starts after the last event */
	__u32 kinds;		/* --kind as parsed (0: all) */
	double since_s, until_s;	/* < 0: unset */
	const pid_t *pids;	/* -p (and their descendants), npids of them */
	size_t npids;
	const char *const *comms;	/* -c */
	size_t ncomms;
	char window[160];	/* "kinds pipe,fifo; from 2.0 s" for the text header; "" = all */
	const struct dl_locks *locks;	/* a --locks recording's order graph, or NULL */
};

/* pids of the processes the listed conversations name (sorted). */
struct pid_set {
	__u32 *v;
	size_t n, cap;
};
/* Is pid in s (s NULL: everything is)? */
bool report_pid_shown(const struct pid_set *s, __u32 pid);

/* "PID/comm" (escaped), or "(not seen)" for pid 0. */
void report_text_proc(char *buf, size_t n, const struct model_proc_ref *p);
/* A conversation's rows in the table (a->b, b->a, latency note). */
void report_text_conv(struct texttable *t, const struct model_conv *c);

/* report_model (commands.h) as ro says: the tests choose width and --all. */
struct ipcs_file_header;
struct recfile_status;
int report_model_ro(const char *path, const struct ipcs_file_header *fh,
		    const struct recfile_status *st, struct model *m, bool json,
		    struct report_opts *ro);

#endif
