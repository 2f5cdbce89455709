/* locks.c - lock owners, waiters and the lock-order graph from the lock uprobes (locks.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/locks.h"

struct pair_key {
	uint32_t a, b;
};

int dl_locks_init(struct dl_locks *s, dl_inversion_cb cb, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->on_inversion = cb;
	s->ctx = ctx;
	if (hashmap_init(&s->locks, sizeof(struct dl_lock_key)) ||
	    hashmap_init(&s->threads, sizeof(pid_t)) ||
	    hashmap_init(&s->orders, sizeof(struct pair_key)) ||
	    hashmap_init(&s->pairs, sizeof(struct pair_key)))
		return -EINVAL;
	return 0;
}

static void clear_tables(struct dl_locks *s)
{
	size_t it = 0;
	void *v;

	while (hashmap_next(&s->locks, &it, NULL, &v))
		free(((struct dl_lock *)v)->out);
	hashmap_fini_free(&s->locks);
	hashmap_fini_free(&s->threads);
	hashmap_fini_free(&s->orders);
	hashmap_fini(&s->pairs);	/* values are not allocated */
	hashmap_init(&s->locks, sizeof(struct dl_lock_key));
	hashmap_init(&s->threads, sizeof(pid_t));
	hashmap_init(&s->orders, sizeof(struct pair_key));
	hashmap_init(&s->pairs, sizeof(struct pair_key));
	s->nlocks = 0;
}

void dl_locks_fini(struct dl_locks *s)
{
	clear_tables(s);
	hashmap_fini(&s->locks);
	hashmap_fini(&s->threads);
	hashmap_fini(&s->orders);
	hashmap_fini(&s->pairs);
	free(s->byid);
	free(s->inv);
	memset(s, 0, sizeof(*s));
}

const char *dl_lock_kind_name(uint8_t kind)
{
	switch (kind) {
	case IPCS_LOCKK_MUTEX: return "mutex";
	case IPCS_LOCKK_RWLOCK: return "rwlock";
	case IPCS_LOCKK_SEM: return "semaphore";
	}
	return "lock";
}

static uint8_t fn_mode(uint8_t fn)
{
	return fn >= IPCS_LOCKF_RW_RDLOCK && fn <= IPCS_LOCKF_RW_CLOCKRDLOCK ? DL_LM_READ : DL_LM_EXCL;
}

static struct dl_lock *lock_get(struct dl_locks *s, const struct ipcs_lock_rec *r)
{
	struct dl_lock_key k;
	struct dl_lock *l;

	memset(&k, 0, sizeof(k));
	if (r->key_flags & IPCS_FKEY_SHARED) {
		k.ino = r->key_ino;
		k.off = r->key_off;
		k.dev = r->key_dev;
	} else {
		k.off = r->uaddr;
		k.pid = r->pid;
	}
	l = hashmap_get(&s->locks, &k);
	if (l)
		return l;
	if (s->nlocks >= DL_LOCKS_MAX) {
		clear_tables(s);	/* bounded memory: learn again */
		s->forgotten++;
	}
	if (s->nlocks == s->capid) {
		size_t cap = s->capid ? 2 * s->capid : 64;
		struct dl_lock **v = realloc(s->byid, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->byid = v;
		s->capid = cap;
	}
	l = calloc(1, sizeof(*l));
	if (!l || hashmap_put(&s->locks, &k, l, NULL)) {
		free(l);
		return NULL;
	}
	l->key = k;
	l->id = (uint32_t)s->nlocks;
	l->kind = r->kind;
	l->upid = (pid_t)r->pid;
	l->uaddr = r->uaddr;
	s->byid[s->nlocks++] = l;
	return l;
}

static struct dl_lthread *thread_get(struct dl_locks *s, const struct ipcs_lock_rec *r)
{
	pid_t tid = (pid_t)r->tid;
	struct dl_lthread *t = hashmap_get(&s->threads, &tid);

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || hashmap_put(&s->threads, &tid, t, NULL)) {
			free(t);
			return NULL;
		}
	}
	t->pid = (pid_t)r->pid;
	t->tid = tid;
	memcpy(t->comm, r->comm, sizeof(t->comm));
	return t;
}

static void taken_from(struct dl_taken *at, const struct ipcs_lock_rec *r)
{
	memset(at, 0, sizeof(*at));
	at->pid = (pid_t)r->pid;
	at->tid = (pid_t)r->tid;
	memcpy(at->comm, r->comm, sizeof(at->comm));
	at->mode = fn_mode(r->fn);
	at->fn = r->fn;
	at->ts_ns = r->h.ts_ns;
	at->nstack = r->nstack <= IPCS_LOCK_STACK ? r->nstack : IPCS_LOCK_STACK;
	memcpy(at->stack, r->stack, at->nstack * sizeof(at->stack[0]));
}

