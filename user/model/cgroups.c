/*
 * cgroups.c - which cgroup v2 each process is in: ids from fork, exec, exit
 * and move records (and seeds), paths from IPCS_REC_CGROUP_NAME records,
 * which user space writes into the stream before an id's first use. An id
 * without a name record stays known by its id alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

int cgtab_init(struct model *m)
{
	return hashmap_init(&m->cgroups, sizeof(__u64));
}

void cgtab_fini(struct model *m)
{
	hashmap_fini_free(&m->cgroups);
}

int cgroup_name_apply(struct model *m, const struct ipcs_cgroup_name_rec *r)
{
	char *path = strndup(r->path, sizeof(r->path) - 1), *old = NULL;
	__u64 id = r->cgroup_id;
	int err;

	if (!path)
		return -ENOMEM;
	/* A later name for the same id wins (a recorder names ids again per file). */
	err = hashmap_put(&m->cgroups, &id, path, (void **)&old);
	if (err)
		free(path);
	free(old);
	return err;
}

int cgroup_move_apply(struct model *m, const struct ipcs_cgroup_rec *r)
{
	struct mproc *p;
	int err;

	if (!r->pid) {
		m->ignored++;
		return 0;
	}
	err = proc_get(m, r->pid, r->comm, &p);
	if (!err)
		p->cgroup_id = r->cgroup_id;
	return err;
}

const char *model_cgroup_path(const struct model *m, __u64 id)
{
	return m && id ? hashmap_get(&m->cgroups, &id) : NULL;
}
