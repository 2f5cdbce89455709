/*
 * futex.c - futex conversations from IPCS_REC_FUTEX records.
 *
 * Pairing rule: a wake that returned n > 0 woke n waiters of its key. A wait
 * that returned 0 was woken: it pairs with the most recent wake of the same
 * key that still has woken waiters unaccounted for. The waiter's exit record
 * may arrive before the waker's (another CPU), so a woken wait with no wake
 * to pair waits on its key as pending, and the next wake pays pending waits
 * first. Keys exist only while something is queued on them, so memory is
 * bounded by the queue caps, not by how many futexes a program touches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_int.h"
#include "model/model_futex.h"

#define FUTEX_QUEUE_MAX 256	/* per key: pending wakes or waits */
#define FUTEX_MOVES_MAX 16	/* per key: requeues whose moved waiters are not yet seen */
#define FUTEX_REDIRECT_MAX 4	/* requeue hops followed for one wait */

struct fkey {
	__u64 ino;
	__u64 off;
	__u32 dev;
	__u32 pid;	/* private: owner process; shared: 0 */
};

/* The pair unordered: (lo, hi) process ids. */
struct fconv_key {
	struct fkey k;
	__u64 lo_id;
	__u64 hi_id;
};

/* A wake with woken waiters not yet matched, or a woken wait not yet paid. */
struct fitem {
	struct mproc *proc;
	__u64 n;	/* wake: waiters left; wait: blocked ns */
	__u64 seq;	/* wake identity */
	__u64 ts;
	__u32 owner;	/* wait: PI lock owner's TID it waited for, 0 = none */
	__u32 tid;	/* the calling thread */
	__u64 dur;	/* wake: the call's blocked ns (its slice) */
};

/* A requeue moved n waiters of this key to key `to`. */
struct fmove {
	struct fkey to;
	__u64 n;
};

struct fchan {
	struct fitem wakes[FUTEX_QUEUE_MAX];	/* ring, newest at the end */
	size_t wake_head, nwakes;
	struct fitem waits[FUTEX_QUEUE_MAX];	/* ring, oldest first */
	size_t wait_head, nwaits;
	struct fmove moves[FUTEX_MOVES_MAX];	/* oldest first */
	size_t nmoves;
};

struct fdir {
	struct model_futex_dir d;
	__u64 last_seq;		/* last wake counted */
};

struct fconv {
	struct fconv_key key;
	struct mproc *a, *b;	/* a: the first waker */
	struct fdir ab, ba;
	__u64 first_ns, last_ns;
	__u32 owner_tid;	/* PI: the lock owner's TID the last paired wait waited for */
};

struct futex_tab {
	struct hashmap chans;	/* fkey -> fchan */
	struct hashmap convs;	/* fconv_key -> fconv */
	__u64 next_seq;
	/* The last emptied fchan, kept for the next key: a wake before its wait
	 * makes and drops one per call, and a calloc of one is ~3 KiB of memset. */
	struct fchan *spare;
	model_futex_pair_cb pair_cb;	/* each wake -> wait found (exporters' flows) */
	void *pair_ctx;
};

void model_set_futex_pair_cb(struct model *m, model_futex_pair_cb cb, void *ctx)
{
	if (!m || !m->futex)
		return;
	m->futex->pair_cb = cb;
	m->futex->pair_ctx = ctx;
}

/* A wake and the wait it ended, both seen: tell the observer. */
static int tell_pair(struct model *m, const struct fitem *wake, const struct fitem *wait,
		     __u64 wait_blocked)
{
	struct futex_tab *t = m->futex;
	struct model_futex_pair fp;

	if (!t->pair_cb)
		return 0;
	memset(&fp, 0, sizeof(fp));
	fp.waker = wake->proc->ref;
	fp.waker_tid = wake->tid;
	fp.wake_ts = wake->ts;
	fp.wake_ns = wake->dur;
	fp.waiter = wait->proc->ref;
	fp.waiter_tid = wait->tid;
	fp.wait_ts = wait->ts;
	fp.wait_ns = wait_blocked;
	return t->pair_cb(&fp, t->pair_ctx);
}

