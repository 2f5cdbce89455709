/* report_titles.h - each process's title (its command line) in `report` text. */
#ifndef IPCS_REPORT_TITLES_H
#define IPCS_REPORT_TITLES_H

#include "commands/report_common.h"
#include "model/model.h"

#define REPORT_TITLES_MAX 500	/* processes listed; more are counted */

/* A PID / COMM / TITLE table of the processes whose title the recording
 * holds, by pid (JSON carries it per process: report.c); with shown, only
 * those processes (the ones a filter kept). */
void report_titles_text(const struct model *m, const struct pid_set *shown);

#endif
