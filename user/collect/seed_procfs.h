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

/* The same, only for processes whose cgroup v2 is the directory cgroup_dir
 * or below it (--cgroup; NULL: any), as the probes then trace only those. */
int seed_procfs_in(const char *proc_root, const pid_t *pids, size_t npids, const char *cgroup_dir,
		   __u64 ts_ns, seed_rec_cb cb, void *ctx);

#endif
