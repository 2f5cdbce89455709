/* report_cgroups.h - which processes ran in which cgroup v2, in `report` text. */
#ifndef IPCS_REPORT_CGROUPS_H
#define IPCS_REPORT_CGROUPS_H

#include "model/model.h"
#include "commands/report_common.h"

/* One line per cgroup with its processes, when the recording knows any
 * process's cgroup (JSON carries it per process: report.c); only the
 * processes in shown (NULL: all), laid out to width. */
void report_cgroups_text(const struct model *m, const struct pid_set *shown, int width);

#endif
