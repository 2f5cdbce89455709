/*
 * shm.c - shared-memory segments from IPCS_REC_SHM records: who mapped
 * which segment, how much, when. Loads and stores to the pages are not
 * syscalls and are not seen; futexes in the segment are (futex.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "util/vec.h"
#include "model/model_shm.h"

struct skey {
	__u64 ino;
	__u32 dev;
	__u32 _pad;
};

struct smapper {
	struct mproc *proc;
	struct model_shm_mapper m;
};

struct sseg {
	struct skey k;
	__s32 shmid;
	__u64 key;
	bool sysv, removed;
	__u64 size;
	char name[IPCS_PATH_MAX];	/* "memfd:NAME", "/dev/shm/NAME" when known */
	bool named_path;		/* name is a mapper's path (IPCS_REC_SHM_NAME): the best */
	struct mproc *creator;		/* memfd_create's caller, referenced */
	__s32 creator_fd;
	struct smapper *v;
	size_t n, cap;
};

/*
 * SysV segments' shmem inodes carry no number (i_ino 0): they are keyed by
 * shmid under this dev, and shmdt finds its segment by the attach address.
 */
#define SYSV_DEV 0xffffffffu

struct attach_key {
	__u32 pid;
	__u32 _pad;
	__u64 addr;
};

struct shm_tab {
	struct hashmap segs;	/* skey -> sseg */
	struct hashmap ids;	/* shmid -> IPC key + 1 (from shmget) */
	struct hashmap attaches;	/* (pid, addr) -> sseg: live SysV attaches */
};

int shm_init(struct model *m)
{
	struct shm_tab *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = hashmap_init(&t->segs, sizeof(struct skey));
	if (!err)
		err = hashmap_init(&t->ids, sizeof(__s32));
	if (!err)
		err = hashmap_init(&t->attaches, sizeof(struct attach_key));
	if (err) {
		hashmap_fini(&t->segs);
		hashmap_fini(&t->ids);
		free(t);
		return err;
	}
	m->shm = t;
	return 0;
}

void shm_fini(struct model *m)
{
	struct shm_tab *t = m->shm;
	size_t it = 0;
	struct sseg *s;

	if (!t)
		return;
	while (hashmap_next(&t->segs, &it, NULL, (void **)&s)) {
		for (size_t i = 0; i < s->n; i++)
			proc_unref(s->v[i].proc);
		if (s->creator)
			proc_unref(s->creator);
		free(s->v);
		free(s);
	}
	hashmap_fini(&t->segs);
	hashmap_fini(&t->ids);
	hashmap_fini(&t->attaches);
	free(t);
	m->shm = NULL;
}

/* The segment (dev, ino), created when new. */
static int seg_by_inode(struct shm_tab *t, __u32 dev, __u64 ino, struct sseg **out)
{
	struct skey k = { .ino = ino, .dev = dev };
	struct sseg *s = hashmap_get(&t->segs, &k);
	int err;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->k = k;
		s->shmid = -1;
		s->creator_fd = -1;
		err = hashmap_put(&t->segs, &k, s, NULL);
		if (err) {
			free(s);
			return err;
		}
	}
	*out = s;
	return 0;
}

int shm_name(struct model *m, __u32 dev, __u64 ino, const char *name)
{
	struct sseg *s;
	int err;

	if (!ino || !name[0])
		return 0;
	err = seg_by_inode(m->shm, dev, ino, &s);
	if (!err && !s->name[0])
		snprintf(s->name, sizeof(s->name), "%s", name);
	return err;
}

int shm_path_apply(struct model *m, const struct ipcs_shm_name_rec *r)
{
	struct sseg *s;
	int err;

	if (!r->path[0])
		return 0;
	err = seg_by_inode(m->shm, r->dev, r->ino, &s);
	if (!err) {
		snprintf(s->name, sizeof(s->name), "%s", r->path);
		s->named_path = true;
	}
	return err;
}

const char *shm_seg_name(const struct model *m, __u32 dev, __u64 ino)
{
	struct skey k = { .ino = ino, .dev = dev };
	const struct sseg *s = m->shm ? hashmap_get(&m->shm->segs, &k) : NULL;

	return s && s->name[0] ? s->name : NULL;
}

