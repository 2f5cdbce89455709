/* report_cgroups.c - a CGROUP / PROCESSES table in `report` text (see report_cgroups.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands/report_cgroups.h"
#include "util/escape.h"

#define PROCS_PER_LINE 8	/* more are counted, not listed */

struct cg_proc {
	__u64 id;
	__u32 pid;
	char comm[IPCS_COMM_LEN];
	char cgroup[IPCS_PATH_MAX];
};

struct cg_list {
	struct cg_proc *v;
	size_t n, cap;
	int err;
};

static int collect(const struct model_proc *p, void *ctx)
{
	struct cg_list *l = ctx;

	if (!p->cgroup_id)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct cg_proc *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->err = -1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].id = p->cgroup_id;
	l->v[l->n].pid = p->ref.pid;
	memcpy(l->v[l->n].comm, p->ref.comm, IPCS_COMM_LEN);
	memcpy(l->v[l->n].cgroup, p->cgroup, IPCS_PATH_MAX);
	l->n++;
	return 0;
}

/* By path (unnamed ids last, by id), then pid. */
static int cmp(const void *x, const void *y)
{
	const struct cg_proc *a = x, *b = y;
	int r;

	if (!a->cgroup[0] != !b->cgroup[0])
		return a->cgroup[0] ? -1 : 1;
	r = strcmp(a->cgroup, b->cgroup);
	if (!r && a->id != b->id)
		r = a->id < b->id ? -1 : 1;
	if (!r && a->pid != b->pid)
		r = a->pid < b->pid ? -1 : 1;
	return r;
}

void report_cgroups_text(const struct model *m)
{
	struct cg_list l = { 0 };
	char name[IPCS_PATH_MAX * 4 + 1], comm[IPCS_COMM_LEN * 4 + 1];
	size_t i, j;

	model_foreach_proc(m, collect, &l);
	if (l.err)
		printf("\n(cgroups not listed: out of memory)\n");
	if (l.err || !l.n)
		goto out;
	qsort(l.v, l.n, sizeof(*l.v), cmp);
	printf("\n%-40s %s\n", "CGROUP", "PROCESSES");
	for (i = 0; i < l.n; i = j) {
		if (l.v[i].cgroup[0])
			esc_term(l.v[i].cgroup, sizeof(l.v[i].cgroup), name, sizeof(name));
		else
			snprintf(name, sizeof(name), "(id %" PRIu64 ", not named)", (uint64_t)l.v[i].id);
		printf("%-40s", name);
		for (j = i; j < l.n && l.v[j].id == l.v[i].id; j++) {
			if (j - i == PROCS_PER_LINE)
				continue;
			esc_term(l.v[j].comm, IPCS_COMM_LEN, comm, sizeof(comm));
			printf(" %u/%s", l.v[j].pid, comm);
		}
		if (j - i > PROCS_PER_LINE)
			printf(" ... and %zu more", j - i - PROCS_PER_LINE);
		printf("\n");
	}
out:
	free(l.v);
}
