/* snapshot.c - copy what the views need out of the model, once per refresh. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_futex.h"
#include "snapshot.h"
#include "view_common.h"
#include "util/vec.h"

struct collect {
	struct snapshot *s;
	size_t cap;
	size_t conv;	/* messages: whose they are */
};

static int collect_conv(const struct model_conv *c, void *ctx)
{
	struct collect *cl = ctx;

	if (vec_grow((void **)&cl->s->convs, &cl->cap, cl->s->nconvs + 1, sizeof(*c), 64))
		return -ENOMEM;
	cl->s->convs[cl->s->nconvs++] = *c;
	return 0;
}

/*
 * A futex conversation as a row of the conversations list: a's wakes that
 * ended b's waits are a's messages to b (no bytes change hands), and the
 * time a side blocked is its waits that the other side ended.
 */
static int collect_futex(const struct model_futex_conv *f, void *ctx)
{
	struct collect *cl = ctx;
	struct model_conv *c;

	if (vec_grow((void **)&cl->s->convs, &cl->cap, cl->s->nconvs + 1, sizeof(*c), 64))
		return -ENOMEM;
	c = &cl->s->convs[cl->s->nconvs++];
	memset(c, 0, sizeof(*c));
	c->kind = IPCS_KIND_FUTEX;
	/* an identity for the views (view_same_conv): key and offset folded */
	c->dev = f->shared ? f->key_dev : f->key_pid;
	c->ino = f->key_ino ^ (f->key_off * 0x9e3779b97f4a7c15ull);
	memcpy(c->channel, f->channel, sizeof(c->channel));
	c->a = f->a;
	c->b = f->b;
	c->a_to_b.msgs = f->a_to_b.wakes;
	c->b_to_a.msgs = f->b_to_a.wakes;
	c->a_blocked_ns = f->b_to_a.wait_ns;
	c->b_blocked_ns = f->a_to_b.wait_ns;
	c->first_ns = f->first_ns;
	c->last_ns = f->last_ns;
	return 0;
}

static int collect_proc(const struct model_proc *p, void *ctx)
{
	struct collect *cl = ctx;

	if (vec_grow((void **)&cl->s->procs, &cl->cap, cl->s->nprocs + 1, sizeof(struct snap_proc), 64))
		return -ENOMEM;
	memset(&cl->s->procs[cl->s->nprocs], 0, sizeof(struct snap_proc));
	cl->s->procs[cl->s->nprocs++].p = *p;
	return 0;
}

static int collect_wait(const struct model_wait *w, void *ctx)
{
	struct collect *cl = ctx;

	if (vec_grow((void **)&cl->s->waits, &cl->cap, cl->s->nwaits + 1, sizeof(*w), 64))
		return -ENOMEM;
	cl->s->waits[cl->s->nwaits++] = *w;
	return 0;
}

static int cmp_u64(__u64 a, __u64 b)
{
	return a < b ? -1 : a > b;
}

/* Processes are keyed by instance: pid and start time. */
static int proc_key_cmp(const void *x, const void *y)
{
	const struct snap_proc *a = x, *b = y;
	int r = cmp_u64(a->p.ref.pid, b->p.ref.pid);

	return r ? r : cmp_u64(a->p.ref.start_ns, b->p.ref.start_ns);
}

static struct snap_proc *find_proc(struct snapshot *s, const struct model_proc_ref *r)
{
	struct snap_proc key = { .p.ref = *r };

	if (!r->pid || !s->nprocs)
		return NULL;
	return bsearch(&key, s->procs, s->nprocs, sizeof(*s->procs), proc_key_cmp);
}

/* (process, thing) pairs, to count each process's distinct channels or peers. */
struct proc_pair {
	size_t proc;
	__u64 k1, k2;	/* (dev, ino) of a channel, or (pid, start) of a peer */
};

static int proc_pair_cmp(const void *x, const void *y)
{
	const struct proc_pair *a = x, *b = y;
	int r = cmp_u64(a->proc, b->proc);

	if (!r)
		r = cmp_u64(a->k1, b->k1);
	return r ? r : cmp_u64(a->k2, b->k2);
}

/* Sort pairs and count the distinct ones per process into the field at offset off. */
static void count_distinct(struct snapshot *s, struct proc_pair *v, size_t n, size_t off)
{
	if (!n)
		return;
	qsort(v, n, sizeof(*v), proc_pair_cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || proc_pair_cmp(&v[i], &v[i - 1]))
			(*(size_t *)((char *)&s->procs[v[i].proc] + off))++;
}

