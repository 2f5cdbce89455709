/* blocked.c - bookkeeping of threads blocked now, for --watch and the recorder. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/blocked.h"
#include "util/vec.h"

struct seen_key {
	int32_t tid;
	uint32_t pad;
	uint64_t ts;
};

#define CYCLE_KEY_MAX 16	/* threads of a cycle that make its key */

struct cycle_key {
	struct seen_key t[CYCLE_KEY_MAX];
};

int dl_blockset_init(struct dl_blockset *b)
{
	memset(b, 0, sizeof(*b));
	if (hashmap_init(&b->seen, sizeof(struct seen_key)) || hashmap_init(&b->reported, sizeof(struct cycle_key)))
		return -EINVAL;
	return 0;
}

void dl_blockset_fini(struct dl_blockset *b)
{
	hashmap_fini(&b->seen);
	hashmap_fini(&b->reported);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

void dl_blockset_clear(struct dl_blockset *b)
{
	b->n = 0;
}

int dl_blockset_add(struct dl_blockset *b, pid_t tid, const struct ipcs_inflight *in)
{
	if (vec_grow((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v), 64))
		return -ENOMEM;
	b->v[b->n].tid = tid;
	b->v[b->n].fresh = false;
	b->v[b->n].in = *in;
	b->n++;
	return 0;
}

int dl_blockset_add_cb(__u32 tid, const struct ipcs_inflight *in, void *blockset)
{
	return dl_blockset_add(blockset, (pid_t)tid, in);
}

static int cmp_tid(const void *x, const void *y)
{
	const struct dl_blocked *a = x, *b = y;

	return (a->tid > b->tid) - (a->tid < b->tid);
}

void dl_blockset_sort(struct dl_blockset *b)
{
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_tid);
	/* one entry per thread, whatever the caller added */
	size_t w = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!w || b->v[w - 1].tid != b->v[i].tid)
			b->v[w++] = b->v[i];
	b->n = w;
}

const struct dl_blocked *dl_blockset_get(const struct dl_blockset *b, pid_t tid)
{
	struct dl_blocked key = { .tid = tid };

	if (!b->n)
		return NULL;
	return bsearch(&key, b->v, b->n, sizeof(*b->v), cmp_tid);
}

int64_t dl_blockset_wait_ns(const struct dl_blockset *b, pid_t tid, uint64_t now_ns)
{
	const struct dl_blocked *e = dl_blockset_get(b, tid);

	if (!e || e->in.ts > now_ns)
		return e ? 0 : -1;
	return (int64_t)(now_ns - e->in.ts);
}

long dl_blockset_crossed(struct dl_blockset *b, uint64_t now_ns, uint64_t threshold_ns)
{
	long fresh = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct dl_blocked *e = &b->v[i];
		struct seen_key k;

		if (e->in.ts > now_ns || now_ns - e->in.ts < threshold_ns)
			continue;
		memset(&k, 0, sizeof(k));
		k.tid = e->tid;
		k.ts = e->in.ts;
		if (hashmap_get(&b->seen, &k))
			continue;
		if (hashmap_put(&b->seen, &k, (void *)1, NULL))
			return -ENOMEM;
		e->fresh = true;
		fresh++;
	}
	return fresh;
}

bool dl_cycle_all_long(const struct dl_graph *g, const struct dl_chain *c, uint64_t threshold_ns)
{
	for (size_t i = 0; i < c->n; i++) {
		int64_t ns = g->t[c->th[i]].ns;

		if (ns < 0 || (uint64_t)ns < threshold_ns)
			return false;
	}
	return true;
}

static int cmp_seen(const void *x, const void *y)
{
	const struct seen_key *a = x, *b = y;

	return (a->tid > b->tid) - (a->tid < b->tid);
}

bool dl_cycle_first_time(struct dl_blockset *b, const struct dl_graph *g, const struct dl_chain *c)
{
	struct cycle_key k;
	size_t n = c->n < CYCLE_KEY_MAX ? c->n : CYCLE_KEY_MAX;

	memset(&k, 0, sizeof(k));
	for (size_t i = 0; i < n; i++) {
		const struct dl_blocked *e = dl_blockset_get(b, g->t[c->th[i]].tid);

		k.t[i].tid = g->t[c->th[i]].tid;
		k.t[i].ts = e ? e->in.ts : 0;
	}
	qsort(k.t, n, sizeof(k.t[0]), cmp_seen);
	if (hashmap_get(&b->reported, &k))
		return false;
	/* a full table only means a cycle may be reported twice */
	(void)hashmap_put(&b->reported, &k, (void *)1, NULL);
	return true;
}
