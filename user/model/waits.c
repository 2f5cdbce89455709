/* waits.c - long waits (IPCS_REC_WAIT) and when they ended. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"
#include "util/vec.h"
#include "model/model_waits.h"

struct waits_tab {
	struct model_wait *v;
	size_t n, cap;
	__u64 lost;
	struct hashmap open;	/* tid -> index + 1 of its wait still blocked */
};

int waits_init(struct model *m)
{
	m->waits = calloc(1, sizeof(*m->waits));
	if (!m->waits)
		return -ENOMEM;
	return hashmap_init(&m->waits->open, sizeof(__u32));
}

void waits_fini(struct model *m)
{
	if (!m->waits)
		return;
	hashmap_fini(&m->waits->open);
	free(m->waits->v);
	free(m->waits);
	m->waits = NULL;
}

static struct model_wait *open_wait(const struct waits_tab *t, __u32 tid)
{
	uintptr_t i = (uintptr_t)hashmap_get(&t->open, &tid);

	return i ? &t->v[i - 1] : NULL;
}

/* The first record putting w in a cycle or stall dates it (flagged_ns). */
static void note_flagged(struct model_wait *w, const struct ipcs_wait_rec *r)
{
	if (!w->flagged_ns && (r->flags & (IPCS_WAITF_CYCLE | IPCS_WAITF_STALL)))
		w->flagged_ns = r->h.ts_ns;
}

int waits_apply(struct model *m, const struct ipcs_wait_rec *r)
{
	struct waits_tab *t = m->waits;
	struct model_wait *w = open_wait(t, r->tid);

	if (w && w->enter_ns == r->enter_ns) {	/* the same call, seen again in a cycle */
		note_flagged(w, r);
		w->flags |= r->flags;
		if (r->group)
			w->group = r->group;
		if (r->holder_tid) {
			w->holder_pid = r->holder_pid;
			w->holder_tid = r->holder_tid;
			memcpy(w->evidence, r->evidence, sizeof(w->evidence));
		}
		return 0;
	}
	if (w)
		w->end_ns = r->enter_ns;	/* a later call: the earlier one ended unseen */
	if (t->n >= MODEL_WAITS_MAX) {
		t->lost++;
		hashmap_del(&t->open, &r->tid);
		return 0;
	}
	if (vec_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v), 64))
		return -ENOMEM;
	w = &t->v[t->n];
	memset(w, 0, sizeof(*w));
	w->found_ns = r->h.ts_ns;
	note_flagged(w, r);
	w->enter_ns = r->enter_ns;
	w->pid = r->pid;
	w->tid = r->tid;
	w->holder_pid = r->holder_pid;
	w->holder_tid = r->holder_tid;
	w->group = r->group;
	w->sys = r->sys;
	w->flags = r->flags;
	memcpy(w->kind, r->kind, sizeof(w->kind));
	memcpy(w->object, r->object, sizeof(w->object));
	memcpy(w->evidence, r->evidence, sizeof(w->evidence));
	memcpy(w->comm, r->comm, sizeof(w->comm));
	t->n++;
	return hashmap_put(&t->open, &r->tid, (void *)(uintptr_t)t->n, NULL);
}

void waits_call_ended(struct model *m, __u32 tid, __u64 ts)
{
	struct model_wait *w;

	if (!m->waits->open.len)	/* every syscall record comes here: no lookup when nothing waits */
		return;
	w = open_wait(m->waits, tid);
	if (!w || ts < w->enter_ns)
		return;
	w->end_ns = ts;
	hashmap_del(&m->waits->open, &tid);
}

void waits_proc_exited(struct model *m, __u32 pid, __u64 ts)
{
	struct waits_tab *t = m->waits;
	const void *key;
	void *val;
	size_t it = 0;

	/* deleting while iterating is safe (hashmap.h) */
	while (hashmap_next(&t->open, &it, &key, &val)) {
		struct model_wait *w = &t->v[(uintptr_t)val - 1];

		if (w->pid == pid) {
			w->end_ns = ts;
			hashmap_del(&t->open, key);
		}
	}
}

int model_foreach_wait(const struct model *m, model_wait_cb cb, void *ctx)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < m->waits->n; i++)
		rc = cb(&m->waits->v[i], ctx);
	return rc;
}

size_t model_wait_count(const struct model *m)
{
	return m->waits->n;
}

size_t model_waits_blocked(const struct model *m)
{
	return hashmap_len(&m->waits->open);
}

__u64 model_waits_lost(const struct model *m)
{
	return m->waits->lost;
}