int futex_init(struct model *m)
{
	struct futex_tab *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = hashmap_init(&t->chans, sizeof(struct fkey));
	if (!err)
		err = hashmap_init(&t->convs, sizeof(struct fconv_key));
	if (err) {
		hashmap_fini(&t->chans);
		free(t);
		return err;
	}
	m->futex = t;
	return 0;
}

static void fchan_free(struct fchan *c)
{
	for (size_t i = 0; i < c->nwakes; i++)
		proc_unref(c->wakes[(c->wake_head + i) % FUTEX_QUEUE_MAX].proc);
	for (size_t i = 0; i < c->nwaits; i++)
		proc_unref(c->waits[(c->wait_head + i) % FUTEX_QUEUE_MAX].proc);
	free(c);
}

void futex_fini(struct model *m)
{
	struct futex_tab *t = m->futex;
	size_t it = 0;
	void *v;

	if (!t)
		return;
	while (hashmap_next(&t->chans, &it, NULL, &v))
		fchan_free(v);
	it = 0;
	while (hashmap_next(&t->convs, &it, NULL, &v)) {
		struct fconv *c = v;

		proc_unref(c->a);
		proc_unref(c->b);
		free(c);
	}
	hashmap_fini(&t->chans);
	hashmap_fini(&t->convs);
	free(t->spare);
	free(t);
	m->futex = NULL;
}

/* waker woke nwaits (0 or 1) waits of waiter, blocked ns, by wake seq. */
static int conv_pair(struct model *m, const struct fkey *k, struct mproc *waker,
		     struct mproc *waiter, __u64 seq, __u64 nwaits, __u64 blocked, __u64 ts,
		     __u32 owner)
{
	struct futex_tab *t = m->futex;
	struct fconv_key ck;
	struct fconv *c;
	struct fdir *d;
	int err;

	memset(&ck, 0, sizeof(ck));
	ck.k = *k;
	ck.lo_id = waker->id < waiter->id ? waker->id : waiter->id;
	ck.hi_id = waker->id < waiter->id ? waiter->id : waker->id;
	c = hashmap_get(&t->convs, &ck);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		c->key = ck;
		c->a = proc_ref(waker);
		c->b = proc_ref(waiter);
		c->first_ns = ts;
		err = hashmap_put(&t->convs, &ck, c, NULL);
		if (err) {
			proc_unref(c->a);
			proc_unref(c->b);
			free(c);
			return err;
		}
		m->kinds[IPCS_KIND_FUTEX].convs++;
	}
	d = c->a == waker ? &c->ab : &c->ba;
	/* An unseen waker's wakes are unknown: only its waits count. */
	if (waker->id && (!d->d.wakes || d->last_seq != seq)) {
		d->d.wakes++;
		m->kinds[IPCS_KIND_FUTEX].msgs++;
		d->last_seq = seq;
	}
	d->d.waits += nwaits;
	d->d.wait_ns += blocked;
	if (owner)
		c->owner_tid = owner;
	if (ts > c->last_ns)
		c->last_ns = ts;
	if (!c->first_ns || ts < c->first_ns)
		c->first_ns = ts;
	return 0;
}

static int chan_get_or_new(struct futex_tab *t, const struct fkey *k, struct fchan **out)
{
	struct fchan *c = hashmap_get(&t->chans, k);
	int err;

	if (!c) {
		c = t->spare ? t->spare : calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		t->spare = NULL;
		err = hashmap_put(&t->chans, k, c, NULL);
		if (err) {
			free(c);
			return err;
		}
	}
	*out = c;
	return 0;
}

static void chan_drop_if_empty(struct futex_tab *t, const struct fkey *k, struct fchan *c)
{
	if (c->nwakes || c->nwaits || c->nmoves)
		return;
	hashmap_del(&t->chans, k);
	/* Empty: the counts are zero, so the rings' stale items are never read. */
	c->wake_head = c->wait_head = 0;
	if (t->spare)
		free(c);
	else
		t->spare = c;
}

