/*
 * rotate.h - recording rotation as tcpdump does it: a new file when the
 * current one reaches -C SIZE bytes or has been open -G SECONDS; -W COUNT
 * keeps that many, reusing the oldest name. Files are named OUT.0, OUT.1, ...
 * (just OUT without rotation). This module only decides names and times.
 */
#ifndef IPCS_ROTATE_H
#define IPCS_ROTATE_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

struct rotate {
	const char *base;
	__u64 size_bytes;	/* -C: 0 = no size limit */
	__u64 period_ns;	/* -G: 0 = no time limit */
	unsigned count;		/* -W: 0 = keep every file */
	unsigned idx;		/* files opened so far - 1 */
	__u64 opened_ns;	/* when the current file was opened */
	char name[PATH_MAX];	/* the current file's name */
};

/* Returns -ENAMETOOLONG when base plus a suffix does not fit. */
int rotate_init(struct rotate *r, const char *base, __u64 size_bytes, __u64 period_ns,
		unsigned count, __u64 now_ns);
bool rotate_enabled(const struct rotate *r);
/* Time for a new file: the current one holds `bytes` at time now_ns. */
bool rotate_due(const struct rotate *r, __u64 bytes, __u64 now_ns);
/* Move to the next name (r->name); *reuse: it replaces one of ours (-W wrapped). */
int rotate_next(struct rotate *r, __u64 now_ns, bool *reuse);

#endif
