/*
 * report.h - report.c's interface beyond commands.h: report_model as the
 * options say (`struct report_opts`: width, --all, the filter), so the unit
 * tests choose width and --all.
 */
#ifndef IPCS_REPORT_H
#define IPCS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "model/model.h"

struct dl_locks;

/* How the report is shown (from the options; report_model fills defaults). */
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

/* report_model (commands.h) as ro says. */
struct ipcs_file_header;
struct recfile_status;
int report_model_ro(const char *path, const struct ipcs_file_header *fh,
		    const struct recfile_status *st, struct model *m, bool json,
		    struct report_opts *ro);

#endif
