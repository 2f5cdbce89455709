/* demo_workload.h - the workload `ipcscope demo` runs and records. */
#ifndef IPCS_DEMO_WORKLOAD_H
#define IPCS_DEMO_WORKLOAD_H

/* arg: path of the FIFO to create. Returns 0 when every stage succeeded. */
int demo_workload(void *arg);

#endif
