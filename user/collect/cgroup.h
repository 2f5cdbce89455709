/* cgroup.h - a cgroup v2 directory as the probes name it: kernfs id and depth. */
#ifndef IPCS_CGROUP_H
#define IPCS_CGROUP_H

#include <stddef.h>
#include <linux/types.h>

struct cgroup_ref {
	__u64 id;		/* kernfs id = the directory's inode number (64-bit kernels) */
	__u32 level;		/* depth below the cgroup2 root (the root is 0) */
	char path[4096];	/* the directory found */
};

/*
 * PATH as given, or as in /proc/PID/cgroup ("/system.slice/x.service"),
 * looked up under /sys/fs/cgroup and /sys/fs/cgroup/unified. Errors are
 * logged with what to do: -ENOENT, -ENOTDIR, -EMEDIUMTYPE (not cgroup v2).
 * root: where to look instead of /sys/fs/cgroup (tests); NULL for the real one.
 */
int cgroup_resolve(const char *path, const char *root, struct cgroup_ref *out);

#endif
