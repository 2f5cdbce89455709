/* report_titles.c - a PID / COMM / TITLE table in `report` text (see report_titles.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands/report_titles.h"
#include "util/escape.h"
#include "util/vec.h"

struct title {
	__u32 pid;
	bool exited, cut;
	char comm[IPCS_COMM_LEN];
	char *cmdline;
};

struct title_list {
	struct title *v;
	size_t n, cap;
	int err;
	const struct pid_set *shown;
};

static int collect(const struct model_proc *p, void *ctx)
{
	struct title_list *l = ctx;
	struct title *t;

	if (!p->cmdline[0] || !report_pid_shown(l->shown, p->ref.pid))
		return 0;
	if (vec_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v), 64)) {
		l->err = -1;
		return 1;
	}
	t = &l->v[l->n];
	t->cmdline = strdup(p->cmdline);
	if (!t->cmdline) {
		l->err = -1;
		return 1;
	}
	t->pid = p->ref.pid;
	t->exited = p->exited;
	t->cut = p->cmdline_cut;
	memcpy(t->comm, p->ref.comm, IPCS_COMM_LEN);
	l->n++;
	return 0;
}

/* By pid; an exited instance before the live one under a reused pid. */
static int cmp(const void *x, const void *y)
{
	const struct title *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (int)b->exited - (int)a->exited;
}

void report_titles_text(const struct model *m, const struct pid_set *shown)
{
	struct title_list l = { .shown = shown };
	char comm[IPCS_COMM_LEN * 4 + 1], title[(IPCS_CMDLINE_MAX + 1) * 4 + 1];

	model_foreach_proc(m, collect, &l);
	if (l.err)
		printf("\n(process titles not listed: out of memory)\n");
	if (l.err || !l.n)
		goto out;
	qsort(l.v, l.n, sizeof(*l.v), cmp);
	printf("\n%-8s %-16s %s\n", "PID", "COMM", "TITLE (command line)");
	for (size_t i = 0; i < l.n && i < REPORT_TITLES_MAX; i++) {
		esc_term(l.v[i].comm, IPCS_COMM_LEN, comm, sizeof(comm));
		esc_term(l.v[i].cmdline, IPCS_CMDLINE_MAX, title, sizeof(title));
		printf("%-8u %-16s %s%s%s\n", l.v[i].pid, comm, title, l.v[i].cut ? " ..." : "",
		       l.v[i].exited ? " (exited)" : "");
	}
	if (l.n > REPORT_TITLES_MAX)
		printf("... and %zu more\n", l.n - REPORT_TITLES_MAX);
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].cmdline);
	free(l.v);
}
