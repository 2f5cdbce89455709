/* seed_procfs.h - state that existed before tracing, read from /proc as records. */
#ifndef IPCS_SEED_PROCFS_H
#define IPCS_SEED_PROCFS_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* Called for every seed record (IPCS_REC_SEED_PROC / IPCS_REC_SEED_FD). */
typedef int (*seed_rec_cb)(const void *rec, size_t len, void *ctx);

/*
 * Emit a SEED_PROC record per process and a SEED_FD record per pipe/FIFO fd.
 * proc_root is "/proc" (tests pass a crafted tree). With npids == 0 every
 * process is seeded; else the given pids and their descendants. Unreadable
 * processes (gone, or no permission) are skipped. ts_ns stamps the records.
 */
int seed_procfs(const char *proc_root, const pid_t *pids, size_t npids,
		__u64 ts_ns, seed_rec_cb cb, void *ctx);

/* What a trace targets (a union, as bpf/filter.bpf.h traces them): the pids and their
 * descendants, processes named one of comms, processes whose cgroup v2 is one of cgroup_dirs or
 * below it. Nothing given: every process. */
struct seed_targets {
	const pid_t *pids;
	size_t npids;
	const char *const *comms;
	size_t ncomms;
	const char *const *cgroup_dirs;
	size_t ncgroups;
};

/* The same, only for the targets' processes. */
int seed_procfs_targets(const char *proc_root, const struct seed_targets *t, __u64 ts_ns,
			seed_rec_cb cb, void *ctx);

#endif
