/* waitgraph.c - wait-for graph: deadlocked set, cycles, stall chains. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/waitgraph.h"
#include "util/vec.h"

const char *dl_kind_name(enum dl_kind k)
{
	static const char *const names[] = {
		[DL_K_NONE] = "none", [DL_K_MUTEX] = "mutex", [DL_K_FUTEX] = "futex",
		[DL_K_PIPE] = "pipe", [DL_K_FIFO] = "fifo", [DL_K_SOCKET] = "socket", [DL_K_MQ] = "mq",
		[DL_K_SET] = "set", [DL_K_SIGNAL] = "signal", [DL_K_SLEEP] = "sleep", [DL_K_OTHER] = "other",
		[DL_K_CHILD] = "child",
	};

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

void dl_graph_init(struct dl_graph *g)
{
	memset(g, 0, sizeof(*g));
}

void dl_graph_fini(struct dl_graph *g)
{
	for (size_t i = 0; i < g->nt; i++) {
		free(g->t[i].stack);
		free(g->t[i].set);
	}
	free(g->t);
	free(g->e);
	memset(g, 0, sizeof(*g));
}

long dl_graph_add_thread(struct dl_graph *g, const struct dl_thread *t)
{
	if (vec_grow((void **)&g->t, &g->capt, g->nt + 1, sizeof(*g->t), 16))
		return -ENOMEM;
	g->t[g->nt] = *t;
	g->t[g->nt].first_edge = g->t[g->nt].nedges = 0;
	return (long)g->nt++;
}

long dl_graph_find(const struct dl_graph *g, pid_t tid)
{
	for (size_t i = 0; i < g->nt; i++)
		if (g->t[i].tid == tid)
			return (long)i;
	return -1;
}

int dl_graph_add_edge(struct dl_graph *g, size_t from, size_t to, const char *evidence)
{
	struct dl_edge *e;

	if (g->finished || from >= g->nt || to >= g->nt)
		return -EINVAL;
	for (size_t i = 0; i < g->ne; i++)
		if (g->e[i].from == from && g->e[i].to == to)
			return 0;
	if (vec_grow((void **)&g->e, &g->cape, g->ne + 1, sizeof(*g->e), 16))
		return -ENOMEM;
	e = &g->e[g->ne++];
	e->from = from;
	e->to = to;
	snprintf(e->evidence, sizeof(e->evidence), "%s", evidence ? evidence : "");
	return 0;
}

static int cmp_edge(const void *a, const void *b)
{
	const struct dl_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

int dl_graph_finish(struct dl_graph *g)
{
	if (g->ne)
		qsort(g->e, g->ne, sizeof(*g->e), cmp_edge);
	for (size_t i = 0; i < g->ne; i++) {
		struct dl_thread *t = &g->t[g->e[i].from];

		if (!t->nedges++)
			t->first_edge = i;
	}
	g->finished = true;
	return 0;
}

static int chain_push(struct dl_chain *c, size_t th, size_t edge, size_t cap)
{
	if (c->n >= cap)
		return -EOVERFLOW;
	c->th[c->n] = th;
	c->edge[c->n] = edge;
	c->n++;
	return 0;
}

static int chain_alloc(struct dl_chain *c, size_t cap)
{
	c->n = 0;
	c->th = calloc(cap, sizeof(*c->th));
	c->edge = calloc(cap, sizeof(*c->edge));
	return c->th && c->edge ? 0 : -ENOMEM;
}

static void chain_free(struct dl_chain *c)
{
	free(c->th);
	free(c->edge);
}

/* Rotate a cycle so that its thread with the smallest (pid, tid) comes first:
 * the same cycle always prints the same way. */
static void rotate_cycle(const struct dl_graph *g, struct dl_chain *c)
{
	size_t best = 0, k;

	for (size_t i = 1; i < c->n; i++) {
		const struct dl_thread *a = &g->t[c->th[i]], *b = &g->t[c->th[best]];

		if (a->pid < b->pid || (a->pid == b->pid && a->tid < b->tid))
			best = i;
	}
	for (k = 0; k < best; k++) {
		size_t th = c->th[0], ed = c->edge[0];

		memmove(c->th, c->th + 1, (c->n - 1) * sizeof(*c->th));
		memmove(c->edge, c->edge + 1, (c->n - 1) * sizeof(*c->edge));
		c->th[c->n - 1] = th;
		c->edge[c->n - 1] = ed;
	}
}

static int add_chain(struct dl_chain **v, size_t *n, struct dl_chain *c)
{
	struct dl_chain *p = realloc(*v, (*n + 1) * sizeof(**v));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[(*n)++] = *c;
	return 0;
}

/* Deadlocked set: start with every blocked thread that has edges, drop the
 * ones with an edge leaving the set, until nothing changes. */
static void dead_set(const struct dl_graph *g, bool *dead)
{
	bool changed = true;

	for (size_t i = 0; i < g->nt; i++)
		dead[i] = g->t[i].kind != DL_K_NONE && g->t[i].nedges > 0 && !g->t[i].external;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < g->nt; i++) {
			const struct dl_thread *t = &g->t[i];

			if (!dead[i])
				continue;
			for (size_t e = t->first_edge; e < t->first_edge + t->nedges; e++)
				if (!dead[g->e[e].to]) {
					dead[i] = false;
					changed = true;
					break;
				}
		}
	}
}

