/* cgroup.c - resolve --cgroup PATH to what the probes compare (see cgroup.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "collect/cgroup.h"
#include "log.h"

#define CGROUP2_MAGIC 0x63677270	/* CGROUP2_SUPER_MAGIC */

static bool is_cgroup2(const char *p)
{
	struct statfs fs;

	return !statfs(p, &fs) && fs.f_type == CGROUP2_MAGIC;
}

/* Depth: parents up to the mount's root, which is the last directory on cgroup2. */
static int depth(const char *dir, __u32 *level)
{
	char p[4096];
	char *slash;

	snprintf(p, sizeof(p), "%s", dir);
	*level = 0;
	for (;;) {
		slash = strrchr(p, '/');
		if (!slash || slash == p)
			return -EINVAL;	/* reached / while still on cgroup2: cannot be */
		*slash = '\0';
		if (!is_cgroup2(p))
			return 0;
		if (++*level > 255)
			return -ELOOP;
	}
}

int cgroup_resolve(const char *path, const char *root, struct cgroup_ref *out)
{
	const char *bases[] = { "", root ? root : "/sys/fs/cgroup", root ? NULL : "/sys/fs/cgroup/unified" };
	char real[4096];
	struct stat st;
	int err;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i] || (i == 0 && path[0] != '/' && path[0] != '.'))
			continue;
		snprintf(out->path, sizeof(out->path), "%s%s%s", bases[i], i && path[0] != '/' ? "/" : "", path);
		if (stat(out->path, &st) || !S_ISDIR(st.st_mode) || !is_cgroup2(out->path))
			continue;
		if (!realpath(out->path, real))
			continue;
		snprintf(out->path, sizeof(out->path), "%s", real);
		out->id = st.st_ino;
		err = depth(out->path, &out->level);
		if (err)
			break;
		return 0;
	}
	log_error("--cgroup %s: no such cgroup v2 directory (give a path under the cgroup2 mount, "
		  "e.g. /sys/fs/cgroup/unified/NAME, or as /proc/PID/cgroup shows it after \"0::\")", path);
	return -ENOENT;
}
