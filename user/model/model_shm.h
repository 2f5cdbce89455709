/*
 * model_shm.h - shared-memory segments and the processes that mapped them.
 * A segment is named by its shmem inode (dev, ino): the same key as a shared
 * futex that lives in it ("futex:[INO]+OFF").
 */
#ifndef IPCS_MODEL_SHM_H
#define IPCS_MODEL_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include "model/model.h"

struct model_shm_mapper {
	struct model_proc_ref proc;
	__u64 size;		/* bytes of its largest mapping of the segment */
	__u64 maps;		/* shmat / mmap calls */
	__u64 unmaps;		/* shmdt / munmap calls */
	__u64 inherited;	/* mappings it got from its parent at fork */
	__u64 first_ns;		/* first map */
	__u64 last_ns;		/* last map or unmap */
};

struct model_shm_seg {
	char channel[MODEL_NAME_MAX];	/* "sysv-shm:ID", "memfd:NAME" or "shm:[INO]" */
	struct model_proc_ref creator;	/* memfd_create's caller; pid 0 when not seen */
	__s32 creator_fd;		/* its fd; -1 when not seen */
	__u32 dev;
	__u64 ino;
	bool sysv;
	__s32 shmid;		/* SysV: id; else -1 */
	__u64 key;		/* SysV: IPC key when shmget was seen */
	bool removed;		/* SysV: shmctl(IPC_RMID) seen */
	__u64 size;		/* largest mapping seen */
	size_t nmappers;
	const struct model_shm_mapper *mappers;	/* valid during the callback only */
};

typedef int (*model_shm_cb)(const struct model_shm_seg *s, void *ctx);

int model_foreach_shm(const struct model *m, model_shm_cb cb, void *ctx);

#endif