static int wake_apply(struct model *m, const struct fkey *k, struct mproc *p,
		      __u64 n, __u64 ts, __u32 tid, __u64 dur)
{
	struct fitem self = { .proc = p, .ts = ts, .tid = tid, .dur = dur };
	struct futex_tab *t = m->futex;
	__u64 seq = ++t->next_seq;
	struct fchan *c = hashmap_get(&t->chans, k);
	struct fitem *it;
	int err = 0;

	/* Waits whose records came first are paid first, oldest first. */
	while (c && c->nwaits && n) {
		it = &c->waits[c->wait_head];
		err = conv_pair(m, k, p, it->proc, seq, 1, it->n, it->ts, it->owner);
		if (!err)
			err = tell_pair(m, &self, it, it->n);
		proc_unref(it->proc);
		c->wait_head = (c->wait_head + 1) % FUTEX_QUEUE_MAX;
		c->nwaits--;
		n--;
		if (err)
			return err;
	}
	if (n) {
		err = chan_get_or_new(t, k, &c);
		if (err)
			return err;
		if (c->nwakes == FUTEX_QUEUE_MAX) {	/* oldest wake: its waiters went unseen */
			it = &c->wakes[c->wake_head];
			err = conv_pair(m, k, it->proc, &m->unobserved, it->seq, 0, 0, it->ts, 0);
			proc_unref(it->proc);
			c->wake_head = (c->wake_head + 1) % FUTEX_QUEUE_MAX;
			c->nwakes--;
		}
		c->wakes[(c->wake_head + c->nwakes++) % FUTEX_QUEUE_MAX] =
			(struct fitem){ proc_ref(p), n, seq, ts, 0, tid, dur };
	}
	if (c)
		chan_drop_if_empty(t, k, c);
	return err;
}

/* A requeue moved waiters of k away: the next unexplained wait of k follows one. */
static bool take_move(struct futex_tab *t, const struct fkey *k, struct fkey *to)
{
	struct fchan *c = hashmap_get(&t->chans, k);

	if (!c || c->nwakes || !c->nmoves)
		return false;
	*to = c->moves[0].to;
	if (--c->moves[0].n == 0) {
		memmove(&c->moves[0], &c->moves[1], (c->nmoves - 1) * sizeof(c->moves[0]));
		c->nmoves--;
	}
	chan_drop_if_empty(t, k, c);
	return true;
}

static int wait_apply(struct model *m, const struct fkey *k0, struct mproc *p,
		      __u64 blocked, __u64 ts, __u32 owner, __u32 tid)
{
	struct fitem self = { .proc = p, .n = blocked, .ts = ts, .owner = owner, .tid = tid };
	struct futex_tab *t = m->futex;
	struct fkey k = *k0, to;
	struct fchan *c;
	struct fitem *it;
	int err;

	/* A waiter requeued to another futex was woken there (no record says so). */
	for (int hop = 0; hop < FUTEX_REDIRECT_MAX && take_move(t, &k, &to); hop++)
		k = to;
	c = hashmap_get(&t->chans, &k);
	if (c && c->nwakes) {	/* the most recent wake with waiters left */
		it = &c->wakes[(c->wake_head + c->nwakes - 1) % FUTEX_QUEUE_MAX];
		err = conv_pair(m, &k, it->proc, p, it->seq, 1, blocked, ts, owner);
		if (!err)
			err = tell_pair(m, it, &self, blocked);
		if (--it->n == 0) {
			proc_unref(it->proc);
			c->nwakes--;
		}
		chan_drop_if_empty(t, &k, c);
		return err;
	}
	err = chan_get_or_new(t, &k, &c);
	if (err)
		return err;
	if (c->nwaits == FUTEX_QUEUE_MAX) {	/* oldest wait: its waker went unseen */
		it = &c->waits[c->wait_head];
		err = conv_pair(m, &k, &m->unobserved, it->proc, 0, 1, it->n, it->ts, it->owner);
		proc_unref(it->proc);
		c->wait_head = (c->wait_head + 1) % FUTEX_QUEUE_MAX;
		c->nwaits--;
		if (err)
			return err;
	}
	c->waits[(c->wait_head + c->nwaits++) % FUTEX_QUEUE_MAX] =
		(struct fitem){ proc_ref(p), blocked, 0, ts, owner, tid, 0 };
	return 0;
}