static struct dl_held *held_of(struct dl_lthread *t, const struct dl_lock *l)
{
	for (size_t i = 0; i < t->nheld; i++)
		if (t->held[i].l == l)
			return &t->held[i];
	return NULL;
}

static void unhold(struct dl_lthread *t, struct dl_held *h)
{
	*h = t->held[--t->nheld];
}

/* Each thread holding l loses it (a semaphore that turned out to count). */
static void drop_holders(struct dl_locks *s, const struct dl_lock *l)
{
	size_t it = 0;
	void *v;
	struct dl_held *h;

	while (hashmap_next(&s->threads, &it, NULL, &v))
		while ((h = held_of(v, l)))
			unhold(v, h);
}

/* Would two threads block each other: one holds a lock in mode held, the other wants it in want? */
static bool conflict(uint8_t held, uint8_t want)
{
	return held == DL_LM_EXCL || want == DL_LM_EXCL;
}

/* Is there a path from -> ... -> to in the order graph? *first: its first edge. */
static bool reaches(struct dl_locks *s, struct dl_lock *from, struct dl_lock *to, struct dl_order **first,
		    size_t *len)
{
	uint32_t *stack, *depth;
	struct dl_order **via;
	unsigned char *seen;
	size_t n = 0, visited = 0;
	bool found = false;

	stack = malloc(DL_LOCKS_DFS * sizeof(*stack));
	depth = malloc(DL_LOCKS_DFS * sizeof(*depth));
	via = malloc(DL_LOCKS_DFS * sizeof(*via));
	seen = calloc(s->nlocks, 1);
	if (!stack || !depth || !via || !seen)
		goto out;
	stack[n] = from->id;
	depth[n] = 0;
	via[n++] = NULL;
	seen[from->id] = 1;
	while (n && !found && visited++ < DL_LOCKS_DFS) {
		uint32_t id = stack[--n], d = depth[n];
		struct dl_order *f = via[n];
		struct dl_lock *l = s->byid[id];

		for (size_t i = 0; i < l->nout && !found; i++) {
			struct dl_order *o = l->out[i];

			if (o->to->counting || o->from->counting)
				continue;	/* became a signal since */
			if (o->to == to) {
				*first = f ? f : o;
				*len = d + 2;
				found = true;
			} else if (!seen[o->to->id] && n < DL_LOCKS_DFS) {
				seen[o->to->id] = 1;
				stack[n] = o->to->id;
				depth[n] = d + 1;
				via[n++] = f ? f : o;
			}
		}
	}
out:
	free(stack);
	free(depth);
	free(via);
	free(seen);
	return found;
}

static struct dl_lockref ref(const struct dl_lock *l)
{
	return (struct dl_lockref){ .key = l->key, .kind = l->kind, .upid = l->upid, .uaddr = l->uaddr };
}

