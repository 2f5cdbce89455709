/*
 * seed_mq.c - a message queue's fd names it fully: the link target is the
 * queue's name and stat() gives the inode and device the probes key it by
 * (fdres.bpf.h), so a queue opened before tracing is one channel with the
 * queues seen live.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "collect/seed_mq.h"

#define MQUEUE_MAGIC 0x19800202
#define DELETED " (deleted)"

int seed_mq_classify(const char *link, struct ipcs_seed_fd_rec *rec)
{
	char target[IPCS_PATH_MAX];
	struct statfs sf;
	struct stat st;
	ssize_t len;

	if (statfs(link, &sf) || sf.f_type != MQUEUE_MAGIC || stat(link, &st))
		return -ENOENT;
	len = readlink(link, target, sizeof(target) - 1);
	if (len < 0)
		return -ENOENT;
	target[len] = '\0';
	/* Unlinked but open: the kernel appends " (deleted)"; the name was the rest. */
	if ((size_t)len > sizeof(DELETED) - 1 &&
	    !strcmp(target + len - (sizeof(DELETED) - 1), DELETED)) {
		len -= sizeof(DELETED) - 1;
		target[len] = '\0';
	}
	rec->chan.kind = IPCS_KIND_MQ;
	rec->chan.ino = st.st_ino;
	/* The kernel's dev_t encoding (MKDEV), as BPF reads i_sb->s_dev. */
	rec->chan.dev = ((__u32)major(st.st_dev) << 20) | ((__u32)minor(st.st_dev) & 0xfffff);
	memcpy(rec->path, target, (size_t)len + 1);
	return 0;
}