static int find_cycles(const struct dl_graph *g, const bool *dead, size_t *walk, bool *oncycle,
		       struct dl_result *r)
{
	for (size_t s = 0; s < g->nt; s++) {
		size_t i = s, id = s + 1;
		struct dl_chain c;
		int rc;

		if (!dead[s] || walk[s])
			continue;
		while (!walk[i]) {
			walk[i] = id;
			i = g->e[g->t[i].first_edge].to;	/* every dead thread has edges, all dead */
		}
		if (walk[i] != id)
			continue;	/* joined an earlier walk: waits behind it */
		rc = chain_alloc(&c, g->nt);
		for (size_t j = i; !rc; ) {
			size_t e = g->t[j].first_edge;

			rc = chain_push(&c, j, e, g->nt);
			oncycle[j] = true;
			j = g->e[e].to;
			if (j == i)
				break;
		}
		if (!rc) {
			rotate_cycle(g, &c);
			rc = add_chain(&r->cycles, &r->ncycles, &c);
		}
		if (rc) {
			chain_free(&c);
			return rc;
		}
	}
	return 0;
}

/* A stalled thread's next hop: prefer a thread that can still move (the
 * reason it is a stall), then one outside the deadlocked set. */
static size_t stall_next(const struct dl_graph *g, const bool *dead, size_t i)
{
	const struct dl_thread *t = &g->t[i];
	size_t best = t->first_edge;

	for (size_t e = t->first_edge; e < t->first_edge + t->nedges; e++) {
		const struct dl_thread *to = &g->t[g->e[e].to];

		if (to->kind == DL_K_NONE || !to->nedges || to->external)
			return e;
		if (!dead[g->e[e].to] && dead[g->e[best].to])
			best = e;
	}
	return best;
}

static int stall_from(const struct dl_graph *g, const bool *dead, const bool *oncycle, bool *covered,
		      size_t head, struct dl_result *r)
{
	struct dl_chain c;
	size_t i = head;
	int rc = chain_alloc(&c, g->nt);

	while (!rc) {
		const struct dl_thread *t = &g->t[i];
		size_t e;

		covered[i] = true;
		if (t->kind == DL_K_NONE || !t->nedges || t->external || oncycle[i]) {
			rc = chain_push(&c, i, (size_t)-1, g->nt);
			break;
		}
		e = stall_next(g, dead, i);
		rc = chain_push(&c, i, e, g->nt);
		i = g->e[e].to;
		for (size_t k = 0; !rc && k < c.n; k++)
			if (c.th[k] == i) {	/* a loop that someone outside can break */
				c.edge[c.n - 1] = e;
				goto done;
			}
	}
done:
	if (!rc)
		rc = add_chain(&r->stalls, &r->nstalls, &c);
	if (rc)
		chain_free(&c);
	return rc;
}

int dl_analyse(const struct dl_graph *g, struct dl_result *r)
{
	bool *dead = calloc(g->nt + 1, sizeof(bool)), *oncycle = calloc(g->nt + 1, sizeof(bool));
	bool *covered = calloc(g->nt + 1, sizeof(bool)), *pointed = calloc(g->nt + 1, sizeof(bool));
	size_t *walk = calloc(g->nt + 1, sizeof(size_t));
	int rc = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!dead || !oncycle || !covered || !pointed || !walk || !g->finished)
		goto out;
	dead_set(g, dead);
	rc = find_cycles(g, dead, walk, oncycle, r);
	/* a stalled thread's chosen hop is not a head: the chain through it is */
	for (size_t i = 0; !rc && i < g->nt; i++)
		if (!oncycle[i] && g->t[i].kind != DL_K_NONE && g->t[i].nedges && !g->t[i].external)
			pointed[g->e[stall_next(g, dead, i)].to] = true;
	/* heads first (nobody stalled waits for them), then leftovers in loops */
	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t i = 0; i < g->nt && !rc; i++) {
			const struct dl_thread *t = &g->t[i];

			/* a thread that can be woken from outside heads no stall */
			if (t->kind == DL_K_NONE || !t->nedges || t->external || oncycle[i] || covered[i])
				continue;
			if (pass == 0 && pointed[i])
				continue;
			rc = stall_from(g, dead, oncycle, covered, i, r);
		}
out:
	free(dead);
	free(oncycle);
	free(covered);
	free(pointed);
	free(walk);
	if (rc)
		dl_result_fini(r);
	return rc;
}

void dl_result_fini(struct dl_result *r)
{
	for (size_t i = 0; i < r->ncycles; i++)
		chain_free(&r->cycles[i]);
	for (size_t i = 0; i < r->nstalls; i++)
		chain_free(&r->stalls[i]);
	free(r->cycles);
	free(r->stalls);
	memset(r, 0, sizeof(*r));
}

const char *dl_verdict_name(enum dl_verdict v)
{
	return v == DL_V_DEADLOCK ? "deadlock" : v == DL_V_SUSPECTED ? "suspected" : "none";
}

enum dl_verdict dl_verdict_of(const struct dl_graph *g, const struct dl_result *r, int64_t threshold_ns)
{
	bool suspect = false;

	if (r->ncycles)
		return DL_V_DEADLOCK;
	for (size_t i = 0; i < g->nt; i++) {
		const struct dl_thread *t = &g->t[i];

		if (!t->named)
			continue;
		/* one of them can still act (it runs, its wait times out, or someone
		 * who is not a latch's unknown setter can wake it): it may release the lock */
		if (t->state == 'R' || t->kind == DL_K_NONE || t->timed || (t->external && !t->owner_unknown))
			return DL_V_NONE;
		if (t->owner_unknown && !t->timed && t->idle_ns >= 0 && t->idle_ns >= threshold_ns)
			suspect = true;
	}
	return suspect ? DL_V_SUSPECTED : DL_V_NONE;
}
