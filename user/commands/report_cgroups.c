/* report_cgroups.c - a CGROUP / PROCESSES table in `report` text (see report_cgroups.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands/report_cgroups.h"
#include "util/escape.h"
#include "util/texttable.h"
#include "util/vec.h"


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
	if (vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 64)) {
		l->err = -1;
		return 1;
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

/* One cgroup's processes, as many as fit in budget cells, then how many more. */
static void procs_cell(const struct cg_list *l, size_t i, size_t j, int budget, char *out, size_t n)
{
	char comm[IPCS_COMM_LEN * 4 + 1], one[IPCS_COMM_LEN * 4 + 16], more[48];
	size_t len = 0, k;

	out[0] = '\0';
	for (k = i; k < j; k++) {
		esc_term(l->v[k].comm, IPCS_COMM_LEN, comm, sizeof(comm));
		snprintf(one, sizeof(one), "%s%u/%s", k > i ? " " : "", l->v[k].pid, comm);
		snprintf(more, sizeof(more), " ... and %zu more", j - k - 1);
		/* the last one needs no room for "and more" */
		if (k > i && (int)(len + strlen(one) + (k + 1 < j ? strlen(more) : 0)) > budget)
			break;
		if (len + strlen(one) >= n)
			break;
		memcpy(out + len, one, strlen(one) + 1);
		len += strlen(one);
	}
	if (k < j)
		snprintf(out + len, n - len, " ... and %zu more", j - k);
}

static const struct tt_col cg_cols[] = {
	{ "CGROUP", false, TT_MID, 16, false }, { "PROCESSES", false, TT_FIXED, 0, false },
};

void report_cgroups_text(const struct model *m, const struct pid_set *shown, int width)
{
	struct cg_list l = { 0 };
	struct texttable t;
	char name[IPCS_PATH_MAX * 4 + 1], procs[1024];
	size_t i, j, keep = 0;
	int cgw = 0;

	model_foreach_proc(m, collect, &l);
	if (l.err)
		printf("\n(cgroups not listed: out of memory)\n");
	if (l.err || !l.n)
		goto out;
	for (i = 0; i < l.n; i++)	/* only the processes the filter kept */
		if (report_pid_shown(shown, l.v[i].pid))
			l.v[keep++] = l.v[i];
	l.n = keep;
	if (!l.n)
		goto out;
	qsort(l.v, l.n, sizeof(*l.v), cmp);
	/* The path column takes what its longest name needs, up to 2/5 of the width. */
	for (i = 0; i < l.n; i++) {
		int len = l.v[i].cgroup[0] ? (int)esc_term(l.v[i].cgroup, sizeof(l.v[i].cgroup), name,
							  sizeof(name)) : 32;

		cgw = len > cgw ? len : cgw;
	}
	if (cgw > width * 2 / 5)
		cgw = width * 2 / 5 > 16 ? width * 2 / 5 : 16;
	tt_init(&t, cg_cols, 2);
	for (i = 0; i < l.n; i = j) {
		char cell[IPCS_PATH_MAX * 4 + 1];

		if (l.v[i].cgroup[0])
			esc_term(l.v[i].cgroup, sizeof(l.v[i].cgroup), name, sizeof(name));
		else
			snprintf(name, sizeof(name), "(id %" PRIu64 ", not named)", (uint64_t)l.v[i].id);
		for (j = i; j < l.n && l.v[j].id == l.v[i].id; j++)
			;
		procs_cell(&l, i, j, width - cgw - 2, procs, sizeof(procs));
		tt_fit(name, TT_MID, cgw, cell, sizeof(cell));
		tt_add(&t, (const char *const[]){ cell, procs });
	}
	printf("\n");
	tt_print(&t, stdout, width, NULL);
	tt_free(&t);
out:
	free(l.v);
}