/* n waiters of k now wait on `to`: their waits, when they end, belong there. */
static int move_apply(struct model *m, const struct fkey *k, const struct fkey *to, __u64 n)
{
	struct futex_tab *t = m->futex;
	struct fchan *c;
	int err;

	if (!n || !memcmp(k, to, sizeof(*k)))
		return 0;
	err = chan_get_or_new(t, k, &c);
	if (err)
		return err;
	if (c->nmoves == FUTEX_MOVES_MAX) {	/* oldest: its waiters were never seen */
		memmove(&c->moves[0], &c->moves[1], (c->nmoves - 1) * sizeof(c->moves[0]));
		c->nmoves--;
	}
	c->moves[c->nmoves++] = (struct fmove){ *to, n };
	return 0;
}

/* Woken-waiter count of a wake-type call; 0 for calls that wake no one. */
static __u64 woken_count(const struct ipcs_futex_rec *r, __u32 cmd)
{
	__u64 n = r->ret > 0 ? (__u64)r->ret : 0;

	switch (cmd) {
	case IPCS_FUTEX_WAKE:
	case IPCS_FUTEX_WAKE_BITSET:
	case IPCS_FUTEX_WAKE_OP:	/* woken on both words: counted on the first */
		return n;
	case IPCS_FUTEX_REQUEUE:
	case IPCS_FUTEX_CMP_REQUEUE:	/* ret counts requeued waiters too; val caps the woken */
	case IPCS_FUTEX_CMP_REQUEUE_PI:
		return n < r->val ? n : r->val;
	case IPCS_FUTEX_UNLOCK_PI:	/* the word at exit names the waiter it went to */
		return r->ret == 0 && (r->owner_hint & IPCS_FUTEX_TID_MASK) &&
		       (r->owner_hint & IPCS_FUTEX_TID_MASK) != r->tid;
	}
	return 0;
}

/*
 * Did this LOCK_PI wait for an owner to hand the lock over? It returned 0
 * and the word at enter named another owner (*owner). Programs call LOCK_PI
 * only when their atomic take failed, so when the word could not be read
 * (a page not yet faulted in, e.g. inherited across fork) it counts as a
 * wait for an unknown owner; if none handed it over, flush pairs it with an
 * unobserved waker.
 */
static bool pi_lock_waited(const struct ipcs_futex_rec *r, __u32 cmd, __u32 *owner)
{
	*owner = r->word & IPCS_FUTEX_TID_MASK;
	if ((cmd != IPCS_FUTEX_LOCK_PI && cmd != IPCS_FUTEX_LOCK_PI2) || r->ret != 0)
		return false;
	if (!(r->key_flags & IPCS_FKEY_WORD)) {
		*owner = 0;
		return true;
	}
	return *owner && *owner != r->tid;
}

static void key_of(struct fkey *k, const struct ipcs_futex_rec *r, bool second)
{
	memset(k, 0, sizeof(*k));
	k->off = second ? r->key2_off : r->key_off;
	if ((second ? r->key2_flags : r->key_flags) & IPCS_FKEY_SHARED) {
		k->ino = second ? r->key2_ino : r->key_ino;
		k->dev = second ? r->key2_dev : r->key_dev;
	} else {
		k->pid = r->pid;
	}
}