static int report(struct dl_locks *s, struct dl_order *o)
{
	struct dl_order *first = NULL;
	struct pair_key pk;
	struct dl_inversion inv;
	size_t len = 0;

	if (!reaches(s, o->to, o->from, &first, &len))
		return 0;
	/* ABBA: both threads must block, given how each holds and wants its lock */
	if (len == 2 && !(conflict(first->held.mode, o->taken.mode) &&
			  conflict(o->held.mode, first->taken.mode)))
		return 0;
	pk.a = o->from->id < o->to->id ? o->from->id : o->to->id;
	pk.b = o->from->id < o->to->id ? o->to->id : o->from->id;
	if (hashmap_get(&s->pairs, &pk))
		return 0;
	if (hashmap_put(&s->pairs, &pk, s, NULL))
		return -ENOMEM;
	inv = (struct dl_inversion){ .a = ref(o->from), .b = ref(o->to), .via = ref(first->to),
				     .first_held = first->held, .first_taken = first->taken,
				     .second_held = o->held, .second_taken = o->taken, .n = len };
	if (s->ninv == s->capinv) {
		size_t cap = s->capinv ? 2 * s->capinv : 8;
		struct dl_inversion *v = realloc(s->inv, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->inv = v;
		s->capinv = cap;
	}
	s->inv[s->ninv++] = inv;
	if (s->on_inversion)
		s->on_inversion(&inv, s->ctx);
	return 0;
}

/* t took l (at) while holding h: the order h -> l, new ones checked for a cycle. */
static int add_order(struct dl_locks *s, const struct dl_held *h, struct dl_lock *l, const struct dl_taken *at)
{
	struct pair_key k = { h->l->id, l->id };
	struct dl_order *o;

	if (hashmap_get(&s->orders, &k))
		return 0;
	if (h->l->nout == h->l->capout) {
		size_t cap = h->l->capout ? 2 * h->l->capout : 4;
		struct dl_order **v = realloc(h->l->out, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->l->out = v;
		h->l->capout = cap;
	}
	o = malloc(sizeof(*o));
	if (!o || hashmap_put(&s->orders, &k, o, NULL)) {
		free(o);
		return -ENOMEM;
	}
	*o = (struct dl_order){ .from = h->l, .to = l, .held = h->at, .taken = *at };
	h->l->out[h->l->nout++] = o;
	return report(s, o);
}

static int acquired(struct dl_locks *s, struct dl_lthread *t, struct dl_lock *l,
		    const struct ipcs_lock_rec *r)
{
	struct dl_held *h = held_of(t, l);
	struct dl_taken at;
	int err = 0;

	/* A semaphore that still counts after a wait is not a lock. */
	if (l->kind == IPCS_LOCKK_SEM && r->word >= 1 && !l->counting) {
		l->counting = true;
		drop_holders(s, l);
	}
	if (l->counting)
		return 0;
	if (h) {
		h->count++;
		return 0;
	}
	taken_from(&at, r);
	for (size_t i = 0; !err && i < t->nheld; i++)
		if (!t->held[i].l->counting)
			err = add_order(s, &t->held[i], l, &at);
	if (t->nheld < DL_LOCKS_HELD)
		t->held[t->nheld++] = (struct dl_held){ .l = l, .count = 1, .at = at };
	return err;
}

static void released(struct dl_locks *s, struct dl_lthread *t, struct dl_lock *l,
		     const struct ipcs_lock_rec *r)
{
	struct dl_held *h = held_of(t, l);

	/* sem_post by a thread that does not hold it is a signal (a producer,
	 * the waiter lock of a Python Condition), and a post that raises the
	 * count past 1 makes a counter: neither is a lock, names an owner or
	 * takes part in an order. (A mutex unlocked by a non-owner: its take was
	 * not seen.) */
	if (l->kind == IPCS_LOCKK_SEM && !l->counting && (!h || r->word >= 1)) {
		l->counting = true;
		drop_holders(s, l);
		return;
	}
	if (h && --h->count == 0)
		unhold(t, h);
}

int dl_locks_add(struct dl_locks *s, const struct ipcs_lock_rec *r)
{
	struct dl_lthread *t;
	struct dl_lock *l;

	s->records++;
	l = lock_get(s, r);
	t = l ? thread_get(s, r) : NULL;
	if (!t)
		return -ENOMEM;
	switch (r->phase) {
	case IPCS_LOCKP_ATTEMPT:
		l->attempts++;
		t->pending = l;
		t->pending_fn = r->fn;
		t->pending_ns = r->h.ts_ns;
		return 0;
	case IPCS_LOCKP_ACQUIRED:
		l->acquired++;
		if (t->pending == l)
			t->pending = NULL;
		return acquired(s, t, l, r);
	case IPCS_LOCKP_FAILED:
		l->failed++;
		if (t->pending == l)
			t->pending = NULL;
		return 0;
	case IPCS_LOCKP_RELEASED:
		l->released++;
		released(s, t, l, r);
		return 0;
	}
	return 0;
}

void dl_locks_proc_exit(struct dl_locks *s, pid_t pid)
{
	size_t it = 0;
	void *v;

	while (hashmap_next(&s->threads, &it, NULL, &v)) {
		struct dl_lthread *t = v;

		if (t->pid == pid)
			free(hashmap_del(&s->threads, &t->tid));
	}
}

const struct dl_lthread *dl_locks_thread(const struct dl_locks *s, pid_t tid)
{
	return hashmap_get(&s->threads, &tid);
}

pid_t dl_locks_holder(const struct dl_locks *s, pid_t pid, pid_t tid, const char **evidence,
		      bool (*blocked)(pid_t tid, void *ctx), void *ctx)
{
	const struct dl_lthread *t = hashmap_get(&s->threads, &tid);
	pid_t any = 0;
	size_t it = 0;
	void *v;

	if (!t || t->pid != pid || !t->pending || t->pending->counting)
		return 0;
	while (hashmap_next(&s->threads, &it, NULL, &v)) {
		const struct dl_lthread *o = v;

		if (o->tid == tid)
			continue;
		for (size_t i = 0; i < o->nheld; i++) {
			if (o->held[i].l != t->pending)
				continue;
			/* readers do not block a reader */
			if (o->held[i].at.mode == DL_LM_READ && fn_mode(t->pending_fn) == DL_LM_READ)
				continue;
			if (!any || (blocked && blocked(o->tid, ctx)))
				any = o->tid;
			if (blocked && blocked(o->tid, ctx))
				goto found;
		}
	}
found:
	if (any)
		*evidence = DL_EVID_LOCK_HOLDER;
	return any;
}