int shm_memfd_create(struct model *m, struct mproc *p, const struct ipcs_sys_rec *r,
		     const char *name)
{
	char full[IPCS_PATH_MAX];
	struct sseg *s;
	int err;

	if (r->ret < 0 || r->chan.kind != IPCS_KIND_SHM || !r->chan.ino)
		return 0;
	err = seg_by_inode(m->shm, r->chan.dev, r->chan.ino, &s);
	if (err)
		return err;
	/* The kernel names the file "memfd:" + the name given (cut to fit here). */
	snprintf(full, sizeof(full), "memfd:%.*s", (int)sizeof(s->name) - 7, name);
	if (!s->named_path)
		snprintf(s->name, sizeof(s->name), "%s", full);
	if (s->creator)
		proc_unref(s->creator);
	s->creator = proc_ref(p);
	s->creator_fd = (__s32)r->ret;
	return 0;
}

static int seg_get(struct shm_tab *t, const struct ipcs_shm_rec *r, struct sseg **out)
{
	struct skey k = { .ino = r->ino, .dev = r->dev };
	struct attach_key ak = { .pid = r->pid, .addr = r->addr };
	struct sseg *s = NULL;
	int err;

	if (r->sys == IPCS_SYS_SHMDT) {
		s = hashmap_del(&t->attaches, &ak);
		*out = s;
		return s ? 0 : -ENOENT;
	}
	if (r->sys == IPCS_SYS_SHMAT)
		k = (struct skey){ .ino = (__u32)r->id, .dev = SYSV_DEV };
	err = seg_by_inode(t, k.dev, k.ino, &s);
	if (!err && r->sys == IPCS_SYS_SHMAT)
		err = hashmap_put(&t->attaches, &ak, s, NULL);
	*out = s;
	return err;
}

static int mapper_get(struct sseg *s, struct mproc *p, struct smapper **out)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].proc == p) {
			*out = &s->v[i];
			return 0;
		}
	}
	if (vec_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v), 4))
		return -ENOMEM;
	*out = &s->v[s->n++];
	memset(*out, 0, sizeof(**out));
	(*out)->proc = proc_ref(p);
	return 0;
}

static int shm_map(struct model *m, struct mproc *p, const struct ipcs_shm_rec *r, bool map)
{
	struct shm_tab *t = m->shm;
	struct smapper *mp;
	struct sseg *s;
	void *key;
	int err;

	bool sysv = r->sys == IPCS_SYS_SHMAT || r->sys == IPCS_SYS_SHMDT;

	if ((!r->ino && !sysv) || r->ret < 0 || (!map && r->ret != 0))
		return 0;
	err = seg_get(t, r, &s);
	if (err == -ENOENT)	/* detach of an attach not seen */
		return 0;
	if (!err)
		err = mapper_get(s, p, &mp);
	if (err)
		return err;
	if (r->sys == IPCS_SYS_SHMAT) {
		s->sysv = true;
		s->shmid = r->id;
		key = hashmap_get(&t->ids, &r->id);
		if (key)
			s->key = (uintptr_t)key - 1;
	}
	if (map) {
		mp->m.maps++;
		if (!mp->m.first_ns)
			mp->m.first_ns = r->h.ts_ns;
		if (r->len > mp->m.size)
			mp->m.size = r->len;
		if (r->len > s->size)
			s->size = r->len;
	} else {
		mp->m.unmaps++;
	}
	mp->m.last_ns = r->h.ts_ns;
	return 0;
}