static int derive_proc_figures(struct snapshot *s)
{
	struct proc_pair *pc = malloc((2 * s->nconvs + 1) * sizeof(*pc));
	struct proc_pair *pp = malloc((2 * s->nconvs + 1) * sizeof(*pp));
	size_t n = 0, np = 0;

	if (!pc || !pp) {
		free(pc);
		free(pp);
		return -ENOMEM;
	}
	if (s->nprocs)
		qsort(s->procs, s->nprocs, sizeof(*s->procs), proc_key_cmp);
	for (size_t i = 0; i < s->nconvs; i++) {
		const struct model_conv *c = &s->convs[i];
		struct snap_proc *a = find_proc(s, &c->a), *b = find_proc(s, &c->b);

		if (a) {
			a->bytes_out += c->a_to_b.bytes;
			a->bytes_in += c->b_to_a.bytes;
			a->blocked_ns += c->a_blocked_ns;
			pc[n++] = (struct proc_pair){ (size_t)(a - s->procs), c->dev, c->ino };
			if (c->b.pid && !(c->b.pid == c->a.pid && c->b.start_ns == c->a.start_ns))
				pp[np++] = (struct proc_pair){ (size_t)(a - s->procs), c->b.pid, c->b.start_ns };
		}
		if (b) {
			b->bytes_out += c->b_to_a.bytes;
			b->bytes_in += c->a_to_b.bytes;
			b->blocked_ns += c->b_blocked_ns;
			pc[n++] = (struct proc_pair){ (size_t)(b - s->procs), c->dev, c->ino };
			if (c->a.pid && !(c->b.pid == c->a.pid && c->b.start_ns == c->a.start_ns))
				pp[np++] = (struct proc_pair){ (size_t)(b - s->procs), c->a.pid, c->a.start_ns };
		}
	}
	count_distinct(s, pc, n, offsetof(struct snap_proc, channels));
	count_distinct(s, pp, np, offsetof(struct snap_proc, peers));
	free(pc);
	free(pp);
	return 0;
}

/* Payload bytes are the log's only during the callback: the snapshot keeps a copy. */
static int collect_msg(const struct model_msg *msg, void *ctx)
{
	struct collect *cl = ctx;
	struct model_msg *c;

	if (vec_grow((void **)&cl->s->msgs, &cl->cap, cl->s->nmsgs + 1, sizeof(*cl->s->msgs), 64))
		return -ENOMEM;
	cl->s->msgs[cl->s->nmsgs].conv = cl->conv;
	c = &cl->s->msgs[cl->s->nmsgs].m;
	*c = *msg;
	c->payload = NULL;
	if (msg->payload_len) {
		c->payload = malloc(msg->payload_len);
		if (!c->payload)
			return -ENOMEM;
		memcpy(c->payload, msg->payload, msg->payload_len);
	}
	cl->s->nmsgs++;
	return 0;
}

static __u64 msg_time(const struct snap_msg *x)
{
	return x->m.ts_w ? x->m.ts_w : x->m.ts_r;
}

static int msg_cmp(const void *x, const void *y)
{
	const struct snap_msg *a = x, *b = y;
	int r = cmp_u64(msg_time(a), msg_time(b));

	return r ? r : cmp_u64(a->m.seq, b->m.seq);
}

/* The selected conversation's messages, or those of every conversation inside the group, by time. */
static int collect_msgs(const struct model *m, const struct seq_select *sel, struct collect *cl)
{
	struct snapshot *s = cl->s;
	__u64 dropped;
	int err;

	cl->cap = 0;
	for (size_t i = 0; i < s->nconvs; i++) {
		const struct model_conv *c = &s->convs[i];

		if (sel->conv ? !view_same_conv(c, sel->conv) :
		    sel->nprocs < 2 || !view_proc_in(sel->procs, sel->nprocs, &c->a) ||
		    !view_proc_in(sel->procs, sel->nprocs, &c->b))
			continue;
		cl->conv = i;
		dropped = 0;
		err = model_foreach_msg(m, c, collect_msg, cl, &dropped);
		if (err == -ENOMEM)
			return err;
		s->msgs_dropped += dropped;
	}
	if (s->nmsgs > 1 && !sel->conv)
		qsort(s->msgs, s->nmsgs, sizeof(*s->msgs), msg_cmp);
	return 0;
}

int snapshot_build(const struct model *m, const struct seq_select *sel, struct snapshot *s)
{
	struct collect cl = { .s = s };
	int err;

	memset(s, 0, sizeof(*s));
	s->ev_rate = -1;
	model_get_totals(m, &s->totals);
	s->now_ns = s->totals.last_ns;	/* the feed's clock replaces it */
	err = model_foreach_conv(m, collect_conv, &cl);
	if (!err)
		err = model_foreach_futex_conv(m, collect_futex, &cl);
	cl.cap = 0;
	if (!err)
		err = model_foreach_proc(m, collect_proc, &cl);
	cl.cap = 0;
	if (!err)
		err = model_foreach_wait(m, collect_wait, &cl);
	if (!err)
		err = derive_proc_figures(s);
	/* A conversation that aged out has no messages left: an empty sequence. */
	if (!err && sel)
		err = collect_msgs(m, sel, &cl);
	if (err)
		snapshot_free(s);
	return err;
}

void snapshot_free(struct snapshot *s)
{
	free(s->convs);
	free(s->procs);
	free(s->waits);
	for (size_t i = 0; i < s->nmsgs; i++)
		free(s->msgs[i].m.payload);
	free(s->msgs);
	memset(s, 0, sizeof(*s));
}