int futex_apply(struct model *m, const struct ipcs_futex_rec *r)
{
	__u32 cmd = r->op & IPCS_FUTEX_CMD_MASK;
	struct fkey k, k2;
	struct mproc *p;
	bool wait, woken_wait, requeue;
	__u32 owner = 0;
	__u64 woken;
	int err;

	if (!r->pid) {
		m->ignored++;
		return 0;
	}
	wait = cmd == IPCS_FUTEX_WAIT || cmd == IPCS_FUTEX_WAIT_BITSET ||
	       cmd == IPCS_FUTEX_WAIT_REQUEUE_PI || pi_lock_waited(r, cmd, &owner);
	woken = woken_count(r, cmd);
	requeue = (cmd == IPCS_FUTEX_REQUEUE || cmd == IPCS_FUTEX_CMP_REQUEUE ||
		   cmd == IPCS_FUTEX_CMP_REQUEUE_PI) && r->ret > (__s64)woken && r->uaddr2;
	/* futex_waitv returns the index of the futex that woke it. */
	if (wait && r->sys == IPCS_SYS_FUTEX_WAITV && r->ret >= 0 && r->uaddr)
		woken_wait = true;
	else
		woken_wait = wait && r->ret == 0 && r->sys != IPCS_SYS_FUTEX_WAITV;
	if (!woken && !woken_wait && !requeue)
		return 0;	/* nothing changed hands: no conversation */
	err = proc_get(m, r->pid, r->comm, &p);
	if (err)
		return err;
	/* As for other calls: the main thread's comm names the process (prctl). */
	if (r->tid == r->pid && r->comm[0] && strncmp(p->ref.comm, r->comm, IPCS_COMM_LEN))
		proc_set_comm(p, r->comm);
	key_of(&k, r, false);
	if (woken_wait)
		return wait_apply(m, &k, p, r->blocked_ns, r->h.ts_ns, owner, r->tid);
	err = woken ? wake_apply(m, &k, p, woken, r->h.ts_ns, r->tid, r->blocked_ns) : 0;
	if (!err && requeue) {
		key_of(&k2, r, true);
		err = move_apply(m, &k, &k2, (__u64)r->ret - woken);
	}
	return err;
}

int futex_flush(struct model *m)
{
	struct futex_tab *t = m->futex;
	const void *key;
	struct fchan *c;
	struct fitem *it;
	size_t i = 0;
	int err = 0;

	if (!t)
		return 0;
	while (hashmap_next(&t->chans, &i, &key, (void **)&c)) {
		for (; c->nwaits; c->nwaits--, c->wait_head = (c->wait_head + 1) % FUTEX_QUEUE_MAX) {
			it = &c->waits[c->wait_head];
			err = err ? err : conv_pair(m, key, &m->unobserved, it->proc, 0, 1, it->n, it->ts,
						    it->owner);
			proc_unref(it->proc);
		}
		for (; c->nwakes; c->nwakes--, c->wake_head = (c->wake_head + 1) % FUTEX_QUEUE_MAX) {
			it = &c->wakes[c->wake_head];
			/* Waiters never seen: one wake, no waits. */
			err = err ? err : conv_pair(m, key, it->proc, &m->unobserved, it->seq, 0, 0, it->ts, 0);
			proc_unref(it->proc);
		}
	}
	return err;
}

static void futex_fill(const struct model *m, const struct fconv *v, struct model_futex_conv *c)
{
	const char *seg;

	memset(c, 0, sizeof(*c));
	c->shared = v->key.k.pid == 0;
	c->key_pid = v->key.k.pid;
	c->key_dev = v->key.k.dev;
	c->key_ino = v->key.k.ino;
	c->key_off = v->key.k.off;
	if (c->shared)
		snprintf(c->channel, sizeof(c->channel), "futex:[%llu]+%llu",
			 (unsigned long long)c->key_ino, (unsigned long long)c->key_off);
	else
		snprintf(c->channel, sizeof(c->channel), "futex:%u@0x%llx", v->key.k.pid,
			 (unsigned long long)c->key_off);
	c->a = v->a->ref;
	c->b = v->b->ref;
	c->a_to_b = v->ab.d;
	c->b_to_a = v->ba.d;
	c->first_ns = v->first_ns;
	c->last_ns = v->last_ns;
	c->owner_tid = v->owner_tid;
	seg = c->shared ? shm_seg_name(m, c->key_dev, c->key_ino) : NULL;
	if (seg)
		snprintf(c->segment, sizeof(c->segment), "%s", seg);
}

int model_foreach_futex_conv(const struct model *m, model_futex_conv_cb cb, void *ctx)
{
	struct model_futex_conv c;
	size_t it = 0;
	void *v;
	int ret;

	if (!m || !cb)
		return -EINVAL;
	while (hashmap_next(&m->futex->convs, &it, NULL, &v)) {
		futex_fill(m, v, &c);
		ret = cb(&c, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

size_t model_futex_conv_count(const struct model *m)
{
	return m && m->futex ? hashmap_len(&m->futex->convs) : 0;
}