/* The child of a fork has every shared mapping its parent had (no syscall says so). */
int shm_fork(struct model *m, const struct mproc *parent, struct mproc *child, __u64 ts)
{
	struct shm_tab *t = m->shm;
	struct attach_key *ak, *keys = NULL;
	size_t it = 0, n = 0, kcap = 0, scap = 0;
	struct smapper *mp;
	struct sseg *s, **segs = NULL;
	int err = 0;

	while (!err && hashmap_next(&t->segs, &it, NULL, (void **)&s)) {
		for (size_t i = 0; i < s->n; i++) {
			struct model_shm_mapper pm = s->v[i].m;

			if (s->v[i].proc != parent || pm.maps + pm.inherited <= pm.unmaps)
				continue;
			err = mapper_get(s, child, &mp);	/* may move s->v */
			if (err)
				break;
			mp->m.inherited++;
			mp->m.size = pm.size;
			mp->m.first_ns = mp->m.last_ns = ts;
			break;
		}
	}
	/* SysV attaches: the child's shmdt finds its segment by address too. */
	it = 0;
	while (!err && hashmap_next(&t->attaches, &it, (const void **)&ak, (void **)&s)) {
		if (ak->pid != parent->ref.pid)
			continue;
		if (vec_grow((void **)&keys, &kcap, n + 1, sizeof(*keys), 8) ||
		    vec_grow((void **)&segs, &scap, n + 1, sizeof(*segs), 8)) {
			err = -ENOMEM;
			break;
		}
		keys[n] = (struct attach_key){ .pid = child->ref.pid, .addr = ak->addr };
		segs[n++] = s;
	}
	for (size_t i = 0; !err && i < n; i++)
		err = hashmap_put(&t->attaches, &keys[i], segs[i], NULL);
	free(keys);
	free(segs);
	return err;
}

int shm_apply(struct model *m, const struct ipcs_shm_rec *r)
{
	struct shm_tab *t = m->shm;
	struct mproc *p;
	size_t it = 0;
	struct sseg *s;
	int err;

	if (!r->pid) {
		m->ignored++;
		return 0;
	}
	err = proc_get(m, r->pid, r->comm, &p);
	if (err)
		return err;
	/* As for other calls: the main thread's comm names the process (prctl). */
	if (r->tid == r->pid && r->comm[0] && strncmp(p->ref.comm, r->comm, IPCS_COMM_LEN))
		proc_set_comm(p, r->comm);
	switch (r->sys) {
	case IPCS_SYS_SHMGET:
		if (r->ret < 0)
			return 0;
		return hashmap_put(&t->ids, &r->id, (void *)(uintptr_t)(r->key + 1), NULL);
	case IPCS_SYS_SHMCTL:
		while (r->ret == 0 && hashmap_next(&t->segs, &it, NULL, (void **)&s))
			if (s->sysv && s->shmid == r->id)
				s->removed = true;
		return 0;
	case IPCS_SYS_SHMAT:
	case IPCS_SYS_MMAP:
		return shm_map(m, p, r, true);
	case IPCS_SYS_SHMDT:
	case IPCS_SYS_MUNMAP:
		return shm_map(m, p, r, false);
	}
	return 0;
}

static int mapper_cmp(const void *x, const void *y)
{
	const struct model_shm_mapper *a = x, *b = y;

	if (a->first_ns != b->first_ns)
		return a->first_ns < b->first_ns ? -1 : 1;
	return a->proc.pid < b->proc.pid ? -1 : a->proc.pid > b->proc.pid;
}

/* Mappers in order of their first map, so output does not depend on hashing. */
int model_foreach_shm(const struct model *m, model_shm_cb cb, void *ctx)
{
	struct model_shm_seg out;
	struct model_shm_mapper *v;
	size_t it = 0;
	struct sseg *s;
	int ret = 0;

	if (!m || !cb)
		return -EINVAL;
	while (!ret && hashmap_next(&m->shm->segs, &it, NULL, (void **)&s)) {
		v = calloc(s->n ? s->n : 1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < s->n; i++) {
			v[i] = s->v[i].m;
			v[i].proc = s->v[i].proc->ref;
		}
		qsort(v, s->n, sizeof(*v), mapper_cmp);
		memset(&out, 0, sizeof(out));
		if (s->sysv)
			snprintf(out.channel, sizeof(out.channel), "sysv-shm:%d", s->shmid);
		else
			snprintf(out.channel, sizeof(out.channel), "shm:[%llu]",
				 (unsigned long long)s->k.ino);
		out.dev = s->sysv ? 0 : s->k.dev;
		out.ino = s->sysv ? 0 : s->k.ino;	/* SysV: the inode has no number */
		out.sysv = s->sysv;
		out.shmid = s->shmid;
		out.key = s->key;
		out.removed = s->removed;
		out.size = s->size;
		if (s->name[0])
			snprintf(out.channel, sizeof(out.channel), "%s", s->name);
		if (s->creator)
			out.creator = s->creator->ref;
		out.creator_fd = s->creator_fd;
		out.nmappers = s->n;
		out.mappers = v;
		ret = cb(&out, ctx);
		free(v);
	}
	return ret;
}
